"""Data of one kind travels in a circle between systems (a sync loop)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from stackaudit.check import Check, Unknown
from stackaudit.checks._common import data_path, route_text
from stackaudit.graph import index
from stackaudit.graph.paths import SearchResult, bounded_cycles
from stackaudit.graph.query import CLASSIFICATIONS, VENDOR_SYNC_KINDS
from stackaudit.model import Finding, Severity

MAX_LOOPS_PER_COMPONENT = 100


def run(graph: Any, config: Any) -> Iterator[Finding | Unknown]:
    idx = index(graph)
    policy = config.policy
    loops: dict[tuple[str, ...], list[str]] = {}  # cycle -> categories
    adjacency: dict[tuple[str, ...], dict[str, dict[str, list[str]]]] = {}
    for group in idx.category_groups(exclude=CLASSIFICATIONS):
        flows = idx.category_graph(group[0])
        succ = flows.succ
        search = SearchResult()
        for cycle in bounded_cycles(succ, max_len=policy.max_path_length, budget=policy.path_search_budget,
                                    limit=MAX_LOOPS_PER_COMPONENT, onward_succ=flows.onward_succ, result=search):
            if len(cycle) == 2:
                a, b = cycle
                if idx.flow_kinds(succ[a][b] + succ[b][a]) <= VENDOR_SYNC_KINDS:
                    continue  # a vendor's own two-way sync, seen from both ends
            loops.setdefault(cycle, []).extend(group)
            adjacency.setdefault(cycle, succ)
        if search.truncated:
            yield Unknown(f"category:{group[0]}", f"the loop search among strongly connected systems stopped at "
                          f"policy.path_search_budget steps or {MAX_LOOPS_PER_COMPONENT} loops; further loops "
                          "were not searched")
    for cycle, categories in sorted(loops.items()):
        closed = (*cycle, cycle[0])
        path = data_path(adjacency[cycle], closed)
        yield CHECK.finding(
            message=(f"{', '.join(categories)} data goes round in a loop: {route_text(idx, closed)}. A change "
                     "can travel the loop again and again, or undo itself."),
            subjects=cycle,
            key=("loop", *cycle),
            paths=(path,),
            evidence=idx.evidence(*path.flows),
            details={"categories": ", ".join(categories), "length": len(cycle)},
        )


CHECK = Check(
    id="duplicate-data-path-sync-loop",
    title="Sync loop: data goes round in a circle",
    category="duplicate-data-path",
    severity=Severity.MEDIUM,
    rationale=("When data of one category flows A → B → … → A, an update can echo round the loop, re-creating "
               "deleted records, undoing unsubscribes, and burning API quotas. Loops of up to "
               "policy.max_path_length systems are searched. A vendor's own two-way sync between two systems "
               "(a native sync or its OAuth app, seen from both ends) is by design and not reported; any loop "
               "through three or more systems, or through a webhook or zap, is."),
    remediation=("Break the loop: make one hop one-way, or filter records that came from the loop's own "
                 "systems (e.g. by source field) before they are sent on."),
    references=(),
    run=run,
)
