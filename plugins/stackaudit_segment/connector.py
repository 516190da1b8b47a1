"""The Segment connector: wires the Public API client (get) to the transforms and hands records to the scan."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from stackaudit import (
    ApiError,
    AuthenticationError,
    Connector,
    CredentialField,
    CredentialSpec,
    Option,
    RateLimit,
    ScanContext,
)
from stackaudit.vendor_data import as_mapping, as_mappings, as_strings
from stackaudit_segment import transform
from stackaudit_segment.client import ACCEPT, MAX_PAGE_SIZE, SegmentClient, classify, error_parser

# Segment answers 401 both for a bad token and for a token whose role may not read a resource
# (docs.segmentapis.com/tag/Error-Handling). Once the workspace itself was readable, a 401 (or 403, 404
# for a feature the plan lacks) on one area is a coverage gap, not bad credentials.
AREA_REFUSALS = frozenset({401, 403, 404})

T = TypeVar("T")


class SegmentConnector(Connector):
    id = "segment"
    title = "Segment"
    vendor = "segment"
    category = "cdp"
    description = "Segment workspaces through the Public API (read-only): sources, destinations, warehouses, users."
    collects = (
        "workspace (name, slug, region)",
        "sources (website/app/server) and their write keys as credentials (never the key)",
        "destinations per source as flows to the destination's product, with secret settings redacted",
        "website sources as tracking flows from the site into Segment",
        "warehouses and their connected sources as flows",
        "tracking plans and the sources they govern",
        "workspace users and their roles (Workspace Owner = admin); MFA is not reported by the API",
    )
    permissions = (
        "a Public API token (Settings > Workspace settings > Access Management > Tokens)",
        "Business tier: Workspace Member with Source Read-only, Warehouse Read-only and Tracking Plan (Protocols) "
        "Read-only on all resources",
        "Free and Team plans offer only Workspace Owner and Source Admin roles; a token without access to an area "
        "(users and their permissions may need Workspace Owner) leaves a coverage gap, never a clean result",
        "EU workspaces: set base_url = \"https://eu1.api.segmentapis.com\"",
    )
    default_base_url = "https://api.segmentapis.com"
    credentials = CredentialSpec(
        fields=(CredentialField("access_token", "a Segment Public API token"),),
        combinations=(("access_token",),),
        plain="access_token",
    )
    options = {
        "page_size": Option("items per page, 1 to 200 (the pagination count)", default=MAX_PAGE_SIZE, type=int),
    }
    # docs.segmentapis.com/tag/Rate-Limits: limits are per token and IP and announced through
    # X-RateLimit-Consumed/-Remaining/-Reset, with no default figure published; the spec's per-endpoint notes
    # give lower limits only for write and sync endpoints (60, 20 and 2 requests/minute), none of which we
    # call. We pace at 10 requests/second (600/minute) and obey every 429's msBeforeNext / X-RateLimit-Reset.
    rate_limit = RateLimit(requests=10, per_seconds=1.0)
    classify = staticmethod(classify)
    error_parser = staticmethod(error_parser)

    def collect(self, ctx: ScanContext) -> None:
        session = ctx.session()
        session.headers["Authorization"] = f"Bearer {ctx.credentials['access_token']}"
        session.headers["Accept"] = ACCEPT
        client = SegmentClient(session, page_size=int(ctx.options["page_size"]))
        conn = ctx.connection

        try:
            workspace = client.workspace()
        except AuthenticationError as exc:
            raise AuthenticationError(
                f"Segment refused the token: {exc.message}", status=exc.status, url=exc.url, code=exc.code,
                fix="create a Public API token in the workspace's Access Management settings and store it with "
                    f"'stackaudit auth set {conn}'; for an EU workspace set base_url to "
                    "https://eu1.api.segmentapis.com",
            ) from None
        tenant = transform.tenant_id(conn, str(workspace["id"]))

        # Users and tracking plans first (the workspace and every source record need them), then sources and
        # warehouses; each family sweeps its per-item requests a few at a time.
        users, governed = ctx.together(
            lambda: _area(ctx, "users", lambda: list(ctx.sweep(functools.partial(_with_permissions, client),
                                                               client.users())), default=None),
            lambda: _area(ctx, "tracking plans", lambda: list(ctx.sweep(
                lambda plan: (plan, list(client.tracking_plan_sources(str(plan["id"])))), client.tracking_plans())),
                default=None),
        )
        plans = None if governed is None else transform.tracking_plan_index(governed)
        ctx.add(transform.workspace(conn, ctx.base_url, workspace, owners=transform.owner_hints(users or []),
                                    tracking_plans=None if governed is None else len(governed)))
        ctx.add_all(transform.user(conn, tenant, raw) for raw in users or [])

        ctx.together(
            lambda: _area(ctx, "sources", lambda: _each(ctx.sweep(
                lambda raw: _read_source(ctx, client, tenant, raw, plans), client.sources()), lambda _: None),
                default=None),
            lambda: _area(ctx, "warehouses", lambda: _each(ctx.sweep(
                lambda raw: _read_warehouse(ctx, client, tenant, raw), client.warehouses()), lambda _: None),
                default=None),
        )


def _with_permissions(client: SegmentClient, raw: dict[str, Any]) -> dict[str, Any]:
    """The list may leave out a user's permissions; the user's own record has them."""
    if "permissions" in raw:
        return raw
    return client.user(str(raw["id"]))


def _read_source(ctx: ScanContext, client: SegmentClient, tenant: str, raw: dict[str, Any],
                 plans: dict[str, list[str]] | None) -> None:
    conn = ctx.connection
    ctx.secret(*as_strings(raw.get("writeKeys")))
    source_id = str(raw.get("id") or "")
    integration = transform.source(conn, tenant, raw,
                                   tracking_plans=None if plans is None else plans.get(source_id, []))
    ctx.add(integration)
    ctx.add_all(transform.write_keys(conn, tenant, integration, raw))
    host = integration.domains[0] if integration.domains else ""
    if host:
        ctx.add(transform.site(host, integration.evidence), transform.tracking_flow(conn, tenant, integration, host))

    def read_destination(dest: dict[str, Any]) -> None:
        metadata = as_mapping(dest.get("metadata"))
        ctx.secret(*transform.secret_values(as_mapping(dest.get("settings")), as_mappings(metadata.get("options"))))
        ctx.add(*transform.destination(conn, tenant, dest, source_name=integration.name,
                                       source_enabled=integration.enabled))

    _area(ctx, f"destinations of source {integration.name}",
          lambda: _each(client.connected_destinations(source_id), read_destination), default=None)


def _read_warehouse(ctx: ScanContext, client: SegmentClient, tenant: str, raw: dict[str, Any]) -> None:
    conn = ctx.connection
    metadata = as_mapping(raw.get("metadata"))
    ctx.secret(*transform.secret_values(as_mapping(raw.get("settings")), as_mappings(metadata.get("options"))))
    integration, product = transform.warehouse(conn, tenant, raw)
    ctx.add(integration, product)
    _area(ctx, f"sources of warehouse {integration.name}", lambda: _each(
        client.warehouse_sources(str(raw["id"])),
        lambda src: ctx.add(transform.warehouse_flow(conn, tenant, raw, src))), default=None)


def _each(items: Any, action: Callable[[Any], None]) -> None:
    for item in items:
        action(item)


def _area(ctx: ScanContext, area: str, read: Callable[[], T], *, default: T) -> T:
    """Read one area; if the token's role may not read it, record a coverage gap and go on."""
    try:
        return read()
    except ApiError as exc:
        if exc.status in AREA_REFUSALS:
            ctx.gap(area, f"not readable with this token: {exc.message}", exc)
            return default
        raise
