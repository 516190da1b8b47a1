"""A service outside the organisation receives its data but is not in the sanctioned registry."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from stackaudit.check import Check
from stackaudit.checks._common import flow_evidence, names, owner_of_system
from stackaudit.graph import index
from stackaudit.graph.query import SENSITIVE, is_data_flow
from stackaudit.model import DataCategory, Finding, Severity


def run(graph: Any, config: Any) -> Iterator[Finding]:
    idx = index(graph)
    for node in idx.nodes("system"):
        attrs = idx.attrs(node)
        if attrs.get("system_kind") == "tenant" or attrs.get("sanctioned") or attrs.get("internal"):
            continue
        inbound = [(source, key, flow) for source, key, flow in idx.flows_in.get(node, ())
                   if is_data_flow(flow) and flow.get("flow_kind") != "oauth_grant" and flow.get("data")]
        if not inbound:
            continue
        data = sorted({c for _s, _k, flow in inbound for c in flow["data"]})
        sources = sorted({source for source, _k, _f in inbound})
        kinds = sorted({flow.get("flow_kind") or "flow" for _s, _k, flow in inbound})
        keys = [key for _s, key, _f in inbound]
        sensitive = bool(SENSITIVE.intersection(data))
        what = "data of unknown kind" if data == [DataCategory.UNKNOWN.value] else f"data ({', '.join(data)})"
        yield CHECK.finding(
            message=(f"{idx.label(node)} receives {what} from {names(idx, sources)} "
                     f"through {len(inbound)} {'/'.join(kinds)} flow{'s' if len(inbound) > 1 else ''}, "
                     "and is not in the sanctioned registry."),
            subjects=(node, *keys),
            key=(node,),
            severity=Severity.HIGH if sensitive else Severity.MEDIUM,
            evidence=(*flow_evidence(idx, keys), *idx.evidence(node)),
            details={"data": ", ".join(data), "flows": len(inbound), "sources": len(sources),
                     "flow_kinds": ", ".join(kinds), "domain": attrs.get("domain") or ""},
            owner=owner_of_system(idx, node),
        )


CHECK = Check(
    id="shadow-it-unsanctioned-recipient",
    title="Unsanctioned service receives organisation data",
    category="shadow-it",
    severity=Severity.HIGH,
    rationale=("Data sent to a service IT has not approved escapes the organisation's contracts, security review "
               "and retention rules, and nobody answers for it in an incident. Sensitive data (personal, contact, "
               "payment, credentials) makes it high; data of unknown kind medium. The organisation's own domains "
               "are not shadow IT (see unowned-discovered-system); OAuth grants are reported by "
               "shadow-it-unsanctioned-oauth-app."),
    remediation=("Decide with the data's owner: approve the service (add a [[system]] entry with its owner and the "
                 "data it may hold) or remove the webhooks, endpoints and destinations that feed it."),
    references=("https://www.cisecurity.org/controls/inventory-and-control-of-software-assets",),
    run=run,
    requires=("registry",),
)
