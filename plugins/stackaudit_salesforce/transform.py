"""Salesforce records in, stackaudit inventory records out. Pure: no I/O, no clock."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

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
from stackaudit.vendor_data import as_mapping, split_url

ADMIN_PERMISSIONS = {
    "PermissionsModifyAllData": "Modify All Data",
    "PermissionsViewAllData": "View All Data",
    "PermissionsCustomizeApplication": "Customize Application",
}
# Registered methods that count as multi-factor authentication (email and SMS codes do not, per Salesforce's MFA rules).
STRONG_MFA_FIELDS = ("HasSalesforceAuthenticator", "HasTotp", "HasU2F", "HasBuiltInAuthenticator")
GUEST_USER_TYPES = {"PowerPartner", "PowerCustomerSuccess", "CustomerSuccess", "CspLitePortal", "Guest", "CsnOnly"}
SERVICE_USER_TYPES = {"AutomatedProcess", "CloudIntegrationUser"}
CRM_DATA = (DataCategory.PII, DataCategory.CONTACT)


def parse_time(value: Any) -> datetime | None:
    """Salesforce datetimes look like ``2024-05-01T12:34:56.000+0000``."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _get(record: Mapping[str, Any], path: str) -> Any:
    """``Profile.Name`` from a query record (relationships are nested objects, or null)."""
    value: Any = record
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def tenant_id(connection: str, org_id: str) -> str:
    return record_id(connection, "tenant", org_id)


def organization(connection: str, base_url: str, org: Mapping[str, Any]) -> System:
    org_id = _str(org.get("Id"))
    return System(
        id=tenant_id(connection, org_id),
        name=_str(org.get("Name")) or "Salesforce org",
        vendor="salesforce",
        system_kind=SystemKind.TENANT,
        category="crm",
        url=strip_url(base_url),
        domain=split_url(base_url).hostname or "",
        region=_str(org.get("InstanceName")),
        data=CRM_DATA,
        attributes={
            "org_id": org_id,
            "edition": _str(org.get("OrganizationType")),
            "sandbox": bool(org.get("IsSandbox")),
            "country": _str(org.get("Country")),
        },
        evidence=(Evidence(connection, "SOQL Organization", org_id),),
    )


def admin_rights(assignments: Iterable[Mapping[str, Any]]) -> dict[str, set[str]]:
    """User id → names of the admin permissions granted through any permission set (or profile)."""
    rights: dict[str, set[str]] = {}
    for row in assignments:
        user_id = _str(row.get("AssigneeId"))
        permission_set = as_mapping(row.get("PermissionSet"))
        granted = {label for field, label in ADMIN_PERMISSIONS.items() if permission_set.get(field) is True}
        if user_id and granted:
            rights.setdefault(user_id, set()).update(granted)
    return rights


def mfa_state(rows: Iterable[Mapping[str, Any]]) -> dict[str, bool]:
    """User id → whether a strong MFA method is registered (users without a row registered none)."""
    return {_str(row.get("UserId")): any(row.get(f) is True for f in STRONG_MFA_FIELDS) for row in rows}


def account_kind(user: Mapping[str, Any]) -> AccountKind:
    user_type = _str(user.get("UserType"))
    profile = _str(_get(user, "Profile.Name")).lower()
    if user_type in GUEST_USER_TYPES:
        return AccountKind.GUEST
    if user_type in SERVICE_USER_TYPES or "api only" in profile or "integration" in profile:
        return AccountKind.SERVICE
    return AccountKind.HUMAN


def user(connection: str, tenant: str, raw: Mapping[str, Any], *, rights: Mapping[str, set[str]],
         mfa: Mapping[str, bool] | None) -> Account:
    """One User row as an Account. ``mfa`` is None when MFA registration could not be read."""
    user_id = _str(raw.get("Id"))
    granted = sorted(rights.get(user_id, ()))
    profile = _str(_get(raw, "Profile.Name"))
    return Account(
        id=record_id(connection, "user", user_id),
        system=tenant,
        username=_str(raw.get("Username")),
        email=_str(raw.get("Email")).lower(),
        name=_str(raw.get("Name")),
        account_kind=account_kind(raw),
        active=raw.get("IsActive") is True,
        admin=bool(granted),
        roles=tuple(([profile] if profile else []) + granted),
        mfa=TriState.UNKNOWN if mfa is None else TriState.of(mfa.get(user_id, False)),
        sso=TriState.YES if raw.get("FederationIdentifier") else TriState.UNKNOWN,
        last_login_at=parse_time(raw.get("LastLoginDate")),
        created_at=parse_time(raw.get("CreatedDate")),
        attributes={"user_type": _str(raw.get("UserType")), "profile": profile},
        evidence=(Evidence(connection, "SOQL User", user_id),),
    )


def connected_app(connection: str, tenant: str, raw: Mapping[str, Any]) -> Integration:
    app_id = _str(raw.get("Id"))
    start_url = _str(raw.get("StartUrl"))
    host = split_url(start_url).hostname if start_url else None
    creator = as_mapping(raw.get("CreatedBy"))
    owners = (OwnerHint("created_by", email=_str(creator.get("Email")).lower(), name=_str(creator.get("Name"))),) \
        if creator else ()
    return Integration(
        id=record_id(connection, "connected_app", app_id),
        system=tenant,
        name=_str(raw.get("Name")),
        integration_kind="connected_app",
        domains=(host,) if host else (),
        created_at=parse_time(raw.get("CreatedDate")),
        owners=owners,
        attributes={
            "admin_approved_users_only": raw.get("OptionsAllowAdminApprovedUsersOnly") is True,
            "refresh_token_policy": _str(raw.get("OptionsRefreshTokenValidityMetric")),
            "start_url": strip_url(start_url) if start_url else "",
        },
        evidence=(Evidence(connection, "SOQL ConnectedApplication", app_id),),
    )


