"""A system writes a kind of data into its system of record without being approved for that data."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from stackaudit.check import Check, Unknown
from stackaudit.checks._common import owner_of_system
from stackaudit.graph import index
from stackaudit.model import Finding, Severity


def run(graph: Any, config: Any) -> Iterator[Finding | Unknown]:
    idx = index(graph)
    for record in idx.nodes("system"):
        for category in idx.attrs(record).get("system_of_record", ()):
            flows = idx.category_graph(category)
            pred = flows.onward_pred  # a system of record reading another through its own grant is no writer
            for writer in sorted(pred.get(record, {})):
                attrs = idx.attrs(writer)
                keys = pred[record][writer]
                if attrs.get("sanctioned"):
                    if not attrs.get("approvals_declared"):
                        yield Unknown(writer, f"registry entry {attrs.get('registry_id')!r} lists no approved data")
                        continue
                    if category in attrs.get("approved_data", ()):
                        continue
                    why = f"its registry entry approves only {', '.join(attrs['approved_data'])}"
                    severity = Severity.MEDIUM
                elif any(u != record for u in flows.onward_pred.get(writer, {})):
                    continue  # it relays data from elsewhere: dirty-data-path-unsanctioned-intermediary shows the path
                else:
                    why = "it is not in the sanctioned registry"
                    severity = Severity.HIGH
                yield CHECK.finding(
                    message=(f"{idx.label(writer)} writes {category} data into its system of record "
                             f"{idx.label(record)}, but {why}."),
                    subjects=(writer, record, *keys),
                    key=(writer, record, f"category:{category}"),
                    severity=severity,
                    evidence=idx.evidence(*keys),
                    details={"category": category, "flows": len(keys)},
                    owner=owner_of_system(idx, record),
                )


CHECK = Check(
    id="dirty-data-path-unapproved-writer",
    title="Unapproved system writes into a system of record",
    category="dirty-data-path",
    severity=Severity.HIGH,
    rationale=("The registry says which data each system may hold. A system writing a category it is not approved "
               "for into the system of record puts unvetted records (wrong consent, unvalidated fields, "
               "bought lists) where everyone else takes them as the truth. High when the writer is not sanctioned "
               "at all, medium when it is sanctioned for other data."),
    remediation=("Stop the write, or approve the writer for that data in its [[system]] entry after checking "
                 "its source and field mapping."),
    references=(),
    run=run,
    requires=("registry", "system-of-record"),
)
