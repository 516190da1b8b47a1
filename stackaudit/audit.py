"""Evaluation: inventory + config -> graph -> checks -> findings, waivers applied, coverage stated.

:func:`evaluate` is what ``stackaudit scan`` and ``stackaudit audit`` run; :func:`findings_document` is the
``findings.json`` they write (its JSON Schema ships as ``stackaudit/schemas/findings.schema.json``).
"""

from __future__ import annotations

import dataclasses
import fnmatch
from collections.abc import Collection, Iterable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import networkx as nx

from stackaudit import __version__
from stackaudit.check import Check, NotEvaluated, Unknown
from stackaudit.config import Config, Waiver
from stackaudit.errors import UsageError
from stackaudit.graph import Catalogue, build_graph, index, missing_requirement
from stackaudit.graph.build import gc_paused
from stackaudit.model import (
    SCHEMA_VERSION,
    CheckCoverage,
    CheckStatus,
    Finding,
    Inventory,
    Severity,
    WaiverState,
    WaiverStatus,
    to_jsonable,
)

UNKNOWN_SAMPLE = 20  # subjects listed per check in the coverage; the rest are counted


@dataclasses.dataclass
class AuditResult:
    """Everything an evaluation produced; reporters get it through :class:`stackaudit.Report`."""

    graph: nx.MultiDiGraph
    findings: list[Finding]
    coverage: list[CheckCoverage]
    waivers: list[WaiverStatus]
    checks: dict[str, Check]
    evaluated_at: datetime
    warnings: list[str] = dataclasses.field(default_factory=list)

    def unwaived(self, at_least: Severity = Severity.INFO) -> list[Finding]:
        return [f for f in self.findings if not f.waived and f.severity >= at_least]


def select_checks(checks: Iterable[Check], *, only: Collection[str] = (), skip: Collection[str] = ()
                  ) -> tuple[list[Check], list[Check]]:
    """(checks to run, checks skipped). Unknown ids in ``only``/``skip`` are a usage error naming the valid ones."""
    checks = list(checks)
    known = {c.id for c in checks}
    for name in (*only, *skip):
        if name not in known:
            raise UsageError(f"unknown check {name!r}", fix="run 'stackaudit checks' to list the check ids")
    run = [c for c in checks if (not only or c.id in only) and c.id not in skip]
    return run, [c for c in checks if c not in run]


def evaluate(inventory: Inventory, config: Config, checks: Iterable[Check], *, only: Collection[str] = (),
             skip: Collection[str] = (), today: date | None = None, graph: nx.MultiDiGraph | None = None,
             catalogue: Catalogue | None = None) -> AuditResult:
    """Build the graph and run the checks.

    :param only: run only these check ids (``--check``); :param skip: do not run these (``--skip-check``).
    :param today: the date waiver expiry is judged against (default: today, UTC).
    :param graph: a graph already built from ``inventory`` (default: built here).
    :returns: findings (sorted, waivers applied, severity overrides applied), per-check coverage,
        waiver states, and warnings about the config (overrides or waivers naming unknown checks).
    """
    checks = list(checks)
    _selected, skipped = select_checks(checks, only=only, skip=skip)
    graph = graph if graph is not None else build_graph(inventory, config, catalogue=catalogue)
    index(graph)  # built once here, shared by every check
    known = {c.id for c in checks}
    warnings = [f"[policy.severity] names unknown check {cid!r}; ignored" for cid in config.policy.severity
                if cid not in known]
    warnings += [f"[[waiver]] {i + 1} names unknown check {w.check!r}" for i, w in enumerate(config.waivers)
                 if w.check and w.check not in known]

    findings: dict[str, Finding] = {}
    coverage: list[CheckCoverage] = []
    with gc_paused():
        for check in checks:
            if check in skipped:
                coverage.append(CheckCoverage(check.id, CheckStatus.SKIPPED, "not selected (--check / --skip-check)"))
                continue
            coverage.append(_run_one(check, graph, config, findings))
    ordered = sorted(findings.values(), key=lambda f: (-f.severity, f.category, f.check_id, f.id))
    waived, states = apply_waivers(ordered, config.waivers, today or datetime.now(UTC).date())
    return AuditResult(graph=graph, findings=waived, coverage=coverage, waivers=states,
                       checks={c.id: c for c in checks}, evaluated_at=datetime.now(UTC), warnings=warnings)


