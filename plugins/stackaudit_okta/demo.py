"""Northwind Outfitters' Okta org, as the built-in demo stack serves it.

The story (docs/demo-stack.md): Okta fronts the sanctioned apps (Salesforce, HubSpot, Marketo, Google
Workspace, Segment, Contentful) but not Mailchimp. Ana is the super admin, with strong factors. Gus left in
spring and is SUSPENDED (yet still active in Salesforce and Mailchimp); Hana is DEPROVISIONED. Ben enrolled
only a security question. An API token made for a 2024 provisioning script is still valid although unused for
months; an event hook tells IT's offboarding automation about suspensions. The clean variant puts Mailchimp
behind Okta, gives Ben a real factor, drops the people who left and the old token.
"""

from __future__ import annotations

import random
import string
from datetime import datetime, timedelta
from typing import Any

from stackaudit.emulator import TenantSpec, demo_now

DOMAIN = "northwind.example"
ORG_ID = "00o6nw7dem0ORG4ke697"
ORG_URL = "https://northwind.okta.com"

# local part: (first, last, status, last login days ago, factors, roles)
PEOPLE: dict[str, tuple[str, str, str, float, list[str], list[str]]] = {
    "ana.lima": ("Ana", "Lima", "ACTIVE", 0.1, ["push", "webauthn"], ["SUPER_ADMIN"]),
    "ben.okafor": ("Ben", "Okafor", "ACTIVE", 1, ["question"], []),
    "chloe.martin": ("Chloe", "Martin", "ACTIVE", 0.4, ["push"], []),
    "dev.patel": ("Dev", "Patel", "ACTIVE", 0.2, ["push", "sms"], []),
    "erin.walsh": ("Erin", "Walsh", "ACTIVE", 2, ["token:software:totp"], []),
    "farah.haddad": ("Farah", "Haddad", "ACTIVE", 1, ["push"], []),
    "gus.novak": ("Gus", "Novak", "SUSPENDED", 160, ["push"], []),
    "hana.sato": ("Hana", "Sato", "DEPROVISIONED", 400, [], []),
}
LEFT = ("gus.novak", "hana.sato")
ROLE_LABELS = {"SUPER_ADMIN": "Super Administrator", "APP_ADMIN": "Application Administrator",
               "READ_ONLY_ADMIN": "Read-only Administrator"}
FACTOR_PROVIDERS = {"push": "OKTA", "webauthn": "FIDO", "question": "OKTA", "sms": "OKTA",
                    "token:software:totp": "GOOGLE"}

# label, OIN name, sign-on mode, the app's own sign-in host
APPS = [
    ("Salesforce", "salesforce", "SAML_2_0", "northwind.my.salesforce.com"),
    ("HubSpot", "hubspot_saml", "SAML_2_0", "app.hubspot.com"),
    ("Marketo", "marketo", "SAML_2_0", "app-lon02.marketo.com"),
    ("Google Workspace", "google", "SAML_2_0", "www.google.com"),
    ("Segment", "segment", "SAML_2_0", "app.segment.com"),
    ("Contentful", "contentful", "SAML_2_0", "be.contentful.com"),
]
CLEAN_EXTRA_APPS = [("Mailchimp", "template_swa", "BROWSER_PLUGIN", "login.mailchimp.com"),
                    ("WordPress", "template_saml_2_0", "SAML_2_0", "blog.northwind.example")]
OKTA_APPS = [("Okta Admin Console", "saasure"), ("Okta Dashboard", "okta_enduser"),
             ("Okta Browser Plugin", "okta_browser_plugin")]


def _ts(days_ago: float, now: datetime) -> str:
    return (now - timedelta(days=days_ago)).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _okta_id(prefix: str, rng: random.Random) -> str:
    return prefix + "".join(rng.choices(string.ascii_letters + string.digits, k=17))


def _user(uid: str, local: str, first: str, last: str, status: str, login: float, n: int,
          now: datetime) -> dict[str, Any]:
    email = f"{local}@{DOMAIN}"
    return {
        "id": uid, "status": status, "created": _ts(900 - n, now),
        "activated": _ts(899 - n, now), "statusChanged": _ts(min(login, 150) if status != "ACTIVE" else 899 - n, now),
        "lastLogin": _ts(login, now), "lastUpdated": _ts(min(login, 30), now), "passwordChanged": _ts(200, now),
        "type": {"id": "oty6nw7dem0TYPE1e697"},
        "profile": {"firstName": first, "lastName": last, "mobilePhone": None, "secondEmail": None,
                    "login": email, "email": email},
        "credentials": {"password": {}, "provider": {"type": "OKTA", "name": "OKTA"}},
        "_links": {"self": {"href": f"{ORG_URL}/api/v1/users/{uid}"}},
    }


