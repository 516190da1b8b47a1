"""What one scan saw, reduced to what a diff compares: findings, systems, flows and grants by stable id,
each tied to the connections whose evidence it rests on, plus how complete each connection and check was.

The fail-safe lives here. An item missing from a newer scan is only *gone* when every connection it came
from was read at least as completely as before (:func:`unseen_reason`); otherwise it is *not seen this scan*
and, when the newer scan is recorded, carried forward (:func:`carry_forward`) with the time it was last
seen, so a flaky or half-read connection never makes systems, flows or findings disappear or resolve.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from stackaudit.model import (
    ConnectionResult,
    CoverageStatus,
    Credential,
    Flow,
    Integration,
    Inventory,
    Record,
    Severity,
    System,
    to_jsonable,
)

Redact = Callable[[str], str]

#: The kinds a diff compares, in the order reports show them.
KINDS = ("finding", "system", "flow", "grant")

#: The gap area a connector records when its collection stopped midway: nothing about that connection is final.
ABORTED_AREA = "connection"

#: Check statuses under which a check said nothing about the subjects it would have judged.
CHECK_NOT_RUN = frozenset({"not_evaluated", "failed", "skipped"})
CHECK_PARTIAL = "partial"


@dataclasses.dataclass(frozen=True)
class Item:
    """One thing a scan saw (or, when ``carried``, an earlier scan saw and this one could not check)."""

    kind: str  # finding | system | flow | grant
    id: str
    label: str
    connections: tuple[str, ...] = ()  # the connections whose evidence it rests on; () when unknown
    attrs: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    carried: bool = False
    reason: str = ""  # why it was not seen (for carried items)
    last_seen_scan: int | None = None
    last_seen_at: str = ""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "label": self.label, "connections": list(self.connections),
                               **self.attrs}
        if self.carried or self.reason:
            out.update(reason=self.reason, last_seen_scan=self.last_seen_scan, last_seen_at=self.last_seen_at)
        return out


@dataclasses.dataclass(frozen=True)
class ConnectionState:
    """How completely a scan read one connection: its status and the areas it could not read."""

    name: str
    connector: str
    status: CoverageStatus
    gaps: frozenset[str] = frozenset()
    message: str = ""

    def describe(self) -> str:
        details = [self.message] if self.message else []
        if self.gaps - {ABORTED_AREA}:
            details.append(f"could not read {', '.join(sorted(self.gaps - {ABORTED_AREA}))}")
        return f"{self.name}: {self.status.value}" + (f" ({'; '.join(details)})" if details else "")


@dataclasses.dataclass(frozen=True)
class CheckState:
    """How far a check got in a scan. ``unknown`` lists the subjects it could not decide."""

    check_id: str
    status: str  # evaluated | partial | not_evaluated | failed | skipped
    unknown: frozenset[str] = frozenset()
    unknown_complete: bool = True  # False when only a sample of the undecided subjects was kept


@dataclasses.dataclass
class Snapshot:
    """The comparable content of one scan. ``scan_id`` is None for a scan not recorded (yet)."""

    connections: dict[str, ConnectionState]
    items: dict[tuple[str, str], Item]
    checks: dict[str, CheckState] = dataclasses.field(default_factory=dict)
    scan_id: int | None = None
    recorded_at: str = ""

    def of(self, kind: str) -> dict[str, Item]:
        return {item_id: item for (k, item_id), item in self.items.items() if k == kind}

    @property
    def complete(self) -> bool:
        return all(c.status is CoverageStatus.COMPLETE for c in self.connections.values())

    @classmethod
    def from_scan(cls, inventory: Inventory, findings: Iterable[Any], *, scope: Iterable[str] = (),
                  checks: Iterable[Any] = (), redactor: Redact | None = None) -> Snapshot:
        """Reduce a scan to a snapshot.

        :param findings: :class:`~stackaudit.model.Finding` objects, or their stored form (:func:`finding_data`).
        :param scope: every connection the scan was meant to cover (the config's enabled connections); one
            the scan did not attempt (``--connection``) counts as skipped, so nothing of it is judged gone.
        :param checks: per-check coverage (objects with ``check_id``, ``status`` and optionally ``unknown``
            and ``unknown_count``), so findings of a check that did not run are not taken as resolved.
        :param redactor: applied to every text kept, so no secret reaches the history (a
            :class:`~stackaudit.redaction.Redactor`, or any function of a string).
        """
        clean = _cleaner(memoized(redactor) if redactor else None)
        connections = connection_states(inventory.connections, inventory.gaps, scope)
        names = set(connections)
        index = _record_connections(inventory.records, names)
        items: dict[tuple[str, str], Item] = {}
        for record in inventory.records:
            item = _record_item(record, index)
            if item is not None:
                _merge(items, clean(item))
        for finding in findings:
            _merge(items, clean(_finding_item(finding_data(finding), index, names)))
        return cls(connections=connections, items=items, checks=check_states(checks))


def connection_states(results: Iterable[ConnectionResult], gaps: Iterable[Any], scope: Iterable[str] = (),
                      ) -> dict[str, ConnectionState]:
    areas: dict[str, set[str]] = {}
    for gap in gaps:
        areas.setdefault(gap.connection, set()).add(gap.area)
    states = {r.name: ConnectionState(r.name, r.connector, r.status, frozenset(areas.get(r.name, ())), r.message)
              for r in results}
    for name in scope:
        if name not in states:
            states[name] = ConnectionState(name, "", CoverageStatus.SKIPPED, message="not selected for this scan")
    return dict(sorted(states.items()))


def check_states(checks: Iterable[Any]) -> dict[str, CheckState]:
    out: dict[str, CheckState] = {}
    for check in checks:
        status = _field(check, "status", "evaluated")
        unknown = tuple(_field(check, "unknown", ()) or ())
        count = _field(check, "unknown_count", None)
        out[str(_field(check, "check_id", ""))] = CheckState(
            check_id=str(_field(check, "check_id", "")),
            status=str(getattr(status, "value", status)),
            unknown=frozenset(unknown),
            unknown_complete=count is None or int(count) <= len(unknown),
        )
    return out


def _field(obj: Any, name: str, default: Any) -> Any:
    return obj.get(name, default) if isinstance(obj, Mapping) else getattr(obj, name, default)


def finding_data(finding: Any) -> dict[str, Any]:
    """A finding as the history stores it: its JSON fields plus its stable ``id``."""
    if isinstance(finding, Mapping):
        return dict(finding)
    return {"id": finding.id, **to_jsonable(finding)}


# -- the fail-safe ----------------------------------------------------------------------------------


def unseen_reason(item: Item, old: Snapshot, new: Snapshot) -> str:
    """Why ``new`` cannot tell whether ``item`` (in ``old``, missing from ``new``) is really gone; "" if it can.

    A connection counts as read if the newer scan completed it, or read it partly but with no area
    missing that the older scan had read (and did not stop midway). Items seen only through an earlier
    scan (carried) need the connection complete. An item tied to no connection needs every connection
    complete. A finding also needs its check to have run and decided its subjects.
    """
    connections = item.connections or tuple(sorted(set(old.connections) | set(new.connections)))
    for name in connections:
        state = new.connections.get(name)
        if state is None:
            return f"{name}: not in this scan"
        if state.status is CoverageStatus.COMPLETE:
            continue
        before = old.connections.get(name)
        if (state.status is CoverageStatus.PARTIAL and not item.carried and ABORTED_AREA not in state.gaps
                and before is not None and before.status in (CoverageStatus.COMPLETE, CoverageStatus.PARTIAL)
                and state.gaps <= before.gaps):
            continue
        return state.describe()
    if item.kind == "finding":
        check = new.checks.get(str(item.attrs.get("check_id", "")))
        if check is not None and check.status in CHECK_NOT_RUN:
            return f"check {check.check_id}: {check.status.replace('_', ' ')}"
        if check is not None and check.status == CHECK_PARTIAL:
            subjects = set(item.attrs.get("subjects", ()))
            if not check.unknown_complete or subjects & check.unknown:
                return f"check {check.check_id}: could not decide every subject"
    return ""


def carry_forward(previous: Snapshot, current: Snapshot) -> Snapshot:
    """``current`` plus what ``previous`` had that ``current`` could not check (see :func:`unseen_reason`).

    Items of a connection that is no longer configured at all are not carried: nobody looks at it any more.
    """
    items = dict(current.items)
    for key, item in previous.items.items():
        if key in items:
            continue
        reason = unseen_reason(item, previous, current)
        if not reason:
            continue
        if item.connections and not all(c in current.connections for c in item.connections):
            continue
        items[key] = dataclasses.replace(
            item,
            carried=True,
            reason=reason,
            last_seen_scan=item.last_seen_scan if item.carried else previous.scan_id,
            last_seen_at=item.last_seen_at if item.carried else previous.recorded_at,
        )
    return dataclasses.replace(current, items=items)


# -- records and findings to items ------------------------------------------------------------------


def _record_connections(records: Iterable[Record], names: set[str]) -> dict[str, set[str]]:
    """Record id -> the connections whose evidence mentions it (several for an outside service)."""
    index: dict[str, set[str]] = {}
    for record in records:
        found = index.setdefault(record.id, set())
        found.update(e.connection for e in record.evidence if e.connection)
        prefix = record.id.split(":", 1)[0]
        if prefix in names:
            found.add(prefix)
    return index


def _record_item(record: Record, index: Mapping[str, set[str]]) -> Item | None:
    connections = tuple(sorted(index.get(record.id, ())))
    if isinstance(record, System):
        return Item("system", record.id, record.name or record.id, connections, {
            "vendor": record.vendor, "system_kind": record.system_kind.value, "category": record.category,
            "domain": record.domain})
    if isinstance(record, Flow):
        return Item("flow", record.id, record.name or f"{record.source} -> {record.target}", connections, {
            "source": record.source, "target": record.target, "flow_kind": record.flow_kind,
            "scheme": record.scheme, "active": record.active})
    if isinstance(record, Integration):
        return Item("grant", record.id, record.name or record.id, connections, {
            "record": record.kind, "grant_kind": record.integration_kind, "system": record.system,
            "publisher": record.publisher, "scopes": list(record.scopes), "enabled": record.enabled})
    if isinstance(record, Credential):
        return Item("grant", record.id, record.name or record.id, connections, {
            "record": record.kind, "grant_kind": record.credential_kind, "system": record.system,
            "integration": record.integration, "scopes": list(record.scopes)})
    return None


def _finding_item(data: Mapping[str, Any], index: Mapping[str, set[str]], names: set[str]) -> Item:
    subjects = [str(s) for s in (data.get("subjects") or data.get("resources") or ())]
    connections: set[str] = set()
    evidence = data.get("evidence")
    if isinstance(evidence, list):
        connections.update(str(e["connection"]) for e in evidence if isinstance(e, Mapping) and e.get("connection"))
    for subject in subjects:
        for part in subject.split("->"):  # "source->target" names an edge by its ends
            connections.update(index.get(part, ()))
            prefix = part.split(":", 1)[0]
            if prefix in names:
                connections.add(prefix)
    raw = data.get("severity", "info")
    severity = Severity(raw) if isinstance(raw, int) else Severity.parse(str(raw))
    return Item("finding", str(data["id"]), str(data.get("title") or data["id"]), tuple(sorted(connections)), {
        "check_id": str(data.get("check_id", "")),
        "category": str(data.get("category", "")),
        "severity": str(severity),
        "waived": bool(data.get("waived", False)),
        "waiver": str(data.get("waiver") or data.get("waiver_reason") or ""),
        "message": str(data.get("message", "")),
        "subjects": subjects,
    })


def _merge(items: dict[tuple[str, str], Item], item: Item) -> None:
    """The same id seen through several connections (an outside service) is one item tied to all of them."""
    key = (item.kind, item.id)
    existing = items.get(key)
    if existing is None:
        items[key] = item
    elif not set(item.connections) <= set(existing.connections):
        items[key] = dataclasses.replace(
            existing, connections=tuple(sorted(set(existing.connections) | set(item.connections))))


def _cleaner(redact: Redact | None) -> Callable[[Item], Item]:
    def clean(item: Item) -> Item:
        if redact is None:
            return item
        return dataclasses.replace(
            item,
            id=redact(item.id),
            label=redact(item.label),
            connections=tuple(redact(c) for c in item.connections),
            attrs=redact_tree(item.attrs, redact),
        )
    return clean


def memoized(redact: Redact) -> Redact:
    """``redact`` with a cache: a scan repeats the same strings (connection names, sources, kinds) many times.

    Make a new one per scan written: the redactor learns new secrets as credentials are read.
    """
    cache: dict[str, str] = {}

    def cached(text: str) -> str:
        found = cache.get(text)
        if found is None:
            found = cache[text] = redact(text)
        return found

    return cached


def redact_tree(value: Any, redact: Redact) -> Any:
    """Every string in a JSON value (keys too) through ``redact``; the structure is kept."""
    kind = type(value)
    if kind is str:
        return redact(value)
    if kind is dict or isinstance(value, Mapping):
        return {redact(str(k)): redact_tree(v, redact) for k, v in value.items()}
    if kind is list or kind is tuple:
        return [redact_tree(v, redact) for v in value]
    if isinstance(value, str):  # a str subclass (an enum value)
        return redact(value)
    return value


def utc_text(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")
