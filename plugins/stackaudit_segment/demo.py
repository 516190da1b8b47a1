"""Northwind Outfitters' Segment workspace, as the built-in demo stack serves it.

The story (docs/demo-stack.md): the website source ``www.northwind.example`` routes events to Google Analytics 4,
HubSpot and a BigQuery warehouse; a server source (the order service) loads into the same warehouse. Farah
owns the workspace; ``segment-service@`` is the automation user. A Mailchimp destination was switched off but
still holds its API key. The clean variant drops that leftover destination.
"""

from __future__ import annotations

import hashlib
import secrets
import string
from datetime import timedelta
from typing import Any

from stackaudit.emulator import TenantSpec, demo_now

DOMAIN = "northwind.example"
WORKSPACE_ID = "nW7qPz3KdL9xVb2TgR4mYc"
WORKSPACE_OWNER_ROLE = "7Zb1yF3kGx2LqR9uWm5PtA"
ALPHABET = string.ascii_letters + string.digits


def _id(seed: str) -> str:
    """A Segment-style 22-character id, stable per seed."""
    digest = hashlib.sha256(seed.encode()).digest()
    return "".join(ALPHABET[b % len(ALPHABET)] for b in digest[:22])


def _logos(slug: str) -> dict[str, Any]:
    return {"default": f"https://cdn.filepicker.io/api/file/{_id('logo' + slug)[:20]}", "mark": "", "alt": ""}


def _source_metadata(name: str, slug: str, category: str) -> dict[str, Any]:
    return {"id": _id("src-meta" + slug)[:10], "slug": slug, "name": name, "categories": [category],
            "description": f"{name} source", "logos": _logos(slug), "options": [], "isCloudEventSource": False}


def _destination_metadata(name: str, slug: str, website: str, categories: list[str],
                          options: list[dict[str, Any]], *, identify: bool = True) -> dict[str, Any]:
    return {
        "id": _id("dest-meta" + slug)[:24], "name": name, "slug": slug, "description": f"Send data to {name}.",
        "logos": _logos(slug), "options": options, "status": "PUBLIC", "previousNames": [name],
        "categories": categories, "website": website,
        "components": [{"code": f"https://github.com/segmentio/action-destinations/tree/main/{slug}",
                        "type": "SERVER", "owner": "SEGMENT"}],
        "supportedFeatures": {"cloudModeInstances": "MULTIPLE", "deviceModeInstances": "NONE", "replay": False,
                              "browserUnbundling": False, "browserUnbundlingPublic": False},
        "supportedMethods": {"pageview": True, "identify": identify, "alias": False, "track": True, "group": False},
        "supportedPlatforms": {"browser": True, "server": True, "mobile": True},
        "actions": [], "presets": [],
    }


def _option(name: str, label: str, description: str, *, required: bool = True) -> dict[str, Any]:
    return {"name": name, "type": "string", "required": required, "description": description, "label": label}


def _token(prefix: str, length: int = 32) -> str:
    return prefix + "".join(secrets.choice(ALPHABET) for _ in range(length))


