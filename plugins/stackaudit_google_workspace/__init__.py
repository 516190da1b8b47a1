"""stackaudit connector for Google Workspace: users, admins, 2-Step Verification, every user's third-party
OAuth grants and app-specific passwords, through the Admin SDK Directory API.

Registered through the ``stackaudit`` entry-point group like any third-party plugin.
"""

from __future__ import annotations

from stackaudit import hookimpl
from stackaudit.registry import ConnectorRegistry, EmulatorRegistry
from stackaudit_google_workspace.connector import GoogleWorkspaceConnector
from stackaudit_google_workspace.emulator import GoogleWorkspaceEmulator

__all__ = ["GoogleWorkspaceConnector", "GoogleWorkspaceEmulator"]


@hookimpl
def register_connectors(registry: ConnectorRegistry) -> None:
    registry.add(GoogleWorkspaceConnector)


@hookimpl
def register_emulators(registry: EmulatorRegistry) -> None:
    registry.add(GoogleWorkspaceEmulator())
