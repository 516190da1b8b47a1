"""Segment Public API: the network side only.

- auth: a Public API token as ``Authorization: Bearer <token>`` (workspace-scoped);
- lists take ``pagination[count]`` (1 to 200) and ``pagination[cursor]`` and answer
  ``{"data": {"<items>": [...], "pagination": {"current", "next", "totalEntries"}}}``; ``next`` is null on
  the last page;
- errors come as ``{"errors": [{"type", "message", "field", "data"}]}``; a 429 carries
  ``X-RateLimit-Reset`` (an RFC 5322 date) and ``errors[0].data.msBeforeNext``.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Iterator
from typing import Any

import requests

from stackaudit import ApiError, Retry
from stackaudit.http import ApiSession, default_classify, follow_cursor, parse_retry_after

MAX_PAGE_SIZE = 200
# Pin the API version instead of taking whatever the default becomes.
ACCEPT = "application/vnd.segment.v1+json, application/json"


def classify(response: requests.Response) -> Retry | None:
    """A 429 waits for Retry-After if sent, else the body's ``msBeforeNext``, else ``X-RateLimit-Reset``."""
    if response.status_code != 429:
        return default_classify(response)
    after = parse_retry_after(response.headers.get("Retry-After"))
    if after is None:
        after = _ms_before_next(response)
    if after is None:
        after = _until(response.headers.get("X-RateLimit-Reset"))
    return Retry(after=after, rate_limited=True, reason="HTTP 429 (Segment rate limit)")


def _ms_before_next(response: requests.Response) -> float | None:
    try:
        body: Any = response.json()
        value = body["errors"][0]["data"]["msBeforeNext"]
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    return max(0.0, float(value) / 1000) if isinstance(value, int | float) else None


def _until(reset: str | None) -> float | None:
    if not reset:
        return None
    try:
        when = email.utils.parsedate_to_datetime(reset)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def error_parser(response: requests.Response) -> tuple[str, str]:
    """(``errors[0].type``, ``errors[0].message``) from Segment's error envelope."""
    try:
        body: Any = response.json()
    except ValueError:
        return "", ""
    errors = body.get("errors") if isinstance(body, dict) else None
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        return str(errors[0].get("type") or ""), str(errors[0].get("message") or "")
    return "", ""


class SegmentClient:
    """Reads one workspace through the Public API; lists are lazy generators over every page."""

    def __init__(self, session: ApiSession, *, page_size: int = MAX_PAGE_SIZE) -> None:
        self.session = session
        self.page_size = max(1, min(MAX_PAGE_SIZE, page_size))

    def _data(self, path: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        body = self.session.get_json(path, params=params)
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, dict):
            raise ApiError(f"GET {path}: the answer has no 'data' object")
        return data

    def list(self, path: str, key: str) -> Iterator[dict[str, Any]]:
        """Every item of a paginated list, following ``data.pagination.next``."""

        def fetch(cursor: str | None) -> tuple[list[dict[str, Any]], str | None]:
            params: dict[str, Any] = {"pagination[count]": self.page_size}
            if cursor:
                params["pagination[cursor]"] = cursor
            data = self._data(path, params)
            items = data.get(key)
            if not isinstance(items, list):
                raise ApiError(f"GET {path}: the answer has no '{key}' list")
            pagination = data.get("pagination")
            following = pagination.get("next") if isinstance(pagination, dict) else None
            return items, (str(following) if following else None)

        return follow_cursor(fetch, what=f"Segment {path}")

    def workspace(self) -> dict[str, Any]:
        workspace = self._data("/").get("workspace")
        if not isinstance(workspace, dict) or not workspace.get("id"):
            raise ApiError("GET /: the answer has no workspace")
        return workspace

    def sources(self) -> Iterator[dict[str, Any]]:
        return self.list("/sources", "sources")

    def connected_destinations(self, source_id: str) -> Iterator[dict[str, Any]]:
        return self.list(f"/sources/{source_id}/connected-destinations", "destinations")

    def warehouses(self) -> Iterator[dict[str, Any]]:
        return self.list("/warehouses", "warehouses")

    def warehouse_sources(self, warehouse_id: str) -> Iterator[dict[str, Any]]:
        return self.list(f"/warehouses/{warehouse_id}/connected-sources", "sources")

    def tracking_plans(self) -> Iterator[dict[str, Any]]:
        return self.list("/tracking-plans", "trackingPlans")

    def tracking_plan_sources(self, plan_id: str) -> Iterator[dict[str, Any]]:
        return self.list(f"/tracking-plans/{plan_id}/sources", "sources")

    def users(self) -> Iterator[dict[str, Any]]:
        return self.list("/users", "users")

    def user(self, user_id: str) -> dict[str, Any]:
        user = self._data(f"/users/{user_id}").get("user")
        if not isinstance(user, dict):
            raise ApiError(f"GET /users/{user_id}: the answer has no user")
        return user
