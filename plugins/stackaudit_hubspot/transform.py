"""HubSpot API objects in, stackaudit inventory records out. Pure: no I/O, no clock.

What HubSpot tells and does not tell, and how that shapes the records:

- MFA: HubSpot publishes no per-user two-factor state, so every account's ``mfa`` is unknown. The security
  activity's latest two-factor event for a user is kept as an attribute, never read as "on" or "off".
- Private apps: no endpoint lists them by name. The security activity records each app's token events
  (created, rotated, viewed, deactivated) with the app's id and the acting user, so private apps appear as
  ``Private app <id>`` with their creator; ``/account-info/v3/api-usage/daily/private-apps`` gives only the
  account's total daily calls, kept on the portal.
- The Salesforce integration has no API of its own. A workflow that accepts enrollment from Salesforce
  (``canEnrollFromSalesforce``) exists only when the HubSpot-Salesforce integration is connected, so such a
  workflow is the evidence for the native sync flows in both directions.
"""

from __future__ import annotations

import dataclasses
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
from stackaudit.redaction import strip_url
from stackaudit.vendor_data import as_mappings, as_strings, split_url
from stackaudit_hubspot.client import (
    ACCOUNT_DETAILS,
    FLOWS,
    OWNERS,
    PRIVATE_APP_USAGE,
    SECURITY_ACTIVITY,
    USERS,
)

PORTAL_DATA = (DataCategory.PII, DataCategory.CONTACT)  # a portal holds CRM contacts
# What a workflow's records are, by HubSpot object type id: the webhook posts the enrolled record.
OBJECT_DATA: dict[str, tuple[DataCategory, ...]] = {
    "0-1": (DataCategory.PII, DataCategory.CONTACT),  # contacts
    "0-2": (DataCategory.CONTACT,),  # companies
}
OBJECT_NAMES = {"0-1": "contact", "0-2": "company", "0-3": "deal", "0-5": "ticket"}
# Webhook hosts whose vendor is certain from the host alone; any other host is left to the graph's catalogue.
KNOWN_HOSTS = {"zapier.com": "zapier", "make.com": "make", "slack.com": "slack"}
PRIVATE_APP_EVENTS = {
    "PRIVATE_APP_ACCESS_TOKEN_CREATE", "PRIVATE_APP_ACCESS_TOKEN_ROTATE", "PRIVATE_APP_ACCESS_TOKEN_VIEW",
    "PRIVATE_APP_ACCESS_TOKEN_DEACTIVATE", "PRIVATE_APP_SCOPE_GROUPS_UPDATE", "PRIVATE_APP_CLIENT_SECRET_VIEW",
    "PRIVATE_APP_CLIENT_SECRET_WRITE",
}
TOKEN_ISSUED = {"PRIVATE_APP_ACCESS_TOKEN_CREATE", "PRIVATE_APP_ACCESS_TOKEN_ROTATE"}
WEBHOOK_EVENTS = {"ADD_WEBHOOK_IN_WORKFLOW", "MODIFY_WEBHOOK_IN_WORKFLOW"}
TWO_FACTOR_EVENTS = {"ADD_TWO_FACTOR_AUTHENTICATION", "REMOVE_TWO_FACTOR_AUTHENTICATION"}
SALESFORCE = "Salesforce"


