"""``report.html``: one self-contained page for a CMO and a CIO to review together.

Executive summary, the interactive integration graph, the systems scorecard, the findings grouped by owner,
and what could not be scanned or evaluated. Everything is in the one file: the stylesheet and our own script
are inlined, and a Content-Security-Policy allows exactly those two (by their SHA-256 hashes, computed here)
and nothing from anywhere else, so the page works from an email attachment with no network.

Tenant data is attacker-controlled (anyone can name an OAuth app or a webhook), so every text goes through
HTML escaping here, the graph's data is embedded as JSON with ``<``, ``>``, ``&``, U+2028 and U+2029
escaped, and the script only ever writes text with ``textContent``.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
from collections.abc import Iterable, Mapping
from importlib import resources
from typing import Any

import networkx as nx

from stackaudit import __version__
from stackaudit.model import Severity
from stackaudit.reporter import Report
from stackaudit.reporters.graph_view import graph_view
from stackaudit.reporters.overview import (
    SANCTIONED,
    SEVERITY_ORDER,
    SHADOW,
    STATUS_HELP,
    STATUS_LABELS,
    UNOWNED,
    Overview,
    build_overview,
    category_label,
    data_label,
    format_date,
)

CHECK_STATUS_WORDS = {
    "partial": "Partly evaluated",
    "not_evaluated": "Not evaluated",
    "failed": "Failed",
    "skipped": "Skipped",
    "evaluated": "Evaluated",
}
CONNECTION_STATUS_WORDS = {"complete": "Complete", "partial": "Partly read", "failed": "Failed"}
NEEDS_SCRIPT = ("This part of the report is drawn by the page's own script: open the file in a web browser "
                "(report.md, findings.sarif and action-plan.csv hold the same findings without one).")
EVERYTHING_READ = '<span class="muted">everything was read</span>'


def h(value: Any) -> str:
    """HTML-escape any value (quotes included, so it is safe in attributes too)."""
    return html.escape(str(value), quote=True)


def embed_json(data: Any) -> str:
    """JSON safe inside ``<script type="application/json">``: no ``</script>``, no HTML, no JS line breaks."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return (text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def content_security_policy(scripts: Iterable[str], styles: Iterable[str]) -> str:
    """Nothing from elsewhere: only the given inline scripts and styles (by hash) and data: images."""
    return "; ".join((
        "default-src 'none'",
        "script-src " + " ".join(csp_hash(s) for s in scripts),
        "style-src " + " ".join(csp_hash(s) for s in styles),
        "img-src data:",
        "base-uri 'none'",
        "form-action 'none'",
    ))


def _asset(name: str) -> str:
    return resources.files("stackaudit.reporters").joinpath("assets", name).read_text(encoding="utf-8")


def render_html(report: Report, overview: Overview | None = None, view: dict[str, Any] | None = None) -> str:
    """The page. ``overview`` and ``view`` (the graph's data) are computed when not given."""
    overview = overview or build_overview(report)
    if view is None:
        graph = report.graph if report.graph is not None else nx.MultiDiGraph()
        view = graph_view(overview, graph, report.checks)
    style = _asset("report.css")
    script = _asset("report.js")
    title = f"Marketing stack audit: {overview.organization or 'scan'}, {format_date(overview.generated_at)}"
    body = "\n".join((
        _masthead(overview),
        "<main>",
        _summary(overview),
        _graph_section(overview, view),
        _scorecard(overview),
        _findings_section(overview),
        _coverage(overview),
        "</main>",
        _footer(overview),
    ))
    data = embed_json(view)
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<meta http-equiv=\"Content-Security-Policy\" content=\"{h(content_security_policy([script], [style]))}\">\n"
        "<meta name=\"referrer\" content=\"no-referrer\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<meta name=\"generator\" content=\"stackaudit {h(__version__)}\">\n"
        f"<title>{h(title)}</title>\n<style>{style}</style>\n</head>\n<body>\n{body}\n"
        f"<script type=\"application/json\" id=\"graph-data\">{data}</script>\n"
        f"<script>{script}</script>\n</body>\n</html>\n"
    )


# -- pieces ---------------------------------------------------------------------------------------------


def _severity_badge(severity: Severity | str) -> str:
    name = str(severity)
    return f"<span class=\"badge sev-{h(name)}\">{h(name.capitalize())}</span>"


