"""Marketo Engage connector: documented payloads (validated against the official Swagger files), both paging
styles, the 200-with-error conventions (601 refresh, 606/615 retry, 607 stop, 603 gap), and the emulator."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses
from stackaudit_marketo import MarketoConnector, MarketoEmulator, client, connector
from stackaudit_marketo.transform import parse_time

from stackaudit import (
    Account,
    AccountKind,
    AuthenticationError,
    Credential,
    Flow,
    Integration,
    RateLimitedError,
    System,
    SystemKind,
    TriState,
)
from stackaudit.emulator import Emulator, demo_scenario
from stackaudit.model import CoverageStatus
from stackaudit.testing import make_context, run_connector, scan_emulated
from stackaudit.testing.vendor_specs import require_spec

BASE = "https://612-NWO-318.mktorest.com"
CREDENTIALS = {"client_id": "8f2c6d1e-4b7a-4c9e-a3d5-6e1f0b9c7a24", "client_secret": "s3cret-client-value-42"}
SCANNER = "audit-api@northwind.example"

# -- documented payloads ------------------------------------------------------------------------------
# Every test answer comes from these builders; test_payloads_match_the_official_swagger checks each against
# Adobe's Swagger files (vendor-specs/marketo).


def token_body(token: str) -> dict[str, Any]:
    return {"access_token": token, "token_type": "bearer", "expires_in": 3599, "scope": SCANNER}


def user_summary(uid: int, userid: str, *, api_only: bool = False, first: str = "Pat", last: str = "Doe",
                 email: str = "") -> dict[str, Any]:
    return {"userid": userid, "firstName": first, "lastName": last, "emailAddress": email or userid, "id": uid,
            "apiOnly": api_only}


def user_detail(uid: int, userid: str, *, api_only: bool = False, first: str = "Pat", last: str = "Doe",
                email: str = "", roles: tuple[tuple[int, str, int, str], ...] = ((2, "Marketing User", 1, "Default"),),
                locked_reason: str = "", last_login: str = "2026-10-01T09:00:00.000t+0000",
                expires: str = "2099-12-31T08:00:00.000t+0000") -> dict[str, Any]:
    return {
        "userid": userid, "firstName": first, "lastName": last, "emailAddress": email or userid,
        "optedIn": False, "failedLogins": 0, "failedDeviceCode": 0, "isLocked": bool(locked_reason),
        "lockedReason": locked_reason, "id": uid, "apiOnly": api_only,
        "userRoleWorkspaces": [{"accessRoleId": rid, "accessRoleName": role, "workspaceId": wid, "workspaceName": ws}
                               for rid, role, wid, ws in roles],
        "expiresAt": expires, "lastLoginAt": last_login,
    }


def program(pid: int, *, sfdc: tuple[str, str] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": pid, "name": f"Program {pid}", "description": "", "createdAt": "2025-03-01T10:00:00Z+0000",
        "updatedAt": "2025-06-01T10:00:00Z+0000", "url": f"https://app-lon06.marketo.com/#PG{pid}A1",
        "type": "program", "channel": "Email Send", "folder": {"id": 15, "type": "Folder"}, "status": "unlocked",
        "workspace": "Default",
    }
    if sfdc:
        body["sfdcId"], body["sfdcName"] = sfdc
    return body


def asset_page(result: list[dict[str, Any]]) -> dict[str, Any]:
    if not result:  # past the last asset Marketo answers a warning and no result
        return {"requestId": "1a2b#18c", "success": True, "errors": [],
                "warnings": ["No assets found for the given search criteria."]}
    return {"requestId": "1a2b#18c", "success": True, "errors": [], "warnings": [], "result": result}


def campaign(cid: int, *, kind: str = "batch", active: bool = False) -> dict[str, Any]:
    return {"id": cid, "name": f"Campaign {cid}", "description": "", "type": kind, "programName": "Program 1",
            "programId": 1, "workspaceName": "Default", "createdAt": "2025-03-01T10:00:00Z",
            "updatedAt": "2025-03-02T10:00:00Z", "active": active}


def lead_page(result: list[dict[str, Any]], next_token: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"requestId": "e42b#14272d07d78", "success": True, "errors": [], "warnings": [],
                            "result": result}
    if next_token:
        body["nextPageToken"] = next_token
    return body


def usage_body(days: dict[str, dict[str, int]]) -> dict[str, Any]:
    return lead_page([{"date": f"{day}T00:00:00Z", "total": sum(users.values()),
                       "users": [{"userId": u, "count": c} for u, c in users.items()]}
                      for day, users in days.items()])


def rest_error(code: str, message: str) -> dict[str, Any]:
    return {"requestId": "e42b#14272d07d78", "success": False, "errors": [{"code": code, "message": message}]}


def user_api_error(code: int, message: str) -> dict[str, Any]:
    return {"errors": [{"code": code, "message": message}]}


# -- a fake instance on `responses` -------------------------------------------------------------------

USERS_URL = BASE + client.USERS_PATH
USER_URL = re.compile(re.escape(BASE) + r"/userservice/management/v1/users/([^/]+)/user\.json", re.IGNORECASE)
PROGRAMS_URL = BASE + client.PROGRAMS_PATH
CAMPAIGNS_URL = BASE + client.CAMPAIGNS_PATH
USAGE_URL = BASE + client.USAGE_TODAY_PATH
WEEK_URL = BASE + client.USAGE_WEEK_PATH
TOKEN_URL = BASE + client.TOKEN_PATH


class FakeInstance:
    """Serves the documented payloads with Marketo's paging; ``queue`` answers first (errors, say)."""

    def __init__(self, *, users: list[dict[str, Any]] | None = None, programs: list[dict[str, Any]] | None = None,
                 campaigns: list[dict[str, Any]] | None = None) -> None:
        self.details = users or []
        self.programs = programs or []
        self.campaigns = campaigns or []
        self.queue: dict[str, list[tuple[int, Any]]] = {}
        self.tokens: list[str] = []
        responses.add_callback(responses.POST, TOKEN_URL, callback=self._token)
        for url, answer in ((USERS_URL, self._users), (USER_URL, self._user), (PROGRAMS_URL, self._programs),
                            (CAMPAIGNS_URL, self._campaigns), (USAGE_URL, self._usage), (WEEK_URL, self._usage)):
            responses.add_callback(responses.GET, url, callback=self._serve(answer))

    def _token(self, request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        self.tokens.append(f"tok-{len(self.tokens) + 1}-c0ffee:lon")
        return 200, {"Content-Type": "application/json"}, json.dumps(token_body(self.tokens[-1]))

    def _serve(self, answer: Callable[[requests.PreparedRequest, dict[str, str]], tuple[int, Any]]) -> Any:
        def callback(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
            path = urlsplit(request.url or "").path
            key = "user.json" if path.endswith("/user.json") else path
            pending = self.queue.get(key)
            status, body = pending.pop(0) if pending else answer(request, _params(request))
            return status, {"Content-Type": "application/json"}, json.dumps(body)
        return callback

    def _users(self, request: requests.PreparedRequest, params: dict[str, str]) -> tuple[int, Any]:
        offset, size = int(params.get("pageOffset", 0)), int(params.get("pageSize", 20))
        return 200, [user_summary(u["id"], u["userid"], api_only=u["apiOnly"], first=u["firstName"],
                                  last=u["lastName"], email=u["emailAddress"])
                     for u in self.details[offset: offset + size]]

    def _user(self, request: requests.PreparedRequest, params: dict[str, str]) -> tuple[int, Any]:
        match = USER_URL.match(request.url or "")
        userid = match.group(1) if match else ""
        found = [u for u in self.details if u["userid"] == userid]
        return (200, found[0]) if found else (404, user_api_error(610, "User not found"))

    def _programs(self, request: requests.PreparedRequest, params: dict[str, str]) -> tuple[int, Any]:
        offset, size = int(params.get("offset", 0)), int(params.get("maxReturn", 20))
        return 200, asset_page(self.programs[offset: offset + size])

    def _campaigns(self, request: requests.PreparedRequest, params: dict[str, str]) -> tuple[int, Any]:
        offset = int(params["nextPageToken"].removeprefix("TOKEN")) if "nextPageToken" in params else 0
        size = int(params.get("batchSize", 300))
        more = offset + size < len(self.campaigns)
        return 200, lead_page(self.campaigns[offset: offset + size], f"TOKEN{offset + size}" if more else None)

    def _usage(self, request: requests.PreparedRequest, params: dict[str, str]) -> tuple[int, Any]:
        return 200, usage_body({"2026-11-20": {"sync@northwind.example": 900, SCANNER: 12}})


def _params(request: requests.PreparedRequest) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(request.url or "").query).items()}


