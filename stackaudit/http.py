"""The HTTP layer every connector shares.

:func:`make_session` builds an :class:`ApiSession`, a ``requests.Session`` that

- puts a timeout on every call;
- refuses anything that could change a tenant (:class:`ReadOnlyGuard`): only GET and HEAD, plus the
  read-only POSTs a connector declares (an OAuth token endpoint, a query endpoint);
- waits for the connection's rate limiter (:class:`RateLimiter`, a sliding-window log of the documented limit)
  before each request, and feeds it what the vendor's rate-limit headers say (a connector's ``rate_headers``
  hook, :func:`default_rate_headers` for the common conventions), so a budget shared with other integrations
  or a lower limit than documented slows the scan down before the vendor has to refuse it;
- retries connection errors, timeouts, 429 and 5xx with backoff, honouring ``Retry-After`` and whatever a
  connector's ``classify`` hook reads out of vendor-specific signals; a 2xx answer whose body is not the JSON
  asked for (cut short, or a proxy's HTML error page) is retried the same way;
- maps HTTP errors to typed exceptions in one place (:func:`raise_for_status`), with redacted URLs.

Pagination helpers are generators that fail loudly (:class:`PaginationError`) rather than return a truncated
listing.
"""

from __future__ import annotations

import dataclasses
import email.utils
import json
import logging
import math
import random
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, TypeVar
from urllib.parse import urljoin, urlsplit

import requests
import requests.adapters

from stackaudit.errors import (
    ApiError,
    AuthenticationError,
    NotFoundError,
    PaginationError,
    PermissionDeniedError,
    RateLimitedError,
    ReadOnlyViolation,
    ServerError,
)
from stackaudit.redaction import Redactor
from stackaudit.redaction import redactor as default_redactor

log = logging.getLogger(__name__)

USER_AGENT = "stackaudit/0.1 (read-only audit; +https://github.com/stackaudit/stackaudit)"
DEFAULT_TIMEOUT = (10.0, 60.0)  # connect, read
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
SAFE_METHODS = frozenset({"GET", "HEAD"})
MAX_BUDGET_PAUSE = 60.0  # longest wait for a vendor's window to reset that the scan sits out
POOL_SIZE = 32  # connections kept per host: enough for a connector's concurrent sweeps


# -- rate limiting ----------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class RateLimit:
    """A documented vendor limit: ``requests`` per ``per_seconds``, and at most ``concurrency`` in flight."""

    requests: int
    per_seconds: float
    concurrency: int | None = None

    @property
    def rate(self) -> float:
        return self.requests / self.per_seconds


@dataclasses.dataclass(frozen=True)
class RateBudget:
    """What a vendor's rate-limit headers said about one response's window. Any field may be unknown (None).

    ``remaining`` requests are still allowed in the current window, which resets ``reset_after`` seconds from
    now (None for a rolling window, which has no reset time); ``limit`` requests per ``window`` seconds is the
    limit the vendor announces for this caller.
    """

    remaining: int | None = None
    reset_after: float | None = None
    limit: int | None = None
    window: float | None = None


RateHeaderReader = Callable[[requests.Response], RateBudget | None]


class _Sent:
    """One request in the limiter's log: when it counts from."""

    __slots__ = ("at",)

    def __init__(self, at: float) -> None:
        self.at = at


