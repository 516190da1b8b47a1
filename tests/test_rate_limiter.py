"""The per-connection rate limiter keeps every window within the documented limit."""

from __future__ import annotations

import pytest

from stackaudit.http import RateLimit, RateLimiter


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def send_times(limit: RateLimit, count: int) -> list[float]:
    clock = FakeClock()
    limiter = RateLimiter(limit, clock=clock, sleep=clock.sleep)
    times = []
    for _ in range(count):
        limiter.acquire()
        times.append(clock.now)
    return times


def test_no_window_ever_holds_more_than_the_documented_limit() -> None:
    limit = RateLimit(100, 60.0)
    times = send_times(limit, 350)
    for i, start in enumerate(times):
        in_window = [t for t in times[i:] if t - start < limit.per_seconds]
        assert len(in_window) <= limit.requests, f"{len(in_window)} requests in the minute from t={start}"


def test_a_full_window_is_sent_at_once_and_the_next_waits_for_the_window_plus_the_margin() -> None:
    times = send_times(RateLimit(100, 60.0), 201)
    window = 60.0 * 1.02  # the default 2 % margin (at least 50 ms) for requests that arrive late
    assert times[99] == 0.0  # the first hundred need not wait
    assert times[100] == pytest.approx(window)
    assert times[200] == pytest.approx(2 * window)


def test_pause_holds_every_caller() -> None:
    clock = FakeClock()
    limiter = RateLimiter(RateLimit(10, 1.0), clock=clock, sleep=clock.sleep)
    limiter.pause(5.0)
    limiter.acquire()
    assert clock.now == 5.0


def test_no_limit_never_waits() -> None:
    clock = FakeClock()
    limiter = RateLimiter(None, clock=clock, sleep=clock.sleep)
    for _ in range(1000):
        limiter.acquire()
    assert clock.now == 0.0
