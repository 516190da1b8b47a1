"""Google Analytics Admin API resources in, stackaudit inventory records out. Pure: no I/O, no clock.

A GA4 account is the tenant; its properties hold the data. Web data streams are tracking flows from the site
into GA4, product links (Google Ads, BigQuery, Firebase) are link flows out of it, measurement-protocol
secrets are credentials (never their value), and access bindings are the accounts with their roles.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from stackaudit import (
    Account,
    AccountKind,
    Credential,
    DataCategory,
    Evidence,
    Flow,
    OwnerHint,
    System,
    SystemKind,
    TriState,
    external_id,
    record_id,
)
from stackaudit.redaction import strip_url
from stackaudit.vendor_data import as_mapping, as_mappings, as_strings, split_url

VENDOR = "ga4"
ADMIN_ROLE = "predefinedRoles/admin"
# Linked Google products: (product name, vendor id, domain).
GOOGLE_ADS = ("Google Ads", "google-ads", "ads.google.com")
BIGQUERY = ("BigQuery", "bigquery", "cloud.google.com")
FIREBASE = ("Firebase", "firebase", "firebase.google.com")
SERVICE_ACCOUNT_SUFFIX = ".gserviceaccount.com"

_FRACTION = re.compile(r"\.(\d+)")


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def parse_time(value: Any) -> datetime | None:
    """RFC 3339 as Google writes it (``2024-05-01T12:34:56.123456789Z``): nanoseconds cut to microseconds."""
    if not isinstance(value, str) or not value:
        return None
    text = _FRACTION.sub(lambda m: "." + m.group(1)[:6].ljust(6, "0"), value.replace("Z", "+00:00"), count=1)
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def resource_id(name: str) -> str:
    """The last segment of a resource name: ``accounts/123`` → ``123``."""
    return name.rsplit("/", 1)[-1]


def tenant_id(connection: str, account: str) -> str:
    return record_id(connection, "tenant", resource_id(account))


def account_system(connection: str, summary: Mapping[str, Any], properties: Sequence[Mapping[str, Any]], *,
                   owners: Iterable[OwnerHint] = ()) -> System:
    """The GA4 account (from its account summary) as the tenant, with the properties it holds."""
    account = _str(summary.get("account"))
    names = [f"{_str(p.get('displayName'))} ({_str(p.get('name'))})" for p in properties]
    levels = sorted({_str(p.get("serviceLevel")) for p in properties if p.get("serviceLevel")})
    return System(
        id=tenant_id(connection, account),
        name=_str(summary.get("displayName")) or account,
        vendor=VENDOR,
        system_kind=SystemKind.TENANT,
        category="analytics",
        url=f"https://analytics.google.com/analytics/web/#/a{resource_id(account)}",
        domain="analytics.google.com",
        data=(DataCategory.BEHAVIORAL,),
        owners=tuple(owners),
        attributes={"account": account, "properties": len(properties), "property_names": "; ".join(names),
                    "service_levels": ",".join(levels)},
        evidence=(Evidence(connection, "GET /v1beta/accountSummaries", account),),
    )


def properties_from_summary(summary: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The property list an account summary gives, for when properties.list is refused."""
    return [{"name": _str(p.get("property")), "displayName": _str(p.get("displayName")),
             "parent": _str(p.get("parent")), "propertyType": _str(p.get("propertyType"))}
            for p in as_mappings(summary.get("propertySummaries"))]


def _property_attributes(prop: Mapping[str, Any]) -> dict[str, Any]:
    return {"property": _str(prop.get("name")), "property_name": _str(prop.get("displayName"))}


# -- data streams and their secrets ---------------------------------------------------------------


