"""Northwind Outfitters' Salesforce org, as the built-in demo stack serves it.

The story (shared by every vendor's demo tenant, see docs/demo-stack.md): marketing connected Zapier and a
browser extension on their own, an old data loader token still works, a legacy ERP endpoint is plain HTTP,
one admin has no MFA registered, and a departed employee's account is still active.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from stackaudit.emulator import TenantSpec, demo_now

ORG_ID = "00D5g000004NwDEMO"
DOMAIN = "northwind.example"


def _ts(days_ago: float, now: datetime) -> str:
    return (now - timedelta(days=days_ago)).strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def _sf_id(prefix: str, n: int) -> str:
    return f"{prefix}5g00000{n:08d}"


# (key, name, email local part, profile, user type, active, last login days ago, federation id)
PEOPLE = [
    ("ana", "Ana Lima", "ana.lima", "System Administrator", "Standard", True, 1, "ana.lima"),
    ("ben", "Ben Okafor", "ben.okafor", "System Administrator", "Standard", True, 3, ""),
    ("chloe", "Chloe Martin", "chloe.martin", "Marketing User", "Standard", True, 0.5, "chloe.martin"),
    ("dev", "Dev Patel", "dev.patel", "Marketing User", "Standard", True, 2, "dev.patel"),
    ("erin", "Erin Walsh", "erin.walsh", "Standard User", "Standard", True, 5, "erin.walsh"),
    ("farah", "Farah Haddad", "farah.haddad", "Standard User", "Standard", True, 210, ""),
    ("gus", "Gus Novak", "gus.novak", "Standard User", "Standard", True, 160, ""),  # left in spring, still active
    ("hana", "Hana Sato", "hana.sato", "Standard User", "Standard", False, 400, ""),
    ("hubspot", "HubSpot Integration", "hubspot-integration", "Integration API Only", "Standard", True, 0.1, ""),
    ("marketo", "Marketo Sync", "marketo-sync", "Integration API Only", "Standard", True, 0.2, ""),
    ("autoproc", "Automated Process", "autoproc", "", "AutomatedProcess", True, 0, ""),
]
MFA = {"ana": "HasU2F", "chloe": "HasSalesforceAuthenticator", "dev": "HasTotp", "erin": "HasSalesforceAuthenticator"}
ADMINS = {"ana": "System Administrator", "ben": "System Administrator", "hubspot": "HubSpot_Integration_Admin"}


def demo_tenant(scale: int = 1, *, clean: bool = False) -> TenantSpec:
    """Northwind's org; ``clean`` fixes every problem (MFA for admins, no stale tokens or people, no http)."""
    now = demo_now()
    rng = random.Random(42)
    users: list[dict[str, Any]] = []
    ids: dict[str, str] = {}
    people = [p for p in PEOPLE if p[0] not in ("farah", "gus", "hana")] if clean else PEOPLE
    for n, (key, name, local, profile, user_type, active, login, federation) in enumerate(people, start=1):
        ids[key] = _sf_id("005", n)
        users.append({
            "Id": ids[key], "Username": f"{local}@{DOMAIN}", "Name": name, "Email": f"{local}@{DOMAIN}",
            "IsActive": active, "UserType": user_type,
            "Profile": {"Id": _sf_id("00e", len(profile)), "Name": profile} if profile else None,
            "ProfileId": _sf_id("00e", len(profile)) if profile else None,
            "FederationIdentifier": federation or None,
            "LastLoginDate": _ts(login, now), "CreatedDate": _ts(900 - n * 20, now),
        })
    # Volume for benchmarks: sales reps with an even spread of logins and MFA.
    mfa = dict(MFA)
    if clean:
        mfa["ben"] = "HasTotp"
    extra = max(0, scale - 1) * 1000
    for n in range(extra):
        key = f"rep{n}"
        ids[key] = _sf_id("005", 1000 + n)
        users.append({
            "Id": ids[key], "Username": f"rep{n}@{DOMAIN}", "Name": f"Sales Rep {n}", "Email": f"rep{n}@{DOMAIN}",
            "IsActive": rng.random() > 0.05, "UserType": "Standard",
            "Profile": {"Id": _sf_id("00e", 3), "Name": "Standard User"}, "ProfileId": _sf_id("00e", 3),
            "FederationIdentifier": f"rep{n}", "LastLoginDate": _ts(rng.uniform(0, 120), now),
            "CreatedDate": _ts(rng.uniform(120, 900), now),
        })
        if rng.random() > 0.2:
            mfa[key] = "HasSalesforceAuthenticator"

    assignments = []
    # Clean: the HubSpot integration user keeps only the objects it syncs, no View All Data.
    admins = {k: v for k, v in ADMINS.items() if not (clean and k == "hubspot")}
    for n, (key, permission_set) in enumerate(admins.items(), start=1):
        is_profile = permission_set == "System Administrator"
        assignments.append({
            "Id": _sf_id("0Pa", n), "AssigneeId": ids[key], "PermissionSetId": _sf_id("0PS", n),
            "PermissionSet": {"Id": _sf_id("0PS", n), "Name": permission_set.replace(" ", "_"), "Label": permission_set,
                              "IsOwnedByProfile": is_profile, "PermissionsModifyAllData": is_profile,
                              "PermissionsViewAllData": True, "PermissionsCustomizeApplication": is_profile},
        })
    assignments.append({  # an ordinary permission set: not admin, filtered out by the connector's WHERE
        "Id": _sf_id("0Pa", 99), "AssigneeId": ids["chloe"], "PermissionSetId": _sf_id("0PS", 99),
        "PermissionSet": {"Id": _sf_id("0PS", 99), "Name": "Marketing_Cloud_Connect",
                          "Label": "Marketing Cloud Connect",
                          "IsOwnedByProfile": False, "PermissionsModifyAllData": False,
                          "PermissionsViewAllData": False, "PermissionsCustomizeApplication": False},
    })

    mfa_rows = []
    for n, key in enumerate(k for k in ids if k in mfa):
        row: dict[str, Any] = {"Id": _sf_id("0ht", n), "UserId": ids[key], "HasSalesforceAuthenticator": False,
                               "HasTotp": False, "HasU2F": False, "HasBuiltInAuthenticator": False,
                               "HasUserVerifiedMobileNumber": False, "HasUserVerifiedEmailAddress": True,
                               "HasTempCode": False}
        row[mfa[key]] = True
        mfa_rows.append(row)
    # Ben verified only an email address: that is not MFA.
    if not clean:
            mfa_rows.append({"Id": _sf_id("0ht", 900), "UserId": ids["ben"], "HasSalesforceAuthenticator": False,
                         "HasTotp": False, "HasU2F": False, "HasBuiltInAuthenticator": False,
                         "HasUserVerifiedMobileNumber": True, "HasUserVerifiedEmailAddress": True,
                         "HasTempCode": False})

    def creator(key: str) -> dict[str, Any]:
        user = next(u for u in users if u["Id"] == ids[key])
        return {"Id": ids[key], "Name": user["Name"], "Email": user["Email"]}

    connected_apps: list[dict[str, Any]] = [
        {"Id": _sf_id("0H4", 1), "Name": "HubSpot", "CreatedDate": _ts(700, now), "CreatedById": ids["ana"],
         "CreatedBy": creator("ana"), "StartUrl": "https://app.hubspot.com/login",
         "OptionsAllowAdminApprovedUsersOnly": True, "OptionsRefreshTokenValidityMetric": "Days"},
        {"Id": _sf_id("0H4", 2), "Name": "Zapier", "CreatedDate": _ts(240, now), "CreatedById": ids["chloe"],
         "CreatedBy": creator("chloe"), "StartUrl": "https://zapier.com/app/dashboard",
         "OptionsAllowAdminApprovedUsersOnly": False, "OptionsRefreshTokenValidityMetric": None},
        {"Id": _sf_id("0H4", 3), "Name": "Dataloader Bulk", "CreatedDate": _ts(800, now), "CreatedById": ids["ben"],
         "CreatedBy": creator("ben"), "StartUrl": None,
         "OptionsAllowAdminApprovedUsersOnly": False, "OptionsRefreshTokenValidityMetric": None},
    ]
    tokens = [
        ("HubSpot", "hubspot", 600, 0.1, 182_340),
        ("Zapier", "chloe", 230, 0.3, 9_212),
        ("Zapier", "dev", 120, 4, 1_103),
        ("Dataloader Bulk", "ben", 790, 320, 57),
        ("LeadGenius for Chrome", "dev", 95, 1, 2_870),  # used from another org: not a ConnectedApplication here
        ("Mailchimp for Salesforce", "chloe", 500, 0.5, 40_511),
    ]
    if clean:
        connected_apps = [a for a in connected_apps if a["Name"] == "HubSpot"]
        tokens = [t for t in tokens if t[0] in ("HubSpot", "Mailchimp for Salesforce")]
    oauth_tokens = [
        {"Id": _sf_id("0CQ", n), "AppName": app, "AppMenuItemId": _sf_id("0Pp", n), "UserId": ids[who],
         "User": {"Id": ids[who], "Username": next(u["Username"] for u in users if u["Id"] == ids[who])},
         "CreatedDate": _ts(created, now), "LastUsedDate": _ts(used, now), "UseCount": count}
        for n, (app, who, created, used, count) in enumerate(tokens, start=1)
    ]
    packages = [
        ("HubSpot Integration", "HubSpot_Inc", "HubSpot Integration 4.52", 4, 52),
        ("Mailchimp for Salesforce", "MC4SF", "Spring 2024", 2, 31),
        ("DocuSign Apps Launcher", "dfsle", "Winter 2025", 6, 9),
    ]
    installed = [
        {"Id": _sf_id("0A3", n), "SubscriberPackageId": _sf_id("033", n),
         "SubscriberPackage": {"Id": _sf_id("033", n), "Name": name, "NamespacePrefix": ns},
         "SubscriberPackageVersion": {"Id": _sf_id("04t", n), "Name": version, "MajorVersion": major,
                                      "MinorVersion": minor}}
        for n, (name, ns, version, major, minor) in enumerate(packages, start=1)
    ]
    named_credentials = [
        {"Id": _sf_id("0XA", 1), "DeveloperName": "Segment_Tracking", "MasterLabel": "Segment tracking",
         "Endpoint": "https://api.segment.io/v1", "PrincipalType": "NamedUser"},
        {"Id": _sf_id("0XA", 2), "DeveloperName": "Legacy_ERP", "MasterLabel": "Legacy ERP",
         "Endpoint": "http://erp.northwind.example/api/orders", "PrincipalType": "Anonymous"},
    ]
    remote_sites = [
        {"Id": _sf_id("0rp", 1), "SiteName": "Zapier_Hooks", "EndpointUrl": "https://hooks.zapier.com",
         "IsActive": True, "DisableProtocolSecurity": False, "Description": "Zap: new lead to Slack"},
        {"Id": _sf_id("0rp", 2), "SiteName": "Old_Tracking", "EndpointUrl": "http://tracking.clickpixel.example",
         "IsActive": True, "DisableProtocolSecurity": True, "Description": "2019 campaign pixel"},
    ]
    if clean:
        named_credentials = named_credentials[:1]
        remote_sites = []
    data = {
        "objects": {
            "Organization": [{"Id": ORG_ID, "Name": "Northwind Outfitters", "OrganizationType": "Enterprise Edition",
                              "InstanceName": "EU44", "IsSandbox": False, "Country": "IE",
                              "CreatedDate": _ts(2000, now)}],
            "User": users,
            "PermissionSetAssignment": assignments,
            "TwoFactorMethodsInfo": mfa_rows,
            "ConnectedApplication": connected_apps,
            "OauthToken": oauth_tokens,
            "NamedCredential": named_credentials,
        },
        "tooling": {"InstalledSubscriberPackage": installed, "RemoteProxy": remote_sites},
        "denied": [],
    }
    return TenantSpec(
        name="northwind-salesforce",
        vendor="salesforce",
        data=data,
        credentials={"client_id": "3MVG9demoNorthwindConsumerKey", "client_secret": "demo-sf-secret-7f3a9c2e41"},
        options={},
        registry=[{
            "id": "salesforce", "name": "Salesforce Sales Cloud", "vendor": "salesforce",
            "owner": f"ana.lima@{DOMAIN}", "data": ["pii", "contact"], "system_of_record": ["contact"],
        }],
    )
