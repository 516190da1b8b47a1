"""stackaudit connector for Contentful: spaces and environments, webhooks, app installations, delivery and
preview API keys, space memberships and roles.

Registered through the ``stackaudit`` entry-point group like any third-party plugin.
"""

from __future__ import annotations

from stackaudit import hookimpl
from stackaudit.registry import ConnectorRegistry, EmulatorRegistry
from stackaudit_contentful.connector import ContentfulConnector
from stackaudit_contentful.emulator import ContentfulEmulator

__all__ = ["ContentfulConnector", "ContentfulEmulator"]


@hookimpl
def register_connectors(registry: ConnectorRegistry) -> None:
    registry.add(ContentfulConnector)


@hookimpl
def register_emulators(registry: EmulatorRegistry) -> None:
    registry.add(ContentfulEmulator())
