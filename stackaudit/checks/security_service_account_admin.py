"""An integration or API-only account has administrator rights."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from stackaudit.check import Check
from stackaudit.checks._common import owner_of_system
from stackaudit.graph import index
from stackaudit.model import Finding, Severity


def run(graph: Any, config: Any) -> Iterator[Finding]:
    idx = index(graph)
    for node in idx.nodes("account"):
        attrs = idx.attrs(node)
        if not (attrs.get("active") and attrs.get("admin") and attrs.get("account_kind") == "service"):
            continue
        roles = ", ".join(attrs.get("roles", ())) or "admin"
        yield CHECK.finding(
            message=(f"The integration account {idx.label(node)} in {idx.label(attrs['system'])} has administrator "
                     f"rights ({roles}): whoever holds its token can do anything in the tenant."),
            subjects=(node,),
            evidence=idx.evidence(node),
            details={"roles": roles},
            owner=owner_of_system(idx, attrs["system"]),
        )


CHECK = Check(
    id="security-service-account-admin",
    title="Integration account with administrator rights",
    category="security",
    severity=Severity.MEDIUM,
    rationale=("Integration and API-only users hold long-lived tokens stored in another vendor's systems and are "
               "exempt from MFA. With admin rights (modify or view all data, user management) a leak at the "
               "integration's vendor is a full compromise of this tenant."),
    remediation=("Give the integration user a permission set with only the objects and fields the integration "
                 "syncs, and remove admin permissions."),
    references=("https://www.cisecurity.org/controls/access-control-management",),
    run=run,
    requires=("accounts",),
)
