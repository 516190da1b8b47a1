"""stackaudit connector for Salesforce: users, admins, MFA, connected apps, OAuth tokens, packages, endpoints.

Registered through the ``stackaudit`` entry-point group like any third-party plugin.
"""

from __future__ import annotations

from stackaudit import hookimpl
from stackaudit.registry import ConnectorRegistry, EmulatorRegistry
from stackaudit_salesforce.connector import SalesforceConnector
from stackaudit_salesforce.emulator import SalesforceEmulator

__all__ = ["SalesforceConnector", "SalesforceEmulator"]


@hookimpl
def register_connectors(registry: ConnectorRegistry) -> None:
    registry.add(SalesforceConnector)


@hookimpl
def register_emulators(registry: EmulatorRegistry) -> None:
    registry.add(SalesforceEmulator())
