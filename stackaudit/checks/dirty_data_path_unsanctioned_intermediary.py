"""Data on its way into a system of record passes through an unsanctioned or unowned system."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from stackaudit.check import Check, Unknown
from stackaudit.checks._common import data_path, owner_of_system, route_text
from stackaudit.graph import index
from stackaudit.graph.paths import SearchResult, reverse_distances, route_to
from stackaudit.model import DataPath, Finding, Severity


def run(graph: Any, config: Any) -> Iterator[Finding | Unknown]:
    idx = index(graph)
    policy = config.policy
    hits: dict[tuple[str, str], tuple[list[str], DataPath, str]] = {}  # (intermediary, record) -> ...
    for record in idx.nodes("system"):
        for category in idx.attrs(record).get("system_of_record", ()):
            flows = idx.category_graph(category)
            search = SearchResult()
            seen = reverse_distances(flows.pred, record, max_len=policy.max_path_length,
                                     budget=policy.path_search_budget, onward_pred=flows.onward_pred, result=search)
            if search.truncated:
                yield Unknown(record, f"{category}: the path search stopped after {policy.path_search_budget} "
                              "steps (policy.path_search_budget)")
            for node in sorted(seen):
                attrs = idx.attrs(node)
                problem = "not sanctioned" if not attrs.get("sanctioned") else \
                    "sanctioned without an owner" if not attrs.get("owner") else ""
                if not problem:
                    continue
                chain = route_to(seen, node, record)
                feeder = next((u for u in sorted(flows.onward_pred.get(node, {})) if u not in chain), None)
                if feeder is None:
                    continue  # data starts here: an unsanctioned writer, not a hop on someone else's path
                key = (node, record)
                if key in hits:
                    hits[key][0].append(category)
                else:
                    hits[key] = ([category], data_path(flows.succ, (feeder, *chain)), problem)
    for (node, record), (categories, path, problem) in sorted(hits.items()):
        yield CHECK.finding(
            message=(f"{', '.join(categories)} data reaches the system of record {idx.label(record)} through "
                     f"{idx.label(node)}, which is {problem}: {route_text(idx, path.nodes)}."),
            subjects=(node, record),
            key=(node, record),
            paths=(path,),
            evidence=idx.evidence(*path.flows),
            details={"categories": ", ".join(categories), "intermediary": problem},
            owner=owner_of_system(idx, record),
        )


CHECK = Check(
    id="dirty-data-path-unsanctioned-intermediary",
    title="Data reaches a system of record through an unsanctioned or unowned hop",
    category="dirty-data-path",
    severity=Severity.HIGH,
    rationale=("What a system of record holds is only as trustworthy as every hop on the way in. A hop IT has not "
               "approved, or that nobody owns, can change, drop or leak records and nobody will notice or fix it. "
               "Paths of up to policy.max_path_length hops into each declared system of record are followed."),
    remediation=("Replace the hop with a sanctioned integration, or sanction it and give it an owner who "
                 "answers for its mappings and failures."),
    references=(),
    run=run,
    requires=("registry", "system-of-record"),
)
