"""report.html in a real browser (headless Chromium): opened from file://, it loads nothing, logs no error,
draws every system, answers clicks and filters, and shows hostile names as text without running them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from report_helpers import OpenedPage, make_report, open_report, write_all

from stackaudit.reporter import Report
from stackaudit.testing.report_stacks import HOSTILE_NAMES, IMG_ONERROR, SCRIPT_TAG, large_stack


def page_data(opened: OpenedPage) -> dict[str, Any]:
    text = opened.page.eval_on_selector("#graph-data", "e => e.textContent")
    data: dict[str, Any] = json.loads(text)
    return data


def visible_nodes(opened: OpenedPage) -> int:
    count: int = opened.page.eval_on_selector_all("#graph-canvas [data-node]:not(.hidden):not(.dim)", "e => e.length")
    return count


def assert_clean(opened: OpenedPage, report: Path) -> None:
    assert opened.errors == []
    assert opened.console_errors() == []
    assert opened.requests == [report.resolve().as_uri()]  # the file itself, nothing else
    assert opened.dialogs == []


@pytest.fixture(scope="module")
def demo(browser: Any, demo_dir: Path) -> OpenedPage:
    return open_report(browser, demo_dir / "report.html")


def test_the_demo_report_opens_without_errors_or_requests(demo: OpenedPage, demo_dir: Path) -> None:
    assert_clean(demo, demo_dir / "report.html")
    assert demo.page.title().startswith("Marketing stack audit: Northwind Outfitters")


def test_the_graph_shows_every_system(demo: OpenedPage, demo_dir: Path) -> None:
    graph = json.loads((demo_dir / "graph.json").read_text(encoding="utf-8"))
    systems = {n["id"] for n in graph["nodes"] if n.get("kind") == "system"}
    data = page_data(demo)
    assert {n["id"] for n in data["nodes"]} == systems
    drawn = demo.page.eval_on_selector_all("#graph-canvas [data-node]:not(.hidden)", "e => e.length")
    assert drawn == len(systems)
    labels = set(demo.page.eval_on_selector_all("#graph-canvas .node-label", "e => e.map(t => t.textContent)"))
    assert {"Salesforce", "HubSpot", "Zapier", "Canva"} <= labels
    box = demo.page.eval_on_selector("#graph-canvas .viewport", "e => e.getBoundingClientRect().toJSON()")
    frame = demo.page.eval_on_selector("#graph-canvas", "e => e.getBoundingClientRect().toJSON()")
    assert box["width"] > frame["width"] * 0.5  # fitted: the drawing fills the frame ...
    assert box["left"] >= frame["left"] - 1 and box["right"] <= frame["right"] + 1  # ... and stays inside it


def click_node(opened: OpenedPage, label: str) -> None:
    opened.page.locator("#graph-canvas [data-node]", has=opened.page.locator(f"text='{label}'")).first.click()


def test_clicking_a_system_shows_its_details_and_findings(demo: OpenedPage) -> None:
    data = page_data(demo)
    index = next(i for i, n in enumerate(data["nodes"]) if n["label"] == "Salesforce")
    click_node(demo, "Salesforce")
    panel = demo.page.locator("#graph-details")
    assert panel.locator("h3").inner_text() == "Northwind Outfitters (Salesforce)"
    expected = len(data["nodes"][index]["findings"])
    assert panel.locator(f"h4:text-is('Findings ({expected})')").count() == 1
    titles = panel.locator(".panel-findings li > a").all_inner_texts()
    assert len(titles) == expected and "Administrator without MFA" in titles
    assert "Ana Lima" in panel.inner_text()
    assert demo.page.get_attribute("#graph-canvas", "data-selected") == f"node:{index}"
    # A finding's link opens it in the findings list.
    panel.locator(".panel-findings li > a", has_text="Administrator without MFA").first.click()
    opened = demo.page.locator("details.finding[open]", has_text="Administrator without MFA")
    assert opened.count() == 1
    assert "Ben Okafor" in opened.inner_text() and "What to do" in opened.inner_text()


def test_clicking_an_arrow_shows_the_flows_behind_it(demo: OpenedPage) -> None:
    demo.page.locator("#graph").scroll_into_view_if_needed()
    data = page_data(demo)
    zapier = next(i for i, n in enumerate(data["nodes"]) if n["label"] == "Zapier")
    edge = next(i for i, e in enumerate(data["edges"]) if e["t"] == zapier)
    demo.page.evaluate("i => window.stackauditGraph.selectEdge(i)", edge)
    panel = demo.page.locator("#graph-details")
    assert panel.locator("h3").inner_text().endswith("→ Zapier")
    assert "data flow" in panel.inner_text()
    # Clicking the arrow itself works too.
    demo.page.locator("[data-edge]").nth(edge).dispatch_event("pointerdown", {"button": 0, "clientX": 1, "clientY": 1})
    demo.page.locator("[data-edge]").nth(edge).dispatch_event("pointerup", {"button": 0, "clientX": 1, "clientY": 1})
    assert demo.page.get_attribute("#graph-canvas", "data-selected") == f"edge:{edge}"


def test_graph_filters_by_status_data_vendor_category_and_severity(demo: OpenedPage) -> None:
    data = page_data(demo)
    nodes = data["nodes"]
    page = demo.page
    page.select_option("#filter-status", "shadow")
    assert visible_nodes(demo) == sum(1 for n in nodes if n["status"] == "shadow") > 0
    page.click("#filter-reset")
    assert visible_nodes(demo) == len(nodes)
    page.select_option("#filter-category", "crm")
    assert visible_nodes(demo) == sum(1 for n in nodes if n.get("category") == "crm") == 1
    page.click("#filter-reset")
    page.select_option("#filter-severity", "high")
    high = sum(1 for n in nodes if n.get("worst") in ("high", "critical"))
    assert 0 < visible_nodes(demo) == high < len(nodes)
    page.click("#filter-reset")
    page.select_option("#filter-data", "content")
    carrying = visible_nodes(demo)
    assert 0 < carrying < len(nodes)
    lit = page.eval_on_selector_all("#graph-canvas path.edge:not(.dim)", "e => e.length")
    assert lit == sum(1 for e in data["edges"] if "content" in e["data"])
    assert "Showing" in page.inner_text("#graph-count")
    page.click("#filter-reset")


def test_a_path_finding_is_highlighted_on_the_graph(demo: OpenedPage) -> None:
    data = page_data(demo)
    index = next(i for i, f in enumerate(data["findings"]) if f.get("paths"))
    finding = data["findings"][index]
    page = demo.page
    page.fill("#findings-search", finding["id"].split(":")[0])
    item = page.locator(f"#f-{finding['id'].replace(':', '-')}")
    item.locator("summary").click()
    item.locator("button.show-on-graph").click()
    on_path = {n for path in finding["paths"] for n in path}
    lit = page.eval_on_selector_all("#graph-canvas [data-node].highlight", "e => e.map(x => +x.dataset.node)")
    assert set(lit) == on_path | set(finding.get("systems", []))
    assert page.eval_on_selector_all("#graph-canvas path.edge.highlight", "e => e.length") == len(finding["edges"])
    assert page.get_attribute("#graph-canvas", "data-highlight") == f"f-{finding['id'].replace(':', '-')}"
    assert "Data paths" in page.inner_text("#graph-details")
    page.click("#graph-details button[data-action='clear']")
    assert page.eval_on_selector_all("#graph-canvas .highlight", "e => e.length") == 0
    page.fill("#findings-search", "")


def test_findings_filter_sort_and_group_by_owner(demo: OpenedPage, demo_dir: Path) -> None:
    findings = json.loads((demo_dir / "findings.json").read_text(encoding="utf-8"))["findings"]
    page = demo.page
    total = len(findings)
    assert page.inner_text("#findings-count") == f"Showing {total} of {total} findings"
    page.select_option("#findings-severity", "3")  # high or worse
    high = sum(1 for f in findings if f["severity"] in ("high", "critical"))
    assert page.inner_text("#findings-count") == f"Showing {high} of {total} findings"
    assert page.locator("details.finding:not(.sev-high):not(.sev-critical)").count() == 0
    page.select_option("#findings-severity", "")
    page.select_option("#findings-category", "shadow-it")
    assert page.locator("details.finding").count() == sum(1 for f in findings if f["category"] == "shadow-it")
    page.select_option("#findings-category", "")
    page.fill("#findings-search", "zapier")
    assert 0 < page.locator("details.finding").count() < total
    page.fill("#findings-search", "")
    owners = page.locator(".owner-group h3").all_inner_texts()
    assert owners[0].startswith("Ana Lima") or owners[0].startswith("Chloe Martin")
    assert not any(o.startswith("Unassigned") for o in owners[:-1])
    ana = page.locator(".owner-group", has=page.locator("h3", has_text="Ana Lima"))
    owner = next(o for o in page_data(demo)["owners"] if o["email"] == "ana.lima@northwind.example")
    named = [f for f in findings if f["evidence"]["owner"] == "ana.lima@northwind.example"]
    assert ana.locator("details.finding").count() == len(owner["findings"]) >= len(named)
    page.select_option("#findings-sort", "system")
    systems = ana.locator(".f-system").all_inner_texts()
    assert systems == sorted(systems, key=str.lower)
    page.select_option("#findings-sort", "severity")


def test_the_scorecard_lists_every_system_and_sorts(demo: OpenedPage) -> None:
    data = page_data(demo)
    page = demo.page
    rows = page.locator("#scorecard tbody tr")
    assert rows.count() == len(data["nodes"])
    header = page.locator("#scorecard button.sort", has_text="Open findings")
    header.click()
    header.click()  # descending
    first = rows.first.locator("th .sys-name").inner_text()
    riskiest = max(data["nodes"], key=lambda n: (n.get("risk", 0)))
    assert first == riskiest["full"]


def test_print_layout_hides_the_controls(demo: OpenedPage) -> None:
    page = demo.page
    page.emulate_media(media="print")
    try:
        assert not page.locator(".graph-toolbar").is_visible()
        assert not page.locator(".findings-toolbar").is_visible()
        assert page.locator("#graph-canvas").is_visible()
        pdf = page.pdf(format="A4")
        assert pdf.startswith(b"%PDF") and len(pdf) > 20_000
    finally:
        page.emulate_media(media="screen")


# -- hostile names ----------------------------------------------------------------------------------------


def test_hostile_names_render_as_text_and_nothing_runs(browser: Any, hostile_dir: Path) -> None:
    report = hostile_dir / "report.html"
    opened = open_report(browser, report)
    page = opened.page
    assert_clean(opened, report)
    assert page.evaluate("typeof window.__pwned") == "undefined"
    # Everything a name could reach: every finding opened, every system and arrow clicked.
    page.click("#findings-expand")
    data = page_data(opened)
    for i in range(len(data["nodes"])):
        page.evaluate("i => window.stackauditGraph.selectNode(i, false)", i)
    for i in range(len(data["edges"])):
        page.evaluate("i => window.stackauditGraph.selectEdge(i)", i)
    for i, finding in enumerate(data["findings"]):
        if finding.get("systems"):
            page.evaluate("i => window.stackauditGraph.highlightFinding(i, false)", i)
    page.evaluate("window.stackauditGraph.selectGroup && 0")
    text = page.inner_text("body")
    for name in (IMG_ONERROR, SCRIPT_TAG, "\"><svg onload=alert(1)>", "=HYPERLINK("):
        assert name in text, name
    labels = page.eval_on_selector_all("#graph-canvas .node-label", "e => e.map(t => t.textContent)")
    assert IMG_ONERROR in labels or any(IMG_ONERROR in label for label in labels)
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.eval_on_selector_all("img, iframe, object, embed, svg svg", "e => e.length") == 0
    assert page.eval_on_selector_all("script", "e => e.length") == 2
    assert opened.dialogs == [] and opened.errors == [] and opened.console_errors() == []
    assert len(HOSTILE_NAMES) > 5


# -- a large stack ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def large_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    report: Report = make_report(*large_stack(600))
    return write_all(report, tmp_path_factory.mktemp("large-report"), "html")


def test_a_large_stack_groups_services_and_groups_expand(browser: Any, large_dir: Path) -> None:
    report = large_dir / "report.html"
    opened = open_report(browser, report)
    assert_clean(opened, report)
    page = opened.page
    data = page_data(opened)
    assert len(data["nodes"]) >= 600 and data["groups"]
    grouped = {m for g in data["groups"] for m in g["members"]}
    drawn = page.eval_on_selector_all("#graph-canvas [data-node]:not(.hidden)", "e => e.length")
    assert drawn == len(data["nodes"]) - len(grouped)  # the rest are inside the drawn groups
    assert page.eval_on_selector_all("#graph-canvas [data-group]:not(.hidden)", "e => e.length") == len(data["groups"])
    page.evaluate("window.stackauditGraph.selectGroup(0)")
    page.click("#graph-details button[data-action='expand']")
    members = data["groups"][0]["members"]
    shown = page.eval_on_selector_all("#graph-canvas [data-node]:not(.hidden)", "e => e.map(x => +x.dataset.node)")
    assert set(members) <= set(shown)
    assert page.locator("#graph-canvas [data-group='0']").get_attribute("class").split().count("hidden") == 1
    # The lists draw a page at a time and say so.
    assert len(data["findings"]) > 200
    more = page.locator("#findings p.more")
    more.scroll_into_view_if_needed()
    assert f"({len(data['findings']) - 200} not shown)" in (more.text_content() or "")
    assert page.locator("details.finding").count() == 200
    more.locator("button").click()
    assert page.locator("details.finding").count() == min(400, len(data["findings"]))
    assert page.locator("#scorecard tbody tr").count() == min(200, len(data["nodes"]))
    page.locator("#systems p.more").scroll_into_view_if_needed()
    page.click("#systems p.more button")
    assert page.locator("#scorecard tbody tr").count() == len(data["nodes"])
