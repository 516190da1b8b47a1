"""Northwind Outfitters' Marketo Engage instance, as the built-in demo stack serves it.

The story (docs/demo-stack.md): Chloe runs Marketo as its admin; the native Salesforce sync links programs to
Salesforce campaigns and runs as the ``marketo-sync@`` API-only user; Dev once made an API-only user for Zapier
on his own ("zapier-marketo", unused for months but still there); Gus left in spring and his user is only
locked. The clean variant has no Zapier API user and no stale users.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from stackaudit.emulator import TenantSpec, demo_now

DOMAIN = "northwind.example"
MUNCHKIN_ID = "612-NWO-318"
UI_HOST = "https://app-lon06.marketo.com"
SCANNER = f"stackaudit-audit@{DOMAIN}"

ALL_ZONES = (0, "AllZones")
DEFAULT = (1, "Default")
ROLES = {"Admin": 1, "Marketing User": 2, "Analytics User": 3, "API - Salesforce Sync": 101,
         "API - Read-Write": 102, "API - Read-Only Audit": 103}

# (key, id, userid, first, last, email, api only, role, workspace, last login days ago, locked reason)
USERS: list[tuple[str, int, str, str, str, str, bool, str, tuple[int, str], float, str]] = [
    ("chloe", 1001, f"chloe.martin@{DOMAIN}", "Chloe", "Martin", f"chloe.martin@{DOMAIN}", False, "Admin",
     ALL_ZONES, 0.5, ""),
    ("dev", 1002, f"dev.patel@{DOMAIN}", "Dev", "Patel", f"dev.patel@{DOMAIN}", False, "Marketing User", DEFAULT,
     2, ""),
    ("farah", 1003, f"farah.haddad@{DOMAIN}", "Farah", "Haddad", f"farah.haddad@{DOMAIN}", False, "Analytics User",
     DEFAULT, 12, ""),
    ("gus", 1004, f"gus.novak@{DOMAIN}", "Gus", "Novak", f"gus.novak@{DOMAIN}", False, "Marketing User", DEFAULT,
     170, "Locked by administrator"),
    ("sync", 2001, f"marketo-sync@{DOMAIN}", "Salesforce", "Sync", f"chloe.martin@{DOMAIN}", True,
     "API - Salesforce Sync", ALL_ZONES, 0.01, ""),
    ("zapier", 2002, f"zapier-marketo@{DOMAIN}", "Zapier", "Marketo", f"dev.patel@{DOMAIN}", True, "API - Read-Write",
     DEFAULT, 320, ""),
    ("audit", 2003, SCANNER, "Stackaudit", "Audit", f"ana.lima@{DOMAIN}", True, "API - Read-Only Audit", ALL_ZONES,
     0.01, ""),
]
STALE = {"gus", "zapier"}

# (id, name, type, channel, status, Salesforce campaign id and name or None, created days ago)
PROGRAMS: list[tuple[int, str, str, str, str, tuple[str, str] | None, int]] = [
    (1001, "2025 Spring Webinar - Trail Running", "webinar", "Webinar", "unlocked",
     ("7015g000001AbCdAAK", "Spring Webinar 2025"), 240),
    (1002, "Outdoor Retailer Trade Show", "event", "Tradeshow", "unlocked",
     ("7015g000001AbCeAAK", "Outdoor Retailer 2025"), 200),
    (1003, "Monthly Newsletter", "program", "Email Send", "unlocked", None, 600),
    (1004, "Nurture - New Customers", "nurture", "Nurture", "on", None, 420),
    (1005, "Content Syndication - Gear Guide", "program", "Content Syndication", "unlocked",
     ("7015g000001AbCfAAK", "Gear Guide Syndication"), 90),
    (1006, "Operational - Lead Scoring", "program", "Operational", "unlocked", None, 700),
]
# (id, name, type, program id, active, created days ago)
CAMPAIGNS: list[tuple[int, str, str, int, bool, int]] = [
    (2001, "Webinar - Registration Confirmation", "trigger", 1001, True, 238),
    (2002, "Webinar - Send Reminder", "batch", 1001, False, 238),
    (2003, "Trade Show - Import Booth Scans", "batch", 1002, False, 199),
    (2004, "Newsletter - Send", "batch", 1003, False, 590),
    (2005, "Nurture - Add New Customers", "trigger", 1004, True, 415),
    (2006, "Scoring - Web Activity", "trigger", 1006, True, 690),
    (2007, "Syndication - Import Leads", "batch", 1005, False, 88),
]


def _user_time(days_ago: float, now: datetime) -> str:
    """User Management datetimes look like ``2020-12-31T08:00:00.000t+0000``."""
    return (now - timedelta(days=days_ago)).strftime("%Y-%m-%dT%H:%M:%S.000t+0000")


def _asset_time(days_ago: float, now: datetime) -> str:
    """Asset API datetimes look like ``2017-06-23T18:45:06Z+0000``."""
    return (now - timedelta(days=days_ago)).strftime("%Y-%m-%dT%H:%M:%SZ+0000")


def _rest_time(days_ago: float, now: datetime) -> str:
    return (now - timedelta(days=days_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _user(uid: int, userid: str, first: str, last: str, email: str, api_only: bool, role: str,
          workspace: tuple[int, str], login: float, locked_reason: str, now: datetime) -> dict[str, Any]:
    return {
        "userid": userid, "firstName": first, "lastName": last, "emailAddress": email,
        "optedIn": False, "failedLogins": 0, "failedDeviceCode": 0,
        "isLocked": bool(locked_reason), "lockedReason": locked_reason, "id": uid, "apiOnly": api_only,
        "userRoleWorkspaces": [{"accessRoleId": ROLES.get(role, 2), "accessRoleName": role,
                                "workspaceId": workspace[0], "workspaceName": workspace[1]}],
        # Northwind recertifies Marketo access yearly, so every user has an expiry date.
        "expiresAt": _user_time(-365 + login % 30, now),
        "lastLoginAt": _user_time(login, now),
    }


def _program(pid: int, name: str, kind: str, channel: str, status: str, sfdc: tuple[str, str] | None,
             created: float, now: datetime) -> dict[str, Any]:
    program: dict[str, Any] = {
        "id": pid, "name": name, "description": "", "createdAt": _asset_time(created, now),
        "updatedAt": _asset_time(max(1.0, created / 4), now), "url": f"{UI_HOST}/#PG{pid}A1", "type": kind,
        "channel": channel, "folder": {"id": 15, "type": "Folder"}, "status": status, "workspace": "Default",
    }
    if sfdc:
        program["sfdcId"], program["sfdcName"] = sfdc
    return program


def _campaign(cid: int, name: str, kind: str, program: dict[str, Any], active: bool, created: float,
              now: datetime) -> dict[str, Any]:
    return {
        "id": cid, "name": name, "description": "", "type": kind, "programName": program["name"],
        "programId": program["id"], "workspaceName": "Default", "createdAt": _rest_time(created, now),
        "updatedAt": _rest_time(max(1.0, created / 3), now), "active": active,
    }


def demo_tenant(scale: int = 1, *, clean: bool = False) -> TenantSpec:
    """Northwind's instance; ``clean`` drops the Zapier API user and the stale (locked) user."""
    now = demo_now()
    rng = random.Random(7)
    people = [u for u in USERS if not (clean and u[0] in STALE)]
    users = [_user(*row[1:], now=now) for row in people]
    extra = max(0, scale - 1)
    for n in range(extra * 25):  # benchmark volume: more marketers, spread logins
        users.append(_user(5000 + n, f"marketer{n}@{DOMAIN}", "Marketer", str(n), f"marketer{n}@{DOMAIN}", False,
                           "Marketing User", DEFAULT, round(rng.uniform(0, 60), 2), "", now))

    programs = [_program(*row, now=now) for row in PROGRAMS]
    for n in range(extra * 200):
        programs.append(_program(10_000 + n, f"Email Blast {n}", "program", "Email Send", "unlocked", None,
                                 rng.uniform(1, 700), now))
    by_id = {p["id"]: p for p in programs}
    campaigns = [_campaign(cid, name, kind, by_id[pid], active, created, now)
                 for cid, name, kind, pid, active, created in CAMPAIGNS]
    for n in range(extra * 300):
        program = programs[len(PROGRAMS) + n % max(1, len(programs) - len(PROGRAMS))] if extra else programs[0]
        campaigns.append(_campaign(20_000 + n, f"Email Blast {n} - Send", "batch", program, False,
                                   rng.uniform(1, 700), now))

    # API calls per API user: the Salesforce sync all day long, the audit user today; Zapier not for months.
    day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    week = []
    for days_ago in range(7):
        sync_calls = 4_000 + rng.randint(0, 2_500)
        counts: dict[str, int] = {f"marketo-sync@{DOMAIN}": sync_calls}
        if days_ago == 0:
            counts[SCANNER] = 14
        week.append({"date": (day_start - timedelta(days=days_ago)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                     "total": sum(counts.values()),
                     "users": [{"userId": user, "count": count} for user, count in counts.items()]})
    data = {
        "munchkin_id": MUNCHKIN_ID,
        "scope": SCANNER,  # the API-only user owning the custom service whose credentials the demo holds
        "users": users,
        "programs": programs,
        "campaigns": campaigns,
        "usage_today": week[:1],
        "usage_last_7_days": week,
        "daily_quota": 50_000,
        "denied": [],
    }
    return TenantSpec(
        name="northwind-marketo",
        vendor="marketo",
        data=data,
        credentials={"client_id": "8f2c6d1e-4b7a-4c9e-a3d5-6e1f0b9c7a24",
                     "client_secret": "Nw7kQ2xR9pL4vT8sY3mZ6bC1dF5gH0jK"},
        options={"munchkin_id": MUNCHKIN_ID},
        registry=[{
            "id": "marketo", "name": "Marketo Engage", "vendor": "marketo", "owner": f"chloe.martin@{DOMAIN}",
            "domains": [f"{MUNCHKIN_ID.lower()}.mktorest.com"], "data": ["pii", "contact"],
        }],
    )