class RateLimiter:
    """Keeps a connection within a vendor's documented limit, and within what the vendor says is left. Thread-safe.

    Vendors count requests in a rolling window, so this is a sliding-window log rather than a token bucket: a
    bucket that starts full lets twice the limit through in the first window. A request enters the log when it
    is let through; once its answer arrives (:meth:`answered`) it counts from then, the latest moment the vendor
    can have counted it, so a request that waited for a connection or a thread before leaving never lets the
    next one arrive inside the vendor's window. ``margin`` widens the window a little more (at least 50 ms).
    ``pause(seconds)`` makes every caller wait (after a 429).

    :meth:`observe` takes what a response's rate-limit headers say. A lower limit than the documented one is
    adopted (never a higher one: the configured limit may be lower on purpose). When the vendor counts more
    requests in the window than this log holds (another integration spends the same budget), the difference
    is entered in the log, expiring when the vendor's window resets, so the scan slows down before it is
    refused. With no comparable limit known, an exhausted budget pauses every caller until the reset.
    """

    def __init__(self, limit: RateLimit | None, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep, margin: float = 0.02) -> None:
        self.limit = limit
        self._clock = clock
        self._sleep = sleep
        self._margin = margin
        self._requests = limit.requests if limit else 0  # 0: no limit known
        self._per = limit.per_seconds if limit else 0.0
        # At least 50 ms: on a one-second window, connection set-up jitter alone exceeds 2 %.
        self._window = self._per + self._slack(self._per) if self._per else 0.0
        self._lock = threading.Lock()
        self._sent: list[_Sent] = []
        self._paused_until = 0.0
        self._slots = threading.BoundedSemaphore(limit.concurrency) if limit and limit.concurrency else None

    @property
    def requests(self) -> int:
        """Requests allowed per window now (0 when no limit is known)."""
        return self._requests

    @property
    def per_seconds(self) -> float:
        return self._per

    def _slack(self, window: float) -> float:
        """How much wider than the vendor's window ours is: ``margin``, and at least 50 ms unless it is 0."""
        return max(window * self._margin, 0.05) if self._margin else 0.0

    def acquire(self) -> _Sent | None:
        """Wait until a request may go; its log entry (hand it to :meth:`answered`), or None without a limit."""
        while True:
            with self._lock:
                now = self._clock()
                wait = self._paused_until - now
                if wait <= 0:
                    if not self._requests:
                        return None
                    self._expire(now)
                    if len(self._sent) < self._requests:
                        entry = _Sent(now)
                        self._sent.append(entry)
                        return entry
                    wait = self._window - (now - min(e.at for e in self._sent))
            self._sleep(max(wait, 0.001))

    def answered(self, entry: _Sent | None) -> None:
        """The request's answer (or failure) arrived: the vendor counted it by now, so it expires from now."""
        if entry is not None:
            with self._lock:
                entry.at = max(entry.at, self._clock())

    def _expire(self, now: float) -> None:
        self._sent = [e for e in self._sent if now - e.at < self._window]

    def pause(self, seconds: float) -> None:
        with self._lock:
            self._paused_until = max(self._paused_until, self._clock() + seconds)

    def observe(self, budget: RateBudget) -> None:
        """Take in what a response's rate-limit headers said (see the class docstring)."""
        with self._lock:
            now = self._clock()
            announced = bool(budget.limit and budget.window and budget.limit > 0 and budget.window > 0)
            if announced and budget.limit is not None and budget.window is not None:
                lower = not self._requests or budget.limit / budget.window < self._requests / self._per
                if lower:
                    self._requests, self._per = budget.limit, budget.window
                    self._window = budget.window + self._slack(budget.window)
            comparable = announced and budget.limit == self._requests and budget.window == self._per
            if budget.remaining is None:
                return
            if comparable:
                self._expire(now)
                missing = (self._requests - max(0, budget.remaining)) - len(self._sent)
                if missing > 0:
                    # Entries for requests the vendor counted and this log did not: they expire when the
                    # vendor's window resets, or a whole window from now for a rolling window.
                    reset = budget.reset_after if budget.reset_after is not None else self._window
                    stamp = now + min(max(0.0, reset), self._window) - self._window
                    self._sent.extend(_Sent(stamp) for _ in range(missing))
            elif budget.remaining <= 0 and budget.reset_after is not None and budget.reset_after <= MAX_BUDGET_PAUSE:
                # A longer reset (a daily quota) is not waited out: the vendor's refusal ends the scan instead.
                self._paused_until = max(self._paused_until, now + budget.reset_after)

    def slot(self) -> _Slot:
        return _Slot(self._slots)


