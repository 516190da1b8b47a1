"""Northwind Outfitters' Mailchimp account, as the built-in demo stack serves it.

Its part of the story (docs/demo-stack.md): the account is still owned by Gus Novak, who left in spring, and
the scan's API key is his; the audiences are fed from Salesforce (the Mailchimp for Salesforce app) and from
a HubSpot workflow through Zapier; the Newsletter audience posts to a Zapier webhook and the Customers
audience to a CRM bridge over plain http; Dev linked Canva on his own. The clean variant has Chloe as owner,
no Zapier, no Canva and the CRM bridge on https.
"""

from __future__ import annotations

import hashlib
import random
from datetime import datetime, timedelta
from typing import Any

from stackaudit.emulator import TenantSpec, demo_now

DOMAIN = "northwind.example"
DATA_CENTRE = "us21"
ACCOUNT_ID = "8d3a3db4d97663a9074efcc16"
API_KEY = f"3f9c2a7be41d08c6a5f7e2b9d0c4a618-{DATA_CENTRE}"

# key → (login id, first name, last name, username)
PEOPLE = {
    "gus": ("41923508", "Gus", "Novak", "gus.novak"),
    "chloe": ("52817734", "Chloe", "Martin", "chloe.martin"),
    "dev": ("60391127", "Dev", "Patel", "dev.patel"),
}


def _ts(days_ago: float, now: datetime) -> str:
    return (now - timedelta(days=days_ago)).replace(microsecond=0).isoformat()


def _hex_id(seed: str, length: int = 10) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()[:length]


def _audience(name: str, members: int, created: float, now: datetime, rng: random.Random) -> dict[str, Any]:
    list_id = _hex_id(f"list:{name}")
    unsubscribed = int(members * rng.uniform(0.05, 0.12))
    cleaned = int(members * rng.uniform(0.01, 0.03))
    return {
        "id": list_id,
        "web_id": int(_hex_id(f"web:{name}", 6), 16),
        "name": name,
        "contact": {"company": "Northwind Outfitters", "address1": "12 Harbour Road", "address2": "",
                    "city": "Dublin", "state": "", "zip": "D02 X285", "country": "IE", "phone": ""},
        "permission_reminder": "You signed up for news from Northwind Outfitters at northwind.example.",
        "use_archive_bar": True,
        "campaign_defaults": {"from_name": "Northwind Outfitters", "from_email": f"hello@{DOMAIN}",
                              "subject": "", "language": "en"},
        "notify_on_subscribe": "",
        "notify_on_unsubscribe": "",
        "date_created": _ts(created, now),
        "list_rating": 4,
        "email_type_option": False,
        "subscribe_url_short": f"https://eepurl.com/{_hex_id('short:' + name, 6)}",
        "subscribe_url_long": f"https://northwind.{DATA_CENTRE}.list-manage.com/subscribe?u={ACCOUNT_ID}&id={list_id}",
        "beamer_address": f"{DATA_CENTRE}-{_hex_id('beamer:' + name)}@inbound.mailchimp.com",
        "visibility": "prv",
        "double_optin": True,
        "has_welcome": name == "Newsletter",
        "marketing_permissions": False,
        "modules": [],
        "stats": {
            "member_count": members, "total_contacts": members + unsubscribed + cleaned,
            "unsubscribe_count": unsubscribed, "cleaned_count": cleaned,
            "member_count_since_send": rng.randint(20, 400), "unsubscribe_count_since_send": rng.randint(0, 40),
            "cleaned_count_since_send": rng.randint(0, 10), "campaign_count": rng.randint(10, 160),
            "campaign_last_sent": _ts(rng.uniform(1, 10), now), "merge_field_count": 5,
            "avg_sub_rate": rng.randint(50, 400), "avg_unsub_rate": rng.randint(1, 20),
            "target_sub_rate": rng.randint(50, 400), "open_rate": round(rng.uniform(18, 42), 2),
            "click_rate": round(rng.uniform(1, 6), 2), "last_sub_date": _ts(rng.uniform(0, 2), now),
            "last_unsub_date": _ts(rng.uniform(0, 5), now),
        },
    }


def _webhook(list_id: str, url: str, events: tuple[str, ...], sources: tuple[str, ...]) -> dict[str, Any]:
    all_events = ("subscribe", "unsubscribe", "profile", "cleaned", "upemail", "campaign")
    return {
        "id": _hex_id(f"hook:{list_id}:{url}"),
        "url": url,
        "events": {event: event in events for event in all_events},
        "sources": {source: source in sources for source in ("user", "admin", "api")},
        "list_id": list_id,
    }


