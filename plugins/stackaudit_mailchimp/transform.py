"""Mailchimp Marketing API objects in, stackaudit inventory records out. Pure: no I/O, no clock."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
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
from stackaudit.model import Record, Scalar
from stackaudit.redaction import strip_url
from stackaudit.vendor_data import as_mapping, as_strings, split_url

AUDIENCE_DATA = (DataCategory.CONTACT, DataCategory.PII)
ADMIN_ROLES = {"owner", "admin"}
# List webhook events that post a member's address and merge fields; "campaign" posts only campaign details.
MEMBER_EVENTS = ("subscribe", "unsubscribe", "profile", "cleaned", "upemail")
# Authorized apps that are a CRM's built-in sync feeding Mailchimp audiences: app name → (product, vendor id).
CRM_SYNC_APPS = {"mailchimp for salesforce": ("Salesforce", "salesforce")}


def parse_time(value: Any) -> datetime | None:
    """Mailchimp times are ISO 8601 (``2024-05-01T12:34:56+00:00``); "" means never."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _str(value: Any) -> str:
    return value if isinstance(value, str) else str(value) if isinstance(value, int) else ""


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def tenant_id(connection: str, root: Mapping[str, Any]) -> str:
    return record_id(connection, "tenant", _str(root.get("account_id")))


def key_user_id(connection: str, root: Mapping[str, Any]) -> str:
    return record_id(connection, "user", _str(root.get("login_id")))


def account(connection: str, api_base: str, root: Mapping[str, Any], *, data_centre: str,
            lists: Sequence[Mapping[str, Any]] | None, automations: Sequence[Mapping[str, Any]] | None) -> System:
    """The Mailchimp account as the tenant System. ``lists``/``automations`` are None when unreadable."""
    account_id = _str(root.get("account_id"))
    subscribers = _int(root.get("total_subscribers")) or 0
    holds_contacts = bool(lists) if lists is not None else subscribers > 0
    owners: tuple[OwnerHint, ...] = ()
    if _str(root.get("role")).lower() == "owner":
        owners = (OwnerHint("admin", email=_str(root.get("email")).lower(), name=_person_name(root)),)
    attributes: dict[str, Scalar] = {
        "account_id": account_id,
        "pricing_plan": _str(root.get("pricing_plan_type")),
        "industry": _str(root.get("account_industry")),
        "timezone": _str(root.get("account_timezone")),
        "member_since": _str(root.get("member_since")),
        "pro_enabled": root.get("pro_enabled") is True,
        "total_subscribers": subscribers,
        "account_users_listed": False,  # the Marketing API shows only the API key's own user
    }
    if lists is not None:
        attributes.update(audience_summary(lists))
    if automations is not None:
        attributes.update(automation_summary(automations))
    host = split_url(api_base).hostname or ""
    return System(
        id=record_id(connection, "tenant", account_id),
        name=_str(root.get("account_name")) or "Mailchimp account",
        vendor="mailchimp",
        system_kind=SystemKind.TENANT,
        category="email-marketing",
        url=strip_url(api_base),
        domain=host,
        region=data_centre,
        data=AUDIENCE_DATA if holds_contacts else (),
        owners=owners,
        attributes=attributes,
        evidence=(Evidence(connection, "GET /", account_id),),
    )


def audience_summary(lists: Iterable[Mapping[str, Any]]) -> dict[str, Scalar]:
    """Audiences as tenant attributes: how many, their names, and how many contacts they hold."""
    names: list[str] = []
    members = 0
    for audience in lists:
        names.append(_str(audience.get("name")))
        stats = as_mapping(audience.get("stats"))
        members += _int(stats.get("member_count")) or 0
    return {"audiences": len(names), "audience_names": ", ".join(sorted(names)), "audience_members": members}


