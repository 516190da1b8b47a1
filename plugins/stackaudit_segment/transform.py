"""Segment Public API objects in, stackaudit inventory records out. Pure: no I/O, no clock.

A workspace is the tenant. Website sources send events into it (a tracking flow from the site), and it routes
them on to destinations and warehouses (destination flows to those products). Write keys become credentials
without their value; destination and warehouse settings are kept only where they are not secret.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from stackaudit import (
    Account,
    AccountKind,
    Credential,
    DataCategory,
    Evidence,
    Flow,
    Integration,
    OwnerHint,
    System,
    SystemKind,
    TriState,
    external_id,
    record_id,
)
from stackaudit.redaction import MASK
from stackaudit.vendor_data import as_mapping, as_mappings, as_strings, split_url

VENDOR = "segment"
WORKSPACE_OWNER = "workspace owner"
CDP_DATA = (DataCategory.BEHAVIORAL, DataCategory.PII)

# Products a destination or warehouse may name, as (lower-case name prefix, product name, vendor id).
# Segment appends variants ("Google Analytics 4 Cloud", "HubSpot Cloud Mode (Actions)"); the prefix decides.
KNOWN_PRODUCTS: tuple[tuple[str, str, str], ...] = (
    ("google analytics 4", "Google Analytics 4", "ga4"),
    ("google ads", "Google Ads", "google-ads"),
    ("bigquery", "BigQuery", "bigquery"),
    ("google bigquery", "BigQuery", "bigquery"),
    ("hubspot", "HubSpot", "hubspot"),
    ("salesforce marketing cloud", "Salesforce Marketing Cloud", "salesforce-marketing-cloud"),
    ("salesforce", "Salesforce", "salesforce"),
    ("marketo", "Marketo", "marketo"),
    ("mailchimp", "Mailchimp", "mailchimp"),
    ("snowflake", "Snowflake", "snowflake"),
    ("redshift", "Amazon Redshift", "redshift"),
    ("amplitude", "Amplitude", "amplitude"),
    ("mixpanel", "Mixpanel", "mixpanel"),
    ("intercom", "Intercom", "intercom"),
    ("braze", "Braze", "braze"),
    ("klaviyo", "Klaviyo", "klaviyo"),
)
SOURCE_KINDS = {"website": "website", "mobile": "app", "server": "server", "cloud app": "cloud", "cloud": "cloud"}
SITE_SETTINGS = ("website", "websiteUrl", "siteUrl", "url", "domain")

# Setting names that hold secrets (API keys, passwords, tokens, write keys, service-account JSON).
_SECRET_NAME = re.compile(
    r"(?i)(secret|passw|token|api_?key|private|credential|ciphertext|signature|auth(?!or)|(^|_|[a-z])key$)")
_SECRET_VALUE = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----|\"private_key\"\s*:")
_SECRET_DESCRIPTION = re.compile(r"(?i)\b(secret|password)\b")
MAX_SETTING_LENGTH = 200


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def tenant_id(connection: str, workspace_id: str) -> str:
    return record_id(connection, "tenant", workspace_id)


def region_of(base_url: str) -> str:
    """``eu1.api.segmentapis.com`` is the EU region; ``api.segmentapis.com`` the US one."""
    host = (split_url(base_url).hostname or "").lower()
    if host.endswith("segmentapis.com"):
        return "eu" if host.startswith("eu1.") else "us"
    return ""


def product_of(name: str) -> tuple[str, str]:
    """(product name, vendor id) for a destination or warehouse name; the name itself and "" if unknown."""
    lowered = name.strip().lower()
    for prefix, product, vendor in KNOWN_PRODUCTS:
        if lowered == prefix or lowered.startswith((prefix + " ", prefix + "(")):
            return product, vendor
    return name.strip(), ""


# -- settings -------------------------------------------------------------------------------------


def _secret_names(options: Iterable[Mapping[str, Any]]) -> set[str]:
    """Option names the integration's metadata describes as a secret or password."""
    return {_str(o.get("name")) for o in options
            if isinstance(o, Mapping) and (_SECRET_DESCRIPTION.search(_str(o.get("description")))
                                           or _str(o.get("type")).lower() == "password")}


def is_secret_setting(name: str, value: Any, declared_secret: Collection[str] = ()) -> bool:
    if name in declared_secret or _SECRET_NAME.search(name):
        return True
    return isinstance(value, str) and bool(_SECRET_VALUE.search(value))


