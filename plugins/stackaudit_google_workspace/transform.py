"""Directory API resources in, stackaudit inventory records out. Pure: no I/O, no clock."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
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

VENDOR = "google_workspace"
TENANT_DATA = (DataCategory.PII, DataCategory.CONTACT, DataCategory.CONTENT)
SOURCE_USERS = "GET /admin/directory/v1/users"
SOURCE_TOKENS = "GET /admin/directory/v1/users/{userKey}/tokens"
SOURCE_ASPS = "GET /admin/directory/v1/users/{userKey}/asps"

_AUTH = "https://www.googleapis.com/auth/"
_PII, _CONTACT, _CONTENT = DataCategory.PII, DataCategory.CONTACT, DataCategory.CONTENT
# What a grant lets an app read, by scope (Google's OAuth 2.0 scope list). Checked in order; first match wins.
SCOPE_DATA: tuple[tuple[str, tuple[DataCategory, ...]], ...] = (
    ("https://mail.google.com/", (_PII, _CONTACT, _CONTENT)),
    (_AUTH + "gmail", (_PII, _CONTACT, _CONTENT)),
    (_AUTH + "contacts", (_PII, _CONTACT)),
    ("https://www.google.com/m8/feeds", (_PII, _CONTACT)),
    (_AUTH + "directory.readonly", (_PII, _CONTACT)),
    (_AUTH + "user.", (_PII, _CONTACT)),  # user.addresses.read, user.phonenumbers.read, …
    (_AUTH + "admin.directory", (_PII, _CONTACT)),
    (_AUTH + "calendar", (_CONTACT, _CONTENT)),  # events carry attendees' addresses
    (_AUTH + "drive", (_CONTENT,)),
    (_AUTH + "documents", (_CONTENT,)),
    (_AUTH + "spreadsheets", (_CONTENT,)),
    (_AUTH + "presentations", (_CONTENT,)),
    (_AUTH + "forms", (_CONTENT,)),
    (_AUTH + "userinfo.", (_PII,)),
    ("email", (_PII,)),
    ("profile", (_PII,)),
    ("openid", (_PII,)),
)
# Scopes that read or change a whole mailbox, drive or directory ("restricted" in Google's verification terms).
BROAD_SCOPES = frozenset({
    "https://mail.google.com/",
    _AUTH + "gmail.readonly",
    _AUTH + "gmail.modify",
    _AUTH + "gmail.metadata",
    _AUTH + "gmail.insert",
    _AUTH + "drive",
    _AUTH + "drive.readonly",
    _AUTH + "contacts",
    _AUTH + "contacts.readonly",
    _AUTH + "cloud-platform",
    _AUTH + "admin.directory.user",
})
_ORDER = {category: n for n, category in enumerate(DataCategory)}


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def parse_time(value: Any) -> datetime | None:
    """RFC 3339 (``2026-11-01T09:00:00.000Z``). Google gives the epoch for "never", which is no time at all."""
    if not isinstance(value, str) or not value:
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return None if when.timestamp() <= 0 else when.astimezone(UTC)


def parse_epoch(value: Any) -> datetime | None:
    """An int64-as-string Unix time (the ASP fields; in milliseconds). 0 means never."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    if number <= 0:
        return None
    seconds = number / 1000 if number > 10**11 else number
    return datetime.fromtimestamp(seconds, UTC)


def tenant_id(connection: str, customer_id: str) -> str:
    return record_id(connection, "tenant", customer_id)


def tenant(connection: str, customer_id: str, domain: str, base_url: str) -> System:
    return System(
        id=tenant_id(connection, customer_id),
        name=f"Google Workspace ({domain})" if domain else "Google Workspace",
        vendor=VENDOR,
        system_kind=SystemKind.TENANT,
        category="productivity",
        url=base_url,
        domain=domain,
        data=TENANT_DATA,
        attributes={"customer_id": customer_id, "primary_domain": domain},
        evidence=(Evidence(connection, SOURCE_USERS, customer_id),),
    )


def user_id(connection: str, raw: Mapping[str, Any]) -> str:
    return record_id(connection, "user", _str(raw.get("id")))


def user(connection: str, tenant: str, raw: Mapping[str, Any]) -> Account:
    """A Directory user. Super admins and delegated admins are admins; 2SV enrolment is the MFA state."""
    email = _str(raw.get("primaryEmail")).lower()
    name: Mapping[str, Any] = raw["name"] if isinstance(raw.get("name"), Mapping) else {}
    full_name = _str(name.get("fullName")) or " ".join(
        p for p in (_str(name.get("givenName")), _str(name.get("familyName"))) if p)
    super_admin, delegated = raw.get("isAdmin") is True, raw.get("isDelegatedAdmin") is True
    suspended, archived = raw.get("suspended") is True, raw.get("archived") is True
    enrolled = raw.get("isEnrolledIn2Sv")
    return Account(
        id=user_id(connection, raw),
        system=tenant,
        username=email,
        email=email,
        name=full_name,
        account_kind=AccountKind.HUMAN,
        active=not (suspended or archived),
        admin=super_admin or delegated,
        roles=tuple(r for r, held in (("super_admin", super_admin), ("delegated_admin", delegated)) if held),
        mfa=TriState.of(enrolled) if isinstance(enrolled, bool) else TriState.UNKNOWN,
        last_login_at=parse_time(raw.get("lastLoginTime")),
        created_at=parse_time(raw.get("creationTime")),
        attributes={
            "suspended": suspended,
            "archived": archived,
            "suspension_reason": _str(raw.get("suspensionReason")),
            "enforced_2sv": raw.get("isEnforcedIn2Sv") is True,
            "org_unit": _str(raw.get("orgUnitPath")),
        },
        evidence=(Evidence(connection, SOURCE_USERS, _str(raw.get("id"))),),
    )


