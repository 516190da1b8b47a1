"""Marketo records in, stackaudit inventory records out. Pure: no I/O, no clock (the caller passes ``now``)."""

from __future__ import annotations

import dataclasses
import re
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
from stackaudit.model import Record, Scalar
from stackaudit.redaction import strip_url
from stackaudit.vendor_data import as_mapping, as_mappings, split_url

LEAD_DATA = (DataCategory.PII, DataCategory.CONTACT)
SALESFORCE = external_id(name="Salesforce")

# Marketo dates come as 2020-12-31T08:00:00.000t+0000 (user management), 2017-06-23T18:45:06Z+0000 (asset API)
# or 2013-10-01T00:00:00Z (lead database); the user management reference also shows a compact yyyyMMdd date.
_TIME = re.compile(r"^(?P<y>\d{4})-?(?P<m>\d{2})-?(?P<d>\d{2})[T ](?P<time>\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)"
                   r"[tZz]?(?P<offset>[+-]\d{2}:?\d{2})?$")


def parse_time(value: Any) -> datetime | None:
    """A Marketo datetime as an aware UTC datetime; None when absent or unreadable."""
    if not isinstance(value, str) or not value.strip():
        return None
    match = _TIME.match(value.strip())
    if not match:
        return None
    offset = match["offset"] or "+00:00"
    if ":" not in offset:
        offset = f"{offset[:3]}:{offset[3:]}"
    try:
        parsed = datetime.fromisoformat(f"{match['y']}-{match['m']}-{match['d']}T{match['time']}{offset}")
    except ValueError:
        return None
    return parsed.astimezone(UTC)


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def munchkin_from_url(base_url: str) -> str:
    """``https://612-NWO-318.mktorest.com`` → ``612-NWO-318``; empty when the host is not a Marketo REST host."""
    host = split_url(base_url).hostname or ""
    if host.endswith(".mktorest.com"):
        return host.split(".", 1)[0].upper()
    return ""


def tenant_id(connection: str, instance_id: str) -> str:
    return record_id(connection, "tenant", instance_id)


def instance(connection: str, base_url: str, instance_id: str, *, munchkin_id: str,
             attributes: Mapping[str, Scalar]) -> System:
    """The Marketo instance: its lead database holds people (PII, contact details)."""
    return System(
        id=tenant_id(connection, instance_id),
        name=f"Marketo Engage {munchkin_id}" if munchkin_id else "Marketo Engage",
        vendor="marketo",
        system_kind=SystemKind.TENANT,
        category="marketing-automation",
        url=strip_url(base_url),
        domain=split_url(base_url).hostname or "",
        data=LEAD_DATA,
        attributes={"munchkin_id": munchkin_id, **attributes},
        evidence=(Evidence(connection, "Marketo REST API", munchkin_id),),
    )


# -- API usage ------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ApiUsage:
    """Calls per API user from the usage statistics: today, the last 7 days, and the last day with calls."""

    today: Mapping[str, int]
    week: Mapping[str, int]
    last_day: Mapping[str, datetime]
    total_today: int | None
    total_week: int | None


def api_usage(today: Iterable[Mapping[str, Any]] | None, week: Iterable[Mapping[str, Any]] | None) -> ApiUsage:
    """Fold ``stats/usage.json`` and ``stats/usage/last7days.json`` results (either may be missing: None)."""
    def fold(days: Iterable[Mapping[str, Any]]) -> tuple[dict[str, int], dict[str, datetime], int]:
        counts: dict[str, int] = {}
        last: dict[str, datetime] = {}
        total = 0
        for day in days:
            date = parse_time(day.get("date"))
            total += _int(day.get("total")) or 0
            for entry in as_mappings(day.get("users")):
                user = _str(entry.get("userId")).lower()
                count = _int(entry.get("count")) or 0
                if not user or count <= 0:
                    continue
                counts[user] = counts.get(user, 0) + count
                if date and (user not in last or date > last[user]):
                    last[user] = date
        return counts, last, total

    today_counts, today_last, today_total = fold(today or [])
    week_counts, week_last, week_total = fold(week or [])
    last = dict(week_last)
    for user, date in today_last.items():
        if user not in last or date > last[user]:
            last[user] = date
    return ApiUsage(
        today=today_counts, week=week_counts, last_day=last,
        total_today=today_total if today is not None else None,
        total_week=week_total if week is not None else None,
    )


