"""Okta Management API objects in, stackaudit inventory records out. Pure: no I/O, no clock.

Applications are the systems behind single sign-on. Each becomes an Integration of kind ``sso_app`` on the
Okta tenant (label, sign-on mode, status, the hosts it signs in to) and a Flow of kind ``sso`` from the tenant
to ``external_id(name=label)``: a SAML assertion or OIDC token carries the user's identity (email, name) from
Okta to the app, so the edge is a real data flow, and it lets the graph see from the app's side that it sits
behind the identity provider without matching names inside a check.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from stackaudit import (
    Account,
    AccountKind,
    Credential,
    DataCategory,
    Evidence,
    Flow,
    Integration,
    OwnerHint,
    System,
    SystemKind,
    TriState,
    external_id,
    record_id,
)
from stackaudit.redaction import strip_url

VENDOR = "okta"
TENANT_DATA = (DataCategory.PII, DataCategory.CREDENTIALS)
IDENTITY = (DataCategory.PII,)

# Okta's own apps (Admin Console, End-User Dashboard, Browser Plugin, Workflows, …) are not systems behind SSO.
OKTA_INTERNAL_APPS = frozenset({"saasure", "okta_enduser", "okta_browser_plugin", "okta_flow_sso", "flow",
                                "okta_iga", "okta_iga_reviewer", "okta_access_requests_resource_catalog"})
FEDERATED_MODES = frozenset({"SAML_2_0", "SAML_1_1", "OPENID_CONNECT", "WS_FEDERATION"})
# Okta stores the app password and signs the user in with it (SWA): behind Okta, but not federated.
VAULTED_MODES = frozenset({"BROWSER_PLUGIN", "AUTO_LOGIN", "SECURE_PASSWORD_STORE", "BASIC_AUTH"})
PROVISIONING_FEATURES = frozenset({"PUSH_NEW_USERS", "PUSH_PROFILE_UPDATES", "PUSH_USER_DEACTIVATION",
                                   "SCIM_PROVISIONING", "IMPORT_NEW_USERS", "REAL_TIME_SYNC"})
# Okta Integration Network names that identify the vendor for sure.
OIN_VENDORS = {"salesforce": "salesforce", "google": "google_workspace"}

# Statuses in which the person can sign in; SUSPENDED and DEPROVISIONED mean they were let go.
ACTIVE_STATUSES = frozenset({"ACTIVE", "PASSWORD_EXPIRED", "LOCKED_OUT", "RECOVERY"})
# Enrolled factors that are not a second factor: a security question is another thing one knows, and an email
# code goes to the mailbox the account itself recovers through.
WEAK_FACTORS = frozenset({"question", "email"})
FACTOR_IN_USE = frozenset({"ACTIVE"})
_DURATION = re.compile(r"^P(?:(?P<days>\d+)D)?(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?)?$")


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def parse_duration(value: Any) -> timedelta | None:
    """The ISO 8601 durations Okta uses for token windows (``P30D``, ``PT5M``)."""
    match = _DURATION.match(value) if isinstance(value, str) else None
    if not match or not any(match.groupdict().values()):
        return None
    days, hours, minutes = (int(match[g] or 0) for g in ("days", "hours", "minutes"))
    return timedelta(days=days, hours=hours, minutes=minutes)


def tenant(connection: str, base_url: str, org: Mapping[str, Any]) -> System:
    host = urlsplit(base_url).hostname or ""
    org_id = _str(org.get("id")) or host
    org_url = _str(_map(_map(org.get("_links")).get("organization")).get("href")) or base_url
    return System(
        id=record_id(connection, "tenant", org_id),
        name=f"Okta ({urlsplit(org_url).hostname or host})",
        vendor=VENDOR,
        system_kind=SystemKind.TENANT,
        category="identity",
        url=strip_url(org_url),
        domain=urlsplit(org_url).hostname or host,
        data=TENANT_DATA,
        attributes={"org_id": org_id, "pipeline": _str(org.get("pipeline"))},
        evidence=(Evidence(connection, "GET /.well-known/okta-organization", org_id),),
    )


def _app_hosts(raw: Mapping[str, Any]) -> tuple[str, ...]:
    settings = _map(raw.get("settings"))
    app, sign_on = _map(settings.get("app")), _map(settings.get("signOn"))
    oauth = _map(settings.get("oauthClient"))
    urls = [app.get("siteURL"), app.get("baseUrl"), app.get("loginUrl"), sign_on.get("ssoAcsUrl"),
            sign_on.get("audience"), oauth.get("initiate_login_uri"),
            *(oauth.get("redirect_uris") or [])]
    hosts = {urlsplit(u).hostname for u in urls if isinstance(u, str) and u.startswith(("https://", "http://"))}
    return tuple(sorted(h for h in hosts if h))


def sso_app(connection: str, tenant_id: str, raw: Mapping[str, Any]) -> tuple[Integration, Flow, System] | None:
    """An application behind Okta as (integration on the tenant, sign-in flow, the app as an outside system);
    None for Okta's own apps and bookmarks (a link on the dashboard, no sign-in)."""
    name, mode = _str(raw.get("name")), _str(raw.get("signOnMode"))
    if name in OKTA_INTERNAL_APPS or mode == "BOOKMARK":
        return None
    app_id = _str(raw.get("id"))
    label = _str(raw.get("label")) or name
    active = raw.get("status") == "ACTIVE"
    features = {f for f in raw.get("features") or () if isinstance(f, str)}
    client_id = _str(_map(_map(raw.get("credentials")).get("oauthClient")).get("client_id"))
    evidence = (Evidence(connection, "GET /api/v1/apps", app_id),)
    attributes: dict[str, str | bool] = {
        "sign_on_mode": mode,
        "okta_app_name": name,
        "status": _str(raw.get("status")),
        "federated": mode in FEDERATED_MODES,
        "password_vaulted": mode in VAULTED_MODES,
        "provisioning": bool(features & PROVISIONING_FEATURES),
    }
    integration = Integration(
        id=record_id(connection, "sso_app", app_id),
        system=tenant_id,
        name=label,
        integration_kind="sso_app",
        publisher=name,
        client_id=client_id,
        domains=_app_hosts(raw),
        enabled=active,
        created_at=parse_time(raw.get("created")),
        attributes=attributes,
        evidence=evidence,
    )
    target = external_id(name=label)
    flow = Flow(
        id=record_id(connection, "sso", app_id),
        source=tenant_id,
        target=target,
        flow_kind="sso",
        data=IDENTITY,
        integration=integration.id,
        name=f"Sign-in to {label}",
        active=active,
        attributes=attributes,
        evidence=evidence,
    )
    system = System(id=target, name=label, vendor=OIN_VENDORS.get(name, ""), system_kind=SystemKind.EXTERNAL,
                    domain=integration.domains[0] if len(integration.domains) == 1 else "", evidence=evidence)
    return integration, flow, system


