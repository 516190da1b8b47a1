"""Northwind Outfitters' Google Workspace domain, as the built-in demo stack serves it.

The story (docs/demo-stack.md): Ana is the super admin with 2-Step Verification; Ben is a delegated admin
without it and still signs in an old mail client with an app-specific password; Gus left in spring and is
suspended, Hana is archived. Marketing granted OAuth access on their own: Zapier (Chloe and Dev), Calendly,
LeadGenius and a GPT writing app with full Gmail and Drive access (Dev). The HubSpot and Salesforce grants
are the sanctioned email and calendar sync. The clean variant keeps only the sanctioned grants, enrols
every admin in 2SV, has no app passwords and nobody suspended or archived.
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from typing import Any

from stackaudit.emulator import TenantSpec, demo_now
from stackaudit.oauth import generate_rsa_key_pair

DOMAIN = "northwind.example"
CUSTOMER_ID = "C03nw8k2q"
ADMIN = f"ana.lima@{DOMAIN}"
SERVICE_ACCOUNT = "stackaudit-reader@northwind-audit.iam.gserviceaccount.com"
DELEGATED_SCOPES = [
    "https://www.googleapis.com/auth/admin.directory.user.readonly",
    "https://www.googleapis.com/auth/admin.directory.user.security",
]
_AUTH = "https://www.googleapis.com/auth/"

# key: (given name, family name, super admin, delegated admin, 2SV enrolled, 2SV enforced, suspended, archived,
#       last login days ago, org unit)
PEOPLE: dict[str, tuple[str, str, bool, bool, bool, bool, bool, bool, float, str]] = {
    "ana.lima": ("Ana", "Lima", True, False, True, True, False, False, 0.2, "/IT"),
    "ben.okafor": ("Ben", "Okafor", False, True, False, False, False, False, 1, "/Sales Operations"),
    "chloe.martin": ("Chloe", "Martin", False, False, True, False, False, False, 0.5, "/Marketing"),
    "dev.patel": ("Dev", "Patel", False, False, True, False, False, False, 0.3, "/Marketing"),
    "erin.walsh": ("Erin", "Walsh", False, False, True, False, False, False, 2, "/Marketing/Content"),
    "farah.haddad": ("Farah", "Haddad", False, False, True, False, False, False, 1, "/Analytics"),
    "gus.novak": ("Gus", "Novak", False, False, True, False, True, False, 160, "/Marketing"),  # left in spring
    "hana.sato": ("Hana", "Sato", False, False, False, False, False, True, 400, "/Marketing"),
}
LEFT = ("gus.novak", "hana.sato")

# OAuth clients: display text, client id.
APPS = {
    "zapier": ("Zapier", "352541097843-5e8lr0h6v5o1kqk2ff6d4hk9dqp9vs1s.apps.googleusercontent.com"),
    "calendly": ("Calendly", "1005268139622-q8mhpf2g1v4n7mjo0cfs3u2n5b4ldt3k.apps.googleusercontent.com"),
    "leadgenius": ("LeadGenius", "870193446512-lg7c0n2ptq5ovb1s3kd4ie8r9fhm6ua2.apps.googleusercontent.com"),
    "writewise": ("WriteWise GPT", "611804327795-gpt4wr1t3w1s3a8d2k5l7m9n0p1q3r5s.apps.googleusercontent.com"),
    "mailchimp": ("Mailchimp", "279063591417-mc0hb2vkp8o5d1k3a7q4l2n9r6t8e0fj.apps.googleusercontent.com"),
    "hubspot": ("HubSpot", "912345678901-hs4gm1c2l3n4d5r6s7y8n9c0a1b2c3d4.apps.googleusercontent.com"),
    "salesforce": ("Salesforce", "643180937420-sf3ac7v8t9y0c1a2p3t4u5r6e7e8a9c0.apps.googleusercontent.com"),
}
SANCTIONED_APPS = ("hubspot", "salesforce")
GRANTS: list[tuple[str, str, list[str]]] = [
    ("zapier", "chloe.martin", [_AUTH + "gmail.modify", _AUTH + "userinfo.email", "openid"]),
    ("zapier", "dev.patel", [_AUTH + "spreadsheets", _AUTH + "drive.file", _AUTH + "userinfo.email"]),
    ("calendly", "dev.patel", [_AUTH + "calendar.events", _AUTH + "userinfo.email", _AUTH + "userinfo.profile",
                               "openid"]),
    ("calendly", "erin.walsh", [_AUTH + "calendar.events", _AUTH + "userinfo.email", "openid"]),
    ("leadgenius", "dev.patel", [_AUTH + "gmail.readonly", _AUTH + "contacts.readonly", _AUTH + "userinfo.email"]),
    ("writewise", "dev.patel", ["https://mail.google.com/", _AUTH + "drive", _AUTH + "userinfo.email",
                                _AUTH + "userinfo.profile"]),
    ("mailchimp", "gus.novak", [_AUTH + "contacts.readonly", _AUTH + "userinfo.email"]),
    ("hubspot", "chloe.martin", [_AUTH + "gmail.readonly", _AUTH + "gmail.send", _AUTH + "calendar.events",
                                 _AUTH + "userinfo.email"]),
    ("hubspot", "ana.lima", [_AUTH + "gmail.readonly", _AUTH + "gmail.send", _AUTH + "userinfo.email"]),
    ("salesforce", "ana.lima", [_AUTH + "gmail.readonly", _AUTH + "calendar.readonly", _AUTH + "userinfo.email"]),
    ("salesforce", "ben.okafor", [_AUTH + "gmail.readonly", _AUTH + "calendar.readonly",
                                  _AUTH + "contacts.readonly", _AUTH + "userinfo.email"]),
]
# Ben's old mail client: (user, name, created days ago, last used days ago)
APP_PASSWORDS = [("ben.okafor", "Outlook 2016 on SALES-PC-07", 700, 12)]


def _rfc3339(days_ago: float, now: datetime) -> str:
    return (now - timedelta(days=days_ago)).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _epoch_ms(days_ago: float, now: datetime) -> str:
    return str(int((now - timedelta(days=days_ago)).timestamp() * 1000))


def _user(n: int, local: str, given: str, family: str, now: datetime, rng: random.Random, *, super_admin: bool = False,
          delegated: bool = False, enrolled: bool = True, enforced: bool = False, suspended: bool = False,
          archived: bool = False, login_days: float = 1, org_unit: str = "/") -> dict[str, Any]:
    user_id = str(100_000_000_000_000_000_000 + n * 7_919_113 + rng.randrange(1_000_000))
    email = f"{local}@{DOMAIN}"
    user: dict[str, Any] = {
        "kind": "admin#directory#user",
        "id": user_id,
        "etag": f'"nw{rng.getrandbits(64):016x}/{n}"',
        "primaryEmail": email,
        "name": {"givenName": given, "familyName": family, "fullName": f"{given} {family}"},
        "isAdmin": super_admin,
        "isDelegatedAdmin": delegated,
        "lastLoginTime": _rfc3339(login_days, now),
        "creationTime": _rfc3339(900 - min(n, 800), now),
        "agreedToTerms": True,
        "suspended": suspended,
        "archived": archived,
        "changePasswordAtNextLogin": False,
        "ipWhitelisted": False,
        "emails": [{"address": email, "primary": True}],
        "customerId": CUSTOMER_ID,
        "orgUnitPath": org_unit,
        "isMailboxSetup": True,
        "isEnrolledIn2Sv": enrolled,
        "isEnforcedIn2Sv": enforced,
        "includeInGlobalAddressList": True,
    }
    if suspended:
        user["suspensionReason"] = "ADMIN"
    return user


def _token(user_id: str, app: str, scopes: list[str], rng: random.Random) -> dict[str, Any]:
    name, client_id = APPS[app]
    return {"kind": "admin#directory#token", "etag": f'"tk{rng.getrandbits(48):012x}"', "clientId": client_id,
            "displayText": name, "anonymous": False, "nativeApp": False, "scopes": scopes, "userKey": user_id}


def _asp(user_id: str, code_id: int, name: str, created: float, used: float, now: datetime) -> dict[str, Any]:
    return {"kind": "admin#directory#asp", "etag": f'"asp{code_id}"', "codeId": code_id, "name": name,
            "creationTime": _epoch_ms(created, now), "lastTimeUsed": _epoch_ms(used, now), "userKey": user_id}


def demo_tenant(scale: int = 1, *, clean: bool = False) -> TenantSpec:
    """Northwind's domain; ``scale`` adds 1,000 staff per step above 1 (for benchmarks)."""
    return build_tenant(extra_users=max(0, scale - 1) * 1000, clean=clean)