class _Slot:
    def __init__(self, semaphore: threading.BoundedSemaphore | None) -> None:
        self._semaphore = semaphore

    def __enter__(self) -> None:
        if self._semaphore is not None:
            self._semaphore.acquire()

    def __exit__(self, *exc: object) -> None:
        if self._semaphore is not None:
            self._semaphore.release()


# -- read-only guard --------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ReadOnlyRequest:
    """A non-GET request a connector declares as read-only: the method and a regex on the URL path."""

    method: str
    path: str  # regular expression, searched in the URL path (so it works below a base path)
    why: str = ""


class ReadOnlyGuard:
    """Refuses every request that is not GET/HEAD or a declared read-only request."""

    def __init__(self, allowed: Iterable[ReadOnlyRequest] = ()) -> None:
        self.allowed = tuple(allowed)
        self._compiled = [(a.method.upper(), re.compile(a.path)) for a in self.allowed]

    def check(self, method: str, url: str) -> None:
        method = method.upper()
        if method in SAFE_METHODS:
            return
        path = urlsplit(url).path
        if any(m == method and p.search(path) for m, p in self._compiled):
            return
        raise ReadOnlyViolation(f"refused {method} {path}: stackaudit never writes to a tenant")


# -- retries --------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5  # total tries, including the first
    backoff: float = 0.5  # first wait in seconds; doubles each time, with jitter
    max_wait: float = 60.0  # never sleep longer than this for one retry


@dataclasses.dataclass(frozen=True)
class Retry:
    """A classify hook's verdict: retry this response after ``after`` seconds (None: use backoff)."""

    after: float | None = None
    rate_limited: bool = False
    reason: str = ""


Classifier = Callable[[requests.Response], Retry | None]


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """``Retry-After`` as seconds: either delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (now if now is not None else time.time()))


def default_classify(response: requests.Response) -> Retry | None:
    if response.status_code not in RETRY_STATUSES:
        return None
    return Retry(
        after=parse_retry_after(response.headers.get("Retry-After")),
        rate_limited=response.status_code == 429,
        reason=f"HTTP {response.status_code}",
    )


def _header_number(headers: Mapping[str, str], *names: str) -> float | None:
    for name in names:
        value = headers.get(name)
        if value is None:
            continue
        try:
            number = float(value.strip().split(",")[0].split(";")[0])
        except ValueError:
            continue
        if math.isfinite(number) and abs(number) < 1e15:
            return number
    return None


def parse_reset(value: str | None, *, now: float | None = None) -> float | None:
    """A rate-limit reset header as seconds from now: delta-seconds, a Unix time, or an HTTP date."""
    if not value:
        return None
    current = now if now is not None else time.time()
    try:
        number = float(value.strip())
    except ValueError:
        return parse_retry_after(value, now=current)
    if not math.isfinite(number):
        return None
    if number > 1_000_000_000:  # a Unix time (GitHub, Okta), not a number of seconds
        return max(0.0, number - current)
    return max(0.0, number)


def default_rate_headers(response: requests.Response) -> RateBudget | None:
    """The common rate-limit header conventions: ``RateLimit-Limit/-Remaining/-Reset`` (IETF draft) and
    ``X-RateLimit-Limit/-Remaining/-Reset``. Vendor-specific names belong in a connector's ``rate_headers``."""
    headers = response.headers
    remaining = _header_number(headers, "RateLimit-Remaining", "X-RateLimit-Remaining")
    if remaining is None:
        return None
    limit = _header_number(headers, "RateLimit-Limit", "X-RateLimit-Limit")
    reset = parse_reset(headers.get("RateLimit-Reset") or headers.get("X-RateLimit-Reset"))
    return RateBudget(remaining=int(remaining), reset_after=reset, limit=int(limit) if limit else None)