def calls_to(url: str | re.Pattern[str]) -> list[Any]:
    def hit(call_url: str) -> bool:
        bare = call_url.split("?", 1)[0]  # requests lower-cases the host
        return bool(url.match(bare)) if isinstance(url, re.Pattern) else bare.lower() == url.lower()
    return [c for c in responses.calls if hit(c.request.url or "")]


def scan(**kwargs: Any) -> Any:
    return run_connector(MarketoConnector, base_url=BASE, credentials=CREDENTIALS, **kwargs)


NORTHWIND_USERS = [
    user_detail(1001, "chloe.martin@northwind.example", first="Chloe", last="Martin",
                roles=((1, "Admin", 0, "AllZones"), (2, "Standard User", 1008, "World"))),
    user_detail(1004, "gus.novak@northwind.example", first="Gus", last="Novak",
                locked_reason="Locked by administrator", last_login="2026-05-01T09:00:00.000t+0000"),
    user_detail(1005, "erin.walsh@northwind.example", first="Erin", last="Walsh",
                expires="2026-01-31T08:00:00.000t+0000"),
    user_detail(2001, "sync@northwind.example", api_only=True, first="Salesforce", last="Sync",
                email="chloe.martin@northwind.example", roles=((101, "API - Salesforce Sync", 0, "AllZones"),)),
    user_detail(2002, "zapier-marketo@northwind.example", api_only=True, first="Zapier", last="Marketo",
                email="dev.patel@northwind.example", roles=((102, "API - Read-Write", 1, "Default"),)),
    user_detail(2003, SCANNER, api_only=True, first="Audit", last="API", email="ana.lima@northwind.example",
                roles=((103, "API - Read-Only Audit", 0, "AllZones"),)),
]
NORTHWIND_PROGRAMS = [program(1001, sfdc=("7015g000001AbCdAAK", "Spring Webinar 2025")), program(1002),
                      program(1003, sfdc=("7015g000001AbCeAAK", "Outdoor Retailer 2025"))]
