"""graph.graphml, graph.gexf and graph.svg from the demo: every system is in them, and other tools can read them."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx

from stackaudit.reporter import Report
from stackaudit.reporters.svg import render_svg
from stackaudit.testing.report_stacks import IMG_ONERROR


def demo_systems(demo_dir: Path) -> set[str]:
    document = json.loads((demo_dir / "graph.json").read_text(encoding="utf-8"))
    return {n["id"] for n in document["nodes"] if n.get("kind") == "system"}


def test_graphml_and_gexf_are_readable_by_networkx(demo_dir: Path) -> None:
    systems = demo_systems(demo_dir)
    assert len(systems) > 10
    for graph in (nx.read_graphml(demo_dir / "graph.graphml"), nx.read_gexf(demo_dir / "graph.gexf")):
        assert systems <= set(graph.nodes)
        flows = [d for _u, _v, d in graph.edges(data=True) if d.get("kind") == "flow"]
        assert flows and all(d.get("flow_kind") for d in flows)
        salesforce = next(n for n in systems if n.startswith("northwind-salesforce:tenant:"))
        assert graph.nodes[salesforce]["sanctioned"] in (1, "1", True)


def test_the_slide_picture_is_well_formed_svg_with_every_system(demo_dir: Path) -> None:
    root = ET.parse(demo_dir / "graph.svg").getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    ns = {"s": "http://www.w3.org/2000/svg"}
    texts = {t.text for t in root.iterfind(".//s:text", ns)}
    assert "Salesforce" in texts and "Zapier" in texts
    circles = root.findall(".//s:g/s:circle", ns)
    assert len([c for c in circles if c.get("fill") != "none"]) == len(demo_systems(demo_dir))
    assert root.find(".//s:style", ns) is None and root.find(".//s:marker", ns) is None  # slide tools ignore both


def test_the_slide_picture_escapes_names(hostile_report: Report) -> None:
    text = render_svg(hostile_report)
    root = ET.fromstring(text.encode())
    assert IMG_ONERROR in {t.text for t in root.iter("{http://www.w3.org/2000/svg}text")}
    assert "<img" not in text and "<script" not in text
