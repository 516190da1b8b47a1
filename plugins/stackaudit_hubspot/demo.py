"""Northwind Outfitters' HubSpot portal, as the built-in demo stack serves it.

Its part of the story (docs/demo-stack.md): Chloe, marketing operations, is the super admin; Dev, Erin and
Farah are users; Gus left in spring, so his user is gone but he remains an archived CRM owner. Chloe wired a
workflow "New MQL → Mailchimp via Zapier" to a Zapier catch hook (the second path into Mailchimp), and Dev a
deal workflow to an internal HTTPS endpoint. The portal is connected to Salesforce (a workflow accepts
enrollment from Salesforce). Private apps: "Segment sync" (Chloe, token rotated), an old app Gus created years
ago and nobody rotated, and the audit's own read-only app. The HubSpot API returns private apps only as ids
in the security activity; their names are noted here for the reader.

The clean variant has no Zapier webhook, no old private app and no archived owners.
"""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta
from typing import Any

from stackaudit.emulator import TenantSpec, demo_now

PORTAL_ID = 25941207
DOMAIN = "northwind.example"
UI_DOMAIN = "app-eu1.hubspot.com"
SCOPES = ["settings.users.read", "crm.objects.owners.read", "account-info.security.read", "automation"]

# key: (HubSpot user id, owner id, first, last, email local part, super admin, role ids, team)
PEOPLE: dict[str, tuple[str, str, str, str, str, bool, list[str], str]] = {
    "chloe": ("51200311", "80311021", "Chloe", "Martin", "chloe.martin", True, [], "6201"),
    "dev": ("51200342", "80311047", "Dev", "Patel", "dev.patel", False, ["1001"], "6201"),
    "erin": ("51200377", "80311052", "Erin", "Walsh", "erin.walsh", False, ["1002"], "6202"),
    "farah": ("51200398", "80311068", "Farah", "Haddad", "farah.haddad", False, ["1003"], "6203"),
}
GUS = ("51200290", "80311004", "Gus", "Novak", "gus.novak")
ROLES = [
    {"id": "1001", "name": "Marketing Manager", "requiresBillingWrite": True},
    {"id": "1002", "name": "Content Editor", "requiresBillingWrite": False},
    {"id": "1003", "name": "Reporting Viewer", "requiresBillingWrite": False},
]
# Successful logins, days ago; Farah rarely opens HubSpot.
LOGINS = {"chloe": [0.3, 1.2, 2.5], "dev": [0.8, 3.1], "erin": [4.2, 9.5], "farah": [41.0]}
FAILED_LOGINS = {"dev": [6.4]}
SEGMENT_APP, OLD_APP, AUDIT_APP = "3108524", "1296377", "3392017"
ZAPIER_FLOW, DEAL_FLOW, SALESFORCE_FLOW = "1627311", "1627388", "1627402"
ZAPIER_HOOK = "https://hooks.zapier.com/hooks/catch/4412093/bx7k2qp/"
DEAL_HOOK = "https://ops.northwind.example/hooks/hubspot/deal-won"


def _iso(days_ago: float, now: datetime) -> str:
    when = now - timedelta(days=days_ago)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def _email(local: str) -> str:
    return f"{local}@{DOMAIN}"


def demo_tenant(scale: int = 1, *, clean: bool = False) -> TenantSpec:
    """Northwind's portal; ``clean`` removes the Zapier webhook, the old private app and archived owners."""
    now = demo_now()
    rng = random.Random(7)
    users: list[dict[str, Any]] = []
    owners: list[dict[str, Any]] = []
    logins: list[dict[str, Any]] = []
    for key, (uid, oid, first, last, local, super_admin, role_ids, team) in PEOPLE.items():
        users.append(_user(uid, first, last, _email(local), super_admin, role_ids, team))
        owners.append(_owner(oid, uid, first, last, _email(local), created=720 - len(owners) * 90, now=now))
        logins += [_login(uid, _email(local), days, True, now, n) for n, days in enumerate(LOGINS[key])]
        logins += [_login(uid, _email(local), days, False, now, 9) for days in FAILED_LOGINS.get(key, [])]
    if not clean:
        uid, oid, first, last, local = GUS
        owner = _owner(oid, None, first, last, _email(local), created=1100, now=now, archived=True)
        owner["userIdIncludingInactive"] = int(uid)
        owners.append(owner)
    # Volume for benchmarks: sales reps with a login each.
    for n in range(max(0, scale - 1) * 100):
        uid, oid = str(52000000 + n), str(81000000 + n)
        email = f"rep{n}@{DOMAIN}"
        users.append(_user(uid, "Sales", f"Rep {n}", email, False, ["1001"], "6204"))
        owners.append(_owner(oid, uid, "Sales", f"Rep {n}", email, created=rng.uniform(30, 700), now=now))
        logins.append(_login(uid, email, rng.uniform(0, 80), True, now, n))
    logins.sort(key=lambda r: r["loginAt"], reverse=True)

    flows = _flows(now, clean=clean)
    flows += [_nurture(str(1700000 + n), f"Nurture track {n}", now, rng) for n in range(max(0, scale - 1) * 20)]

    data = {
        "account": {
            "portalId": PORTAL_ID, "accountType": "STANDARD", "timeZone": "Europe/Dublin",
            "companyCurrency": "EUR", "additionalCurrencies": ["GBP", "USD"], "utcOffset": "+00:00",
            "utcOffsetMilliseconds": 0, "uiDomain": UI_DOMAIN, "dataHostingLocation": "eu1",
        },
        "usage": [{
            "name": "private-apps-api-calls-daily", "usageLimit": 625_000, "currentUsage": 18_240,
            "collectedAt": _iso(0.004, now), "fetchStatus": "SUCCESS",
            "resetsAt": (now + timedelta(days=1)).strftime("%Y-%m-%dT00:00:00Z"),
        }],
        "roles": ROLES,
        "users": users,
        "owners": owners,
        "logins": logins,
        "security": _security(now, clean=clean),
        "flows": flows,
        "granted_scopes": list(SCOPES),
    }
    return TenantSpec(
        name="northwind-hubspot",
        vendor="hubspot",
        data=data,
        credentials={"access_token": "pat-eu1-7c1e2a94-3b5d-4f0e-9a61-2d8c5b7e4f13"},
        options={},
        registry=[{
            "id": "hubspot", "name": "HubSpot Marketing Hub", "vendor": "hubspot",
            "owner": _email("chloe.martin"), "domains": ["hubspot.com"], "data": ["pii", "contact"],
        }],
    )


