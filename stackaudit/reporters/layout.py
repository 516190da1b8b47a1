"""Where each system goes in the report's graph, computed once in Python with NetworkX.

Systems are laid out by their data flows (NetworkX's spring layout, seeded, so the same scan gives the same
picture). Small stacks are laid out whole. In large ones, services that only one system talks to ("leaf"
services: a webhook target, an app with one grant) are fanned out around that system instead of taking part
in the force layout, and where a system has many of them they are collapsed into one group per status
("23 shadow services via HubSpot") that the reader can expand. Each connected part of the stack is laid out
on its own and the parts are packed in rows, largest first.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterable, Mapping

import networkx as nx
import numpy as np

SPACING = 100.0  # average distance between neighbouring systems, in report pixels
WHOLE_LAYOUT_UP_TO = 150  # systems; above this, leaf services are fanned out and grouped
GROUP_MIN = 6  # leaf services of one system and status collapsed into a group from this many
FORCE_LIMIT = 480  # nodes in the force layout (NetworkX's dense, numpy-only spring layout needs < 500)
MARGIN = 40.0
LONE_WIDTH = 170.0
RING = 14  # leaves per ring of a fan or an expanded group


@dataclasses.dataclass(frozen=True)
class Group:
    """Leaf services of one system, shown as one node until expanded."""

    id: str
    parent: str
    status: str
    members: tuple[str, ...]
    x: float
    y: float


@dataclasses.dataclass(frozen=True)
class Layout:
    positions: dict[str, tuple[float, float]]  # every system, members of groups included (where they expand to)
    groups: list[Group]
    width: float
    height: float

    def group_of(self) -> dict[str, str]:
        return {member: group.id for group in self.groups for member in group.members}


def system_graph(graph: nx.MultiDiGraph, systems: Iterable[str]) -> nx.Graph:
    """Systems joined by their flows, undirected, weighted by the number of flows between them."""
    simple = nx.Graph()
    simple.add_nodes_from(systems)
    for source, target, attrs in graph.edges(data=True):
        if attrs.get("kind") != "flow" or source == target or source not in simple or target not in simple:
            continue
        if simple.has_edge(source, target):
            simple[source][target]["weight"] += 1
        else:
            simple.add_edge(source, target, weight=1)
    return simple


def layout(graph: nx.MultiDiGraph, systems: list[str], *, is_tenant: Callable[[str], bool],
           status: Mapping[str, str]) -> Layout:
    """Positions (top-left origin, pixels) for ``systems`` and the groups of leaf services, if any."""
    simple = system_graph(graph, systems)
    whole = len(systems) <= WHOLE_LAYOUT_UP_TO
    leaves: dict[str, list[str]] = {}
    if not whole:
        for node in sorted(simple):
            if is_tenant(node) or simple.degree(node) != 1:
                continue
            (parent,) = simple.neighbors(node)
            if is_tenant(parent) or simple.degree(parent) > 1:
                leaves.setdefault(parent, []).append(node)
    leaf_nodes = {n for members in leaves.values() for n in members}
    core = simple.subgraph(n for n in simple if n not in leaf_nodes)

    parts: list[tuple[dict[str, tuple[float, float]], list[Group]]] = []
    components = sorted((sorted(c) for c in nx.connected_components(core)), key=lambda c: (-len(c), c[0]))
    for component in components:
        positions = _force(core.subgraph(component))
        groups: list[Group] = []
        centre = _centroid(positions.values())
        for parent in component:
            if parent in leaves:
                groups += _fan(parent, leaves[parent], positions, centre, status)
        parts.append((positions, groups))
    return _pack(parts)


def _force(component: nx.Graph) -> dict[str, tuple[float, float]]:
    nodes = list(component)
    n = len(nodes)
    if n == 1:
        return {nodes[0]: (0.0, 0.0)}
    if n == 2:
        return {nodes[0]: (-SPACING / 2, 0.0), nodes[1]: (SPACING / 2, 0.0)}
    ranked = sorted(nodes, key=lambda v: (-component.degree(v), v))
    forced = component.subgraph(ranked[:FORCE_LIMIT])
    raw = nx.spring_layout(forced, seed=7, iterations=200 if n <= WHOLE_LAYOUT_UP_TO else 80, method="force",
                           k=1.2 / math.sqrt(len(forced)), weight=None)
    points = {str(v): (float(p[0]), float(p[1])) for v, p in raw.items()}
    scale = SPACING / max(_typical_gap(list(points.values())), 1e-6)
    positions = _spread(_landscape({v: (x * scale, y * scale) for v, (x, y) in points.items()}), SPACING * 1.05,
                        rounds=60 if n <= WHOLE_LAYOUT_UP_TO else 12)
    # Beyond the force limit: at the centre of the neighbours already placed, spiralling outwards.
    for i, node in enumerate(ranked[FORCE_LIMIT:]):
        placed = [positions[m] for m in component.neighbors(node) if m in positions]
        cx, cy = _centroid(placed) if placed else (0.0, 0.0)
        angle = i * 2.399963  # the golden angle spreads points evenly
        radius = SPACING * 0.35 * math.sqrt(1 + i % 40)
        positions[node] = (cx + radius * math.cos(angle), cy + radius * math.sin(angle))
    return positions


def _landscape(positions: dict[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
    """Rotated so the layout's long axis is horizontal: reports and slides are wider than tall."""
    names = list(positions)
    xy = np.array([positions[n] for n in names], dtype=float)
    xy -= xy.mean(axis=0)
    _values, vectors = np.linalg.eigh(np.cov(xy.T))
    major = vectors[:, -1]  # eigh sorts the eigenvalues in ascending order
    angle = -math.atan2(major[1], major[0])
    rotation = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
    turned = xy @ rotation.T
    return {n: (float(x), float(y)) for n, (x, y) in zip(names, turned, strict=True)}


