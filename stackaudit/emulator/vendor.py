"""Building blocks for a vendor emulation: requests, responses, a router, tenants.

A plugin describes how its vendor's API behaves by subclassing :class:`EmulatedVendor`: a :class:`Router`
of handlers ``(request, tenant) -> Response`` serving the vendor's real paths, an ``authenticate`` method
answering like the vendor does for a bad token, and a ``demo_tenant`` giving its part of the demo stack.
"""

from __future__ import annotations

import abc
import dataclasses
import json
import os
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import parse_qs


@dataclasses.dataclass
class Request:
    method: str
    path: str  # without the query string
    query: Mapping[str, list[str]]
    headers: Mapping[str, str]  # lower-cased names
    body: bytes = b""
    params: Mapping[str, str] = dataclasses.field(default_factory=dict)  # from the route pattern

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default

    def int_arg(self, name: str, default: int) -> int:
        value = self.arg(name)
        try:
            return int(value) if value is not None else default
        except ValueError:
            return default

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")

    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body.decode("utf-8", "replace")).items()}

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def bearer(self) -> str:
        auth = self.header("authorization")
        return auth[7:] if auth.lower().startswith("bearer ") else ""


@dataclasses.dataclass
class Response:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = dataclasses.field(default_factory=dict)


def json_response(data: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    return Response(status, json.dumps(data).encode(), {"Content-Type": "application/json", **(headers or {})})


def rewrite_json(response: Response, change: Callable[[Any], bool]) -> Response | None:
    """A copy of a JSON ``response`` whose decoded body ``change`` edited in place; None if ``change`` returns
    False (nothing to edit) or the body is not JSON. For :meth:`EmulatedVendor.fault` hooks."""
    try:
        body = json.loads(response.body)
    except ValueError:
        return None
    if not change(body):
        return None
    return Response(response.status, json.dumps(body).encode(), dict(response.headers))


def repeat_cursor(response: Response, where: Sequence[str], cursor: str) -> Response | None:
    """``response`` with the next-page cursor found under the keys ``where`` replaced by ``cursor`` (the one the
    request asked for), or None if the page has no next cursor there: the ``cursor`` fault of a
    cursor-paged listing."""

    def change(body: Any) -> bool:
        holder = body
        for key in where[:-1]:
            holder = holder.get(key) if isinstance(holder, dict) else None
        if not isinstance(holder, dict) or not holder.get(where[-1]):
            return False
        holder[where[-1]] = cursor
        return True

    return rewrite_json(response, change) if cursor else None


Handler = Callable[[Request, "Tenant"], Response]

DEMO_NOW_ENV = "STACKAUDIT_DEMO_NOW"


def demo_now() -> datetime:
    """The moment demo data is written relative to ("last login 200 days ago").

    The start of the current UTC hour, so two emulators started moments apart serve the same data; set
    ``STACKAUDIT_DEMO_NOW`` (ISO 8601) to pin it, e.g. for a reproducible report.
    """
    pinned = os.environ.get(DEMO_NOW_ENV)
    if pinned:
        moment = datetime.fromisoformat(pinned)
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return datetime.now(UTC).replace(minute=0, second=0, microsecond=0)


@dataclasses.dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler
    auth: bool


class Router:
    """Maps method + path pattern (``/users/{user_id}``) to handlers."""

    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(self, method: str, path: str, handler: Handler, *, auth: bool = True) -> None:
        # Literal parts are escaped (the "." in "/3.0" is a dot), placeholders match one path segment.
        parts = re.split(r"(\{\w+\})", path)
        regex = "".join(f"(?P<{part[1:-1]}>[^/]+)" if part.startswith("{") else re.escape(part) for part in parts)
        self.routes.append(Route(method.upper(), re.compile(f"^{regex}$"), handler, auth))

    def get(self, path: str, *, auth: bool = True) -> Callable[[Handler], Handler]:
        def decorator(handler: Handler) -> Handler:
            self.add("GET", path, handler, auth=auth)
            return handler
        return decorator

    def post(self, path: str, *, auth: bool = True) -> Callable[[Handler], Handler]:
        def decorator(handler: Handler) -> Handler:
            self.add("POST", path, handler, auth=auth)
            return handler
        return decorator

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | bool | None:
        """The route and its params; ``False`` when the path exists for another method; None if unknown."""
        other_method = False
        for route in self.routes:
            found = route.pattern.match(path)
            if found:
                if route.method == method:
                    return route, found.groupdict()
                other_method = True
        return False if other_method else None


@dataclasses.dataclass
class TenantSpec:
    """A tenant in a scenario: which vendor, its data, the credentials it accepts, and for the demo the
    connection options and sanctioned-registry entries that describe it."""

    name: str
    vendor: str
    data: dict[str, Any]
    credentials: dict[str, str]
    options: dict[str, Any] = dataclasses.field(default_factory=dict)
    registry: list[dict[str, Any]] = dataclasses.field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


class Tenant:
    """A running tenant: its spec, its URL once served, and mutable state (issued tokens, cursors)."""

    def __init__(self, spec: TenantSpec) -> None:
        self.spec = spec
        self.name = spec.name
        self.data = spec.data
        self.credentials = spec.credentials
        self.base_url = ""
        self.state: dict[str, Any] = {}
        self.lock = threading.Lock()


class EmulatedVendor(abc.ABC):
    """One vendor's API, emulated. Register instances through the ``register_emulators`` hook."""

    id: ClassVar[str]  # the vendor id; equal to the connector id that talks to it
    router: ClassVar[Router]
    # Documented rate limit the emulator enforces per tenant: (requests, per_seconds), or None.
    rate_limit: ClassVar[tuple[int, float] | None] = None

    @abc.abstractmethod
    def authenticate(self, request: Request, tenant: Tenant) -> Response | None:
        """None if the request carries valid credentials; otherwise the vendor's own error response."""

    @abc.abstractmethod
    def demo_tenant(self, scale: int = 1, *, clean: bool = False) -> TenantSpec:
        """This vendor's part of the built-in demo stack.

        :param scale: multiplies the volume (benchmarks); 1 is the readable demo.
        :param clean: the "clean" variant: every system sanctioned and owned, MFA on, no stale credentials or
            accounts, no plain-http endpoint, one path per flow. The audit of a clean stack finds nothing.
        """

    def rate_limited(self, request: Request, tenant: Tenant, retry_after: float) -> Response:
        """The vendor's answer when a client exceeds ``rate_limit``."""
        return json_response({"message": "rate limit exceeded"}, 429, {"Retry-After": str(max(1, round(retry_after)))})

    def rate_limit_headers(self, remaining: int, limit: int, per_seconds: float) -> dict[str, str]:
        """Headers the vendor adds to every answer about the caller's rate-limit window (none by default).

        :param remaining: requests still allowed in the current window after this one.
        """
        return {}

    def fault(self, kind: str, request: Request, tenant: Tenant, response: Response) -> Response | None:
        """This vendor's version of an injected fault that needs to know its API, or None where it does not apply.

        - ``cursor``: ``response`` answers a request for a follow-on page of a cursor-paged listing; return it
          rewritten so that its next-page cursor is the one ``request`` asked for (a cursor that repeats).
        - ``vendor``: the vendor's own transient error answer. The default is the vendor's rate-limit answer
          (:meth:`rate_limited`); a vendor whose rate-limit answer is not transient returns None.
        """
        if kind == "vendor":
            return self.rate_limited(request, tenant, 1.0)
        return None

    def not_found(self, request: Request, tenant: Tenant) -> Response:
        return json_response({"message": f"no such resource: {request.path}"}, 404)
