"""The ``csv`` reporter: action-plan.csv, one row per open finding, safe to open in a spreadsheet."""

from __future__ import annotations

from stackaudit import hookimpl
from stackaudit.registry import ReporterRegistry
from stackaudit.reporter import Report, Reporter
from stackaudit.reporters.action_plan import render_action_plan


class ActionPlanReporter(Reporter):
    id = "csv"
    description = "action-plan.csv: one row per open finding with owner, remediation, and status/due-date columns"
    filename = "action-plan.csv"

    def render(self, report: Report) -> str:
        return render_action_plan(report)


@hookimpl
def register_reporters(registry: ReporterRegistry) -> None:
    registry.add(ActionPlanReporter())