NORTHWIND_CAMPAIGNS = [campaign(2001, kind="trigger", active=True), campaign(2002), campaign(2003)]


# -- the official Swagger files ------------------------------------------------------------------------


def documented_payloads() -> list[tuple[str, dict[str, Any], Any]]:
    """(spec file, where to look in it, payload) for every payload shape the tests serve."""
    detail = NORTHWIND_USERS[0]
    return [
        ("swagger-identity.json", {"method": "POST", "path": client.TOKEN_PATH}, token_body("tok-1-c0ffee:lon")),
        ("swagger-user.json", {"path": client.USERS_PATH},
         [user_summary(u["id"], u["userid"], api_only=u["apiOnly"]) for u in NORTHWIND_USERS]),
        *[("swagger-user.json", {"path": "/userservice/management/v1/users/x@y.z/user.json"}, u)
          for u in NORTHWIND_USERS],
        ("swagger-user.json", {"schema": "Error"}, user_api_error(610, "User not found")["errors"][0]),
        ("swagger-user.json", {"schema": "Error"}, user_api_error(603, "Access denied")["errors"][0]),
        ("swagger-asset.json", {"path": client.PROGRAMS_PATH}, asset_page(NORTHWIND_PROGRAMS)),
        ("swagger-asset.json", {"path": client.PROGRAMS_PATH}, asset_page([])),
        ("swagger-mapi.json", {"path": client.CAMPAIGNS_PATH}, lead_page(NORTHWIND_CAMPAIGNS, "TOKEN300")),
        ("swagger-mapi.json", {"path": client.USAGE_TODAY_PATH}, usage_body({"2026-11-20": {SCANNER: 12}})),
        ("swagger-mapi.json", {"path": client.USAGE_WEEK_PATH},
         usage_body({"2026-11-19": {SCANNER: 3}, "2026-11-20": {SCANNER: 12}})),
        *[("swagger-mapi.json", {"schema": "Error"}, rest_error(code, "x")["errors"][0])
          for code in ("601", "602", "603", "606", "607", "615")],
        ("swagger-user.json", {"schema": "UserRoleWorkspace"}, detail["userRoleWorkspaces"][0]),
    ]


@pytest.mark.parametrize("index", range(len(documented_payloads())))
def test_payloads_match_the_official_swagger(index: int) -> None:
    spec_file, where, payload = documented_payloads()[index]
    spec = require_spec(f"marketo/{spec_file}")
    spec.validate(payload, strict=True, **where)


def test_the_documented_token_request_is_the_one_declared() -> None:
    spec = require_spec("marketo/swagger-identity.json")
    operation = spec.document["paths"][client.TOKEN_PATH]["post"]
    assert {(p["name"], p["in"]) for p in operation["parameters"]} == {
        ("client_id", "query"), ("client_secret", "query"), ("grant_type", "query")}
    (declared,) = MarketoConnector.read_only_requests
    assert declared.method == "POST" and re.search(declared.path, client.TOKEN_PATH)


# -- behaviour -----------------------------------------------------------------------------------------


@responses.activate
def test_token_is_requested_as_documented_and_sent_only_as_a_bearer_header() -> None:
    FakeInstance(users=NORTHWIND_USERS[:1])
    scan()

    token_call = responses.calls[0].request
    assert token_call.method == "POST" and urlsplit(token_call.url or "").path == client.TOKEN_PATH
    assert _params(token_call) == {"grant_type": "client_credentials", **CREDENTIALS}
    rest = [c.request for c in responses.calls[1:]]
    assert rest and all(r.method == "GET" for r in rest)
    assert all(r.headers["Authorization"] == "Bearer tok-1-c0ffee:lon" for r in rest)
    assert not any("access_token" in (r.url or "") for r in rest)


