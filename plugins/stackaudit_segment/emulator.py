"""An emulated Segment Public API workspace: bearer-token auth, cursor pagination, rate-limit headers, errors.

Shapes follow the official OpenAPI description (segmentio/public-api-sdk-java ``api/openapi.yaml``): every
answer is ``{"data": {...}}``, lists carry ``data.pagination`` with ``current``/``next``/``totalEntries``, errors
are ``{"errors": [{"type", "message"}]}``. A list without ``pagination[count]`` is refused with 422, as the API
requires it; a 429 carries ``X-RateLimit-*`` headers and ``msBeforeNext`` as documented under Rate Limits.
"""

from __future__ import annotations

import base64
import binascii
import email.utils
import time
from collections.abc import Mapping
from typing import Any

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

CONTENT_TYPE = "application/vnd.segment.v1+json"
WINDOW_SECONDS = 60.0
MAX_COUNT = 200


def _error(status: int, kind: str, message: str, *, headers: Mapping[str, str] | None = None,
           data: Mapping[str, Any] | None = None) -> Response:
    error: dict[str, Any] = {"type": kind, "message": message}
    if data is not None:
        error["data"] = dict(data)
    return json_response({"errors": [error]}, status, headers)


def _window(tenant: Tenant, limit: int) -> dict[str, str]:
    """X-RateLimit-* headers for a success: a fixed one-minute window per tenant."""
    now = time.time()
    with tenant.lock:
        state = tenant.state.setdefault("window", {"start": now, "consumed": 0})
        if now - state["start"] >= WINDOW_SECONDS:
            state.update(start=now, consumed=0)
        state["consumed"] += 1
        consumed, start = state["consumed"], state["start"]
    return {"X-RateLimit-Consumed": str(consumed), "X-RateLimit-Remaining": str(max(0, limit - consumed)),
            "X-RateLimit-Reset": email.utils.formatdate(start + WINDOW_SECONDS, usegmt=True)}


class SegmentEmulator(EmulatedVendor):
    id = "segment"
    router = Router()
    rate_limit = (600, 60.0)

    def authenticate(self, request: Request, tenant: Tenant) -> Response | None:
        token = request.bearer()
        if token and token == tenant.credentials.get("access_token"):
            return None
        return _error(401, "unauthorized", "Unauthorized")

    def not_found(self, request: Request, tenant: Tenant) -> Response:
        return _error(404, "NotFound", "Resource not found")

    def rate_limited(self, request: Request, tenant: Tenant, retry_after: float) -> Response:
        limit = self.rate_limit[0] if self.rate_limit else 0
        headers = {"X-RateLimit-Consumed": str(limit), "X-RateLimit-Remaining": "0",
                   "X-RateLimit-Reset": email.utils.formatdate(time.time() + retry_after, usegmt=True)}
        return _error(429, "RequestError", "Too many requests", headers=headers,
                      data={"remainingPoints": 0, "msBeforeNext": int(retry_after * 1000), "consumedPoints": limit})

    def fault(self, kind: str, request: Request, tenant: Tenant, response: Response) -> Response | None:
        if kind == "cursor":
            return repeat_cursor(response, ("data", "pagination", "next"), request.arg("pagination[cursor]") or "")
        return super().fault(kind, request, tenant, response)

    def demo_tenant(self, scale: int = 1, *, clean: bool = False) -> TenantSpec:
        from stackaudit_segment.demo import demo_tenant

        return demo_tenant(scale, clean=clean)


router = SegmentEmulator.router
LIMIT = SegmentEmulator.rate_limit[0] if SegmentEmulator.rate_limit else 0


def _ok(tenant: Tenant, data: Mapping[str, Any]) -> Response:
    response = json_response({"data": dict(data)}, 200, _window(tenant, LIMIT))
    response.headers["Content-Type"] = CONTENT_TYPE
    return response


def _denied(tenant: Tenant, area: str) -> Response | None:
    """Areas the scenario's token may not read: the API answers 401 for a role without access."""
    if area in tenant.data.get("denied", []):
        return _error(401, "unauthorized", "The provided API token does not have permission to access this resource")
    return None


def _page(request: Request, tenant: Tenant, key: str, items: list[dict[str, Any]]) -> Response:
    count_text = request.arg("pagination[count]")
    if count_text is None:
        return _error(422, "input-validation", "\"pagination.count\" is required", data=None)
    try:
        count = int(float(count_text))
    except ValueError:
        return _error(422, "input-validation", "\"pagination.count\" must be a number")
    if not 1 <= count <= MAX_COUNT:
        return _error(422, "input-validation", f"\"pagination.count\" must be between 1 and {MAX_COUNT}")
    cursor = request.arg("pagination[cursor]")
    offset = 0
    if cursor:
        try:
            offset = int(base64.b64decode(cursor, validate=True).decode())
        except (binascii.Error, ValueError, UnicodeDecodeError):
            return _error(422, "input-validation", "\"pagination.cursor\" is not a valid cursor")
        if not 0 <= offset <= len(items):
            return _error(422, "input-validation", "\"pagination.cursor\" is out of range")
    following = offset + count
    pagination: dict[str, Any] = {
        "current": base64.b64encode(str(offset).encode()).decode(),
        "next": base64.b64encode(str(following).encode()).decode() if following < len(items) else None,
        "totalEntries": len(items),
    }
    if offset:
        pagination["previous"] = base64.b64encode(str(max(0, offset - count)).encode()).decode()
    return _ok(tenant, {key: items[offset:following], "pagination": pagination})


