"""A webhook or endpoint sends data over plain, unencrypted HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from stackaudit.check import Check
from stackaudit.checks._common import owner_of_system
from stackaudit.graph import index
from stackaudit.graph.catalogue import is_ip_or_local
from stackaudit.graph.query import SENSITIVE
from stackaudit.model import DataCategory, Finding, Severity


def run(graph: Any, config: Any) -> Iterator[Finding]:
    idx = index(graph)
    for source, target, key, flow in idx.active_flows(sign_in=True):
        if flow.get("scheme") != "http":
            continue
        host = (flow.get("url") or "").split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
        if host and is_ip_or_local(host.lower()):
            continue
        data = list(flow.get("data", ()))
        risky = not data or DataCategory.UNKNOWN.value in data or bool(SENSITIVE.intersection(data))
        yield CHECK.finding(
            message=(f"{flow.get('flow_kind') or 'flow'} {flow.get('name') or key!r} from {idx.label(source)} "
                     f"sends {', '.join(data) or 'unspecified'} data to {flow.get('url') or idx.label(target)} over "
                     "plain http: anyone on the network path can read or alter it."),
            subjects=(key, source, target),
            key=(key,),
            severity=Severity.HIGH if risky else Severity.MEDIUM,
            evidence=idx.evidence(key),
            details={"url": flow.get("url") or "", "flow_kind": flow.get("flow_kind") or "",
                     "data": ", ".join(data)},
            owner=owner_of_system(idx, source),
        )


CHECK = Check(
    id="security-plain-http",
    title="Data sent over plain http",
    category="security",
    severity=Severity.HIGH,
    rationale=("Plain http carries the payload, and often a token in a header, readable and changeable by anyone "
               "on the path. High when the data is sensitive or unknown, medium otherwise. Loopback addresses "
               "are ignored."),
    remediation="Switch the endpoint to https (and rotate any secret that travelled over http), or remove it.",
    references=("https://owasp.org/www-project-top-ten/2017/A3_2017-Sensitive_Data_Exposure",),
    run=run,
)
