"""WordPress REST API objects in, stackaudit inventory records out. Pure: no I/O, no clock."""

from __future__ import annotations

import dataclasses
import html
import re
from collections.abc import Collection, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from stackaudit import (
    Account,
    AccountKind,
    Credential,
    DataCategory,
    Evidence,
    Flow,
    Integration,
    System,
    SystemKind,
    TriState,
    external_id,
    record_id,
)
from stackaudit.redaction import strip_url
from stackaudit.vendor_data import as_strings, split_url


@dataclasses.dataclass(frozen=True)
class MarketingPlugin:
    """A plugin that sends the site's visitors' data to an outside vendor."""

    product: str  # the service the data goes to, as the graph's catalogue knows it
    vendor: str
    category: str
    data: tuple[DataCategory, ...]


# Plugin directory slug (the part of ``plugin`` before the slash) → where its data goes.
MARKETING_PLUGINS: dict[str, MarketingPlugin] = {
    "leadin": MarketingPlugin("HubSpot", "hubspot", "crm", (DataCategory.CONTACT, DataCategory.BEHAVIORAL)),
    "mailchimp-for-wp": MarketingPlugin("Mailchimp", "mailchimp", "email-marketing", (DataCategory.CONTACT,)),
    "mailchimp-for-woocommerce": MarketingPlugin("Mailchimp", "mailchimp", "email-marketing",
                                                 (DataCategory.CONTACT, DataCategory.BEHAVIORAL)),
    "google-site-kit": MarketingPlugin("Google Analytics", "google_analytics", "analytics",
                                       (DataCategory.BEHAVIORAL,)),
    "google-analytics-for-wordpress": MarketingPlugin("Google Analytics", "google_analytics", "analytics",
                                                      (DataCategory.BEHAVIORAL,)),
    "google-analytics-dashboard-for-wp": MarketingPlugin("Google Analytics", "google_analytics", "analytics",
                                                         (DataCategory.BEHAVIORAL,)),
    "duracelltomi-google-tag-manager": MarketingPlugin("Google Tag Manager", "google_tag_manager", "analytics",
                                                       (DataCategory.BEHAVIORAL,)),
    "official-facebook-pixel": MarketingPlugin("Meta Pixel", "meta", "advertising", (DataCategory.BEHAVIORAL,)),
    "pixelyoursite": MarketingPlugin("Meta Pixel", "meta", "advertising", (DataCategory.BEHAVIORAL,)),
    "klaviyo": MarketingPlugin("Klaviyo", "klaviyo", "email-marketing",
                               (DataCategory.CONTACT, DataCategory.BEHAVIORAL)),
}

# Plugins that add a second factor to WordPress logins. WordPress itself has none, and the REST API does
# not say which users enrolled, so an active one makes MFA possible, not known.
TWO_FACTOR_PLUGINS: dict[str, str] = {
    "two-factor": "Two Factor",
    "wp-2fa": "WP 2FA",
    "two-factor-authentication": "Two Factor Authentication",
    "wordfence": "Wordfence Security",
    "wordfence-login-security": "Wordfence Login Security",
    "google-authenticator": "Google Authenticator",
    "miniorange-2-factor-authentication": "miniOrange 2-Factor",
}

ACTIVE_STATUSES = frozenset({"active", "network-active"})
ADMIN_ROLES = frozenset({"administrator"})
# Roles a visitor gets by signing up or buying (WooCommerce): site members, not staff.
MEMBER_ROLES = frozenset({"subscriber", "customer"})
SITE_DATA = (DataCategory.CONTENT, DataCategory.PII)


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def plain_text(value: Any) -> str:
    """Plugin header fields may carry markup (``<a href=…>Author</a>``); keep the words."""
    return html.unescape(re.sub(r"<[^>]+>", "", _str(value))).strip()


