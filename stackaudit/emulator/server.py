"""The local vendor emulator: one HTTP server per tenant on 127.0.0.1, each on a free port.

Every tenant gets its own origin (as each real tenant has its own host), so absolute paths a vendor
returns (Salesforce's ``nextRecordsUrl``) resolve exactly as they would against the real service.

Besides the vendors' own behaviour (rate limits included), the emulator can add latency to every request
and inject faults (:class:`~stackaudit.emulator.faults.FaultPlan`): error statuses, reset connections,
stalls, cut-off or garbled bodies, repeating cursors and vendor-specific error answers.
"""

from __future__ import annotations

import collections
import dataclasses
import json
import socket
import struct
import threading
import time
from collections.abc import Iterable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from stackaudit.emulator.faults import VENDOR_KINDS, FaultPlan
from stackaudit.emulator.vendor import EmulatedVendor, Request, Response, Tenant, TenantSpec, json_response
from stackaudit.errors import EmulatorError


@dataclasses.dataclass(frozen=True)
class LoggedRequest:
    tenant: str
    method: str
    path: str
    status: int  # 0: no answer (a reset or stalled connection)
    fault: str = ""  # the injected fault, if any
    rate_limited: bool = False  # refused by the vendor's rate limit


@dataclasses.dataclass
class Scenario:
    """A stack of tenants to serve."""

    tenants: list[TenantSpec]

    @classmethod
    def load(cls, path: Path) -> Scenario:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            return cls([TenantSpec(**t) for t in raw["tenants"]])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise EmulatorError(
                f"cannot read scenario {path}: {exc}",
                fix="give a JSON file with a 'tenants' list, e.g. from 'stackaudit emulator scenario'",
            ) from None

    def to_dict(self) -> dict[str, Any]:
        return {"tenants": [t.to_dict() for t in self.tenants]}


def demo_scenario(vendors: Iterable[EmulatedVendor], scale: int = 1, *, clean: bool = False) -> Scenario:
    """Every registered vendor's part of the built-in demo stack (``clean``: the variant with no problems)."""
    return Scenario([vendor.demo_tenant(scale, clean=clean) for vendor in sorted(vendors, key=lambda v: v.id)])


class _Window:
    """Sliding-window request counter for one tenant (the emulator enforces the vendor's limit)."""

    def __init__(self, limit: tuple[int, float]) -> None:
        self.requests, self.per = limit
        self.times: collections.deque[float] = collections.deque()
        self.lock = threading.Lock()

    def admit(self) -> tuple[float, int]:
        """(0, requests left in the window) if admitted; else (seconds until a slot frees, 0)."""
        with self.lock:
            now = time.monotonic()
            while self.times and now - self.times[0] >= self.per:
                self.times.popleft()
            if len(self.times) >= self.requests:
                return self.per - (now - self.times[0]), 0
            self.times.append(now)
            return 0.0, self.requests - len(self.times)


_HTML_ERROR = ("<!DOCTYPE html><html><head><title>{status} {reason}</title></head><body><h1>{status} {reason}</h1>"
               "<p>The upstream server is not available. Please try again later.</p><hr><p>nginx</p></body></html>")
_REASONS = {200: "OK", 500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}


def _html(status: int, shown: int | None = None) -> Response:
    page = _HTML_ERROR.format(status=shown or status, reason=_REASONS.get(shown or status, "Error"))
    return Response(status, page.encode(), {"Content-Type": "text/html; charset=utf-8"})