@dataclasses.dataclass
class SessionStats:
    requests: int = 0
    retries: int = 0
    rate_limited: int = 0

    def __post_init__(self) -> None:
        self._lock = threading.Lock()

    def add(self, *, requests: int = 0, retries: int = 0, rate_limited: int = 0) -> None:
        with self._lock:
            self.requests += requests
            self.retries += retries
            self.rate_limited += rate_limited


# -- error mapping ----------------------------------------------------------------------------------

ErrorParser = Callable[[requests.Response], tuple[str, str]]


def default_error_parser(response: requests.Response) -> tuple[str, str]:
    """(vendor error code, message) from the common error body shapes; empty strings if none."""
    try:
        body: Any = response.json()
    except ValueError:
        return "", ""
    if isinstance(body, list) and body and isinstance(body[0], dict):
        body = body[0]
    if not isinstance(body, dict):
        return "", ""
    nested = body.get("error")
    if isinstance(nested, dict):
        return str(nested.get("code") or nested.get("status") or ""), str(nested.get("message") or "")
    errors = body.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        first = errors[0]
        return str(first.get("code") or first.get("errorCode") or ""), str(first.get("message") or "")
    code = body.get("errorCode") or body.get("code") or body.get("category") or (nested if nested else "")
    message = (body.get("message") or body.get("error_description") or body.get("errorSummary")
               or body.get("detail") or body.get("title") or "")
    return str(code), str(message)


_STATUS_ERRORS: dict[int, type[ApiError]] = {
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    429: RateLimitedError,
}


def raise_for_status(response: requests.Response, *, redactor: Redactor = default_redactor,
                     error_parser: ErrorParser = default_error_parser) -> None:
    """Raise the typed error for a non-2xx response. The message holds no secret."""
    status = response.status_code
    if status < 400:
        return
    code, detail = error_parser(response)
    url = redactor.redact_url(response.request.url or "") if response.request else ""
    method = response.request.method if response.request else "GET"
    path = urlsplit(url).path
    text = f"{method} {path} returned HTTP {status}" + (f" {code}" if code else "")
    if detail:
        text += f": {detail[:300]}"
    error_type = _STATUS_ERRORS.get(status, ServerError if status >= 500 else ApiError)
    raise error_type(redactor.redact(text), status=status, url=url, code=code)


# -- the session ------------------------------------------------------------------------------------


_PARSED_JSON = "_stackaudit_json"
_NOT_PARSED = object()
TRANSPORT_ERRORS = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError,
                    requests.exceptions.ContentDecodingError)


def decoded_json(response: requests.Response) -> tuple[bool, Any]:
    """(True, body) if the response body is JSON, else (False, None). Parsed once per response."""
    cached = getattr(response, _PARSED_JSON, _NOT_PARSED)
    if cached is not _NOT_PARSED:
        return True, cached
    try:
        body = json.loads(response.content)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return False, None
    setattr(response, _PARSED_JSON, body)
    return True, body


def _wants_json(response: requests.Response) -> bool:
    """A 2xx answer to a request that asked for JSON only (``Accept`` names nothing else)."""
    request = response.request
    if request is None or request.method == "HEAD" or not 200 <= response.status_code < 300:
        return False
    if response.status_code == 204:
        return False
    accept = str(request.headers.get("Accept", ""))
    return "json" in accept and "*/*" not in accept and "html" not in accept


