"""A third-party app users granted OAuth access to a tenant, and IT never sanctioned it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from stackaudit.check import Check
from stackaudit.checks._common import names, owner_of_system
from stackaudit.graph import index
from stackaudit.graph.query import StackIndex
from stackaudit.model import Finding, Severity

GRANTED_KINDS = frozenset({"connected_app", "oauth_client", "app_installation"})
SEVERITIES = (Severity.MEDIUM, Severity.HIGH, Severity.CRITICAL)
BROAD_SCOPE_COUNT = 10


def _grantors(idx: StackIndex, integration: str) -> list[str]:
    out = []
    for cred in idx.credentials_by_integration.get(integration, ()):
        account = idx.attrs(cred).get("account")
        if account and account in idx.graph:
            out.append(account)
    return sorted(set(out))


def run(graph: Any, config: Any) -> Iterator[Finding]:
    idx = index(graph)
    grant_flows: dict[str, list[tuple[str, str, str, dict[str, Any]]]] = {}
    orphan_grants = []
    for source, target, key, flow in idx.active_flows():
        if flow.get("flow_kind") != "oauth_grant":
            continue
        integration = flow.get("integration") or ""
        if integration in idx.graph:
            grant_flows.setdefault(integration, []).append((source, target, key, flow))
        else:
            orphan_grants.append((source, target, key, flow))
    many = config.policy.oauth_app_many_users
    for node in idx.nodes("integration"):
        attrs = idx.attrs(node)
        flows = grant_flows.get(node, [])
        grantors = _grantors(idx, node)
        tokens = any(idx.attrs(c).get("credential_kind") == "oauth_token"
                     for c in idx.credentials_by_integration.get(node, ()))
        granted = bool(flows) or tokens  # an app merely listed (e.g. an SSO app) has not been granted data access
        if (attrs.get("integration_kind") not in GRANTED_KINDS or not granted or not attrs.get("enabled", True)
                or attrs.get("first_party") or attrs.get("sanctioned")):
            continue
        scopes = sorted({*attrs.get("scopes", ()),
                         *(s for c in idx.credentials_by_integration.get(node, ()) for s in idx.attrs(c)["scopes"])})
        risky = sorted({scope for scope, _r in attrs.get("high_risk_scopes", ())}
                       | {scope for c in idx.credentials_by_integration.get(node, ())
                          for scope, _r in idx.attrs(c)["high_risk_scopes"]})
        users = max(attrs.get("users") or 0, len(grantors),
                    max((int(f.get("attributes", {}).get("users") or 0) for *_x, f in flows), default=0))
        broad = bool(risky) or len(scopes) >= BROAD_SCOPE_COUNT
        severity = SEVERITIES[int(broad) + int(users >= many)]
        tenant = attrs["system"]
        targets = sorted({target for _s, target, _k, _f in flows})
        data = sorted({c for *_x, f in flows for c in f.get("data", ())})
        scope_text = f"scopes {', '.join(risky or scopes[:5])}" if scopes else "scopes not reported"
        yield CHECK.finding(
            message=(f"{attrs['name']} has OAuth access to {idx.label(tenant)} granted by "
                     f"{users or 'an unknown number of'} user{'s' if users != 1 else ''}"
                     f"{' (' + names(idx, grantors) + ')' if grantors else ''}; {scope_text}"
                     f"{'; reads ' + ', '.join(data) if data else ''}. It is not in the sanctioned registry."),
            subjects=(node, *targets, *grantors),
            key=(node,),
            severity=severity,
            evidence=idx.evidence(node, *idx.credentials_by_integration.get(node, ())[:20]),
            details={"users": users, "scopes": ", ".join(scopes), "high_risk_scopes": ", ".join(risky),
                     "vendor": attrs.get("vendor") or "", "data": ", ".join(data)},
            owner=owner_of_system(idx, tenant),
        )
    for source, target, key, flow in orphan_grants:  # grants seen only as a flow, without an app record
        if idx.attrs(target).get("sanctioned"):
            continue
        users = int(flow.get("attributes", {}).get("users") or 0)
        yield CHECK.finding(
            message=(f"{idx.label(target)} has OAuth access to {idx.label(source)}"
                     f"{f' granted by {users} users' if users else ''}, and is not in the sanctioned registry."),
            subjects=(target, source, key),
            key=(source, target),
            severity=SEVERITIES[int(users >= many)],
            evidence=idx.evidence(key),
            details={"users": users, "data": ", ".join(flow.get("data", ()))},
            owner=owner_of_system(idx, source),
        )


CHECK = Check(
    id="shadow-it-unsanctioned-oauth-app",
    title="Unsanctioned third-party app has OAuth access",
    category="shadow-it",
    severity=Severity.MEDIUM,
    rationale=("Every OAuth grant lets a third party read (and often change) the tenant's data as the user who "
               "granted it, without procurement or security review. An app counts as granted when an OAuth grant "
               "flow or an OAuth token shows it. Severity rises with scope breadth (a high-risk "
               "scope, or ten scopes or more) and with the number of users who granted it "
               "(policy.oauth_app_many_users): medium, high, critical."),
    remediation=("Review the app with the people who granted it: sanction it (add it to the registry, restrict it "
                 "to admin-approved users) or revoke its tokens and block it in the tenant's app settings."),
    references=("https://attack.mitre.org/techniques/T1528/",
                "https://support.google.com/a/answer/7281227"),
    run=run,
    requires=("registry",),
)
