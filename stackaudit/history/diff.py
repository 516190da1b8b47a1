"""What changed between two scans: findings new / resolved / unchanged / newly waived, systems and flows
that appeared or disappeared, grants added or revoked, and what could not be checked this time.

Fail-safe: something the older scan had and the newer one lacks only counts as resolved / disappeared /
revoked when the newer scan read its connections at least as completely (see
:func:`stackaudit.history.snapshot.unseen_reason`); otherwise it is listed as *not seen this scan*.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from stackaudit.history.snapshot import KINDS, ConnectionState, Item, Snapshot, unseen_reason
from stackaudit.history.store import HistoryStore, ScanInfo
from stackaudit.model import CoverageStatus, Severity

#: How each kind names its changes, in reports and in ``stackaudit diff --json``.
WORDS: dict[str, dict[str, str]] = {
    "finding": {"added": "new", "removed": "resolved"},
    "system": {"added": "appeared", "removed": "disappeared"},
    "flow": {"added": "appeared", "removed": "disappeared"},
    "grant": {"added": "added", "removed": "revoked"},
}
PLURAL = {"finding": "findings", "system": "systems", "flow": "flows", "grant": "grants"}
NOT_SEEN = "not seen this scan (connection incomplete)"


@dataclasses.dataclass(frozen=True)
class Changes:
    """The changes of one kind. ``not_seen`` items keep the reason and when they were last seen."""

    kind: str
    added: tuple[Item, ...] = ()
    removed: tuple[Item, ...] = ()
    unchanged: tuple[Item, ...] = ()  # in both scans (for findings: with the same waiver state)
    not_seen: tuple[Item, ...] = ()
    newly_waived: tuple[Item, ...] = ()  # findings only
    no_longer_waived: tuple[Item, ...] = ()  # findings only: the waiver lapsed or was removed

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed or self.not_seen or self.newly_waived or self.no_longer_waived)

    def to_dict(self) -> dict[str, Any]:
        words = WORDS[self.kind]
        out: dict[str, Any] = {
            words["added"]: [i.to_dict() for i in self.added],
            words["removed"]: [i.to_dict() for i in self.removed],
            "not_seen": [i.to_dict() for i in self.not_seen],
        }
        if self.kind == "finding":
            out["newly_waived"] = [i.to_dict() for i in self.newly_waived]
            out["no_longer_waived"] = [i.to_dict() for i in self.no_longer_waived]
            out["unchanged"] = [i.to_dict() for i in self.unchanged]
        else:
            out["unchanged"] = len(self.unchanged)
        return out


@dataclasses.dataclass(frozen=True)
class ScanDiff:
    """Two scans compared. ``new_scan`` is None when the newer scan is not recorded (yet)."""

    old_scan: ScanInfo
    new_scan: ScanInfo | None
    findings: Changes
    systems: Changes
    flows: Changes
    grants: Changes
    incomplete: tuple[ConnectionState, ...] = ()  # the newer scan's connections that were not fully read
    config_changed: bool = False

    def of(self, kind: str) -> Changes:
        return {"finding": self.findings, "system": self.systems, "flow": self.flows, "grant": self.grants}[kind]

    def new_findings(self, at_least: Severity = Severity.INFO, *, unwaived: bool = True) -> list[Item]:
        """New findings at or above a severity (unwaived only, by default): what ``--fail-on-new`` counts."""
        return [i for i in self.findings.added
                if Severity.parse(str(i.attrs.get("severity", "info"))) >= at_least
                and not (unwaived and i.attrs.get("waived"))]

    def to_dict(self) -> dict[str, Any]:
        return {
            "old_scan": self.old_scan.to_dict(),
            "new_scan": self.new_scan.to_dict() if self.new_scan else None,
            "config_changed": self.config_changed,
            "incomplete_connections": [
                {"name": c.name, "connector": c.connector, "status": c.status.value, "message": c.message,
                 "gaps": sorted(c.gaps)} for c in self.incomplete],
            **{PLURAL[kind]: self.of(kind).to_dict() for kind in KINDS},
        }


def diff_scans(old: Snapshot, new: Snapshot, *, old_scan: ScanInfo, new_scan: ScanInfo | None = None) -> ScanDiff:
    """Compare two snapshots (the older first). See the module docstring for the fail-safe."""
    changes = {kind: _changes(kind, old, new) for kind in KINDS}
    incomplete = tuple(c for c in new.connections.values() if c.status is not CoverageStatus.COMPLETE)
    return ScanDiff(
        old_scan=old_scan,
        new_scan=new_scan,
        findings=changes["finding"],
        systems=changes["system"],
        flows=changes["flow"],
        grants=changes["grant"],
        incomplete=incomplete,
        config_changed=bool(new_scan and old_scan.config_digest and new_scan.config_digest
                            and old_scan.config_digest != new_scan.config_digest),
    )


def _changes(kind: str, old: Snapshot, new: Snapshot) -> Changes:
    before, after = old.of(kind), new.of(kind)
    added = [i for key, i in after.items() if not i.carried and key not in before]
    unchanged = [i for key, i in after.items() if not i.carried and key in before]
    not_seen = [i for i in after.values() if i.carried]
    removed = []
    for key in before.keys() - after.keys():
        item = before[key]
        reason = unseen_reason(item, old, new)
        if reason:
            not_seen.append(dataclasses.replace(
                item, carried=True, reason=reason,
                last_seen_scan=item.last_seen_scan if item.carried else old.scan_id,
                last_seen_at=item.last_seen_at if item.carried else old.recorded_at))
        else:
            removed.append(item)
    waived = [i for i in unchanged if i.attrs.get("waived") and not before[i.id].attrs.get("waived")]
    unwaived = [i for i in unchanged if not i.attrs.get("waived") and before[i.id].attrs.get("waived")]
    if waived or unwaived:  # the lists partition what both scans have
        moved = {i.id for i in (*waived, *unwaived)}
        unchanged = [i for i in unchanged if i.id not in moved]
    return Changes(kind, *(tuple(sorted(items, key=_order)) for items in (added, removed, unchanged, not_seen,
                                                                         waived, unwaived)))


def _order(item: Item) -> tuple[int, str]:
    severity = item.attrs.get("severity")
    return (-int(Severity.parse(str(severity))) if severity else 0, item.id)


def compare(store: HistoryStore, old_id: int, new_id: int) -> ScanDiff:
    """Diff two recorded scans by id."""
    return diff_scans(store.snapshot(old_id), store.snapshot(new_id), old_scan=store.scan(old_id),
                      new_scan=store.scan(new_id))


def since_last_review(store: HistoryStore, scan_id: int | None = None, *, config: str | None = None
                      ) -> ScanDiff | None:
    """The "since last review" section: scan ``scan_id`` (default: the latest, of ``config`` when given)
    compared with the scan of the same config recorded before it. None when there is no earlier scan."""
    if scan_id is None:
        latest = store.latest(config=config)
        if latest is None:
            return None
        scan_id = latest.id
    previous = store.previous(scan_id)
    if previous is None:
        return None
    return compare(store, previous.id, scan_id)