def settings_attributes(settings: Mapping[str, Any], options: Iterable[Mapping[str, Any]] = ()) -> dict[str, Any]:
    """Scalar settings as ``setting.<name>`` attributes; secret ones masked, nested ones left out."""
    declared = _secret_names(options)
    out: dict[str, Any] = {}
    redacted: list[str] = []
    for name, value in sorted(settings.items()):
        if is_secret_setting(name, value, declared):
            if value not in (None, "", [], {}):
                redacted.append(name)
                out[f"setting.{name}"] = MASK
            continue
        if isinstance(value, bool | int | float) or value is None:
            out[f"setting.{name}"] = value
        elif isinstance(value, str):
            out[f"setting.{name}"] = value[:MAX_SETTING_LENGTH]
    if redacted:
        out["redacted_settings"] = ",".join(redacted)
    return out


def secret_values(settings: Mapping[str, Any], options: Iterable[Mapping[str, Any]] = ()) -> list[str]:
    """Every string held under a secret-looking setting (for the redactor; never for the inventory)."""
    declared = _secret_names(options)
    found: list[str] = []

    def leaves(value: Any) -> Iterable[str]:
        if isinstance(value, str):
            yield value
        elif isinstance(value, Mapping):
            for v in value.values():
                yield from leaves(v)
        elif isinstance(value, list):
            for v in value:
                yield from leaves(v)

    def walk(mapping: Mapping[str, Any]) -> None:
        for name, value in mapping.items():
            if is_secret_setting(str(name), value, declared):
                found.extend(leaves(value))
            elif isinstance(value, Mapping):
                walk(value)

    walk(settings)
    return [v for v in found if v]


# -- workspace and users --------------------------------------------------------------------------


def workspace(connection: str, base_url: str, raw: Mapping[str, Any], *, owners: Iterable[OwnerHint] = (),
              tracking_plans: int | None = None) -> System:
    workspace_id = _str(raw.get("id"))
    slug = _str(raw.get("slug"))
    attributes: dict[str, Any] = {"workspace_id": workspace_id, "slug": slug}
    if tracking_plans is not None:
        attributes["tracking_plans"] = tracking_plans
    return System(
        id=tenant_id(connection, workspace_id),
        name=_str(raw.get("name")) or slug or "Segment workspace",
        vendor=VENDOR,
        system_kind=SystemKind.TENANT,
        category="cdp",
        url=f"https://app.segment.com/{slug}" if slug else "https://app.segment.com",
        domain="app.segment.com",
        region=region_of(base_url),
        data=CDP_DATA,
        owners=tuple(owners),
        attributes=attributes,
        evidence=(Evidence(connection, "GET /", workspace_id),),
    )


