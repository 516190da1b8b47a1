"""Marketo Engage REST APIs: the network side only.

- auth: OAuth 2.0 client credentials at ``/identity/oauth/token``. The Identity API documents GET and POST, both
  with ``grant_type``, ``client_id`` and ``client_secret`` as query parameters; we send the POST (never cached,
  never prefetched) and declare it as the connector's one read-only non-GET request. The access token then
  travels only in ``Authorization: Bearer`` (Marketo is retiring the ``access_token`` query parameter).
- errors: the REST APIs answer HTTP 200 with ``success: false`` and ``errors[].code``; the User Management API
  answers non-200 with the same ``errors`` array and no ``success``. :func:`error_for` maps both to one set of
  typed errors. 601/602 (token invalid or expired) get a new token and one retry; 606/615 (rate, concurrency)
  are retried by the session through the connector's ``classify``; 607 (daily quota) is never retried.
- paging: ``nextPageToken`` (lead database: campaigns), ``offset``/``maxReturn`` (asset API: programs) and
  ``pageOffset``/``pageSize`` (user management). The offset APIs give no total, so a short page ends a listing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote

import requests

from stackaudit import (
    ApiError,
    AuthenticationError,
    NotFoundError,
    PaginationError,
    PermissionDeniedError,
    RateLimitedError,
    ScanContext,
    ServerError,
)
from stackaudit.http import ApiSession, follow_cursor

TOKEN_PATH = "/identity/oauth/token"
USERS_PATH = "/userservice/management/v1/users/allusers.json"
USER_PATH = "/userservice/management/v1/users/{userid}/user.json"
CAMPAIGNS_PATH = "/rest/v1/campaigns.json"
PROGRAMS_PATH = "/rest/asset/v1/programs.json"
USAGE_TODAY_PATH = "/rest/v1/stats/usage.json"
USAGE_WEEK_PATH = "/rest/v1/stats/usage/last7days.json"

# Documented maximum page sizes: user management 200, asset queries 200, lead database 300.
USERS_PAGE = 200
PROGRAMS_PAGE = 200
CAMPAIGNS_BATCH = 300

# Marketo's response-level error codes (REST API "Error Codes" reference).
TOKEN_ERRORS = frozenset({"601", "602"})  # access token invalid / expired: get a new one
MISSING_TOKEN = "600"
ACCESS_DENIED = "603"
RATE_LIMITED = "606"  # more than 100 calls in 20 seconds
DAILY_QUOTA = "607"  # the subscription's daily call quota is used up; resets at midnight US Central time
CONCURRENCY = "615"  # more than 10 calls in flight
NOT_FOUND = frozenset({"610", "702"})  # resource not found / no data for the given search
FEATURE_OFF = "703"
SERVER_ERRORS = frozenset({"604", "608", "611", "713"})


def error_code(body: Any) -> tuple[str, str] | None:
    """(code, message) of a Marketo error body (``errors[]``, codes as strings or integers), or None."""
    if not isinstance(body, dict):
        return None
    errors = body.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        first = errors[0]
        return str(first.get("code", "")), str(first.get("message") or "")
    return None


def error_for(code: str, message: str, *, path: str, status: int | None = None) -> ApiError:
    """The typed error for a Marketo error code (from a 200-with-error body or a non-200 one)."""
    text = f"GET {path}: Marketo error {code}" + (f" {message}" if message else "")
    if code in TOKEN_ERRORS or code == MISSING_TOKEN:
        return AuthenticationError(text, status=status, code=code)
    if code == ACCESS_DENIED:
        return PermissionDeniedError(
            text, status=status, code=code,
            fix="give the API-only user's role the read permission this area needs (see 'stackaudit connectors'), "
                "check Admin > Web Services IP restrictions, or accept the coverage gap")
    if code == DAILY_QUOTA:
        return RateLimitedError(
            f"Marketo's daily API quota is used up ({text}); stackaudit stopped reading instead of retrying",
            status=status, code=code,
            fix="the quota resets at midnight US Central time: scan again after that, or ask the Marketo admin to "
                "raise the subscription's quota (Admin > Web Services shows today's use)")
    if code in (RATE_LIMITED, CONCURRENCY):
        return RateLimitedError(text + " (still refused after every retry)", status=status, code=code)
    if code in NOT_FOUND:
        return NotFoundError(text, status=status, code=code)
    if code in SERVER_ERRORS:
        return ServerError(text, status=status, code=code)
    return ApiError(text, status=status, code=code)


class MarketoClient:
    """Gets a token, then GETs Marketo endpoints, turning every error convention into a typed error."""

    def __init__(self, ctx: ScanContext, session: ApiSession) -> None:
        self.ctx = ctx
        self.session = session
        self.scope = ""  # the API-only user that owns the custom service we authenticate as
        self.quota_used_up: ApiError | None = None  # set by a 607: no further call is sent

    # -- auth --------------------------------------------------------------------------------------

    def authenticate(self) -> None:
        credentials = self.ctx.credentials
        response = self.session.post(TOKEN_PATH, params={
            "grant_type": "client_credentials",
            "client_id": credentials["client_id"],
            "client_secret": credentials["client_secret"],
        })
        if response.status_code in (400, 401):
            detail = _oauth_error(response)
            raise AuthenticationError(
                "Marketo refused the client-credentials token request" + (f": {detail}" if detail else ""),
                status=response.status_code,
                fix="check client_id and client_secret of the LaunchPoint custom service (Admin > Integration > "
                    "LaunchPoint > View Details) and that its API-only user is not locked or expired "
                    "('stackaudit auth set NAME')",
            )
        body = self.session.json_of(response)
        token = str(body.get("access_token") or "") if isinstance(body, dict) else ""
        if not token:
            found = error_code(body)
            raise AuthenticationError("Marketo's token response had no access_token"
                                      + (f" (error {found[0]} {found[1]})" if found else ""))
        self.ctx.secret(token)
        self.session.headers["Authorization"] = f"Bearer {token}"
        self.scope = str(body.get("scope") or "")

    # -- requests ----------------------------------------------------------------------------------

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        """GET a JSON document. A rejected token is replaced once; any other Marketo error is raised typed.

        Once Marketo said the daily quota is used up (607), every later call fails the same way without
        being sent: concurrent reads stop instead of spending requests on certain refusals.
        """
        for attempt in (1, 2):
            if self.quota_used_up is not None:
                raise self.quota_used_up
            response = self.session.get(path, params=params)
            body, found = self._read(response)
            if found is None:
                return body
            code, message = found
            if code in TOKEN_ERRORS and attempt == 1:
                self.ctx.log.info("Marketo error %s on %s: getting a new access token", code, path)
                self.authenticate()
                continue
            error = error_for(code, message, path=path, status=response.status_code)
            if code == DAILY_QUOTA:
                self.quota_used_up = error
            raise error
        raise AssertionError("unreachable")

    def _read(self, response: requests.Response) -> tuple[Any, tuple[str, str] | None]:
        """The body, and Marketo's (code, message) if the answer is an error in either convention."""
        if response.status_code >= 400:
            found = error_code(_json_or_none(response))
            if found and found[0]:
                return None, found
        body = self.session.json_of(response)  # typed error for any other HTTP failure or a non-JSON body
        if isinstance(body, dict) and body.get("success") is False:
            return body, error_code(body) or ("", "success is false but no error was given")
        return body, None

    # -- listings ----------------------------------------------------------------------------------

    def users(self) -> Iterator[dict[str, Any]]:
        """Every user (``allusers.json``): a bare JSON array, paged with ``pageOffset``/``pageSize``."""
        def page(offset: int) -> list[Any]:
            body = self.get(USERS_PATH, {"pageOffset": offset, "pageSize": USERS_PAGE})
            if not isinstance(body, list):
                raise ApiError(f"GET {USERS_PATH}: expected a JSON array of users, got {type(body).__name__}")
            return body

        return _offset_pages(page, page_size=USERS_PAGE, what="Marketo users")

    def user(self, userid: str) -> dict[str, Any]:
        """One user's details: API-only flag, roles and workspaces, last login, lock and expiry."""
        body = self.get(USER_PATH.format(userid=quote(userid, safe="@")))
        if not isinstance(body, dict):
            raise ApiError(f"GET {USER_PATH}: expected a user object, got {type(body).__name__}")
        return body

    def programs(self) -> Iterator[dict[str, Any]]:
        """Every program (asset API), paged with ``offset``/``maxReturn``."""
        def page(offset: int) -> list[Any]:
            return _result(self.get(PROGRAMS_PATH, {"maxReturn": PROGRAMS_PAGE, "offset": offset}), PROGRAMS_PATH)

        return _offset_pages(page, page_size=PROGRAMS_PAGE, what="Marketo programs")

    def campaigns(self) -> Iterator[dict[str, Any]]:
        """Every smart campaign (lead database API), paged with ``nextPageToken``."""
        def fetch(token: str | None) -> tuple[list[Any], str | None]:
            params: dict[str, Any] = {"batchSize": CAMPAIGNS_BATCH}
            if token:
                params["nextPageToken"] = token
            body = self.get(CAMPAIGNS_PATH, params)
            items = _result(body, CAMPAIGNS_PATH)
            next_token = body.get("nextPageToken") if items else None
            return items, str(next_token) if next_token else None

        return follow_cursor(fetch, what="Marketo campaigns")

    def usage_today(self) -> list[dict[str, Any]]:
        return _result(self.get(USAGE_TODAY_PATH), USAGE_TODAY_PATH)

    def usage_last_7_days(self) -> list[dict[str, Any]]:
        return _result(self.get(USAGE_WEEK_PATH), USAGE_WEEK_PATH)


