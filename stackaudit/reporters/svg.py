"""``graph.svg``: the integration graph as one static picture for slides.

Same layout as the HTML report's graph (groups of leaf services stay collapsed). Styling is written as SVG
presentation attributes rather than CSS, and arrowheads are drawn as triangles rather than markers, because
slide tools that import SVG often ignore both.
"""

from __future__ import annotations

import math
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from stackaudit.reporter import Report
from stackaudit.reporters.graph_view import graph_view
from stackaudit.reporters.overview import STATUS_LABELS, STATUSES, Overview, build_overview, format_date

STATUS_FILL = {"sanctioned": "#4f8f7a", "shadow": "#d9822b", "unowned": "#8b7cb8"}
SEVERITY_STROKE = {"critical": "#8f1f2c", "high": "#c2413a", "medium": "#c99a2e", "low": "#5b86b8"}
EDGE = "#a9b4bf"
EDGE_HIGH = "#d27a74"
SIGN_IN = "#9db4cc"  # single sign-on: identity, not data
INK = "#1f2a37"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Liberation Sans', Arial, sans-serif"
LABEL_ALL_UP_TO = 150
HEADER = 70.0
FOOTER = 56.0


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _edge(a: tuple[float, float, float], b: tuple[float, float, float], both: bool, colour: str, dashed: bool
          ) -> list[str]:
    (ax, ay, ar), (bx, by, br) = a, b
    dx, dy = bx - ax, by - ay
    length = math.hypot(dx, dy)
    if length < 1:
        return []
    ux, uy = dx / length, dy / length
    dash = " stroke-dasharray=\"4 3\"" if dashed else ""
    if both:
        bend = min(40.0, length * 0.18)
        cx, cy = (ax + bx) / 2 - uy * bend, (ay + by) / 2 + ux * bend
        sl = math.hypot(cx - ax, cy - ay) or 1.0
        tl = math.hypot(bx - cx, by - cy) or 1.0
        sx, sy = ax + (cx - ax) / sl * (ar + 2), ay + (cy - ay) / sl * (ar + 2)
        ex, ey = bx - (bx - cx) / tl * (br + 4), by - (by - cy) / tl * (br + 4)
        tx, ty = (bx - cx) / tl, (by - cy) / tl
        path = f"M{_n(sx)},{_n(sy)} Q{_n(cx)},{_n(cy)} {_n(ex)},{_n(ey)}"
    else:
        sx, sy = ax + ux * (ar + 2), ay + uy * (ar + 2)
        ex, ey = bx - ux * (br + 4), by - uy * (br + 4)
        tx, ty = ux, uy
        path = f"M{_n(sx)},{_n(sy)} L{_n(ex)},{_n(ey)}"
    # The arrowhead: a triangle whose tip is the end of the line.
    px, py = -ty, tx
    head = (f"{_n(ex)},{_n(ey)} {_n(ex - tx * 8 + px * 3.5)},{_n(ey - ty * 8 + py * 3.5)} "
            f"{_n(ex - tx * 8 - px * 3.5)},{_n(ey - ty * 8 - py * 3.5)}")
    return [f"<path d=\"{path}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"1.4\"{dash}/>",
            f"<polygon points=\"{head}\" fill=\"{colour}\"/>"]


