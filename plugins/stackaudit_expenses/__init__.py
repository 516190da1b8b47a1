"""stackaudit connector for expense and corporate-card exports: recurring SaaS payments as discovered systems.

Finance data finds the tools nobody connected to single sign-on: whoever pays for a subscription on a company
card has bought a system. Registered through the ``stackaudit`` entry-point group like any third-party plugin.
"""

from __future__ import annotations

from stackaudit import hookimpl
from stackaudit.registry import ConnectorRegistry, EmulatorRegistry
from stackaudit_expenses.connector import ExpensesConnector
from stackaudit_expenses.emulator import ExpensesDemo

__all__ = ["ExpensesConnector", "ExpensesDemo"]


@hookimpl
def register_connectors(registry: ConnectorRegistry) -> None:
    registry.add(ExpensesConnector)


@hookimpl
def register_emulators(registry: EmulatorRegistry) -> None:
    registry.add(ExpensesDemo())