def _roles(raw: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(role name, resource description) for each permission a user holds."""
    out = []
    for permission in as_mappings(raw.get("permissions")):
        role = _str(permission.get("roleName"))
        resources = [f"{_str(r.get('type')).lower()}:{_str(r.get('id'))}"
                     for r in as_mappings(permission.get("resources"))]
        out.append((role, ",".join(resources)))
    return out


def is_workspace_owner(raw: Mapping[str, Any]) -> bool:
    return any(role.lower() == WORKSPACE_OWNER for role, _ in _roles(raw))


def account_kind(email: str, name: str) -> AccountKind:
    local = email.split("@", 1)[0].lower()
    if re.search(r"(^|[-_.])(service|svc|integration|api|bot|automation)([-_.]|$)", local) \
            or name.lower().endswith(("service account", "integration")):
        return AccountKind.SERVICE
    return AccountKind.HUMAN


def user(connection: str, tenant: str, raw: Mapping[str, Any]) -> Account:
    """A workspace user; admin when they hold the Workspace Owner role. Segment does not report MFA."""
    user_id = _str(raw.get("id"))
    email = _str(raw.get("email")).lower()
    name = _str(raw.get("name"))
    roles = _roles(raw)
    return Account(
        id=record_id(connection, "user", user_id),
        system=tenant,
        username=email,
        email=email,
        name=name,
        account_kind=account_kind(email, name),
        admin=is_workspace_owner(raw),
        roles=tuple(sorted({role for role, _ in roles if role})),
        mfa=TriState.UNKNOWN,
        sso=TriState.UNKNOWN,
        attributes={"permissions": "; ".join(f"{role} on {where}" if where else role for role, where in roles)},
        evidence=(Evidence(connection, "GET /users", user_id),),
    )


def owner_hints(users: Iterable[Mapping[str, Any]]) -> list[OwnerHint]:
    return [OwnerHint("admin", email=_str(u.get("email")).lower(), name=_str(u.get("name")))
            for u in users if is_workspace_owner(u)]


# -- sources --------------------------------------------------------------------------------------


def source_kind(raw: Mapping[str, Any]) -> str:
    """website | app | server | cloud | other, from the source's catalogue categories."""
    metadata = as_mapping(raw.get("metadata"))
    for category in as_strings(metadata.get("categories")):
        kind = SOURCE_KINDS.get(_str(category).lower())
        if kind:
            return kind
    return "other"


def _looks_like_host(text: str) -> bool:
    return bool(re.fullmatch(r"(?i)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+", text))


def site_host(raw: Mapping[str, Any]) -> str:
    """The site a website source collects from: a URL in its settings, else a source named after a host."""
    settings = as_mapping(raw.get("settings"))
    for key in SITE_SETTINGS:
        value = _str(settings.get(key)).strip()
        if value:
            host = split_url(value if "://" in value else f"https://{value}").hostname or ""
            if host:
                return host.lower()
    for candidate in (_str(raw.get("name")).strip(), _str(raw.get("slug")).strip()):
        if _looks_like_host(candidate):
            return candidate.lower()
    return ""


def _source_name(raw: Mapping[str, Any]) -> str:
    return _str(raw.get("name")) or _str(raw.get("slug")) or _str(raw.get("id"))


def source(connection: str, tenant: str, raw: Mapping[str, Any], *, tracking_plans: Iterable[str] | None = None
           ) -> Integration:
    """A source as an integration of the workspace. ``tracking_plans``: None when they could not be read."""
    source_id = _str(raw.get("id"))
    metadata = as_mapping(raw.get("metadata"))
    labels = [f"{_str(lab.get('key'))}={_str(lab.get('value'))}" for lab in as_mappings(raw.get("labels"))]
    attributes: dict[str, Any] = {
        "source_id": source_id,
        "slug": _str(raw.get("slug")),
        "source_kind": source_kind(raw),
        "catalog_slug": _str(metadata.get("slug")),
        "write_keys": len(as_strings(raw.get("writeKeys"))),
        "labels": ",".join(labels),
    }
    if tracking_plans is not None:
        attributes["tracking_plans"] = ",".join(sorted(tracking_plans))
    host = site_host(raw) if source_kind(raw) == "website" else ""
    return Integration(
        id=record_id(connection, "source", source_id),
        system=tenant,
        name=_source_name(raw),
        integration_kind="source",
        publisher=_str(metadata.get("name")),
        domains=(host,) if host else (),
        enabled=raw.get("enabled") is not False,
        attributes=attributes,
        evidence=(Evidence(connection, "GET /sources", source_id),),
    )


def write_keys(connection: str, tenant: str, integration: Integration, raw: Mapping[str, Any]) -> list[Credential]:
    """One credential per write key, identified by the source and the key's position: never the key itself."""
    source_id = _str(raw.get("id"))
    keys = [k for k in as_strings(raw.get("writeKeys")) if k]
    return [
        Credential(
            id=record_id(connection, "write_key", f"{source_id}:{n}"),
            system=tenant,
            credential_kind="write_key",
            name=f"{integration.name} write key" + (f" #{n}" if len(keys) > 1 else ""),
            integration=integration.id,
            fingerprint=f"segment:source:{source_id}:write-key:{n}",
            attributes={"source_id": source_id, "source_enabled": integration.enabled},
            evidence=(Evidence(connection, "GET /sources", source_id),),
        )
        for n, _key in enumerate(keys, start=1)
    ]


def site(host: str, evidence: tuple[Evidence, ...]) -> System:
    return System(
        id=external_id(host=host),
        name=host,
        system_kind=SystemKind.EXTERNAL,
        url=f"https://{host}",
        domain=host,
        evidence=evidence,
    )


def tracking_flow(connection: str, tenant: str, integration: Integration, host: str) -> Flow:
    """Website events from the site into the workspace."""
    source_id = _str(integration.attributes.get("source_id")) or integration.id
    return Flow(
        id=record_id(connection, "tracking", source_id),
        source=external_id(host=host),
        target=tenant,
        flow_kind="tracking",
        data=(DataCategory.BEHAVIORAL,),
        scheme="https",
        integration=integration.id,
        name=f"{host} → Segment",
        active=integration.enabled,
        attributes={"source_id": source_id,
                    "tracking_plans": integration.attributes.get("tracking_plans")},
        evidence=integration.evidence,
    )


# -- destinations and warehouses ------------------------------------------------------------------


def product_system(name: str, website: str, evidence: tuple[Evidence, ...]) -> System:
    product, vendor = product_of(name)
    host = (split_url(website).hostname or "") if website else ""
    return System(
        id=external_id(name=product),
        name=product,
        vendor=vendor,
        system_kind=SystemKind.EXTERNAL,
        domain=host.lower(),
        evidence=evidence,
    )


def _destination_data(metadata: Mapping[str, Any]) -> tuple[DataCategory, ...]:
    methods = as_mapping(metadata.get("supportedMethods"))
    # identify calls carry traits (email, name): personal data goes wherever identify goes.
    if methods.get("identify") is True:
        return (DataCategory.BEHAVIORAL, DataCategory.PII)
    return (DataCategory.BEHAVIORAL,)


def destination(connection: str, tenant: str, raw: Mapping[str, Any], *, source_name: str,
                source_enabled: bool = True) -> tuple[Integration, Flow, System]:
    """A destination: the integration in the workspace, the flow to the product, and the product."""
    destination_id = _str(raw.get("id"))
    metadata = as_mapping(raw.get("metadata"))
    catalog_name = _str(metadata.get("name"))
    product, vendor = product_of(catalog_name)
    enabled = raw.get("enabled") is True
    settings = settings_attributes(as_mapping(raw.get("settings")), as_mappings(metadata.get("options")))
    evidence = (Evidence(connection, f"GET /sources/{_str(raw.get('sourceId'))}/connected-destinations",
                         destination_id),)
    integration = Integration(
        id=record_id(connection, "destination", destination_id),
        system=tenant,
        name=_str(raw.get("name")) or catalog_name,
        integration_kind="destination",
        publisher=catalog_name,
        enabled=enabled,
        attributes={"destination_id": destination_id, "catalog_slug": _str(metadata.get("slug")),
                    "source_id": _str(raw.get("sourceId")), "source_name": source_name, **settings},
        evidence=evidence,
    )
    flow = Flow(
        id=record_id(connection, "destination_flow", destination_id),
        source=tenant,
        target=external_id(name=product),
        flow_kind="destination",
        data=_destination_data(metadata),
        scheme="https",
        integration=integration.id,
        name=f"{source_name} → {catalog_name}",
        active=enabled and source_enabled,
        attributes={"destination_id": destination_id, "source_id": _str(raw.get("sourceId")),
                    "destination_enabled": enabled, "vendor": vendor,
                    "redacted_settings": settings.get("redacted_settings", "")},
        evidence=evidence,
    )
    return integration, flow, product_system(catalog_name, _str(metadata.get("website")), evidence)


def _warehouse_name(raw: Mapping[str, Any]) -> str:
    settings = as_mapping(raw.get("settings"))
    metadata = as_mapping(raw.get("metadata"))
    return _str(settings.get("name")) or _str(raw.get("name")) or _str(metadata.get("name")) or _str(raw.get("id"))


def warehouse(connection: str, tenant: str, raw: Mapping[str, Any]) -> tuple[Integration, System]:
    warehouse_id = _str(raw.get("id"))
    metadata = as_mapping(raw.get("metadata"))
    catalog_name = _str(metadata.get("name"))
    evidence = (Evidence(connection, "GET /warehouses", warehouse_id),)
    integration = Integration(
        id=record_id(connection, "warehouse", warehouse_id),
        system=tenant,
        name=_warehouse_name(raw),
        integration_kind="warehouse",
        publisher=catalog_name,
        enabled=raw.get("enabled") is True,
        attributes={"warehouse_id": warehouse_id, "catalog_slug": _str(metadata.get("slug")),
                    **settings_attributes(as_mapping(raw.get("settings")), as_mappings(metadata.get("options")))},
        evidence=evidence,
    )
    return integration, product_system(catalog_name, "", evidence)


def warehouse_flow(connection: str, tenant: str, warehouse_raw: Mapping[str, Any], source_raw: Mapping[str, Any]
                   ) -> Flow:
    """A source's events loaded into a warehouse."""
    warehouse_id = _str(warehouse_raw.get("id"))
    source_id = _str(source_raw.get("id"))
    catalog_name = _str(as_mapping(warehouse_raw.get("metadata")).get("name"))
    product, vendor = product_of(catalog_name)
    return Flow(
        id=record_id(connection, "warehouse_flow", f"{warehouse_id}:{source_id}"),
        source=tenant,
        target=external_id(name=product),
        flow_kind="destination",
        data=CDP_DATA,
        integration=record_id(connection, "warehouse", warehouse_id),
        name=f"{_source_name(source_raw)} → {_warehouse_name(warehouse_raw)}",
        active=warehouse_raw.get("enabled") is True and source_raw.get("enabled") is not False,
        attributes={"warehouse_id": warehouse_id, "source_id": source_id, "vendor": vendor,
                    "segment_kind": "warehouse"},
        evidence=(Evidence(connection, f"GET /warehouses/{warehouse_id}/connected-sources", source_id),),
    )


def tracking_plan_index(plans: Iterable[tuple[Mapping[str, Any], Iterable[Mapping[str, Any]]]]
                        ) -> dict[str, list[str]]:
    """Source id → names of the tracking plans connected to it."""
    index: dict[str, list[str]] = {}
    for plan, sources in plans:
        name = _str(plan.get("name")) or _str(plan.get("id"))
        for src in sources:
            index.setdefault(_str(src.get("id")), []).append(name)
    return index