def automation_summary(automations: Iterable[Mapping[str, Any]]) -> dict[str, Scalar]:
    """Classic automations as tenant attributes: ``Title [status, trigger, audience]`` each."""
    described: list[str] = []
    sending = 0
    for automation in automations:
        status = _str(automation.get("status"))
        sending += status == "sending"
        title = _str(as_mapping(automation.get("settings")).get("title")) or _str(automation.get("id"))
        trigger = _str(as_mapping(automation.get("trigger_settings")).get("workflow_type"))
        audience = _str(as_mapping(automation.get("recipients")).get("list_name"))
        described.append(f"{title} [{', '.join(p for p in (status, trigger, audience) if p)}]")
    return {"automations": len(described), "automations_sending": sending, "automation_list": "; ".join(described)}


def _person_name(root: Mapping[str, Any]) -> str:
    return " ".join(p for p in (_str(root.get("first_name")), _str(root.get("last_name"))) if p)


def key_user(connection: str, tenant: str, root: Mapping[str, Any]) -> Account:
    """The user the API key (or OAuth token) acts as: the only user the Marketing API shows.

    Mailchimp does not expose a user's two-factor or SSO state through the Marketing API: unknown.
    """
    role = _str(root.get("role")).lower()
    login_id = _str(root.get("login_id"))
    return Account(
        id=key_user_id(connection, root),
        system=tenant,
        username=_str(root.get("username")),
        email=_str(root.get("email")).lower(),
        name=_person_name(root),
        account_kind=AccountKind.HUMAN,
        admin=role in ADMIN_ROLES,
        roles=(role,) if role else (),
        mfa=TriState.UNKNOWN,
        sso=TriState.UNKNOWN,
        last_login_at=parse_time(root.get("last_login")),
        attributes={"login_id": login_id, "owns_scan_credential": True},
        evidence=(Evidence(connection, "GET /", login_id),),
    )


def scan_credential(connection: str, tenant: str, root: Mapping[str, Any], *, kind: str, hint: str,
                    data_centre: str) -> Credential:
    """The API key (or OAuth token) this scan used, and whose it is. ``hint`` is at most what Mailchimp's API
    keys page shows of a key (its first four characters), never more."""
    login_id = _str(root.get("login_id"))
    return Credential(
        id=record_id(connection, kind, f"{login_id}:{hint}" if hint else login_id),
        system=tenant,
        credential_kind=kind,
        name="API key used by the scan" if kind == "api_key" else "OAuth token used by the scan",
        account=key_user_id(connection, root),
        fingerprint=hint,
        attributes={"data_centre": data_centre, "username": _str(root.get("username"))},
        evidence=(Evidence(connection, "GET /", login_id),),
    )


def authorized_app(connection: str, tenant: str, app: Mapping[str, Any], *, root: Mapping[str, Any]) -> list[Record]:
    """An authorized (OAuth) app: the Integration, one OAuth grant per linked user, the flow out to the app,
    and for a CRM's own sync app the flow of contacts from that CRM into the audiences."""
    app_id = _str(app.get("id"))
    name = _str(app.get("name")) or f"app {app_id}"
    users = [u for u in as_strings(app.get("users")) if u]
    evidence = (Evidence(connection, "GET /authorized-apps", app_id),)
    integration_id = record_id(connection, "authorized_app", app_id)
    key_username, key_email = _str(root.get("username")), _str(root.get("email")).lower()
    owners = tuple(OwnerHint("granted_by", name=u, email=key_email if u == key_username else "") for u in users)
    records: list[Record] = [
        Integration(
            id=integration_id,
            system=tenant,
            name=name,
            integration_kind="oauth_client",
            client_id=app_id,
            users=len(users),
            owners=owners,
            attributes={"description": _str(app.get("description")), "usernames": ", ".join(users)},
            evidence=evidence,
        ),
        Flow(
            id=record_id(connection, "flow", f"oauth:{app_id}"),
            source=tenant,
            target=external_id(name=name),
            flow_kind="oauth_grant",
            data=AUDIENCE_DATA,
            integration=integration_id,
            name=f"OAuth access by {name}",
            active=bool(users),
            owners=owners,
            attributes={"users": len(users)},
            evidence=evidence,
        ),
        System(id=external_id(name=name), name=name, system_kind=SystemKind.EXTERNAL, evidence=evidence),
    ]
    for username in users:
        records.append(Credential(
            id=record_id(connection, "oauth_grant", f"{app_id}:{username}"),
            system=tenant,
            credential_kind="oauth_token",
            name=f"{name} (linked by {username})",
            integration=integration_id,
            account=key_user_id(connection, root) if username == key_username else "",
            attributes={"username": username},
            evidence=evidence,
        ))
    sync = CRM_SYNC_APPS.get(name.lower())
    if sync is not None:
        product, vendor = sync
        records.append(Flow(
            id=record_id(connection, "flow", f"sync:{app_id}"),
            source=external_id(name=product),
            target=tenant,
            flow_kind="native_sync",
            data=AUDIENCE_DATA,
            integration=integration_id,
            name=f"{product} contacts synced into Mailchimp audiences ({name})",
            active=bool(users),
            owners=owners,
            attributes={"derived_from": f"authorized app {name!r}"},
            evidence=evidence,
        ))
        records.append(System(id=external_id(name=product), name=product, vendor=vendor,
                              system_kind=SystemKind.EXTERNAL, evidence=evidence))
    return records


