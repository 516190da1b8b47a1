"""Personal data flows to a sanctioned system that is not approved to hold personal data."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from stackaudit.check import Check, Unknown
from stackaudit.checks._common import names, owner_of_system
from stackaudit.graph import index
from stackaudit.graph.query import is_data_flow
from stackaudit.model import DataCategory, Finding, Severity

PII = DataCategory.PII.value


def run(graph: Any, config: Any) -> Iterator[Finding | Unknown]:
    idx = index(graph)
    for node in idx.nodes("system"):
        attrs = idx.attrs(node)
        if not attrs.get("sanctioned"):
            continue  # unsanctioned recipients are shadow-it findings
        inbound = [(s, k) for s, k, f in idx.flows_in.get(node, ()) if is_data_flow(f) and PII in f.get("data", ())]
        if not inbound:
            continue
        if not attrs.get("approvals_declared"):
            yield Unknown(node, f"registry entry {attrs.get('registry_id')!r} lists no approved data")
            continue
        if PII in attrs.get("approved_data", ()):
            continue
        sources = sorted({s for s, _k in inbound})
        keys = [k for _s, k in inbound]
        yield CHECK.finding(
            message=(f"{idx.label(node)} receives personal data from {names(idx, sources)}, but its registry "
                     f"entry approves only {', '.join(attrs['approved_data'])}."),
            subjects=(node, *keys),
            key=(node,),
            evidence=idx.evidence(*keys),
            details={"approved_data": ", ".join(attrs["approved_data"]), "flows": len(keys)},
            owner=owner_of_system(idx, node),
        )


CHECK = Check(
    id="security-pii-to-unapproved-system",
    title="Personal data sent to a system not approved for it",
    category="security",
    severity=Severity.HIGH,
    rationale=("A system approved for, say, behavioural data was reviewed for that: its contract, region and "
               "access model may not be fit for personal data (GDPR art. 28 processor terms, retention, "
               "subject-access requests). Applies to sanctioned systems whose [[system]] entry lists approved data "
               "without pii; unsanctioned recipients are reported as shadow IT."),
    remediation="Stop sending personal data to it (hash or drop the fields), or review and approve it for pii.",
    references=("https://gdpr-info.eu/art-28-gdpr/",),
    run=run,
    requires=("registry",),
)