@responses.activate
def test_users_api_users_and_the_salesforce_sync_become_inventory() -> None:
    FakeInstance(users=NORTHWIND_USERS, programs=NORTHWIND_PROGRAMS, campaigns=NORTHWIND_CAMPAIGNS)
    ctx = scan()

    assert not ctx.gaps
    accounts = {a.username: a for a in ctx.records if isinstance(a, Account)}
    chloe = accounts["chloe.martin@northwind.example"]
    assert chloe.admin and chloe.roles == ("Admin", "Standard User") and chloe.account_kind is AccountKind.HUMAN
    assert chloe.mfa is TriState.UNKNOWN and chloe.sso is TriState.UNKNOWN  # the API does not say: never "off"
    assert chloe.last_login_at == datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
    assert chloe.attributes["workspaces"] == "AllZones, World"
    assert not accounts["gus.novak@northwind.example"].active  # locked
    assert accounts["gus.novak@northwind.example"].attributes["locked_reason"] == "Locked by administrator"
    assert not accounts["erin.walsh@northwind.example"].active  # access expired
    assert accounts["zapier-marketo@northwind.example"].account_kind is AccountKind.SERVICE

    integrations = {i.name: i for i in ctx.records if isinstance(i, Integration)}
    assert set(integrations) == {"sync@northwind.example", "zapier-marketo@northwind.example", SCANNER}
    zapier = integrations["zapier-marketo@northwind.example"]
    assert zapier.integration_kind == "api_user" and zapier.last_used_at is None
    assert zapier.attributes["api_calls_last_7_days"] == 0
    assert [(o.role, o.email) for o in zapier.owners] == [("contact", "dev.patel@northwind.example")]
    sync = integrations["sync@northwind.example"]
    assert sync.last_used_at == datetime(2026, 11, 20, tzinfo=UTC) and sync.attributes["api_calls_today"] == 900
    assert integrations[SCANNER].attributes["used_by_this_scan"] is True

    credentials = [c for c in ctx.records if isinstance(c, Credential)]
    assert {c.credential_kind for c in credentials} == {"api_key"} and len(credentials) == 3
    assert all(c.fingerprint == "" and c.integration in {i.id for i in integrations.values()} for c in credentials)
    dumped = repr(ctx.records)
    assert CREDENTIALS["client_secret"] not in dumped and "tok-1-c0ffee" not in dumped

    flows = {(f.source, f.target): f for f in ctx.records if isinstance(f, Flow)}
    (tenant,) = [s for s in ctx.records if isinstance(s, System) and s.system_kind is SystemKind.TENANT]
    assert set(flows) == {(tenant.id, "external:app:salesforce"), ("external:app:salesforce", tenant.id)}
    assert all(f.flow_kind == "native_sync" and {d.value for d in f.data} == {"pii", "contact"}
               for f in flows.values())
    assert flows[(tenant.id, "external:app:salesforce")].attributes["linked_programs"] == 2
    (salesforce,) = [s for s in ctx.records if isinstance(s, System) and s.system_kind is SystemKind.EXTERNAL]
    assert salesforce.vendor == "salesforce"
    assert tenant.id == "test:tenant:612-NWO-318" and tenant.vendor == "marketo"
    assert tenant.attributes["campaigns"] == 3 and tenant.attributes["trigger_campaigns_active"] == 1
    assert tenant.attributes["scanned_as"] == SCANNER


@responses.activate
def test_no_program_linked_to_salesforce_means_no_sync_flow() -> None:
    FakeInstance(users=NORTHWIND_USERS[:1], programs=[program(1)])
    ctx = scan()
    assert not [r for r in ctx.records if isinstance(r, Flow)]


@responses.activate
def test_every_page_is_followed_in_both_paging_styles(monkeypatch: pytest.MonkeyPatch) -> None:
    assert (client.USERS_PAGE, client.PROGRAMS_PAGE, client.CAMPAIGNS_BATCH) == (200, 200, 300)  # documented maxima
    monkeypatch.setattr(client, "USERS_PAGE", 2)
    monkeypatch.setattr(client, "PROGRAMS_PAGE", 2)
    monkeypatch.setattr(client, "CAMPAIGNS_BATCH", 2)
    users = [user_detail(n, f"user{n}@northwind.example") for n in range(5)]
    FakeInstance(users=users, programs=[program(n) for n in range(4)], campaigns=[campaign(n) for n in range(5)])

    ctx = scan()

    assert len([a for a in ctx.records if isinstance(a, Account)]) == 5
    assert [_params(c.request)["pageOffset"] for c in calls_to(USERS_URL)] == ["0", "2", "4"]
    assert {_params(c.request)["pageSize"] for c in calls_to(USERS_URL)} == {"2"}
    # offset/maxReturn: a full last page means one more call, answered with Marketo's "no assets" warning
    assert [_params(c.request)["offset"] for c in calls_to(PROGRAMS_URL)] == ["0", "2", "4"]
    assert [_params(c.request).get("nextPageToken") for c in calls_to(CAMPAIGNS_URL)] == [None, "TOKEN2", "TOKEN4"]
    (tenant,) = [s for s in ctx.records if isinstance(s, System)]
    assert tenant.attributes["programs"] == 4 and tenant.attributes["campaigns"] == 5


