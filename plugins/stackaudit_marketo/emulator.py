"""An emulated Marketo Engage instance with Marketo's own conventions.

- ``/identity/oauth/token`` (GET or POST, parameters in the query string) issues bearer tokens that expire;
- REST and Asset endpoints answer errors as HTTP 200 with ``success: false`` and ``errors[].code`` (600/601/602
  token missing/invalid/expired, 603 access denied, 606 rate limit, 607 daily quota, 610 not found);
- User Management endpoints answer a bare result (no ``success``) and errors with a non-200 status and the same
  ``errors`` array;
- paging as documented: ``nextPageToken`` (campaigns), ``offset``/``maxReturn`` (programs), ``pageOffset``/
  ``pageSize`` (users).

Tenant data: ``users`` (User Management user records), ``programs``, ``campaigns``, ``usage_today``,
``usage_last_7_days`` (stats results), ``scope`` (the API user a token belongs to), ``daily_quota`` and
``denied`` (areas the API user's role may not read: users, programs, campaigns, usage).
"""

from __future__ import annotations

import base64
import secrets
import time
import uuid
import zlib
from typing import Any
from urllib.parse import unquote

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

TOKEN_LIFETIME = 3600
MESSAGES = {
    "600": "Access token not specified",
    "601": "Access token invalid",
    "602": "Access token expired",
    "603": "Access denied",
    "604": "Request timed out",
    "606": "Max rate limit '100' exceeded with in '20' secs",
    "607": "Daily quota reached",
    "608": "API Temporarily Unavailable",
    "610": "Requested resource not found",
    "615": "Concurrent access limit reached",
    "713": "Transient Error",
    "1003": "Invalid value for nextPageToken",
}
USER_MANAGEMENT_STATUS = {"600": 401, "601": 401, "602": 401, "603": 403, "604": 503, "606": 429, "607": 429,
                          "608": 503, "610": 404, "615": 429, "713": 503}
# Marketo's transient answers, for fault injection: rate, concurrency, and the errors its reference says to retry.
TRANSIENT_ERRORS = ("606", "615", "604", "608", "713")


def _request_id() -> str:
    return f"{secrets.token_hex(2)}#{int(time.time() * 1000):x}"


def marketo_error(request: Request, code: str, message: str | None = None) -> Response:
    """An error the way the requested API gives it: 200 + ``success: false`` (REST) or non-200 (users)."""
    text = message or MESSAGES.get(code, "Error")
    if request.path.startswith("/userservice/"):
        return json_response({"errors": [{"code": int(code), "message": text}]}, USER_MANAGEMENT_STATUS.get(code, 400))
    return json_response({"requestId": _request_id(), "success": False, "errors": [{"code": code, "message": text}]})


def envelope(result: list[Any] | None, *, warnings: list[Any] | None = None, **extra: Any) -> Response:
    body: dict[str, Any] = {"requestId": _request_id(), "success": True, "errors": [], "warnings": warnings or []}
    if result is not None:
        body["result"] = result
    body.update(extra)
    return json_response(body)


def _denied(tenant: Tenant, area: str) -> bool:
    return area in tenant.data.get("denied", [])


class MarketoEmulator(EmulatedVendor):
    id = "marketo"
    router = Router()
    # Marketo Integration Best Practices: 100 calls per 20 seconds per instance.
    rate_limit = (100, 20.0)

    def authenticate(self, request: Request, tenant: Tenant) -> Response | None:
        token = request.bearer()
        if not token:
            return marketo_error(request, "600")
        with tenant.lock:
            expires = tenant.state.get("tokens", {}).get(token)
            if expires is not None and expires > time.time():
                tenant.state["calls"] = tenant.state.get("calls", 0) + 1
                over_quota = tenant.state["calls"] > int(tenant.data.get("daily_quota", 50_000))
            else:
                over_quota = False
        if expires is None:
            return marketo_error(request, "601")
        if expires <= time.time():
            return marketo_error(request, "602")
        if over_quota:
            return marketo_error(request, "607")
        return None

    def rate_limited(self, request: Request, tenant: Tenant, retry_after: float) -> Response:
        # Marketo's documented rate-limit answer: HTTP 200, success false, error 606, and no Retry-After; the
        # client waits out the 20-second window itself.
        return json_response({"requestId": _request_id(), "success": False,
                              "errors": [{"code": "606", "message": MESSAGES["606"]}]})

    def not_found(self, request: Request, tenant: Tenant) -> Response:
        return marketo_error(request, "610")

    def fault(self, kind: str, request: Request, tenant: Tenant, response: Response) -> Response | None:
        if kind == "vendor":  # the same request always gets the same code, so a run can be repeated
            key = request.path + "?" + "&".join(f"{k}={v}" for k, v in sorted(request.query.items()))
            return marketo_error(request, TRANSIENT_ERRORS[zlib.crc32(key.encode()) % len(TRANSIENT_ERRORS)])
        if kind == "cursor" and request.path == "/rest/v1/campaigns.json":
            return repeat_cursor(response, ("nextPageToken",), request.arg("nextPageToken") or "")
        return None

    def demo_tenant(self, scale: int = 1, *, clean: bool = False) -> TenantSpec:
        from stackaudit_marketo.demo import demo_tenant

        return demo_tenant(scale, clean=clean)


