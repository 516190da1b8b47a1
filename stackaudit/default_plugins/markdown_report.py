"""The ``md`` reporter: report.md, for a wiki page or a ticket."""

from __future__ import annotations

from stackaudit import hookimpl
from stackaudit.registry import ReporterRegistry
from stackaudit.reporter import Report, Reporter
from stackaudit.reporters.markdown import render_markdown


class MarkdownReporter(Reporter):
    id = "md"
    description = "report.md: summary, top risks, findings by owner, systems and coverage in Markdown"
    filename = "report.md"

    def render(self, report: Report) -> str:
        return render_markdown(report)


@hookimpl
def register_reporters(registry: ReporterRegistry) -> None:
    registry.add(MarkdownReporter())
