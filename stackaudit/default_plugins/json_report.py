"""The ``json`` reporter: scan summary, per-connection results, coverage gaps and findings."""

from __future__ import annotations

import json
from typing import Any

from stackaudit import hookimpl
from stackaudit.model import Severity, to_jsonable
from stackaudit.registry import ReporterRegistry
from stackaudit.reporter import Report, Reporter


class JsonReporter(Reporter):
    id = "json"
    description = "report.json: summary, connections, coverage gaps, check coverage and findings, for machines"
    filename = "report.json"

    def render(self, report: Report) -> str:
        inventory = report.inventory
        by_severity = {str(s): 0 for s in sorted(Severity, reverse=True)}
        for finding in report.findings:
            if not finding.waived:
                by_severity[str(finding.severity)] += 1
        document: dict[str, Any] = {
            "generator": inventory.generator,
            "generated_at": inventory.generated_at.isoformat(),
            "organization": inventory.organization,
            "summary": {
                "complete": inventory.complete,
                "records": inventory.counts(),
                "coverage_gaps": len(inventory.gaps),
                "findings": by_severity,
                "waived_findings": sum(1 for f in report.findings if f.waived),
                "checks_not_evaluated": sum(1 for c in report.coverage if c.status.value != "evaluated"),
            },
            "connections": [to_jsonable(c) for c in inventory.connections],
            "coverage_gaps": [to_jsonable(g) for g in inventory.gaps],
            "check_coverage": [to_jsonable(c) for c in report.coverage],
            "waivers": [to_jsonable(w) for w in report.waivers],
            "findings": [{"id": f.id, **to_jsonable(f)} for f in report.findings],
        }
        return json.dumps(document, indent=2) + "\n"


@hookimpl
def register_reporters(registry: ReporterRegistry) -> None:
    registry.add(JsonReporter())