@responses.activate
def test_invalid_or_expired_token_gets_a_new_token_and_one_retry() -> None:
    fake = FakeInstance(users=NORTHWIND_USERS[:1])
    fake.queue[client.USAGE_TODAY_PATH] = [(200, rest_error("602", "Access token expired"))]
    fake.queue[client.USERS_PATH] = [(401, user_api_error(601, "Access token invalid"))]

    ctx = scan()

    assert not ctx.gaps and len(fake.tokens) == 3
    usage_calls = calls_to(USAGE_URL)
    assert [c.request.headers["Authorization"] for c in usage_calls] == ["Bearer tok-1-c0ffee:lon",
                                                                         "Bearer tok-2-c0ffee:lon"]
    assert [c.request.headers["Authorization"] for c in calls_to(USERS_URL)] == ["Bearer tok-2-c0ffee:lon",
                                                                                 "Bearer tok-3-c0ffee:lon"]
    assert [a.username for a in ctx.records if isinstance(a, Account)] == ["chloe.martin@northwind.example"]


@responses.activate
def test_a_token_refused_again_after_the_refresh_is_an_authentication_error() -> None:
    fake = FakeInstance()
    fake.queue[client.USAGE_TODAY_PATH] = [(200, rest_error("601", "Access token invalid"))] * 2

    with pytest.raises(AuthenticationError, match="601"):
        scan()
    assert len(fake.tokens) == 2 and len(calls_to(USAGE_URL)) == 2


@responses.activate
def test_rate_and_concurrency_limits_are_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(connector, "RATE_LIMIT_WAIT", 0.0)
    monkeypatch.setattr(connector, "CONCURRENCY_WAIT", 0.0)
    fake = FakeInstance(users=NORTHWIND_USERS[:1], programs=NORTHWIND_PROGRAMS)
    fake.queue[client.PROGRAMS_PATH] = [(200, rest_error("606", "Max rate limit '100' exceeded with in '20' secs")),
                                        (200, rest_error("615", "Concurrent access limit reached"))]

    ctx = scan()

    assert not ctx.gaps and ctx.stats.retries == 2 and ctx.stats.rate_limited == 2
    assert len(calls_to(PROGRAMS_URL)) == 3
    assert len([f for f in ctx.records if isinstance(f, Flow)]) == 2
    assert connector.marketo_classify(_response(200, rest_error("606", "x"))).after == 0.0  # type: ignore[union-attr]


def _response(status: int, body: Any) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = json.dumps(body).encode()
    return response


def test_rate_limit_wait_covers_marketos_whole_window() -> None:
    verdict = connector.marketo_classify(_response(200, rest_error("606", "Max rate limit")))
    assert verdict is not None and verdict.rate_limited and verdict.after == 20.0
    assert connector.marketo_classify(_response(200, rest_error("607", "Daily quota reached"))) is None
    assert connector.marketo_classify(_response(429, user_api_error(607, "Daily quota reached"))) is None
    assert connector.marketo_classify(_response(200, rest_error("603", "Access denied"))) is None
    assert connector.marketo_classify(_response(200, lead_page([]))) is None


@pytest.mark.parametrize("code", ["604", "608", "611", "713"])
def test_errors_marketo_documents_as_transient_are_retried_with_backoff(code: str) -> None:
    verdict = connector.marketo_classify(_response(200, rest_error(code, "try again")))
    assert verdict is not None and not verdict.rate_limited and verdict.after is None


@responses.activate
def test_after_a_607_the_client_sends_nothing_more() -> None:
    fake = FakeInstance(users=NORTHWIND_USERS[:2])
    fake.queue[client.PROGRAMS_PATH] = [(200, rest_error("607", "Daily quota reached"))]
    ctx = make_context(MarketoConnector, base_url=BASE, credentials=CREDENTIALS)
    marketo = client.MarketoClient(ctx, ctx.session())
    marketo.authenticate()
    with pytest.raises(RateLimitedError):
        list(marketo.programs())
    sent = len(responses.calls)
    with pytest.raises(RateLimitedError, match="daily API quota"):
        list(marketo.campaigns())
    assert len(responses.calls) == sent


