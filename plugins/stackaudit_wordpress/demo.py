"""Northwind Outfitters' WordPress blog, as the built-in demo stack serves it.

The story (see docs/demo-stack.md): the marketing blog at blog.northwind.example runs the HubSpot, Mailchimp,
Site Kit and Google Tag Manager plugins, so visitors' data goes to all four vendors. Erin Walsh (content lead)
administers it and Dev Patel writes as an editor. An application password made for a Zapier auto-post zap
has not been used for 300 days, and the user list is readable by anyone (the WordPress default).

The clean variant removes the stale password, blocks the anonymous user list and adds a two-factor plugin.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from stackaudit.emulator import TenantSpec, demo_now

DOMAIN = "northwind.example"
SITE_URL = f"https://blog.{DOMAIN}"


def _gmt(days_ago: float, now: datetime) -> str:
    """WordPress's REST form for GMT dates: no offset, no fraction."""
    return (now - timedelta(days=days_ago)).strftime("%Y-%m-%dT%H:%M:%S")


def _uuid(name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{SITE_URL}/{name}"))


def _plugin(file: str, name: str, version: str, author: str, uri: str, status: str = "active",
            description: str = "", textdomain: str = "") -> dict[str, Any]:
    return {
        "plugin": file, "status": status, "name": name, "plugin_uri": uri, "author": author, "author_uri": uri,
        "description": {"raw": description, "rendered": description}, "version": version, "network_only": False,
        "requires_wp": "5.8", "requires_php": "7.4", "textdomain": textdomain or file.split("/", 1)[0],
    }


PLUGINS = [
    _plugin("leadin/leadin", "HubSpot All-In-One Marketing - Forms, Popups, Live Chat", "11.1.34", "HubSpot",
            "https://www.hubspot.com", description="Forms, popups, live chat and the HubSpot tracking code."),
    _plugin("mailchimp-for-wp/mailchimp-for-wp", "MC4WP: Mailchimp for WordPress", "4.9.17", "ibericode",
            "https://www.mc4wp.com/", description="Mailchimp sign-up forms for the newsletter."),
    _plugin("google-site-kit/google-site-kit", "Site Kit by Google", "1.131.0", "Google",
            "https://sitekit.withgoogle.com", description="Google Analytics, Search Console and AdSense."),
    _plugin("duracelltomi-google-tag-manager/duracelltomi-google-tag-manager-for-wordpress",
            "GTM4WP - A Google Tag Manager (GTM) plugin for WordPress", "1.20.2", "Thomas Geiger",
            "https://gtm4wp.com/", description="The Google Tag Manager container on every page."),
    _plugin("akismet/akismet", "Akismet Anti-spam: Spam Protection", "5.3.3", "Automattic - Anti-spam Team",
            "https://akismet.com/", description="Spam protection for comments and forms."),
    _plugin("classic-editor/classic-editor", "Classic Editor", "1.6.5", "WordPress Contributors",
            "https://wordpress.org/plugins/classic-editor/", status="inactive"),
]
TWO_FACTOR = _plugin("two-factor/two-factor", "Two Factor", "0.9.1", "WordPress.org Contributors",
                     "https://wordpress.org/plugins/two-factor/")
NAMESPACES = ["oembed/1.0", "akismet/v1", "leadin/v1", "mc4wp/v1", "google-site-kit/v1", "wp/v2",
              "wp-site-health/v1", "wp-block-editor/v1"]


def demo_tenant(scale: int = 1, *, clean: bool = False) -> TenantSpec:
    """Northwind's blog; ``clean`` fixes every problem the story plants."""
    now = demo_now()
    users: list[dict[str, Any]] = [
        {"id": 1, "username": "erin.walsh", "name": "Erin Walsh", "first_name": "Erin", "last_name": "Walsh",
         "email": f"erin.walsh@{DOMAIN}", "slug": "erin-walsh", "roles": ["administrator"],
         "registered_date": _gmt(1480, now) + "+00:00", "posts": 42},
        {"id": 2, "username": "dev.patel", "name": "Dev Patel", "first_name": "Dev", "last_name": "Patel",
         "email": f"dev.patel@{DOMAIN}", "slug": "dev-patel", "roles": ["editor"],
         "registered_date": _gmt(610, now) + "+00:00", "posts": 17},
    ]
    # Volume for benchmarks: newsletter readers who signed up on the blog.
    for n in range(max(0, scale - 1) * 1000):
        users.append({"id": 100 + n, "username": f"reader{n}", "name": f"Reader {n}",
                      "email": f"reader{n}@mail.example", "slug": f"reader{n}", "roles": ["subscriber"],
                      "registered_date": _gmt(n % 900, now) + "+00:00", "posts": 0})
    app_passwords: dict[str, list[dict[str, Any]]] = {"1": [
        {"uuid": _uuid("stackaudit"), "app_id": "", "name": "stackaudit audit", "created": _gmt(3, now),
         "last_used": _gmt(0, now), "last_ip": "203.0.113.10"},
    ]}
    if not clean:
        app_passwords["1"].append(
            {"uuid": _uuid("zapier-autopost"), "app_id": "", "name": "Zapier blog auto-post",
             "created": _gmt(530, now), "last_used": _gmt(300, now), "last_ip": "198.51.100.23"})
    plugins = [dict(p) for p in PLUGINS]
    namespaces = list(NAMESPACES)
    if clean:  # sign-ups reach Mailchimp only through the CRM, so the blog's own Mailchimp plugin goes
        plugins = [p for p in plugins if not str(p["plugin"]).startswith("mailchimp-for-wp/")]
        plugins.append(dict(TWO_FACTOR))
        namespaces.insert(0, "two-factor/1.0")
    data = {
        "site": {"name": "Northwind Outfitters Blog", "description": "Trail notes, gear guides and stories",
                 "url": SITE_URL, "timezone_string": "Europe/Dublin", "gmt_offset": "0", "namespaces": namespaces},
        "pretty_permalinks": True,
        "application_passwords": True,
        "public_user_list": not clean,
        "users": users,
        "plugins": plugins,
        "app_passwords": app_passwords,
        "denied": [],
    }
    return TenantSpec(
        name="northwind-wordpress",
        vendor="wordpress",
        data=data,
        credentials={"username": "erin.walsh", "application_password": "Nw7q Ka2P xR4m Tz8L b3Vd Hy6C"},
        options={},
        registry=[
            {"id": "wordpress", "name": "Northwind blog (WordPress)", "vendor": "wordpress",
             "owner": f"erin.walsh@{DOMAIN}", "domains": [f"blog.{DOMAIN}"], "data": ["content", "pii"],
             "system_of_record": ["content"]},
            # The tag manager exists only as a plugin on the blog; the web team sanctioned it with the site.
            {"id": "google-tag-manager", "name": "Google Tag Manager", "vendor": "google_tag_manager",
             "owner": f"erin.walsh@{DOMAIN}", "domains": ["tagmanager.google.com", "www.googletagmanager.com"],
             "data": ["behavioral"]},
        ],
    )