def scope_data(scopes: Iterable[str]) -> tuple[DataCategory, ...]:
    """The categories of data a set of OAuth scopes lets an app read; UNKNOWN when no scope is recognised."""
    found: set[DataCategory] = set()
    for scope in scopes:
        for prefix, categories in SCOPE_DATA:
            if scope == prefix or (prefix.startswith("https://") and scope.startswith(prefix)):
                found.update(categories)
                break
    return tuple(sorted(found, key=_ORDER.__getitem__)) or (DataCategory.UNKNOWN,)


def app_id(connection: str, client_id: str) -> str:
    return record_id(connection, "oauth_client", client_id)


def grant(connection: str, tenant: str, account: Account, raw: Mapping[str, Any]) -> Credential:
    """One user's grant to one app: the user-level trace of an OAuth client (the token itself is never
    exposed by the API)."""
    client_id = _str(raw.get("clientId"))
    scopes = tuple(sorted(s for s in raw.get("scopes") or () if isinstance(s, str)))
    native_id = f"{account.id.rsplit(':', 1)[-1]}:{client_id}"
    return Credential(
        id=record_id(connection, "oauth_grant", native_id),
        system=tenant,
        credential_kind="oauth_token",
        name=_str(raw.get("displayText")) or client_id,
        integration=app_id(connection, client_id),
        account=account.id,
        scopes=scopes,
        attributes={"user": account.email, "client_id": client_id},
        evidence=(Evidence(connection, SOURCE_TOKENS, native_id),),
    )


def app_password(connection: str, tenant: str, account: Account, raw: Mapping[str, Any]) -> Credential:
    """An app-specific password: its name, dates and code id. Google never returns the password."""
    code_id = raw.get("codeId")
    native_id = f"{account.id.rsplit(':', 1)[-1]}:{code_id}"
    return Credential(
        id=record_id(connection, "app_password", native_id),
        system=tenant,
        credential_kind="app_password",
        name=_str(raw.get("name")) or f"app password {code_id}",
        account=account.id,
        created_at=parse_epoch(raw.get("creationTime")),
        last_used_at=parse_epoch(raw.get("lastTimeUsed")),
        attributes={"user": account.email, "code_id": code_id if isinstance(code_id, int) else None},
        evidence=(Evidence(connection, SOURCE_ASPS, native_id),),
    )


def oauth_apps(connection: str, tenant: str, grants: Iterable[tuple[Account, Mapping[str, Any]]],
               ) -> tuple[list[Integration], list[Flow], list[System]]:
    """Every user's grants merged into one app per OAuth client id: its users, the union of their scopes,
    who granted it, and a flow from the tenant to the app carrying what those scopes expose."""
    by_client: dict[str, dict[str, Any]] = {}
    for account, raw in grants:
        client_id = _str(raw.get("clientId"))
        if not client_id:
            continue
        app = by_client.setdefault(client_id, {"names": [], "scopes": set(), "grantors": {}, "anonymous": False,
                                               "native": False})
        name = _str(raw.get("displayText"))
        if name:
            app["names"].append(name)
        app["scopes"].update(s for s in raw.get("scopes") or () if isinstance(s, str))
        app["grantors"][account.id] = account
        app["anonymous"] = app["anonymous"] or raw.get("anonymous") is True
        app["native"] = app["native"] or raw.get("nativeApp") is True

    integrations: list[Integration] = []
    flows: list[Flow] = []
    systems: list[System] = []
    for client_id in sorted(by_client):
        app = by_client[client_id]
        name = min(app["names"], key=lambda n: (-app["names"].count(n), n)) if app["names"] else client_id
        scopes = tuple(sorted(app["scopes"]))
        grantors = sorted(app["grantors"].values(), key=lambda a: a.email)
        owners = tuple(OwnerHint("granted_by", email=a.email, name=a.name) for a in grantors)
        broad = sorted(s for s in scopes if s in BROAD_SCOPES)
        evidence = (Evidence(connection, SOURCE_TOKENS, client_id),)
        integration = Integration(
            id=app_id(connection, client_id),
            system=tenant,
            name=name,
            integration_kind="oauth_client",
            client_id=client_id,
            scopes=scopes,
            users=len(grantors),
            owners=owners,
            attributes={
                "anonymous": app["anonymous"],
                "native_app": app["native"],
                "broad_scopes": " ".join(broad),
            },
            evidence=evidence,
        )
        target = external_id(name=name)
        integrations.append(integration)
        flows.append(Flow(
            id=record_id(connection, "flow", f"oauth:{client_id}"),
            source=tenant,
            target=target,
            flow_kind="oauth_grant",
            data=scope_data(scopes),
            integration=integration.id,
            name=f"OAuth access by {name}",
            owners=owners,
            attributes={"users": len(grantors), "broad_scopes": bool(broad)},
            evidence=evidence,
        ))
        systems.append(System(id=target, name=name, system_kind=SystemKind.EXTERNAL, evidence=evidence))
    return integrations, flows, systems