@responses.activate
def test_daily_quota_stops_the_scan_with_a_clear_message_and_keeps_what_was_read() -> None:
    fake = FakeInstance(users=NORTHWIND_USERS[:2])
    fake.queue[client.PROGRAMS_PATH] = [(200, rest_error("607", "Daily quota reached"))]

    ctx = make_context(MarketoConnector, base_url=BASE, credentials=CREDENTIALS)
    with pytest.raises(RateLimitedError) as raised:
        MarketoConnector().collect(ctx)

    assert "daily API quota" in raised.value.message and raised.value.code == "607"
    assert "midnight" in raised.value.fix
    assert len(calls_to(PROGRAMS_URL)) == 1  # never retried
    # Campaigns are read alongside programs, so their first page may already be on its way; nothing more is
    # asked once the 607 is in (the lead database pages above would each be a certain refusal).
    assert len(calls_to(CAMPAIGNS_URL)) <= 1
    # Users are read at the same time as programs: those finished before the 607 are kept, none after it.
    assert len([a for a in ctx.records if isinstance(a, Account)]) <= 2
    assert len([s for s in ctx.records if isinstance(s, System)]) == 1  # the instance is still described


@responses.activate
def test_access_denied_areas_are_coverage_gaps_and_the_rest_is_kept() -> None:
    fake = FakeInstance(users=NORTHWIND_USERS, programs=NORTHWIND_PROGRAMS, campaigns=NORTHWIND_CAMPAIGNS)
    fake.queue[client.PROGRAMS_PATH] = [(200, rest_error("603", "Access denied"))]
    fake.queue["user.json"] = [(403, user_api_error(603, "Access denied"))]

    ctx = scan()

    assert {g.area: g.error for g in ctx.gaps} == {"programs": "PermissionDeniedError",
                                                    "user details": "PermissionDeniedError"}
    assert all("Access denied" in g.reason for g in ctx.gaps)
    assert len(calls_to(USER_URL)) == 1  # one refusal, one gap: no call per remaining user
    accounts = [a for a in ctx.records if isinstance(a, Account)]
    assert len(accounts) == len(NORTHWIND_USERS) and all(a.attributes["details"] == "unavailable" for a in accounts)
    assert len([i for i in ctx.records if isinstance(i, Integration)]) == 3  # apiOnly comes from allusers.json
    assert not [f for f in ctx.records if isinstance(f, Flow)]  # no programs read, so no sync claimed
    (tenant,) = [s for s in ctx.records if isinstance(s, System)]
    assert tenant.attributes["campaigns"] == 3 and "programs" not in tenant.attributes


@responses.activate
def test_a_user_without_a_user_record_keeps_the_summary() -> None:
    FakeInstance(users=NORTHWIND_USERS[:1])
    responses.replace(responses.GET, USERS_URL, json=[
        user_summary(1001, "chloe.martin@northwind.example"), user_summary(1009, "invited@northwind.example")])
    ctx = scan()
    accounts = {a.username: a for a in ctx.records if isinstance(a, Account)}
    assert accounts["invited@northwind.example"].attributes["details"] == "unavailable"
    assert "details" not in accounts["chloe.martin@northwind.example"].attributes


@responses.activate
def test_bad_client_credentials_raise_authentication_error_naming_the_fix() -> None:
    responses.post(TOKEN_URL, status=401, json={"error": "unauthorized", "error_description": "Bad client credentials"})
    with pytest.raises(AuthenticationError) as raised:
        scan()
    assert "Bad client credentials" in str(raised.value) and "LaunchPoint" in raised.value.fix
    assert CREDENTIALS["client_secret"] not in str(raised.value)
    assert len(responses.calls) == 1


def test_marketo_datetime_formats() -> None:
    utc = datetime(2020, 12, 31, 8, 0, tzinfo=UTC)
    assert parse_time("2020-12-31T08:00:00.000t+0000") == utc  # User Management reference example
    assert parse_time("20201231T08:00:00.000t+0000") == utc  # its documented yyyyMMdd pattern
    assert parse_time("2020-12-31T08:00:00Z+0000") == utc  # asset API
    assert parse_time("2020-12-31T08:00:00Z") == utc  # lead database
    assert parse_time("2020-12-31T02:00:00.000-0600") == utc
    assert parse_time(None) is None and parse_time("") is None and parse_time("soon") is None


# -- the emulator ---------------------------------------------------------------------------------------


