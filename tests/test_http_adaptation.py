"""The HTTP layer under pressure: rate-limit headers feeding the limiter, garbled bodies, cut-off transfers,
and the connector-side concurrency helpers (``ScanContext.sweep`` / ``together``)."""

from __future__ import annotations

import threading
import time

import pytest
import requests
import responses

from stackaudit import Connector, CredentialSpec, ScanContext
from stackaudit.errors import ApiError
from stackaudit.http import (
    ApiSession,
    RateBudget,
    RateLimit,
    RateLimiter,
    RetryPolicy,
    default_rate_headers,
    parse_reset,
)
from stackaudit.redaction import Redactor

API = "https://api.vendor.example"


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def limiter(requests_: int, per: float, clock: FakeClock) -> RateLimiter:
    return RateLimiter(RateLimit(requests_, per), clock=clock, sleep=clock.sleep, margin=0)


# -- rate-limit headers ----------------------------------------------------------------------------


def response_with(headers: dict[str, str]) -> requests.Response:
    response = requests.Response()
    response.status_code = 200
    response.headers.update(headers)
    return response


def test_default_reader_knows_the_common_header_conventions() -> None:
    ietf = default_rate_headers(response_with({"RateLimit-Limit": "100", "RateLimit-Remaining": "7",
                                               "RateLimit-Reset": "12"}))
    assert ietf == RateBudget(remaining=7, reset_after=12.0, limit=100)
    github = default_rate_headers(response_with({"X-RateLimit-Remaining": "0",
                                                 "X-RateLimit-Reset": str(int(time.time()) + 30)}))
    assert github is not None and github.remaining == 0
    assert github.reset_after == pytest.approx(30, abs=1.5)
    assert default_rate_headers(response_with({"Content-Type": "application/json"})) is None


