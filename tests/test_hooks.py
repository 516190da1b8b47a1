"""Each hook, implemented by a plugin and used by stackaudit as its documentation says."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import networkx as nx
from click.testing import CliRunner

from stackaudit import (
    Check,
    Connector,
    CredentialSpec,
    Finding,
    Inventory,
    Report,
    Reporter,
    ScanContext,
    Severity,
    System,
    hookimpl,
)
from stackaudit.cli import cli
from stackaudit.emulator import EmulatedVendor, Request, Response, Router, Tenant, TenantSpec, demo_scenario
from stackaudit.plugins import PluginHost, create_host
from stackaudit.registry import CheckRegistry, ConnectorRegistry, EmulatorRegistry, ReporterRegistry
from stackaudit.testing import run_check


def host_with(plugin: object) -> PluginHost:
    return create_host(load_entry_points=False, default_plugins=(), extra_plugins=[("team", plugin)])


class Ping(Connector):
    id = "ping"
    title = "Ping"
    vendor = "ping"
    category = "other"
    description = "a tenant of one system"
    default_base_url = ""
    credentials = CredentialSpec(fields=(), combinations=())

    def collect(self, ctx: ScanContext) -> None:
        ctx.add(System(id=ctx.id("tenant", "1"), name="Ping"))


class PingEmulator(EmulatedVendor):
    id = "ping"
    router = Router()

    def authenticate(self, request: Request, tenant: Tenant) -> Response | None:
        return None

    def demo_tenant(self, scale: int = 1, *, clean: bool = False) -> TenantSpec:
        return TenantSpec(name="northwind-ping", vendor="ping", data={"clean": clean}, credentials={})


def _everything_external(graph: nx.MultiDiGraph, config: Any) -> Iterator[Finding]:
    for node, attrs in graph.nodes(data=True):
        if attrs.get("system_kind") == "external":
            yield Finding(EXTERNAL.id, EXTERNAL.category, EXTERNAL.severity, EXTERNAL.title, f"{node} is outside",
                          (node,))


EXTERNAL = Check(id="shadow-it-anything-outside", title="Outside", category="shadow-it", severity=Severity.LOW,
                 rationale="test", remediation="none", run=_everything_external)


class CountReporter(Reporter):
    id = "count"
    description = "count.txt: how many records"
    filename = "count.txt"

    def render(self, report: Report) -> str:
        return f"{len(report.inventory.records)} records\n"


class Team:
    @hookimpl
    def register_connectors(self, registry: ConnectorRegistry) -> None:
        registry.add(Ping)

    @hookimpl
    def register_emulators(self, registry: EmulatorRegistry) -> None:
        registry.add(PingEmulator())

    @hookimpl
    def register_checks(self, registry: CheckRegistry) -> None:
        registry.add(EXTERNAL)

    @hookimpl
    def register_reporters(self, registry: ReporterRegistry) -> None:
        registry.add(CountReporter())

    @hookimpl
    def register_commands(self, cli: click.Group) -> None:
        @cli.command()
        def hello() -> None:
            """Say hello."""
            click.echo("hello from the team plugin")


def test_register_connectors_and_register_emulators_feed_the_scan_and_the_demo() -> None:
    host = host_with(Team())
    assert host.connectors().owner("ping") == "team"
    (tenant,) = demo_scenario(host.emulators(), clean=True).tenants
    assert (tenant.name, tenant.data) == ("northwind-ping", {"clean": True})
    host.collect_all()
    assert host.plugins()[0].registered == {"checks": ["shadow-it-anything-outside"], "connectors": ["ping"],
                                            "emulators": ["ping"], "reporters": ["count"]}


def test_register_checks_adds_a_check_that_runs_on_the_graph() -> None:
    host = host_with(Team())
    check = host.checks().get("shadow-it-anything-outside")
    graph = nx.MultiDiGraph()
    graph.add_node("external:app:x", kind="system", system_kind="external")
    graph.add_node("t:tenant:1", kind="system", system_kind="tenant")
    assert [f.message for f in run_check(check, graph)] == ["external:app:x is outside"]


def test_register_reporters_adds_a_format_the_command_line_writes(tmp_path: Path) -> None:
    host = host_with(Team())
    written = host.reporters().get("count").write(Report(Inventory(records=[System(id="a")])), tmp_path)
    assert written.read_text() == "1 records\n"

    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "team_reporter.py").write_text(
        f"from {__name__} import CountReporter\nfrom stackaudit import hookimpl\n\n"
        "@hookimpl\ndef register_reporters(registry):\n    registry.add(CountReporter())\n")
    inventory = tmp_path / "scan" / "inventory.json"
    inventory.parent.mkdir()
    Inventory(records=[System(id="a"), System(id="b")]).save(inventory)
    result = CliRunner().invoke(cli, ["--plugins-dir", str(plugins), "audit", str(inventory), "--format",
                                      "json,count"])
    assert result.exit_code == 0, result.output
    assert (inventory.parent / "count.txt").read_text() == "2 records\n"
    assert json.loads((inventory.parent / "report.json").read_text())["summary"]["records"] == {"system": 2}


def test_register_commands_adds_a_command() -> None:
    host = host_with(Team())
    group = click.Group("stackaudit")
    host.add_commands(group)
    result = CliRunner().invoke(group, ["hello"])
    assert result.exit_code == 0
    assert result.output == "hello from the team plugin\n"
    assert not host.failures
