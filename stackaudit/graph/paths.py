"""Bounded path searches over one data category's flows, for the path checks.

No search here enumerates all paths: each follows at most ``max_len`` hops and stops after ``budget`` steps
(one search = one system and one data category, so the total work grows with the graph, not with the number of
paths in it), and says when it stopped early (``truncated``), so a check can report partial coverage instead
of a pass.
Adjacency is :meth:`stackaudit.graph.StackIndex.category_graph`'s: node -> neighbour -> flow ids.
"""

from __future__ import annotations

import dataclasses
from collections import deque
from collections.abc import Iterator

import networkx as nx

Adjacency = dict[str, dict[str, list[str]]]


@dataclasses.dataclass(frozen=True)
class Divergence:
    """Two routes from ``origin`` to the same target that leave ``origin`` by different first hops."""

    origin: str
    first: tuple[str, ...]  # nodes, origin first, target last
    second: tuple[str, ...]


@dataclasses.dataclass
class SearchResult:
    steps: int = 0
    truncated: bool = False


def nearest_divergences(pred: Adjacency, target: str, *, max_len: int, budget: int,
                        onward_pred: Adjacency | None = None, result: SearchResult | None = None) -> list[Divergence]:
    """Origins with two routes into ``target`` that differ in the node data enters ``target`` from.

    A reverse breadth-first search from ``target``, one label per predecessor of ``target`` ("branch");
    each node keeps its two nearest branches and the next hop towards each. A node whose two branches
    leave by different next hops is where the routes split: the closest common origin of that pair.
    Routes follow strictly decreasing distance, so they are simple paths of at most ``max_len`` hops.
    The last hop into ``target`` may be any hop of ``pred``; hops before it come from ``onward_pred``.
    """
    result = result if result is not None else SearchResult()
    onward = pred if onward_pred is None else onward_pred
    entries: dict[str, dict[str, tuple[int, str]]] = {}  # node -> branch -> (distance, next hop)
    queue: deque[tuple[str, str]] = deque()
    for branch in pred.get(target, {}):
        if branch != target:
            entries[branch] = {branch: (1, target)}
            queue.append((branch, branch))
    while queue:
        node, branch = queue.popleft()
        distance = entries[node][branch][0]
        if distance >= max_len:
            continue
        for upstream in onward.get(node, {}):
            result.steps += 1
            if result.steps > budget:
                result.truncated = True
                queue.clear()
                break
            if upstream == target:
                continue
            known = entries.setdefault(upstream, {})
            if branch in known or len(known) >= 2:
                continue
            known[branch] = (distance + 1, node)
            queue.append((upstream, branch))

    def route(origin: str, branch: str) -> tuple[str, ...]:
        nodes = [origin]
        while nodes[-1] != target:
            nodes.append(entries[nodes[-1]][branch][1])
        return tuple(nodes)

    out = []
    for origin, known in entries.items():
        if len(known) == 2:
            (b1, (_d1, n1)), (b2, (_d2, n2)) = sorted(known.items(), key=lambda item: (item[1][0], item[0]))
            if n1 != n2:
                out.append(Divergence(origin, route(origin, b1), route(origin, b2)))
    out.sort(key=lambda d: (len(d.first) + len(d.second), d.origin))
    return out


def reverse_distances(pred: Adjacency, target: str, *, max_len: int, budget: int,
                      onward_pred: Adjacency | None = None, result: SearchResult | None = None
                      ) -> dict[str, tuple[int, str]]:
    """Every node that reaches ``target`` within ``max_len`` hops: node -> (distance, next hop).

    The last hop into ``target`` may be any hop of ``pred``; hops before it come from ``onward_pred``.
    """
    result = result if result is not None else SearchResult()
    onward = pred if onward_pred is None else onward_pred
    seen: dict[str, tuple[int, str]] = {}
    queue: deque[str] = deque()
    for upstream in pred.get(target, {}):
        if upstream != target:
            seen[upstream] = (1, target)
            queue.append(upstream)
    while queue:
        node = queue.popleft()
        distance = seen[node][0]
        if distance >= max_len:
            continue
        for upstream in onward.get(node, {}):
            result.steps += 1
            if result.steps > budget:
                result.truncated = True
                return seen
            if upstream != target and upstream not in seen:
                seen[upstream] = (distance + 1, node)
                queue.append(upstream)
    return seen


def route_to(seen: dict[str, tuple[int, str]], origin: str, target: str) -> tuple[str, ...]:
    nodes = [origin]
    while nodes[-1] != target:
        nodes.append(seen[nodes[-1]][1])
    return tuple(nodes)


def bounded_cycles(succ: Adjacency, *, max_len: int, budget: int, limit: int, onward_succ: Adjacency | None = None,
                   result: SearchResult | None = None) -> list[tuple[str, ...]]:
    """Simple cycles of at most ``max_len`` nodes, each once, starting at its smallest node.

    Hops continue along ``onward_succ``; the hop closing the cycle may be any hop of ``succ``. Only strongly
    connected components with more than one node are searched, each with at most ``budget`` steps and
    ``limit`` cycles (``result.truncated`` says when either stopped a search).
    """
    result = result if result is not None else SearchResult()
    onward = succ if onward_succ is None else onward_succ
    digraph = nx.DiGraph()
    digraph.add_edges_from((u, v) for u, targets in succ.items() for v in targets if u != v)
    cycles: list[tuple[str, ...]] = []
    for component in nx.strongly_connected_components(digraph):
        if len(component) < 2:
            continue
        inner = {u: sorted(v for v in onward.get(u, {}) if v in component) for u in component}
        steps = found = 0
        for start in sorted(component):
            stack: list[Iterator[str]] = [iter(inner[start])]
            on_path = [start]
            while stack:
                nxt = next(stack[-1], None)
                if nxt is None:
                    stack.pop()
                    on_path.pop()
                    continue
                steps += 1
                if nxt > start and nxt not in on_path:
                    on_path.append(nxt)
                    if start in succ.get(nxt, {}):
                        cycles.append(tuple(on_path))
                        found += 1
                    stack.append(iter(inner[nxt] if len(on_path) < max_len else ()))
                if steps >= budget or found >= limit:
                    break
            if steps >= budget or found >= limit:
                result.truncated = True
                break
        result.steps += steps
    return cycles