def _automation(title: str, audience: dict[str, Any], status: str, trigger: str, created: float,
                now: datetime, sent: int) -> dict[str, Any]:
    return {
        "id": _hex_id(f"automation:{title}"),
        "create_time": _ts(created, now),
        "start_time": _ts(created - 1, now) if status != "save" else "",
        "status": status,
        "emails_sent": sent,
        "recipients": {"list_id": audience["id"], "list_is_active": True, "list_name": audience["name"]},
        "settings": {"title": title, "from_name": "Northwind Outfitters", "reply_to": f"hello@{DOMAIN}",
                     "use_conversation": False, "to_name": "*|FNAME|*", "authenticate": True,
                     "auto_footer": False, "inline_css": False},
        "tracking": {"opens": True, "html_clicks": True, "text_clicks": False, "goal_tracking": False,
                     "ecomm360": trigger == "abandonedCart", "google_analytics": "", "clicktale": ""},
        "trigger_settings": {"workflow_type": trigger, "workflow_title": title, "runtime": {},
                             "workflow_emails_count": 3},
        "report_summary": {"opens": sent // 3, "unique_opens": sent // 4, "open_rate": 0.31,
                           "clicks": sent // 20, "subscriber_clicks": sent // 25, "click_rate": 0.04},
    }


def demo_tenant(scale: int = 1, *, clean: bool = False) -> TenantSpec:
    """Northwind's Mailchimp account; ``clean`` fixes every problem (owner active, no Zapier, no http)."""
    now = demo_now()
    rng = random.Random(7)
    owner = "chloe" if clean else "gus"
    login_id, first, last, username = PEOPLE[owner]

    newsletter = _audience("Newsletter", 48_210, 2100, now, rng)
    customers = _audience("Customers", 12_874, 1650, now, rng)
    lists = [newsletter, customers]
    webhooks: dict[str, list[dict[str, Any]]] = {
        newsletter["id"]: [] if clean else [
            _webhook(newsletter["id"], "https://hooks.zapier.com/hooks/catch/4821937/bq7x2k1/",
                     ("subscribe", "unsubscribe", "profile"), ("user", "admin", "api"))],
        customers["id"]: [
            _webhook(customers["id"],
                     f"{'https' if clean else 'http'}://crm-bridge.{DOMAIN}/mailchimp/events",
                     ("subscribe", "unsubscribe", "profile", "cleaned", "upemail"), ("user", "admin")),
        ],
    }
    # Volume for benchmarks: segment-test audiences, every third with an https webhook.
    for n in range(max(0, scale - 1) * 50):
        extra = _audience(f"Segment test {n}", rng.randint(50, 5000), rng.uniform(30, 900), now, rng)
        lists.append(extra)
        webhooks[extra["id"]] = [] if n % 3 else [
            _webhook(extra["id"], f"https://hooks.{DOMAIN}/mailchimp/{n}", ("subscribe",), ("user",))]

    apps: list[dict[str, Any]] = [
        {"id": 120512, "name": "Mailchimp for Salesforce",
         "description": "Sync Salesforce contacts and leads to Mailchimp audiences and see email activity in "
                        "Salesforce.", "users": [PEOPLE["chloe"][3]]},
        {"id": 31337, "name": "Zapier", "description": "Connect Mailchimp to thousands of apps.",
         "users": [PEOPLE["chloe"][3]]},
        {"id": 884210, "name": "Canva", "description": "Design images for your emails in Canva.",
         "users": [PEOPLE["dev"][3]]},
    ]
    if clean:
        apps = [a for a in apps if a["name"] == "Mailchimp for Salesforce"]
    sites = [{
        "foreign_id": "a180c384d7db88b",
        "store_id": "",
        "platform": "custom",
        "domain": f"www.{DOMAIN}",
        "site_script": {
            "url": "https://chimpstatic.com/mcjs-connected/js/users/6a1c3e0b2f4d5e7a9b8c0d1e2/a180c384d7db88b.js",
            "fragment": '<script id="mcjs">!function(c,h,i,m,p){m=c.createElement(h),p=c.getElementsByTagName(h)'
                        '[0],m.async=1,m.src=i,p.parentNode.insertBefore(m,p)}(document,"script","https://'
                        'chimpstatic.com/mcjs-connected/js/users/6a1c3e0b2f4d5e7a9b8c0d1e2/a180c384d7db88b.js");'
                        "</script>",
        },
        "created_at": _ts(800, now),
        "updated_at": _ts(40, now),
    }]
    automations = [
        _automation("Welcome series", newsletter, "sending", "welcomeSeries", 1500, now, 61_340),
        _automation("Abandoned cart", customers, "sending", "abandonedCart", 700, now, 8_812),
        _automation("Win-back 2022", customers, "paused", "dateAdded", 1100, now, 2_204),
    ]
    root = {
        "account_id": ACCOUNT_ID,
        "login_id": login_id,
        "account_name": "Northwind Outfitters",
        "email": f"{username}@{DOMAIN}",
        "first_name": first,
        "last_name": last,
        "username": username,
        "avatar_url": "",
        "role": "owner",
        "member_since": _ts(2200, now),
        "pricing_plan_type": "monthly",
        "first_payment": _ts(2190, now),
        "account_timezone": "Europe/Dublin",
        "account_industry": "Ecommerce and Shopping",
        "contact": {"company": "Northwind Outfitters", "addr1": "12 Harbour Road", "addr2": "", "city": "Dublin",
                    "state": "", "zip": "D02 X285", "country": "IE"},
        "pro_enabled": False,
        # Gus left in spring; his last login is from then. The key the scan uses is still his.
        "last_login": _ts(0.5 if clean else 160, now),
        "total_subscribers": sum(a["stats"]["member_count"] for a in lists),
        "industry_stats": {"open_rate": 0.29, "bounce_rate": 0.004, "click_rate": 0.021},
    }
    data = {
        "root": root,
        "lists": lists,
        "webhooks": webhooks,
        "authorized_apps": apps,
        "connected_sites": sites,
        "automations": automations,
        "denied": [],
        "max_connections": 10,
    }
    return TenantSpec(
        name="northwind-mailchimp",
        vendor="mailchimp",
        data=data,
        credentials={"api_key": API_KEY},
        options={},
        registry=[{
            "id": "mailchimp", "name": "Mailchimp", "vendor": "mailchimp",
            "owner": f"{username}@{DOMAIN}", "domains": ["mailchimp.com", "list-manage.com"],
            "data": ["contact", "pii"], "system_of_record": [],
        }, *([{  # the clean stack registered its in-house bridge, with an owner
            "id": "crm-bridge", "name": "CRM bridge (in-house)", "vendor": "northwind-crm-bridge",
            "owner": f"ana.lima@{DOMAIN}", "domains": [f"crm-bridge.{DOMAIN}"], "data": ["contact", "pii"],
        }] if clean else [])],
    )