def demo_tenant(scale: int = 1, *, clean: bool = False) -> TenantSpec:
    """Northwind's workspace; ``clean`` removes the disabled destination that still holds a Mailchimp key."""
    now = demo_now()
    web = _id("source-web")
    server = _id("source-orders")
    sources: list[dict[str, Any]] = [
        {"id": web, "slug": "www_northwind_example", "name": f"www.{DOMAIN}", "workspaceId": WORKSPACE_ID,
         "enabled": True, "writeKeys": [_token("", 32)],
         "metadata": _source_metadata("Javascript", "javascript", "Website"), "settings": {},
         "labels": [{"key": "environment", "value": "prod"}]},
        {"id": server, "slug": "orders_service", "name": "orders-service", "workspaceId": WORKSPACE_ID,
         "enabled": True, "writeKeys": [_token("", 32)],
         "metadata": _source_metadata("Node.js", "node-js", "Server"), "settings": {},
         "labels": [{"key": "environment", "value": "prod"}]},
    ]
    # Volume for benchmarks: more server sources, each loading into the warehouse.
    for n in range(max(0, scale - 1) * 50):
        sources.append({"id": _id(f"source-extra-{n}"), "slug": f"batch_job_{n}", "name": f"batch-job-{n}",
                        "workspaceId": WORKSPACE_ID, "enabled": True, "writeKeys": [_token("", 32)],
                        "metadata": _source_metadata("HTTP API", "http-api", "Server"), "settings": {},
                        "labels": []})

    ga4_options = [
        _option("measurementId", "Measurement ID", "The GA4 web stream's measurement ID (G-XXXXXXXXXX)."),
        _option("apiSecret", "API Secret", "A Measurement Protocol API secret of the data stream."),
    ]
    hubspot_options = [
        _option("portalId", "Hub ID", "Your HubSpot account's Hub ID."),
        _option("accessToken", "Private App Access Token", "The private app's access token.", required=False),
    ]
    mailchimp_options = [
        _option("apiKey", "API Key", "Your Mailchimp API key."),
        _option("listId", "Audience ID", "The audience new subscribers are added to."),
        _option("datacenterId", "Datacenter", "The data center of your Mailchimp account (us21)."),
    ]
    destinations: list[dict[str, Any]] = [
        {"id": _id("dest-ga4"), "name": "GA4 \u2013 northwind.example", "enabled": True, "sourceId": web,
         "metadata": _destination_metadata("Google Analytics 4 Cloud", "actions-google-analytics-4",
                                           "https://marketingplatform.google.com/about/analytics/",
                                           ["Analytics"], ga4_options, identify=False),
         "settings": {"measurementId": "G-NW4DEMO123", "apiSecret": _token("nW", 20)}},
        {"id": _id("dest-hubspot"), "name": "HubSpot", "enabled": True, "sourceId": web,
         "metadata": _destination_metadata("HubSpot Cloud Mode (Actions)", "actions-hubspot-cloud",
                                           "https://www.hubspot.com", ["CRM", "Marketing Automation"],
                                           hubspot_options),
         "settings": {"portalId": "24681357", "accessToken": _token("pat-eu1-", 36)}},
    ]
    if clean:  # the site already sends to GA4 through its own web stream: one path, not two
        destinations = [d for d in destinations if d["id"] != _id("dest-ga4")]
    if not clean:
        destinations.append(
            {"id": _id("dest-mailchimp"), "name": "Mailchimp (old newsletter)", "enabled": False, "sourceId": web,
             "metadata": _destination_metadata("Mailchimp", "mailchimp", "https://mailchimp.com",
                                               ["Email Marketing"], mailchimp_options),
             "settings": {"apiKey": _token("", 32) + "-us21", "listId": "a1b2c3d4e5", "datacenterId": "us21"}})

    warehouse_id = _id("warehouse-bigquery")
    bigquery_options = [
        {"name": "project", "required": True, "type": "string"},
        {"name": "credentials", "required": True, "type": "string"},
        {"name": "location", "required": False, "type": "string"},
    ]
    service_account = ('{"type": "service_account", "project_id": "northwind-analytics", '
                       '"private_key_id": "' + _token("", 40).lower() + '", '
                       '"client_email": "segment-loader@northwind-analytics.iam.gserviceaccount.com"}')
    warehouses = [{
        "id": warehouse_id, "workspaceId": WORKSPACE_ID, "enabled": True,
        "metadata": {"id": _id("wh-meta-bigquery")[:10], "slug": "bigquery", "name": "BigQuery",
                     "description": "Google's serverless data warehouse", "logos": _logos("bigquery"),
                     "options": bigquery_options},
        "settings": {"name": "Northwind BigQuery", "project": "northwind-analytics", "location": "EU",
                     "credentials": service_account},
    }]
    warehouse_sources = {warehouse_id: [s["id"] for s in sources]}

    plan_id = "tp_" + _id("plan-web")[:24]
    tracking_plans = [{"id": plan_id, "name": "Northwind web events", "slug": "northwind-web-events",
                       "description": "Events the storefront sends.", "type": "LIVE",
                       "createdAt": (now - timedelta(days=400)).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                       "updatedAt": (now - timedelta(days=12)).strftime("%Y-%m-%dT%H:%M:%S.000Z")}]
    tracking_plan_sources = {plan_id: [web]}

    def workspace_permission(role: str, role_id: str) -> dict[str, Any]:
        return {"roleName": role, "roleId": role_id, "resources": [{"id": WORKSPACE_ID, "type": "WORKSPACE"}]}

    users = [
        {"id": _id("user-farah"), "name": "Farah Haddad", "email": f"farah.haddad@{DOMAIN}",
         "permissions": [workspace_permission("Workspace Owner", WORKSPACE_OWNER_ROLE)]},
        {"id": _id("user-dev"), "name": "Dev Patel", "email": f"dev.patel@{DOMAIN}",
         "permissions": [workspace_permission("Workspace Member", _id("role-member")),
                         {"roleName": "Source Admin", "roleId": _id("role-source-admin"),
                          "resources": [{"id": web, "type": "SOURCE"}]}]},
        {"id": _id("user-service"), "name": "Segment Service", "email": f"segment-service@{DOMAIN}",
         "permissions": [workspace_permission("Workspace Member", _id("role-member")),
                         {"roleName": "Warehouse Admin", "roleId": _id("role-warehouse-admin"),
                          "resources": [{"id": warehouse_id, "type": "WAREHOUSE"}]}]},
    ]
    data = {
        "workspace": {"id": WORKSPACE_ID, "name": "Northwind Outfitters", "slug": "northwind-outfitters"},
        "sources": sources,
        "destinations": destinations,
        "warehouses": warehouses,
        "warehouse_sources": warehouse_sources,
        "tracking_plans": tracking_plans,
        "tracking_plan_sources": tracking_plan_sources,
        "users": users,
        "roles": [
            {"id": WORKSPACE_OWNER_ROLE, "name": "Workspace Owner", "description": "Full access to the workspace."},
            {"id": _id("role-member"), "name": "Workspace Member", "description": "Access to assigned resources."},
        ],
        "denied": [],
    }
    owner = f"farah.haddad@{DOMAIN}"
    return TenantSpec(
        name="northwind-segment",
        vendor="segment",
        data=data,
        credentials={"access_token": "sgp_" + _token("", 60)},
        options={},
        registry=[
            {"id": "segment", "name": "Segment", "vendor": "segment", "owner": owner,
             "domains": ["segment.com", "segment.io", "segmentapis.com"], "data": ["behavioral", "pii"]},
            {"id": "bigquery", "name": "BigQuery warehouse", "vendor": "bigquery", "owner": owner,
             "data": ["behavioral", "pii"], "system_of_record": ["behavioral"] if clean else []},
        ],
    )