def test_demo_instance_scanned_over_http(host: Any) -> None:
    vendors = [host.emulators().get("marketo")]
    with Emulator(demo_scenario(vendors), vendors) as emulator:
        inventory = scan_emulated(emulator, "northwind-marketo", host.connectors())
        methods = {(entry.method, entry.path) for entry in emulator.log}

    (result,) = inventory.connections
    assert result.status is CoverageStatus.COMPLETE, inventory.gaps
    assert {p for m, p in methods if m != "GET"} == {client.TOKEN_PATH}
    accounts = {a.username: a for a in inventory.of(Account)}
    chloe = accounts["chloe.martin@northwind.example"]
    assert chloe.admin and chloe.mfa is TriState.UNKNOWN
    assert not accounts["gus.novak@northwind.example"].active
    assert accounts["gus.novak@northwind.example"].attributes["locked"] is True
    integrations = {i.name: i for i in inventory.of(Integration)}
    assert set(integrations) == {"marketo-sync@northwind.example", "zapier-marketo@northwind.example",
                                 "stackaudit-audit@northwind.example"}
    zapier = integrations["zapier-marketo@northwind.example"]
    assert zapier.owners[0].email == "dev.patel@northwind.example" and zapier.attributes["api_calls_last_7_days"] == 0
    assert accounts["zapier-marketo@northwind.example"].last_login_at is not None
    assert (datetime.now(UTC) - accounts["zapier-marketo@northwind.example"].last_login_at).days >= 300
    assert integrations["marketo-sync@northwind.example"].last_used_at is not None
    assert len(inventory.of(Credential)) == 3
    sync = [f for f in inventory.of(Flow) if f.flow_kind == "native_sync"]
    assert {(f.source.split(":")[0], f.target.split(":")[0]) for f in sync} == {
        ("northwind-marketo", "external"), ("external", "northwind-marketo")}
    (tenant,) = [s for s in inventory.of(System) if s.system_kind is SystemKind.TENANT]
    assert tenant.id == "northwind-marketo:tenant:612-NWO-318"
    assert tenant.attributes["programs_linked_to_salesforce"] == 3
    assert "Nw7kQ2xR9pL4vT8sY3mZ6bC1dF5gH0jK" not in inventory.dumps()


def test_clean_variant_has_no_zapier_api_user_and_no_stale_users(host: Any) -> None:
    vendor = host.emulators().get("marketo")
    with Emulator(demo_scenario([vendor], clean=True), [vendor]) as emulator:
        inventory = scan_emulated(emulator, "northwind-marketo", host.connectors())
    assert inventory.connections[0].status is CoverageStatus.COMPLETE
    usernames = {a.username for a in inventory.of(Account)}
    assert "zapier-marketo@northwind.example" not in usernames and "gus.novak@northwind.example" not in usernames
    assert all(a.active for a in inventory.of(Account))
    assert {i.name for i in inventory.of(Integration)} == {"marketo-sync@northwind.example",
                                                          "stackaudit-audit@northwind.example"}
    assert len([f for f in inventory.of(Flow) if f.flow_kind == "native_sync"]) == 2


def _token(base: str, credentials: dict[str, str]) -> str:
    body = requests.post(f"{base}{client.TOKEN_PATH}", params={"grant_type": "client_credentials", **credentials},
                         timeout=5).json()
    return str(body["access_token"])


def test_emulator_speaks_marketos_conventions_and_shapes() -> None:
    vendor = MarketoEmulator()
    scenario = demo_scenario([vendor], scale=2)
    with Emulator(scenario, [vendor], enforce_rate_limits=False) as emulator:
        tenant = emulator.tenants["northwind-marketo"]
        base = emulator.url("northwind-marketo")
        session = requests.Session()

        missing = session.get(f"{base}{client.PROGRAMS_PATH}", timeout=5)
        assert missing.status_code == 200 and missing.json()["errors"][0]["code"] == "600"
        session.headers["Authorization"] = "Bearer not-a-token"
        assert session.get(f"{base}{client.CAMPAIGNS_PATH}", timeout=5).json()["errors"][0]["code"] == "601"
        refused = session.get(f"{base}{client.USERS_PATH}", timeout=5)
        assert refused.status_code == 401 and refused.json() == {"errors": [{"code": 601,
                                                                            "message": "Access token invalid"}]}
        bad = requests.get(f"{base}{client.TOKEN_PATH}", params={"grant_type": "client_credentials",
                                                                 "client_id": "x", "client_secret": "y"}, timeout=5)
        assert bad.status_code == 401 and bad.json()["error_description"] == "Bad client credentials"

        token = _token(base, tenant.credentials)
        session.headers["Authorization"] = f"Bearer {token}"
        pages = []
        offset = 0
        while True:  # offset/maxReturn to the "no assets" warning
            page = session.get(f"{base}{client.PROGRAMS_PATH}", params={"offset": offset, "maxReturn": 200},
                               timeout=5).json()
            pages.append(page)
            if "result" not in page:
                break
            offset += len(page["result"])
        assert offset == 206 and pages[-1]["warnings"] == ["No assets found for the given search criteria."]
        first = session.get(f"{base}{client.CAMPAIGNS_PATH}", params={"batchSize": 300}, timeout=5).json()
        second = session.get(f"{base}{client.CAMPAIGNS_PATH}", params={"batchSize": 300,
                                                                        "nextPageToken": first["nextPageToken"]},
                             timeout=5).json()
        assert len(first["result"]) == 300 and len(second["result"]) == 7 and "nextPageToken" not in second
        users = session.get(f"{base}{client.USERS_PATH}", params={"pageSize": 200}, timeout=5).json()
        detail = session.get(f"{base}/userservice/management/v1/users/{users[0]['userid']}/user.json",
                             timeout=5).json()
        usage = session.get(f"{base}{client.USAGE_WEEK_PATH}", timeout=5).json()
        missing_user = session.get(f"{base}/userservice/management/v1/users/nobody@x.example/user.json", timeout=5)
        assert missing_user.status_code == 404

        with tenant.lock:  # let the token expire
            tenant.state["tokens"][token] = time.time() - 1
        expired = session.get(f"{base}{client.CAMPAIGNS_PATH}", timeout=5).json()
        assert expired["success"] is False and expired["errors"][0]["code"] == "602"

        tenant.data["denied"] = ["programs"]
        session.headers["Authorization"] = f"Bearer {_token(base, tenant.credentials)}"
        denied = session.get(f"{base}{client.PROGRAMS_PATH}", timeout=5)
        assert denied.status_code == 200 and denied.json()["errors"][0] == {"code": "603", "message": "Access denied"}

    # The emulator's answers conform to Adobe's published Swagger, like the test payloads.
    require_spec("marketo/swagger-asset.json").validate(pages[0], path=client.PROGRAMS_PATH, strict=True)
    require_spec("marketo/swagger-asset.json").validate(pages[-1], path=client.PROGRAMS_PATH, strict=True)
    mapi = require_spec("marketo/swagger-mapi.json")
    mapi.validate(first, path=client.CAMPAIGNS_PATH, strict=True)
    mapi.validate(usage, path=client.USAGE_WEEK_PATH, strict=True)
    user_spec = require_spec("marketo/swagger-user.json")
    user_spec.validate(users, path=client.USERS_PATH, strict=True)
    user_spec.validate(detail, path="/userservice/management/v1/users/x/user.json", strict=True)


