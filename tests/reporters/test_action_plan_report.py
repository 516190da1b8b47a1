"""action-plan.csv: one row per open finding, the review's empty columns, and nothing a spreadsheet would run."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from stackaudit.reporter import Report
from stackaudit.reporters.action_plan import COLUMNS, neutralise, render_action_plan
from stackaudit.testing.report_stacks import HOSTILE_NAMES

FORMULA = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def rows_of(text: str) -> list[dict[str, str]]:
    assert text.startswith("\ufeff")  # so spreadsheet programs read UTF-8
    return list(csv.DictReader(io.StringIO(text[1:], newline="")))


@pytest.mark.parametrize(("cell", "safe"), [
    ("=1+1", "'=1+1"),
    ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
    ("-2+3", "'-2+3"),
    ("@SUM(1+1)", "'@SUM(1+1)"),
    ("\tTabbed", "'\tTabbed"),
    ("\r=1", "'\r=1"),
    ("\uff1d1+1", "'\uff1d1+1"),
    ("Ben Okafor", "Ben Okafor"),
    ("a=b", "a=b"),
    ("", ""),
])
def test_cells_a_spreadsheet_would_evaluate_are_neutralised(cell: str, safe: str) -> None:
    assert neutralise(cell) == safe


def test_one_row_per_open_finding_with_empty_status_and_due_date(demo_dir: Path) -> None:
    import json

    findings = json.loads((demo_dir / "findings.json").read_text(encoding="utf-8"))["findings"]
    text = (demo_dir / "action-plan.csv").read_text(encoding="utf-8")
    rows = rows_of(text)
    assert tuple(rows[0]) == COLUMNS
    open_findings = {f["fingerprint"]: f for f in findings if not f["waived"]}
    assert sorted(r["id"] for r in rows) == sorted(open_findings)
    for row in rows:
        finding = open_findings[row["id"]]
        assert row["severity"] == finding["severity"]
        assert row["title"] == finding["title"]
        assert row["remediation"] == finding["remediation"]
        assert row["status"] == "" and row["due_date"] == ""
        assert row["system"]
    order = ["critical", "high", "medium", "low", "info"]
    assert [order.index(r["severity"]) for r in rows] == sorted(order.index(r["severity"]) for r in rows)
    mfa = next(r for r in rows if r["id"].startswith("security-admin-without-mfa:") and "Ben Okafor" in r["details"] and "(Salesforce)" in r["details"])
    assert mfa["owner"] == "ana.lima@northwind.example"
    assert mfa["system"] == "Northwind Outfitters (Salesforce)"


def test_hostile_names_cannot_become_formulas(hostile_report: Report) -> None:
    rows = rows_of(render_action_plan(hostile_report))
    assert rows
    cells = [cell for row in rows for cell in row.values()]
    for cell in cells:
        assert not cell.startswith(FORMULA), cell
    starting_with_formula = [n for n in HOSTILE_NAMES if n.startswith(FORMULA)]
    titles_and_details = " ".join(cells)
    assert starting_with_formula and all(n.strip() in titles_and_details for n in starting_with_formula)


def test_waived_findings_are_left_out(waived_report: Report) -> None:
    rows = rows_of(render_action_plan(waived_report))
    assert not any(r["id"].startswith("security-admin-without-mfa:") for r in rows)
    assert sum(1 for f in waived_report.findings if not f.waived) == len(rows)
    assert any(r["id"].startswith("security-plain-http:") for r in rows)  # its waiver expired
