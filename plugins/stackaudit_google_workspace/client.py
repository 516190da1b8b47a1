"""Google Workspace Admin SDK Directory API: the network side only.

- auth: a service account with domain-wide delegation signs a JWT impersonating an admin
  (:func:`stackaudit.oauth.jwt_bearer_token`), or a ready OAuth access token;
- ``GET /admin/directory/v1/users?customer=…&maxResults=500&pageToken=…``, following ``nextPageToken``;
- per user, one call each: ``GET …/users/{userKey}/tokens`` (third-party OAuth grants) and
  ``GET …/users/{userKey}/asps`` (app-specific passwords); neither is paged.

Google's conventions: errors are ``{"error": {"code", "message", "errors": [{"reason", "domain", …}],
"status"}}``; the Directory API answers an exceeded quota with 403 and a reason, not 429.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any
from urllib.parse import quote, urljoin

import requests

from stackaudit import ApiError, CredentialError, Retry, ScanContext
from stackaudit.http import ApiSession, RetryPolicy, default_classify, follow_cursor, parse_retry_after
from stackaudit.oauth import jwt_bearer_token

SCOPES = (
    "https://www.googleapis.com/auth/admin.directory.user.readonly",
    "https://www.googleapis.com/auth/admin.directory.user.security",
)
USERS_PATH = "/admin/directory/v1/users"
PAGE_SIZE = 500  # the documented maximum of maxResults
# Google access tokens live an hour; mint a new one well before, so a long sweep never meets a 401.
TOKEN_REFRESH_AFTER = 50 * 60.0

# 403 reasons that mean "slow down", per https://developers.google.com/workspace/admin/directory/v1/limits
RATE_LIMIT_REASONS = frozenset({"userRateLimitExceeded", "rateLimitExceeded", "quotaExceeded"})
# Google's advice for quota answers: exponential backoff up to 32-64 s. Seven retries wait about a minute in
# all, enough for a per-minute quota that something else (another tool on the same project) used up.
QUOTA_BACKOFF = RetryPolicy(attempts=8, backoff=1.0, max_wait=32.0)
# 403 reason for a token that lacks the scope an endpoint needs: the whole area is unreadable.
MISSING_SCOPE_REASONS = frozenset({"insufficientPermissions"})


def error_reason(response: requests.Response) -> tuple[str, str]:
    """(reason, message) from a Google error body, or from an OAuth token endpoint's error body."""
    try:
        body: Any = response.json()
    except ValueError:
        return "", ""
    if not isinstance(body, dict):
        return "", ""
    error = body.get("error")
    if isinstance(error, dict):
        errors = error.get("errors")
        first = errors[0] if isinstance(errors, list) and errors and isinstance(errors[0], dict) else {}
        reason = first.get("reason") or error.get("status") or error.get("code") or ""
        return str(reason), str(error.get("message") or first.get("message") or "")
    if isinstance(error, str):
        return error, str(body.get("error_description") or "")
    return "", ""


def classify_google(response: requests.Response) -> Retry | None:
    """Retry Google's quota answers (403 with a rate-limit reason, and 429) and the usual 5xx."""
    if response.status_code == 403:
        reason, _ = error_reason(response)
        if reason in RATE_LIMIT_REASONS:
            return Retry(after=parse_retry_after(response.headers.get("Retry-After")), rate_limited=True,
                         reason=f"HTTP 403 {reason}")
        return None
    return default_classify(response)


def resolve_token_url(option: str, base_url: str) -> str:
    """The token endpoint: the ``token_url`` option (a path is taken on the base URL's origin), else ''
    (the key file's ``token_uri``)."""
    if option.startswith("/"):
        return urljoin(base_url + "/", option)
    return option


def service_account_key(text: str) -> dict[str, Any]:
    try:
        key = json.loads(text)
    except ValueError:
        key = None
    if not isinstance(key, dict):
        raise CredentialError("the service_account credential is not a JSON key file",
                              fix="store the whole JSON key file of the service account as the service_account "
                                  "field ('stackaudit auth set NAME')")
    return key


class Authorizer:
    """Hands out a current ``Authorization`` header: a given access token, or one minted (and re-minted
    before it expires) from the service account impersonating the admin. Thread-safe."""

    def __init__(self, ctx: ScanContext, session: ApiSession, *, token_url: str,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.ctx = ctx
        self.session = session
        self.token_url = token_url
        self._clock = clock
        self._lock = threading.Lock()
        self._token = ctx.credentials.get("access_token") or ""
        self._minted_at = 0.0
        self._key = None if self._token else service_account_key(ctx.credentials["service_account"])

    def header(self) -> dict[str, str]:
        with self._lock:
            if self._key is not None and (not self._token or self._clock() - self._minted_at > TOKEN_REFRESH_AFTER):
                self._token = jwt_bearer_token(self.session, self._key, scopes=SCOPES,
                                               subject=self.ctx.credentials["admin_email"], token_url=self.token_url)
                self._minted_at = self._clock()
                self.ctx.secret(self._token)
            return {"Authorization": f"Bearer {self._token}"}


class SessionPool:
    """One session per sweep thread (each with its own connection pool); they share the connection's
    rate limiter and statistics, as every session of a ScanContext does."""

    def __init__(self, ctx: ScanContext) -> None:
        self.ctx = ctx
        self._local = threading.local()
        self._all: list[ApiSession] = []
        self._lock = threading.Lock()

    def get(self) -> ApiSession:
        session: ApiSession | None = getattr(self._local, "session", None)
        if session is None:
            session = self.ctx.session()
            # Google's quota answers want a longer back-off, unless the scan set its own retry policy.
            session.retry = self.ctx.retry or QUOTA_BACKOFF
            self._local.session = session
            with self._lock:
                self._all.append(session)
        return session

    def close(self) -> None:
        with self._lock:
            for session in self._all:
                session.close()
            self._all.clear()


class DirectoryClient:
    """The three Directory API reads the connector needs."""

    def __init__(self, sessions: Callable[[], ApiSession], auth: Authorizer, *, customer: str) -> None:
        self.sessions = sessions
        self.auth = auth
        self.customer = customer

    def _get(self, path: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        body = self.sessions().get_json(path, params=params, headers=self.auth.header())
        if not isinstance(body, dict):
            raise ApiError(f"GET {path.split('?', maxsplit=1)[0]}: expected a JSON object, got {type(body).__name__}")
        return body

    def users(self) -> Iterator[dict[str, Any]]:
        def fetch(page_token: str | None) -> tuple[list[dict[str, Any]], str | None]:
            params: dict[str, Any] = {"customer": self.customer, "maxResults": PAGE_SIZE}
            if page_token:
                params["pageToken"] = page_token
            body = self._get(USERS_PATH, params)
            return _items(body, "users", "Directory users"), body.get("nextPageToken") or None

        return follow_cursor(fetch, what="Directory users")

    def tokens(self, user_key: str) -> list[dict[str, Any]]:
        """The user's third-party OAuth grants (Google returns them all; the call is not paged)."""
        return _items(self._get(f"{USERS_PATH}/{quote(user_key, safe='@')}/tokens"), "items", "OAuth tokens")

    def asps(self, user_key: str) -> list[dict[str, Any]]:
        return _items(self._get(f"{USERS_PATH}/{quote(user_key, safe='@')}/asps"), "items",
                      "app-specific passwords")


def _items(body: Mapping[str, Any], key: str, what: str) -> list[dict[str, Any]]:
    """A list field of a Google list response; Google leaves it out when it would be empty."""
    items = body.get(key, [])
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise ApiError(f"{what}: '{key}' is not a list of objects")
    return items
