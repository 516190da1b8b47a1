"""An emulated Okta org: the Management API reads stackaudit makes, with Okta's paging, errors and rate limits.

- ``SSWS <API token>`` or ``Bearer <access token>``; anything else is 401 ``E0000011``;
- ``Link: <…>; rel="next"`` paging with an ``after`` cursor and ``limit`` (apps, users, API tokens); the IAM
  assignee listing pages in its body (``_links.next``);
- ``GET /api/v1/users`` leaves out DEPROVISIONED users unless a ``filter``/``search`` on status asks for them;
- every answer carries ``X-Rate-Limit-Limit/-Remaining/-Reset``; past ``rate_limit`` a 429 ``E0000047``;
- paths listed in the tenant's ``denied`` answer 403 ``E0000006`` (a token without that permission).
"""

from __future__ import annotations

import math
import re
import secrets
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlencode

from stackaudit.emulator import EmulatedVendor, Request, Response, Router, Tenant, TenantSpec, json_response

MAX_LIMIT = 200
_STATUS_FILTER = re.compile(r'^\s*status\s+eq\s+"(?P<status>[A-Z_]+)"\s*$')

router = Router()


def okta_error(status: int, code: str, summary: str, headers: Mapping[str, str] | None = None) -> Response:
    """Okta's error body."""
    return json_response({"errorCode": code, "errorSummary": summary, "errorLink": code,
                          "errorId": "oae" + secrets.token_urlsafe(16)[:22], "errorCauses": []}, status, headers)


class OktaEmulator(EmulatedVendor):
    id = "okta"
    router = router
    rate_limit = (600, 60.0)  # the common per-minute management limit (developer.okta.com rl-global-mgmt)

    def authenticate(self, request: Request, tenant: Tenant) -> Response | None:
        scheme, _, token = request.header("authorization").partition(" ")
        expected = {"ssws": tenant.credentials.get("api_token"), "bearer": tenant.credentials.get("access_token")}
        if token and token == expected.get(scheme.lower()):
            return None
        return okta_error(401, "E0000011", "Invalid token provided")

    def rate_limited(self, request: Request, tenant: Tenant, retry_after: float) -> Response:
        limit, _ = self.rate_limit or (600, 60.0)
        reset = math.ceil(time.time() + retry_after)
        return okta_error(429, "E0000047", "API call exceeded rate limit due to too many requests.", {
            "X-Rate-Limit-Limit": str(limit), "X-Rate-Limit-Remaining": "0", "X-Rate-Limit-Reset": str(reset)})

    def not_found(self, request: Request, tenant: Tenant) -> Response:
        return okta_error(404, "E0000007", f"Not found: Resource not found: {request.path}")

    def demo_tenant(self, scale: int = 1, *, clean: bool = False) -> TenantSpec:
        from stackaudit_okta.demo import demo_tenant

        return demo_tenant(scale, clean=clean)


def _rate_headers(tenant: Tenant) -> dict[str, str]:
    """Okta's rate-limit headers, from a per-minute counter of this tenant's requests."""
    limit = OktaEmulator.rate_limit[0] if OktaEmulator.rate_limit else 600
    now = time.time()
    with tenant.lock:
        start, used = tenant.state.get("minute", (now, 0))
        if now - start >= 60:
            start, used = now, 0
        used += 1
        tenant.state["minute"] = (start, used)
    return {"X-Rate-Limit-Limit": str(limit), "X-Rate-Limit-Remaining": str(max(0, limit - used)),
            "X-Rate-Limit-Reset": str(math.ceil(start + 60))}


def _guarded(handler: Callable[[Request, Tenant], Response]) -> Callable[[Request, Tenant], Response]:
    """Answer 403 for paths the tenant's token may not read; add the rate-limit headers."""

    def wrapped(request: Request, tenant: Tenant) -> Response:
        if any(request.path == p or request.path.startswith(p + "/") for p in tenant.data.get("denied", [])):
            response = okta_error(403, "E0000006", "You do not have permission to perform the requested action")
        else:
            response = handler(request, tenant)
        response.headers.update(_rate_headers(tenant))
        return response

    return wrapped