def _offset_pages(page: Callable[[int], list[Any]], *, page_size: int, what: str) -> Iterator[dict[str, Any]]:
    """Offset paging without an announced total: a full page means "ask again", a short one ends the listing."""
    def fetch(cursor: str | None) -> tuple[list[Any], str | None]:
        offset = int(cursor or 0)
        items = page(offset)
        if len(items) > page_size:
            raise PaginationError(f"{what}: page at offset {offset} held {len(items)} items, more than the "
                                  f"{page_size} asked for; listing aborted")
        return items, str(offset + len(items)) if len(items) == page_size else None

    return follow_cursor(fetch, what=what)


def _result(body: Any, path: str) -> list[Any]:
    """The ``result`` array of a successful envelope; absent means empty (Marketo then sends a warning)."""
    if not isinstance(body, dict):
        raise ApiError(f"GET {path}: expected a JSON object with 'result', got {type(body).__name__}")
    result = body.get("result", [])
    if not isinstance(result, list):
        raise ApiError(f"GET {path}: 'result' is not a list")
    return result


def _json_or_none(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _oauth_error(response: requests.Response) -> str:
    body = _json_or_none(response)
    if not isinstance(body, dict):
        return f"HTTP {response.status_code}"
    found = error_code(body)
    if found:
        return f"error {found[0]} {found[1]}".strip()
    return f"{body.get('error', f'HTTP {response.status_code}')} {body.get('error_description', '')}".strip()
