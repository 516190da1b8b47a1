"""The ``sarif`` reporter: findings.sarif (SARIF 2.1.0) for security tooling."""

from __future__ import annotations

from stackaudit import hookimpl
from stackaudit.registry import ReporterRegistry
from stackaudit.reporter import Report, Reporter
from stackaudit.reporters.sarif import render_sarif


class SarifReporter(Reporter):
    id = "sarif"
    description = "findings.sarif: the findings as SARIF 2.1.0, for security tools and dashboards"
    filename = "findings.sarif"

    def render(self, report: Report) -> str:
        return render_sarif(report)


@hookimpl
def register_reporters(registry: ReporterRegistry) -> None:
    registry.add(SarifReporter())
