"""An emulated HubSpot portal: the account, settings, CRM owners and automation v4 endpoints the connector
reads, with HubSpot's paging (``paging.next.after``), error bodies, scope checks and rate-limit answer.

A tenant's ``data`` holds the portal as HubSpot would return it (``account``, ``usage``, ``roles``,
``users``, ``owners``, ``logins``, ``security``, ``flows``) plus ``granted_scopes``: the scopes of the
private app whose token the tenant accepts. An endpoint whose scope is not granted answers 403
``MISSING_SCOPES`` exactly as HubSpot does, so a scan with a narrower token can be tried locally.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlencode

from stackaudit.emulator import (
    EmulatedVendor,
    Request,
    Response,
    Router,
    Tenant,
    TenantSpec,
    json_response,
    repeat_cursor,
)

SCOPES_URL = "https://developers.hubspot.com/scopes"
Handler = Callable[[Request, Tenant], Response]


def error(status: int, category: str, message: str, **extra: Any) -> Response:
    return json_response({"status": "error", "message": message, "correlationId": str(uuid.uuid4()),
                          **extra, "category": category}, status)


def missing_scope(scope: str) -> Response:
    return error(
        403, "MISSING_SCOPES",
        f"This app hasn't been granted all required scopes to make this call. Read more about required scopes "
        f"here: {SCOPES_URL}.",
        errors=[{"message": "One or more of the following scopes are required.",
                 "context": {"requiredGranularScopes": [scope]}}],
        links={"scopes": SCOPES_URL},
    )


def _cursor(offset: int) -> str:
    return base64.b64encode(str(offset).encode()).decode()


def _offset(after: str | None) -> int | None:
    if not after:
        return 0
    try:
        value = base64.b64decode(after.encode(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    return int(value) if value.isdigit() else None


def page(request: Request, tenant: Tenant, items: Sequence[dict[str, Any]], *, default: int,
         maximum: int) -> Response:
    """One page of a HubSpot collection: ``results`` and, when more follow, ``paging.next.after/link``."""
    limit = max(1, min(maximum, request.int_arg("limit", default)))
    offset = _offset(request.arg("after"))
    if offset is None:
        return error(400, "VALIDATION_ERROR", f"Invalid input: 'after' is not a valid paging cursor: "
                                              f"{request.arg('after')}")
    body: dict[str, Any] = {"results": list(items[offset: offset + limit])}
    if offset + limit < len(items):
        after = _cursor(offset + limit)
        query = {k: v[0] for k, v in request.query.items() if k not in ("after", "limit")}
        link = f"{tenant.base_url}{request.path}?{urlencode({**query, 'after': after, 'limit': limit})}"
        body["paging"] = {"next": {"after": after, "link": link}}
    return json_response(body)


class HubSpotEmulator(EmulatedVendor):
    id = "hubspot"
    router = Router()
    # Private apps on Free and Starter: 100 requests per rolling 10 seconds (HubSpot API usage guidelines).
    rate_limit = (100, 10.0)

    def authenticate(self, request: Request, tenant: Tenant) -> Response | None:
        token = request.bearer()
        if token and token == tenant.credentials.get("access_token"):
            return None
        return error(401, "INVALID_AUTHENTICATION",
                     "Authentication credentials not found. This API supports OAuth 2.0 authentication and you "
                     "can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview")

    def not_found(self, request: Request, tenant: Tenant) -> Response:
        return error(404, "OBJECT_NOT_FOUND", "resource not found")

    def rate_limited(self, request: Request, tenant: Tenant, retry_after: float) -> Response:
        limit, per = self.rate_limit
        body = {"status": "error", "message": "You have reached your ten_secondly_rolling limit.",
                "errorType": "RATE_LIMIT", "correlationId": str(uuid.uuid4()),
                "policyName": "TEN_SECONDLY_ROLLING", "requestId": str(uuid.uuid4())}
        usage = tenant.data.get("usage") or [{}]
        daily_limit = int(usage[0].get("usageLimit", 250_000))
        headers = {
            "X-HubSpot-RateLimit-Max": str(limit),
            "X-HubSpot-RateLimit-Remaining": "0",
            "X-HubSpot-RateLimit-Interval-Milliseconds": str(int(per * 1000)),
            "X-HubSpot-RateLimit-Daily": str(daily_limit),
            "X-HubSpot-RateLimit-Daily-Remaining": str(max(1, daily_limit - int(usage[0].get("currentUsage", 0)))),
        }
        return json_response(body, 429, headers)

    def rate_limit_headers(self, remaining: int, limit: int, per_seconds: float) -> dict[str, str]:
        # Sent on every answer to a private app's request (API usage guidelines, "Rate limit headers").
        return {"X-HubSpot-RateLimit-Max": str(limit), "X-HubSpot-RateLimit-Remaining": str(remaining),
                "X-HubSpot-RateLimit-Interval-Milliseconds": str(int(per_seconds * 1000))}

    def fault(self, kind: str, request: Request, tenant: Tenant, response: Response) -> Response | None:
        if kind == "cursor":
            return repeat_cursor(response, ("paging", "next", "after"), request.arg("after") or "")
        return super().fault(kind, request, tenant, response)

    def demo_tenant(self, scale: int = 1, *, clean: bool = False) -> TenantSpec:
        from stackaudit_hubspot.demo import demo_tenant

        return demo_tenant(scale, clean=clean)


router = HubSpotEmulator.router


def scoped(method: str, path: str, scope: str | None) -> Callable[[Handler], Handler]:
    """Register a handler that answers 403 MISSING_SCOPES unless the tenant's token carries ``scope``."""

    def decorator(handler: Handler) -> Handler:
        def guarded(request: Request, tenant: Tenant) -> Response:
            if scope and scope not in tenant.data.get("granted_scopes", ()):
                return missing_scope(scope)
            return handler(request, tenant)

        router.add(method, path, guarded)
        # HubSpot answers a collection with or without a trailing slash; its own Python client sends one.
        router.add(method, path + "/", guarded)
        return handler

    return decorator