class ApiSession(requests.Session):
    """A ``requests.Session`` that only reads, waits its turn, retries politely and fails typed."""

    def __init__(
        self,
        *,
        base_url: str = "",
        timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
        guard: ReadOnlyGuard | None = None,
        limiter: RateLimiter | None = None,
        retry: RetryPolicy | None = None,
        classify: Classifier = default_classify,
        error_parser: ErrorParser = default_error_parser,
        rate_headers: RateHeaderReader = default_rate_headers,
        redactor: Redactor = default_redactor,
        stats: SessionStats | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__()
        self.base_url = base_url.rstrip("/") + "/" if base_url else ""
        self.timeout = timeout
        self.guard = guard or ReadOnlyGuard()
        self.limiter = limiter or RateLimiter(None)
        self.retry = retry or RetryPolicy()
        self.classify = classify
        self.error_parser = error_parser
        self.rate_headers = rate_headers
        self.redactor = redactor
        self.stats = stats or SessionStats()
        self._sleep = sleep
        self.headers["User-Agent"] = USER_AGENT
        self.headers["Accept"] = "application/json"
        for prefix in ("https://", "http://"):
            self.mount(prefix, requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=POOL_SIZE))

    def url(self, path: str) -> str:
        if path.startswith(("http://", "https://")) or not self.base_url:
            return path
        return urljoin(self.base_url, path.lstrip("/"))

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        method = method.decode() if isinstance(method, bytes) else method
        url = self.url(url.decode() if isinstance(url, bytes) else url)
        self.guard.check(method, url)
        kwargs.setdefault("timeout", self.timeout)
        attempt = 0
        while True:
            attempt += 1
            last = attempt >= self.retry.attempts
            entry = self.limiter.acquire()
            self.stats.add(requests=1)
            try:
                with self.limiter.slot():
                    response = super().request(method, url, *args, **kwargs)
            except TRANSPORT_ERRORS as exc:
                self.limiter.answered(entry)
                if last:
                    raise self._transport_error(method, url, attempt, exc) from None
                self._wait(attempt, Retry(reason=type(exc).__name__))
                continue
            self.limiter.answered(entry)
            self._observe(response)
            verdict = self.classify(response)
            if verdict is None and _wants_json(response) and not decoded_json(response)[0]:
                # Cut short on the way, or a proxy's or login page's HTML with status 200.
                verdict = Retry(reason=f"HTTP {response.status_code} with a body that is not JSON")
            if verdict is None:
                return response
            if verdict.rate_limited:
                self.stats.add(rate_limited=1)
            if last:
                return response  # the caller's raise_for_status / json_of turns it into a typed error
            response.close()
            self._wait(attempt, verdict)

    def _observe(self, response: requests.Response) -> None:
        try:
            budget = self.rate_headers(response)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:  # headers are the vendor's to garble
            log.debug("ignored unreadable rate-limit headers (%s)", type(exc).__name__)
            return
        if budget is not None:
            self.limiter.observe(budget)

    def _transport_error(self, method: str, url: str, attempt: int, exc: Exception) -> ApiError:
        if isinstance(exc, requests.Timeout):
            kind = "timed out"
        elif isinstance(exc, requests.ConnectionError):
            kind = "could not connect"
        else:
            kind = "was cut off"
        safe_url = self.redactor.redact_url(url)
        return ApiError(f"{method} {urlsplit(safe_url).path} {kind} after {attempt} attempts", url=safe_url,
                        fix="check the connection's base_url and the network path to the vendor")

    def _wait(self, attempt: int, verdict: Retry) -> None:
        self.stats.add(retries=1)
        if verdict.after is not None:
            wait = min(verdict.after, self.retry.max_wait)
        else:
            wait = min(self.retry.backoff * 2 ** (attempt - 1), self.retry.max_wait)
            wait *= 0.5 + random.random() / 2  # jitter, so parallel sweeps do not retry in lockstep
        if verdict.rate_limited:
            self.limiter.pause(wait)
        log.debug("retrying after %.2fs (%s)", wait, verdict.reason)
        self._sleep(wait)

    def get_json(self, path: str, *, params: Mapping[str, Any] | None = None,
                 headers: Mapping[str, str] | None = None) -> Any:
        """GET a JSON document, raising a typed error for any failure (including a non-JSON body)."""
        response = self.get(path, params=params, headers=headers)
        return self.json_of(response)

    def json_of(self, response: requests.Response) -> Any:
        raise_for_status(response, redactor=self.redactor, error_parser=self.error_parser)
        ok, body = decoded_json(response)
        if ok:
            return body
        path = urlsplit(response.request.url or "").path if response.request else ""
        content_type = response.headers.get("Content-Type", "unknown")
        raise ApiError(
            f"GET {path} returned HTTP {response.status_code} with a body that is not JSON ({content_type})",
            status=response.status_code,
            fix="check that base_url points at the vendor's API, not a login page or proxy; "
                "if it does, the vendor answered garbled data: re-run the scan",
        )


