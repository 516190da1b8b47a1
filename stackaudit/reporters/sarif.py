"""``findings.sarif``: the findings as a SARIF 2.1.0 log, for security tooling (DefectDojo, SIEMs, dashboards).

One run; every check is a rule (rationale as its description, remediation as its help, default level from its
severity); every finding is a result whose locations are *logical* locations (the systems, accounts, apps and
flows it is about: a SaaS stack has no source files), with the finding's stable fingerprint as a partial
fingerprint so tools can follow a problem across scans. Waived findings carry an accepted external
suppression with the waiver's justification. What could not be scanned or evaluated is reported as tool
execution notifications, and the invocation is unsuccessful when a connection failed.
"""

from __future__ import annotations

import json
from typing import Any

import networkx as nx

from stackaudit import __version__
from stackaudit.graph import index
from stackaudit.model import Severity
from stackaudit.reporter import Report

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
FINGERPRINT_KEY = "stackauditFinding/v1"

LEVELS = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
# GitHub code scanning and others read a CVSS-like score from this rule property.
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "0.0",
}
LOGICAL_KINDS = {"system": "resource", "integration": "module", "account": "member", "credential": "variable",
                 "person": "member", "flow": "element"}


def _rule_name(check_id: str) -> str:
    """SARIF rule names are identifier-like: ``security-admin-without-mfa`` -> ``SecurityAdminWithoutMfa``."""
    return "".join(part.capitalize() for part in check_id.replace("_", "-").split("-") if part)


def _logical_location(subject: str, graph: nx.MultiDiGraph) -> dict[str, Any]:
    idx = index(graph)
    if subject in graph:
        kind = str(graph.nodes[subject].get("kind", ""))
        name = str(idx.label(subject))
    elif subject in idx.flow_edges:
        source, target, attrs = idx.flow_edges[subject]
        kind = "flow"
        name = f"{attrs.get('name') or attrs.get('flow_kind') or 'flow'} ({idx.label(source)} -> {idx.label(target)})"
    else:
        kind, name = "", subject
    location: dict[str, Any] = {"name": name, "fullyQualifiedName": subject}
    if kind in LOGICAL_KINDS:
        location["kind"] = LOGICAL_KINDS[kind]
    return location


def sarif_document(report: Report) -> dict[str, Any]:
    graph = report.graph if report.graph is not None else nx.MultiDiGraph()
    used = list(dict.fromkeys(f.check_id for f in report.findings))
    rule_ids = list(report.checks) + [c for c in used if c not in report.checks]
    rule_index = {check_id: i for i, check_id in enumerate(rule_ids)}
    overrides = report.config.policy.severity if report.config is not None else {}
    rules = []
    for check_id in rule_ids:
        check = report.checks.get(check_id)
        rule: dict[str, Any] = {"id": check_id, "name": _rule_name(check_id)}
        if check is not None:
            severity = overrides.get(check_id, check.severity)
            rule.update({
                "shortDescription": {"text": check.title},
                "fullDescription": {"text": check.rationale},
                "help": {"text": check.remediation},
                "defaultConfiguration": {"level": LEVELS[severity]},
                "properties": {"tags": ["stackaudit", check.category], "category": check.category,
                               "severity": str(severity), "security-severity": SECURITY_SEVERITY[severity]},
            })
            if check.references:
                urls = [r for r in check.references if r.startswith(("https://", "http://"))]
                if urls:
                    rule["helpUri"] = urls[0]
                rule["properties"]["references"] = list(check.references)
        rules.append(rule)

    results = []
    for finding in report.findings:
        result: dict[str, Any] = {
            "ruleId": finding.check_id,
            "ruleIndex": rule_index[finding.check_id],
            "kind": "fail",
            "level": LEVELS[finding.severity],
            "message": {"text": finding.message},
            "partialFingerprints": {FINGERPRINT_KEY: finding.id},
            "properties": {
                "severity": str(finding.severity),
                "category": finding.category,
                "title": finding.title,
                "remediation": finding.remediation,
                "owner": finding.owner,
                "evidence": [{"connection": e.connection, "source": e.source, "objectId": e.object_id}
                             for e in finding.evidence],
                "paths": [{"systems": list(p.nodes), "flows": list(p.flows)} for p in finding.paths],
                "details": {str(k): v for k, v in finding.details.items()},
            },
        }
        if finding.subjects:
            result["locations"] = [{"logicalLocations": [_logical_location(s, graph) for s in finding.subjects]}]
        if finding.waived:
            result["suppressions"] = [{"kind": "external", "status": "accepted", "justification": finding.waiver}]
        elif finding.waiver:
            result["properties"]["waiver"] = finding.waiver  # an expired waiver: no longer applied
        results.append(result)

    notifications = []
    for gap in report.inventory.gaps:
        notifications.append({"level": "warning", "message": {"text": f"{gap.connection}: could not read {gap.area}: "
                                                                      f"{gap.reason}"},
                              "properties": {"connection": gap.connection, "area": gap.area, "error": gap.error}})
    for connection in report.inventory.connections:
        if connection.status.value != "complete":
            text = f"{connection.name} ({connection.connector}): {connection.status.value}"
            notifications.append({"level": "error" if connection.status.value == "failed" else "warning",
                                  "message": {"text": text + (f": {connection.message}" if connection.message else "")},
                                  "properties": {"connection": connection.name}})
    for coverage in report.coverage:
        if coverage.status.value in ("evaluated", "skipped"):
            continue
        text = f"{coverage.check_id}: {coverage.status.value.replace('_', ' ')}: {coverage.reason}"
        notification: dict[str, Any] = {"level": "error" if coverage.status.value == "failed" else "warning",
                                        "message": {"text": text}}
        if coverage.check_id in rule_index:
            notification["associatedRule"] = {"id": coverage.check_id, "index": rule_index[coverage.check_id]}
        notifications.append(notification)

    invocation: dict[str, Any] = {
        "executionSuccessful": all(c.status.value != "failed" for c in report.inventory.connections),
        "startTimeUtc": report.inventory.generated_at.isoformat().replace("+00:00", "Z"),
    }
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    run: dict[str, Any] = {
        "tool": {"driver": {"name": "stackaudit", "version": __version__, "semanticVersion": __version__,
                            "rules": rules}},
        "automationDetails": {"id": f"stackaudit/{report.inventory.organization or 'scan'}/"},
        "invocations": [invocation],
        "results": results,
        "properties": {"organization": report.inventory.organization,
                       "scanComplete": report.inventory.complete},
    }
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def render_sarif(report: Report) -> str:
    return json.dumps(sarif_document(report), indent=2, ensure_ascii=False) + "\n"