def parse_time(value: Any) -> datetime | None:
    """HubSpot datetimes: ISO 8601 (``2024-05-01T12:34:56.789Z``) or epoch milliseconds."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        try:
            return datetime.fromtimestamp(value / 1000, tz=UTC)
        except (ValueError, OverflowError, OSError):  # not a time any calendar holds
            return None
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _str(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return ""
    return str(value) if isinstance(value, str | int) else ""


def _lower(value: Any) -> str:
    return _str(value).strip().lower()


def _name(item: Mapping[str, Any]) -> str:
    return " ".join(p for p in (_str(item.get("firstName")), _str(item.get("lastName"))) if p)


def tenant_id(connection: str, portal_id: str) -> str:
    return record_id(connection, "tenant", portal_id)


def user_id(connection: str, hubspot_user_id: str) -> str:
    return record_id(connection, "user", hubspot_user_id)


# -- portal --------------------------------------------------------------------------------------------


def portal(connection: str, details: Mapping[str, Any], usage: Iterable[Mapping[str, Any]] | None) -> System:
    """The portal (HubSpot account) as the tenant system, with its daily private-app API usage if read."""
    portal_id = _str(details.get("portalId"))
    ui_domain = _str(details.get("uiDomain"))
    attributes: dict[str, str | int | bool | None] = {
        "portal_id": portal_id,
        "account_type": _str(details.get("accountType")),
        "time_zone": _str(details.get("timeZone")),
        "currency": _str(details.get("companyCurrency")),
    }
    for row in usage or ():
        if _str(row.get("name")) == "private-apps-api-calls-daily":
            attributes["private_app_calls_today"] = row.get("currentUsage") if isinstance(
                row.get("currentUsage"), int) else None
            attributes["private_app_daily_limit"] = row.get("usageLimit") if isinstance(
                row.get("usageLimit"), int) else None
    return System(
        id=tenant_id(connection, portal_id),
        name=_str(details.get("portalName")) or f"HubSpot portal {portal_id}",
        vendor="hubspot",
        system_kind=SystemKind.TENANT,
        category="marketing-automation",
        url=f"https://{ui_domain}" if ui_domain else "",
        domain=ui_domain,
        region=_str(details.get("dataHostingLocation")),
        data=PORTAL_DATA,
        attributes=attributes,
        evidence=(Evidence(connection, f"GET {ACCOUNT_DETAILS}", portal_id),)
        + ((Evidence(connection, f"GET {PRIVATE_APP_USAGE}"),) if usage is not None else ()),
    )


# -- people --------------------------------------------------------------------------------------------


@dataclasses.dataclass
class LoginSummary:
    """What the login history (the last 90 days) says about one user."""

    last_success: datetime | None = None
    failures: int = 0


def login_summary(logins: Iterable[Mapping[str, Any]]) -> dict[str, LoginSummary]:
    """Keyed by HubSpot user id and by lower-cased email (login records carry either or both)."""
    out: dict[str, LoginSummary] = {}
    for row in logins:
        keys = [k for k in (_str(row.get("userId")), _lower(row.get("email"))) if k]
        when = parse_time(row.get("loginAt"))
        for key in keys:
            summary = out.setdefault(key, LoginSummary())
            if row.get("loginSucceeded") is True:
                if when and (summary.last_success is None or when > summary.last_success):
                    summary.last_success = when
            else:
                summary.failures += 1
    return out


def _latest_by_user(security: Iterable[Mapping[str, Any]], types: set[str]) -> dict[str, tuple[datetime, str]]:
    latest: dict[str, tuple[datetime, str]] = {}
    for event in security:
        kind = _str(event.get("type"))
        when = parse_time(event.get("createdAt"))
        who = _str(event.get("userId"))
        if kind in types and when and who and (who not in latest or when > latest[who][0]):
            latest[who] = (when, kind)
    return latest


def accounts(connection: str, tenant: str, *, users: Sequence[Mapping[str, Any]] | None,
             owners: Sequence[Mapping[str, Any]] | None, roles: Mapping[str, str],
             logins: Mapping[str, LoginSummary] | None,
             security: Sequence[Mapping[str, Any]] | None) -> list[Account]:
    """Users (settings API) and CRM owners as accounts.

    Each current user is one account, joined to its owner record. Owners without a current user are
    people who left: an archived owner, or an owner whose user was deactivated (``userId`` empty but
    ``userIdIncludingInactive`` set) and who still owns records. ``users`` or ``owners`` is None when that
    area could not be read; ``logins`` None means login history was not readable (last login unknown).
    """
    two_factor = _latest_by_user(security or (), TWO_FACTOR_EVENTS)
    owner_of_user = {_str(o.get("userId")): o for o in owners or () if _str(o.get("userId"))}
    out: list[Account] = []
    seen: set[str] = set()
    for raw in users or ():
        hubspot_id = _str(raw.get("id"))
        if not hubspot_id or hubspot_id in seen:
            continue
        seen.add(hubspot_id)
        owner = owner_of_user.get(hubspot_id)
        email = _lower(raw.get("email"))
        super_admin = raw.get("superAdmin") is True
        role_ids = [r for r in as_strings(raw.get("roleIds")) if r] or (
            [_str(raw.get("roleId"))] if _str(raw.get("roleId")) else [])
        names = [roles.get(r, f"role {r}") for r in role_ids]
        login = _login_of(logins, hubspot_id, email)
        attributes: dict[str, str | int | bool | None] = {
            "hubspot_user_id": hubspot_id,
            "super_admin": super_admin,
            "primary_team_id": _str(raw.get("primaryTeamId")),
            "owner_id": _str(owner.get("id")) if owner else "",
        }
        _add_activity(attributes, login, logins, two_factor.get(hubspot_id))
        out.append(Account(
            id=user_id(connection, hubspot_id),
            system=tenant,
            username=email,
            email=email,
            name=_name(raw) or (_name(owner) if owner else ""),
            account_kind=AccountKind.HUMAN,
            active=True,
            admin=super_admin,
            roles=tuple((["Super Admin"] if super_admin else []) + names),
            mfa=TriState.UNKNOWN,  # HubSpot publishes no MFA state
            sso=TriState.UNKNOWN,
            last_login_at=login.last_success if login else None,
            created_at=parse_time(owner.get("createdAt")) if owner else None,
            attributes=attributes,
            evidence=(Evidence(connection, f"GET {USERS}", hubspot_id),)
            + ((Evidence(connection, f"GET {OWNERS}", _str(owner.get("id"))),) if owner else ()),
        ))
    emitted = {a.id for a in out}
    for owner in owners or ():
        if owner.get("type", "PERSON") != "PERSON":
            continue  # a queue, not a person
        current = _str(owner.get("userId"))
        if current in seen:
            continue  # already the account of a current user
        hubspot_id = _str(owner.get("userIdIncludingInactive")) or current
        account = _owner_account(connection, tenant, owner, hubspot_id, logins, users_read=users is not None,
                                 two_factor=two_factor.get(hubspot_id))
        if account.id not in emitted:
            emitted.add(account.id)
            out.append(account)
    return out


def _login_of(logins: Mapping[str, LoginSummary] | None, hubspot_id: str, email: str) -> LoginSummary | None:
    if logins is None:
        return None
    return logins.get(hubspot_id) or (logins.get(email) if email else None)


def _add_activity(attributes: dict[str, str | int | bool | None], login: LoginSummary | None,
                  logins: Mapping[str, LoginSummary] | None, two_factor: tuple[datetime, str] | None) -> None:
    if logins is not None:
        attributes["login_history_days"] = 90
        attributes["failed_logins"] = login.failures if login else 0
    if two_factor:
        attributes["two_factor_last_event"] = two_factor[1]
        attributes["two_factor_last_event_at"] = two_factor[0].isoformat()


def _owner_account(connection: str, tenant: str, owner: Mapping[str, Any], hubspot_id: str,
                    logins: Mapping[str, LoginSummary] | None, *, users_read: bool,
                    two_factor: tuple[datetime, str] | None) -> Account:
    owner_id = _str(owner.get("id"))
    email = _lower(owner.get("email"))
    archived = owner.get("archived") is True
    # An owner of a user the users API does not list has left; without that list (not readable), an owner
    # with a current user id is the only view of an active user.
    active = not archived and bool(_str(owner.get("userId"))) and not users_read
    login = _login_of(logins, hubspot_id, email)
    attributes: dict[str, str | int | bool | None] = {
        "hubspot_user_id": hubspot_id,
        "owner_id": owner_id,
        "owner_archived": archived,
        "source": "crm owner",
    }
    _add_activity(attributes, login, logins, two_factor)
    return Account(
        id=user_id(connection, hubspot_id) if hubspot_id else record_id(connection, "owner", owner_id),
        system=tenant,
        username=email,
        email=email,
        name=_name(owner),
        account_kind=AccountKind.HUMAN,
        active=active,
        admin=False,
        mfa=TriState.UNKNOWN,
        sso=TriState.UNKNOWN,
        last_login_at=login.last_success if login else None,
        created_at=parse_time(owner.get("createdAt")),
        attributes=attributes,
        evidence=(Evidence(connection, f"GET {OWNERS}{'?archived=true' if archived else ''}", owner_id),),
    )


# -- private apps ----------------------------------------------------------------------------------------


def private_apps(connection: str, tenant: str, security: Iterable[Mapping[str, Any]]
                 ) -> tuple[list[Integration], list[Credential]]:
    """One private app per app id seen in the security activity's private-app events, and its token.

    The creator is who created the first token; the current token dates from the latest create or rotate;
    a deactivation after that means the token no longer works.
    """
    events: dict[str, list[Mapping[str, Any]]] = {}
    for event in security:
        app = _str(event.get("objectId"))
        if _str(event.get("type")) in PRIVATE_APP_EVENTS and app and parse_time(event.get("createdAt")):
            events.setdefault(app, []).append(event)
    integrations: list[Integration] = []
    credentials: list[Credential] = []
    for app, app_events in sorted(events.items()):
        app_events.sort(key=_when)
        created = next((e for e in app_events if e.get("type") == "PRIVATE_APP_ACCESS_TOKEN_CREATE"), None)
        issued = [e for e in app_events if e.get("type") in TOKEN_ISSUED]
        last_issued = issued[-1] if issued else None
        issued_at = _when(last_issued) if last_issued else EPOCH
        deactivated = any(e.get("type") == "PRIVATE_APP_ACCESS_TOKEN_DEACTIVATE" and _when(e) >= issued_at
                          for e in app_events)
        creator = created or app_events[0]
        integration_id = record_id(connection, "private_app", app)
        evidence = tuple(Evidence(connection, f"GET {SECURITY_ACTIVITY}", _str(e.get("id"))) for e in app_events)
        owner = OwnerHint("created_by" if created else "admin", email=_lower(creator.get("actingUser")))
        rotations = sum(1 for e in app_events if e.get("type") == "PRIVATE_APP_ACCESS_TOKEN_ROTATE")
        integrations.append(Integration(
            id=integration_id,
            system=tenant,
            name=f"Private app {app}",
            integration_kind="private_app",
            publisher="",
            enabled=not deactivated,
            created_at=parse_time(created.get("createdAt")) if created else None,
            owners=(owner,) if owner.email else (),
            attributes={
                "app_id": app,
                "last_event": _str(app_events[-1].get("type")),
                "last_event_at": _iso(parse_time(app_events[-1].get("createdAt"))),
                "scope_changes": sum(1 for e in app_events if e.get("type") == "PRIVATE_APP_SCOPE_GROUPS_UPDATE"),
                "named_by": "app id (HubSpot's API does not return private app names)",
            },
            evidence=evidence,
        ))
        acting = _str((last_issued or creator).get("userId"))
        credentials.append(Credential(
            id=record_id(connection, "private_app_token", app),
            system=tenant,
            credential_kind="private_app_token",
            name=f"Private app {app} access token",
            integration=integration_id,
            account=user_id(connection, acting) if acting else "",
            created_at=parse_time(last_issued.get("createdAt")) if last_issued else None,
            fingerprint=f"hubspot-private-app:{app}",  # the app id, which HubSpot shows; never the token
            attributes={"rotations": rotations, "deactivated": deactivated,
                        "issued_by": _lower((last_issued or creator).get("actingUser"))},
            evidence=evidence,
        ))
    return integrations, credentials


EPOCH = datetime.fromtimestamp(0, tz=UTC)


def _when(event: Mapping[str, Any]) -> datetime:
    return parse_time(event.get("createdAt")) or EPOCH


def _iso(value: datetime | None) -> str:
    return value.isoformat() if value else ""


# -- workflows -------------------------------------------------------------------------------------------


def webhook_authors(security: Iterable[Mapping[str, Any]]) -> dict[str, OwnerHint]:
    """Workflow id → who last added or changed a webhook in it (security activity)."""
    latest: dict[str, tuple[datetime, OwnerHint]] = {}
    for event in security:
        flow_id = _str(event.get("objectId"))
        when = parse_time(event.get("createdAt"))
        email = _lower(event.get("actingUser"))
        if _str(event.get("type")) in WEBHOOK_EVENTS and flow_id and when and email:
            role = "created_by" if event.get("type") == "ADD_WEBHOOK_IN_WORKFLOW" else "admin"
            if flow_id not in latest or when > latest[flow_id][0]:
                latest[flow_id] = (when, OwnerHint(role, email=email))
    return {flow_id: hint for flow_id, (_, hint) in latest.items()}


def webhook_flows(connection: str, tenant: str, flow: Mapping[str, Any],
                  authors: Mapping[str, OwnerHint]) -> list[Flow | System]:
    """Each webhook action of a workflow as a flow to the URL it calls, plus the external system there."""
    flow_id = _str(flow.get("id"))
    name = _str(flow.get("name")) or f"workflow {flow_id}"
    object_type = _str(flow.get("objectTypeId"))
    out: list[Flow | System] = []
    for action in as_mappings(flow.get("actions")):
        if not isinstance(action, dict) or action.get("type") != "WEBHOOK":
            continue
        url = _str(action.get("webhookUrl"))
        parts = split_url(url)
        host = (parts.hostname or "").lower()
        if not host:
            continue
        action_id = _str(action.get("actionId"))
        auth = action.get("authSettings")
        evidence = (Evidence(connection, f"GET {FLOWS}/{flow_id}", f"{flow_id}/{action_id}"),)
        author = authors.get(flow_id)
        out.append(Flow(
            id=record_id(connection, "webhook", f"{flow_id}:{action_id}"),
            source=tenant,
            target=external_id(host=host),
            flow_kind="webhook",
            data=OBJECT_DATA.get(object_type, (DataCategory.UNKNOWN,)),
            url=strip_url(url),
            scheme=parts.scheme.lower(),
            name=f"{name}: webhook",
            active=flow.get("isEnabled") is True,
            owners=(author,) if author else (),
            attributes={
                "workflow_id": flow_id,
                "workflow_name": name,
                "action_id": action_id,
                "method": _str(action.get("method")),
                "auth": _str(auth.get("type")) if isinstance(auth, dict) else "NONE",
                "object_type": OBJECT_NAMES.get(object_type, object_type),
            },
            evidence=evidence,
        ))
        out.append(System(
            id=external_id(host=host),
            name=host,
            vendor=next((v for suffix, v in KNOWN_HOSTS.items() if host == suffix or host.endswith("." + suffix)),
                        ""),
            system_kind=SystemKind.EXTERNAL,
            url=f"{parts.scheme.lower()}://{host}",
            domain=host,
            evidence=evidence,
        ))
    return out


def salesforce_sync(connection: str, tenant: str, flows: Iterable[Mapping[str, Any]]
                    ) -> list[Integration | Flow | System]:
    """The HubSpot-Salesforce integration, evidenced by workflows that accept enrollment from Salesforce.

    HubSpot exposes no API for its Salesforce integration; ``canEnrollFromSalesforce`` can only be on when
    the integration is connected. The integration syncs contacts both ways, so both directions are flows.
    """
    enrolling = [f for f in flows if f.get("canEnrollFromSalesforce") is True]
    if not enrolling:
        return []
    evidence = tuple(Evidence(connection, f"GET {FLOWS}/{_str(f.get('id'))}", _str(f.get("id"))) for f in enrolling)
    integration = Integration(
        id=record_id(connection, "integration", "salesforce"),
        system=tenant,
        name="Salesforce",
        integration_kind="app_installation",
        publisher="HubSpot",
        domains=("salesforce.com",),
        attributes={
            "evidence": "workflows that accept enrollment from Salesforce",
            "workflows": ", ".join(sorted(_str(f.get("name")) or _str(f.get("id")) for f in enrolling)),
        },
        evidence=evidence,
    )
    target = external_id(name=SALESFORCE)
    flows_out = [
        Flow(
            id=record_id(connection, "native_sync", f"salesforce:{direction}"),
            source=source,
            target=sink,
            flow_kind="native_sync",
            data=PORTAL_DATA,
            integration=integration.id,
            name=label,
            attributes={"direction": direction},
            evidence=evidence,
        )
        for direction, source, sink, label in (
            ("outbound", tenant, target, "HubSpot-Salesforce sync: HubSpot contacts to Salesforce"),
            ("inbound", target, tenant, "HubSpot-Salesforce sync: Salesforce leads and contacts to HubSpot"),
        )
    ]
    system = System(id=target, name=SALESFORCE, vendor="salesforce", system_kind=SystemKind.EXTERNAL,
                    domain="salesforce.com", evidence=evidence)
    return [integration, *flows_out, system]


def role_names(roles: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    return {_str(r.get("id")): _str(r.get("name")) for r in roles if _str(r.get("id"))}