def _host_of(domain: str) -> str:
    """A connected site's domain as a host name (some are stored with a scheme or a path)."""
    text = domain.strip()
    parsed = split_url(text if "://" in text else f"//{text}")
    return (parsed.hostname or "").rstrip(".")


def connected_site(connection: str, tenant: str, site: Mapping[str, Any]) -> list[Record]:
    """A connected site: Mailchimp's script on the site sends visitor activity and pop-up form sign-ups."""
    host = _host_of(_str(site.get("domain")))
    if not host:
        return []
    foreign_id = _str(site.get("foreign_id")) or host
    script_url = _str(as_mapping(site.get("site_script")).get("url"))
    evidence = (Evidence(connection, "GET /connected-sites", foreign_id),)
    return [
        Flow(
            id=record_id(connection, "connected_site", foreign_id),
            source=external_id(host=host),
            target=tenant,
            flow_kind="tracking",
            data=(DataCategory.BEHAVIORAL, DataCategory.CONTACT),
            name=f"{host} site tracking and forms into Mailchimp",
            attributes={
                "platform": _str(site.get("platform")),
                "store_id": _str(site.get("store_id")),
                "script_host": split_url(script_url).hostname or "",
                "created_at": _str(site.get("created_at")),
            },
            evidence=evidence,
        ),
        System(id=external_id(host=host), name=host, system_kind=SystemKind.EXTERNAL, domain=host,
               evidence=evidence),
    ]


def list_webhook(connection: str, tenant: str, audience: Mapping[str, Any], hook: Mapping[str, Any]
                 ) -> list[Record]:
    """A list (audience) webhook: Mailchimp posts audience events to the URL."""
    url = _str(hook.get("url"))
    parts = split_url(url)
    if not parts.hostname:
        return []
    list_id = _str(hook.get("list_id")) or _str(audience.get("id"))
    hook_id = _str(hook.get("id"))
    events = sorted(k for k, v in as_mapping(hook.get("events")).items() if v is True)
    sources = sorted(k for k, v in as_mapping(hook.get("sources")).items() if v is True)
    data = AUDIENCE_DATA if any(e in MEMBER_EVENTS for e in events) else (DataCategory.MARKETING,)
    list_name = _str(audience.get("name"))
    evidence = (Evidence(connection, f"GET /lists/{list_id}/webhooks", hook_id),)
    return [
        Flow(
            id=record_id(connection, "webhook", f"{list_id}:{hook_id}"),
            source=tenant,
            target=external_id(host=parts.hostname),
            flow_kind="webhook",
            data=data,
            url=strip_url(url),
            scheme=parts.scheme.lower(),
            name=f"{list_name or list_id} webhook to {parts.hostname}",
            attributes={"list_id": list_id, "list_name": list_name, "events": ",".join(events),
                        "sources": ",".join(sources)},
            evidence=evidence,
        ),
        System(
            id=external_id(host=parts.hostname),
            name=parts.hostname,
            system_kind=SystemKind.EXTERNAL,
            url=f"{parts.scheme.lower()}://{parts.hostname}",
            domain=parts.hostname,
            evidence=evidence,
        ),
    ]