def test_reset_is_read_as_seconds_unix_time_or_http_date() -> None:
    assert parse_reset("5", now=1000.0) == 5.0
    assert parse_reset("1700000030", now=1700000000.0) == 30.0
    assert parse_reset("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480.0) == 10.0
    assert parse_reset("soon", now=0.0) is None


def test_requests_other_integrations_spent_are_entered_in_the_window() -> None:
    clock = FakeClock()
    limit = limiter(10, 1.0, clock)
    limit.acquire()
    # The vendor counts 8 of its 10 in this window: 7 were someone else's, so only 2 are left for us.
    limit.observe(RateBudget(remaining=2, reset_after=None, limit=10, window=1.0))
    limit.acquire()
    limit.acquire()
    assert clock.now == 0.0
    limit.acquire()  # the window is full now: wait for it to roll
    assert clock.now == pytest.approx(1.0)


def test_a_request_counts_from_its_answer_so_a_late_departure_never_crowds_the_window() -> None:
    clock = FakeClock()
    limit = limiter(2, 1.0, clock)
    first = limit.acquire()
    limit.acquire()
    clock.now = 0.4  # the first request's answer comes back only now: the vendor may have counted it late
    limit.answered(first)
    limit.acquire()  # waits for the second (counted from 0.0) to leave the window
    assert clock.now == pytest.approx(1.0)
    limit.acquire()  # and for the first, counted from its answer
    assert clock.now == pytest.approx(1.4, abs=0.01)


def test_a_fixed_window_reset_frees_the_budget_when_the_vendor_says() -> None:
    clock = FakeClock()
    limit = limiter(10, 1.0, clock)
    limit.observe(RateBudget(remaining=0, reset_after=0.25, limit=10, window=1.0))
    limit.acquire()
    assert clock.now == pytest.approx(0.25)


def test_a_lower_announced_limit_is_adopted_and_a_higher_one_is_not() -> None:
    clock = FakeClock()
    limit = limiter(100, 10.0, clock)
    limit.observe(RateBudget(limit=190, window=10.0))
    assert (limit.requests, limit.per_seconds) == (100, 10.0)
    limit.observe(RateBudget(limit=20, window=10.0))
    assert (limit.requests, limit.per_seconds) == (20, 10.0)
    for _ in range(21):
        limit.acquire()
    assert clock.now == pytest.approx(10.0)


def test_without_a_comparable_limit_an_exhausted_budget_pauses_until_the_reset() -> None:
    clock = FakeClock()
    unlimited = RateLimiter(None, clock=clock, sleep=clock.sleep)
    unlimited.observe(RateBudget(remaining=0, reset_after=3.0))
    unlimited.acquire()
    assert clock.now == pytest.approx(3.0)
    # A daily quota's reset is not sat out: the vendor's refusal ends the scan instead of a day-long pause.
    unlimited.observe(RateBudget(remaining=0, reset_after=20_000.0))
    unlimited.acquire()
    assert clock.now == pytest.approx(3.0)


@responses.activate
def test_the_session_feeds_every_response_to_the_limiter_including_refusals() -> None:
    seen: list[RateBudget] = []

    class Recorder(RateLimiter):
        def observe(self, budget: RateBudget) -> None:
            seen.append(budget)

    responses.get(f"{API}/a", status=429, headers={"Retry-After": "0", "X-RateLimit-Remaining": "0",
                                                     "X-RateLimit-Reset": "1"})
    responses.get(f"{API}/a", json={}, headers={"X-RateLimit-Remaining": "41"})
    session = ApiSession(base_url=API, redactor=Redactor(), sleep=lambda s: None, limiter=Recorder(None))
    session.get_json("/a")
    assert [b.remaining for b in seen] == [0, 41]


@responses.activate
def test_garbled_rate_headers_do_not_fail_the_request() -> None:
    responses.get(f"{API}/a", json={"ok": 1}, headers={"X-RateLimit-Remaining": "many"})

    def reader(response: requests.Response) -> RateBudget:
        return RateBudget(remaining=int(response.headers["X-RateLimit-Remaining"]))

    session = ApiSession(base_url=API, redactor=Redactor(), rate_headers=reader)
    assert session.get_json("/a") == {"ok": 1}


# -- bodies that are not what was asked for --------------------------------------------------------


@responses.activate
@pytest.mark.parametrize("body", ['{"items": [1, 2', "<html><h1>502 Bad Gateway</h1></html>", ""])
def test_a_2xx_body_that_is_not_json_is_retried_like_a_5xx(body: str) -> None:
    responses.get(f"{API}/items", body=body, status=200, content_type="text/html" if "<" in body else
                  "application/json")
    responses.get(f"{API}/items", json={"items": [1, 2, 3]})
    waits: list[float] = []
    session = ApiSession(base_url=API, redactor=Redactor(), sleep=waits.append)
    assert session.get_json("/items") == {"items": [1, 2, 3]}
    assert len(responses.calls) == 2
    assert len(waits) == 1 and session.stats.retries == 1


@responses.activate
def test_a_caller_that_accepts_html_gets_the_page_without_retries() -> None:
    responses.get(f"{API}/", body="<html>home</html>", content_type="text/html")
    session = ApiSession(base_url=API, redactor=Redactor(), sleep=lambda s: None)
    response = session.get("/", headers={"Accept": "application/json, text/html;q=0.1"})
    assert response.text == "<html>home</html>"
    assert len(responses.calls) == 1


@responses.activate
def test_a_transfer_cut_off_midway_is_retried_then_reported_typed() -> None:
    responses.get(f"{API}/items", body=requests.exceptions.ChunkedEncodingError("IncompleteRead(10 bytes read)"))
    responses.get(f"{API}/items", json={"ok": True})
    session = ApiSession(base_url=API, redactor=Redactor(), sleep=lambda s: None)
    assert session.get_json("/items") == {"ok": True}

    responses.reset()
    responses.get(f"{API}/items", body=requests.exceptions.ChunkedEncodingError("IncompleteRead"))
    session = ApiSession(base_url=API, redactor=Redactor(), sleep=lambda s: None, retry=RetryPolicy(attempts=3))
    with pytest.raises(ApiError, match="was cut off after 3 attempts"):
        session.get_json("/items")


# -- concurrency inside a connector ---------------------------------------------------------------


class Nothing(Connector):
    id = "nothing"
    title = "Nothing"
    vendor = "nothing"
    category = "test"
    description = "test connector"
    credentials = CredentialSpec(fields=(), combinations=((),))

    def collect(self, ctx: ScanContext) -> None:
        pass


def context() -> ScanContext:
    return ScanContext(connection="t", connector=Nothing, base_url=API, credentials={}, options={})


def test_sweep_runs_reads_concurrently_and_keeps_the_items_order() -> None:
    ctx = context()
    running = 0
    peak = 0
    lock = threading.Lock()

    def read(n: int) -> int:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        time.sleep(0.02)
        with lock:
            running -= 1
        return n * n

    started = time.perf_counter()
    assert list(ctx.sweep(read, range(40), workers=8)) == [n * n for n in range(40)]
    assert peak > 1
    assert peak <= 8
    assert time.perf_counter() - started < 40 * 0.02 / 2


def test_sweep_takes_items_lazily_and_holds_only_a_few_results() -> None:
    ctx = context()
    taken = 0

    def items():  # type: ignore[no-untyped-def]
        nonlocal taken
        for n in range(1000):
            taken += 1
            yield n

    sweep = ctx.sweep(lambda n: n, items(), workers=4)
    assert next(sweep) == 0
    assert taken <= 2 * 4 + 1
    sweep.close()


def test_sweep_raises_the_first_failure_in_order() -> None:
    ctx = context()

    def read(n: int) -> int:
        if n == 5:
            raise ApiError("item 5 refused")
        return n

    got: list[int] = []

    def take_all() -> None:
        for n in ctx.sweep(read, range(20), workers=4):
            got.append(n)

    with pytest.raises(ApiError, match="item 5"):
        take_all()
    assert got == [0, 1, 2, 3, 4]


def test_workers_follow_the_vendors_concurrency_cap() -> None:
    class Capped(Nothing):
        rate_limit = RateLimit(100, 20.0, concurrency=3)

    ctx = ScanContext(connection="t", connector=Capped, base_url=API, credentials={}, options={})
    assert ctx.workers == 3
    assert context().workers == 8


def test_together_runs_families_at_once_and_returns_results_in_order() -> None:
    ctx = context()
    barrier = threading.Barrier(3, timeout=5)

    def family(name: str) -> str:
        barrier.wait()  # only passes if all three run at the same time
        return name

    assert ctx.together(lambda: family("users"), lambda: family("apps"), lambda: family("hooks")) == [
        "users", "apps", "hooks"]


def test_together_waits_for_every_family_before_raising() -> None:
    ctx = context()
    finished: list[str] = []

    def slow() -> None:
        time.sleep(0.05)
        finished.append("slow")

    def failing() -> None:
        raise ApiError("refused")

    with pytest.raises(ApiError, match="refused"):
        ctx.together(failing, slow)
    assert finished == ["slow"]
