"""What every report says: system status and risk, top risks, owners, changes since the last scan, layout."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import pytest
from report_helpers import make_report

from stackaudit.config import load_config
from stackaudit.model import Inventory, Severity
from stackaudit.reporter import Report
from stackaudit.reporters.graph_view import graph_view
from stackaudit.reporters.layout import GROUP_MIN, layout, system_graph
from stackaudit.reporters.overview import (
    SANCTIONED,
    SHADOW,
    UNASSIGNED,
    UNOWNED,
    anchor,
    build_overview,
    changes_since_last_scan,
)
from stackaudit.testing.report_stacks import large_stack


@pytest.fixture(scope="module")
def demo_report(demo_dir: Path) -> Report:
    return make_report(Inventory.load(demo_dir / "inventory.json"), load_config(demo_dir / "stackaudit.toml"))


def by_label(report: Report) -> dict[str, object]:
    return {s.label: s for s in build_overview(report).systems}


def test_systems_are_sanctioned_shadow_or_unowned_as_the_registry_and_findings_say(demo_report: Report) -> None:
    overview = build_overview(demo_report)
    status = {s.label: s.status for s in overview.systems}
    assert status["Zapier"] == SHADOW  # not in the registry, outside the company
    assert status["Canva"] == SHADOW
    assert status["Northwind Outfitters (Salesforce)"] == SANCTIONED
    assert status["www.northwind.example"] == UNOWNED  # the company's own address, nobody registered it
    salesforce = next(s for s in overview.systems if s.label == "Northwind Outfitters (Salesforce)")
    assert salesforce.owner == "ana.lima@northwind.example" and salesforce.tenant
    assert salesforce.admins >= 1 and salesforce.mfa_no >= 1  # Ben: admin without MFA
    assert overview.sanctioned_count == sum(1 for s in overview.systems if s.sanctioned)
    assert overview.count_status(SHADOW) + overview.count_status(UNOWNED) + overview.count_status(SANCTIONED) \
        == len(overview.systems)


def test_risk_weighs_the_open_findings_touching_a_system(demo_report: Report) -> None:
    overview = build_overview(demo_report)
    for system in overview.systems:
        weights = {Severity.CRITICAL: 10, Severity.HIGH: 5, Severity.MEDIUM: 2, Severity.LOW: 1, Severity.INFO: 0}
        expected = sum(weights[overview.finding[f].finding.severity] for f in system.findings
                       if not overview.finding[f].finding.waived)
        assert system.risk == expected
    # An admin-without-MFA finding is about an account: it counts against the account's system.
    mfa = next(f for f in overview.findings
               if f.finding.check_id == "security-admin-without-mfa" and "System Administrator" in f.finding.message)
    assert overview.system_label(mfa.systems[0]) == "Northwind Outfitters (Salesforce)"


def test_top_risks_are_the_most_severe_open_findings_one_per_check(demo_report: Report) -> None:
    overview = build_overview(demo_report)
    risks = overview.top_risks(limit=5)
    assert len(risks) == 5
    checks = [r.row.finding.check_id for r in risks]
    assert len(set(checks)) == len(checks)
    severities = [r.row.finding.severity for r in risks]
    assert severities == sorted(severities, reverse=True)
    assert severities[0] == max(f.finding.severity for f in overview.open_findings)
    for risk in risks:
        same = [f for f in overview.open_findings if f.finding.check_id == risk.row.finding.check_id]
        assert risk.similar == len(same) - 1


def test_findings_are_grouped_by_owner_with_the_unassigned_last(demo_report: Report) -> None:
    overview = build_overview(demo_report)
    groups = overview.by_owner()
    assert sum(len(rows) for _owner, rows in groups) == len(overview.findings)
    owners = [owner for owner, _rows in groups]
    assert "ana.lima@northwind.example" in owners
    if "" in owners:
        assert owners[-1] == ""
        assert overview.person("") == UNASSIGNED
    assert overview.person("ana.lima@northwind.example") == "Ana Lima"


def test_anchors_are_safe_html_ids_and_stable() -> None:
    assert anchor("security-plain-http:3a2eecfb922c") == "f-security-plain-http-3a2eecfb922c"
    assert anchor("x<y>:\"'1") == "f-x-y----1"


DIFF = {
    "old_scan": {"id": 3, "recorded_at": "2026-10-01T09:00:00+00:00"},
    "new_scan": None,
    "config_changed": True,
    "incomplete_connections": [{"name": "northwind-hubspot", "status": "partial", "message": "", "gaps": []}],
    "findings": {"new": [{"id": "a", "label": "Zapier receives contact data", "severity": "high"}],
                 "resolved": [{"id": "b", "label": "Old admin without MFA", "severity": "high"}],
                 "not_seen": [], "newly_waived": [], "no_longer_waived": [], "unchanged": [{"id": "c"}]},
    "systems": {"appeared": [{"id": "external:app:canva", "label": "Canva"}], "disappeared": [], "not_seen": [],
                "unchanged": 20},
    "grants": {"added": [], "revoked": [{"id": "g", "label": "LeadGenius for Chrome"}], "not_seen": [],
               "unchanged": 3},
}


class FakeDiff:
    def to_dict(self) -> dict[str, object]:
        return DIFF


def test_changes_since_the_last_scan_read_from_a_diff_or_its_dict() -> None:
    assert changes_since_last_scan(None) is None
    for diff in (DIFF, FakeDiff()):
        changes = changes_since_last_scan(diff)
        assert changes is not None
        titles = {g.title: g.items for g in changes.groups}
        assert titles == {
            "New findings": ("Zapier receives contact data (high)",),
            "Resolved findings": ("Old admin without MFA (high)",),
            "Systems that appeared": ("Canva",),
            "Access grants revoked": ("LeadGenius for Chrome",),
        }
        assert changes.since == "the scan of 1 October 2026"
        assert any("configuration" in n for n in changes.notes)
        assert any("northwind-hubspot was partial" in n for n in changes.notes)


def test_the_report_has_no_changes_section_without_a_diff(demo_report: Report) -> None:
    assert build_overview(demo_report).changes is None
    assert build_overview(dataclasses.replace(demo_report, diff=DIFF)).changes is not None  # type: ignore[arg-type]


# -- layout ------------------------------------------------------------------------------------------------


def test_a_small_stack_is_laid_out_whole_and_spread_out(demo_report: Report) -> None:
    overview = build_overview(demo_report)
    ids = [s.id for s in overview.systems]
    placed = layout(demo_report.graph, ids, is_tenant=lambda n: overview.system[n].tenant,
                    status={s.id: s.status for s in overview.systems})
    assert set(placed.positions) == set(ids)
    assert placed.groups == []
    points = list(placed.positions.values())
    closest = min(math.dist(a, b) for i, a in enumerate(points) for b in points[i + 1:])
    assert closest > 60  # room for the labels
    assert all(0 <= x <= placed.width and 0 <= y <= placed.height for x, y in points)


def test_a_large_stack_groups_leaf_services_and_places_every_system_deterministically() -> None:
    inventory, config = large_stack(600)
    report = make_report(inventory, config)
    overview = build_overview(report)
    ids = [s.id for s in overview.systems]
    status = {s.id: s.status for s in overview.systems}
    first = layout(report.graph, ids, is_tenant=lambda n: overview.system[n].tenant, status=status)
    again = layout(report.graph, ids, is_tenant=lambda n: overview.system[n].tenant, status=status)
    assert first == again
    assert set(first.positions) == set(ids)
    assert first.groups
    simple = system_graph(report.graph, ids)
    grouped = [m for g in first.groups for m in g.members]
    assert len(grouped) == len(set(grouped))
    for group in first.groups:
        assert len(group.members) >= GROUP_MIN
        for member in group.members:  # a leaf: talks only to the group's system, and has the group's status
            assert list(simple.neighbors(member)) == [group.parent]
            assert status[member] == group.status
    view = graph_view(overview, report.graph, report.checks)
    assert len(view["nodes"]) == len(ids)
    members = {m for g in view["groups"] for m in g["members"]}
    assert {i for i, n in enumerate(view["nodes"]) if n.get("group", -1) >= 0} == members


def test_single_sign_on_is_not_counted_as_a_data_flow(demo_report: Report) -> None:
    overview = build_overview(demo_report)
    assert overview.sign_ins, "the demo's identity provider signs users in to its apps"
    assert all(f.flow_kind == "sso" for f in overview.sign_ins)
    assert not any(f.sign_in for f in overview.active_flows)
    assert not any(f.sign_in for f in overview.pii_flows)
    view = graph_view(overview, demo_report.graph, demo_report.checks)
    sign_in_edges = [e for e in view["edges"] if e["sign_in"]]
    assert sign_in_edges and all(all(view["flows"][f].get("sign_in") for f in e["flows"]) for e in sign_in_edges)
