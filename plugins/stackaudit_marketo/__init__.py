"""stackaudit connector for Marketo Engage: users, API-only users and their credentials, programs, campaigns,
API usage and the Salesforce sync.

Registered through the ``stackaudit`` entry-point group like any third-party plugin.
"""

from __future__ import annotations

from stackaudit import hookimpl
from stackaudit.registry import ConnectorRegistry, EmulatorRegistry
from stackaudit_marketo.connector import MarketoConnector
from stackaudit_marketo.emulator import MarketoEmulator

__all__ = ["MarketoConnector", "MarketoEmulator"]


@hookimpl
def register_connectors(registry: ConnectorRegistry) -> None:
    registry.add(MarketoConnector)


@hookimpl
def register_emulators(registry: EmulatorRegistry) -> None:
    registry.add(MarketoEmulator())
