"""Mailchimp Marketing API 3.0: the network side only.

- base URL: ``https://<dc>.api.mailchimp.com/3.0``; the data centre (``dc``) is the API key's suffix
  (``…-us21``) or, for an OAuth access token, what ``https://login.mailchimp.com/oauth2/metadata`` says;
- auth: HTTP Basic with any user name and the API key as password, or ``Authorization: Bearer <token>``;
- collections page with ``count``/``offset`` and announce ``total_items``;
- errors are problem documents (``application/problem+json``: type, title, status, detail, instance).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from stackaudit import ApiError, AuthenticationError, CredentialError, PaginationError, ScanContext
from stackaudit.http import ApiSession, follow_offset

API_ROOT = "/3.0"
DC_PLACEHOLDER = "{dc}"
METADATA_URL = "https://login.mailchimp.com/oauth2/metadata"
MAX_COUNT = 1000  # the documented maximum of ``count`` on every collection
# A data centre is letters then digits ("us21"). Anything else in a key's suffix could point the request,
# and the key with it, at another host.
_DATA_CENTRE = re.compile(r"[a-z]+[0-9]+")


def data_centre_of_key(api_key: str) -> str:
    """``"0123…cdef-us21"`` → ``"us21"``; a :class:`CredentialError` if the suffix is not a data centre."""
    _, dash, suffix = api_key.strip().rpartition("-")
    dc = suffix.lower()
    if not dash or not _DATA_CENTRE.fullmatch(dc):
        raise CredentialError(
            "the Mailchimp API key does not end with a data centre such as '-us21'",
            fix="copy the whole key from Mailchimp (Profile → Extras → API keys), including its '-usNN' suffix",
        )
    return dc


def open_session(ctx: ScanContext) -> tuple[ApiSession, str]:
    """An authenticated session on the account's API root, and the data centre ("" if not known)."""
    api_key = ctx.credentials.get("api_key", "")
    token = ctx.credentials.get("access_token", "")
    base = ctx.base_url
    dc = ""
    if api_key:
        ctx.secret(api_key)
        dc = data_centre_of_key(api_key)
    elif token:
        ctx.secret(token)
        if DC_PLACEHOLDER in base:
            dc = _data_centre_of_token(ctx, token)
    if DC_PLACEHOLDER in base:
        base = base.replace(DC_PLACEHOLDER, dc)
    else:
        dc = _data_centre_of_host(base) or dc
    if not urlsplit(base).path.strip("/"):
        base += API_ROOT  # a bare host (the emulator, or a base_url given without the API root)
    session = ctx.session(base_url=base)
    if api_key:
        session.auth = ("stackaudit", api_key)  # Mailchimp ignores the user name
    else:
        session.headers["Authorization"] = f"Bearer {token}"
    return session, dc


def _data_centre_of_host(base: str) -> str:
    host = urlsplit(base).hostname or ""
    if host.endswith(".api.mailchimp.com"):
        candidate = host.split(".", 1)[0]
        return candidate if _DATA_CENTRE.fullmatch(candidate) else ""
    return ""


def _data_centre_of_token(ctx: ScanContext, token: str) -> str:
    """An OAuth token does not carry its data centre; Mailchimp's OAuth metadata endpoint tells it."""
    session = ctx.session(base_url="")
    metadata = session.get_json(METADATA_URL, headers={"Authorization": f"OAuth {token}"})
    dc = str(metadata.get("dc") or "").lower() if isinstance(metadata, dict) else ""
    if not _DATA_CENTRE.fullmatch(dc):
        raise AuthenticationError(
            "Mailchimp's OAuth metadata did not name a valid data centre for this access token",
            fix="check the access token, or set base_url to https://<dc>.api.mailchimp.com/3.0",
        )
    return dc


class MailchimpClient:
    """Reads the account root and collections, page by page."""

    def __init__(self, session: ApiSession, *, page_size: int = MAX_COUNT) -> None:
        self.session = session
        self.page_size = max(1, min(MAX_COUNT, page_size))

    def root(self) -> dict[str, Any]:
        body = self.session.get_json("/")
        if not isinstance(body, dict) or not body.get("account_id"):
            raise ApiError("GET / did not return the Mailchimp account (no account_id)",
                           fix="check that base_url is https://<dc>.api.mailchimp.com/3.0")
        return body

    def collection(self, path: str, key: str) -> Iterator[dict[str, Any]]:
        """Every item of a ``count``/``offset`` collection such as ``/lists`` (items under ``key``)."""
        what = f"GET {path}"

        def fetch(offset: int) -> tuple[list[dict[str, Any]], int]:
            body = self.session.get_json(path, params={"count": self.page_size, "offset": offset})
            return _items(body, key, what)

        return follow_offset(fetch, what=what, page_size=self.page_size)

    def list_webhooks(self, list_id: str) -> list[dict[str, Any]]:
        """A list's webhooks. The endpoint takes no paging parameters and returns them all."""
        what = f"GET /lists/{list_id}/webhooks"
        items, total = _items(self.session.get_json(f"/lists/{list_id}/webhooks"), "webhooks", what)
        if total > len(items):
            raise PaginationError(f"{what}: {total} webhooks announced but {len(items)} returned")
        return items


def _items(body: Any, key: str, what: str) -> tuple[list[dict[str, Any]], int]:
    if not isinstance(body, dict) or not isinstance(body.get(key), list):
        raise ApiError(f"{what}: response has no '{key}' list")
    total = body.get("total_items")
    if not isinstance(total, int):
        raise ApiError(f"{what}: response has no 'total_items' count")
    return [item for item in body[key] if isinstance(item, dict)], total