# -- users ----------------------------------------------------------------------------------------


def is_admin_role(name: str) -> bool:
    # The API names roles but does not list their permissions; Marketo's built-in administrator role is "Admin",
    # and custom administrator roles conventionally carry the word too.
    return "admin" in name.lower()


def user_records(connection: str, tenant: str, summary: Mapping[str, Any], detail: Mapping[str, Any] | None, *,
                 usage: ApiUsage | None, now: datetime, scanner: str = "") -> list[Record]:
    """A user as an Account; an API-only user also as an Integration (api_user) with its API Credential.

    ``summary`` is the ``allusers.json`` entry, ``detail`` the ``user.json`` record (None if unreadable), ``scanner``
    the API user this scan authenticates as. Marketo's API does not say whether a user has MFA or signs in through
    SSO, so both stay unknown.
    """
    user = {**summary, **as_mapping(detail)}
    native_id = str(user.get("id", "")) or _str(user.get("userid"))
    userid = _str(user.get("userid"))
    email = _str(user.get("emailAddress")).lower()
    name = " ".join(p for p in (_str(user.get("firstName")), _str(user.get("lastName"))) if p)
    api_only = user.get("apiOnly") is True
    assignments = as_mappings(user.get("userRoleWorkspaces"))
    roles = tuple(sorted({_str(a.get("accessRoleName")) or f"role {a.get('accessRoleId')}" for a in assignments}))
    workspaces = sorted({_str(a.get("workspaceName")) or f"workspace {a.get('workspaceId')}" for a in assignments})
    locked = user.get("isLocked") is True
    expires_at = parse_time(user.get("expiresAt"))
    expired = expires_at is not None and expires_at <= now
    account_id = record_id(connection, "user", native_id)
    evidence = (Evidence(connection, "GET /userservice/management/v1/users/{userid}/user.json" if detail is not None
                         else "GET /userservice/management/v1/users/allusers.json", native_id),)
    attributes: dict[str, Scalar] = {
        "userid": userid,
        "api_only": api_only,
        "identity": "marketo" if "@" in userid else "adobe",  # Adobe Identity users have a GUID as userid
        "workspaces": ", ".join(workspaces),
    }
    if detail is None:
        attributes["details"] = "unavailable"
    else:
        attributes.update({
            "locked": locked,
            "locked_reason": _str(user.get("lockedReason")),
            "expires_at": expires_at.isoformat() if expires_at else "",
            "expired": expired,
            "failed_logins": _int(user.get("failedLogins")),
        })
    account = Account(
        id=account_id,
        system=tenant,
        username=userid,
        email=email,
        name=name,
        account_kind=AccountKind.SERVICE if api_only else AccountKind.HUMAN,
        active=not locked and not expired,
        admin=any(is_admin_role(role) for role in roles),
        roles=roles,
        mfa=TriState.UNKNOWN,
        sso=TriState.UNKNOWN,
        last_login_at=parse_time(user.get("lastLoginAt")),
        attributes=attributes,
        evidence=evidence,
    )
    if not api_only:
        return [account]

    key = userid.lower()
    calls_today = usage.today.get(key, 0) if usage else None
    calls_week = usage.week.get(key, 0) if usage else None
    last_used = usage.last_day.get(key) if usage else None
    # An API-only user's email address is where Marketo sends its notices: usually the person who set it up.
    owners = (OwnerHint("contact", email=email),) if email and email != key else ()
    integration = Integration(
        id=record_id(connection, "api_user", native_id),
        system=tenant,
        name=userid or name,
        integration_kind="api_user",
        scopes=roles,
        enabled=account.active,
        last_used_at=last_used,
        owners=owners,
        attributes={
            "display_name": name,
            "roles": ", ".join(roles),
            "workspaces": ", ".join(workspaces),
            "api_calls_today": calls_today,
            "api_calls_last_7_days": calls_week,
            "used_by_this_scan": bool(scanner) and key == scanner.lower(),
        },
        evidence=evidence,
    )
    credential = Credential(
        id=record_id(connection, "api_credential", native_id),
        system=tenant,
        credential_kind="api_key",
        name=f"LaunchPoint API access of {userid or name}",
        integration=integration.id,
        account=account_id,
        scopes=roles,
        expires_at=expires_at,
        last_used_at=last_used,
        use_count=calls_week,
        attributes={
            "auth": "OAuth 2.0 client credentials of a LaunchPoint custom service",
            "use_count_window_days": 7 if usage else None,
        },
        evidence=evidence,
    )
    return [account, integration, credential]


