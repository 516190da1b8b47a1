"""stackaudit connector for Okta: the applications behind single sign-on, users with their factors and admin
roles, API tokens and event hooks, through the Okta Management API.

Registered through the ``stackaudit`` entry-point group like any third-party plugin.
"""

from __future__ import annotations

from stackaudit import hookimpl
from stackaudit.registry import ConnectorRegistry, EmulatorRegistry
from stackaudit_okta.connector import OktaConnector
from stackaudit_okta.emulator import OktaEmulator

__all__ = ["OktaConnector", "OktaEmulator"]


@hookimpl
def register_connectors(registry: ConnectorRegistry) -> None:
    registry.add(OktaConnector)


@hookimpl
def register_emulators(registry: EmulatorRegistry) -> None:
    registry.add(OktaEmulator())
