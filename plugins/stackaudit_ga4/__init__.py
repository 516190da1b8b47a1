"""stackaudit connector for Google Analytics 4: accounts and properties, web data streams as tracking flows,
measurement-protocol secrets, Google Ads / BigQuery / Firebase links as flows, access bindings.

Registered through the ``stackaudit`` entry-point group like any third-party plugin.
"""

from __future__ import annotations

from stackaudit import hookimpl
from stackaudit.registry import ConnectorRegistry, EmulatorRegistry
from stackaudit_ga4.connector import GA4Connector
from stackaudit_ga4.emulator import GA4Emulator

__all__ = ["GA4Connector", "GA4Emulator"]


@hookimpl
def register_connectors(registry: ConnectorRegistry) -> None:
    registry.add(GA4Connector)


@hookimpl
def register_emulators(registry: EmulatorRegistry) -> None:
    registry.add(GA4Emulator())