def _paged(request: Request, tenant: Tenant, items: list[dict[str, Any]], *, default_limit: int) -> Response:
    """One page and, when more follow, ``Link: <…after=<last id>…>; rel="next"`` (the cursor is opaque to clients)."""
    limit = request.int_arg("limit", default_limit)
    if limit < 0:
        limit = len(items) or 1
    limit = min(limit, MAX_LIMIT)
    after = request.arg("after")
    start = 0
    if after:
        ids = [i["id"] for i in items]
        if after not in ids:
            return okta_error(400, "E0000031", "Invalid search criteria.")
        start = ids.index(after) + 1
    chunk = items[start: start + limit]
    base = f"{tenant.base_url}{request.path}"
    keep = {k: v[0] for k, v in request.query.items() if k not in ("after", "limit")}
    links = [f'<{base}?{urlencode({**keep, "limit": limit})}>; rel="self"']
    if start + limit < len(items):
        links.append(f'<{base}?{urlencode({**keep, "limit": limit, "after": chunk[-1]["id"]})}>; rel="next"')
    return json_response(chunk, headers={"Link": ", ".join(links)})


def _user(tenant: Tenant, user_id: str) -> dict[str, Any] | None:
    if user_id in tenant.data.get("vanished", []):
        return None
    return next((u for u in tenant.data.get("users", []) if u["id"] == user_id), None)


@router.get("/.well-known/okta-organization", auth=False)
def organization(request: Request, tenant: Tenant) -> Response:
    return json_response({"id": tenant.data["org_id"], "pipeline": "idx",
                          "_links": {"organization": {"href": tenant.base_url}}})


@router.get("/api/v1/apps")
@_guarded
def apps(request: Request, tenant: Tenant) -> Response:
    return _paged(request, tenant, tenant.data.get("apps", []), default_limit=-1)


@router.get("/api/v1/users")
@_guarded
def users(request: Request, tenant: Tenant) -> Response:
    everyone = tenant.data.get("users", [])
    expression = request.arg("filter") or request.arg("search")
    if expression:
        match = _STATUS_FILTER.match(expression)
        if not match:
            return okta_error(400, "E0000031", "Invalid search criteria.")
        chosen = [u for u in everyone if u["status"] == match["status"]]
    else:
        chosen = [u for u in everyone if u["status"] != "DEPROVISIONED"]
    return _paged(request, tenant, chosen, default_limit=200)


@router.get("/api/v1/users/{userId}/factors")
@_guarded
def factors(request: Request, tenant: Tenant) -> Response:
    user = _user(tenant, request.params["userId"])
    if user is None:
        return okta_error(404, "E0000007", f"Not found: Resource not found: {request.params['userId']} (User)")
    return json_response(tenant.data.get("factors", {}).get(user["id"], []))


@router.get("/api/v1/users/{userId}/roles")
@_guarded
def roles(request: Request, tenant: Tenant) -> Response:
    user = _user(tenant, request.params["userId"])
    if user is None:
        return okta_error(404, "E0000007", f"Not found: Resource not found: {request.params['userId']} (User)")
    return json_response(tenant.data.get("roles", {}).get(user["id"], []))


@router.get("/api/v1/iam/assignees/users")
@_guarded
def role_assignees(request: Request, tenant: Tenant) -> Response:
    holders = [uid for uid in tenant.data.get("roles", {}) if tenant.data["roles"][uid]]
    limit = max(1, min(request.int_arg("limit", 100), MAX_LIMIT))
    after = request.arg("after")
    start = holders.index(after) + 1 if after in holders else 0
    chunk = holders[start: start + limit]
    org = tenant.data["org_id"]
    body: dict[str, Any] = {"value": [
        {"id": uid, "orn": f"orn:okta:idp:{org}:users:{uid}",
         "_links": {"self": {"href": f"{tenant.base_url}/api/v1/users/{uid}"},
                    "roles": {"href": f"{tenant.base_url}/api/v1/users/{uid}/roles"}}} for uid in chunk]}
    if start + limit < len(holders):
        body["_links"] = {"next": {"href": f"{tenant.base_url}/api/v1/iam/assignees/users?"
                                           + urlencode({"after": chunk[-1], "limit": limit})}}
    return json_response(body)


@router.get("/api/v1/api-tokens")
@_guarded
def api_tokens(request: Request, tenant: Tenant) -> Response:
    return _paged(request, tenant, tenant.data.get("api_tokens", []), default_limit=20)


@router.get("/api/v1/eventHooks")
@_guarded
def event_hooks(request: Request, tenant: Tenant) -> Response:
    return json_response(tenant.data.get("event_hooks", []))