def oauth_usage(connection: str, tenant: str, apps: Iterable[Integration],
                tokens: Iterable[Mapping[str, Any]]) -> tuple[list[Integration], list[Credential], list[Flow]]:
    """OAuth tokens per app and user, plus the apps seen only through tokens and one flow per app.

    Apps used from other orgs (AppExchange, a vendor's own connected app) do not appear in
    ConnectedApplication; their tokens are how we see them at all.
    """
    by_name = {app.name: app for app in apps}
    extra: dict[str, Integration] = {}
    credentials: list[Credential] = []
    users_per_app: dict[str, set[str]] = {}
    last_used: dict[str, datetime] = {}
    for token in tokens:
        token_id = _str(token.get("Id"))
        app_name = _str(token.get("AppName")) or "unnamed app"
        app = by_name.get(app_name) or extra.get(app_name)
        if app is None:
            app = Integration(
                id=record_id(connection, "oauth_app", app_name),
                system=tenant,
                name=app_name,
                integration_kind="oauth_client",
                attributes={"installed_in_org": False},
                evidence=(Evidence(connection, "SOQL OauthToken", token_id),),
            )
            extra[app_name] = app
        user_id = _str(token.get("UserId"))
        used = parse_time(token.get("LastUsedDate"))
        credentials.append(Credential(
            id=record_id(connection, "oauth_token", token_id),
            system=tenant,
            credential_kind="oauth_token",
            name=app_name,
            integration=app.id,
            account=record_id(connection, "user", user_id) if user_id else "",
            created_at=parse_time(token.get("CreatedDate")),
            last_used_at=used,
            use_count=token.get("UseCount") if isinstance(token.get("UseCount"), int) else None,
            attributes={"username": _str(_get(token, "User.Username"))},
            evidence=(Evidence(connection, "SOQL OauthToken", token_id),),
        ))
        users_per_app.setdefault(app.id, set()).add(user_id)
        if used and (app.id not in last_used or used > last_used[app.id]):
            last_used[app.id] = used

    flows = []
    for app in [*by_name.values(), *extra.values()]:
        if app.id not in users_per_app:
            continue
        flows.append(Flow(
            id=record_id(connection, "flow", f"oauth:{app.name}"),
            source=tenant,
            target=external_id(name=app.name),
            flow_kind="oauth_grant",
            data=CRM_DATA,
            integration=app.id,
            name=f"OAuth access by {app.name}",
            attributes={"users": len(users_per_app[app.id])},
            evidence=app.evidence,
        ))
    apps_out = [
        _with_usage(app, len(users_per_app.get(app.id, ())), last_used.get(app.id))
        for app in [*by_name.values(), *extra.values()]
    ]
    return apps_out, credentials, flows


def _with_usage(app: Integration, users: int, last_used: datetime | None) -> Integration:
    from dataclasses import replace

    return replace(app, users=users, last_used_at=last_used)


def external_app(app: Integration) -> System:
    """The outside service behind an OAuth app, named by the app (the graph resolves it to a vendor)."""
    return System(
        id=external_id(name=app.name),
        name=app.name,
        system_kind=SystemKind.EXTERNAL,
        domain=app.domains[0] if app.domains else "",
        evidence=app.evidence,
    )


def installed_package(connection: str, tenant: str, raw: Mapping[str, Any]) -> Integration:
    row_id = _str(raw.get("Id"))
    package = as_mapping(raw.get("SubscriberPackage"))
    version = as_mapping(raw.get("SubscriberPackageVersion"))
    major, minor = version.get("MajorVersion"), version.get("MinorVersion")
    return Integration(
        id=record_id(connection, "package", _str(raw.get("SubscriberPackageId")) or row_id),
        system=tenant,
        name=_str(package.get("Name")),
        integration_kind="installed_package",
        publisher=_str(package.get("NamespacePrefix")),
        attributes={
            "namespace": _str(package.get("NamespacePrefix")),
            "version": f"{major}.{minor}" if major is not None else "",
            "version_name": _str(version.get("Name")),
        },
        evidence=(Evidence(connection, "Tooling InstalledSubscriberPackage", row_id),),
    )


def outbound_endpoint(connection: str, tenant: str, raw: Mapping[str, Any], *, source: str
                      ) -> tuple[Flow, System] | None:
    """A Named Credential or Remote Site Setting as a flow to the host it points at."""
    url = _str(raw.get("Endpoint") or raw.get("EndpointUrl"))
    parts = split_url(url)
    if not parts.hostname:
        return None
    row_id = _str(raw.get("Id"))
    name = _str(raw.get("DeveloperName") or raw.get("SiteName") or raw.get("MasterLabel"))
    kind = "named_credential" if source == "NamedCredential" else "remote_site"
    evidence = (Evidence(connection, f"{'SOQL' if kind == 'named_credential' else 'Tooling'} {source}", row_id),)
    flow = Flow(
        id=record_id(connection, kind, row_id),
        source=tenant,
        target=external_id(host=parts.hostname),
        flow_kind="outbound_endpoint",
        data=(DataCategory.UNKNOWN,),
        url=strip_url(url),
        scheme=parts.scheme.lower(),
        name=name,
        active=raw.get("IsActive") is not False,
        attributes={
            "salesforce_kind": kind,
            "protocol_security_disabled": raw.get("DisableProtocolSecurity") is True,
        },
        evidence=evidence,
    )
    system = System(
        id=external_id(host=parts.hostname),
        name=parts.hostname,
        system_kind=SystemKind.EXTERNAL,
        url=f"{parts.scheme}://{parts.hostname}",
        domain=parts.hostname,
        evidence=evidence,
    )
    return flow, system
