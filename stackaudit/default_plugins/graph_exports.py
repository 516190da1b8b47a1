"""Graph exports as output formats: ``graphml`` and ``gexf`` (Gephi, yEd, Cytoscape), ``graph-json`` (node-link)."""

from __future__ import annotations

from typing import Any

from stackaudit import hookimpl
from stackaudit.errors import UsageError
from stackaudit.graph import gexf_text, graphml_text, node_link_text
from stackaudit.registry import ReporterRegistry
from stackaudit.reporter import Report, Reporter


def _graph(report: Report) -> Any:
    if report.graph is None:
        raise UsageError("there is no graph to export", fix="export from 'stackaudit scan' or 'stackaudit audit'")
    return report.graph


class GraphMLReporter(Reporter):
    id = "graphml"
    description = "graph.graphml: the integration graph for yEd, Gephi or Cytoscape"
    filename = "graph.graphml"

    def render(self, report: Report) -> str:
        return graphml_text(_graph(report))


class GEXFReporter(Reporter):
    id = "gexf"
    description = "graph.gexf: the integration graph for Gephi"
    filename = "graph.gexf"

    def render(self, report: Report) -> str:
        return gexf_text(_graph(report))


class NodeLinkReporter(Reporter):
    id = "graph-json"
    description = "graph.json: the integration graph as node-link JSON (networkx, d3)"
    filename = "graph.json"

    def render(self, report: Report) -> str:
        return node_link_text(_graph(report))


@hookimpl
def register_reporters(registry: ReporterRegistry) -> None:
    registry.add(GraphMLReporter())
    registry.add(GEXFReporter())
    registry.add(NodeLinkReporter())
