"""The Contentful connector: wires the client (get) to the transforms and hands records to the scan."""

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
from stackaudit_contentful import client as api
from stackaudit_contentful import transform
from stackaudit_contentful.client import ContentfulClient

T = TypeVar("T")

NOTHING: list[dict[str, Any]] = []
# Refusals that mean "not with this token" for one area: AccessDenied (403), a resource or feature this
# space does not have (404).
GAP_STATUSES = frozenset({403, 404})


class ContentfulConnector(Connector):
    id = "contentful"
    title = "Contentful"
    vendor = "contentful"
    category = "cms"
    description = ("Contentful spaces through the Content Management API (api.contentful.com; EU data residency: "
                   "set base_url to https://api.eu.contentful.com).")
    collects = (
        "spaces and their environments",
        "webhooks (URL, topics, active) as outbound flows with their scheme",
        "app installations per environment",
        "Content Delivery and Preview API keys (never the token values)",
        "space memberships with roles and the admin flag, users' 2FA state where Contentful shows it",
    )
    permissions = (
        "a personal access token with the scope content_management_read (read-only)",
        "the token's user should be admin of each space to audit: only admins see memberships with e-mail "
        "addresses, API keys and webhooks",
        "areas the user may not read are reported as coverage gaps",
    )
    default_base_url = "https://api.contentful.com"
    credentials = CredentialSpec(
        fields=(CredentialField("access_token", "a Content Management API personal access token"),),
        combinations=(("access_token",),),
        plain="access_token",
    )
    options = {
        "spaces": Option("space ids to scan; empty means every space the token can read", default=[], type=list),
    }
    # "Every request counts against a per second rate limit": 10 requests/second by default for the CMA.
    # https://www.contentful.com/developers/docs/references/content-management-api/#/introduction/api-rate-limits
    rate_limit = RateLimit(requests=10, per_seconds=1.0)

    # Connector declares these hooks as ClassVar[Callable], which mypy reads as methods taking no argument;
    # overriding with a staticmethod is what the base class expects at runtime.
    classify = staticmethod(api.classify)  # 429 answers carry the wait in X-Contentful-RateLimit-Reset
    error_parser = staticmethod(api.error_parser)
    rate_headers = staticmethod(api.rate_headers)  # X-Contentful-RateLimit-Second-Remaining feeds the limiter

    def collect(self, ctx: ScanContext) -> None:
        session = ctx.session()
        session.headers["Authorization"] = f"Bearer {ctx.credentials['access_token']}"
        client = ContentfulClient(session)
        me = _whoami(client)

        wanted = [str(s) for s in ctx.options["spaces"] or []]
        spaces = list(client.collection("/spaces", what="spaces"))
        found = {transform.sys_id(s) for s in spaces}
        for missing in [s for s in wanted if s not in found]:
            ctx.gap(f"space {missing}", "the token's user has no access to this space (not in GET /spaces)")
        chosen = [raw for raw in spaces if not wanted or transform.sys_id(raw) in wanted]
        for _ in ctx.sweep(lambda raw: _scan_space(ctx, client, raw, me), chosen):
            pass


def _whoami(client: ContentfulClient) -> dict[str, Any]:
    try:
        return client.get("/users/me")
    except AuthenticationError as exc:
        raise AuthenticationError(
            f"Contentful refused the access token ({exc.code or 'HTTP 401'})",
            status=exc.status, url=exc.url, code=exc.code,
            fix="create a personal access token (Settings → CMA tokens) and store it with "
                "'stackaudit auth set NAME'; for an EU data-residency organisation set base_url to "
                "https://api.eu.contentful.com",
        ) from None


def _scan_space(ctx: ScanContext, client: ContentfulClient, raw: dict[str, Any], me: dict[str, Any]) -> None:
    conn = ctx.connection
    space_id = transform.sys_id(raw)
    base = f"/spaces/{space_id}"

    def listing(resource: str) -> Callable[[], list[dict[str, Any]]]:
        return lambda: list(client.collection(f"{base}/{resource}", what=f"{resource} of space {space_id}"))

    no_environments: list[dict[str, Any]] | None = None
    # Every listing of a space at once; the records need the users and roles, so they come after.
    environments, user_list, role_list, memberships, hooks, keys, preview_keys = ctx.together(
        lambda: _area(ctx, space_id, "environments", listing("environments"), default=no_environments),
        *(functools.partial(_area, ctx, space_id, resource, listing(resource), default=NOTHING)
          for resource in ("users", "roles", "space_memberships", "webhook_definitions", "api_keys",
                           "preview_api_keys")),
    )
    tenant = transform.space_tenant_id(conn, space_id)
    ctx.add(transform.space(conn, ctx.base_url, raw, environments))

    users: dict[str, dict[str, Any]] = {transform.sys_id(me): me}
    for user in user_list:
        users[transform.sys_id(user)] = user
    roles = {transform.sys_id(r): str(r.get("name") or transform.sys_id(r)) for r in role_list}

    for membership in memberships:
        ctx.add(transform.membership(conn, tenant, space_id, membership, users, roles))

    for hook in hooks:
        pair = transform.webhook(conn, tenant, space_id, hook, users)
        if pair is not None:
            ctx.add(*pair)

    for found_keys, preview in ((keys, False), (preview_keys, True)):
        for key in found_keys:
            ctx.add(transform.api_key(conn, tenant, space_id, key, preview=preview, users=users))

    def installations(environment: str) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
        includes: dict[str, list[dict[str, Any]]] = {}
        found = _area(ctx, space_id, f"environments/{environment}/app_installations",
                      functools.partial(_installations, client, space_id, environment, includes), default=NOTHING)
        return found, {transform.sys_id(d): d for d in includes.get("AppDefinition", [])}

    names = [transform.sys_id(e) for e in environments] if environments is not None else ["master"]
    for environment, (found, definitions) in zip(names, ctx.sweep(installations, names), strict=True):
        for installation in found:
            ctx.add(transform.app_installation(conn, tenant, space_id, environment, installation, definitions, users))


def _installations(client: ContentfulClient, space_id: str, environment: str,
                   includes: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    path = f"/spaces/{space_id}/environments/{environment}/app_installations"
    return list(client.collection(path, what=f"app installations of {space_id}/{environment}", includes=includes))


def _area(ctx: ScanContext, space_id: str, area: str, read: Callable[[], T], *, default: T) -> T:
    """Read one area of a space; if Contentful refuses it, record a coverage gap and go on."""
    try:
        return read()
    except ApiError as exc:
        if exc.status in GAP_STATUSES:
            ctx.gap(f"{area} (space {space_id})", f"not readable with this token: {exc.message} "
                    "(space admin rights are needed)", exc)
            return default
        raise
