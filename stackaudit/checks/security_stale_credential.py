"""A credential has not been used, or not rotated, for longer than the policy allows."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from stackaudit.check import Check, NotEvaluated, Unknown
from stackaudit.checks._common import days, owner_of_system
from stackaudit.graph import index
from stackaudit.model import Finding, Severity

# Kinds a vendor renews by itself, so their age says nothing about rotation.
SELF_RENEWING = frozenset({"oauth_token"})


def run(graph: Any, config: Any) -> Iterator[Finding | Unknown]:
    idx = index(graph)
    policy = config.policy
    credentials = idx.nodes("credential")
    if not credentials:
        raise NotEvaluated("no connection reported credentials")
    for node in credentials:
        attrs = idx.attrs(node)
        if (idx.days_since(attrs.get("expires_at")) or 0) > 0:
            continue  # expired: it no longer works
        reasons: list[str] = []
        details: dict[str, Any] = {"credential_kind": attrs.get("credential_kind", "")}
        unused = idx.days_since(attrs.get("last_used_at"))
        age = idx.days_since(attrs.get("created_at"))
        if unused is not None:
            details["days_unused"] = int(unused)
            if unused > policy.stale_credential_days:
                reasons.append(f"unused for {days(unused)}")
        elif attrs.get("use_count") == 0 and age is not None and age > policy.stale_credential_days:
            reasons.append(f"never used in the {days(age)} since it was created")
        elif attrs.get("use_count") is None and age is None:
            yield Unknown(node, "neither last use nor creation date is reported")
        if attrs.get("credential_kind") not in SELF_RENEWING:
            if age is None:
                yield Unknown(node, "creation date not reported, so rotation cannot be judged")
            else:
                details["age_days"] = int(age)
                if age > policy.rotate_credential_days:
                    reasons.append(f"not rotated for {days(age)}")
        if not reasons:
            continue
        holder = attrs.get("account") or ""
        who = f" granted by {idx.label(holder)}" if holder in idx.graph else ""
        hint = f" ({attrs['fingerprint']})" if attrs.get("fingerprint") else ""
        yield CHECK.finding(
            message=(f"{attrs.get('credential_kind') or 'credential'} {attrs['name']!r}{hint} in "
                     f"{idx.label(attrs['system'])}{who} is {' and '.join(reasons)} "
                     f"(policy: {policy.stale_credential_days} days unused, {policy.rotate_credential_days} "
                     "days between rotations)."),
            subjects=(node, *([holder] if holder in idx.graph else [])),
            key=(node,),
            evidence=idx.evidence(node),
            details=details,
            owner=owner_of_system(idx, attrs["system"]),
        )


CHECK = Check(
    id="security-stale-credential",
    title="Stale or unrotated credential",
    category="security",
    severity=Severity.MEDIUM,
    rationale=("A token nobody uses is attack surface with no benefit, and a static key that is never rotated "
               "has had years to leak into scripts, laptops and chat logs. Unused means no use for longer than "
               "policy.stale_credential_days; unrotated means a static secret (API key, app password, write key…) "
               "older than policy.rotate_credential_days. OAuth tokens renew themselves and are judged on use only."),
    remediation="Revoke credentials nobody uses; rotate the others and record who owns each one.",
    references=("https://www.cisecurity.org/controls/account-management",),
    run=run,
)