class Emulator:
    """Serves a :class:`Scenario` through the registered vendor emulations. Use as a context manager."""

    def __init__(self, scenario: Scenario, vendors: Mapping[str, EmulatedVendor] | Iterable[EmulatedVendor], *,
                 latency: float = 0.0, enforce_rate_limits: bool = True, faults: FaultPlan | None = None) -> None:
        self.vendors = dict(vendors) if isinstance(vendors, Mapping) else {v.id: v for v in vendors}
        self.latency = latency
        self.enforce_rate_limits = enforce_rate_limits
        self.faults = faults or FaultPlan(rates={})
        self.tenants: dict[str, Tenant] = {}
        for spec in scenario.tenants:
            if spec.vendor not in self.vendors:
                raise EmulatorError(
                    f"scenario tenant {spec.name!r} needs vendor {spec.vendor!r}, which no plugin emulates",
                    fix="install the plugin for that vendor or remove the tenant",
                )
            if spec.name in self.tenants:
                raise EmulatorError(f"scenario has two tenants named {spec.name!r}", fix="rename one of them")
            self.tenants[spec.name] = Tenant(spec)
        self.log: list[LoggedRequest] = []
        self._log_lock = threading.Lock()
        self._seen: collections.Counter[tuple[str, str, str]] = collections.Counter()
        self._servers: list[tuple[ThreadingHTTPServer, threading.Thread]] = []
        self._windows: dict[str, _Window] = {}
        self._stopping = threading.Event()

    # -- lifecycle ---------------------------------------------------------------------------------

    def start(self) -> Emulator:
        self._stopping.clear()
        try:
            for tenant in self.tenants.values():
                server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_for(tenant))
                server.daemon_threads = True
                tenant.base_url = f"http://127.0.0.1:{server.server_address[1]}"
                vendor = self.vendors[tenant.spec.vendor]
                if vendor.rate_limit and self.enforce_rate_limits:
                    self._windows[tenant.name] = _Window(vendor.rate_limit)
                thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                          name=f"emulator-{tenant.name}", daemon=True)
                thread.start()
                self._servers.append((server, thread))
        except OSError as exc:
            self.stop()
            raise EmulatorError(f"cannot start the emulator on 127.0.0.1: {exc}",
                                fix="check that loopback networking is available") from None
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes stalled connections
        for server, thread in self._servers:
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)
        self._servers.clear()

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def url(self, tenant: str) -> str:
        return self.tenants[tenant].base_url

    # -- dispatch ----------------------------------------------------------------------------------

    def draw_fault(self, tenant: Tenant, request: Request, target: str) -> str | None:
        """The fault for this request (see :class:`FaultPlan`), counting how often the same request came."""
        if not self.faults.rates or not self.faults.applies_to(tenant.name):
            return None
        key = (tenant.name, request.method, target)
        with self._log_lock:
            self._seen[key] += 1
            occurrence = self._seen[key]
        return self.faults.draw(tenant.name, request.method, target, occurrence)

    def handle(self, tenant: Tenant, request: Request, fault: str | None = None) -> Response:
        """The answer to one request; ``fault`` (one of the answered-with-a-response kinds) is injected."""
        return self._answer(tenant, request, fault)[0]

    def _answer(self, tenant: Tenant, request: Request, fault: str | None) -> tuple[Response, str, bool]:
        """The response, the fault actually injected ("" if none applied), and whether the rate limit refused."""
        vendor = self.vendors[tenant.spec.vendor]
        window = self._windows.get(tenant.name)
        extra: dict[str, str] = {}
        if window is not None:
            wait, remaining = window.admit()
            if wait > 0:
                return vendor.rate_limited(request, tenant, wait), "", True
            assert vendor.rate_limit is not None
            extra = vendor.rate_limit_headers(remaining, *vendor.rate_limit)
        if fault in ("429", "429-bare"):
            headers = {"Retry-After": str(self.faults.retry_after)} if fault == "429" else {}
            return json_response({"message": "Too Many Requests"}, 429, headers), fault, False
        if fault in ("500", "502", "503"):
            return _html(int(fault)), fault, False
        if fault == "html":
            return _html(200, 502), fault, False
        response = self._dispatch(vendor, tenant, request)
        for name, value in extra.items():
            response.headers.setdefault(name, value)
        if fault == "truncated" and response.status == 200 and len(response.body) > 1:
            return Response(200, response.body[: len(response.body) // 2], dict(response.headers)), fault, False
        if fault in VENDOR_KINDS:
            replaced = vendor.fault(fault, request, tenant, response)
            if replaced is not None:
                return replaced, fault, False
        return response, "", False

    def _dispatch(self, vendor: EmulatedVendor, tenant: Tenant, request: Request) -> Response:
        matched = vendor.router.match(request.method, request.path)
        if matched is None:
            return vendor.not_found(request, tenant)
        if matched is False:
            return json_response({"message": f"method {request.method} not allowed"}, 405)
        route, params = matched  # type: ignore[misc]
        request.params = params
        if route.auth:
            refused = vendor.authenticate(request, tenant)
            if refused is not None:
                return refused
        return route.handler(request, tenant)

    def _record(self, entry: LoggedRequest) -> None:
        with self._log_lock:
            self.log.append(entry)

    def rate_limited(self, tenant: str | None = None) -> int:
        """How many requests the emulated rate limits refused (for one tenant, or all)."""
        with self._log_lock:
            return sum(1 for e in self.log if e.rate_limited and (tenant is None or e.tenant == tenant))

    def faults_injected(self, tenant: str | None = None) -> collections.Counter[str]:
        with self._log_lock:
            return collections.Counter(e.fault for e in self.log if e.fault and (tenant is None or e.tenant == tenant))

    def _handler_for(self, tenant: Tenant) -> type[BaseHTTPRequestHandler]:
        emulator = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            server_version = "stackaudit-emulator"
            # Headers and body go out in two writes; with Nagle on, the body waits for the client's delayed ACK
            # (about 40 ms a request), which would dwarf every emulated latency and benchmark figure.
            disable_nagle_algorithm = True

            def _serve(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                request = Request(
                    method=self.command,
                    path=parts.path,
                    query=parse_qs(parts.query, keep_blank_values=True),
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=self.rfile.read(length) if length else b"",
                )
                if emulator.latency:
                    time.sleep(emulator.latency)
                fault = emulator.draw_fault(tenant, request, self.path)
                if fault in ("reset", "timeout"):
                    self._drop(request, fault)
                    return
                try:
                    response, injected, limited = emulator._answer(tenant, request, fault)
                except Exception as exc:  # an emulation bug becomes a 500, as a real server would answer
                    response = json_response({"message": f"emulator error: {type(exc).__name__}: {exc}"}, 500)
                    injected, limited = "", False
                emulator._record(LoggedRequest(tenant.name, request.method, request.path, response.status,
                                               injected or ("cut" if fault == "cut" else ""), limited))
                self.send_response(response.status)
                for name, value in response.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(response.body)))
                if fault == "cut":
                    self.send_header("Connection", "close")
                self.end_headers()
                if self.command == "HEAD":
                    return
                if fault == "cut" and len(response.body) > 1:
                    self.wfile.write(response.body[: len(response.body) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    self._reset()
                    return
                self.wfile.write(response.body)

            def _drop(self, request: Request, fault: str) -> None:
                """No answer: a reset now, or a stall until the plan's time is up (or the emulator stops)."""
                emulator._record(LoggedRequest(tenant.name, request.method, request.path, 0, fault))
                if fault == "timeout":
                    emulator._stopping.wait(emulator.faults.stall)
                self.close_connection = True
                self._reset()

            def _reset(self) -> None:
                try:
                    # Linger 0: close() sends a TCP reset instead of an orderly FIN.
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.connection.close()
                except OSError:
                    pass

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve

            def log_message(self, format: str, *args: Any) -> None:
                pass  # the emulator keeps its own log; stderr stays quiet

        return Handler
