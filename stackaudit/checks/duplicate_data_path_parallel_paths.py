"""The same data reaches the same system along two or more different routes from the same origin."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from stackaudit.check import Check, Unknown
from stackaudit.checks._common import SAMPLE, data_path, names, owner_of_system, route_text
from stackaudit.graph import index
from stackaudit.graph.paths import Divergence, SearchResult, nearest_divergences
from stackaudit.model import DataCategory, Finding, Severity

ROUTES_SHOWN = 2


def run(graph: Any, config: Any) -> Iterator[Finding | Unknown]:
    idx = index(graph)
    policy = config.policy
    by_target: dict[str, dict[str, list[Divergence]]] = {}  # target -> category -> divergences
    adjacency = {}
    for category in idx.categories():
        if category == DataCategory.UNKNOWN.value:
            continue
        succ, pred = idx.category_graph(category)
        adjacency[category] = succ
        search = SearchResult()
        for target in sorted(n for n, p in pred.items() if len(p) >= 2):
            found = nearest_divergences(pred, target, max_len=policy.max_path_length,
                                        budget=policy.path_search_budget - search.steps, result=search)
            if found:
                by_target.setdefault(target, {})[category] = found
            if search.truncated:
                yield Unknown(f"category:{category}", f"stopped after {search.steps} steps "
                              "(policy.path_search_budget); routes into further systems were not searched")
                break
    for target, per_category in sorted(by_target.items()):
        categories = sorted(per_category)
        origins = sorted({d.origin for found in per_category.values() for d in found})
        first_category = categories[0]
        shown = per_category[first_category][:ROUTES_SHOWN]
        paths = [data_path(adjacency[first_category], route) for d in shown for route in (d.first, d.second)]
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
                     "routes": sum(len(f) for f in per_category.values())},
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
               "split; parallel flows between the same two systems count as one route."),
    remediation=("Keep one route per data set: pick the sanctioned integration, switch off the other "
                 "(the zap, the webhook, the extra destination), and de-duplicate what already arrived twice."),
    references=(),
    run=run,
)
