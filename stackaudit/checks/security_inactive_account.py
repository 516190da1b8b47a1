"""An enabled account has not signed in for longer than the policy allows."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from stackaudit.check import Check, Unknown
from stackaudit.checks._common import days, owner_of_system
from stackaudit.graph import index
from stackaudit.model import Finding, Severity


def run(graph: Any, config: Any) -> Iterator[Finding | Unknown]:
    idx = index(graph)
    limit = config.policy.inactive_user_days
    for node in idx.nodes("account"):
        attrs = idx.attrs(node)
        if not attrs.get("active"):
            continue
        idle = idx.days_since(attrs.get("last_login_at"))
        if idle is None:
            if attrs.get("account_kind") != "service":
                yield Unknown(node, f"{idx.label(attrs['system'])} does not report the last sign-in")
            continue
        if idle <= limit:
            continue
        admin = bool(attrs.get("admin"))
        yield CHECK.finding(
            message=(f"{idx.label(node)} is enabled in {idx.label(attrs['system'])} but last signed in "
                     f"{days(idle)} ago (policy: {limit} days){'; the account is an admin' if admin else ''}."),
            subjects=(node,),
            severity=Severity.HIGH if admin else Severity.MEDIUM,
            evidence=idx.evidence(node),
            details={"days_inactive": int(idle), "admin": admin, "account_kind": attrs.get("account_kind", "")},
            owner=owner_of_system(idx, attrs["system"]),
        )


CHECK = Check(
    id="security-inactive-account",
    title="Enabled account inactive beyond the policy",
    category="security",
    severity=Severity.MEDIUM,
    rationale=("An account nobody signs in to is often someone who left or changed jobs; it keeps its access and "
               "its licence, and a takeover goes unnoticed. Inactive means no sign-in for longer than "
               "policy.inactive_user_days; high when the account is an admin. Where the vendor does not report "
               "sign-ins the account is listed as unknown in the coverage."),
    remediation="Deactivate the account (or confirm it is needed and have its owner sign in), and reclaim the licence.",
    references=("https://www.cisecurity.org/controls/account-management",),
    run=run,
    requires=("accounts",),
)
