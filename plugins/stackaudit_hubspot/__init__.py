"""stackaudit connector for HubSpot: portal, users and super admins, owners, logins, private apps, workflow
webhooks and the Salesforce sync.

Registered through the ``stackaudit`` entry-point group like any third-party plugin.
"""

from __future__ import annotations

from stackaudit import hookimpl
from stackaudit.registry import ConnectorRegistry, EmulatorRegistry
from stackaudit_hubspot.connector import HubSpotConnector
from stackaudit_hubspot.emulator import HubSpotEmulator

__all__ = ["HubSpotConnector", "HubSpotEmulator"]


@hookimpl
def register_connectors(registry: ConnectorRegistry) -> None:
    registry.add(HubSpotConnector)


@hookimpl
def register_emulators(registry: EmulatorRegistry) -> None:
    registry.add(HubSpotEmulator())