# -- programs, campaigns and the Salesforce sync ----------------------------------------------------


def programs_summary(programs: Iterable[Mapping[str, Any]]) -> dict[str, Scalar]:
    rows = list(programs)
    channels = sorted({_str(p.get("channel")) for p in rows if _str(p.get("channel"))})
    return {
        "programs": len(rows),
        "programs_linked_to_salesforce": sum(1 for p in rows if _str(p.get("sfdcId"))),
        "program_channels": ", ".join(channels),
    }


def campaigns_summary(campaigns: Iterable[Mapping[str, Any]]) -> dict[str, Scalar]:
    rows = list(campaigns)
    return {
        "campaigns": len(rows),
        "trigger_campaigns_active": sum(1 for c in rows if c.get("type") == "trigger" and c.get("active") is True),
        "batch_campaigns": sum(1 for c in rows if c.get("type") == "batch"),
    }


def salesforce_sync(connection: str, tenant: str, programs: Iterable[Mapping[str, Any]]) -> list[Record]:
    """The native Marketo ↔ Salesforce sync, seen through programs linked to Salesforce campaigns.

    ``sfdcId`` on a program is the Salesforce campaign it is synced with; Marketo only offers that link when the
    instance's native Salesforce sync is enabled. The sync moves leads and contacts both ways, so two flows.
    """
    linked = [p for p in programs if _str(p.get("sfdcId"))]
    if not linked:
        return []
    evidence = tuple(Evidence(connection, "GET /rest/asset/v1/programs.json (sfdcId)", str(p.get("id", "")))
                     for p in linked)
    attributes: dict[str, Scalar] = {
        "derived_from": "programs linked to Salesforce campaigns (sfdcId)",
        "linked_programs": len(linked),
        "salesforce_campaigns": ", ".join(sorted({_str(p.get("sfdcName")) or _str(p.get("sfdcId"))
                                                  for p in linked})),
    }
    flows: list[Record] = [
        Flow(
            id=record_id(connection, "flow", f"salesforce-sync:{direction}"),
            source=source,
            target=target,
            flow_kind="native_sync",
            data=LEAD_DATA,
            name=f"Marketo ↔ Salesforce sync ({label})",
            attributes=attributes,
            evidence=evidence,
        )
        for direction, source, target, label in (
            ("to-salesforce", tenant, SALESFORCE, "Marketo → Salesforce"),
            ("from-salesforce", SALESFORCE, tenant, "Salesforce → Marketo"),
        )
    ]
    flows.append(System(
        id=SALESFORCE,
        name="Salesforce",
        vendor="salesforce",
        system_kind=SystemKind.EXTERNAL,
        category="crm",
        evidence=evidence[:1],
    ))
    return flows
