"""Northwind Outfitters' Google Analytics 4 account, as the built-in demo stack serves it.

The story (docs/demo-stack.md): account "Northwind" with one property for northwind.example, a web stream for
https://www.northwind.example, a measurement-protocol secret for server-side events, BigQuery and Google Ads
links. Farah administers it, Dev edits, the scanner's service account views, and a growth agency that ran a
campaign last year still holds admin on the property. The clean variant has no agency access.

The scan authenticates as a service account (JWT bearer grant against the emulator's ``/token``).
"""

from __future__ import annotations

import json
import secrets
import string
from datetime import datetime, timedelta
from typing import Any

from stackaudit.emulator import TenantSpec, demo_now
from stackaudit.oauth import generate_rsa_key_pair

DOMAIN = "northwind.example"
ACCOUNT = "accounts/284756193"
PROPERTY = "properties/412345678"
STREAM = f"{PROPERTY}/dataStreams/5678901234"
PROJECT = "northwind-analytics"
SERVICE_ACCOUNT = f"stackaudit-reader@{PROJECT}.iam.gserviceaccount.com"
AGENCY = "agency@growthhackers.example"


def _ts(days_ago: float, now: datetime) -> str:
    return (now - timedelta(days=days_ago)).strftime("%Y-%m-%dT%H:%M:%S.%f") + "Z"


def _binding(parent: str, n: int, user: str, *roles: str) -> dict[str, Any]:
    return {"name": f"{parent}/accessBindings/b{n:011d}", "user": user,
            "roles": [f"predefinedRoles/{r}" for r in roles]}


def _property(name: str, display: str, created: str, updated: str) -> dict[str, Any]:
    return {"name": name, "propertyType": "PROPERTY_TYPE_ORDINARY", "createTime": created, "updateTime": updated,
            "parent": ACCOUNT, "displayName": display, "industryCategory": "SHOPPING", "timeZone": "Europe/Dublin",
            "currencyCode": "EUR", "serviceLevel": "GOOGLE_ANALYTICS_STANDARD", "account": ACCOUNT}


def _web_stream(name: str, display: str, measurement_id: str, uri: str, created: str) -> dict[str, Any]:
    return {"name": name, "type": "WEB_DATA_STREAM", "displayName": display, "createTime": created,
            "updateTime": created, "webStreamData": {"measurementId": measurement_id, "defaultUri": uri}}


def demo_tenant(scale: int = 1, *, clean: bool = False) -> TenantSpec:
    """Northwind's GA4 account; ``clean`` removes the external agency's admin access."""
    now = demo_now()
    private_pem, public_pem = generate_rsa_key_pair()
    alphabet = string.ascii_letters + string.digits
    properties = [_property(PROPERTY, "northwind.example \u2013 GA4", _ts(1100, now), _ts(20, now))]
    streams = {PROPERTY: [_web_stream(STREAM, f"www.{DOMAIN}", "G-NW4DEMO123", f"https://www.{DOMAIN}",
                                      _ts(1100, now))]}
    mp_secrets = {STREAM: [{"name": f"{STREAM}/measurementProtocolSecrets/x7Kq2LmPz9RtBvW3",
                            "displayName": "Segment server-side events",
                            "secretValue": "".join(secrets.choice(alphabet) for _ in range(22))}]}
    bigquery_links = {PROPERTY: [{
        "name": f"{PROPERTY}/bigQueryLinks/8s2kQ9vLm3", "project": "projects/918273645012",
        "createTime": _ts(600, now), "dailyExportEnabled": True, "streamingExportEnabled": False,
        "freshDailyExportEnabled": False, "includeAdvertisingId": False, "exportStreams": [STREAM],
        "excludedEvents": [], "datasetLocation": "EU"}]}
    if clean:  # the warehouse gets events once, through Segment, not also through GA4's export
        bigquery_links = {PROPERTY: []}
    ads_links = {PROPERTY: [{
        "name": f"{PROPERTY}/googleAdsLinks/3456789012", "customerId": "4812345678", "canManageClients": False,
        "adsPersonalizationEnabled": True, "createTime": _ts(500, now), "updateTime": _ts(500, now),
        "creatorEmailAddress": f"farah.haddad@{DOMAIN}"}]}
    account_bindings = [
        _binding(ACCOUNT, 1, f"farah.haddad@{DOMAIN}", "admin"),
        _binding(ACCOUNT, 2, f"dev.patel@{DOMAIN}", "editor"),
        _binding(ACCOUNT, 3, SERVICE_ACCOUNT, "viewer"),
    ]
    property_bindings: dict[str, list[dict[str, Any]]] = {PROPERTY: []}
    if not clean:
        property_bindings[PROPERTY].append(_binding(PROPERTY, 1, AGENCY, "admin"))
    # Volume for benchmarks: regional storefront properties, each with its own web stream and viewers.
    for n in range(max(0, scale - 1) * 20):
        name = f"properties/5{n:08d}"
        properties.append(_property(name, f"shop{n}.northwind.example", _ts(300, now), _ts(30, now)))
        streams[name] = [_web_stream(f"{name}/dataStreams/7{n:09d}", f"shop{n}.{DOMAIN}", f"G-SHOP{n:06d}",
                                     f"https://shop{n}.{DOMAIN}", _ts(300, now))]
        property_bindings[name] = [_binding(name, k, f"viewer{n}-{k}@{DOMAIN}", "viewer") for k in range(5)]

    key_file = {
        "type": "service_account", "project_id": PROJECT,
        "private_key_id": "".join(secrets.choice("0123456789abcdef") for _ in range(40)),
        "private_key": private_pem, "client_email": SERVICE_ACCOUNT, "client_id": "104857291038475610293",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth", "token_uri": "https://oauth2.googleapis.com/token",
        "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
        "client_x509_cert_url": f"https://www.googleapis.com/robot/v1/metadata/x509/{SERVICE_ACCOUNT}",
    }
    data = {
        "account_summaries": [{"name": f"accountSummaries/{ACCOUNT.split('/')[1]}", "account": ACCOUNT,
                               "displayName": "Northwind"}],
        "properties": properties,
        "data_streams": streams,
        "measurement_secrets": mp_secrets,
        "google_ads_links": ads_links,
        "bigquery_links": bigquery_links,
        "firebase_links": {},
        "access_bindings": {ACCOUNT: account_bindings, **property_bindings},
        "service_accounts": {SERVICE_ACCOUNT: public_pem},
        "v1alpha": True,
        "denied": [],
    }
    owner = f"farah.haddad@{DOMAIN}"
    return TenantSpec(
        name="northwind-ga4",
        vendor="ga4",
        data=data,
        credentials={"service_account": json.dumps(key_file)},
        options={"token_url": "/token"},
        registry=[
            {"id": "ga4", "name": "Google Analytics 4", "vendor": "ga4", "owner": owner,
             "domains": ["analytics.google.com", "google-analytics.com"], "data": ["behavioral"]},
            {"id": "bigquery", "name": "BigQuery warehouse", "vendor": "bigquery", "owner": owner,
             "data": ["behavioral", "pii"], "system_of_record": ["behavioral"] if clean else []},
            # In the clean stack the Ads account behind the GA4 link went through approval too.
            *([{"id": "google-ads", "name": "Google Ads", "vendor": "google-ads", "owner": owner,
                "data": ["behavioral", "marketing"]}] if clean else []),
        ],
    )