def _factor(uid: str, factor_type: str, n: int, now: datetime, rng: random.Random) -> dict[str, Any]:
    factor_id = _okta_id({"push": "opf", "webauthn": "fwf", "question": "ufs", "sms": "mbl"}.get(factor_type, "ost"),
                         rng)
    profile: dict[str, Any] = {
        "push": {"credentialId": f"{uid}@{DOMAIN}", "deviceType": "SmartPhone_IPhone", "name": "iPhone",
                 "platform": "IOS", "version": "17.4"},
        "webauthn": {"credentialId": rng.randbytes(16).hex(), "authenticatorName": "YubiKey 5 NFC"},
        "question": {"question": "favorite_art_piece", "questionText": "What is your favorite piece of art?"},
        "sms": {"phoneNumber": "+353-1-555-0100"},
    }.get(factor_type, {"credentialId": f"{uid}@{DOMAIN}"})
    return {
        "id": factor_id, "factorType": factor_type, "provider": FACTOR_PROVIDERS.get(factor_type, "OKTA"),
        "vendorName": FACTOR_PROVIDERS.get(factor_type, "OKTA"), "status": "ACTIVE",
        "created": _ts(600 - n * 10, now), "lastUpdated": _ts(300 - n * 10, now), "profile": profile,
        "_links": {"self": {"href": f"{ORG_URL}/api/v1/users/{uid}/factors/{factor_id}",
                            "hints": {"allow": ["GET", "DELETE"]}},
                   "user": {"href": f"{ORG_URL}/api/v1/users/{uid}", "hints": {"allow": ["GET"]}}},
    }


def _role(uid: str, role_type: str, now: datetime, rng: random.Random) -> dict[str, Any]:
    return {"id": "ra1" + "".join(rng.choices(string.ascii_letters + string.digits, k=17)),
            "label": ROLE_LABELS.get(role_type, role_type), "type": role_type, "status": "ACTIVE",
            "created": _ts(700, now), "lastUpdated": _ts(700, now), "assignmentType": "USER",
            "_links": {"assignee": {"href": f"{ORG_URL}/api/v1/users/{uid}"}}}


def _app(label: str, name: str, mode: str, host: str, n: int, now: datetime, rng: random.Random) -> dict[str, Any]:
    app_id = _okta_id("0oa", rng)
    app: dict[str, Any] = {
        "id": app_id, "orn": f"orn:okta:idp:{ORG_ID}:apps:{name}:{app_id}", "name": name, "label": label,
        "status": "ACTIVE", "lastUpdated": _ts(100 - n, now), "created": _ts(800 - n * 40, now),
        "accessibility": {"selfService": False},
        "visibility": {"autoSubmitToolbar": False, "hide": {"iOS": False, "web": False}, "appLinks": {"login": True}},
        "features": ["PUSH_NEW_USERS", "PUSH_USER_DEACTIVATION"] if name in ("salesforce", "google") else [],
        "signOnMode": mode,
        "credentials": {"userNameTemplate": {"template": "${source.login}", "type": "BUILT_IN"}, "signing": {}},
        "settings": {"app": {"siteURL": f"https://{host}"} if host else {},
                     "notifications": {"vpn": {"network": {"connection": "DISABLED"}, "message": None,
                                               "helpUrl": None}}},
        "_links": {"appLinks": [{"name": "login", "href": f"{ORG_URL}/home/{name}/{app_id}/aln1", "type": "text/html"}],
                   "users": {"href": f"{ORG_URL}/api/v1/apps/{app_id}/users"},
                   "groups": {"href": f"{ORG_URL}/api/v1/apps/{app_id}/groups"}},
    }
    if mode.startswith("SAML"):
        app["settings"]["signOn"] = {"ssoAcsUrl": f"https://{host}/sso/saml", "audience": f"https://{host}",
                                     "subjectNameIdFormat": "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
                                     "responseSigned": True, "assertionSigned": True,
                                     "signatureAlgorithm": "RSA_SHA256", "digestAlgorithm": "SHA256",
                                     "attributeStatements": []}
    return app


