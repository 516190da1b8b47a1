"""Several systems write the same kind of data into its system of record."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from stackaudit.check import Check
from stackaudit.checks._common import names, owner_of_system
from stackaudit.graph import index
from stackaudit.graph.query import VENDOR_SYNC_KINDS, StackIndex
from stackaudit.model import Finding, Severity


def two_way_sync(idx: StackIndex, succ: dict[str, dict[str, list[str]]], writer: str, record: str) -> bool:
    """The writer and the system of record run a vendor's own two-way sync (and nothing else) between them."""
    there = succ.get(writer, {}).get(record, [])
    back = succ.get(record, {}).get(writer, [])
    return bool(there and back) and idx.flow_kinds(there + back) <= VENDOR_SYNC_KINDS


def run(graph: Any, config: Any) -> Iterator[Finding]:
    idx = index(graph)
    for node in idx.nodes("system"):
        for category in idx.attrs(node).get("system_of_record", ()):
            flows = idx.category_graph(category)
            succ, pred = flows.succ, flows.onward_pred  # reading another system through a grant is no write
            writers = sorted(w for w in pred.get(node, {}) if w != node)
            independent = [w for w in writers if not two_way_sync(idx, succ, w, node)]
            if len(writers) < 2 or not independent:
                continue
            keys = [k for w in writers for k in pred[node][w]]
            yield CHECK.finding(
                message=(f"{len(writers)} systems write {category} data into its system of record "
                         f"{idx.label(node)}: {names(idx, writers, limit=6)}; "
                         f"{names(idx, independent)} {'does' if len(independent) == 1 else 'do'} so outside "
                         "a two-way sync."),
                subjects=(node, *writers),
                key=(node, f"category:{category}"),
                evidence=idx.evidence(*keys),
                details={"category": category, "writers": len(writers), "independent_writers": len(independent)},
                owner=owner_of_system(idx, node),
            )


CHECK = Check(
    id="duplicate-data-path-multiple-writers",
    title="Several systems write the same data into its system of record",
    category="duplicate-data-path",
    severity=Severity.MEDIUM,
    rationale=("A system of record stays right only if every change reaches it through a path someone designed. "
               "A vendor's two-way sync with it (e.g. a marketing platform's native CRM sync) has its own conflict "
               "rules; a further system writing the same data (a zap, a script, a second tool) races it, creating "
               "duplicates and overwriting fields. Reported when at least two systems write a category into the "
               "system of record and one of them is not in a two-way vendor sync with it."),
    remediation=("Route the extra writer's changes through the designed integration (or make it read-only), and "
                 "document which system may write which fields."),
    references=(),
    run=run,
    requires=("system-of-record",),
)
