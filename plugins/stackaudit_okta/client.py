"""Okta Management API: the network side only.

- auth: ``Authorization: SSWS <API token>``, or ``Bearer <access token>`` of an OAuth service app;
- paging: ``Link: <…>; rel="next"`` with an opaque ``after`` cursor; the IAM endpoints page in the body
  (``_links.next.href``). A next link is followed only on the org's own origin, since it receives our token;
- rate limits per endpoint and minute, announced in ``X-Rate-Limit-Limit/-Remaining/-Reset`` (the reset as
  Unix epoch seconds); past them, 429 until the reset.
"""

from __future__ import annotations

import email.utils
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any
from urllib.parse import quote, urlsplit

import requests

from stackaudit import ApiError, Retry, ScanContext
from stackaudit.http import ApiSession, default_classify, follow_cursor, parse_retry_after

PAGE_SIZE = 200  # the documented maximum of limit on /api/v1/apps and /api/v1/users
DEPROVISIONED_FILTER = 'status eq "DEPROVISIONED"'


def authorization(credentials: Mapping[str, str]) -> str:
    if credentials.get("api_token"):
        return f"SSWS {credentials['api_token']}"
    return f"Bearer {credentials['access_token']}"


def classify_okta(response: requests.Response) -> Retry | None:
    """429: wait until ``X-Rate-Limit-Reset``, measured against the response's own Date (Okta's advice, as our
    clock may differ from theirs). Everything else as usual."""
    if response.status_code == 429:
        reset = response.headers.get("X-Rate-Limit-Reset", "")
        if reset.isdigit():
            return Retry(after=max(0.0, int(reset) - _server_now(response)), rate_limited=True,
                         reason="HTTP 429 until X-Rate-Limit-Reset")
        return Retry(after=parse_retry_after(response.headers.get("Retry-After")), rate_limited=True,
                     reason="HTTP 429")
    return default_classify(response)


def _server_now(response: requests.Response) -> float:
    date = response.headers.get("Date")
    if date:
        try:
            return email.utils.parsedate_to_datetime(date).timestamp()
        except (TypeError, ValueError):
            pass
    return time.time()


class SessionPool:
    """One authorised session per thread; all share the connection's rate limiter and statistics."""

    def __init__(self, ctx: ScanContext) -> None:
        self.ctx = ctx
        self._local = threading.local()
        self._all: list[ApiSession] = []
        self._lock = threading.Lock()

    def get(self) -> ApiSession:
        session: ApiSession | None = getattr(self._local, "session", None)
        if session is None:
            session = self.ctx.session()
            session.headers["Authorization"] = authorization(self.ctx.credentials)
            self._local.session = session
            with self._lock:
                self._all.append(session)
        return session

    def close(self) -> None:
        with self._lock:
            for session in self._all:
                session.close()
            self._all.clear()


class OktaClient:
    """The Management API reads the connector makes."""

    def __init__(self, sessions: Callable[[], ApiSession], base_url: str) -> None:
        self.sessions = sessions
        self.origin = _origin(base_url)

    def _checked(self, url: str, what: str) -> str:
        if _origin(url) != self.origin:
            raise ApiError(f"{what}: the next-page link points at {urlsplit(url).hostname!r}, not this org; "
                           "refusing to send the token there")
        return url

    def _pages(self, path: str, params: Mapping[str, Any], what: str) -> Iterator[dict[str, Any]]:
        def fetch(next_url: str | None) -> tuple[list[dict[str, Any]], str | None]:
            session = self.sessions()
            response = session.get(self._checked(next_url, what) if next_url else path,
                                   params=None if next_url else params)
            body = session.json_of(response)
            link = response.links.get("next", {}).get("url")
            return _list(body, what), link or None

        return follow_cursor(fetch, what=what)

    def get_list(self, path: str, what: str) -> list[dict[str, Any]]:
        return _list(self.sessions().get_json(path), what)

    def organization(self) -> dict[str, Any]:
        body = self.sessions().get_json("/.well-known/okta-organization")
        if not isinstance(body, dict):
            raise ApiError("/.well-known/okta-organization: expected a JSON object")
        return body

    def apps(self) -> Iterator[dict[str, Any]]:
        return self._pages("/api/v1/apps", {"limit": PAGE_SIZE}, "applications")

    def users(self) -> Iterator[dict[str, Any]]:
        """Every user: the plain listing leaves out DEPROVISIONED users, so they are asked for separately."""
        yield from self._pages("/api/v1/users", {"limit": PAGE_SIZE}, "users")
        yield from self._pages("/api/v1/users", {"filter": DEPROVISIONED_FILTER, "limit": PAGE_SIZE},
                               "deprovisioned users")

    def factors(self, user_id: str) -> list[dict[str, Any]]:
        return self.get_list(f"/api/v1/users/{quote(user_id)}/factors", "enrolled factors")

    def roles(self, user_id: str) -> list[dict[str, Any]]:
        return self.get_list(f"/api/v1/users/{quote(user_id)}/roles", "role assignments")

    def role_assignees(self) -> Iterator[dict[str, Any]]:
        """Users holding any admin role (``GET /api/v1/iam/assignees/users``; pages through ``_links.next``)."""
        what = "users with role assignments"

        def fetch(next_url: str | None) -> tuple[list[dict[str, Any]], str | None]:
            session = self.sessions()
            if next_url:
                body = session.get_json(self._checked(next_url, what))
            else:
                body = session.get_json("/api/v1/iam/assignees/users", params={"limit": 100})
            if not isinstance(body, dict):
                raise ApiError(f"{what}: expected a JSON object")
            link = ((body.get("_links") or {}).get("next") or {}).get("href")
            return _list(body.get("value", []), what), link or None

        return follow_cursor(fetch, what=what)

    def api_tokens(self) -> Iterator[dict[str, Any]]:
        return self._pages("/api/v1/api-tokens", {}, "API tokens")

    def event_hooks(self) -> list[dict[str, Any]]:
        return self.get_list("/api/v1/eventHooks", "event hooks")


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


def _list(body: Any, what: str) -> list[dict[str, Any]]:
    if not isinstance(body, list) or not all(isinstance(item, dict) for item in body):
        raise ApiError(f"{what}: expected a JSON list of objects, got {type(body).__name__}")
    return body
