"""HubSpot's public API, read side: the network only.

- auth: a private app's access token, sent as ``Authorization: Bearer``;
- paging: collection responses are ``{"results": [...], "paging": {"next": {"after": "…", "link": "…"}}}``;
  the ``after`` value goes back as a query parameter until ``paging.next`` is absent;
- vendor conventions (429 with ``X-HubSpot-RateLimit-*`` headers, error bodies with a ``category``) are read
  by :func:`classify` and :func:`error_parser`, which the connector hands to the shared HTTP layer.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import requests

from stackaudit import ApiError, Retry
from stackaudit.http import ApiSession, RateBudget, default_classify, follow_cursor, parse_retry_after
from stackaudit.vendor_data import as_mapping, as_mappings, as_strings

ACCOUNT_DETAILS = "/account-info/v3/details"
PRIVATE_APP_USAGE = "/account-info/v3/api-usage/daily/private-apps"
LOGIN_ACTIVITY = "/account-info/v3/activity/login"
SECURITY_ACTIVITY = "/account-info/v3/activity/security"
USERS = "/settings/v3/users"
ROLES = "/settings/v3/users/roles"
OWNERS = "/crm/v3/owners"
FLOWS = "/automation/v4/flows"

# Largest page each endpoint documents: users and owners 100 (owners allow 500, 100 keeps pages small),
# account activity 200.
USERS_PAGE = 100
OWNERS_PAGE = 100
ACTIVITY_PAGE = 200
FLOWS_PAGE = 100

Item = dict[str, Any]


def classify(response: requests.Response) -> Retry | None:
    """HubSpot's rate-limit answer: 429, a body naming the policy hit, ``X-HubSpot-RateLimit-*`` headers.

    The rolling ten-second limit is retried after ``Retry-After`` when given, else after the window the
    ``X-HubSpot-RateLimit-Interval-Milliseconds`` header names (when ``…-Remaining`` says none are left).
    The daily limit only resets at midnight in the account's time zone: not retried, so the scan reports it.
    """
    if response.status_code != 429:
        return default_classify(response)
    policy = ""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        policy = str(body.get("policyName") or "")
    headers = response.headers
    if policy.upper() == "DAILY" or headers.get("X-HubSpot-RateLimit-Daily-Remaining") == "0":
        return None
    after = parse_retry_after(headers.get("Retry-After"))
    if after is None and headers.get("X-HubSpot-RateLimit-Remaining") == "0":
        interval = headers.get("X-HubSpot-RateLimit-Interval-Milliseconds", "")
        if interval.isdigit():
            after = int(interval) / 1000
    return Retry(after=after, rate_limited=True, reason=f"HTTP 429 {policy or 'rate limit'}".rstrip())


def rate_headers(response: requests.Response) -> RateBudget | None:
    """``X-HubSpot-RateLimit-Max/-Remaining/-Interval-Milliseconds``: the rolling window as HubSpot counts it for
    this app and portal, which the connection's limiter adopts when it is stricter than the documented one."""
    headers = response.headers
    remaining = headers.get("X-HubSpot-RateLimit-Remaining", "").strip()
    maximum = headers.get("X-HubSpot-RateLimit-Max", "").strip()
    interval = headers.get("X-HubSpot-RateLimit-Interval-Milliseconds", "").strip()
    if not remaining.isdigit():
        return None
    window = int(interval) / 1000 if interval.isdigit() and int(interval) > 0 else None
    return RateBudget(remaining=int(remaining), limit=int(maximum) if maximum.isdigit() else None, window=window)


def error_parser(response: requests.Response) -> tuple[str, str]:
    """(category, message) from HubSpot's error body; a missing-scope answer names the scopes it needs."""
    try:
        body: Any = response.json()
    except ValueError:
        return "", ""
    if not isinstance(body, dict):
        return "", ""
    category = str(body.get("category") or body.get("errorType") or "")
    message = str(body.get("message") or "")
    needed: list[str] = []
    for error in as_mappings(body.get("errors")):
        context = as_mapping(error.get("context"))
        for key in ("requiredGranularScopes", "requiredScopes"):
            needed += [s for s in as_strings(context.get(key)) if s not in needed]
    if needed:
        message = f"{message} (needs scope: {', '.join(needed)})".strip()
    return category, message


class HubSpotClient:
    """GETs HubSpot's account, user, owner, activity and workflow endpoints; yields items page by page."""

    def __init__(self, session: ApiSession) -> None:
        self.session = session

    def account_details(self) -> Item:
        body = self.session.get_json(ACCOUNT_DETAILS)
        if not isinstance(body, dict) or "portalId" not in body:
            raise ApiError(f"GET {ACCOUNT_DETAILS}: response has no portalId")
        return body

    def private_app_usage(self) -> list[Item]:
        return _results(self.session.get_json(PRIVATE_APP_USAGE), PRIVATE_APP_USAGE)

    def roles(self) -> list[Item]:
        return _results(self.session.get_json(ROLES), ROLES)

    def users(self) -> Iterator[Item]:
        return self._paged(USERS, USERS_PAGE)

    def owners(self, *, archived: bool) -> Iterator[Item]:
        return self._paged(OWNERS, OWNERS_PAGE, {"archived": "true" if archived else "false"})

    def login_activity(self) -> Iterator[Item]:
        return self._paged(LOGIN_ACTIVITY, ACTIVITY_PAGE)

    def security_activity(self) -> Iterator[Item]:
        return self._paged(SECURITY_ACTIVITY, ACTIVITY_PAGE)

    def flows(self) -> Iterator[Item]:
        return self._paged(FLOWS, FLOWS_PAGE)

    def flow(self, flow_id: str) -> Item:
        path = f"{FLOWS}/{flow_id}"
        body = self.session.get_json(path)
        if not isinstance(body, dict) or not isinstance(body.get("actions"), list):
            raise ApiError(f"GET {path}: response is not a workflow (no 'actions')")
        return body

    def _paged(self, path: str, limit: int, params: Mapping[str, str] | None = None) -> Iterator[Item]:
        what = f"GET {path}"

        def fetch(after: str | None) -> tuple[list[Item], str | None]:
            query = {**(params or {}), "limit": str(limit)}
            if after:
                query["after"] = after
            body = self.session.get_json(path, params=query)
            return _results(body, path), _next_after(body, what)

        return follow_cursor(fetch, what=what)


def _results(body: Any, path: str) -> list[Item]:
    if not isinstance(body, dict) or not isinstance(body.get("results"), list):
        raise ApiError(f"GET {path}: response is not a collection (no 'results' list)")
    return [item for item in body["results"] if isinstance(item, dict)]


def _next_after(body: Mapping[str, Any], what: str) -> str | None:
    paging = body.get("paging")
    following = paging.get("next") if isinstance(paging, dict) else None
    if not following:
        return None
    after = following.get("after") if isinstance(following, dict) else None
    if not isinstance(after, str) or not after:
        raise ApiError(f"{what}: paging.next is present but gives no 'after' cursor")
    return after
