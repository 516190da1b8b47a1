"""``report.md``: the report in Markdown, to paste into a wiki page or a ticket.

Summary, top risks, what changed since the last scan (when known), findings grouped by owner with what to
do, the systems scorecard and coverage. Tenant-controlled text is escaped so that it stays text in any
CommonMark renderer (no links, images or HTML can be smuggled in through an app's or a webhook's name).
"""

from __future__ import annotations

from stackaudit.reporter import Report
from stackaudit.reporters.graph_view import category_name
from stackaudit.reporters.overview import (
    SHADOW,
    STATUS_LABELS,
    UNOWNED,
    build_overview,
    category_label,
    data_label,
    format_date,
)

# What could turn text into markup anywhere in a line: emphasis, code, links and images, HTML, entities, tables.
_SPECIAL = frozenset("\\`*_[]<>|&~")
# What could at the start of a line: headings, lists, quotes, thematic breaks.
_LEADING = frozenset("#+-=>.")


def md(text: object) -> str:
    """Text on one line that every CommonMark renderer shows as text (a backslash escapes ASCII punctuation)."""
    flat = " ".join(str(text).split())
    escaped = "".join("\\" + c if c in _SPECIAL else c for c in flat)
    if escaped[:1] in _LEADING or escaped[:1].isdigit():
        escaped = "\\" + escaped if not escaped[:1].isdigit() else escaped.replace(".", "\\.", 1).replace(")", "\\)", 1)
    return escaped


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def render_markdown(report: Report) -> str:
    o = build_overview(report)
    lines: list[str] = []
    add = lines.append
    add(f"# Marketing stack audit: {md(o.organization or 'scan')}")
    add("")
    failed = [c for c in o.connections if c.status != "complete"]
    state = (f"{len(o.connections) - len(failed)} of {_plural(len(o.connections), 'connection')} read completely"
             if failed else f"all {_plural(len(o.connections), 'connection')} read completely")
    add(f"Scanned {md(format_date(o.generated_at, time=True))} · {state} · read\\-only")
    add("")
    add("## Summary")
    add("")
    severity = o.by_severity()
    open_text = ", ".join(f"{n} {s}" for s, n in severity.items() if n) or "none"
    add("| Figure | This scan |")
    add("|---|---|")
    add(f"| Systems found | {len(o.systems)} ({o.sanctioned_count} sanctioned by IT) |")
    add(f"| Shadow IT | {o.count_status(SHADOW)} in use without IT's approval |")
    add(f"| Unowned | {o.count_status(UNOWNED)} systems nobody answers for |")
    add(f"| Data flows | {len(o.active_flows)} ({len(o.pii_flows)} carry personal data) |")
    add(f"| Open findings | {len(o.open_findings)} ({open_text}); {len(o.waived_findings)} waived |")
    add("")
    categories = o.by_category()
    if categories:
        add("Open findings by kind: " + ", ".join(f"{category_label(c)} {n}" for c, n in categories.items()) + ".")
        add("")
    add("## Top risks")
    add("")
    risks = o.top_risks()
    if not risks:
        add("Nothing open.")
    for i, risk in enumerate(risks, 1):
        f = risk.row.finding
        similar = f" ({_plural(risk.similar, 'similar finding')})" if risk.similar else ""
        add(f"{i}. **{str(f.severity).capitalize()}: {md(f.title)}.** {md(f.message)} "
            f"Owner: **{md(o.person(risk.row.owner))}**{similar}")
    add("")
    if o.changes is not None:
        since = f" ({md(o.changes.since)})" if o.changes.since else ""
        add(f"## What changed since the last scan{since}")
        add("")
        if not o.changes.groups:
            add("Nothing changed.")
        for group in o.changes.groups:
            add(f"**{md(group.title)}** ({len(group.items)})")
            add("")
            lines.extend(f"- {md(item)}" for item in group.items)
            add("")
        lines.extend(md(note) for note in o.changes.notes)
        add("")
    add("## Findings by owner")
    add("")
    if not o.findings:
        add("The checks found nothing to report.")
        add("")
    for owner, rows in o.by_owner():
        who = o.person(owner)
        address = f" ({md(owner)})" if owner and who != owner else ""
        open_rows = [r for r in rows if not r.finding.waived]
        add(f"### {md(who)}{address}: {_plural(len(open_rows), 'open finding')}")
        add("")
        for row in rows:
            f = row.finding
            systems = ", ".join(o.system_label(s) for s in row.systems)
            waived = f" *Waived: {md(f.waiver)}*" if f.waived else (f" *{md(f.waiver)}*" if f.waiver else "")
            add(f"- **{str(f.severity).capitalize()}: {md(f.title)}**" + (f" ({md(systems)})" if systems else ""))
            add(f"  {md(f.message)}{waived}  ")
            add(f"  *What to do:* {md(f.remediation)}  ")
            add(f"  `{row.id}`")
        add("")
    add("## Systems")
    add("")
    add("| System | Status | Owner | Data held | Users / admins | MFA (people) | Open findings |")
    add("|---|---|---|---|---|---|---|")
    for s in o.systems:
        open_count = sum(1 for f in s.findings if not o.finding[f].finding.waived)
        kind = category_name(s.category) if s.category else ""
        add(f"| {md(s.label)}" + (f" ({md(kind)})" if kind else "") + f" | {STATUS_LABELS[s.status]} | "
            f"{md(o.person(s.owner)) if s.owner else 'nobody'} | {md(', '.join(data_label(d) for d in s.data)) or '—'} "
            f"| {f'{s.accounts} / {s.admins}' if s.accounts else '—'} | {md(s.mfa_text)} | {open_count} |")
    add("")
    add("## Coverage")
    add("")
    for c in o.connections:
        gaps = "; ".join(f"{area}: {reason}" for area, reason in c.gaps)
        detail = ": " + md(gaps or c.message) if (gaps or c.message) else ""
        add(f"- {md(c.name)} ({md(c.connector)}): {md(c.status)}{detail}")
    if not o.connections:
        add("- made from a saved inventory")
    add("")
    incomplete = o.incomplete_checks
    if incomplete:
        add("Checks that could not be fully evaluated (not passes: the scan could not tell):")
        add("")
        lines.extend(f"- {md(c.title)} (`{c.id}`): {md(c.status.replace('_', ' '))}: {md(c.reason)}"
                     for c in incomplete)
    else:
        add(f"All {_plural(len(o.checks), 'check')} could be evaluated.")
    add("")
    return "\n".join(lines).rstrip() + "\n"