def mfa_state(factors: Iterable[Mapping[str, Any]] | None) -> TriState:
    """YES when an active second factor is enrolled; UNKNOWN when the factors could not be read."""
    if factors is None:
        return TriState.UNKNOWN
    return TriState.of(any(f.get("status") in FACTOR_IN_USE and _str(f.get("factorType")) not in WEAK_FACTORS
                           for f in factors))


def admin_roles(assignments: Iterable[Mapping[str, Any]]) -> tuple[str, ...]:
    """Active role assignments: the standard role type (``SUPER_ADMIN``), or the label of a custom role."""
    roles = {(_str(r.get("type")) if r.get("type") != "CUSTOM" else _str(r.get("label"))) or _str(r.get("label"))
             for r in assignments if r.get("status", "ACTIVE") == "ACTIVE"}
    return tuple(sorted(r for r in roles if r))


def user_id(connection: str, okta_user_id: str) -> str:
    return record_id(connection, "user", okta_user_id)


def user(connection: str, tenant_id: str, raw: Mapping[str, Any], *, factors: Iterable[Mapping[str, Any]] | None,
         roles: tuple[str, ...]) -> Account:
    """An Okta user. ``factors`` None: not read; ``roles``: the admin roles it holds."""
    okta_id = _str(raw.get("id"))
    profile = _map(raw.get("profile"))
    status = _str(raw.get("status"))
    name = _str(profile.get("displayName")) or " ".join(
        p for p in (_str(profile.get("firstName")), _str(profile.get("lastName"))) if p)
    factor_list = list(factors) if factors is not None else None
    provider = _map(_map(raw.get("credentials")).get("provider"))
    return Account(
        id=user_id(connection, okta_id),
        system=tenant_id,
        username=_str(profile.get("login")),
        email=_str(profile.get("email")).lower(),
        name=name,
        account_kind=AccountKind.HUMAN,
        active=status in ACTIVE_STATUSES,
        admin=bool(roles),
        roles=roles,
        mfa=mfa_state(factor_list),
        last_login_at=parse_time(raw.get("lastLogin")),
        created_at=parse_time(raw.get("created")),
        attributes={
            "status": status,
            "status_changed": _str(raw.get("statusChanged")),
            "factors": " ".join(sorted({_str(f.get("factorType")) for f in factor_list or ()
                                        if f.get("status") in FACTOR_IN_USE})),
            "credential_provider": _str(provider.get("type")),
        },
        evidence=(Evidence(connection, "GET /api/v1/users", okta_id),),
    )