def _run_one(check: Check, graph: nx.MultiDiGraph, config: Config, findings: dict[str, Finding]) -> CheckCoverage:
    for requirement in check.requires:
        problem = missing_requirement(requirement, graph, config)
        if problem:
            return CheckCoverage(check.id, CheckStatus.NOT_EVALUATED, problem)
    override = config.policy.severity.get(check.id)
    unknown: list[Unknown] = []
    count = 0
    try:
        for item in check.run(graph, config):
            if isinstance(item, Unknown):
                unknown.append(item)
                continue
            if not isinstance(item, Finding) or item.check_id != check.id:
                raise TypeError(f"yielded {item!r}, not a Finding of this check")
            finding = item if override is None else dataclasses.replace(item, severity=override)
            if finding.id not in findings:
                findings[finding.id] = finding
                count += 1
    except NotEvaluated as exc:
        return CheckCoverage(check.id, CheckStatus.NOT_EVALUATED, exc.reason)
    except Exception as exc:  # a check's bug must not hide the other checks' findings
        return CheckCoverage(check.id, CheckStatus.FAILED, f"{type(exc).__name__}: {exc}", findings=count)
    if not unknown:
        return CheckCoverage(check.id, CheckStatus.EVALUATED, findings=count)
    reasons = sorted({u.reason for u in unknown if u.reason})
    subjects = list(dict.fromkeys(u.subject for u in unknown))
    reason = f"could not decide {len(subjects)} subject{'s' if len(subjects) != 1 else ''}"
    if reasons:
        more = f" (and {len(reasons) - 3} more reasons)" if len(reasons) > 3 else ""
        reason += ": " + "; ".join(reasons[:3]) + more
    return CheckCoverage(check.id, CheckStatus.PARTIAL, reason, findings=count,
                         unknown=tuple(subjects[:UNKNOWN_SAMPLE]), unknown_count=len(subjects))


# -- waivers ----------------------------------------------------------------------------------------


def waiver_matches(waiver: Waiver, finding: Finding) -> bool:
    if waiver.finding:
        return finding.id == waiver.finding
    if waiver.check != finding.check_id:
        return False
    pattern = waiver.subject or "*"
    return pattern == "*" or any(fnmatch.fnmatchcase(s, pattern) for s in finding.subjects)


def _approval(waiver: Waiver) -> str:
    return f"approved by {waiver.approved_by}" if waiver.approved_by else "approver not recorded"


def apply_waivers(findings: list[Finding], waivers: Iterable[Waiver], today: date
                  ) -> tuple[list[Finding], list[WaiverStatus]]:
    """Mark findings an active waiver covers as waived; note on those only an expired one covers."""
    waivers = list(waivers)
    matched: list[list[str]] = [[] for _ in waivers]
    out = []
    for finding in findings:
        note, waived = "", False
        for i, waiver in enumerate(waivers):
            if not waiver_matches(waiver, finding):
                continue
            matched[i].append(finding.id)
            if waiver.expired(today):
                note = note or f"waiver expired on {waiver.expires} ({_approval(waiver)}: {waiver.reason})"
            elif not waived:
                waived = True
                until = f" until {waiver.expires}" if waiver.expires else ""
                note = f"waived{until}, {_approval(waiver)}: {waiver.reason}"
        out.append(dataclasses.replace(finding, waived=waived, waiver=note) if note else finding)
    states = []
    for i, waiver in enumerate(waivers):
        state = WaiverState.EXPIRED if waiver.expired(today) else WaiverState.ACTIVE if matched[i] else \
            WaiverState.UNUSED
        states.append(WaiverStatus(index=i, check=waiver.check, subject=waiver.subject, finding=waiver.finding,
                                   reason=waiver.reason, approved_by=waiver.approved_by, expires=waiver.expires,
                                   state=state, matched=tuple(matched[i])))
    return out, states


