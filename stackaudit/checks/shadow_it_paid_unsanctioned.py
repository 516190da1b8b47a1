"""Someone in the organisation pays for a service that is not in the sanctioned registry."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from stackaudit.check import Check
from stackaudit.graph import index
from stackaudit.model import Finding, Severity

PAYER_ROLES = ("cardholder", "payer", "billing")


def run(graph: Any, config: Any) -> Iterator[Finding]:
    idx = index(graph)
    for node in idx.nodes("system"):
        attrs = idx.attrs(node)
        if attrs.get("system_kind") == "tenant" or attrs.get("sanctioned") or attrs.get("internal"):
            continue
        payers = sorted({hint.email or hint.name for hint in attrs.get("owner_hints", ())
                         if hint.role in PAYER_ROLES and (hint.email or hint.name)})
        if not payers:
            continue
        extra = attrs.get("attributes") or {}
        cost, currency = extra.get("yearly_cost"), extra.get("currency") or ""
        still_paid = extra.get("still_paid", True) is not False
        price = f" (about {cost:,.0f} {currency} a year)" if isinstance(cost, int | float) else ""
        yield CHECK.finding(
            message=(f"{idx.label(node)} is {'paid for' if still_paid else 'was paid for'} by {', '.join(payers)}"
                     f"{price} and is not in the sanctioned registry: nobody reviewed its security, contract or "
                     "what data people put into it."),
            subjects=(node,),
            severity=Severity.MEDIUM if still_paid else Severity.LOW,
            evidence=idx.evidence(node),
            details={"payers": ", ".join(payers), "yearly_cost": cost if isinstance(cost, int | float) else "",
                     "currency": str(currency), "still_paid": still_paid},
            owner=payers[0] if "@" in payers[0] else "",
        )


CHECK = Check(
    id="shadow-it-paid-unsanctioned",
    title="Unsanctioned service paid for by the organisation",
    category="shadow-it",
    severity=Severity.MEDIUM,
    rationale=("A subscription on a corporate card is the surest sign a team uses a tool: finance data finds the "
               "services nobody connected to single sign-on or to another system, so no other check can see them. "
               "A service paid for but never reviewed holds whatever people typed or uploaded into it. Medium "
               "while payments continue, low once they stopped. Reads payer owner hints (cardholder, payer, "
               "billing) that finance connectors such as the expenses plugin record."),
    remediation=("Ask the payer what the tool is for and what data it holds; then either approve it (add a "
                 "[[system]] entry with an owner and the data it may hold, and put it behind SSO) or cancel the "
                 "subscription and export or delete the data."),
    references=("https://www.cisecurity.org/controls/inventory-and-control-of-software-assets",),
    run=run,
    requires=("registry",),
)