def _sources_by_id(tenant: Tenant) -> dict[str, dict[str, Any]]:
    return {s["id"]: s for s in tenant.data.get("sources", [])}


@router.get("/")
def workspace(request: Request, tenant: Tenant) -> Response:
    return _ok(tenant, {"workspace": tenant.data["workspace"]})


@router.get("/sources")
def sources(request: Request, tenant: Tenant) -> Response:
    return _denied(tenant, "sources") or _page(request, tenant, "sources", tenant.data.get("sources", []))


@router.get("/sources/{source_id}")
def source(request: Request, tenant: Tenant) -> Response:
    found = _sources_by_id(tenant).get(request.params["source_id"])
    if found is None:
        return _error(404, "NotFound", "Resource not found")
    return _denied(tenant, "sources") or _ok(tenant, {"source": found})


@router.get("/sources/{source_id}/connected-destinations")
def connected_destinations(request: Request, tenant: Tenant) -> Response:
    source_id = request.params["source_id"]
    if source_id not in _sources_by_id(tenant):
        return _error(404, "NotFound", "Resource not found")
    items = [d for d in tenant.data.get("destinations", []) if d["sourceId"] == source_id]
    return _denied(tenant, "destinations") or _page(request, tenant, "destinations", items)


@router.get("/sources/{source_id}/connected-warehouses")
def connected_warehouses(request: Request, tenant: Tenant) -> Response:
    source_id = request.params["source_id"]
    if source_id not in _sources_by_id(tenant):
        return _error(404, "NotFound", "Resource not found")
    items = [w for w in tenant.data.get("warehouses", [])
             if source_id in tenant.data.get("warehouse_sources", {}).get(w["id"], [])]
    return _denied(tenant, "warehouses") or _page(request, tenant, "warehouses", items)


@router.get("/destinations")
def destinations(request: Request, tenant: Tenant) -> Response:
    return _denied(tenant, "destinations") or _page(request, tenant, "destinations",
                                                    tenant.data.get("destinations", []))


@router.get("/warehouses")
def warehouses(request: Request, tenant: Tenant) -> Response:
    return _denied(tenant, "warehouses") or _page(request, tenant, "warehouses", tenant.data.get("warehouses", []))


@router.get("/warehouses/{warehouse_id}/connected-sources")
def warehouse_sources(request: Request, tenant: Tenant) -> Response:
    warehouse_id = request.params["warehouse_id"]
    if warehouse_id not in {w["id"] for w in tenant.data.get("warehouses", [])}:
        return _error(404, "NotFound", "Resource not found")
    by_id = _sources_by_id(tenant)
    items = [by_id[s] for s in tenant.data.get("warehouse_sources", {}).get(warehouse_id, []) if s in by_id]
    return _denied(tenant, "warehouses") or _page(request, tenant, "sources", items)


@router.get("/tracking-plans")
def tracking_plans(request: Request, tenant: Tenant) -> Response:
    wanted = request.arg("type")
    items = [p for p in tenant.data.get("tracking_plans", []) if not wanted or p["type"] == wanted]
    return _denied(tenant, "tracking-plans") or _page(request, tenant, "trackingPlans", items)


@router.get("/tracking-plans/{plan_id}/sources")
def tracking_plan_sources(request: Request, tenant: Tenant) -> Response:
    plan_id = request.params["plan_id"]
    if plan_id not in {p["id"] for p in tenant.data.get("tracking_plans", [])}:
        return _error(404, "NotFound", "Resource not found")
    by_id = _sources_by_id(tenant)
    items = [by_id[s] for s in tenant.data.get("tracking_plan_sources", {}).get(plan_id, []) if s in by_id]
    return _denied(tenant, "tracking-plans") or _page(request, tenant, "sources", items)


@router.get("/users")
def users(request: Request, tenant: Tenant) -> Response:
    return _denied(tenant, "users") or _page(request, tenant, "users", tenant.data.get("users", []))


@router.get("/users/{user_id}")
def user(request: Request, tenant: Tenant) -> Response:
    found = next((u for u in tenant.data.get("users", []) if u["id"] == request.params["user_id"]), None)
    if found is None:
        return _error(404, "NotFound", "Resource not found")
    return _denied(tenant, "users") or _ok(tenant, {"user": found})


@router.get("/roles")
def roles(request: Request, tenant: Tenant) -> Response:
    return _denied(tenant, "users") or _page(request, tenant, "roles", tenant.data.get("roles", []))