router = MarketoEmulator.router


def token(request: Request, tenant: Tenant) -> Response:
    if request.arg("grant_type") != "client_credentials":
        return json_response({"error": "invalid_request", "error_description": "Missing or unsupported grant type"},
                             400)
    expected = tenant.credentials
    if request.arg("client_id") != expected.get("client_id") or request.arg("client_secret") != expected.get(
            "client_secret") or not expected.get("client_secret"):
        return json_response({"error": "unauthorized", "error_description": "Bad client credentials"}, 401)
    access_token = f"{uuid.uuid4()}:lon"
    with tenant.lock:
        tenant.state.setdefault("tokens", {})[access_token] = time.time() + TOKEN_LIFETIME
    return json_response({"access_token": access_token, "token_type": "bearer", "expires_in": TOKEN_LIFETIME - 1,
                          "scope": str(tenant.data.get("scope", ""))})


router.add("GET", "/identity/oauth/token", token, auth=False)
router.add("POST", "/identity/oauth/token", token, auth=False)


@router.get("/userservice/management/v1/users/allusers.json")
def all_users(request: Request, tenant: Tenant) -> Response:
    if _denied(tenant, "users"):
        return marketo_error(request, "603")
    offset = max(0, request.int_arg("pageOffset", 0))
    size = max(1, min(200, request.int_arg("pageSize", 20)))
    summaries = [{key: user[key] for key in ("userid", "firstName", "lastName", "emailAddress", "id", "apiOnly")}
                 for user in tenant.data.get("users", [])[offset: offset + size]]
    return json_response(summaries)


@router.get("/userservice/management/v1/users/{userid}/user.json")
def user(request: Request, tenant: Tenant) -> Response:
    if _denied(tenant, "users"):
        return marketo_error(request, "603")
    userid = unquote(request.params["userid"])
    for record in tenant.data.get("users", []):
        if record["userid"].lower() == userid.lower():
            return json_response(record)
    return marketo_error(request, "610", "User not found")


@router.get("/rest/asset/v1/programs.json")
def programs(request: Request, tenant: Tenant) -> Response:
    if _denied(tenant, "programs"):
        return marketo_error(request, "603")
    offset = max(0, request.int_arg("offset", 0))
    size = max(1, min(200, request.int_arg("maxReturn", 20)))
    page = tenant.data.get("programs", [])[offset: offset + size]
    if not page:
        return envelope(None, warnings=["No assets found for the given search criteria."])
    return envelope(page)


def _page_token(offset: int) -> str:
    return base64.b32encode(f"campaigns:{offset}".encode()).decode().rstrip("=")


def _token_offset(token: str) -> int | None:
    try:
        text = base64.b32decode(token + "=" * (-len(token) % 8)).decode()
    except ValueError:
        return None
    kind, _, offset = text.partition(":")
    return int(offset) if kind == "campaigns" and offset.isdigit() else None


@router.get("/rest/v1/campaigns.json")
def campaigns(request: Request, tenant: Tenant) -> Response:
    if _denied(tenant, "campaigns"):
        return marketo_error(request, "603")
    size = max(1, min(300, request.int_arg("batchSize", 300)))
    offset = 0
    given = request.arg("nextPageToken")
    if given:
        decoded = _token_offset(given)
        if decoded is None:
            return marketo_error(request, "1003")
        offset = decoded
    rows = tenant.data.get("campaigns", [])
    page = rows[offset: offset + size]
    if offset + size < len(rows):
        return envelope(page, nextPageToken=_page_token(offset + size))
    return envelope(page)


@router.get("/rest/v1/stats/usage.json")
def usage_today(request: Request, tenant: Tenant) -> Response:
    if _denied(tenant, "usage"):
        return marketo_error(request, "603")
    return envelope(tenant.data.get("usage_today", []))


@router.get("/rest/v1/stats/usage/last7days.json")
def usage_week(request: Request, tenant: Tenant) -> Response:
    if _denied(tenant, "usage"):
        return marketo_error(request, "603")
    return envelope(tenant.data.get("usage_last_7_days", []))
