"""A third party holds an OAuth grant with a high-risk scope (mailbox, files, admin, export)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from stackaudit.check import Check
from stackaudit.checks._common import owner_of_system
from stackaudit.graph import index
from stackaudit.model import Finding, Severity

OWN_KINDS = frozenset({"private_app", "api_user"})  # the organisation's own integrations, not third parties


def run(graph: Any, config: Any) -> Iterator[Finding]:
    idx = index(graph)
    for node in idx.nodes("integration"):
        attrs = idx.attrs(node)
        if (attrs.get("first_party") or attrs.get("sanctioned") or attrs.get("integration_kind") in OWN_KINDS
                or not attrs.get("enabled", True)):
            continue  # a sanctioned app's access was approved with it
        credentials = idx.credentials_by_integration.get(node, [])
        risky = dict(attrs.get("high_risk_scopes", ()))
        for cred in credentials:
            risky.update(dict(idx.attrs(cred).get("high_risk_scopes", ())))
        if not risky:
            continue
        holders = sorted({idx.attrs(c)["account"] for c in credentials if idx.attrs(c).get("account")})
        yield CHECK.finding(
            message=(f"{attrs['name']}, not sanctioned, holds high-risk scopes in {idx.label(attrs['system'])}: "
                     + "; ".join(f"{scope} ({reason})" for scope, reason in sorted(risky.items()))
                     + (f", granted by {len(holders)} user{'s' if len(holders) != 1 else ''}" if holders else "")
                     + "."),
            subjects=(node, *holders),
            key=(node,),
            evidence=idx.evidence(node, *credentials[:20]),
            details={"scopes": ", ".join(sorted(risky)), "users": len(holders)},
            owner=owner_of_system(idx, attrs["system"]),
        )
    for node in idx.nodes("credential"):  # grants without an app record
        attrs = idx.attrs(node)
        if attrs.get("integration") in idx.graph or not attrs.get("high_risk_scopes"):
            continue
        risky = dict(attrs["high_risk_scopes"])
        yield CHECK.finding(
            message=(f"{attrs['name']} holds high-risk scopes in {idx.label(attrs['system'])}: "
                     + "; ".join(f"{scope} ({reason})" for scope, reason in sorted(risky.items())) + "."),
            subjects=(node, *([attrs["account"]] if attrs.get("account") else [])),
            key=(node,),
            evidence=idx.evidence(node),
            details={"scopes": ", ".join(sorted(risky))},
        )


CHECK = Check(
    id="security-high-risk-grant",
    title="Third-party grant with high-risk scopes",
    category="security",
    severity=Severity.HIGH,
    rationale=("Scopes such as full mailbox or Drive access, directory or admin APIs, or bulk export let a third "
               "party read far more than its feature needs; a breach at that vendor becomes a breach here. The "
               "scopes counted as high-risk are listed in the vendor catalogue. Reported for apps the registry does "
               "not sanction (a sanctioned app's access was approved with it), alongside "
               "shadow-it-unsanctioned-oauth-app, because the fix differs: narrow or revoke the scopes."),
    remediation=("Ask the vendor for narrower scopes or a read-only mode, restrict the app to admin-approved "
                 "users, and revoke grants nobody needs."),
    references=("https://attack.mitre.org/techniques/T1528/",
                "https://developers.google.com/identity/protocols/oauth2/scopes"),
    run=run,
)
