"""report.html as a file: self-contained, a policy that allows only its own inline code, data embedded safely,
hostile names escaped, the summary's figures, and the "what changed" section only when there is history."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from report_helpers import make_report

from stackaudit.config import load_config
from stackaudit.model import Inventory
from stackaudit.reporter import Report
from stackaudit.reporters.html import embed_json, render_html
from stackaudit.reporters.overview import build_overview
from stackaudit.testing.report_stacks import HOSTILE_NAMES, IMG_ONERROR, SCRIPT_TAG


class Page(HTMLParser):
    """Every tag with its attributes, and the text of each <script> and <style>."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.blocks: list[tuple[str, dict[str, str], str]] = []
        self._open: tuple[str, dict[str, str]] | None = None
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        self.tags.append((tag, values))
        if tag in ("script", "style"):
            self._open = (tag, values)

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self.blocks.append((*self._open, data))
            self._open = None

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._open = None


def sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


@pytest.fixture(scope="module")
def demo_html(demo_dir: Path) -> str:
    return (demo_dir / "report.html").read_text(encoding="utf-8")


def policy_of(text: str) -> dict[str, list[str]]:
    page = Page(text)
    metas = [a for tag, a in page.tags if tag == "meta" and a.get("http-equiv", "").lower() == "content-security-policy"]
    assert len(metas) == 1
    return {d.split()[0]: d.split()[1:] for d in (p.strip() for p in metas[0]["content"].split(";")) if d}


def test_the_policy_forbids_everything_but_the_pages_own_inline_script_and_style(demo_html: str) -> None:
    policy = policy_of(demo_html)
    assert policy["default-src"] == ["'none'"]
    assert policy["img-src"] == ["data:"]
    assert policy["base-uri"] == ["'none'"] and policy["form-action"] == ["'none'"]
    page = Page(demo_html)
    scripts = [body for tag, attrs, body in page.blocks if tag == "script" and attrs.get("type") != "application/json"]
    styles = [body for tag, _attrs, body in page.blocks if tag == "style"]
    assert len(scripts) == 1 and len(styles) == 1
    assert policy["script-src"] == [sha256(scripts[0])]
    assert policy["style-src"] == [sha256(styles[0])]
    assert "unsafe-inline" not in demo_html and "unsafe-eval" not in demo_html


def test_the_page_loads_nothing_from_anywhere(demo_html: str) -> None:
    page = Page(demo_html)
    for tag, attrs in page.tags:
        assert "src" not in attrs, (tag, attrs)
        assert tag not in ("link", "iframe", "object", "embed", "img", "base")
        href = attrs.get("href")
        if href is not None:
            assert href.startswith("#"), href
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)  # no inline handlers
        assert "style" not in attrs, (tag, attrs)  # the policy would refuse them
    assert not re.search(r"url\((?!#)|@import|https?://(?!www\.w3\.org/2000/svg)[^\s\"<]+\.(js|css|woff2?)", demo_html)


def test_json_is_embedded_so_no_text_can_close_the_script(hostile_report: Report) -> None:
    text = render_html(hostile_report)
    start = text.index('<script type="application/json" id="graph-data">') + len(
        '<script type="application/json" id="graph-data">')
    block = text[start:text.index("</script>", start)]
    assert not set(block) & {"<", ">", "&", "\u2028", "\u2029"}
    data = json.loads(block)
    labels = {n["full"] for n in data["nodes"]}
    assert IMG_ONERROR in labels and SCRIPT_TAG in labels  # the names survive, as data
    assert embed_json({"a": "</script>\u2028&"}) == '{"a":"\\u003c/script\\u003e\\u2028\\u0026"}'


def test_hostile_names_only_ever_appear_escaped(hostile_report: Report) -> None:
    page = render_html(hostile_report)
    start = page.index('<script type="application/json"')
    text = page[:start] + page[page.index("</script>", start):]  # the markup, without the JSON data
    for name in HOSTILE_NAMES:
        if any(c in name for c in "<>\"'&"):
            assert name not in text, name
    assert page.count("</script>") == 2  # the data block's and the script's own
    assert "<img" not in text and "<svg onload" not in text and "<iframe" not in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in text  # the system's name in the summary, as text


def test_the_summary_gives_the_headline_figures_in_plain_words(demo_dir: Path, demo_html: str) -> None:
    report = make_report(Inventory.load(demo_dir / "inventory.json"), load_config(demo_dir / "stackaudit.toml"))
    overview = build_overview(report)
    summary = demo_html[demo_html.index('<section id="summary"'):demo_html.index('<section id="graph"')]
    assert f"We found <strong>{len(overview.systems)} systems</strong>" in summary
    assert f"{overview.sanctioned_count} are approved by IT" in summary
    assert f"{len(overview.pii_flows)} of {len(overview.active_flows)} data flows carry personal data" in summary
    assert "Top risks" in summary and "Owner</span><strong>Ana Lima</strong>" in summary
    for risk in overview.top_risks():
        assert f'href="#{risk.row.anchor}"' in summary
    assert "What changed since the last scan" not in demo_html


def test_the_changes_section_appears_when_scan_history_provides_a_diff(hostile_report: Report) -> None:
    diff = {"old_scan": {"recorded_at": "2026-05-01T08:00:00+00:00"},
            "findings": {"new": [{"id": "x", "label": IMG_ONERROR, "severity": "high"}], "resolved": []},
            "systems": {"appeared": [], "disappeared": [{"id": "y", "label": "Old CRM"}], "unchanged": 4}}
    text = render_html(dataclasses.replace(hostile_report, diff=diff))  # type: ignore[arg-type]
    section = text[text.index('<div id="changes">'):]
    assert "What changed since the last scan (the scan of 1 May 2026)" in section
    assert "New findings" in section and "&lt;img src=x onerror=alert(1)&gt; (high)" in section
    assert "Systems that disappeared" in section and "Old CRM" in section
    assert '<div id="changes">' not in render_html(hostile_report)


def test_a_report_without_a_graph_still_renders(hostile_report: Report) -> None:
    bare = Report(inventory=hostile_report.inventory, findings=hostile_report.findings,
                  coverage=hostile_report.coverage, checks=hostile_report.checks)
    text = render_html(bare)
    assert "No systems were found" in text
    assert "Executive summary" in text


def test_the_script_never_parses_data_as_markup() -> None:
    from importlib import resources

    script = resources.files("stackaudit.reporters").joinpath("assets", "report.js").read_text(encoding="utf-8")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function",
                 "setAttribute(\"style\"", "cssText", "srcdoc"):
        assert sink not in script, sink
    assert "textContent" in script and "createTextNode" in script
