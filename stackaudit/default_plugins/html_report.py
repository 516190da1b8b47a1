"""The ``html`` reporter (report.html, with graph.svg beside it) and the ``svg`` reporter (graph.svg alone)."""

from __future__ import annotations

from pathlib import Path

import networkx as nx

from stackaudit import hookimpl
from stackaudit.registry import ReporterRegistry
from stackaudit.reporter import Report, Reporter
from stackaudit.reporters.graph_view import graph_view
from stackaudit.reporters.html import render_html
from stackaudit.reporters.overview import build_overview
from stackaudit.reporters.svg import render_svg


class HtmlReporter(Reporter):
    id = "html"
    description = ("report.html: one self-contained page for people (summary, interactive graph, scorecard, "
                   "findings, coverage), and graph.svg for slides")
    filename = "report.html"
    companion = "graph.svg"

    def render(self, report: Report) -> str:
        return render_html(report)

    def write(self, report: Report, out_dir: Path) -> Path:
        """Writes the page and, from the same layout, the static picture of the graph."""
        overview = build_overview(report)
        view = graph_view(overview, report.graph if report.graph is not None else nx.MultiDiGraph(), report.checks)
        path = out_dir / self.filename
        path.write_text(render_html(report, overview, view), encoding="utf-8")
        (out_dir / self.companion).write_text(render_svg(report, overview, view), encoding="utf-8")
        return path


class SvgReporter(Reporter):
    id = "svg"
    description = "graph.svg: the integration graph as a static picture for slides"
    filename = "graph.svg"

    def render(self, report: Report) -> str:
        return render_svg(report)


@hookimpl
def register_reporters(registry: ReporterRegistry) -> None:
    registry.add(HtmlReporter())
    registry.add(SvgReporter())