def tenant_with_users(total: int, *, clean: bool = False) -> TenantSpec:
    """The demo domain grown to exactly ``total`` users (at least the story's people)."""
    people = len([p for p in PEOPLE if not (clean and p in LEFT)])
    return build_tenant(extra_users=max(0, total - people), clean=clean)


def build_tenant(*, extra_users: int, clean: bool) -> TenantSpec:
    now = demo_now()
    rng = random.Random(7)
    users: list[dict[str, Any]] = []
    ids: dict[str, str] = {}
    for n, (local, person) in enumerate(PEOPLE.items(), start=1):
        if clean and local in LEFT:
            continue
        given, family, super_admin, delegated, enrolled, enforced, suspended, archived, login, unit = person
        if clean and (super_admin or delegated):
            enrolled = enforced = True
        users.append(_user(n, local, given, family, now, rng, super_admin=super_admin, delegated=delegated,
                           enrolled=enrolled, enforced=enforced, suspended=suspended, archived=archived,
                           login_days=login, org_unit=unit))
        ids[local] = users[-1]["id"]

    tokens: dict[str, list[dict[str, Any]]] = {}
    for app, local, scopes in GRANTS:
        if local in ids and not (clean and app not in SANCTIONED_APPS):
            tokens.setdefault(ids[local], []).append(_token(ids[local], app, scopes, rng))
    asps: dict[str, list[dict[str, Any]]] = {}
    if not clean:
        for code_id, (local, name, created, used) in enumerate(APP_PASSWORDS, start=1):
            asps.setdefault(ids[local], []).append(_asp(ids[local], code_id, name, created, used, now))

    # Volume for benchmarks: staff with the sanctioned grants, a few app passwords outside the clean variant.
    sanctioned_scopes = {app: scopes for app, _, scopes in GRANTS if app in SANCTIONED_APPS}
    for n in range(extra_users):
        user = _user(100 + n, f"staff{n}", "Staff", f"Member {n}", now, rng, enrolled=rng.random() > 0.15,
                     login_days=rng.uniform(0, 60), org_unit="/Stores")
        users.append(user)
        draw = rng.random()
        if draw < 0.4:
            app = SANCTIONED_APPS[int(draw * 10) % 2]
            tokens[user["id"]] = [_token(user["id"], app, sanctioned_scopes[app], rng)]
        if not clean and rng.random() < 0.02:
            asps[user["id"]] = [_asp(user["id"], 1, "Mail on a shared tablet", rng.uniform(30, 700), 3, now)]

    private_key, public_key = generate_rsa_key_pair()
    key_file = {
        "type": "service_account",
        "project_id": "northwind-audit",
        "private_key_id": f"{rng.getrandbits(160):040x}",
        "private_key": private_key,
        "client_email": SERVICE_ACCOUNT,
        "client_id": "108830542719437125512",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": "https://oauth2.googleapis.com/token",
        "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
        "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/"
                                "stackaudit-reader%40northwind-audit.iam.gserviceaccount.com",
        "universe_domain": "googleapis.com",
    }
    return TenantSpec(
        name="northwind-google-workspace",
        vendor="google_workspace",
        data={
            "customer_id": CUSTOMER_ID,
            "domain": DOMAIN,
            "admin": ADMIN,
            "service_account": {"client_email": SERVICE_ACCOUNT, "public_key": public_key},
            "delegated_scopes": DELEGATED_SCOPES,
            "users": users,
            "tokens": tokens,
            "asps": asps,
            "vanished": [],
        },
        credentials={"service_account": json.dumps(key_file), "admin_email": ADMIN},
        options={"token_url": "/token"},
        registry=[{
            "id": "google_workspace", "name": "Google Workspace", "vendor": "google_workspace",
            "owner": ADMIN, "domains": ["workspace.google.com", "admin.google.com"],
            "data": ["pii", "contact", "content"],
        }],
    )
