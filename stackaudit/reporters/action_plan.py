"""``action-plan.csv``: one row per open (unwaived) finding, for the review meeting's spreadsheet.

Columns: id (the finding's stable fingerprint), severity, system, owner, title, details, remediation, and empty
status and due_date columns to fill in. Tenant data is attacker-controlled, so a cell that a spreadsheet
would read as a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return, or their
full-width forms) is neutralised with a leading apostrophe. UTF-8 with a byte-order mark, so spreadsheet
programs pick the right encoding.
"""

from __future__ import annotations

import csv
import io

from stackaudit.reporter import Report
from stackaudit.reporters.overview import build_overview

COLUMNS = ("id", "severity", "system", "owner", "title", "details", "remediation", "status", "due_date")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
BOM = "\ufeff"


def neutralise(value: str) -> str:
    """A cell a spreadsheet shows as text, never evaluates."""
    text = value.replace("\r\n", "\n")
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def render_action_plan(report: Report) -> str:
    overview = build_overview(report)
    rows = sorted(overview.open_findings, key=lambda r: (-r.finding.severity,
                                                         overview.system_label(r.systems[0]).lower() if r.systems
                                                         else "", r.finding.title, r.id))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        finding = row.finding
        writer.writerow([neutralise(cell) for cell in (
            finding.id,
            str(finding.severity),
            "; ".join(overview.system_label(s) for s in row.systems),
            row.owner,
            finding.title,
            finding.message,
            finding.remediation,
            "",
            "",
        )])
    return BOM + buffer.getvalue()