def data_stream(connection: str, tenant: str, prop: Mapping[str, Any], raw: Mapping[str, Any]
                ) -> tuple[Flow, System] | None:
    """A web stream as a tracking flow from its site (an app stream from the app) into GA4."""
    name = _str(raw.get("name"))
    web = as_mapping(raw.get("webStreamData"))
    evidence = (Evidence(connection, f"GET /v1beta/{_str(prop.get('name'))}/dataStreams", name),)
    attributes: dict[str, Any] = {**_property_attributes(prop), "stream": name,
                                  "stream_type": _str(raw.get("type"))}
    uri = _str(web.get("defaultUri"))
    if raw.get("type") == "WEB_DATA_STREAM":
        parts = split_url(uri if "://" in uri else f"https://{uri}")
        host = (parts.hostname or "").lower()
        if not host:
            return None
        source = System(id=external_id(host=host), name=host, system_kind=SystemKind.EXTERNAL,
                        url=f"{parts.scheme}://{host}", domain=host, evidence=evidence)
        attributes["measurement_id"] = _str(web.get("measurementId"))
        url, scheme = strip_url(uri if "://" in uri else f"https://{uri}"), parts.scheme.lower()
    else:
        app = as_mapping(raw.get("androidAppStreamData") or raw.get("iosAppStreamData"))
        app_id = _str(app.get("packageName") or app.get("bundleId"))
        if not app_id:
            return None
        source = System(id=external_id(name=app_id), name=app_id, system_kind=SystemKind.EXTERNAL,
                        evidence=evidence)
        attributes["app_id"] = app_id
        url, scheme = "", "https"
    flow = Flow(
        id=record_id(connection, "stream", name),
        source=source.id,
        target=tenant,
        flow_kind="tracking",
        data=(DataCategory.BEHAVIORAL,),
        url=url,
        scheme=scheme,
        name=f"{_str(raw.get('displayName')) or source.name} → {_str(prop.get('displayName'))}",
        attributes={**attributes, "created": _str(raw.get("createTime"))},
        evidence=evidence,
    )
    return flow, source


def measurement_secret(connection: str, tenant: str, prop: Mapping[str, Any], stream: Mapping[str, Any],
                       raw: Mapping[str, Any]) -> Credential:
    """A measurement-protocol secret, known by its resource name. ``secretValue`` is never read into it."""
    name = _str(raw.get("name"))
    web = as_mapping(stream.get("webStreamData"))
    return Credential(
        id=record_id(connection, "measurement_secret", name),
        system=tenant,
        credential_kind="measurement_secret",
        name=_str(raw.get("displayName")) or resource_id(name),
        fingerprint=name,
        attributes={**_property_attributes(prop), "stream": _str(stream.get("name")),
                    "measurement_id": _str(web.get("measurementId"))},
        evidence=(Evidence(connection, f"GET /v1beta/{_str(stream.get('name'))}/measurementProtocolSecrets", name),),
    )


# -- product links --------------------------------------------------------------------------------


def _product(product: tuple[str, str, str], evidence: tuple[Evidence, ...]) -> System:
    name, vendor, domain = product
    return System(id=external_id(name=name), name=name, vendor=vendor, system_kind=SystemKind.EXTERNAL,
                  domain=domain, evidence=evidence)


def _link(connection: str, tenant: str, prop: Mapping[str, Any], raw: Mapping[str, Any], *, kind: str, record: str,
          product: tuple[str, str, str], api: str, label: str, data: tuple[DataCategory, ...],
          attributes: Mapping[str, Any], owners: tuple[OwnerHint, ...] = ()) -> tuple[Flow, System]:
    name = _str(raw.get("name"))
    evidence = (Evidence(connection, f"GET /{api}/{_str(prop.get('name'))}/{kind}", name),)
    flow = Flow(
        id=record_id(connection, record, name),
        source=tenant,
        target=external_id(name=product[0]),
        flow_kind="link",
        data=data,
        scheme="https",
        name=f"{_str(prop.get('displayName'))} → {product[0]} {label}".rstrip(),
        owners=owners,
        attributes={**_property_attributes(prop), "link": name, "created": _str(raw.get("createTime")),
                    **attributes},
        evidence=evidence,
    )
    return flow, _product(product, evidence)


def google_ads_link(connection: str, tenant: str, prop: Mapping[str, Any], raw: Mapping[str, Any]
                    ) -> tuple[Flow, System]:
    creator = _str(raw.get("creatorEmailAddress")).lower()
    customer = _str(raw.get("customerId"))
    return _link(connection, tenant, prop, raw, kind="googleAdsLinks", record="google_ads_link",
                 product=GOOGLE_ADS, api="v1beta", label=customer,
                 data=(DataCategory.BEHAVIORAL, DataCategory.MARKETING),
                 owners=(OwnerHint("created_by", email=creator),) if creator else (),
                 attributes={"customer_id": customer,
                             "ads_personalization": raw.get("adsPersonalizationEnabled") is not False})


