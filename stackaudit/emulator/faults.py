"""Fault injection for the emulator: the ways real vendor APIs and the networks in front of them misbehave.

A :class:`FaultPlan` gives each kind of fault a rate (the share of requests it hits). Whether a request is hit
depends only on the seed, the tenant, the request (method, path and query) and how many times that same
request was seen before, so a scan sees the same faults on every run with the same seed, whatever order its
concurrent requests arrive in, and a retried request draws afresh.

Kinds (see :data:`FAULT_KINDS`) are answered by the emulator itself, except ``cursor`` and ``vendor``, which
need to know the vendor's API and are answered by :meth:`EmulatedVendor.fault
<stackaudit.emulator.vendor.EmulatedVendor.fault>` (a vendor that has no such answer is not hit).
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterable, Mapping

from stackaudit.errors import EmulatorError

FAULT_KINDS: dict[str, str] = {
    "429": "HTTP 429 with Retry-After",
    "429-bare": "HTTP 429 without Retry-After",
    "500": "HTTP 500 Internal Server Error",
    "502": "HTTP 502 Bad Gateway (a proxy's HTML page)",
    "503": "HTTP 503 Service Unavailable",
    "reset": "the connection is reset before any answer",
    "timeout": "no answer for the plan's stall time, then the connection is closed",
    "truncated": "a JSON answer cut in half (status 200, consistent Content-Length)",
    "cut": "the connection closes halfway through the body (Content-Length announces all of it)",
    "html": "an HTML error page with status 200",
    "cursor": "a page whose next-page cursor repeats the one asked for (vendor-specific)",
    "vendor": "the vendor's own transient error answer, e.g. Marketo's HTTP 200 with error 606 (vendor-specific)",
}
VENDOR_KINDS = frozenset({"cursor", "vendor"})


@dataclasses.dataclass(frozen=True)
class FaultPlan:
    """Which faults to inject, how often, and where.

    :param rates: fault kind -> share of requests it hits (0 to 1; the shares add up to at most 1).
    :param seed: the same seed gives the same faults for the same requests.
    :param tenants: only these tenants get faults (empty: every tenant).
    :param stall: seconds a ``timeout`` fault holds the connection before closing it (keep it above the
        client's read timeout to see a timeout, below it to see a dropped connection).
    :param retry_after: the ``Retry-After`` value of a ``429`` fault, in seconds.
    """

    rates: Mapping[str, float]
    seed: int = 0
    tenants: frozenset[str] = frozenset()
    stall: float = 2.0
    retry_after: int = 1

    def __post_init__(self) -> None:
        unknown = sorted(set(self.rates) - set(FAULT_KINDS))
        if unknown:
            raise EmulatorError(f"unknown fault kind {unknown[0]!r}", fix="use one of: " + ", ".join(FAULT_KINDS))
        bad = [kind for kind, rate in self.rates.items() if not 0 <= rate <= 1]
        if bad:
            raise EmulatorError(f"fault rate for {bad[0]!r} must be between 0 and 1",
                                fix="write rates as shares of requests, e.g. 503=0.05")
        if sum(self.rates.values()) > 1 + 1e-9:
            raise EmulatorError("fault rates add up to more than 1",
                                fix="lower the rates so that every request gets at most one fault")
        if self.stall < 0 or self.retry_after < 0:
            raise EmulatorError("stall and retry_after must not be negative", fix="use values >= 0")

    @classmethod
    def parse(cls, text: str, *, seed: int = 0, tenants: Iterable[str] = (), stall: float = 2.0,
              retry_after: int = 1) -> FaultPlan:
        """``"503=0.05,reset=0.02"`` → a plan; a kind without ``=rate`` means every request (1.0)."""
        rates: dict[str, float] = {}
        for part in (p.strip() for p in text.split(",")):
            if not part:
                continue
            kind, _, rate = part.partition("=")
            try:
                rates[kind.strip()] = float(rate) if rate else 1.0
            except ValueError:
                raise EmulatorError(f"fault rate {rate!r} for {kind.strip()!r} is not a number",
                                    fix="write faults as KIND=RATE pairs, e.g. 503=0.05,reset=0.02") from None
        return cls(rates=rates, seed=seed, tenants=frozenset(tenants), stall=stall, retry_after=retry_after)

    def applies_to(self, tenant: str) -> bool:
        return not self.tenants or tenant in self.tenants

    def draw(self, tenant: str, method: str, target: str, occurrence: int) -> str | None:
        """The fault for the ``occurrence``-th sighting of this request at this tenant, or None."""
        if not self.rates or not self.applies_to(tenant):
            return None
        digest = hashlib.sha256(f"{self.seed}|{tenant}|{method}|{target}|{occurrence}".encode()).digest()
        point = int.from_bytes(digest[:8], "big") / 2**64
        edge = 0.0
        for kind in FAULT_KINDS:  # a fixed order, so the same point always means the same kind
            edge += self.rates.get(kind, 0.0)
            if point < edge:
                return kind
        return None
