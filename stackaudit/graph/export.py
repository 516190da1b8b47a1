"""Graph exports for Gephi, yEd, Cytoscape and scripts: GraphML, GEXF and node-link JSON.

Those formats hold only plain values, so :func:`flatten` turns every attribute into a string or a number,
with one type per attribute name across the whole file: tuples become comma-separated strings, datetimes
ISO 8601, booleans 0/1, evidence ``connection|source|object id`` entries joined by ``;``, and a record's
free ``attributes`` become ``attr_<name>`` strings. Empty values are left out.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import networkx as nx

from stackaudit.model import Evidence, OwnerHint

Plain = str | int | float


def _plain(name: str, value: Any) -> Plain | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float | str):
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Evidence):
        return "|".join((value.connection, value.source, value.object_id))
    if isinstance(value, OwnerHint):
        return ":".join(p for p in (value.role, value.email or value.name) if p)
    if isinstance(value, tuple | list | set | frozenset):
        items = [_plain(name, v) for v in value]
        separator = "; " if name == "evidence" else ","
        text = separator.join(str(i) for i in items if i not in (None, ""))
        return text
    return str(value)


def _flat_attrs(attrs: Mapping[str, Any]) -> dict[str, Plain]:
    out: dict[str, Plain] = {}
    for name, value in attrs.items():
        if name == "attributes" and isinstance(value, Mapping):
            for sub, sub_value in value.items():
                plain = _plain(sub, sub_value)
                if plain not in (None, ""):
                    out[f"attr_{sub}"] = str(plain)
            continue
        if name == "high_risk_scopes":
            plain = _plain(name, tuple(scope for scope, _reason in value))
        else:
            plain = _plain(name, value)
        if plain is not None and plain != "":
            out[name] = plain
    return out


def _unify(rows: Iterable[dict[str, Plain]]) -> None:
    """One type per attribute name: mixed numbers become floats, anything mixed with text becomes text."""
    rows = list(rows)
    types: dict[str, set[type]] = defaultdict(set)
    for row in rows:
        for name, value in row.items():
            types[name].add(type(value))
    for name, seen in types.items():
        if len(seen) < 2:
            continue
        cast: type = str if str in seen else float
        for row in rows:
            if name in row:
                row[name] = cast(row[name])


def flatten(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy of ``graph`` whose attributes are all strings or numbers, with a ``label`` on every element."""
    nodes = {node: _flat_attrs(attrs) for node, attrs in graph.nodes(data=True)}
    for node, row in nodes.items():
        row.setdefault("label", str(graph.nodes[node].get("name") or node))
        row.setdefault("kind", "system")
    edges = [(u, v, str(k), _flat_attrs(attrs)) for u, v, k, attrs in graph.edges(keys=True, data=True)]
    for _u, _v, key, row in edges:
        row.setdefault("label", str(row.get("name") or row.get("kind") or key))
    _unify(nodes.values())
    _unify(row for *_rest, row in edges)
    flat = nx.MultiDiGraph()
    flat.graph.update({k: v for k, v in ((k, _plain(k, v)) for k, v in graph.graph.items()) if v not in (None, "")})
    flat.add_nodes_from(nodes.items())
    flat.add_edges_from((u, v, k, row) for u, v, k, row in edges)
    return flat


def graphml_text(graph: nx.MultiDiGraph) -> str:
    return "\n".join(nx.generate_graphml(flatten(graph), encoding="utf-8", prettyprint=True, named_key_ids=True)) + "\n"


def gexf_text(graph: nx.MultiDiGraph) -> str:
    return "\n".join(nx.generate_gexf(flatten(graph), encoding="utf-8", prettyprint=True)) + "\n"


def write_graphml(graph: nx.MultiDiGraph, path: Path) -> Path:
    path.write_text(graphml_text(graph), encoding="utf-8")
    return path


def write_gexf(graph: nx.MultiDiGraph, path: Path) -> Path:
    path.write_text(gexf_text(graph), encoding="utf-8")
    return path


def node_link(graph: nx.MultiDiGraph) -> dict[str, Any]:
    """The node-link document (``{"nodes": [...], "edges": [...]}``) of the flattened graph."""
    data: dict[str, Any] = nx.node_link_data(flatten(graph), edges="edges")
    return data


def node_link_text(graph: nx.MultiDiGraph) -> str:
    return json.dumps(node_link(graph), indent=1, sort_keys=True) + "\n"


def write_node_link(graph: nx.MultiDiGraph, path: Path) -> Path:
    path.write_text(node_link_text(graph), encoding="utf-8")
    return path


def read_node_link(path: Path) -> nx.MultiDiGraph:
    graph: nx.MultiDiGraph = nx.node_link_graph(json.loads(path.read_text(encoding="utf-8")), directed=True,
                                                multigraph=True, edges="edges")
    return graph
