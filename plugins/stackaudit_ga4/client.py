"""Google Analytics Admin API (v1beta, v1alpha where needed): the network side only.

- auth: a ready OAuth access token, or a service account's JSON key exchanged for one through the JWT bearer
  grant (RFC 7523) at Google's token endpoint;
- lists take ``pageSize`` and ``pageToken`` and answer ``nextPageToken`` (absent or empty on the last page);
- errors are ``{"error": {"code", "message", "status", "details": [...]}}``, older ones with ``errors[].reason``;
  a per-minute quota overrun is a 403 with reason ``rateLimitExceeded`` (or a 429 ``RESOURCE_EXHAUSTED``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urljoin

import requests

from stackaudit import ApiError, CredentialError, Retry, ScanContext
from stackaudit.http import ApiSession, default_classify, follow_cursor, parse_retry_after
from stackaudit.oauth import jwt_bearer_token
from stackaudit.vendor_data import as_mappings

SCOPES = (
    "https://www.googleapis.com/auth/analytics.readonly",
    # access bindings (who has which role) are only listed with a users scope; this one is read-only
    "https://www.googleapis.com/auth/analytics.manage.users.readonly",
)
RATE_LIMIT_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded", "RATE_LIMIT_EXCEEDED"})
DEFAULT_PAGE_SIZE = 200
MEASUREMENT_SECRETS_PAGE_SIZE = 10  # the documented maximum for measurementProtocolSecrets.list


def _error_body(response: requests.Response) -> dict[str, Any]:
    try:
        body: Any = response.json()
    except ValueError:
        return {}
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else {}


def _reasons(error: Mapping[str, Any]) -> list[str]:
    reasons = [str(d.get("reason")) for d in as_mappings(error.get("details")) if d.get("reason")]
    reasons += [str(e.get("reason")) for e in as_mappings(error.get("errors")) if e.get("reason")]
    return reasons


def _retry_delay(error: Mapping[str, Any]) -> float | None:
    """``google.rpc.RetryInfo.retryDelay`` (``"12s"``), when the error carries one."""
    for detail in as_mappings(error.get("details")):
        if str(detail.get("@type", "")).endswith("google.rpc.RetryInfo"):
            delay = str(detail.get("retryDelay", "")).rstrip("s")
            try:
                return max(0.0, float(delay))
            except ValueError:
                return None
    return None


def classify(response: requests.Response) -> Retry | None:
    """403 ``rateLimitExceeded`` and 429 are quota answers: wait (Retry-After, RetryInfo, else back off)."""
    if response.status_code not in (403, 429):
        return default_classify(response)
    error = _error_body(response)
    if response.status_code == 403 and not RATE_LIMIT_REASONS.intersection(_reasons(error)):
        return None
    after = parse_retry_after(response.headers.get("Retry-After"))
    if after is None:
        after = _retry_delay(error)
    return Retry(after=after, rate_limited=True, reason=f"HTTP {response.status_code} (Google Analytics quota)")


def error_parser(response: requests.Response) -> tuple[str, str]:
    """(the most specific reason, else the status, message) from a Google error body."""
    error = _error_body(response)
    if not error:
        return "", ""
    reasons = _reasons(error)
    code = reasons[0] if reasons else str(error.get("status") or error.get("code") or "")
    return code, str(error.get("message") or "")


def token_url(ctx: ScanContext, key: Mapping[str, Any]) -> str:
    """The token endpoint: the ``token_url`` option (a path is taken relative to base_url), else the key's."""
    configured = str(ctx.options.get("token_url") or "")
    if configured:
        return configured if "://" in configured else urljoin(ctx.base_url + "/", configured.lstrip("/"))
    return str(key.get("token_uri") or "")


def access_token(ctx: ScanContext) -> str:
    """A bearer token for this connection: the given one, or one obtained for the service account."""
    given = ctx.credentials.get("access_token")
    if given:
        return given
    try:
        key = json.loads(ctx.credentials["service_account"])
    except (KeyError, ValueError):
        raise CredentialError("service_account is not the JSON key file of a service account",
                              fix=f"store the key file's whole JSON text with 'stackaudit auth set {ctx.connection}'"
                              ) from None
    if not isinstance(key, dict):
        raise CredentialError("service_account must be a JSON object (the key file)",
                              fix=f"store the key file's whole JSON text with 'stackaudit auth set {ctx.connection}'")
    ctx.secret(str(key.get("private_key") or ""))
    return jwt_bearer_token(ctx.session(), key, scopes=SCOPES, token_url=token_url(ctx, key))


class GA4Client:
    """Lists Admin API resources page by page."""

    def __init__(self, session: ApiSession) -> None:
        self.session = session

    def list(self, path: str, key: str, *, params: Mapping[str, Any] | None = None,
             page_size: int = DEFAULT_PAGE_SIZE) -> Iterator[dict[str, Any]]:
        def fetch(page_token: str | None) -> tuple[list[dict[str, Any]], str | None]:
            query: dict[str, Any] = {**(params or {}), "pageSize": page_size}
            if page_token:
                query["pageToken"] = page_token
            body = self.session.get_json(path, params=query)
            if not isinstance(body, dict):
                raise ApiError(f"GET {path}: the answer is not a JSON object")
            items = body.get(key, [])  # an empty list is left out of Google's JSON
            if not isinstance(items, list):
                raise ApiError(f"GET {path}: '{key}' is not a list")
            return items, (str(body["nextPageToken"]) if body.get("nextPageToken") else None)

        return follow_cursor(fetch, what=f"Google Analytics {path}")

    def account_summaries(self) -> Iterator[dict[str, Any]]:
        return self.list("/v1beta/accountSummaries", "accountSummaries")

    def properties(self, account: str) -> Iterator[dict[str, Any]]:
        return self.list("/v1beta/properties", "properties", params={"filter": f"parent:{account}"})

    def data_streams(self, prop: str) -> Iterator[dict[str, Any]]:
        return self.list(f"/v1beta/{prop}/dataStreams", "dataStreams")

    def measurement_secrets(self, stream: str) -> Iterator[dict[str, Any]]:
        return self.list(f"/v1beta/{stream}/measurementProtocolSecrets", "measurementProtocolSecrets",
                         page_size=MEASUREMENT_SECRETS_PAGE_SIZE)

    def google_ads_links(self, prop: str) -> Iterator[dict[str, Any]]:
        return self.list(f"/v1beta/{prop}/googleAdsLinks", "googleAdsLinks")

    def firebase_links(self, prop: str) -> Iterator[dict[str, Any]]:
        return self.list(f"/v1beta/{prop}/firebaseLinks", "firebaseLinks")

    def bigquery_links(self, prop: str) -> Iterator[dict[str, Any]]:
        return self.list(f"/v1alpha/{prop}/bigQueryLinks", "bigqueryLinks")

    def access_bindings(self, parent: str) -> Iterator[dict[str, Any]]:
        """``parent`` is ``accounts/…`` or ``properties/…`` (v1alpha only)."""
        return self.list(f"/v1alpha/{parent}/accessBindings", "accessBindings")
