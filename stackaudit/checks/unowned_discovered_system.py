"""A discovered service receives data from the stack, and nobody is known to own it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from stackaudit.check import Check
from stackaudit.graph import index
from stackaudit.graph.query import is_data_flow
from stackaudit.model import Finding, Severity


def run(graph: Any, config: Any) -> Iterator[Finding]:
    idx = index(graph)
    for node in idx.nodes("system"):
        attrs = idx.attrs(node)
        if attrs.get("system_kind") == "tenant" or attrs.get("sanctioned"):
            continue
        flows = [(k, f) for _s, k, f in idx.flows_in.get(node, ()) if is_data_flow(f)]
        if not flows or idx.responsible(node):
            continue  # only sends data (a website's tracking, say), or someone answers for it
        keys = [k for k, _f in flows]
        where = "an address on the organisation's own domain" if attrs.get("internal") else "an outside service"
        yield CHECK.finding(
            message=(f"{idx.label(node)} ({where}) receives data through {len(flows)} flow"
                     f"{'s' if len(flows) > 1 else ''}, but no registry entry, installer, creator or grantor "
                     "names anyone responsible for it."),
            subjects=(node, *keys),
            key=(node,),
            evidence=idx.evidence(*keys),
            details={"flows": len(flows), "internal": bool(attrs.get("internal")), "domain": attrs.get("domain") or ""},
        )


CHECK = Check(
    id="unowned-discovered-system",
    title="Discovered system nobody owns",
    category="unowned",
    severity=Severity.MEDIUM,
    rationale=("A service the stack sends data to, with no registry owner and no known installer, creator or "
               "grantor, is one nobody will patch, renew, or switch off: often a leftover (an old pixel, a retired "
               "server). Systems that only send data (a website's tracking) are not reported."),
    remediation=("Find who uses it (the flows list where it is configured); either register it with an owner "
                 "or remove the endpoints, webhooks and credentials that point at it."),
    references=(),
    run=run,
)
