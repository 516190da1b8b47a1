"""Northwind Outfitters' Contentful space, as the built-in demo stack serves it.

The story (see docs/demo-stack.md): the "Northwind Web" space holds the content of www.northwind.example.
Publishing triggers a Netlify build hook; an old search indexer still receives every entry change over plain
``http://``. The Netlify app is installed in the master environment. Two Content Delivery API keys exist: the
website's, and one made for an agency microsite whose campaign ended two years ago. Erin Walsh is the
space admin; Dev Patel and Chloe Martin edit and author content.

The clean variant drops the http webhook and the agency key.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from stackaudit.emulator import TenantSpec, demo_now

DOMAIN = "northwind.example"
ORG_ID = "2vX9NorthwindOrg7Kq1pA"
SPACE_ID = "nw7b2k9qx3ad"
NETLIFY_APP = "6pLgNetlifyAppDef3sT0"
MARKETPLACE_ORG = "5EJGMarketplaceOrg8hV"


def _ts(days_ago: float, now: datetime) -> str:
    return (now - timedelta(days=days_ago)).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _link(link_type: str, target: str) -> dict[str, Any]:
    return {"sys": {"type": "Link", "linkType": link_type, "id": target}}


def _sys(kind: str, ident: str, created: float, now: datetime, by: str, space: str = SPACE_ID,
         **extra: Any) -> dict[str, Any]:
    return {"type": kind, "id": ident, "version": 3, "space": _link("Space", space), "createdAt": _ts(created, now),
            "createdBy": _link("User", by), "updatedAt": _ts(created / 2, now), "updatedBy": _link("User", by), **extra}


# key, id, first, last, 2FA, sign-ins
PEOPLE = [
    ("erin", "3kErinWalshUser0000001", "Erin", "Walsh", True, 1812),
    ("dev", "3kDevPatelUser00000002", "Dev", "Patel", False, 644),
    ("chloe", "3kChloeMartinUser00003", "Chloe", "Martin", True, 211),
]


def _space(now: datetime, space_id: str, name: str, users: dict[str, str], *, clean: bool,
           story: bool) -> dict[str, Any]:
    erin, dev = users["erin"], users["dev"]
    roles = [
        {"name": "Editor", "description": "Edit and publish all content", "policies": [], "permissions": {
            "ContentModel": ["read"], "Settings": [], "ContentDelivery": []},
         "sys": _sys("Role", f"{space_id}Editor", 900, now, erin, space_id)},
        {"name": "Author", "description": "Create and edit own content", "policies": [], "permissions": {
            "ContentModel": ["read"], "Settings": [], "ContentDelivery": []},
         "sys": _sys("Role", f"{space_id}Author", 900, now, erin, space_id)},
    ]
    memberships = [
        {"admin": True, "roles": [], "sys": _sys("SpaceMembership", f"{space_id}-{erin}", 1100, now, erin, space_id,
                                                 user=_link("User", erin))},
        {"admin": False, "roles": [_link("Role", f"{space_id}Editor")],
         "sys": _sys("SpaceMembership", f"{space_id}-{dev}", 620, now, erin, space_id, user=_link("User", dev))},
        {"admin": False, "roles": [_link("Role", f"{space_id}Author")],
         "sys": _sys("SpaceMembership", f"{space_id}-{users['chloe']}", 300, now, erin, space_id,
                     user=_link("User", users["chloe"]))},
    ]
    environments = [
        {"name": env, "sys": _sys("Environment", env, days, now, erin, space_id,
                                  status=_link("Status", "ready"), aliases=[])}
        for env, days in (("master", 1100), ("staging", 90))
    ]
    webhooks: list[dict[str, Any]] = [
        {"name": "Netlify production build", "url": "https://api.netlify.com/build_hooks/64f1c2a9b7e8d3001f5a2c7e",
         "topics": ["Entry.publish", "Entry.unpublish", "Asset.publish", "Asset.unpublish"], "filters": [],
         "httpBasicUsername": None, "headers": [], "active": True,
         "sys": _sys("WebhookDefinition", f"{space_id}NetlifyHook", 400, now, erin, space_id)},
    ]
    key_age = 120 if clean else 700  # the clean space rotated its key this year
    keys = [("Website (production)", "WebsiteProd", key_age, erin, "Delivery key used by the Netlify build")]
    if story and not clean:
        webhooks.append(
            {"name": "Legacy search indexer", "url": "http://search-indexer.northwind.example/contentful/webhook",
             "topics": ["Entry.*"], "filters": [], "httpBasicUsername": "indexer",
             "headers": [{"key": "X-Indexer-Token", "secret": True}], "active": True,
             "sys": _sys("WebhookDefinition", f"{space_id}IndexerHook", 980, now, dev, space_id)})
        keys.append(("Agency microsite 2023", "AgencyMicrosite", 760, dev,
                     "Spring campaign microsite by Trailhead Agency (campaign ended)"))
    api_keys: list[dict[str, Any]] = []
    preview_keys: list[dict[str, Any]] = []
    for key_name, key_id, days, by, description in keys:
        environment_links = [_link("Environment", "master")]
        api_keys.append({
            "name": key_name, "description": description, "accessToken": secrets.token_urlsafe(32),
            "policies": [{"effect": "allow", "actions": "all"}],
            "preview_api_key": _link("PreviewApiKey", f"{space_id}{key_id}Preview"),
            "environments": environment_links,
            "sys": _sys("ApiKey", f"{space_id}{key_id}", days, now, by, space_id),
        })
        preview_keys.append({
            "name": key_name, "description": description, "accessToken": secrets.token_urlsafe(32),
            "environments": environment_links,
            "sys": _sys("PreviewApiKey", f"{space_id}{key_id}Preview", days, now, by, space_id),
        })
    app_definitions = [{"name": "Netlify", "src": "https://netlify.ctfapps.example/", "locations": [],
                        "sys": {"type": "AppDefinition", "id": NETLIFY_APP,
                                "organization": _link("Organization", MARKETPLACE_ORG), "shared": True}}]
    installations = [{"parameters": {"netlifyHookIds": ["64f1c2a9b7e8d3001f5a2c7e"]},
                      "sys": {"type": "AppInstallation", "appDefinition": _link("AppDefinition", NETLIFY_APP),
                              "environment": _link("Environment", "master"), "space": _link("Space", space_id),
                              "createdAt": _ts(380, now), "updatedAt": _ts(120, now),
                              "createdBy": _link("User", erin), "updatedBy": _link("User", erin)}}]
    return {
        "space": {"name": name, "sys": {"type": "Space", "id": space_id, "version": 4, "createdAt": _ts(1100, now),
                                        "createdBy": _link("User", erin), "updatedAt": _ts(200, now),
                                        "updatedBy": _link("User", erin),
                                        "organization": _link("Organization", ORG_ID)}},
        "environments": environments,
        "webhook_definitions": webhooks,
        "api_keys": api_keys,
        "preview_api_keys": preview_keys,
        "roles": roles,
        "space_memberships": memberships,
        "app_definitions": app_definitions,
        "app_installations": {"master": installations},
        "denied": [],
    }


def demo_tenant(scale: int = 1, *, clean: bool = False) -> TenantSpec:
    """Northwind's Contentful organisation; ``clean`` fixes every problem the story plants."""
    now = demo_now()
    ids = {key: ident for key, ident, *_ in PEOPLE}
    users = {
        ident: {"firstName": first, "lastName": last, "avatarUrl": f"https://images.ctfassets.example/{ident}.png",
                "email": f"{first.lower()}.{last.lower()}@{DOMAIN}", "activated": True, "signInCount": sign_ins,
                "confirmed": True, "2faEnabled": two_factor,
                "sys": {"type": "User", "id": ident, "version": 12, "createdAt": _ts(1300, now),
                        "updatedAt": _ts(20, now)}}
        for _, ident, first, last, two_factor, sign_ins in PEOPLE
    }
    spaces = [_space(now, SPACE_ID, "Northwind Web", ids, clean=clean, story=True)]
    # Volume for benchmarks: campaign spaces that look like the main one, without its problems.
    for n in range(max(0, scale - 1) * 5):
        spaces.append(_space(now, f"nwcampaign{n:04d}", f"Campaign {n}", ids, clean=clean, story=False))
    return TenantSpec(
        name="northwind-contentful",
        vendor="contentful",
        data={"me": ids["erin"], "users": users, "spaces": spaces},
        credentials={"access_token": "CFPAT-demoNorthwindErin-3fV8kQ2mZ7xR1tL9wB4"},
        options={},
        registry=[
            {"id": "contentful", "name": "Contentful (Northwind Web)", "vendor": "contentful",
             "owner": f"erin.walsh@{DOMAIN}", "domains": ["app.contentful.com"], "data": ["content"],
             "system_of_record": ["content"]},
            # The website's hosting: it receives Contentful's build hooks and is owned by the content lead.
            {"id": "netlify", "name": "Netlify (www hosting)", "vendor": "netlify", "owner": f"erin.walsh@{DOMAIN}",
             "domains": ["api.netlify.com", "app.netlify.com"], "data": ["content"]},
        ],
    )