def parse_gmt(value: Any) -> datetime | None:
    """WordPress REST dates: ``2024-05-01T12:34:56`` (GMT, no offset) or with an explicit offset."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def slug_of(plugin: Mapping[str, Any]) -> str:
    """``leadin/leadin`` → ``leadin``; a single-file plugin (``hello``) is its own slug."""
    return _str(plugin.get("plugin")).split("/", 1)[0]


def is_active(plugin: Mapping[str, Any]) -> bool:
    return _str(plugin.get("status")) in ACTIVE_STATUSES


def two_factor_plugins(plugins: Iterable[Mapping[str, Any]]) -> list[str]:
    """Names of the active plugins known to add a second login factor."""
    return sorted({TWO_FACTOR_PLUGINS[slug_of(p)] for p in plugins
                   if is_active(p) and slug_of(p) in TWO_FACTOR_PLUGINS})


def site_key(index: Mapping[str, Any], base_url: str) -> tuple[str, str]:
    """(host, host+path) of the site as it names itself (``home``), else of the configured base URL."""
    home = _str(index.get("home")) or _str(index.get("url")) or base_url
    parts = split_url(home)
    host = (parts.hostname or split_url(base_url).hostname or "site").lower()
    netloc = f"{host}:{parts.port}" if parts.port else host
    return host, netloc + parts.path.rstrip("/")


def tenant_id(connection: str, index: Mapping[str, Any], base_url: str) -> str:
    return record_id(connection, "tenant", site_key(index, base_url)[1])


@dataclasses.dataclass(frozen=True)
class PublicUsers:
    """What ``GET /wp/v2/users`` shows to a visitor who is not logged in."""

    readable: bool
    count: int = 0  # how many users the anonymous listing exposes (X-WP-Total)
    ids: frozenset[int] = frozenset()


def site(connection: str, base_url: str, index: Mapping[str, Any], *, pretty: bool,
         public: PublicUsers | None, two_factor: Collection[str], users: int | None) -> System:
    """The site as a tenant System. ``public`` is None when the anonymous check could not run."""
    host, key = site_key(index, base_url)
    home = _str(index.get("home")) or _str(index.get("url")) or base_url
    namespaces = as_strings(index.get("namespaces"))
    authentication = index.get("authentication")
    attributes: dict[str, Any] = {
        "site_url": strip_url(_str(index.get("url")) or home),
        "namespaces": ",".join(namespaces),
        "rest_url_form": "wp-json" if pretty else "rest_route",
        "application_passwords_available": isinstance(authentication, Mapping)
        and "application-passwords" in authentication,
        "timezone": _str(index.get("timezone_string")),
        "public_user_list": None if public is None else public.readable,
        "public_user_count": None if public is None else public.count,
        "two_factor_plugin": ", ".join(two_factor),
        "users": users,
    }
    return System(
        id=record_id(connection, "tenant", key),
        name=_str(index.get("name")) or host,
        vendor="wordpress",
        system_kind=SystemKind.TENANT,
        category="cms",
        url=strip_url(home),
        domain=host,
        data=SITE_DATA,
        attributes=attributes,
        evidence=(Evidence(connection, "GET /wp-json/", key),),
    )


def account_kind(roles: Collection[str]) -> AccountKind:
    if roles and set(roles) <= MEMBER_ROLES:
        return AccountKind.GUEST
    return AccountKind.HUMAN


def user(connection: str, tenant: str, raw: Mapping[str, Any], *, public_ids: Collection[int] = (),
         two_factor: Collection[str] = ()) -> Account:
    """One user from ``/wp/v2/users?context=edit``. WordPress records no logins and no MFA enrolment."""
    user_id = raw.get("id")
    roles = tuple(as_strings(raw.get("roles")))
    capabilities = raw.get("capabilities")
    network_admin = isinstance(capabilities, Mapping) and capabilities.get("manage_network") is True
    admin = bool(set(roles) & ADMIN_ROLES) or network_admin
    return Account(
        id=record_id(connection, "user", str(user_id)),
        system=tenant,
        username=_str(raw.get("username")),
        email=_str(raw.get("email")).lower(),
        name=_str(raw.get("name")),
        account_kind=account_kind(roles),
        active=True,  # WordPress core has no disabled state: a user who exists can log in
        admin=admin,
        roles=roles,
        mfa=TriState.UNKNOWN,
        sso=TriState.UNKNOWN,
        created_at=parse_gmt(raw.get("registered_date")),
        attributes={
            "slug": _str(raw.get("slug")),
            "publicly_listed": user_id in public_ids,
            "two_factor_plugin": ", ".join(two_factor),
        },
        evidence=(Evidence(connection, "GET /wp/v2/users", str(user_id)),),
    )


def plugin(connection: str, tenant: str, raw: Mapping[str, Any]) -> Integration:
    file = _str(raw.get("plugin"))
    slug = slug_of(raw)
    known = MARKETING_PLUGINS.get(slug)
    plugin_uri = _str(raw.get("plugin_uri"))
    return Integration(
        id=record_id(connection, "plugin", file),
        system=tenant,
        name=plain_text(raw.get("name")) or file,
        integration_kind="plugin",
        publisher=plain_text(raw.get("author")),
        enabled=is_active(raw),
        attributes={
            "plugin": file,
            "slug": slug,
            "status": _str(raw.get("status")),
            "version": _str(raw.get("version")),
            "plugin_uri": strip_url(plugin_uri) if plugin_uri else "",
            "sends_data_to": known.product if known else "",
        },
        evidence=(Evidence(connection, "GET /wp/v2/plugins", file),),
    )


def marketing_flow(connection: str, tenant: str, integration: Integration) -> tuple[Flow, System] | None:
    """An active marketing plugin as a flow from the site to the vendor it reports to."""
    slug = str(integration.attributes.get("slug", ""))
    known = MARKETING_PLUGINS.get(slug)
    if known is None or not integration.enabled:
        return None
    target = external_id(name=known.product)
    flow = Flow(
        id=record_id(connection, "plugin_flow", str(integration.attributes.get("plugin", slug))),
        source=tenant,
        target=target,
        flow_kind="plugin",
        data=known.data,
        integration=integration.id,
        name=f"{integration.name} → {known.product}",
        attributes={"plugin_slug": slug, "plugin_version": str(integration.attributes.get("version", ""))},
        evidence=integration.evidence,
    )
    system = System(
        id=target,
        name=known.product,
        vendor=known.vendor,
        system_kind=SystemKind.EXTERNAL,
        category=known.category,
        evidence=integration.evidence,
    )
    return flow, system


def application_password(connection: str, tenant: str, account: Account, raw: Mapping[str, Any]) -> Credential:
    """One application password, described by WordPress's own metadata; the password itself is never
    returned after creation and never read here."""
    uuid = _str(raw.get("uuid"))
    return Credential(
        id=record_id(connection, "app_password", uuid),
        system=tenant,
        credential_kind="app_password",
        name=_str(raw.get("name")),
        account=account.id,
        created_at=parse_gmt(raw.get("created")),
        last_used_at=parse_gmt(raw.get("last_used")),
        fingerprint=uuid,
        attributes={
            "username": account.username,
            "app_id": _str(raw.get("app_id")),
            "last_ip": _str(raw.get("last_ip")),
            "usage_tracked": True,  # WordPress records each password's last use, so None means never used
        },
        evidence=(Evidence(connection, "GET /wp/v2/users/{id}/application-passwords", uuid),),
    )
