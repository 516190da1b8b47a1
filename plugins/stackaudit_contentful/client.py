"""Contentful Content Management API: the network side only.

Collections come wrapped as ``{"sys": {"type": "Array"}, "total", "skip", "limit", "items", "includes"?}``
and page with ``skip``/``limit`` (at most 100 on the membership endpoints, so that is what we ask for).
Rate limits answer 429 with ``X-Contentful-RateLimit-Reset`` (seconds to wait), which :func:`classify`
turns into a retry.
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from typing import Any

import requests

from stackaudit import ApiError, Retry
from stackaudit.http import ApiSession, RateBudget, default_classify, follow_offset

PAGE_SIZE = 100
RESET_HEADER = "X-Contentful-RateLimit-Reset"


def classify(response: requests.Response) -> Retry | None:
    """429 → wait the seconds ``X-Contentful-RateLimit-Reset`` gives; everything else as usual."""
    if response.status_code == 429:
        reset = response.headers.get(RESET_HEADER, "").strip()
        try:
            after: float | None = max(0.0, float(reset))
        except ValueError:
            after = None
        return Retry(after=after, rate_limited=True, reason="Contentful rate limit")
    return default_classify(response)


def rate_headers(response: requests.Response) -> RateBudget | None:
    """``X-Contentful-RateLimit-Second-Limit/-Remaining`` on every answer, and the reset on a 429."""
    headers = response.headers
    remaining = headers.get("X-Contentful-RateLimit-Second-Remaining", "").strip()
    limit = headers.get("X-Contentful-RateLimit-Second-Limit", "").strip()
    reset = headers.get(RESET_HEADER, "").strip()
    if not remaining.isdigit():
        return None
    return RateBudget(remaining=int(remaining), reset_after=float(reset) if reset.isdigit() else None,
                      limit=int(limit) if limit.isdigit() and int(limit) > 0 else None, window=1.0)


def error_parser(response: requests.Response) -> tuple[str, str]:
    """Contentful errors: ``{"sys": {"type": "Error", "id": "AccessDenied"}, "message": "…"}``."""
    try:
        body: Any = response.json()
    except ValueError:
        return "", ""
    if not isinstance(body, dict):
        return "", ""
    sys = body.get("sys")
    code = sys.get("id") if isinstance(sys, dict) else ""
    return str(code or ""), str(body.get("message") or "")


class ContentfulClient:
    """GETs CMA resources and collections."""

    def __init__(self, session: ApiSession, *, page_size: int = PAGE_SIZE) -> None:
        self.session = session
        self.page_size = page_size

    def get(self, path: str) -> dict[str, Any]:
        body = self.session.get_json(path)
        if not isinstance(body, dict):
            raise ApiError(f"GET {path}: expected a JSON object, got {type(body).__name__}")
        return body

    def collection(self, path: str, *, what: str, includes: MutableMapping[str, list[dict[str, Any]]] | None = None
                   ) -> Iterator[dict[str, Any]]:
        """Every item of a collection, page by page. ``includes`` collects the linked resources the pages
        carry (``includes.AppDefinition`` on app installations)."""

        def fetch(skip: int) -> tuple[list[dict[str, Any]], int]:
            body = self.session.get_json(path, params={"skip": skip, "limit": self.page_size})
            if not isinstance(body, dict) or not isinstance(body.get("items"), list) \
                    or not isinstance(body.get("total"), int):
                raise ApiError(f"{what}: response is not a collection (no 'items'/'total')")
            if includes is not None and isinstance(body.get("includes"), dict):
                for kind, linked in body["includes"].items():
                    if isinstance(linked, list):
                        includes.setdefault(kind, []).extend(x for x in linked if isinstance(x, dict))
            return [item for item in body["items"] if isinstance(item, dict)], body["total"]

        return follow_offset(fetch, what=what, page_size=self.page_size)