def _user(uid: str, first: str, last: str, email: str, super_admin: bool, role_ids: list[str],
          team: str) -> dict[str, Any]:
    user: dict[str, Any] = {"id": uid, "email": email, "firstName": first, "lastName": last, "roleIds": role_ids,
                            "primaryTeamId": team, "secondaryTeamIds": [], "superAdmin": super_admin}
    if role_ids:
        user["roleId"] = role_ids[0]
    return user


def _owner(oid: str, uid: str | None, first: str, last: str, email: str, *, created: float, now: datetime,
           archived: bool = False) -> dict[str, Any]:
    owner: dict[str, Any] = {
        "id": oid, "email": email, "type": "PERSON", "firstName": first, "lastName": last,
        "createdAt": _iso(created, now), "updatedAt": _iso(created / 3, now), "archived": archived, "teams": [],
    }
    if uid is not None:
        owner["userId"] = int(uid)
        owner["userIdIncludingInactive"] = int(uid)
    return owner


def _login(uid: str, email: str, days: float, ok: bool, now: datetime, n: int) -> dict[str, Any]:
    return {"id": f"{uid}{n:03d}{int(days * 100):05d}", "loginAt": _iso(days, now), "userId": int(uid),
            "email": email, "loginSucceeded": ok, "ipAddress": f"198.51.100.{(int(uid) + n) % 250 + 1}",
            "location": "Dublin, Ireland", "countryCode": "ie", "regionCode": "l",
            "userAgent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Safari/605.1.15"}


def _event(n: int, kind: str, who: tuple[str, str], object_id: str, days: float, now: datetime,
           info: str) -> dict[str, Any]:
    uid, email = who
    return {"id": f"9{n:07d}", "type": kind, "userId": int(uid), "actingUser": email, "objectId": object_id,
            "createdAt": _iso(days, now), "infoUrl": f"{UI_DOMAIN}/{info}", "ipAddress": "198.51.100.24",
            "countryCode": "ie", "regionCode": "l", "location": "Dublin, Ireland"}


def _security(now: datetime, *, clean: bool) -> list[dict[str, Any]]:
    chloe = (PEOPLE["chloe"][0], _email("chloe.martin"))
    dev = (PEOPLE["dev"][0], _email("dev.patel"))
    gus = (GUS[0], _email("gus.novak"))
    apps = f"private-apps/{PORTAL_ID}"
    workflows = f"workflows/{PORTAL_ID}/platform/flow"
    events = [
        ("ADD_TWO_FACTOR_AUTHENTICATION", chloe, PEOPLE["chloe"][0], 410, f"settings/{PORTAL_ID}/user-preferences"),
        ("PRIVATE_APP_ACCESS_TOKEN_CREATE", chloe, SEGMENT_APP, 330, f"{apps}/{SEGMENT_APP}"),
        ("PRIVATE_APP_ACCESS_TOKEN_ROTATE", chloe, SEGMENT_APP, 60, f"{apps}/{SEGMENT_APP}"),
        ("PRIVATE_APP_ACCESS_TOKEN_VIEW", chloe, SEGMENT_APP, 59.9, f"{apps}/{SEGMENT_APP}"),
        ("ADD_USER", chloe, PEOPLE["farah"][0], 200, f"settings/{PORTAL_ID}/users"),
        ("REMOVE_USER", chloe, GUS[0], 170, f"settings/{PORTAL_ID}/users"),
        ("ADD_WEBHOOK_IN_WORKFLOW", dev, DEAL_FLOW, 150, f"{workflows}/{DEAL_FLOW}/edit"),
        ("PRIVATE_APP_ACCESS_TOKEN_CREATE", chloe, AUDIT_APP, 3, f"{apps}/{AUDIT_APP}"),
    ]
    if not clean:
        events += [
            ("PRIVATE_APP_ACCESS_TOKEN_CREATE", gus, OLD_APP, 880, f"{apps}/{OLD_APP}"),
            ("ADD_WEBHOOK_IN_WORKFLOW", chloe, ZAPIER_FLOW, 230, f"{workflows}/{ZAPIER_FLOW}/edit"),
        ]
    rows = [_event(n, kind, who, obj, days, now, info) for n, (kind, who, obj, days, info) in enumerate(events)]
    rows.sort(key=lambda r: r["createdAt"], reverse=True)
    return rows


