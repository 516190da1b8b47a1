"""The shared HTTP layer: retries, the read-only guard, error mapping, pagination, rate limiting."""

from __future__ import annotations

import pytest
import requests
import responses

from stackaudit import ReadOnlyRequest
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
from stackaudit.http import (
    ApiSession,
    RateLimit,
    RateLimiter,
    ReadOnlyGuard,
    RetryPolicy,
    follow_cursor,
    follow_links,
    follow_offset,
    make_session,
    parse_retry_after,
)
from stackaudit.redaction import Redactor

API = "https://api.vendor.example"


def quiet_session(**kwargs) -> tuple[ApiSession, list[float]]:  # type: ignore[no-untyped-def]
    waits: list[float] = []
    session = ApiSession(base_url=API, redactor=Redactor(), sleep=waits.append, **kwargs)
    return session, waits


@responses.activate
@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_is_honoured_then_the_request_succeeds(status: int) -> None:
    responses.get(f"{API}/items", status=status, headers={"Retry-After": "7"})
    responses.get(f"{API}/items", json={"ok": True})
    session, waits = quiet_session()
    assert session.get_json("/items") == {"ok": True}
    assert waits == [7.0]
    assert session.stats.requests == 2
    assert session.stats.retries == 1
    assert session.stats.rate_limited == (1 if status == 429 else 0)


@responses.activate
def test_retries_are_bounded_and_end_in_a_typed_error() -> None:
    responses.get(f"{API}/items", status=503)
    session, waits = quiet_session(retry=RetryPolicy(attempts=3, backoff=0.5, max_wait=10))
    with pytest.raises(ServerError, match="HTTP 503"):
        session.get_json("/items")
    assert len(responses.calls) == 3
    assert len(waits) == 2
    assert 0.25 <= waits[0] <= 0.5
    assert 0.5 <= waits[1] <= 1.0  # exponential backoff with jitter


@responses.activate
def test_connection_errors_are_retried_then_reported_without_secrets() -> None:
    responses.get(f"{API}/items", body=requests.ConnectionError("reset"))
    session, _ = quiet_session(retry=RetryPolicy(attempts=2))
    with pytest.raises(ApiError) as raised:
        session.get("/items", params={"api_key": "sekret-value-9"})
    assert "could not connect after 2 attempts" in str(raised.value)
    assert "sekret-value-9" not in str(raised.value) + raised.value.url


def test_retry_after_accepts_seconds_and_http_dates() -> None:
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480.0) == 10.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


@responses.activate
@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_the_guard_refuses_mutating_requests_before_they_leave(method: str) -> None:
    session = make_session(base_url=API)
    with pytest.raises(ReadOnlyViolation, match=f"refused {method} /users/1"):
        session.request(method, "/users/1")
    assert len(responses.calls) == 0


@responses.activate
def test_declared_read_only_post_is_allowed_and_nothing_else() -> None:
    responses.post(f"{API}/oauth/token", json={"access_token": "x"})
    session = make_session(base_url=API, read_only_requests=[ReadOnlyRequest("POST", r"/oauth/token$")])
    assert session.post("/oauth/token", data={"grant_type": "client_credentials"}).status_code == 200
    with pytest.raises(ReadOnlyViolation):
        session.post("/oauth/token/revoke")
    with pytest.raises(ReadOnlyViolation):
        session.delete("/oauth/token")
    guard = ReadOnlyGuard([ReadOnlyRequest("POST", r"/query$")])
    guard.check("GET", f"{API}/anything")
    guard.check("HEAD", f"{API}/anything")
    with pytest.raises(ReadOnlyViolation):
        guard.check("OPTIONS", f"{API}/anything")


@responses.activate
@pytest.mark.parametrize(("status", "error"), [(401, AuthenticationError), (403, PermissionDeniedError),
                                               (404, NotFoundError), (429, RateLimitedError),
                                               (500, ServerError), (400, ApiError)])
def test_status_codes_map_to_typed_errors_in_one_place(status: int, error: type[ApiError]) -> None:
    responses.get(f"{API}/x", status=status, json={"errorCode": "E_CODE", "message": "explained"})
    session, _ = quiet_session(retry=RetryPolicy(attempts=1))
    with pytest.raises(error) as raised:
        session.get_json("/x", params={"access_token": "leaky-token-123"})
    assert raised.value.status == status
    assert raised.value.code == "E_CODE"
    assert "explained" in str(raised.value)
    assert "leaky-token-123" not in str(raised.value)
    assert "leaky-token-123" not in raised.value.url


@responses.activate
def test_html_page_with_status_200_is_a_clear_error() -> None:
    responses.get(f"{API}/x", body="<html>Sign in</html>", content_type="text/html")
    session, _ = quiet_session()
    with pytest.raises(ApiError, match="not JSON") as raised:
        session.get_json("/x")
    assert "base_url" in raised.value.fix


@responses.activate
def test_every_request_has_a_timeout() -> None:
    seen: list[object] = []

    def capture(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        return 200, {}, "{}"

    responses.add_callback(responses.GET, f"{API}/x", callback=capture)
    session = make_session(base_url=API)
    original = requests.Session.send

    def spy(self, request, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(kwargs.get("timeout"))
        return original(self, request, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(requests.Session, "send", spy)
        session.get("/x")
    assert seen == [(10.0, 60.0)]


def test_follow_cursor_yields_every_page_and_refuses_a_repeated_cursor() -> None:
    pages = {None: ([1, 2], "a"), "a": ([3], "b"), "b": ([4], None)}
    assert list(follow_cursor(lambda c: pages[c], what="items")) == [1, 2, 3, 4]
    looping = {None: ([1], "a"), "a": ([2], "b"), "b": ([3], "a")}
    with pytest.raises(PaginationError, match="same page cursor twice"):
        list(follow_cursor(lambda c: looping[c], what="items"))


def test_follow_offset_refuses_short_and_empty_pages() -> None:
    data = list(range(25))
    assert list(follow_offset(lambda o: (data[o:o + 10], 25), what="x", page_size=10)) == data
    with pytest.raises(PaginationError, match="short page"):
        list(follow_offset(lambda o: (data[o:o + 5], 25), what="x", page_size=10))
    with pytest.raises(PaginationError, match="empty"):
        list(follow_offset(lambda o: ([], 3), what="x", page_size=10))


@responses.activate
def test_follow_links_pages_through_link_headers() -> None:
    responses.get(f"{API}/users", json=[{"id": 1}], headers={"Link": f'<{API}/users?after=1>; rel="next"'})
    responses.get(f"{API}/users?after=1", json=[{"id": 2}])
    session = make_session(base_url=API)
    assert [u["id"] for u in follow_links(session, "/users", what="users")] == [1, 2]


def test_limiter_never_exceeds_the_limit_in_any_rolling_window() -> None:
    now = [0.0]
    sent: list[float] = []

    def sleep(seconds: float) -> None:
        now[0] += seconds

    limiter = RateLimiter(RateLimit(requests=10, per_seconds=1.0), clock=lambda: now[0], sleep=sleep)
    for _ in range(35):
        limiter.acquire()
        sent.append(now[0])
    for i, t in enumerate(sent):
        assert sum(1 for u in sent[i:] if u - t < 1.0) <= 10
    # 35 requests at 10 per rolling second: the last batch starts after three windows (each widened by 50 ms)
    assert now[0] == pytest.approx(3 * 1.05)
    limiter.pause(5)
    before = now[0]
    limiter.acquire()
    assert now[0] - before >= 5
