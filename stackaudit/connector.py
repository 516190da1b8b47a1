"""What a connector is: declared metadata (credentials, options, limits) and a ``collect`` method.

A connector reads one vendor's tenant and nothing else. The shape we keep to, after cartography:

- a thin client (``get``) that takes an injected :class:`~stackaudit.http.ApiSession` and only does HTTP;
- pure ``transform`` functions, vendor dicts in, :mod:`stackaudit.model` records out;
- ``collect`` that wires them and hands records to :meth:`ScanContext.add` page by page.

Independent endpoint families run at the same time through :meth:`ScanContext.together`, and per-item
requests (one GET per user, per workflow) through :meth:`ScanContext.sweep`; the connection's rate limiter
paces all of them, so the scan keeps the vendor busy up to its limit and no further.

Where an area cannot be read (a permission is missing, an API is disabled), call :meth:`ScanContext.gap`
and carry on; raise only when nothing useful can be collected.
"""

from __future__ import annotations

import abc
import collections
import dataclasses
import logging
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, ClassVar, TypeVar

import requests

from stackaudit.credentials import CredentialSpec
from stackaudit.errors import ConfigError, ConnectorError
from stackaudit.http import (
    DEFAULT_TIMEOUT,
    ApiSession,
    Classifier,
    ErrorParser,
    RateBudget,
    RateHeaderReader,
    RateLimit,
    RateLimiter,
    ReadOnlyRequest,
    Retry,
    RetryPolicy,
    SessionStats,
    default_classify,
    default_error_parser,
    default_rate_headers,
    make_session,
)
from stackaudit.model import CoverageGap, Evidence, Record, System, SystemKind, record_id
from stackaudit.redaction import Redactor
from stackaudit.redaction import redactor as default_redactor

T = TypeVar("T")
R = TypeVar("R")

SWEEP_WORKERS = 8  # per-item requests in flight at once per sweep (fewer if the vendor caps concurrency)


@dataclasses.dataclass(frozen=True)
class Option:
    """A connector-specific ``options`` key in ``[[connection]]``."""

    help: str
    default: Any = None
    type: type = str


class Connector(abc.ABC):
    """Base class for connectors. Subclass it, fill the class attributes, implement :meth:`collect`."""

    id: ClassVar[str]  # what ``connector = "…"`` in stackaudit.toml names
    title: ClassVar[str]
    vendor: ClassVar[str]
    category: ClassVar[str]  # crm | cms | marketing-automation | analytics | cdp | identity | ...
    description: ClassVar[str]
    collects: ClassVar[tuple[str, ...]] = ()  # human-readable list of what it reads
    permissions: ClassVar[tuple[str, ...]] = ()  # least-privilege, read-only scopes/permissions to grant
    # None: the connection must give base_url; "": the connector reads no HTTP API (a local export file)
    default_base_url: ClassVar[str | None] = None
    credentials: ClassVar[CredentialSpec]
    options: ClassVar[Mapping[str, Option]] = {}
    rate_limit: ClassVar[RateLimit | None] = None  # the vendor's documented limit
    read_only_requests: ClassVar[tuple[ReadOnlyRequest, ...]] = ()  # non-GET requests that only read
    # Typed as staticmethods, not plain callables: a callable class attribute reads as a method to type
    # checkers, so a subclass assigning ``staticmethod(its_classifier)`` would not type-check.
    # Override with ``classify = staticmethod(my_classify)`` (vendor-specific retryable answers) and
    # ``error_parser = staticmethod(my_parser)`` (vendor error body -> (code, message)).
    classify: ClassVar[staticmethod[[requests.Response], Retry | None]] = staticmethod(default_classify)
    error_parser: ClassVar[staticmethod[[requests.Response], tuple[str, str]]] = staticmethod(default_error_parser)
    # What the vendor's rate-limit headers say (remaining, reset, announced limit); feeds the rate limiter.
    rate_headers: ClassVar[staticmethod[[requests.Response], RateBudget | None]] = staticmethod(default_rate_headers)

    @abc.abstractmethod
    def collect(self, ctx: ScanContext) -> None:
        """Read the tenant and hand records to ``ctx.add``; record unreadable areas with ``ctx.gap``."""

    @classmethod
    def resolve_options(cls, given: Mapping[str, Any], *, connection: str) -> dict[str, Any]:
        """Declared defaults overlaid with the connection's ``options``; unknown keys are a config error."""
        unknown = sorted(set(given) - set(cls.options))
        if unknown:
            known = ", ".join(sorted(cls.options)) or "none"
            raise ConfigError(
                f"connection {connection!r}: connector {cls.id!r} has no option {unknown[0]!r}",
                key=f"connection.{connection}.options.{unknown[0]}",
                fix=f"remove it; the options {cls.id} knows are: {known}",
            )
        resolved = {name: option.default for name, option in cls.options.items()}
        for name, value in given.items():
            expected = cls.options[name].type
            if not isinstance(value, expected):
                raise ConfigError(
                    f"connection {connection!r}: option {name!r} must be a {expected.__name__}",
                    key=f"connection.{connection}.options.{name}",
                    fix=f"set it to a {expected.__name__}: {cls.options[name].help}",
                )
            resolved[name] = value
        return resolved