def _status_badge(status: str) -> str:
    return f"<span class=\"status status-{h(status)}\">{h(STATUS_LABELS.get(status, status))}</span>"


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def _masthead(o: Overview) -> str:
    failed = [c for c in o.connections if c.status != "complete"]
    if not o.connections:
        state = "saved inventory"
    elif failed:
        state = (f"{len(o.connections) - len(failed)} of {_plural(len(o.connections), 'connection')} read "
                 "completely (see Coverage)")
    else:
        state = f"all {_plural(len(o.connections), 'connection')} read completely"
    return f"""<header class="masthead">
<div class="wrap">
<p class="eyebrow">Marketing technology stack audit</p>
<h1>{h(o.organization or "Stack audit")}</h1>
<p class="meta">Scanned {h(format_date(o.generated_at, time=True))} · {h(state)} · read-only</p>
<nav aria-label="Sections"><a href="#summary">Summary</a><a href="#graph">Integration graph</a>
<a href="#systems">Systems</a><a href="#findings">Findings</a><a href="#coverage">Coverage</a></nav>
</div>
</header>"""


def _lede(o: Overview) -> str:
    systems = len(o.systems)
    shadow = o.count_status(SHADOW)
    severity = o.by_severity()
    urgent = severity[Severity.CRITICAL] + severity[Severity.HIGH]
    flows = len(o.active_flows)
    parts = [f"We found <strong>{_plural(systems, 'system')}</strong> in the marketing stack; "
             f"{o.sanctioned_count} {'is' if o.sanctioned_count == 1 else 'are'} approved by IT."]
    if shadow:
        parts.append(f"<strong>{shadow}</strong> {'is' if shadow == 1 else 'are'} shadow IT: in use without "
                     "approval.")
    if flows:
        parts.append(f"{len(o.pii_flows)} of {_plural(flows, 'data flow')} carry personal data.")
    open_count = len(o.open_findings)
    if open_count:
        parts.append(f"There {'is' if open_count == 1 else 'are'} <strong>{_plural(open_count, 'open finding')}"
                     f"</strong>" + (f", {urgent} of {'it' if open_count == 1 else 'them'} high or critical."
                                     if urgent else "."))
    else:
        parts.append("No open findings.")
    return " ".join(parts)


def _tile(value: int | str, label: str, note: str, tone: str = "") -> str:
    return (f"<div class=\"tile{(' tone-' + tone) if tone else ''}\"><p class=\"tile-value\">{h(value)}</p>"
            f"<p class=\"tile-label\">{h(label)}</p><p class=\"tile-note\">{h(note)}</p></div>")


def _bars(rows: list[tuple[str, str, int]], css_prefix: str) -> str:
    """Horizontal bars as inline SVG (no style attributes: the page's policy forbids them)."""
    top = max((n for _k, _l, n in rows), default=0) or 1
    height = 26 * len(rows)
    out = [f"<svg class=\"bars\" viewBox=\"0 0 440 {height}\" role=\"img\" aria-hidden=\"true\" "
           f"preserveAspectRatio=\"xMinYMin meet\">"]
    for i, (key, _label, n) in enumerate(rows):
        width = 0 if n == 0 else max(3, round(230 * n / top))
        y = i * 26
        out.append(f"<rect class=\"bar {css_prefix}{h(key)}\" x=\"150\" y=\"{y + 5}\" width=\"{width}\" height=\"16\""
                   " rx=\"3\"></rect>")
        out.append(f"<text class=\"bar-label\" x=\"0\" y=\"{y + 18}\">{h(_label)}</text>")
        out.append(f"<text class=\"bar-value\" x=\"{150 + width + 6}\" y=\"{y + 18}\">{n}</text>")
    out.append("</svg>")
    table = "".join(f"<tr><th scope=\"row\">{h(label)}</th><td>{n}</td></tr>" for _k, label, n in rows)
    return "".join(out) + f"<table class=\"visually-hidden\"><tbody>{table}</tbody></table>"