def api_token(connection: str, tenant_id: str, raw: Mapping[str, Any]) -> Credential:
    """An API token's metadata (Okta never returns the token). Its expiry moves forward by the token window
    each time it is used, so expiry minus window is when it was last used."""
    token_id = _str(raw.get("id"))
    expires = parse_time(raw.get("expiresAt"))
    window = parse_duration(raw.get("tokenWindow"))
    owner = _str(raw.get("userId"))
    return Credential(
        id=record_id(connection, "api_token", token_id),
        system=tenant_id,
        credential_kind="api_token",
        name=_str(raw.get("name")),
        account=user_id(connection, owner) if owner else "",
        created_at=parse_time(raw.get("created")),
        last_used_at=expires - window if expires and window else None,
        expires_at=expires,
        attributes={
            "client_name": _str(raw.get("clientName")),
            "token_window": _str(raw.get("tokenWindow")),
            "network": _str(_map(raw.get("network")).get("connection")),
        },
        evidence=(Evidence(connection, "GET /api/v1/api-tokens", token_id),),
    )


def event_hook(connection: str, tenant_id: str, raw: Mapping[str, Any], *,
               people: Mapping[str, Account]) -> tuple[Flow, System] | None:
    """An event hook: Okta posts the subscribed events (about users, so identity data) to the URI."""
    config = _map(_map(raw.get("channel")).get("config"))
    uri = _str(config.get("uri"))
    parts = urlsplit(uri)
    if not parts.hostname:
        return None
    hook_id = _str(raw.get("id"))
    events = [e for e in _map(raw.get("events")).get("items") or () if isinstance(e, str)]
    creator = people.get(_str(raw.get("createdBy")))
    evidence = (Evidence(connection, "GET /api/v1/eventHooks", hook_id),)
    flow = Flow(
        id=record_id(connection, "event_hook", hook_id),
        source=tenant_id,
        target=external_id(host=parts.hostname),
        flow_kind="webhook",
        data=IDENTITY,
        url=strip_url(uri),
        scheme=parts.scheme.lower(),
        name=_str(raw.get("name")),
        active=raw.get("status") == "ACTIVE",
        owners=(OwnerHint("created_by", email=creator.email, name=creator.name),) if creator else (),
        attributes={
            "events": " ".join(events),
            "verification_status": _str(raw.get("verificationStatus")),
            "auth_scheme": _str(_map(config.get("authScheme")).get("type")),  # the type only, never the value
        },
        evidence=evidence,
    )
    system = System(id=external_id(host=parts.hostname), name=parts.hostname, system_kind=SystemKind.EXTERNAL,
                    url=f"{parts.scheme}://{parts.hostname}", domain=parts.hostname, evidence=evidence)
    return flow, system
