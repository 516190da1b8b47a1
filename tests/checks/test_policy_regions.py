"""The organisation's own check: personal data from a tenant in an approved region to a system hosted outside."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import networkx as nx
import pytest
from stackaudit_policy_regions import CHECK
from stackaudit_policy_regions.regions import region_code

from stackaudit import DataCategory, Finding, Flow, Inventory, NotEvaluated, Severity, System, SystemKind
from stackaudit.config import Config, Policy, load_config
from stackaudit.demo import demo_config_text
from stackaudit.plugins import PluginHost
from stackaudit.testing import build_graph, run_check, scan_emulated
from stackaudit.testing.pytest_plugin import StartEmulator

EU_ONLY = Config(policy=Policy(allowed_regions=("eu",)))


def stack(*flows: tuple[str, str, str, tuple[str, ...]], active: bool = True) -> nx.MultiDiGraph:
    """Systems (as the graph describes them) and flows (key, source, target, data) between them."""
    graph = nx.MultiDiGraph()
    graph.add_node("crm:tenant:1", kind="system", system_kind="tenant", name="Northwind", vendor="salesforce",
                   vendor_name="Salesforce", region="EU44", owner="ana.lima@northwind.example")
    graph.add_node("us:tenant:1", kind="system", system_kind="tenant", name="Northwind US", vendor="hubspot",
                   region="na1")
    graph.add_node("vendor:zapier", kind="system", system_kind="external", name="Zapier", vendor="zapier")
    graph.add_node("vendor:hotjar", kind="system", system_kind="external", name="Hotjar", vendor="hotjar")
    graph.add_node("mail:tenant:1", kind="system", system_kind="tenant", name="Northwind", vendor="mailchimp",
                   vendor_name="Mailchimp", region="us21")
    graph.add_node("external:app:unheard-of", kind="system", system_kind="external", name="Unheard Of")
    graph.add_node("other:tenant:1", kind="system", system_kind="tenant", name="Lab", vendor="labtool",
                   region="ap-southeast-2")
    for key, source, target, data in flows:
        graph.add_edge(source, target, key=key, kind="flow", data=data, active=active)
    return graph


def test_personal_data_to_a_vendor_hosted_outside_is_a_finding() -> None:
    graph = stack(("crm:flow:1", "crm:tenant:1", "vendor:zapier", ("pii", "contact")),
                  ("crm:flow:2", "crm:tenant:1", "vendor:zapier", ("contact",)))

    (finding,) = run_check(CHECK, graph, EU_ONLY)

    assert finding.severity is Severity.HIGH
    assert finding.message == ("Northwind (Salesforce), hosted in EU44, sends pii, contact data to Zapier, hosted in "
                               "us: outside the approved regions (eu), with no transfer basis on record")
    assert finding.owner == "ana.lima@northwind.example"
    assert finding.remediation == CHECK.remediation
    assert finding.id == run_check(CHECK, graph, EU_ONLY)[0].id  # stable across runs


def test_what_the_finding_is_about_is_both_systems_and_every_flow() -> None:
    graph = stack(("crm:flow:1", "crm:tenant:1", "vendor:zapier", ("pii",)),
                  ("crm:flow:2", "crm:tenant:1", "vendor:zapier", ("contact",)))
    (finding,) = run_check(CHECK, graph, EU_ONLY)
    assert about(finding) == ("crm:tenant:1", "vendor:zapier", "crm:flow:1", "crm:flow:2")


def test_behavioural_data_alone_is_medium() -> None:
    graph = stack(("crm:flow:1", "crm:tenant:1", "vendor:zapier", (DataCategory.BEHAVIORAL,)))
    (finding,) = run_check(CHECK, graph, EU_ONLY)
    assert finding.severity is Severity.MEDIUM


@pytest.mark.parametrize(("flow", "why"), [
    (("f", "crm:tenant:1", "vendor:hotjar", ("pii",)), "the recipient is hosted in the EU (vendor record)"),
    (("f", "crm:tenant:1", "mail:tenant:1", ("pii",)), "outside, but with a transfer basis on record"),
    (("f", "crm:tenant:1", "external:app:unheard-of", ("pii",)), "nobody says where the recipient is hosted"),
    (("f", "us:tenant:1", "vendor:zapier", ("pii",)), "the data does not start in an approved region"),
    (("f", "crm:tenant:1", "vendor:zapier", ("content", "unknown")), "no personal data"),
    (("f", "crm:tenant:1", "other:tenant:1", ()), "no data categories"),
])
def test_no_finding(flow: tuple[str, str, str, tuple[str, ...]], why: str) -> None:
    assert run_check(CHECK, stack(flow), EU_ONLY) == [], why


def test_inactive_flows_and_an_empty_region_list_are_not_judged() -> None:
    flow = ("f", "crm:tenant:1", "vendor:zapier", ("pii",))
    assert run_check(CHECK, stack(flow, active=False), EU_ONLY) == []
    with pytest.raises(NotEvaluated, match="allowed_regions is not set"):
        run_check(CHECK, stack(flow), Config())  # said in the coverage, never a silent pass
    assert run_check(CHECK, stack(flow), Config(policy=Policy(allowed_regions=("EU", "us-east-1")))) == []


def test_a_recipient_that_reports_its_own_region_is_judged_by_it() -> None:
    graph = stack(("f", "crm:tenant:1", "other:tenant:1", ("contact",)))
    (finding,) = run_check(CHECK, graph, EU_ONLY)
    assert "Lab (labtool), hosted in apac" in finding.message


@pytest.mark.parametrize(("location", "region"), [
    ("EU44", "eu"), ("eu1", "eu"), ("eu-west-1", "eu"), ("europe-west1", "eu"), ("DEU36S", "eu"), ("us21", "us"),
    ("NA224", "us"), ("usa246s", "us"), ("GBR12", "uk"), ("ap1", "apac"), ("de", "eu"), ("xx9", "xx"), ("", ""),
    (" 42", ""),
])
def test_vendor_locations_become_regions(location: str, region: str) -> None:
    assert region_code(location) == region


def test_registered_by_its_plugin_like_any_check(plugin_host: PluginHost) -> None:
    checks = plugin_host.checks()
    assert checks.owner(CHECK.id) == "policy_regions"
    assert checks.get(CHECK.id) is CHECK
    assert {i.name: i for i in plugin_host.plugins()}["policy_regions"].registered == {"checks": [CHECK.id]}


# -- the demo stack ------------------------------------------------------------------------------------------

DEMO_TENANTS = ("northwind-hubspot", "northwind-salesforce", "northwind-mailchimp")


@pytest.fixture
def demo(emulator: StartEmulator, plugin_host: PluginHost, tmp_path: Path) -> tuple[Inventory, Config]:
    """The EU tenants of the demo and Mailchimp, scanned over HTTP, with the demo's own config."""
    emulations = plugin_host.emulators()
    running = emulator(*(emulations.get(t.removeprefix("northwind-")) for t in DEMO_TENANTS))
    config_path = tmp_path / "stackaudit.toml"
    config_path.write_text(demo_config_text(running))
    inventory = Inventory()
    for tenant in DEMO_TENANTS:
        part = scan_emulated(running, tenant, plugin_host.connectors())
        inventory.records += part.records
        inventory.connections += part.connections
    return inventory, load_config(config_path)


