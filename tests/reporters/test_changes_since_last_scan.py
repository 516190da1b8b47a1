"""The "what changed since the last scan" section, from a real scan history: two scans recorded, the newer
one's report given the history's diff, as ``stackaudit scan`` does."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from pathlib import Path

from report_helpers import make_report

from stackaudit.history import HistoryStore, since_last_review
from stackaudit.model import DataCategory, Flow, System, SystemKind, external_id, record_id
from stackaudit.reporters.html import render_html
from stackaudit.reporters.markdown import render_markdown
from stackaudit.testing.report_stacks import hostile_stack


def test_a_second_scan_reports_what_appeared_since_the_first(tmp_path: Path) -> None:
    inventory, config = hostile_stack()
    first = make_report(inventory, config)
    crm = next(r.id for r in inventory.records if isinstance(r, System) and r.id.startswith("evil-crm:tenant:"))
    newcomer = external_id(host="new-hook.evil.example")
    grown = dataclasses.replace(inventory, generated_at=inventory.generated_at + timedelta(days=7), records=[
        *inventory.records,
        System(id=newcomer, name="New Hook Service", system_kind=SystemKind.EXTERNAL, domain="new-hook.evil.example"),
        Flow(id=record_id("evil-crm", "flow", "new"), source=crm, target=newcomer, flow_kind="webhook",
             name="Leads to the new hook", url="http://new-hook.evil.example/in", scheme="http",
             data=(DataCategory.PII,)),
    ])
    second = make_report(grown, config)
    with HistoryStore(tmp_path / "history.db") as store:
        store.record(inventory, first.findings, config="stackaudit.toml", checks=first.coverage)
        scan = store.record(grown, second.findings, config="stackaudit.toml", checks=second.coverage)
        diff = since_last_review(store, scan.id)
    assert diff is not None
    report = dataclasses.replace(second, diff=diff)

    html = render_html(report)
    section = html[html.index('<div id="changes">'):html.index("</section>", html.index('<div id="changes">'))]
    assert "What changed since the last scan (the scan of 1 June 2026)" in section
    assert "Systems that appeared" in section and "New Hook Service" in section
    assert "Data flows that appeared" in section and "Leads to the new hook" in section
    assert "New findings" in section
    assert "Resolved findings" not in section  # nothing went away

    markdown = render_markdown(report)
    assert "## What changed since the last scan (the scan of 1 June 2026)" in markdown
    assert "**Systems that appeared** (1)" in markdown

    assert '<div id="changes">' not in render_html(first)  # the first scan has nothing to compare with
