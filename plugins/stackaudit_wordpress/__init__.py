"""stackaudit connector for WordPress: site index, plugins and the vendors they feed, users and roles,
application passwords, and whether the user list is public.

Registered through the ``stackaudit`` entry-point group like any third-party plugin.
"""

from __future__ import annotations

from stackaudit import hookimpl
from stackaudit.registry import ConnectorRegistry, EmulatorRegistry
from stackaudit_wordpress.connector import WordPressConnector
from stackaudit_wordpress.emulator import WordPressEmulator

__all__ = ["WordPressConnector", "WordPressEmulator"]


@hookimpl
def register_connectors(registry: ConnectorRegistry) -> None:
    registry.add(WordPressConnector)


@hookimpl
def register_emulators(registry: EmulatorRegistry) -> None:
    registry.add(WordPressEmulator())
