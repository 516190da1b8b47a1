"""report.md: the summary, top risks, findings by owner, systems and coverage, as Markdown that stays text."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from stackaudit.reporter import Report
from stackaudit.reporters.markdown import md, render_markdown
from stackaudit.testing.report_stacks import HOSTILE_NAMES


@pytest.fixture(scope="module")
def demo_md(demo_dir: Path) -> str:
    return (demo_dir / "report.md").read_text(encoding="utf-8")


def test_the_demo_report_reads_top_to_bottom(demo_md: str) -> None:
    headings = re.findall(r"^(#{1,3}) (.+)$", demo_md, flags=re.M)
    top = [text for level, text in headings if len(level) <= 2]
    assert top == ["Marketing stack audit: Northwind Outfitters", "Summary", "Top risks", "Findings by owner",
                   "Systems", "Coverage"]
    assert "| Systems found | 21 (" in demo_md or re.search(r"\| Systems found \| \d+ \(\d+ sanctioned by IT\) \|",
                                                            demo_md)
    assert re.search(r"^1\. \*\*High: ", demo_md, flags=re.M)
    assert "### Ana Lima (ana\\.lima@northwind\\.example): " not in demo_md  # dots need no escaping
    assert "### Ana Lima (ana.lima@northwind.example): " in demo_md
    assert "`security-admin-without-mfa:" in demo_md
    assert "| Northwind Outfitters (Salesforce) (CRM) | Sanctioned | Ana Lima |" in demo_md
    assert "Checks that could not be fully evaluated" in demo_md


def test_hostile_names_stay_text(hostile_report: Report) -> None:
    text = render_markdown(hostile_report)
    ours = re.sub(r"^\|(---\|)+$", "", text, flags=re.M)  # table rules
    ours = re.sub(r"`[a-z0-9:-]+`", "", ours)  # fingerprints
    ours = re.sub(r"(^\| | \| | \|$)", " ", ours, flags=re.M)  # table cell borders
    unescaped = re.findall(r"(?<!\\)[<>\[\]`|]", ours)
    assert unescaped == [], unescaped
    assert "\\<img src=x onerror=alert(1)\\>" in text
    assert "\\[click me\\](javascript:alert(1))" in text
    assert "\u2028" not in text and "\u2029" not in text
    for line in text.splitlines():  # a table row's cells never split on a name's "|"
        if line.startswith("| ") and "evil" in line:
            assert line.count(" | ") == 6


@pytest.mark.parametrize(("text", "escaped"), [
    ("<b>bold</b>", "\\<b\\>bold\\</b\\>"),
    ("![x](http://evil.example/x.png)", "!\\[x\\](http://evil.example/x.png)"),
    ("a|b", "a\\|b"),
    ("# not a heading", "\\# not a heading"),
    ("- not a list", "\\- not a list"),
    ("1. not a list", "1\\. not a list"),
    ("*not* _emphasis_ `code` ~~del~~ &amp;", "\\*not\\* \\_emphasis\\_ \\`code\\` \\~\\~del\\~\\~ \\&amp;"),
    ("two\nlines", "two lines"),
    ("ana.lima@northwind.example (admin)", "ana.lima@northwind.example (admin)"),
])
def test_markdown_escaping(text: str, escaped: str) -> None:
    assert md(text) == escaped


def test_the_changes_section_follows_the_top_risks_when_there_is_history(hostile_report: Report) -> None:
    assert "## What changed" not in render_markdown(hostile_report)
    diff = {"findings": {"new": [{"id": "a", "label": HOSTILE_NAMES[0], "severity": "high"}]}}
    text = render_markdown(dataclasses.replace(hostile_report, diff=diff))  # type: ignore[arg-type]
    assert text.index("## Top risks") < text.index("## What changed since the last scan") < text.index(
        "## Findings by owner")
    assert "- \\<img src=x onerror=alert(1)\\> (high)" in text