def _summary(o: Overview) -> str:
    severity = o.by_severity()
    open_count = len(o.open_findings)
    severity_note = " · ".join(f"{n} {s}" for s, n in severity.items() if n) or "nothing to fix"
    if o.waived_findings:
        severity_note += f" · {len(o.waived_findings)} waived"
    tiles = "".join((
        _tile(len(o.systems), "Systems found", f"{o.sanctioned_count} sanctioned by IT"),
        _tile(o.count_status(SHADOW), "Shadow IT", "in use without IT's approval",
              "shadow" if o.count_status(SHADOW) else ""),
        _tile(o.count_status(UNOWNED), "Unowned", "systems nobody answers for",
              "unowned" if o.count_status(UNOWNED) else ""),
        _tile(len(o.active_flows), "Data flows", f"{len(o.pii_flows)} carry personal data (PII)"),
        _tile(open_count, "Open findings", severity_note, "alert" if open_count else ""),
    ))
    severity_rows = [(str(s), str(s).capitalize(), n) for s, n in severity.items()]
    category_rows = [(c, category_label(c), n) for c, n in o.by_category().items()]
    charts = (f"<div class=\"chart\"><h3>Open findings by severity</h3>{_bars(severity_rows, 'sev-')}</div>"
              f"<div class=\"chart\"><h3>Open findings by kind of problem</h3>"
              + (_bars(category_rows, 'cat-') if category_rows else "<p class=\"muted\">None.</p>") + "</div>")
    risks = o.top_risks()
    if risks:
        items = []
        for risk in risks:
            row = risk.row
            f = row.finding
            where = ", ".join(o.system[s].short for s in row.systems[:3] if s in o.system)
            about = next((label for _id, label in row.subjects if _id not in o.system), "")
            similar = (f"<a href=\"#findings\" class=\"similar\" data-check=\"{h(f.check_id)}\">"
                       f"{risk.similar} more like it</a>") if risk.similar else ""
            items.append(
                f"<li class=\"risk sev-{h(str(f.severity))}\">{_severity_badge(f.severity)}"
                f"<div class=\"risk-body\"><h4>{h(f.title)}</h4>"
                f"<p class=\"where\">{h(where)}{(' · ' + h(_shorten(about, 80))) if about else ''}</p>"
                f"<p class=\"detail\">{h(f.message)}</p></div>"
                f"<div class=\"risk-owner\"><span class=\"muted\">Owner</span><strong>{h(o.person(row.owner))}"
                f"</strong><a href=\"#{h(row.anchor)}\">Details</a>{similar}</div></li>")
        top = f"<h3>Top risks</h3><ol class=\"risks\">{''.join(items)}</ol>"
    else:
        top = "<h3>Top risks</h3><p>Nothing open. Keep scanning regularly: stacks change every month.</p>"
    return (f"<section id=\"summary\"><h2>Executive summary</h2><p class=\"lede\">{_lede(o)}</p>"
            f"<div class=\"tiles\">{tiles}</div><div class=\"charts\">{charts}</div>{top}{_changes(o)}</section>")


def _changes(o: Overview) -> str:
    changes = o.changes
    if changes is None:
        return ""
    since = f" ({h(changes.since)})" if changes.since else ""
    if not changes.groups:
        body = "<p>Nothing changed.</p>"
    else:
        blocks = []
        for group in changes.groups:
            items = "".join(f"<li>{h(item)}</li>" for item in group.items[:50])
            more = f"<li class=\"muted\">and {len(group.items) - 50} more</li>" if len(group.items) > 50 else ""
            blocks.append(f"<div class=\"change\"><h4>{h(group.title)} <span class=\"count\">{len(group.items)}"
                          f"</span></h4><ul>{items}{more}</ul></div>")
        body = f"<div class=\"changes\">{''.join(blocks)}</div>"
    notes = "".join(f"<p class=\"note\">{h(n)}</p>" for n in changes.notes)
    return f"<div id=\"changes\"><h3>What changed since the last scan{since}</h3>{body}{notes}</div>"


def _options(pairs: Iterable[Iterable[str]], everything: str) -> str:
    out = [f"<option value=\"\">{h(everything)}</option>"]
    out += [f"<option value=\"{h(value)}\">{h(label)}</option>" for value, label in pairs]
    return "".join(out)


def _legend() -> str:
    swatches = "".join(
        f"<li><svg viewBox=\"0 0 16 16\" aria-hidden=\"true\"><circle class=\"node-fill status-{s}\" cx=\"8\" cy=\"8\" "
        f"r=\"6\"></circle></svg>{h(STATUS_LABELS[s])}<span class=\"muted\"> ({h(STATUS_HELP[s])})</span></li>"
        for s in (SANCTIONED, SHADOW, UNOWNED))
    return (f"<ul class=\"legend\">{swatches}"
            "<li><svg viewBox=\"0 0 16 16\" aria-hidden=\"true\">"
            "<circle class=\"risk-ring sev-high\" cx=\"8\" cy=\"8\" "
            "r=\"5.5\"></circle></svg>Red ring: a high or critical finding is open; size: how much is open</li>"
            "<li><svg viewBox=\"0 0 22 10\" aria-hidden=\"true\"><path class=\"legend-arrow\" d=\"M1 5H17\"></path>"
            "<path class=\"legend-arrowhead\" d=\"M15 1L21 5L15 9Z\"></path></svg>Data flows this way</li>"
            "<li><svg viewBox=\"0 0 22 10\" aria-hidden=\"true\"><path class=\"legend-sign-in\" d=\"M1 5H21\"></path>"
            "</svg>Single sign-on (who may log in, not data)</li></ul>")