def render_svg(report: Report, overview: Overview | None = None, view: dict[str, Any] | None = None) -> str:
    """The picture. ``overview`` and ``view`` (the graph's data) are computed when not given."""
    overview = overview or build_overview(report)
    if view is None:
        view = graph_view(overview, report.graph) if report.graph is not None else {
            "nodes": [], "edges": [], "groups": [], "width": 400.0, "height": 200.0}
    nodes, groups = view["nodes"], view["groups"]
    width = max(float(view["width"]), 900.0)
    height = float(view["height"]) + HEADER + FOOTER

    def place(i: int) -> tuple[float, float, float]:
        node = nodes[i]
        if node.get("group", -1) >= 0:
            group = groups[node.get("group", -1)]
            return (group["x"], group["y"] + HEADER, 14 + math.sqrt(len(group["members"])) * 2)
        return (node["x"], node["y"] + HEADER, node["r"])

    title = f"{overview.organization or 'Marketing stack'}: integration graph"
    subtitle = (f"{len(overview.systems)} systems, {len(overview.active_flows)} data flows "
                f"({len(overview.pii_flows)} with personal data); scanned {format_date(overview.generated_at)}")
    out = [
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
        f"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {_n(width)} {_n(height)}\" width=\"{_n(width)}\" "
        f"height=\"{_n(height)}\" font-family={quoteattr(FONT)}>",
        f"<title>{escape(title)}</title>",
        f"<rect width=\"{_n(width)}\" height=\"{_n(height)}\" fill=\"#ffffff\"/>",
        f"<text x=\"24\" y=\"34\" font-size=\"20\" font-weight=\"650\" fill=\"{INK}\">{escape(title)}</text>",
        f"<text x=\"24\" y=\"56\" font-size=\"13\" fill=\"#4b5867\">{escape(subtitle)}</text>",
        "<g>",
    ]
    drawn: set[tuple[float, float, float, float]] = set()
    for edge in view["edges"]:
        a, b = place(edge["s"]), place(edge["t"])
        segment = (a[0], a[1], b[0], b[1])
        if segment in drawn:  # collapsed members share their group's line
            continue
        drawn.add(segment)
        colour = EDGE_HIGH if edge["worst"] in ("critical", "high") else SIGN_IN if edge.get("sign_in") else EDGE
        out += _edge(a, b, edge["both"], colour, not edge["active"] or bool(edge.get("sign_in")))
    out.append("</g><g>")
    label_all = len(nodes) <= LABEL_ALL_UP_TO
    for node in nodes:
        if node.get("group", -1) >= 0:
            continue
        x, y, r = node["x"], node["y"] + HEADER, node["r"]
        stroke = (f" stroke=\"{INK}\" stroke-width=\"1.6\"" if node.get("tenant")
                  else " stroke=\"#ffffff\" stroke-width=\"1.5\"")
        fill = STATUS_FILL[node.get("status", "unowned")]
        out.append(f"<circle cx=\"{_n(x)}\" cy=\"{_n(y)}\" r=\"{_n(r)}\" fill=\"{fill}\"{stroke}/>")
        if node.get("worst") in ("critical", "high"):
            out.append(f"<circle cx=\"{_n(x)}\" cy=\"{_n(y)}\" r=\"{_n(r + 3)}\" fill=\"none\" "
                       f"stroke=\"{SEVERITY_STROKE[node['worst']]}\" stroke-width=\"2.5\"/>")
        if label_all or node.get("tenant") or node.get("worst") in ("critical", "high"):
            weight = " font-weight=\"650\"" if node.get("tenant") else ""
            out.append(f"<text x=\"{_n(x)}\" y=\"{_n(y + r + 14)}\" font-size=\"{12 if node.get('tenant') else 11}\" "
                       f"text-anchor=\"middle\" fill=\"{INK}\" stroke=\"#ffffff\" stroke-width=\"3\" "
                       f"paint-order=\"stroke\"{weight}>{escape(node['label'])}</text>")
    for group in groups:
        size = 14 + math.sqrt(len(group["members"])) * 2
        x, y = group["x"], group["y"] + HEADER
        out.append(f"<rect x=\"{_n(x - size)}\" y=\"{_n(y - size * 0.75)}\" width=\"{_n(2 * size)}\" "
                   f"height=\"{_n(1.5 * size)}\" rx=\"6\" fill=\"{STATUS_FILL.get(group['status'], '#9aa5b1')}\" "
                   "stroke=\"#ffffff\" stroke-width=\"1.5\"/>")
        out.append(f"<text x=\"{_n(x)}\" y=\"{_n(y + 4)}\" font-size=\"11\" font-weight=\"700\" text-anchor=\"middle\" "
                   f"fill=\"#ffffff\">{len(group['members'])}</text>")
        out.append(f"<text x=\"{_n(x)}\" y=\"{_n(y + size * 0.75 + 14)}\" font-size=\"11\" text-anchor=\"middle\" "
                   f"fill=\"{INK}\" stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\">"
                   f"{escape(group['label'])}</text>")
    out.append("</g>")
    legend_y = height - FOOTER / 2
    x = 24.0
    for status in STATUSES:
        out.append(f"<circle cx=\"{_n(x + 6)}\" cy=\"{_n(legend_y - 4)}\" r=\"6\" fill=\"{STATUS_FILL[status]}\"/>")
        out.append(f"<text x=\"{_n(x + 18)}\" y=\"{_n(legend_y)}\" font-size=\"12\" fill=\"#4b5867\">"
                   f"{escape(STATUS_LABELS[status])}</text>")
        x += 120
    out.append(f"<circle cx=\"{_n(x + 6)}\" cy=\"{_n(legend_y - 4)}\" r=\"5.5\" fill=\"none\" "
               f"stroke=\"{SEVERITY_STROKE['high']}\" stroke-width=\"2.5\"/>")
    out.append(f"<text x=\"{_n(x + 18)}\" y=\"{_n(legend_y)}\" font-size=\"12\" fill=\"#4b5867\">red ring: a high or "
               "critical finding; size: how much is open; arrows: the way data moves; dashed: single sign-on"
               "</text>")
    out.append("</svg>")
    return "\n".join(out) + "\n"
