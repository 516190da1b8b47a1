"""The WordPress REST API: the network side only.

A site describes itself at ``GET /wp-json/``. Sites without pretty permalinks do not serve ``/wp-json/``;
the same API then answers at ``/?rest_route=/…``, so the client finds out which form works once and uses
it for every route. Collections page with ``page``/``per_page`` (at most 100) and announce their size in
``X-WP-Total`` and ``X-WP-TotalPages``; a few (plugins, application passwords) are not paged at all.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import requests

from stackaudit import ApiError, PaginationError
from stackaudit.http import ApiSession, decoded_json, follow_cursor

PRETTY_PREFIX = "wp-json"
MAX_PER_PAGE = 100  # WP_REST_Controller::get_collection_params(): per_page maximum
PROBE_ACCEPT = "application/json, text/html;q=0.1"


class WordPressClient:
    """GETs REST routes (``/wp/v2/users``) of one site, in whichever URL form the site serves."""

    def __init__(self, session: ApiSession, *, pretty: bool = True, per_page: int = MAX_PER_PAGE) -> None:
        self.session = session
        self.pretty = pretty
        self.per_page = max(1, min(MAX_PER_PAGE, per_page))

    def request(self, route: str, params: Mapping[str, Any] | None = None) -> requests.Response:
        """The raw response for a route, for callers that decide by status (the public user list)."""
        query = dict(params or {})
        if self.pretty:
            return self.session.get(f"{PRETTY_PREFIX}/{route.lstrip('/')}", params=query or None)
        return self.session.get("", params={"rest_route": "/" + route.lstrip("/"), **query})

    def get(self, route: str, params: Mapping[str, Any] | None = None) -> Any:
        return self.session.json_of(self.request(route, params))

    def listing(self, route: str, params: Mapping[str, Any] | None = None, *, what: str) -> list[dict[str, Any]]:
        """An unpaged collection (plugins, application passwords): a JSON list of objects."""
        body = self.get(route, params)
        if not isinstance(body, list):
            raise ApiError(f"{what}: expected a JSON list, got {type(body).__name__}")
        return [item for item in body if isinstance(item, dict)]

    def paged(self, route: str, params: Mapping[str, Any] | None = None, *, what: str) -> Iterator[dict[str, Any]]:
        """A paged collection, page by page until ``X-WP-TotalPages``; a site that changes its page count
        mid-listing or omits the headers fails loudly instead of returning part of the list."""
        announced: dict[str, int] = {}

        def fetch(cursor: str | None) -> tuple[list[dict[str, Any]], str | None]:
            page = int(cursor or 1)
            response = self.request(route, {**(params or {}), "page": page, "per_page": self.per_page})
            body = self.session.json_of(response)
            if not isinstance(body, list):
                raise ApiError(f"{what}: expected a JSON list, got {type(body).__name__}")
            pages = _header_int(response, "X-WP-TotalPages")
            if pages is None:
                raise PaginationError(f"{what}: the site sent no X-WP-TotalPages header; cannot tell whether "
                                      "the listing is complete",
                                      fix="check that no proxy or security plugin strips WordPress's headers")
            if announced.setdefault("pages", pages) != pages:
                raise PaginationError(f"{what}: the page count changed from {announced['pages']} to {pages} "
                                      "while listing; listing aborted", fix="re-run the scan")
            if not body and page < pages:
                raise PaginationError(f"{what}: page {page} of {pages} was empty")
            return [item for item in body if isinstance(item, dict)], (str(page + 1) if page < pages else None)

        return follow_cursor(fetch, what=what)


def _header_int(response: requests.Response, name: str) -> int | None:
    value = response.headers.get(name, "").strip()
    return int(value) if value.isdigit() else None


def discover(session: ApiSession) -> tuple[dict[str, Any], bool]:
    """The site index and whether ``/wp-json/`` works (True) or only ``?rest_route=`` does (False)."""
    response = session.get(f"{PRETTY_PREFIX}/")
    index = _index_from(response)
    if index is not None:
        return index, True
    if response.status_code in (401, 403) or response.status_code >= 500:
        session.json_of(response)  # raises the typed error: refused credentials, a firewall, a broken site
    # The site's root: an HTML page here is an answer (no WordPress), not a garbled one to retry.
    fallback = session.get("", params={"rest_route": "/"}, headers={"Accept": PROBE_ACCEPT})
    index = _index_from(fallback)
    if index is not None:
        return index, False
    raise ApiError(
        f"no WordPress REST API at this base_url: GET /wp-json/ answered {_described(response)} and "
        f"?rest_route=/ answered {_described(fallback)}",
        status=response.status_code,
        fix="set base_url to the site's address (the URL its /wp-json/ index lives under) and check that no "
            "security plugin disables the REST API",
    )


def _described(response: requests.Response) -> str:
    """"HTTP 200 with an HTML page" and the like: what came back instead of a WordPress index."""
    content_type = response.headers.get("Content-Type", "").split(";")[0].strip() or "no content type"
    if response.status_code != 200:
        return f"HTTP {response.status_code}"
    ok, body = decoded_json(response)
    if not ok:
        return f"HTTP 200 with a body that is not JSON ({content_type})"
    return "HTTP 200 with JSON that is not a REST API index" if not isinstance(body, dict) or \
        not isinstance(body.get("namespaces"), list) else "HTTP 200"


def _index_from(response: requests.Response) -> dict[str, Any] | None:
    if response.status_code != 200 or "json" not in response.headers.get("Content-Type", ""):
        return None
    try:
        body = response.json()
    except ValueError:
        return None
    if isinstance(body, dict) and isinstance(body.get("namespaces"), list):
        return body
    return None