def _graph_section(o: Overview, view: Mapping[str, Any]) -> str:
    if not view["nodes"]:
        return ("<section id=\"graph\"><h2>Integration graph</h2>"
                "<p>No systems were found, so there is nothing to draw.</p></section>")
    filters = view["filters"]
    grouped = (f" Where one system talks to many services, they are grouped ({len(view['groups'])} groups); "
               "click a group to expand it.") if view["groups"] else ""
    severities = _options([[s, f"{label} or worse"] for s, label in filters["severity"]], "Any or none")
    label = f"Integration graph of {_plural(len(o.systems), 'system')}"
    return f"""<section id="graph">
<h2>Integration graph</h2>
<p class="section-lede">Every system we found and how data moves between them. Colour shows the status, size shows
how much is open (a red ring: something high or critical), arrows show which way data moves. Click a system or an
arrow for its details and findings; drag to move, scroll or use the buttons to zoom.{h(grouped)}</p>
<div class="graph-toolbar" role="toolbar" aria-label="Graph filters">
<label>Data <select id="filter-data">{_options(filters["data"], "All data")}</select></label>
<label>Kind of system <select id="filter-category">{_options(filters["category"], "All kinds")}</select></label>
<label>Findings <select id="filter-severity">{severities}</select></label>
<label>Status <select id="filter-status">{_options(filters["status"], "Any status")}</select></label>
<button type="button" id="filter-reset">Reset</button>
<span class="spacer"></span>
<span id="graph-count" class="muted" aria-live="polite"></span>
</div>
<div class="graph-layout">
<div class="graph-frame"><div class="zoom-controls">
<button type="button" id="zoom-in" aria-label="Zoom in">+</button>
<button type="button" id="zoom-out" aria-label="Zoom out">&minus;</button>
<button type="button" id="zoom-fit" aria-label="Fit the whole graph">Fit</button></div>
<svg id="graph-canvas" role="img" aria-label="{h(label)}" xmlns="http://www.w3.org/2000/svg"></svg>
<noscript><p class="noscript">The interactive graph needs JavaScript; graph.svg next to this file is a static copy.
</p></noscript></div>
<aside id="graph-details" aria-live="polite">
<p class="hint">Select a system or an arrow to see its details and findings.</p></aside>
</div>
{_legend()}
</section>"""


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _data_text(data: Iterable[str]) -> str:
    return ", ".join(data_label(d) for d in data) or "—"


def _scorecard(o: Overview) -> str:
    head = "".join(f"<th scope=\"col\"><button type=\"button\" class=\"sort\" data-col=\"{i}\">{h(name)}</button></th>"
                   for i, name in enumerate(("System", "Status", "Owner", "Data held", "Users / admins",
                                              "MFA (people)", "Open findings")))
    return (f"<section id=\"systems\"><h2>Systems scorecard</h2>"
            f"<p class=\"section-lede\">One row per system ({_plural(len(o.systems), 'system')}). Users and MFA count "
            "active accounts; \"not reported\" means the vendor does not say, which is never taken for \"off\". "
            "Click a column to sort.</p>"
            f"<div class=\"table-scroll\"><table class=\"scorecard sortable\" id=\"scorecard\"><thead><tr>{head}</tr>"
            "</thead><tbody></tbody></table></div>"
            f"<noscript><p class=\"noscript\">{NEEDS_SCRIPT}</p></noscript></section>")


def _findings_section(o: Overview) -> str:
    if not o.findings:
        return ("<section id=\"findings\"><h2>Findings</h2><p>The checks found nothing to report.</p>"
                "</section>")
    categories = _options([[c, category_label(c)] for c in dict.fromkeys(r.finding.category for r in o.findings)],
                          "All kinds")
    severities = _options([[str(int(s)), f"{str(s).capitalize()} or worse"] for s in SEVERITY_ORDER], "Any severity")
    waived = len(o.waived_findings)
    return f"""<section id="findings">
<h2>Findings</h2>
<p class="section-lede">Grouped by the person who should act (the system's owner in the registry, or whoever set the
thing up). Open one for its evidence (the API objects it rests on), what to do, and whether it is waived.</p>
<div class="findings-toolbar" role="toolbar" aria-label="Filter and sort findings">
<label>Search <input type="search" id="findings-search" placeholder="system, person, problem"></label>
<label>Severity <select id="findings-severity">{severities}</select></label>
<label>Kind <select id="findings-category">{categories}</select></label>
<label>Sort by <select id="findings-sort"><option value="severity">Severity</option>
<option value="system">System</option><option value="category">Kind</option><option value="title">Problem</option>
</select></label>
<label class="check"><input type="checkbox" id="findings-waived" checked> Show waived ({waived})</label>
<button type="button" id="findings-expand">Expand all</button>
<span id="findings-count" class="muted" aria-live="polite"></span>
</div>
<div id="findings-list"></div>
<noscript><p class="noscript">{NEEDS_SCRIPT}</p></noscript>
</section>"""