def _flow(flow_id: str, name: str, now: datetime, *, contact: bool, enabled: bool, created: float,
          actions: list[dict[str, Any]], salesforce: bool = False, object_type: str = "0-1") -> dict[str, Any]:
    flow: dict[str, Any] = {
        "id": flow_id, "uuid": str(uuid.UUID(int=int(flow_id) * 7919)),
        "type": "CONTACT_FLOW" if contact else "PLATFORM_FLOW", "flowType": "WORKFLOW", "name": name,
        "isEnabled": enabled, "objectTypeId": "0-1" if contact else object_type,
        "revisionId": str(int(created) // 7 + 3),
        "createdAt": _iso(created, now), "updatedAt": _iso(created / 4, now), "startActionId": actions[0]["actionId"],
        "nextAvailableActionId": str(len(actions) + 1), "actions": actions, "timeWindows": [], "blockedDates": [],
        "customProperties": {}, "dataSources": [], "crmObjectCreationStatus": "COMPLETE",
    }
    if contact:
        flow["canEnrollFromSalesforce"] = salesforce
        flow["suppressionListIds"] = []
    return flow


def _delay(action_id: str, minutes: int, next_id: str | None) -> dict[str, Any]:
    action: dict[str, Any] = {"type": "SINGLE_CONNECTION", "actionId": action_id, "actionTypeId": "0-1",
                              "actionTypeVersion": 0, "fields": {"delta": str(minutes), "time_unit": "MINUTES"}}
    if next_id:
        action["connection"] = {"edgeType": "STANDARD", "nextActionId": next_id}
    return action


def _set_property(action_id: str, prop: str, value: str) -> dict[str, Any]:
    return {"type": "SINGLE_CONNECTION", "actionId": action_id, "actionTypeId": "0-5", "actionTypeVersion": 0,
            "fields": {"property_name": prop, "value": {"type": "STATIC_VALUE", "staticValue": value}}}


def _webhook(action_id: str, url: str, auth: dict[str, Any] | None = None) -> dict[str, Any]:
    action: dict[str, Any] = {"type": "WEBHOOK", "actionId": action_id, "method": "POST", "webhookUrl": url,
                              "queryParams": []}
    if auth:
        action["authSettings"] = auth
    return action


def _flows(now: datetime, *, clean: bool) -> list[dict[str, Any]]:
    flows = [
        _flow(DEAL_FLOW, "Closed-won deal → fulfilment", now, contact=False, enabled=True, created=150,
              object_type="0-3", actions=[_webhook("1", DEAL_HOOK, {
                  "type": "AUTH_KEY", "location": "HEADER", "name": "X-Api-Key", "secretName": "OPS_HOOK_KEY"})]),
        _flow(SALESFORCE_FLOW, "Salesforce lead nurture", now, contact=True, enabled=True, created=600,
              salesforce=True, actions=[_delay("1", 1440, "2"), _set_property("2", "lifecyclestage", "lead")]),
        _flow("1627415", "Welcome series", now, contact=True, enabled=True, created=500,
              actions=[_delay("1", 60, "2"), _set_property("2", "hs_lead_status", "NEW")]),
        _flow("1627433", "Webinar follow-up (2024)", now, contact=True, enabled=False, created=480,
              actions=[_set_property("1", "hs_lead_status", "ATTEMPTED_TO_CONTACT")]),
    ]
    if not clean:
        flows.insert(0, _flow(ZAPIER_FLOW, "New MQL → Mailchimp via Zapier", now, contact=True, enabled=True,
                              created=231, actions=[_webhook("1", ZAPIER_HOOK)]))
    return flows


def _nurture(flow_id: str, name: str, now: datetime, rng: random.Random) -> dict[str, Any]:
    return _flow(flow_id, name, now, contact=True, enabled=rng.random() > 0.3, created=rng.uniform(30, 900),
                 actions=[_delay("1", 1440, "2"), _set_property("2", "hs_lead_status", "OPEN")])