def demo_tenant(scale: int = 1, *, clean: bool = False) -> TenantSpec:
    """Northwind's org; ``scale`` adds 1,000 store staff per step above 1 (for benchmarks)."""
    now = demo_now()
    rng = random.Random(11)
    users: list[dict[str, Any]] = []
    factors: dict[str, list[dict[str, Any]]] = {}
    roles: dict[str, list[dict[str, Any]]] = {}
    ids: dict[str, str] = {}
    for n, (local, (first, last, status, login, kinds, role_types)) in enumerate(PEOPLE.items(), start=1):
        if clean and local in LEFT:
            continue
        enrolled = ["push"] if clean and kinds == ["question"] else kinds
        uid = _okta_id("00u", rng)
        ids[local] = uid
        users.append(_user(uid, local, first, last, status, login, n, now))
        factors[uid] = [_factor(uid, kind, n, now, rng) for kind in enrolled]
        if role_types:
            roles[uid] = [_role(uid, role, now, rng) for role in role_types]
    for n in range(max(0, scale - 1) * 1000):
        uid = _okta_id("00u", rng)
        users.append(_user(uid, f"staff{n}", "Staff", f"Member {n}", "ACTIVE", rng.uniform(0, 60), 100, now))
        factors[uid] = [_factor(uid, "push", 100, now, rng)] if rng.random() > 0.1 else []

    apps = [_app(label, name, mode, host, n, now, rng)
            for n, (label, name, mode, host) in enumerate(APPS + (CLEAN_EXTRA_APPS if clean else []), start=1)]
    apps += [_app(label, name, "OPENID_CONNECT", "", 0, now, rng) for label, name in OKTA_APPS]

    def token(name: str, created: float, window: str, window_days: int, last_used: float) -> dict[str, Any]:
        token_id = _okta_id("00T", rng)
        return {"name": name, "userId": ids["ana.lima"], "tokenWindow": window, "network": {"connection": "ANYWHERE"},
                "id": token_id, "clientName": "Okta API", "expiresAt": _ts(last_used - window_days, now),
                "created": _ts(created, now), "lastUpdated": _ts(last_used, now),
                "_links": {"self": {"href": f"{ORG_URL}/api/v1/api-tokens/{token_id}",
                                    "hints": {"allow": ["GET", "DELETE"]}},
                           "user": {"href": f"{ORG_URL}/api/v1/users/{ids['ana.lima']}", "hints": {"allow": ["GET"]}}}}

    api_tokens = [token("stackaudit read-only", 12, "P30D", 30, 0)]
    if not clean:  # made for a 2024 provisioning script; unused since, valid for another two months
        api_tokens.insert(0, token("sfdc-provisioning-2024", 640, "P180D", 180, 120))
    hook_id = _okta_id("who", rng)
    event_hooks = [{
        "id": hook_id, "status": "ACTIVE", "verificationStatus": "VERIFIED", "name": "Offboarding automation",
        "description": "Tells IT's offboarding runbook when someone is suspended or deactivated",
        "created": _ts(300, now), "createdBy": ids["ana.lima"], "lastUpdated": _ts(300, now),
        "events": {"type": "EVENT_TYPE", "items": ["user.lifecycle.suspend", "user.lifecycle.deactivate"],
                   "filter": None},
        "channel": {"type": "HTTP", "version": "1.0.0", "config": {
            "uri": "https://it-automation.northwind.example/okta/user-events", "headers": [], "method": "POST",
            "authScheme": {"type": "HEADER", "key": "Authorization"}}},
        "_links": {"self": {"href": f"{ORG_URL}/api/v1/eventHooks/{hook_id}"}},
    }]
    api_token_value = "00" + "".join(rng.choices(string.ascii_letters + string.digits + "-_", k=40))
    return TenantSpec(
        name="northwind-okta",
        vendor="okta",
        data={"org_id": ORG_ID, "users": users, "factors": factors, "roles": roles, "apps": apps,
              "api_tokens": api_tokens, "event_hooks": event_hooks, "denied": [], "vanished": []},
        credentials={"api_token": api_token_value},
        options={},
        registry=[{
            "id": "okta", "name": "Okta", "vendor": "okta", "owner": f"ana.lima@{DOMAIN}",
            "domains": ["okta.com"], "data": ["pii", "credentials"],
        }],
    )
