"""stackaudit connector for Segment: workspace, sources and write keys, destinations and warehouses as flows,
tracking plans, users and their roles.

Registered through the ``stackaudit`` entry-point group like any third-party plugin.
"""

from __future__ import annotations

from stackaudit import hookimpl
from stackaudit.registry import ConnectorRegistry, EmulatorRegistry
from stackaudit_segment.connector import SegmentConnector
from stackaudit_segment.emulator import SegmentEmulator

__all__ = ["SegmentConnector", "SegmentEmulator"]


@hookimpl
def register_connectors(registry: ConnectorRegistry) -> None:
    registry.add(SegmentConnector)


@hookimpl
def register_emulators(registry: EmulatorRegistry) -> None:
    registry.add(SegmentEmulator())