class ScanContext:
    """What a connector gets for one connection: settings, credentials, sessions and a place to put records.

    Thread-safe: a connector may run sweeps concurrently and call :meth:`add` from any thread.
    """

    def __init__(
        self,
        *,
        connection: str,
        connector: type[Connector],
        base_url: str,
        credentials: Mapping[str, str],
        options: Mapping[str, Any],
        rate_limit: RateLimit | None = None,
        redactor: Redactor = default_redactor,
        organization_domains: Iterable[str] = (),
        timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.connection = connection
        self.connector = connector
        self.base_url = base_url.rstrip("/")
        self.credentials = dict(credentials)
        self.options = dict(options)
        self.organization_domains = tuple(organization_domains)
        self.redactor = redactor
        self.stats = SessionStats()
        self.limiter = RateLimiter(rate_limit if rate_limit is not None else connector.rate_limit)
        self.timeout = timeout
        self.retry = retry
        cap = self.limiter.limit.concurrency if self.limiter.limit and self.limiter.limit.concurrency else None
        self.workers = min(SWEEP_WORKERS, cap) if cap else SWEEP_WORKERS
        self.log = logging.getLogger(f"stackaudit.connector.{connector.id}")
        self.records: list[Record] = []
        self.gaps: list[CoverageGap] = []
        self._lock = threading.Lock()
        self._ids: set[str] = set()
        self._external_positions: dict[str, int] = {}  # external system id -> index in self.records

    def session(self, *, base_url: str | None = None, classify: Classifier | None = None,
                error_parser: ErrorParser | None = None, rate_headers: RateHeaderReader | None = None,
                ) -> ApiSession:
        """A guarded session for this connection. All sessions of a connection share its rate limiter."""
        return make_session(
            base_url=self.base_url if base_url is None else base_url,
            read_only_requests=self.connector.read_only_requests,
            timeout=self.timeout,
            retry=self.retry,
            classify=classify or self.connector.classify,
            error_parser=error_parser or self.connector.error_parser,
            rate_headers=rate_headers or self.connector.rate_headers,
            redactor=self.redactor,
            stats=self.stats,
            limiter=self.limiter,
        )

    # -- concurrency --------------------------------------------------------------------------------

    def sweep(self, read: Callable[[T], R], items: Iterable[T], *, workers: int | None = None) -> Iterator[R]:
        """``read(item)`` for each item, several at a time; the results come back in the items' order.

        For per-item requests (one GET per user, per workflow). ``items`` is consumed lazily in the caller's
        thread (it may itself be a paged listing), and at most ``2 * workers`` results wait to be taken, so
        memory does not grow with the number of items. An error from ``read`` is raised where its result
        would have been yielded; the reads not yet started are cancelled.
        """
        count = max(1, workers or self.workers)
        if count == 1:
            yield from map(read, items)
            return
        pending: collections.deque[Future[R]] = collections.deque()
        with ThreadPoolExecutor(max_workers=count, thread_name_prefix=f"sweep-{self.connection}") as pool:
            try:
                for item in items:
                    pending.append(pool.submit(read, item))
                    if len(pending) >= 2 * count:
                        yield pending.popleft().result()
                while pending:
                    yield pending.popleft().result()
            finally:
                for future in pending:
                    future.cancel()

    def together(self, *reads: Callable[[], Any]) -> list[Any]:
        """Run independent reads (endpoint families) at the same time and return their results in order.

        Each read should record its own coverage gaps; if one raises anyway, the first error (in argument
        order) is raised once every read has finished, so no thread outlives the call.
        """
        if len(reads) <= 1:
            return [read() for read in reads]
        results: list[Any] = [None] * len(reads)
        errors: list[BaseException | None] = [None] * len(reads)

        def run(index: int) -> None:
            try:
                results[index] = reads[index]()
            except BaseException as exc:  # handed to the caller's thread below
                errors[index] = exc

        threads = [threading.Thread(target=run, args=(i,), name=f"together-{self.connection}-{i}", daemon=True)
                   for i in range(1, len(reads))]
        for thread in threads:
            thread.start()
        run(0)
        for thread in threads:
            thread.join()
        for error in errors:
            if error is not None:
                raise error
        return results

    def secret(self, *values: str | None) -> None:
        """Register a secret obtained at runtime (an access token) so it is redacted everywhere."""
        self.redactor.add(*values)

    def evidence(self, source: str, object_id: str = "") -> tuple[Evidence, ...]:
        return (Evidence(connection=self.connection, source=source, object_id=object_id),)

    def id(self, kind: str, native_id: str) -> str:
        """A stable record id for something living in this connection's tenant."""
        return record_id(self.connection, kind, native_id)

    def add(self, *records: Record) -> None:
        """Collect records. An external system seen twice is merged (its evidence joined); any other
        repeated id is a connector bug."""
        with self._lock:
            for record in records:
                if record.id in self._ids:
                    if record.id in self._external_positions and isinstance(record, System):
                        self._merge_external(record)
                        continue
                    raise ConnectorError(f"connector {self.connector.id} emitted record id {record.id!r} twice",
                                         fix="this is a bug in the connector plugin")
                self._ids.add(record.id)
                if isinstance(record, System) and record.system_kind is SystemKind.EXTERNAL:
                    self._external_positions[record.id] = len(self.records)
                self.records.append(record)

    def _merge_external(self, record: System) -> None:
        """Join two sightings of one external system. The result does not depend on which came first (reads
        run concurrently): evidence is joined and sorted, an empty field takes the other's value, and of two
        different values the same one wins every time."""
        position = self._external_positions[record.id]
        existing = self.records[position]
        assert isinstance(existing, System)
        changes: dict[str, Any] = {}
        for field in dataclasses.fields(System):
            if field.name in ("id", "evidence"):
                continue
            mine, theirs = getattr(existing, field.name), getattr(record, field.name)
            if mine != theirs and (not mine or (theirs and repr(theirs) < repr(mine))):
                changes[field.name] = theirs
        changes["evidence"] = tuple(sorted(set(existing.evidence) | set(record.evidence),
                                           key=lambda e: (e.connection, e.source, e.object_id)))
        self.records[position] = dataclasses.replace(existing, **changes)

    def add_all(self, records: Iterable[Record]) -> None:
        for record in records:
            self.add(record)

    def gap(self, area: str, reason: str, error: BaseException | None = None) -> None:
        """Record something this connection could not read; the scan continues."""
        with self._lock:
            self.gaps.append(CoverageGap(
                connection=self.connection,
                area=area,
                reason=self.redactor.redact(reason),
                error=type(error).__name__ if error else "",
            ))