# -- findings.json ----------------------------------------------------------------------------------


def _subject(graph: nx.MultiDiGraph, subject: str) -> dict[str, str]:
    if subject in graph:
        attrs = graph.nodes[subject]
        return {"id": subject, "kind": str(attrs.get("kind", "")), "name": str(attrs.get("name") or subject)}
    flow = index(graph).flow_edges.get(subject)
    if flow is not None:
        return {"id": subject, "kind": "flow", "name": str(flow[2].get("name") or subject)}
    kind = subject.split(":", 1)[0] if ":" in subject else ""
    return {"id": subject, "kind": kind, "name": subject.split(":", 1)[-1]}


def finding_document(finding: Finding, graph: nx.MultiDiGraph) -> dict[str, Any]:
    """One finding as findings.json writes it."""
    return {
        "check_id": finding.check_id,
        "category": finding.category,
        "severity": str(finding.severity),
        "title": finding.title,
        "message": finding.message,
        "subjects": [_subject(graph, s) for s in finding.subjects],
        "evidence": {
            "records": [to_jsonable(e) for e in finding.evidence],
            "paths": [to_jsonable(p) for p in finding.paths],
            "details": to_jsonable(finding.details),
            "owner": finding.owner,
            "waiver": finding.waiver,
        },
        "remediation": finding.remediation,
        "fingerprint": finding.id,
        "waived": finding.waived,
    }


def findings_document(inventory: Inventory, result: AuditResult, config: Config) -> dict[str, Any]:
    """The ``findings.json`` document: scan, coverage (connections and checks) and findings."""
    by_severity = {str(s): 0 for s in sorted(Severity, reverse=True)}
    for finding in result.unwaived():
        by_severity[str(finding.severity)] += 1
    gaps: dict[str, list[dict[str, str]]] = {}
    for gap in inventory.gaps:
        gaps.setdefault(gap.connection, []).append({"area": gap.area, "reason": gap.reason, "error": gap.error})
    return {
        "schema_version": SCHEMA_VERSION,
        "scan": {
            "organization": inventory.organization,
            "generator": inventory.generator,
            "generated_at": inventory.generated_at.isoformat(),
            "evaluated_by": f"stackaudit {__version__}",
            "evaluated_at": result.evaluated_at.isoformat(),
            "config": str(config.path) if config.path else "",
            "complete": inventory.complete,
            "records": inventory.counts(),
            "graph": {"nodes": result.graph.number_of_nodes(), "edges": result.graph.number_of_edges()},
            "unwaived_findings": by_severity,
            "waived_findings": sum(1 for f in result.findings if f.waived),
            "waivers": [to_jsonable(w) for w in result.waivers],
            "warnings": list(result.warnings),
        },
        "coverage": {
            "connections": [
                {"name": c.name, "connector": c.connector, "status": c.status.value, "message": c.message,
                 "gaps": gaps.get(c.name, [])}
                for c in inventory.connections
            ],
            "checks": [
                {**to_jsonable(c), "title": result.checks[c.check_id].title,
                 "category": result.checks[c.check_id].category}
                for c in result.coverage
            ],
        },
        "findings": [finding_document(f, result.graph) for f in result.findings],
    }


def write_findings(path: Path, inventory: Inventory, result: AuditResult, config: Config) -> Path:
    import json

    path.write_text(json.dumps(findings_document(inventory, result, config), indent=2) + "\n", encoding="utf-8")
    return path
