"""Hook specifications: every way a plugin can extend stackaudit.

Plugins implement these with ``@stackaudit.hookimpl``. Our own connectors, checks and reporters use the very
same hooks, registered through the same entry-point group (``stackaudit``) as anyone else's.

Each ``register_*`` hook receives a typed registry and pushes objects into it::

    @stackaudit.hookimpl
    def register_connectors(registry):
        registry.add(MyConnector)

Ids must be unique across all plugins; a duplicate is an error that names both plugins.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    import click

    from stackaudit.registry import CheckRegistry, ConnectorRegistry, EmulatorRegistry, ReporterRegistry

PROJECT = "stackaudit"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def register_connectors(registry: ConnectorRegistry) -> None:
    """Register connector classes (subclasses of :class:`stackaudit.Connector`).

    :param registry: call ``registry.add(ConnectorClass)``; the class's ``id`` is what
        ``connector = "…"`` in ``stackaudit.toml`` names.
    """


@hookspec
def register_checks(registry: CheckRegistry) -> None:
    """Register audit checks (:class:`stackaudit.Check`: metadata plus a pure ``run(graph, config)``).

    ``run`` reads the graph (see :mod:`stackaudit.graph` for its attributes, and ``stackaudit.graph.index``
    for lookups) and yields :class:`stackaudit.Finding` and :class:`stackaudit.Unknown` items; it raises
    :class:`stackaudit.NotEvaluated` when it cannot evaluate at all. See :mod:`stackaudit.check` for an example.

    :param registry: call ``registry.add(check)``; the check's ``id`` is stable and appears in findings.
    """


@hookspec
def register_reporters(registry: ReporterRegistry) -> None:
    """Register output formats (:class:`stackaudit.Reporter`), selected with ``--format ID``.

    :param registry: call ``registry.add(reporter)``.
    """


@hookspec
def register_emulators(registry: EmulatorRegistry) -> None:
    """Register a vendor API emulation (:class:`stackaudit.emulator.EmulatedVendor`) for the local emulator.

    The emulation serves the vendor's real paths, auth, paging and error bodies from scenario data, and
    provides the vendor's part of the built-in demo stack.

    :param registry: call ``registry.add(emulated_vendor)``; its ``vendor`` id must match the connector's.
    """


@hookspec
def register_commands(cli: click.Group) -> None:
    """Add commands to the ``stackaudit`` command line.

    :param cli: the top-level click group; decorate new commands with ``@cli.command()``.
    """