def make_session(
    *,
    base_url: str = "",
    rate_limit: RateLimit | None = None,
    read_only_requests: Iterable[ReadOnlyRequest] = (),
    timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
    retry: RetryPolicy | None = None,
    classify: Classifier = default_classify,
    error_parser: ErrorParser = default_error_parser,
    rate_headers: RateHeaderReader = default_rate_headers,
    redactor: Redactor = default_redactor,
    stats: SessionStats | None = None,
    limiter: RateLimiter | None = None,
) -> ApiSession:
    """The one way connectors get a session. See the module docstring for what it guarantees."""
    return ApiSession(
        base_url=base_url,
        timeout=timeout,
        guard=ReadOnlyGuard(read_only_requests),
        limiter=limiter or RateLimiter(rate_limit),
        retry=retry,
        classify=classify,
        error_parser=error_parser,
        rate_headers=rate_headers,
        redactor=redactor,
        stats=stats,
    )


# -- pagination -------------------------------------------------------------------------------------

T = TypeVar("T")
Page = tuple[list[T], str | None]


def follow_cursor(fetch: Callable[[str | None], Page[T]], *, what: str, max_pages: int = 100_000) -> Iterator[T]:
    """Yield items page by page. ``fetch(cursor)`` returns ``(items, next_cursor or None)``.

    A cursor that repeats would loop forever or return duplicates; it raises :class:`PaginationError`
    instead, so nobody gets a silently truncated listing.
    """
    seen: set[str] = set()
    cursor: str | None = None
    for _ in range(max_pages):
        items, cursor = fetch(cursor)
        yield from items
        if not cursor:
            return
        if cursor in seen:
            raise PaginationError(f"{what}: the vendor returned the same page cursor twice; listing aborted",
                                  fix="re-run the scan; if it persists, report it to the vendor")
        seen.add(cursor)
    raise PaginationError(f"{what}: more than {max_pages} pages; listing aborted")


def follow_offset(fetch: Callable[[int], tuple[list[T], int]], *, what: str, page_size: int) -> Iterator[T]:
    """Yield items from an offset/limit API. ``fetch(offset)`` returns ``(items, total)``.

    Stops when ``total`` items were read; a short or empty page before that raises :class:`PaginationError`.
    """
    offset = 0
    total: int | None = None
    while total is None or offset < total:
        items, page_total = fetch(offset)
        total = page_total if total is None else total
        if not items and offset < total:
            raise PaginationError(f"{what}: page at offset {offset} was empty but {total} items were announced")
        yield from items
        offset += len(items)
        if len(items) < page_size and offset < total:
            raise PaginationError(f"{what}: short page at offset {offset - len(items)} "
                                  f"({len(items)} < {page_size}) before the announced total {total}")


def follow_links(session: ApiSession, path: str, *, what: str, params: Mapping[str, Any] | None = None,
                 ) -> Iterator[Any]:
    """Yield items from an API that pages with ``Link: <…>; rel="next"`` headers (Okta, GitHub)."""

    state: dict[str, Any] = {"params": params}

    def fetch(cursor: str | None) -> Page[Any]:
        response = session.get(cursor or path, params=None if cursor else state["params"])
        body = session.json_of(response)
        if not isinstance(body, list):
            raise ApiError(f"{what}: expected a JSON list, got {type(body).__name__}")
        next_link = response.links.get("next", {}).get("url")
        return body, next_link

    return follow_cursor(fetch, what=what)
