"""A system has more administrators than the policy allows."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from stackaudit.check import Check
from stackaudit.checks._common import SAMPLE, owner_of_system
from stackaudit.graph import index
from stackaudit.model import Finding, Severity


def run(graph: Any, config: Any) -> Iterator[Finding]:
    idx = index(graph)
    policy = config.policy
    for system, accounts in sorted(idx.accounts_by_system.items()):
        active = [a for a in accounts if idx.attrs(a).get("active")]
        admins = sorted(a for a in active if idx.attrs(a).get("admin"))
        share = len(admins) / len(active) if active else 0.0
        over_count = len(admins) > policy.max_admins
        over_share = len(active) >= policy.admin_share_min_accounts and share > policy.max_admin_share
        if not (over_count or over_share):
            continue
        rule = (f"more than {policy.max_admins}" if over_count
                else f"more than {policy.max_admin_share:.0%} of {len(active)} active accounts")
        yield CHECK.finding(
            message=(f"{idx.label(system)} has {len(admins)} active administrators ({share:.0%} of active accounts); "
                     f"the policy allows no {rule}."),
            subjects=(system, *admins[:SAMPLE]),
            key=(system,),
            evidence=idx.evidence(system),
            details={"admins": len(admins), "active_accounts": len(active), "admin_share": round(share, 3),
                     "max_admins": policy.max_admins, "max_admin_share": policy.max_admin_share},
            owner=owner_of_system(idx, system),
        )


CHECK = Check(
    id="security-too-many-admins",
    title="More administrators than the policy allows",
    category="security",
    severity=Severity.MEDIUM,
    rationale=("Every admin is a full-tenant compromise waiting for one stolen session; admin rights should be "
               "the exception. A system is over the limit with more than policy.max_admins active admins, or, "
               "with at least policy.admin_share_min_accounts active accounts, a share of admins above "
               "policy.max_admin_share."),
    remediation="Remove admin rights from everyone who does not administer the tenant daily; use delegated roles.",
    references=("https://www.cisecurity.org/controls/access-control-management",),
    run=run,
    requires=("accounts",),
)
