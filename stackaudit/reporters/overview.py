"""What every human-facing report says, computed once from a :class:`stackaudit.Report`.

- each system with its status (sanctioned / shadow IT / unowned), owner, data, accounts, MFA coverage and
  the findings that touch it, weighted into a risk score;
- each finding with the systems it touches and the person who should act;
- each data flow with its findings; the headline figures; coverage; what changed since the last scan.

Only the graph (:mod:`stackaudit.graph`), the findings and the coverage are read, never raw API data.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import networkx as nx

from stackaudit.check import CATEGORIES
from stackaudit.graph import index
from stackaudit.graph.query import SIGN_IN_KINDS
from stackaudit.model import CheckStatus, CoverageStatus, Finding, Severity
from stackaudit.reporter import Report

SANCTIONED, SHADOW, UNOWNED = "sanctioned", "shadow", "unowned"
STATUSES = (SANCTIONED, SHADOW, UNOWNED)
STATUS_LABELS = {SANCTIONED: "Sanctioned", SHADOW: "Shadow IT", UNOWNED: "Unowned"}
STATUS_HELP = {
    SANCTIONED: "approved by IT and owned by someone",
    SHADOW: "in use but not approved by IT",
    UNOWNED: "nobody is answerable for it",
}
CATEGORY_LABELS = {
    "shadow-it": "Shadow IT",
    "duplicate-data-path": "Duplicate data paths",
    "dirty-data-path": "Dirty data paths",
    "unowned": "Unowned systems",
    "security": "Security gaps",
}
DATA_LABELS = {
    "pii": "personal data",
    "contact": "contact details",
    "behavioral": "behavioural data",
    "payment": "payment data",
    "marketing": "marketing data",
    "content": "content",
    "credentials": "credentials",
    "unknown": "unspecified data",
}
SEVERITY_ORDER = tuple(sorted(Severity, reverse=True))  # critical first
RISK_WEIGHT = {Severity.CRITICAL: 10, Severity.HIGH: 5, Severity.MEDIUM: 2, Severity.LOW: 1, Severity.INFO: 0}
UNASSIGNED = "Unassigned"


def category_label(category: str) -> str:
    return CATEGORY_LABELS.get(category, category.replace("-", " ").capitalize())


def data_label(category: str) -> str:
    return DATA_LABELS.get(category, category)


def anchor(finding_id: str) -> str:
    """An HTML id for a finding: ``f-`` and the fingerprint with anything but ASCII letters, digits and dashes
    as dashes (the report's script derives the same)."""
    return "f-" + re.sub(r"[^A-Za-z0-9-]", "-", finding_id)


@dataclasses.dataclass(frozen=True)
class SystemRow:
    """One system as the reports show it."""

    id: str
    label: str  # "Northwind Outfitters (Salesforce)"
    short: str  # for the graph: "Salesforce" when it is the only tenant of its vendor, else the label
    vendor: str  # the vendor's name, when known
    category: str  # crm, cms, ... ("" when unknown)
    tenant: bool  # scanned through a connection (else: a service the stack talks to)
    internal: bool  # on the organisation's own domains
    status: str  # sanctioned | shadow | unowned
    sanctioned: bool
    owner: str  # email of whoever answers for it ("" when nobody)
    data: tuple[str, ...]  # categories held (tenants) or received (services)
    accounts: int  # active accounts
    admins: int  # active administrators
    mfa_yes: int  # active people with MFA
    mfa_no: int
    mfa_unknown: int  # the vendor does not say
    integrations: tuple[str, ...]  # names of the apps installed in or connected to it
    address: str  # domain or URL
    findings: tuple[str, ...]  # ids of the findings touching it, most severe first
    worst: Severity | None  # most severe unwaived finding
    risk: int  # unwaived findings weighted by severity

    @property
    def mfa_text(self) -> str:
        people = self.mfa_yes + self.mfa_no + self.mfa_unknown
        if not people:
            return "—"
        text = f"{self.mfa_yes} of {people}"
        if self.mfa_unknown:
            text += f" ({self.mfa_unknown} not reported)"
        return text


@dataclasses.dataclass(frozen=True)
class FindingRow:
    """A finding with the systems it touches and who should act."""

    finding: Finding
    id: str  # the finding's fingerprint (computed once: it is a hash)
    systems: tuple[str, ...]  # system ids, the one it is mainly about first
    owner: str  # email ("" when nobody is known)
    anchor: str
    subjects: tuple[tuple[str, str], ...]  # (id, how a person reads it)
    flows: tuple[str, ...]  # flow ids it is about or whose paths it shows


@dataclasses.dataclass(frozen=True)
class FlowRow:
    """One data flow (an edge of the graph) with the findings that mention it."""

    id: str
    source: str
    target: str
    name: str
    flow_kind: str
    data: tuple[str, ...]
    url: str
    scheme: str
    active: bool
    findings: tuple[str, ...]
    sign_in: bool = False  # an identity provider signing users in: identity claims, not a data feed


@dataclasses.dataclass(frozen=True)
class TopRisk:
    row: FindingRow
    similar: int  # other unwaived findings of the same check


@dataclasses.dataclass(frozen=True)
class ConnectionRow:
    name: str
    connector: str
    status: str  # complete | partial | failed | ...
    message: str
    gaps: tuple[tuple[str, str], ...]  # (area, reason)


@dataclasses.dataclass(frozen=True)
class CheckRow:
    id: str
    title: str
    category: str
    status: str  # evaluated | partial | not_evaluated | failed | skipped
    reason: str
    findings: int
    unknown_count: int


@dataclasses.dataclass(frozen=True)
class ChangeGroup:
    title: str  # "New findings", "Systems that appeared", ...
    items: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class Changes:
    """What changed since the last scan, as plain text groups (from :attr:`Report.diff`)."""

    since: str  # "the scan of 1 October 2026" ("" when unknown)
    groups: tuple[ChangeGroup, ...]
    notes: tuple[str, ...]


@dataclasses.dataclass
class Overview:
    organization: str
    generated_at: datetime
    systems: list[SystemRow]
    findings: list[FindingRow]
    flows: list[FlowRow]
    people: dict[str, str]  # email -> name
    connections: list[ConnectionRow]
    checks: list[CheckRow]
    waivers: list[Any]  # stackaudit.model.WaiverStatus
    changes: Changes | None
    complete: bool

    def __post_init__(self) -> None:
        self.system = {s.id: s for s in self.systems}
        self.finding = {f.id: f for f in self.findings}

    # -- people -------------------------------------------------------------------------------------

    def person(self, email: str) -> str:
        """How a person reads an owner: their name when known, else the address, else "Unassigned"."""
        if not email:
            return UNASSIGNED
        name = self.people.get(email.lower(), "")
        return name if name and name != email else email

    # -- headline figures ---------------------------------------------------------------------------

    @property
    def open_findings(self) -> list[FindingRow]:
        return [f for f in self.findings if not f.finding.waived]

    @property
    def waived_findings(self) -> list[FindingRow]:
        return [f for f in self.findings if f.finding.waived]

    def count_status(self, status: str) -> int:
        return sum(1 for s in self.systems if s.status == status)

    @property
    def sanctioned_count(self) -> int:
        return sum(1 for s in self.systems if s.sanctioned)

    @property
    def active_flows(self) -> list[FlowRow]:
        """Active flows that move data (sign-ins left out)."""
        return [f for f in self.flows if f.active and not f.sign_in]

    @property
    def sign_ins(self) -> list[FlowRow]:
        return [f for f in self.flows if f.active and f.sign_in]

    @property
    def pii_flows(self) -> list[FlowRow]:
        return [f for f in self.active_flows if "pii" in f.data]

    def by_severity(self) -> dict[Severity, int]:
        counts = Counter(f.finding.severity for f in self.open_findings)
        return {s: counts.get(s, 0) for s in SEVERITY_ORDER}

    def by_category(self) -> dict[str, int]:
        counts = Counter(f.finding.category for f in self.open_findings)
        ordered = [c for c in CATEGORIES if c in counts] + sorted(c for c in counts if c not in CATEGORIES)
        return {c: counts[c] for c in ordered}

    def top_risks(self, limit: int = 5) -> list[TopRisk]:
        """The most severe open findings, one per check, with how many similar ones there are."""
        per_check = Counter(f.finding.check_id for f in self.open_findings)
        seen: set[str] = set()
        out = []
        for row in self.open_findings:  # already most severe first
            if row.finding.check_id in seen or row.finding.severity < Severity.LOW:
                continue
            seen.add(row.finding.check_id)
            out.append(TopRisk(row, per_check[row.finding.check_id] - 1))
            if len(out) == limit:
                break
        return out

    def by_owner(self) -> list[tuple[str, list[FindingRow]]]:
        """Findings grouped by who should act (most open high-severity work first, unassigned last)."""
        groups: dict[str, list[FindingRow]] = {}
        for row in self.findings:
            groups.setdefault(row.owner, []).append(row)

        def weight(item: tuple[str, list[FindingRow]]) -> tuple[bool, int, str]:
            owner, rows = item
            return (not owner, -sum(RISK_WEIGHT[r.finding.severity] for r in rows if not r.finding.waived),
                    self.person(owner).lower())

        return sorted(groups.items(), key=weight)

    @property
    def incomplete_checks(self) -> list[CheckRow]:
        return [c for c in self.checks if c.status != CheckStatus.EVALUATED.value]

    @property
    def incomplete_connections(self) -> list[ConnectionRow]:
        return [c for c in self.connections if c.status != CoverageStatus.COMPLETE.value or c.gaps]

    def system_label(self, system_id: str) -> str:
        row = self.system.get(system_id)
        return row.label if row else system_id


# -- building -------------------------------------------------------------------------------------------


def build_overview(report: Report) -> Overview:
    """The overview of a finished scan; needs ``report.graph`` (see :func:`stackaudit.graph.build_graph`)."""
    graph: nx.MultiDiGraph = report.graph if report.graph is not None else nx.MultiDiGraph()
    idx = index(graph)
    people = {str(a.get("email", "")).lower(): str(a.get("name") or a.get("email") or "")
              for _n, a in graph.nodes(data=True) if a.get("kind") == "person" and a.get("email")}

    finding_rows = [_finding_row(f, graph, idx) for f in report.findings]
    touching: dict[str, list[FindingRow]] = {}
    for row in finding_rows:
        for system in row.systems:
            touching.setdefault(system, []).append(row)
    flagged_unowned = {s for row in finding_rows if not row.finding.waived and row.finding.category == "unowned"
                       for s in row.finding.subjects if s in graph and graph.nodes[s].get("kind") == "system"}
    per_vendor = Counter(graph.nodes[n].get("vendor") for n in idx.tenants)
    systems = [_system_row(node, graph, idx, touching.get(node, []), node in flagged_unowned, per_vendor)
               for node in idx.nodes("system")]
    systems.sort(key=lambda s: (not s.tenant, -s.risk, s.label.lower()))

    by_flow: dict[str, list[str]] = {}
    for row in finding_rows:
        for flow in row.flows:
            by_flow.setdefault(flow, []).append(row.id)
    flows = [
        FlowRow(id=key, source=source, target=target, name=str(attrs.get("name") or ""),
                flow_kind=str(attrs.get("flow_kind") or ""), data=tuple(str(d) for d in attrs.get("data", ())),
                url=str(attrs.get("url") or ""), scheme=str(attrs.get("scheme") or ""),
                active=bool(attrs.get("active", True)), findings=tuple(by_flow.get(key, ())),
                sign_in=attrs.get("flow_kind") in SIGN_IN_KINDS)
        for key, (source, target, attrs) in idx.flow_edges.items()
    ]

    gaps: dict[str, list[tuple[str, str]]] = {}
    for gap in report.inventory.gaps:
        gaps.setdefault(gap.connection, []).append((gap.area, gap.reason))
    connections = [ConnectionRow(c.name, c.connector, c.status.value, c.message, tuple(gaps.get(c.name, ())))
                   for c in report.inventory.connections]
    checks = []
    for coverage in report.coverage:
        check = report.checks.get(coverage.check_id)
        checks.append(CheckRow(coverage.check_id, check.title if check else coverage.check_id,
                               check.category if check else "", coverage.status.value, coverage.reason,
                               coverage.findings, coverage.unknown_count))

    return Overview(
        organization=report.inventory.organization or str(graph.graph.get("organization") or ""),
        generated_at=report.inventory.generated_at,
        systems=systems,
        findings=finding_rows,
        flows=flows,
        people=people,
        connections=connections,
        checks=checks,
        waivers=list(report.waivers),
        changes=changes_since_last_scan(getattr(report, "diff", None)),
        complete=report.inventory.complete,
    )


def _systems_of(subjects: Iterable[str], graph: nx.MultiDiGraph, idx: Any) -> list[str]:
    out: dict[str, None] = {}
    for subject in subjects:
        if subject in graph:
            attrs = graph.nodes[subject]
            if attrs.get("kind") == "system":
                out[subject] = None
            elif attrs.get("system") in graph:
                out[attrs["system"]] = None
        elif subject in idx.flow_edges:
            source, target, _attrs = idx.flow_edges[subject]
            out[source] = None
            out[target] = None
    return list(out)


def _finding_row(finding: Finding, graph: nx.MultiDiGraph, idx: Any) -> FindingRow:
    systems = _systems_of(finding.subjects, graph, idx)
    flows = [s for s in finding.subjects if s in idx.flow_edges]
    for path in finding.paths:
        flows += [f for f in path.flows if f in idx.flow_edges]
    owner = finding.owner.lower()
    if not owner:
        for system in systems:
            owner = str(graph.nodes[system].get("owner") or "")
            if owner:
                break
    subjects = tuple((s, _subject_label(s, graph, idx)) for s in finding.subjects)
    fingerprint = finding.id
    return FindingRow(finding=finding, id=fingerprint, systems=tuple(systems), owner=owner,
                      anchor=anchor(fingerprint), subjects=subjects, flows=tuple(dict.fromkeys(flows)))


def _subject_label(subject: str, graph: nx.MultiDiGraph, idx: Any) -> str:
    if subject in graph:
        return str(idx.label(subject))
    if subject in idx.flow_edges:
        source, target, attrs = idx.flow_edges[subject]
        name = attrs.get("name") or attrs.get("flow_kind") or "flow"
        return f"{name} ({idx.label(source)} → {idx.label(target)})"
    return subject


def _status(attrs: Mapping[str, Any], flagged_unowned: bool) -> str:
    if not attrs.get("sanctioned"):
        return UNOWNED if attrs.get("internal") else SHADOW
    if not attrs.get("owner") or flagged_unowned:
        return UNOWNED
    return SANCTIONED


def _system_row(node: str, graph: nx.MultiDiGraph, idx: Any, rows: list[FindingRow],
                flagged_unowned: bool, per_vendor: Mapping[Any, int]) -> SystemRow:
    attrs = graph.nodes[node]
    label = str(idx.label(node))
    tenant = attrs.get("system_kind") == "tenant"
    vendor_name = str(attrs.get("vendor_name") or "")
    short = vendor_name if tenant and vendor_name and per_vendor.get(attrs.get("vendor"), 0) == 1 else label
    accounts = [graph.nodes[a] for a in idx.accounts_by_system.get(node, ()) if graph.nodes[a].get("active", True)]
    people = [a for a in accounts if a.get("account_kind", "human") == "human"]
    mfa = Counter(str(a.get("mfa", "unknown")) for a in people)
    held = tuple(str(d) for d in attrs.get("data", ()))
    if not held:  # a service holds what reaches it
        received: dict[str, None] = {}
        for _source, _key, flow in idx.flows_in.get(node, ()):
            received.update(dict.fromkeys(str(d) for d in flow.get("data", ())))
        held = tuple(received)
    open_rows = [r for r in rows if not r.finding.waived]
    ordered = sorted(rows, key=lambda r: (r.finding.waived, -r.finding.severity, r.id))
    integrations = tuple(str(graph.nodes[i].get("name") or i) for i in idx.integrations_by_system.get(node, ()))
    return SystemRow(
        id=node,
        label=label,
        short=short,
        vendor=vendor_name or str(attrs.get("vendor") or ""),
        category=str(attrs.get("category") or ""),
        tenant=tenant,
        internal=bool(attrs.get("internal")),
        status=_status(attrs, flagged_unowned),
        sanctioned=bool(attrs.get("sanctioned")),
        owner=str(attrs.get("owner") or ""),
        data=held,
        accounts=len(accounts),
        admins=sum(1 for a in accounts if a.get("admin")),
        mfa_yes=mfa.get("yes", 0),
        mfa_no=mfa.get("no", 0),
        mfa_unknown=sum(n for state, n in mfa.items() if state not in ("yes", "no")),
        integrations=integrations,
        address=str(attrs.get("domain") or attrs.get("url") or ""),
        findings=tuple(r.id for r in ordered),
        worst=max((r.finding.severity for r in open_rows), default=None),
        risk=sum(RISK_WEIGHT[r.finding.severity] for r in open_rows),
    )


# -- what changed since the last scan ---------------------------------------------------------------------

_CHANGE_TITLES = {
    ("findings", "new"): "New findings",
    ("findings", "resolved"): "Resolved findings",
    ("findings", "newly_waived"): "Findings waived since",
    ("findings", "no_longer_waived"): "Findings whose waiver lapsed",
    ("findings", "not_seen"): "Findings not re-checked (a connection was incomplete)",
    ("systems", "appeared"): "Systems that appeared",
    ("systems", "disappeared"): "Systems that disappeared",
    ("systems", "not_seen"): "Systems not seen this scan (a connection was incomplete)",
    ("flows", "appeared"): "Data flows that appeared",
    ("flows", "disappeared"): "Data flows that disappeared",
    ("flows", "not_seen"): "Data flows not seen this scan (a connection was incomplete)",
    ("grants", "added"): "Access grants added",
    ("grants", "revoked"): "Access grants revoked",
    ("grants", "not_seen"): "Access grants not seen this scan (a connection was incomplete)",
}
_NOT_CHANGES = frozenset({"unchanged"})


def changes_since_last_scan(diff: Any) -> Changes | None:
    """Plain-text groups from a scan diff (an object with ``to_dict()``, or its dict); None when absent."""
    if not diff:
        return None
    document = diff.to_dict() if hasattr(diff, "to_dict") else diff
    if not isinstance(document, Mapping):
        return None
    groups = []
    for kind, changes in document.items():
        if not isinstance(changes, Mapping):
            continue
        for word, items in changes.items():
            if word in _NOT_CHANGES or not isinstance(items, list | tuple) or not items:
                continue
            title = _CHANGE_TITLES.get((kind, word), f"{kind.replace('_', ' ').capitalize()}: {word.replace('_', ' ')}")
            groups.append(ChangeGroup(title, tuple(_change_item(i) for i in items)))
    notes = []
    if document.get("config_changed"):
        notes.append("The configuration (registry, policy or waivers) changed between the two scans.")
    for connection in document.get("incomplete_connections") or ():
        if isinstance(connection, Mapping):
            notes.append(f"{connection.get('name', '?')} was {connection.get('status', 'incomplete')} this time"
                         + (f": {connection['message']}" if connection.get("message") else ""))
    old = document.get("old_scan")
    since = ""
    if isinstance(old, Mapping):
        when = old.get("started_at") or old.get("recorded_at") or ""
        since = f"the scan of {format_date(when)}" if when else ""
    return Changes(since=since, groups=tuple(groups), notes=tuple(notes))


def _change_item(item: Any) -> str:
    if not isinstance(item, Mapping):
        return str(item)
    text = str(item.get("label") or item.get("title") or item.get("id") or "")
    severity = item.get("severity")
    if severity:
        text = f"{text} ({severity})"
    if item.get("reason"):
        text += f": {item['reason']}"
    return text


def format_date(value: datetime | str, *, time: bool = False) -> str:
    """"22 November 2026" (and ", 11:14 UTC" with ``time``), from a datetime or ISO text."""
    if isinstance(value, str):
        try:
            when = datetime.fromisoformat(value)
        except ValueError:
            return value
    else:
        when = value
    text = f"{when.day} {when:%B %Y}"
    if time:
        zone = when.tzname() or ""
        text += f", {when:%H:%M}" + (f" {zone}" if zone else "")
    return text