def _coverage(o: Overview) -> str:
    connection_rows = []
    for c in o.connections:
        gaps = "".join(f"<li><strong>{h(area)}</strong>: {h(reason)}</li>" for area, reason in c.gaps)
        detail = (f"<ul>{gaps}</ul>" if gaps else "") + (f"<p>{h(c.message)}</p>" if c.message else "")
        connection_rows.append(
            f"<tr class=\"conn-{h(c.status)}\"><th scope=\"row\">{h(c.name)}</th><td>{h(c.connector)}</td>"
            f"<td><span class=\"state state-{h(c.status)}\">{h(CONNECTION_STATUS_WORDS.get(c.status, c.status))}"
            f"</span></td><td>{detail or EVERYTHING_READ}</td></tr>")
    connections = (
        "<h3>Connections</h3><div class=\"table-scroll\"><table class=\"coverage\"><thead><tr><th scope=\"col\">"
        "Connection</th><th scope=\"col\">Connector</th><th scope=\"col\">Result</th><th scope=\"col\">What could not "
        f"be read</th></tr></thead><tbody>{''.join(connection_rows)}</tbody></table></div>"
        if connection_rows else "<h3>Connections</h3><p>This report was made from a saved inventory.</p>")
    incomplete = o.incomplete_checks
    if incomplete:
        rows = "".join(
            f"<tr><th scope=\"row\">{h(c.title)}<span class=\"muted mono\">{h(c.id)}</span></th>"
            f"<td><span class=\"state state-{h(c.status)}\">{h(CHECK_STATUS_WORDS.get(c.status, c.status))}</span></td>"
            f"<td>{h(c.reason)}</td></tr>" for c in incomplete)
        checks = ("<h3>Checks that could not be fully evaluated</h3><p>These are not passes: the scan could not tell."
                  "</p><div class=\"table-scroll\"><table class=\"coverage\"><thead><tr><th scope=\"col\">Check</th>"
                  "<th scope=\"col\">Result</th><th scope=\"col\">Why</th></tr></thead>"
                  f"<tbody>{rows}</tbody></table></div>")
    else:
        checks = f"<h3>Checks</h3><p>All {_plural(len(o.checks), 'check')} could be evaluated.</p>"
    waivers = ""
    if o.waivers:
        rows = "".join(
            f"<tr><th scope=\"row\">{h(w.finding or (w.check + ' ' + (w.subject or '*')))}</th>"
            f"<td><span class=\"state state-{h(w.state.value)}\">{h(w.state.value.capitalize())}</span></td>"
            f"<td>{h(w.approved_by)}</td><td>{h(w.expires or 'no expiry')}</td><td>{h(w.reason)}</td>"
            f"<td class=\"num\">{len(w.matched)}</td></tr>" for w in o.waivers)
        waivers = ("<h3>Waivers</h3><div class=\"table-scroll\"><table class=\"coverage\"><thead><tr>"
                   "<th scope=\"col\">Waiver</th><th scope=\"col\">State</th><th scope=\"col\">Approved by</th>"
                   "<th scope=\"col\">Expires</th><th scope=\"col\">Reason</th><th scope=\"col\">Findings</th></tr>"
                   f"</thead><tbody>{rows}</tbody></table></div>")
    return (f"<section id=\"coverage\"><h2>Coverage</h2><p class=\"section-lede\">What this scan "
            f"could not see or judge, so nobody mistakes silence for safety.</p>{connections}{checks}{waivers}"
            "</section>")


def _footer(o: Overview) -> str:
    return (f"<footer class=\"wrap\"><p>Made by stackaudit {h(__version__)} from a read-only scan on "
            f"{h(format_date(o.generated_at, time=True))}. This file is self-contained: it loads nothing from the "
            "network.</p></footer>")
