"""An administrator signs in without multi-factor authentication."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from stackaudit.check import Check, NotEvaluated, Unknown
from stackaudit.checks._common import owner_of_system
from stackaudit.graph import index
from stackaudit.graph.query import StackIndex
from stackaudit.model import Finding, Severity


def idp_mfa(idx: StackIndex, email: str) -> tuple[str, str]:
    """MFA state of the person's account at the identity provider (yes/no/unknown) and which provider."""
    for provider in idx.sso_providers:
        for account in idx.accounts_by_email.get(email, ()):
            attrs = idx.attrs(account)
            if attrs["system"] == provider and attrs.get("active"):
                return attrs.get("mfa", "unknown"), provider
    return "unknown", ""


def run(graph: Any, config: Any) -> Iterator[Finding | Unknown]:
    if not config.policy.require_mfa_for_admins:
        raise NotEvaluated("the policy does not require MFA for admins (require_mfa_for_admins = false)")
    idx = index(graph)
    for node in idx.nodes("account"):
        attrs = idx.attrs(node)
        if not (attrs.get("active") and attrs.get("admin")) or attrs.get("account_kind") == "service":
            continue
        mfa = attrs.get("mfa", "unknown")
        where = idx.label(attrs["system"])
        if mfa == "yes":
            continue
        if attrs.get("sso") == "yes":  # signs in through the identity provider: its MFA is what counts
            mfa, provider = idp_mfa(idx, attrs.get("email", ""))
            if mfa == "yes":
                continue
            if mfa == "unknown":
                yield Unknown(node, "signs in through single sign-on; the identity provider's MFA state is unknown")
                continue
            where = f"{where} (signs in through {idx.label(provider)}, where MFA is off)"
        elif mfa == "unknown":
            yield Unknown(node, f"{idx.label(attrs['system'])} does not report MFA registration")
            continue
        roles = ", ".join(attrs.get("roles", ())) or "admin"
        yield CHECK.finding(
            message=f"{idx.label(node)} is an administrator ({roles}) in {where} without multi-factor authentication.",
            subjects=(node,),
            evidence=idx.evidence(node),
            details={"roles": roles, "mfa": "no", "sso": attrs.get("sso", "unknown")},
            owner=owner_of_system(idx, attrs["system"]),
        )


CHECK = Check(
    id="security-admin-without-mfa",
    title="Administrator without MFA",
    category="security",
    severity=Severity.HIGH,
    rationale=("An admin password alone is one phishing email away from a full tenant takeover. Only a confirmed "
               "'no' is a finding: where the vendor does not report MFA the account is listed as unknown in the "
               "check's coverage, never as off. An admin who signs in through single sign-on is judged by their "
               "MFA at the identity provider. Service accounts are checked by security-service-account-admin."),
    remediation=("Register a strong second factor (authenticator app or security key) for the admin, enforce MFA "
                 "for admin roles in the tenant's session settings or at the identity provider."),
    references=("https://www.cisecurity.org/controls/access-control-management",
                "https://help.salesforce.com/s/articleView?id=sf.security_require_two-factor_authentication.htm"),
    run=run,
    requires=("accounts",),
)
