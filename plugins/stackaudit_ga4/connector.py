"""The Google Analytics 4 connector: wires the Admin API client (get) to the transforms."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from stackaudit import (
    ApiError,
    AuthenticationError,
    Connector,
    CredentialField,
    CredentialSpec,
    Option,
    RateLimit,
    ReadOnlyRequest,
    ScanContext,
)
from stackaudit_ga4 import transform
from stackaudit_ga4.client import SCOPES, GA4Client, access_token, classify, error_parser

T = TypeVar("T")


class GA4Connector(Connector):
    id = "ga4"
    title = "Google Analytics 4"
    vendor = "ga4"
    category = "analytics"
    description = "Google Analytics 4 accounts through the Admin API (v1beta, v1alpha where needed), read-only."
    collects = (
        "accounts and their properties (account summaries, properties.list)",
        "web data streams (measurement id, site URL) as tracking flows from the site into GA4",
        "measurement-protocol secrets as credentials (never the secret value)",
        "Google Ads, BigQuery (v1alpha) and Firebase links as flows to those products",
        "access bindings on accounts and properties (v1alpha): who has which role; admins",
    )
    permissions = (
        "a service account (JSON key) or an OAuth access token with the scopes "
        + " and ".join(SCOPES),
        "the service account added to the GA4 account with the Viewer role (Editor is not needed)",
        "Admin API enabled in the service account's Google Cloud project",
        "v1alpha areas (BigQuery links, access bindings) that are refused or absent are coverage gaps",
    )
    default_base_url = "https://analyticsadmin.googleapis.com"
    credentials = CredentialSpec(
        fields=(
            CredentialField("service_account", "the service account's JSON key file, as its JSON text"),
            CredentialField("access_token", "a ready OAuth access token (instead of a service account)"),
        ),
        combinations=(("service_account",), ("access_token",)),
        plain="access_token",
    )
    options = {
        "token_url": Option("OAuth token endpoint for the service account (a path is relative to base_url); "
                            "default: the key file's token_uri", default=""),
    }
    # developers.google.com/analytics/devguides/config/admin/v1/quotas: 600 requests per minute per user
    # (1,200 per project), refilled every minute; an overrun is a 403 with reason rateLimitExceeded.
    rate_limit = RateLimit(requests=10, per_seconds=1.0)
    read_only_requests = (ReadOnlyRequest("POST", r"/token$", "OAuth 2.0 JWT bearer token request"),)
    classify = staticmethod(classify)
    error_parser = staticmethod(error_parser)

    def collect(self, ctx: ScanContext) -> None:
        token = access_token(ctx)
        session = ctx.session()
        session.headers["Authorization"] = f"Bearer {token}"
        client = GA4Client(session)
        try:
            summaries = list(client.account_summaries())
        except AuthenticationError as exc:
            raise AuthenticationError(
                f"Google Analytics refused the credentials: {exc.message}", status=exc.status, url=exc.url,
                code=exc.code,
                fix=f"store a valid service account key or access token with 'stackaudit auth set {ctx.connection}'",
            ) from None
        if not summaries:
            ctx.gap("accountSummaries", "these credentials see no Google Analytics account; add the service "
                    "account to the GA4 account as a Viewer")
            return
        for _ in ctx.sweep(functools.partial(_read_account, ctx, client), summaries):
            pass


def _read_account(ctx: ScanContext, client: GA4Client, summary: dict[str, Any]) -> None:
    conn = ctx.connection
    account = str(summary.get("account") or "")
    tenant = transform.tenant_id(conn, account)
    properties, account_bindings = ctx.together(
        lambda: _area(ctx, f"properties of {account}", lambda: list(client.properties(account)), default=None),
        lambda: _area(ctx, f"accessBindings of {account} (v1alpha)", lambda: list(client.access_bindings(account)),
                      default=None),
    )
    if properties is None:
        properties = transform.properties_from_summary(summary)
    property_bindings = []
    for prop, bindings in zip(properties, ctx.sweep(functools.partial(_read_property, ctx, client, tenant),
                                                   properties), strict=True):
        if bindings is not None:
            property_bindings.append((prop, bindings))
    accounts = transform.access_accounts(conn, tenant, account, account_bindings, property_bindings,
                                         organization_domains=ctx.organization_domains)
    ctx.add(transform.account_system(conn, summary, properties, owners=transform.owner_hints(accounts)))
    ctx.add_all(accounts)


def _read_property(ctx: ScanContext, client: GA4Client, tenant: str, prop: dict[str, Any]
                   ) -> list[dict[str, Any]] | None:
    """Streams, secrets and links of one property; its access bindings, or None if they were refused."""
    conn = ctx.connection
    name = str(prop.get("name") or "")
    *_, bindings = ctx.together(
        lambda: _area(ctx, f"dataStreams of {name}", lambda: _read_streams(ctx, client, tenant, prop), default=None),
        lambda: _read_links(ctx, f"googleAdsLinks of {name}", lambda: client.google_ads_links(name),
                            lambda raw: transform.google_ads_link(conn, tenant, prop, raw)),
        lambda: _read_links(ctx, f"bigQueryLinks of {name} (v1alpha)", lambda: client.bigquery_links(name),
                            lambda raw: transform.bigquery_link(conn, tenant, prop, raw)),
        lambda: _read_links(ctx, f"firebaseLinks of {name}", lambda: client.firebase_links(name),
                            lambda raw: transform.firebase_link(conn, tenant, prop, raw)),
        lambda: _area(ctx, f"accessBindings of {name} (v1alpha)", lambda: list(client.access_bindings(name)),
                      default=None),
    )
    result: list[dict[str, Any]] | None = bindings
    return result


def _read_streams(ctx: ScanContext, client: GA4Client, tenant: str, prop: dict[str, Any]) -> None:
    conn = ctx.connection

    def read_stream(stream: dict[str, Any]) -> None:
        pair = transform.data_stream(conn, tenant, prop, stream)
        if pair is not None:
            ctx.add(*pair)
        stream_name = str(stream.get("name") or "")
        _area(ctx, f"measurementProtocolSecrets of {stream_name}",
              functools.partial(_read_secrets, ctx, client, tenant, prop, stream), default=None)

    for _ in ctx.sweep(read_stream, client.data_streams(str(prop.get("name") or ""))):
        pass


def _read_secrets(ctx: ScanContext, client: GA4Client, tenant: str, prop: dict[str, Any],
                  stream: dict[str, Any]) -> None:
    for secret in client.measurement_secrets(str(stream.get("name") or "")):
        ctx.secret(str(secret.get("secretValue") or ""))  # redacted from logs; never put in a record
        ctx.add(transform.measurement_secret(ctx.connection, tenant, prop, stream, secret))


def _read_links(ctx: ScanContext, area: str, listing: Callable[[], Iterable[dict[str, Any]]],
                convert: Callable[[dict[str, Any]], tuple[Any, ...]]) -> None:
    def read() -> None:
        for raw in listing():
            ctx.add(*convert(raw))

    _area(ctx, area, read, default=None)


def _area(ctx: ScanContext, area: str, read: Callable[[], T], *, default: T) -> T:
    """Read one area; a refusal (permission, missing scope, v1alpha absent) is a coverage gap."""
    try:
        return read()
    except AuthenticationError:
        raise
    except ApiError as exc:
        if exc.status == 403:
            ctx.gap(area, f"refused: {exc.message}", exc)
            return default
        if exc.status == 404:
            ctx.gap(area, f"not available (the API version or resource is absent): {exc.message}", exc)
            return default
        raise
