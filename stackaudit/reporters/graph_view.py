"""The report's graph as plain data: systems placed by :mod:`stackaudit.reporters.layout`, flows between them
grouped per direction, groups of leaf services, and the findings each touches (by position in the lists).

The HTML report embeds this as JSON for its script; ``graph.svg`` draws it.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from typing import Any

import networkx as nx

from stackaudit.check import CATEGORIES, Check
from stackaudit.model import Severity
from stackaudit.reporters.layout import Layout, layout
from stackaudit.reporters.overview import (
    SEVERITY_ORDER,
    SHADOW,
    STATUS_LABELS,
    STATUSES,
    UNOWNED,
    Overview,
    category_label,
    data_label,
)

MAX_LISTED = 40  # integrations listed per system in the details panel
MAX_EVIDENCE = 20  # evidence records listed per finding (the rest are counted)
MAX_PATHS = 10  # data paths listed per finding


def node_radius(risk: int, tenant: bool) -> float:
    """Bigger for scanned systems, growing with the weighted findings that touch the system."""
    return round((11.0 if tenant else 7.0) + 2.6 * math.sqrt(risk), 1)


def _compact(values: dict[str, Any], keep: tuple[str, ...] = ()) -> dict[str, Any]:
    """Without empty values (the page's script fills in the defaults): a 2,000-system report stays small."""
    return {k: v for k, v in values.items()
            if k in keep or not (v is None or (isinstance(v, bool) and not v) or v in ("", 0, [], {}))}


def _worst(severities: list[Severity]) -> str:
    return str(max(severities)) if severities else ""


def graph_view(overview: Overview, graph: nx.MultiDiGraph, checks: Mapping[str, Check] | None = None
               ) -> dict[str, Any]:
    """Everything the report's script draws: the graph, the scorecard's rows and the findings by owner."""
    checks = checks or {}
    systems = overview.systems
    placed: Layout = layout(graph, [s.id for s in systems], is_tenant=lambda n: overview.system[n].tenant,
                            status={s.id: s.status for s in systems})
    node_index = {s.id: i for i, s in enumerate(systems)}
    finding_index = {f.id: i for i, f in enumerate(overview.findings)}
    group_of = placed.group_of()
    group_index = {g.id: i for i, g in enumerate(placed.groups)}

    nodes = []
    for s in systems:
        x, y = placed.positions[s.id]
        open_counts = Counter(str(overview.finding[f].finding.severity) for f in s.findings
                              if not overview.finding[f].finding.waived)
        people = s.mfa_yes + s.mfa_no + s.mfa_unknown
        nodes.append(_compact({
            "id": s.id, "label": s.short, "full": s.label, "vendor": s.vendor, "category": s.category or "other",
            "tenant": s.tenant, "internal": s.internal, "status": s.status, "sanctioned": s.sanctioned,
            "owner": overview.person(s.owner) if s.owner else "", "data": list(s.data), "risk": s.risk,
            "worst": str(s.worst) if s.worst is not None else "", "r": node_radius(s.risk, s.tenant),
            "x": x, "y": y, "group": group_index[group_of[s.id]] if s.id in group_of else -1,
            "accounts": s.accounts, "admins": s.admins, "mfa": s.mfa_text if s.accounts else "",
            "integrations": list(s.integrations[:MAX_LISTED]), "more_integrations": max(0, len(s.integrations)
                                                                                         - MAX_LISTED),
            "address": s.address, "findings": [finding_index[f] for f in s.findings],
            "kind": category_name(s.category) if s.category else ("Internal address" if s.internal else "Service"),
            "open": {str(sev): open_counts[str(sev)] for sev in SEVERITY_ORDER if open_counts[str(sev)]},
            "mfa_share": round((s.mfa_yes + 1) / (people + 1), 4),
        }, keep=("x", "y", "group")))

    flows: list[dict[str, Any]] = []
    flow_ids: list[str] = []
    edges: dict[tuple[int, int], dict[str, Any]] = {}
    for flow in overview.flows:
        if flow.source not in node_index or flow.target not in node_index or flow.source == flow.target:
            continue
        fi = len(flows)
        flow_ids.append(flow.id)
        flows.append({"name": flow.name, "kind": flow.flow_kind, "data": list(flow.data), "url": flow.url,
                      "scheme": flow.scheme, "active": flow.active, "sign_in": flow.sign_in,
                      "findings": [finding_index[f] for f in flow.findings if f in finding_index]})
        key = (node_index[flow.source], node_index[flow.target])
        edge = edges.setdefault(key, {"s": key[0], "t": key[1], "flows": [], "data": [], "findings": []})
        edge["flows"].append(fi)
        edge["data"] = list(dict.fromkeys([*edge["data"], *flow.data]))
        edge["findings"] = list(dict.fromkeys([*edge["findings"], *flows[fi]["findings"]]))
    edge_list = list(edges.values())
    edge_of_flow: dict[str, int] = {}
    for ei, edge in enumerate(edge_list):
        edge["both"] = (edge["t"], edge["s"]) in edges
        edge["active"] = any(flows[f]["active"] for f in edge["flows"])
        edge["sign_in"] = all(flows[f]["sign_in"] for f in edge["flows"])
        edge["worst"] = _worst([overview.findings[f].finding.severity for f in edge["findings"]
                                if not overview.findings[f].finding.waived])
        for f in edge["flows"]:
            edge_of_flow[flow_ids[f]] = ei

    groups = []
    for g in placed.groups:
        members = [node_index[m] for m in g.members]
        severities = [overview.system[m].worst for m in g.members]
        groups.append({
            "id": g.id, "parent": node_index[g.parent], "status": g.status, "members": members, "x": g.x, "y": g.y,
            "label": f"{len(members)} {_status_noun(g.status, len(members))} via {overview.system[g.parent].short}",
            "worst": _worst([s for s in severities if s is not None]),
            "risk": sum(overview.system[m].risk for m in g.members),
            "data": sorted({d for m in g.members for d in overview.system[m].data}),
            "category": sorted({overview.system[m].category or "other" for m in g.members}),
        })

    owner_index = {owner: i for i, (owner, _rows) in enumerate(overview.by_owner())}
    finding_rows = []
    for row in overview.findings:
        f = row.finding
        check = checks.get(f.check_id)
        finding_rows.append(_compact({
            "id": row.id, "message": f.message, "severity": str(f.severity), "check": f.check_id,
            # The check's title, category and remediation are sent once (in "checks"), a finding's own only when
            # they differ; labels of systems come from "nodes".
            "title": f.title if not check or f.title != check.title else "",
            "category": f.category if not check or f.category != check.category else "",
            "remediation": f.remediation if not check or f.remediation != check.remediation else "",
            "o": owner_index[row.owner], "waived": f.waived, "waiver": f.waiver,
            "systems": [node_index[s] for s in row.systems if s in node_index],
            "subjects": [label for _id, label in row.subjects],
            "edges": sorted({edge_of_flow[fl] for fl in row.flows if fl in edge_of_flow}),
            "paths": [p for p in ([node_index[n] for n in path.nodes if n in node_index] for path in f.paths) if p],
            "evidence": [[e.connection, e.source, e.object_id] for e in f.evidence[:MAX_EVIDENCE]],
            "more_evidence": max(0, len(f.evidence) - MAX_EVIDENCE),
            "details": [[str(k).replace("_", " "), "" if v is None else str(v)] for k, v in f.details.items()],
        }, keep=("o",)))
    owners = [{"label": overview.person(owner), "email": owner, "findings": [finding_index[r.id] for r in rows]}
              for owner, rows in overview.by_owner()]
    check_rows = {c.id: {"title": c.title, "rationale": c.rationale, "remediation": c.remediation,
                         "category": c.category} for c in checks.values()}

    carried = {d for flow in overview.flows for d in flow.data}
    data_categories = sorted({d for s in systems for d in s.data} | carried, key=lambda d: (d == "unknown", d))
    vendor_categories = sorted({s.category or "other" for s in systems})
    return {
        "width": placed.width, "height": placed.height,
        "nodes": nodes, "edges": edge_list, "flows": [_compact(f) for f in flows], "groups": groups,
        "findings": finding_rows, "owners": owners, "checks": check_rows,
        "categories": {c: category_label(c) for c in {*CATEGORIES, *(f.finding.category for f in overview.findings)}},
        "filters": {
            "data": [[d, data_label(d)] for d in data_categories],
            "category": [[c, category_name(c)] for c in vendor_categories],
            "severity": [[str(s), str(s).capitalize()] for s in sorted(Severity, reverse=True)],
            "status": [[s, STATUS_LABELS[s]] for s in STATUSES],
        },
    }


VENDOR_CATEGORY_NAMES = {
    "crm": "CRM",
    "cms": "Content management",
    "marketing-automation": "Marketing automation",
    "email-marketing": "Email marketing",
    "analytics": "Analytics",
    "cdp": "Customer data platform",
    "identity": "Identity",
    "productivity": "Productivity",
    "automation": "Automation",
    "advertising": "Advertising",
    "warehouse": "Data warehouse",
    "other": "Other services",
}


def category_name(category: str) -> str:
    """A vendor category as people say it ("crm" -> "CRM")."""
    return VENDOR_CATEGORY_NAMES.get(category, category.replace("-", " ").capitalize() if category else "Other")


def _status_noun(status: str, count: int) -> str:
    plural = count != 1
    if status == SHADOW:
        return "shadow-IT services" if plural else "shadow-IT service"
    if status == UNOWNED:
        return "unowned services" if plural else "unowned service"
    return "sanctioned services" if plural else "sanctioned service"


__all__ = ["VENDOR_CATEGORY_NAMES", "category_label", "category_name", "graph_view", "node_radius"]