def graph_of(inventory: Inventory, resolved: dict[str, str]) -> nx.MultiDiGraph:
    """The inventory's systems and flows as graph nodes and edges, with the external ids in ``resolved`` taken
    to the vendor the catalogue resolves them to: that vendor's scanned tenant, or a ``vendor:<id>`` node."""
    tenants = {s.vendor: s.id for s in inventory.of(System) if s.system_kind is SystemKind.TENANT}

    def node(system_id: str) -> str:
        vendor = resolved.get(system_id)
        return system_id if vendor is None else tenants.get(vendor, f"vendor:{vendor}")

    graph = nx.MultiDiGraph()
    for vendor in set(resolved.values()) - set(tenants):
        graph.add_node(f"vendor:{vendor}", kind="system", system_kind="external", name=vendor, vendor=vendor)
    for system in inventory.of(System):
        if system.id not in resolved:
            graph.add_node(system.id, kind="system", system_kind=system.system_kind.value, name=system.name,
                           vendor=system.vendor, region=system.region)
    for flow in inventory.of(Flow):
        graph.add_edge(node(flow.source), node(flow.target), key=flow.id, kind="flow", data=flow.data,
                       active=flow.active)
    return graph


def about(finding: Finding) -> tuple[str, ...]:
    """What a finding is about: the field after its message (the systems, then the flows)."""
    return tuple(getattr(finding, dataclasses.fields(finding)[5].name))


def vendor_pairs(graph: nx.MultiDiGraph, findings: list[Finding]) -> set[tuple[str, str]]:
    return {(graph.nodes[about(f)[0]].get("vendor"), graph.nodes[about(f)[1]].get("vendor")) for f in findings}


def test_demo_config_approves_the_eu_only(demo: tuple[Inventory, Config]) -> None:
    _inventory, config = demo
    assert config.policy.allowed_regions == ("eu",)


def test_demo_eu_tenants_sending_contacts_to_us_tools_are_found(demo: tuple[Inventory, Config]) -> None:
    inventory, config = demo
    graph = graph_of(inventory, {
        "external:hooks.zapier.com": "zapier", "external:app:zapier": "zapier",
        "external:app:leadgenius-for-chrome": "leadgenius", "external:app:mailchimp-for-salesforce": "mailchimp",
        "external:app:salesforce": "salesforce", "external:app:hubspot": "hubspot",
    })

    findings = run_check(CHECK, graph, config)

    assert vendor_pairs(graph, findings) == {("hubspot", "zapier"), ("salesforce", "zapier"),
                                             ("salesforce", "leadgenius")}
    assert all(f.severity is Severity.HIGH for f in findings)


def test_demo_findings_on_the_graph_stackaudit_builds(demo: tuple[Inventory, Config]) -> None:
    pytest.importorskip("stackaudit.graph", reason="the graph builder (stackaudit.graph) is not in this stackaudit")
    inventory, config = demo
    graph = build_graph(inventory, config)

    pairs = vendor_pairs(graph, run_check(CHECK, graph, config))

    assert {("hubspot", "zapier"), ("salesforce", "zapier")} <= pairs
    assert not any(target == "mailchimp" for _source, target in pairs)