def bigquery_link(connection: str, tenant: str, prop: Mapping[str, Any], raw: Mapping[str, Any]
                  ) -> tuple[Flow, System]:
    project = _str(raw.get("project"))
    return _link(connection, tenant, prop, raw, kind="bigQueryLinks", record="bigquery_link",
                 product=BIGQUERY, api="v1alpha", label=project, data=(DataCategory.BEHAVIORAL,),
                 attributes={"project": project, "dataset_location": _str(raw.get("datasetLocation")),
                             "daily_export": raw.get("dailyExportEnabled") is True,
                             "streaming_export": raw.get("streamingExportEnabled") is True,
                             "fresh_daily_export": raw.get("freshDailyExportEnabled") is True,
                             "include_advertising_id": raw.get("includeAdvertisingId") is True,
                             "export_streams": len(as_mappings(raw.get("exportStreams"))),
                             "excluded_events": len(as_strings(raw.get("excludedEvents")))})


def firebase_link(connection: str, tenant: str, prop: Mapping[str, Any], raw: Mapping[str, Any]
                  ) -> tuple[Flow, System]:
    project = _str(raw.get("project"))
    return _link(connection, tenant, prop, raw, kind="firebaseLinks", record="firebase_link",
                 product=FIREBASE, api="v1beta", label=project, data=(DataCategory.BEHAVIORAL,),
                 attributes={"project": project})


# -- access bindings ------------------------------------------------------------------------------


def _role_name(role: str) -> str:
    return role.removeprefix("predefinedRoles/")


def account_kind(email: str, organization_domains: Iterable[str]) -> AccountKind:
    """Service accounts by their Google domain; people outside the organisation's domains are guests."""
    domain = email.rsplit("@", 1)[-1].lower()
    if domain.endswith(SERVICE_ACCOUNT_SUFFIX):
        return AccountKind.SERVICE
    own = [d.lower() for d in organization_domains]
    if own and not any(domain == d or domain.endswith("." + d) for d in own):
        return AccountKind.GUEST
    return AccountKind.HUMAN


def access_accounts(connection: str, tenant: str, account: str,
                    account_bindings: Iterable[Mapping[str, Any]] | None,
                    property_bindings: Iterable[tuple[Mapping[str, Any], Iterable[Mapping[str, Any]]]],
                    *, organization_domains: Iterable[str] = ()) -> list[Account]:
    """One account per user with access, merging the roles granted on the account and on each property."""
    domains = tuple(organization_domains)
    grants: dict[str, dict[str, Any]] = {}

    def grant(email: str, where: str, roles: Iterable[str], binding: str, source: str) -> None:
        entry = grants.setdefault(email, {"roles": set(), "where": [], "evidence": [], "admin": False,
                                          "account_admin": False})
        names = sorted(_role_name(r) for r in roles if isinstance(r, str))
        entry["roles"].update(names)
        entry["where"].append(f"{where}: {','.join(names)}")
        entry["admin"] = entry["admin"] or ADMIN_ROLE in roles
        entry["account_admin"] = entry["account_admin"] or (where == "account" and ADMIN_ROLE in roles)
        entry["evidence"].append(Evidence(connection, source, binding))

    for raw in account_bindings or ():
        email = _str(raw.get("user")).lower()
        if email:
            grant(email, "account", as_strings(raw.get("roles")), _str(raw.get("name")),
                  f"GET /v1alpha/{account}/accessBindings")
    for prop, bindings in property_bindings:
        label = _str(prop.get("displayName")) or _str(prop.get("name"))
        for raw in bindings:
            email = _str(raw.get("user")).lower()
            if email:
                grant(email, f"property {label}", as_strings(raw.get("roles")), _str(raw.get("name")),
                      f"GET /v1alpha/{_str(prop.get('name'))}/accessBindings")
    return [
        Account(
            id=record_id(connection, "user", f"{resource_id(account)}:{email}"),
            system=tenant,
            username=email,
            email=email,
            account_kind=account_kind(email, domains),
            admin=entry["admin"],
            roles=tuple(sorted(entry["roles"])),
            mfa=TriState.UNKNOWN,
            sso=TriState.UNKNOWN,
            attributes={"grants": "; ".join(entry["where"]), "account_admin": entry["account_admin"]},
            evidence=tuple(entry["evidence"]),
        )
        for email, entry in sorted(grants.items())
    ]


def owner_hints(accounts: Iterable[Account]) -> list[OwnerHint]:
    """People (not guests or service accounts) who administer the whole account plausibly own it."""
    return [OwnerHint("admin", email=a.email) for a in accounts
            if a.attributes.get("account_admin") is True and a.account_kind is AccountKind.HUMAN]