def _spread(positions: dict[str, tuple[float, float]], gap: float, rounds: int = 60
            ) -> dict[str, tuple[float, float]]:
    """Push apart nodes closer than ``gap`` (the force layout ignores labels), a few passes at a time."""
    names = list(positions)
    if len(names) > FORCE_LIMIT:
        return positions
    xy = np.array([positions[n] for n in names], dtype=float)
    for _ in range(rounds):
        delta = xy[:, None, :] - xy[None, :, :]
        distance = np.sqrt((delta ** 2).sum(axis=2))
        np.fill_diagonal(distance, np.inf)
        overlap = np.clip(gap - distance, 0, None)
        if not overlap.any():
            break
        push = (delta / np.maximum(distance, 1e-6)[:, :, None]) * (overlap / 2)[:, :, None]
        xy += push.sum(axis=1)
    return {n: (float(x), float(y)) for n, (x, y) in zip(names, xy, strict=True)}


def _typical_gap(points: list[tuple[float, float]]) -> float:
    """The median distance from a point to its nearest neighbour (a sample of points for large layouts)."""
    sample = points[:: max(1, len(points) // 200)]
    gaps = sorted(min(math.hypot(p[0] - q[0], p[1] - q[1]) for q in points if q is not p) for p in sample)
    return gaps[len(gaps) // 2]


def _centroid(points: Iterable[tuple[float, float]]) -> tuple[float, float]:
    points = list(points)
    if not points:
        return (0.0, 0.0)
    return (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))


def _direction(origin: tuple[float, float], away_from: tuple[float, float], salt: str) -> float:
    dx, dy = origin[0] - away_from[0], origin[1] - away_from[1]
    if abs(dx) + abs(dy) < 1e-6:
        return (sum(map(ord, salt)) % 360) * math.pi / 180
    return math.atan2(dy, dx)


def _ring_positions(centre: tuple[float, float], count: int, angle: float, spread: float, first: float
                    ) -> list[tuple[float, float]]:
    """``count`` points on rings around ``centre``, fanned over ``spread`` radians around ``angle``."""
    out = []
    for i in range(count):
        ring, slot = divmod(i, RING)
        in_ring = min(RING, count - ring * RING)
        radius = first + ring * SPACING * 0.55
        if spread >= 2 * math.pi - 1e-6:
            theta = angle + 2 * math.pi * slot / in_ring
        else:
            theta = angle - spread / 2 + (spread * (slot + 0.5) / in_ring)
        out.append((centre[0] + radius * math.cos(theta), centre[1] + radius * math.sin(theta)))
    return out


def _fan(parent: str, members: list[str], positions: dict[str, tuple[float, float]], centre: tuple[float, float],
         status: Mapping[str, str]) -> list[Group]:
    """Place a system's leaf services around it; collapse each large same-status set into a group."""
    origin = positions[parent]
    angle = _direction(origin, centre, parent)
    by_status: dict[str, list[str]] = {}
    for member in members:
        by_status.setdefault(status.get(member, ""), []).append(member)
    groups: list[Group] = []
    singles: list[str] = []
    for state, nodes in sorted(by_status.items()):
        if len(nodes) >= GROUP_MIN:
            groups.append(Group(id=f"group:{parent}:{state}", parent=parent, status=state, members=tuple(nodes),
                                x=0.0, y=0.0))
        else:
            singles.extend(nodes)
    slots = len(singles) + len(groups)
    spread = min(2 * math.pi, max(math.pi / 3, slots * 0.45))
    places = _ring_positions(origin, slots, angle, spread, SPACING * 0.9)
    for node, place in zip(singles, places, strict=False):
        positions[node] = place
    placed_groups = []
    for group, place in zip(groups, places[len(singles):], strict=True):
        # Members expand on rings around the group's own place, clear of the parent.
        away = _direction(place, origin, group.id)
        for member, spot in zip(group.members, _ring_positions(place, len(group.members), away, 2 * math.pi,
                                                               SPACING * 0.6), strict=True):
            positions[member] = spot
        placed_groups.append(dataclasses.replace(group, x=place[0], y=place[1]))
    return placed_groups


def _pack(parts: list[tuple[dict[str, tuple[float, float]], list[Group]]]) -> Layout:
    """Shelf-pack the parts (largest first) into rows about as wide as the whole is tall."""
    boxes = []
    for positions, groups in parts:
        xs = [p[0] for p in positions.values()] + [g.x for g in groups]
        ys = [p[1] for p in positions.values()] + [g.y for g in groups]
        span = max(xs) - min(xs)
        width = max(span + 2 * MARGIN, LONE_WIDTH)  # a lone system still needs room for its label
        boxes.append((min(xs), min(ys), width, max(ys) - min(ys) + 2 * MARGIN, span))
    area = sum(w * h for _x, _y, w, h, _s in boxes)
    row_width = max(max((w for _x, _y, w, _h, _s in boxes), default=0.0), math.sqrt(area) * 1.6)
    out: dict[str, tuple[float, float]] = {}
    out_groups: list[Group] = []
    x = y = row_height = width = 0.0
    for (positions, groups), (min_x, min_y, w, h, span) in zip(parts, boxes, strict=True):
        if x > 0 and x + w > row_width:
            x, y, row_height = 0.0, y + row_height, 0.0
        dx, dy = x - min_x + (w - span) / 2, y - min_y + MARGIN
        for node, (px, py) in positions.items():
            out[node] = (round(px + dx, 1), round(py + dy, 1))
        out_groups += [dataclasses.replace(g, x=round(g.x + dx, 1), y=round(g.y + dy, 1)) for g in groups]
        x += w
        width = max(width, x)
        row_height = max(row_height, h)
    return Layout(positions=out, groups=out_groups, width=round(width, 1), height=round(y + row_height, 1))