@scoped("GET", "/account-info/v3/details", None)
def details(request: Request, tenant: Tenant) -> Response:
    return json_response(tenant.data["account"])


@scoped("GET", "/account-info/v3/api-usage/daily/private-apps", None)
def usage(request: Request, tenant: Tenant) -> Response:
    return json_response({"results": tenant.data.get("usage", [])})


@scoped("GET", "/account-info/v3/activity/login", "account-info.security.read")
def logins(request: Request, tenant: Tenant) -> Response:
    rows = tenant.data.get("logins", [])
    who = request.arg("userId")
    if who:
        rows = [r for r in rows if str(r.get("userId")) == who]
    return page(request, tenant, rows, default=100, maximum=200)


@scoped("GET", "/account-info/v3/activity/security", "account-info.security.read")
def security(request: Request, tenant: Tenant) -> Response:
    rows = tenant.data.get("security", [])
    who = request.arg("userId")
    if who:
        rows = [r for r in rows if str(r.get("userId")) == who]
    return page(request, tenant, rows, default=100, maximum=200)


# Registered before /settings/v3/users/{userId}, so "roles" is not taken for a user id.
@scoped("GET", "/settings/v3/users/roles", "settings.users.read")
def roles(request: Request, tenant: Tenant) -> Response:
    return json_response({"results": tenant.data.get("roles", [])})


@scoped("GET", "/settings/v3/users", "settings.users.read")
def users(request: Request, tenant: Tenant) -> Response:
    return page(request, tenant, tenant.data.get("users", []), default=100, maximum=100)


@scoped("GET", "/settings/v3/users/{userId}", "settings.users.read")
def user(request: Request, tenant: Tenant) -> Response:
    wanted = request.params["userId"]
    by_email = request.arg("idProperty") == "EMAIL"
    for row in tenant.data.get("users", []):
        if (row.get("email") if by_email else row.get("id")) == wanted:
            return json_response(row)
    return error(404, "OBJECT_NOT_FOUND", f"User {wanted} not found")


@scoped("GET", "/crm/v3/owners", "crm.objects.owners.read")
def owners(request: Request, tenant: Tenant) -> Response:
    archived = (request.arg("archived") or "false").lower() == "true"
    rows = [o for o in tenant.data.get("owners", []) if bool(o.get("archived")) == archived]
    email = request.arg("email")
    if email:
        rows = [o for o in rows if o.get("email") == email]
    return page(request, tenant, rows, default=100, maximum=500)


@scoped("GET", "/crm/v3/owners/{ownerId}", "crm.objects.owners.read")
def owner(request: Request, tenant: Tenant) -> Response:
    wanted = request.params["ownerId"]
    archived = (request.arg("archived") or "false").lower() == "true"
    for row in tenant.data.get("owners", []):
        if row.get("id") == wanted and bool(row.get("archived")) == archived:
            return json_response(row)
    return error(404, "OBJECT_NOT_FOUND", f"Owner {wanted} not found")


LISTING_FIELDS = ("id", "createdAt", "flowType", "isEnabled", "objectTypeId", "revisionId", "updatedAt", "name",
                  "uuid")


@scoped("GET", "/automation/v4/flows", "automation")
def flows(request: Request, tenant: Tenant) -> Response:
    listing = [{k: f[k] for k in LISTING_FIELDS if k in f} for f in tenant.data.get("flows", [])]
    return page(request, tenant, listing, default=100, maximum=100)


@scoped("GET", "/automation/v4/flows/{flowId}", "automation")
def flow(request: Request, tenant: Tenant) -> Response:
    wanted = request.params["flowId"]
    for row in tenant.data.get("flows", []):
        if row.get("id") == wanted:
            return json_response(row)
    return error(404, "OBJECT_NOT_FOUND", f"Flow {wanted} not found")