def test_emulator_answers_606_when_the_window_is_full_and_607_past_the_quota() -> None:
    vendor = MarketoEmulator()
    vendor.rate_limit = (3, 60.0)  # type: ignore[misc]
    scenario = demo_scenario([vendor])
    scenario.tenants[0].data["daily_quota"] = 1
    with Emulator(scenario, [vendor]) as emulator:
        base = emulator.url("northwind-marketo")
        token = _token(base, emulator.tenants["northwind-marketo"].credentials)
        headers = {"Authorization": f"Bearer {token}"}
        first = requests.get(f"{base}{client.USAGE_TODAY_PATH}", headers=headers, timeout=5).json()
        over_quota = requests.get(f"{base}{client.USAGE_TODAY_PATH}", headers=headers, timeout=5)
        over_rate = requests.get(f"{base}{client.USAGE_TODAY_PATH}", headers=headers, timeout=5)
        over_rate_users = requests.get(f"{base}{client.USERS_PATH}", headers=headers, timeout=5)
    assert first["success"] is True
    assert over_rate_users.status_code == 200 and over_rate_users.json()["errors"][0]["code"] == "606"
    assert over_quota.status_code == 200 and over_quota.json()["errors"][0]["code"] == "607"
    assert over_rate.status_code == 200 and "Retry-After" not in over_rate.headers
    assert over_rate.json()["errors"] == [{"code": "606", "message": "Max rate limit '100' exceeded with in '20' secs"}]


def test_scan_rides_out_the_emulators_rate_limit(host: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(connector, "RATE_LIMIT_WAIT", 1.0)  # the emulated window below is one second
    vendor = MarketoEmulator()
    vendor.rate_limit = (6, 1.0)  # type: ignore[misc]
    with Emulator(demo_scenario([vendor]), [vendor]) as emulator:
        inventory = scan_emulated(emulator, "northwind-marketo", host.connectors())
    (result,) = inventory.connections
    assert result.status is CoverageStatus.COMPLETE, inventory.gaps
    assert result.retries >= 1  # each a 606 the scan waited out
    assert len(inventory.of(Account)) == 7


def test_daily_quota_through_the_engine_is_a_clear_partial_result(host: Any) -> None:
    vendor = host.emulators().get("marketo")
    scenario = demo_scenario([vendor])
    scenario.tenants[0].data["daily_quota"] = 5
    with Emulator(scenario, [vendor]) as emulator:
        inventory = scan_emulated(emulator, "northwind-marketo", host.connectors())
    (result,) = inventory.connections
    assert result.status is CoverageStatus.PARTIAL
    assert "daily API quota" in result.message and "607" in result.message
    (gap,) = inventory.gaps
    assert gap.area == "connection" and gap.error == "RateLimitedError"
    # The token request and 5 calls within the quota; then a 607 for each call already in flight (families and
    # user details are read concurrently): none is retried, and nothing is sent after the first 607 arrived.
    assert result.retries == 0
    assert 7 <= result.requests <= 6 + 10
    refused = [e for e in emulator.log if e.path != "/identity/oauth/token"][5:]
    assert refused and len(refused) == result.requests - 6
