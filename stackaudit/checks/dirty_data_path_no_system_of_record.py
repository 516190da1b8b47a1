"""A kind of data moves between several systems, and no system is declared its system of record."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from stackaudit.check import Check
from stackaudit.checks._common import SAMPLE, names
from stackaudit.graph import index
from stackaudit.graph.query import CLASSIFICATIONS
from stackaudit.model import Finding, Severity

MIN_SYSTEMS = 3


def run(graph: Any, config: Any) -> Iterator[Finding]:
    idx = index(graph)
    declared = {c.value for entry in config.systems for c in entry.system_of_record}
    for category in idx.categories():
        if category in CLASSIFICATIONS or category in declared:
            continue
        succ = idx.category_graph(category).succ
        systems = sorted({n for u, targets in succ.items() for n in (u, *targets)})
        if len(systems) < MIN_SYSTEMS:
            continue
        flows = sum(len(keys) for targets in succ.values() for keys in targets.values())
        yield CHECK.finding(
            message=(f"{category} data moves between {len(systems)} systems ({names(idx, systems, limit=5)}) in "
                     f"{flows} flows, and no [[system]] in the registry is declared its system of record."),
            subjects=tuple(systems[:SAMPLE]),
            key=(f"category:{category}",),
            details={"category": category, "systems": len(systems), "flows": flows},
        )


CHECK = Check(
    id="dirty-data-path-no-system-of-record",
    title="Data exchanged by several systems has no system of record",
    category="dirty-data-path",
    severity=Severity.MEDIUM,
    rationale=("When data moves between three or more systems and none is declared the master, conflicting "
               "copies have no tie-breaker and nobody can say which one is right. Categories that describe "
               "sensitivity rather than content (pii, credentials, unknown) need none of their own."),
    remediation=("Declare the system of record for the category: system_of_record = [\"<category>\"] in its "
                 "[[system]] entry, and make the other systems read from it."),
    references=(),
    run=run,
    requires=("registry",),
)
