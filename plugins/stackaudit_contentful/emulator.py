"""An emulated Contentful Content Management API: spaces, environments, webhooks, app installations, API
keys, space memberships, roles and users.

Collections are ``{"sys": {"type": "Array"}, "total", "skip", "limit", "items"}`` paged by ``skip``/``limit``;
errors are ``{"sys": {"type": "Error", "id": …}, "message": …, "requestId": …}``; the documented per-second
limit answers 429 with ``X-Contentful-RateLimit-Reset``.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Callable, Mapping
from typing import Any

from stackaudit.emulator import EmulatedVendor, Request, Response, Router, Tenant, TenantSpec, json_response

CONTENT_TYPE = "application/vnd.contentful.management.v1+json"
SECOND_LIMIT = 10
MAX_LIMIT = 1000
MEMBERSHIP_MAX_LIMIT = 100  # the user-management endpoints allow at most 100 per page


def cf_error(error_id: str, message: str, status: int, headers: Mapping[str, str] | None = None,
             **extra: Any) -> Response:
    body = {"sys": {"type": "Error", "id": error_id}, "message": message, **extra,
            "requestId": secrets.token_hex(8)}
    return json_response(body, status, {"Content-Type": CONTENT_TYPE, **(headers or {})})


def _ok(body: Any) -> Response:
    return json_response(body, 200, {"Content-Type": CONTENT_TYPE,
                                     "X-Contentful-RateLimit-Second-Limit": str(SECOND_LIMIT),
                                     "X-Contentful-Request-Id": secrets.token_hex(8)})


class ContentfulEmulator(EmulatedVendor):
    id = "contentful"
    router = Router()
    rate_limit = (SECOND_LIMIT, 1.0)

    def authenticate(self, request: Request, tenant: Tenant) -> Response | None:
        token = request.bearer() or (request.arg("access_token") or "")
        if token and token == tenant.credentials.get("access_token"):
            return None
        return cf_error("AccessTokenInvalid", "The access token you sent could not be found or is invalid.", 401)

    def not_found(self, request: Request, tenant: Tenant) -> Response:
        return cf_error("NotFound", "The resource could not be found.", 404)

    def rate_limited(self, request: Request, tenant: Tenant, retry_after: float) -> Response:
        return cf_error(
            "RateLimitExceeded",
            "You have exceeded the rate limit of the Organization this Space belongs to by making too many API "
            "requests within a short timespan. Please wait a moment before trying the request again.",
            429,
            {"X-Contentful-RateLimit-Reset": str(max(1, math.ceil(retry_after))),
             "X-Contentful-RateLimit-Second-Limit": str(SECOND_LIMIT),
             "X-Contentful-RateLimit-Second-Remaining": "0"},
        )

    def rate_limit_headers(self, remaining: int, limit: int, per_seconds: float) -> dict[str, str]:
        return {"X-Contentful-RateLimit-Second-Limit": str(limit),
                "X-Contentful-RateLimit-Second-Remaining": str(remaining)}

    def demo_tenant(self, scale: int = 1, *, clean: bool = False) -> TenantSpec:
        from stackaudit_contentful.demo import demo_tenant

        return demo_tenant(scale, clean=clean)


router = ContentfulEmulator.router


def _collection(request: Request, items: list[dict[str, Any]], *, max_limit: int = MAX_LIMIT,
                includes: Callable[[list[dict[str, Any]]], dict[str, Any]] | None = None) -> Response:
    skip = request.int_arg("skip", 0)
    limit = request.int_arg("limit", 100)
    if skip < 0 or not 1 <= limit <= max_limit:
        return cf_error("BadRequest", "The query you sent was invalid. Probably a filter or ordering "
                        "specification is not applicable to the type of a field.", 400,
                        details={"errors": [{"name": "limit" if skip >= 0 else "skip",
                                             "details": f"limit must be between 1 and {max_limit}"}]})
    page = items[skip: skip + limit]
    body: dict[str, Any] = {"sys": {"type": "Array"}, "total": len(items), "skip": skip, "limit": limit,
                            "items": page}
    if includes is not None:
        body["includes"] = includes(page)
    return _ok(body)


def _space(request: Request, tenant: Tenant) -> dict[str, Any] | None:
    wanted = request.params.get("space_id")
    return next((s for s in tenant.data["spaces"] if s["space"]["sys"]["id"] == wanted), None)


def _space_route(resource: str, *, max_limit: int = MAX_LIMIT) -> Callable[[Request, Tenant], Response]:
    def handler(request: Request, tenant: Tenant) -> Response:
        space = _space(request, tenant)
        if space is None:
            return cf_error("NotFound", "The resource could not be found.", 404,
                            details={"type": "Space", "id": request.params.get("space_id")})
        if resource in space.get("denied", []):
            return cf_error("AccessDenied", "Forbidden", 403,
                            details={"reasons": f"You are not allowed to read {resource} of this space"})
        return _collection(request, space.get(resource, []), max_limit=max_limit)
    return handler


@router.get("/users/me")
def users_me(request: Request, tenant: Tenant) -> Response:
    return _ok(tenant.data["users"][tenant.data["me"]])


@router.get("/spaces")
def spaces(request: Request, tenant: Tenant) -> Response:
    return _collection(request, [s["space"] for s in tenant.data["spaces"]])


@router.get("/spaces/{space_id}")
def one_space(request: Request, tenant: Tenant) -> Response:
    space = _space(request, tenant)
    if space is None:
        return cf_error("NotFound", "The resource could not be found.", 404,
                        details={"type": "Space", "id": request.params.get("space_id")})
    return _ok(space["space"])


router.add("GET", "/spaces/{space_id}/environments", _space_route("environments"))
router.add("GET", "/spaces/{space_id}/webhook_definitions", _space_route("webhook_definitions"))
router.add("GET", "/spaces/{space_id}/api_keys", _space_route("api_keys"))
router.add("GET", "/spaces/{space_id}/preview_api_keys", _space_route("preview_api_keys"))
router.add("GET", "/spaces/{space_id}/roles", _space_route("roles"))
router.add("GET", "/spaces/{space_id}/space_memberships",
           _space_route("space_memberships", max_limit=MEMBERSHIP_MAX_LIMIT))


@router.get("/spaces/{space_id}/users")
def space_users(request: Request, tenant: Tenant) -> Response:
    space = _space(request, tenant)
    if space is None:
        return cf_error("NotFound", "The resource could not be found.", 404,
                        details={"type": "Space", "id": request.params.get("space_id")})
    if "users" in space.get("denied", []):
        return cf_error("AccessDenied", "Forbidden", 403, details={"reasons": "Only space admins can list users"})
    members = [tenant.data["users"][m["sys"]["user"]["sys"]["id"]] for m in space.get("space_memberships", [])]
    return _collection(request, members, max_limit=MEMBERSHIP_MAX_LIMIT)


@router.get("/spaces/{space_id}/environments/{environment_id}/app_installations")
def app_installations(request: Request, tenant: Tenant) -> Response:
    space = _space(request, tenant)
    environment = request.params["environment_id"]
    if space is None or environment not in {e["sys"]["id"] for e in space.get("environments", [])}:
        return cf_error("NotFound", "The resource could not be found.", 404,
                        details={"type": "Environment", "id": environment})
    if "app_installations" in space.get("denied", []):
        return cf_error("AccessDenied", "Forbidden", 403, details={"reasons": "Not allowed to read apps"})
    definitions = {d["sys"]["id"]: d for d in space.get("app_definitions", [])}

    def includes(page: list[dict[str, Any]]) -> dict[str, Any]:
        used = [definitions[i["sys"]["appDefinition"]["sys"]["id"]] for i in page
                if i["sys"]["appDefinition"]["sys"]["id"] in definitions]
        return {"AppDefinition": used,
                "ResolvedAppDefinition": [{"sys": {"type": "ResolvedAppDefinition", "id": d["sys"]["id"]},
                                           "src": d.get("src", "")} for d in used]}

    return _collection(request, space.get("app_installations", {}).get(environment, []), includes=includes)
