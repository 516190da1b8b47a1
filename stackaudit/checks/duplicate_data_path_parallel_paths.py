"""The same data reaches the same system along two or more different routes from the same origin."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from stackaudit.check import Check, Unknown
from stackaudit.checks._common import SAMPLE, data_path, names, owner_of_system, route_text
from stackaudit.graph import index
from stackaudit.graph.paths import Divergence, SearchResult, nearest_divergences
from stackaudit.graph.query import CLASSIFICATIONS
from stackaudit.model import Finding, Severity

ROUTES_SHOWN = 2


def run(graph: Any, config: Any) -> Iterator[Finding | Unknown]:
    idx = index(graph)
    policy = config.policy
    by_target: dict[str, dict[tuple[str, ...], list[Divergence]]] = {}  # target -> categories -> divergences
    adjacency = {}
    for group in idx.category_groups(exclude=CLASSIFICATIONS):
        flows = idx.category_graph(group[0])
        adjacency[group] = flows.succ
        for target in sorted(n for n, p in flows.pred.items() if len(p) >= 2):
            search = SearchResult()
            found = nearest_divergences(flows.pred, target, max_len=policy.max_path_length,
                                        budget=policy.path_search_budget, onward_pred=flows.onward_pred,
                                        result=search)
            if found:
                by_target.setdefault(target, {})[group] = found
            if search.truncated:
                yield Unknown(target, f"{', '.join(group)}: the route search stopped after "
                              f"{policy.path_search_budget} steps (policy.path_search_budget); further routes were "
                              "not searched")
    for target, per_group in sorted(by_target.items()):
        categories = sorted(c for group in per_group for c in group)
        origins = sorted({d.origin for found in per_group.values() for d in found})
        first_group = next(iter(per_group))
        shown = per_group[first_group][:ROUTES_SHOWN]
        paths = [data_path(adjacency[first_group], route) for d in shown for route in (d.first, d.second)]
        example = shown[0]
        yield CHECK.finding(
            message=(f"{idx.label(target)} receives {', '.join(categories)} data along more than one route from "
                     f"the same origin ({names(idx, origins)}), e.g. {route_text(idx, example.first)} and "
                     f"{route_text(idx, example.second)}."),
            subjects=(target, *origins[:SAMPLE]),
            key=(target,),
            paths=paths,
            evidence=idx.evidence(*(f for p in paths for f in p.flows)),
            details={"categories": ", ".join(categories), "origins": len(origins),
                     "routes": sum(len(f) for f in per_group.values())},
            owner=owner_of_system(idx, target),
        )


CHECK = Check(
    id="duplicate-data-path-parallel-paths",
    title="Same data reaches a system by several routes",
    category="duplicate-data-path",
    severity=Severity.MEDIUM,
    rationale=("When the same records reach a system twice (a native sync and a Zapier zap, a package and a "
               "webhook), they arrive as duplicates or overwrite each other in an order nobody chose, and "
               "consent or deletions applied on one route are missed on the other. The search follows at most "
               "policy.max_path_length hops and reports, for each receiving system, the origins where two routes "
               "split; parallel flows between the same two systems count as one route. Routes follow data categories "
               "(contact, behavioral…), not the pii classification alone, and are not followed onwards from an "
               "app that only holds an OAuth grant: a grant shows access, not a feed."),
    remediation=("Keep one route per data set: pick the sanctioned integration, switch off the other "
                 "(the zap, the webhook, the extra destination), and de-duplicate what already arrived twice."),
    references=(),
    run=run,
)
