"""HubSpot connector: documented API shapes, cursor paging, 429 handling, scope gaps, and the emulator."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses
from stackaudit_hubspot import HubSpotConnector, HubSpotEmulator
from stackaudit_hubspot.client import classify, error_parser

from stackaudit import (
    Account,
    AuthenticationError,
    Credential,
    DataCategory,
    Flow,
    Integration,
    PaginationError,
    RateLimitedError,
    System,
    TriState,
)
from stackaudit.emulator import Emulator, demo_scenario
from stackaudit.model import CoverageStatus
from stackaudit.testing import run_connector, scan_emulated

BASE = "https://api.hubapi.com"
TOKEN = "pat-na1-11111111-2222-3333-4444-555555555555"
CREDENTIALS = {"access_token": TOKEN}

# HubSpot publishes no OpenAPI file in the shared vendor-specs folder. These are the fields of its API
# reference for each object the connector reads (the models its SDKs are generated from): required fields
# with their JSON types, then the optional ones. A payload with a field outside both is an invented field.
SHAPES: dict[str, tuple[dict[str, type | tuple[type, ...]], set[str]]] = {
    "details": ({"portalId": int, "accountType": str, "timeZone": str, "companyCurrency": str,
                 "additionalCurrencies": list, "utcOffset": str, "utcOffsetMilliseconds": int, "uiDomain": str,
                 "dataHostingLocation": str}, set()),
    "usage": ({"name": str, "usageLimit": int, "currentUsage": int, "collectedAt": str, "fetchStatus": str},
              {"resetsAt"}),
    "role": ({"id": str, "name": str, "requiresBillingWrite": bool}, set()),
    "user": ({"id": str, "email": str, "roleIds": list, "superAdmin": bool},
             {"firstName", "lastName", "primaryTeamId", "roleId", "secondaryTeamIds", "sendWelcomeEmail"}),
    "owner": ({"id": str, "type": str, "archived": bool, "createdAt": str, "updatedAt": str},
              {"email", "firstName", "lastName", "teams", "userId", "userIdIncludingInactive"}),
    "login": ({"id": str, "loginAt": str, "loginSucceeded": bool},
              {"countryCode", "email", "ipAddress", "location", "regionCode", "userAgent", "userId"}),
    "security": ({"id": str, "createdAt": str, "type": str, "userId": int},
                 {"actingUser", "countryCode", "infoUrl", "ipAddress", "location", "objectId", "regionCode"}),
    "flow_listing": ({"id": str, "createdAt": str, "flowType": str, "isEnabled": bool, "objectTypeId": str,
                      "revisionId": str, "updatedAt": str}, {"name", "uuid"}),
    "flow": ({"id": str, "actions": list, "blockedDates": list, "createdAt": str, "crmObjectCreationStatus": str,
              "customProperties": dict, "dataSources": list, "flowType": str, "isEnabled": bool,
              "nextAvailableActionId": str, "objectTypeId": str, "revisionId": str, "timeWindows": list,
              "type": str, "updatedAt": str},
             {"canEnrollFromSalesforce", "suppressionListIds", "description", "enrollmentCriteria",
              "enrollmentSchedule", "eventAnchor", "goalFilterBranch", "name", "startActionId",
              "unEnrollmentSetting", "uuid", "suppressionFilterBranch"}),
    "webhook_action": ({"actionId": str, "method": str, "queryParams": list, "type": str, "webhookUrl": str},
                       {"authSettings", "connection"}),
    "single_connection_action": ({"actionId": str, "actionTypeId": str, "actionTypeVersion": int,
                                  "fields": dict, "type": str}, {"connection"}),
}
CONTACT_FLOW_ONLY = {"canEnrollFromSalesforce", "suppressionListIds"}


def assert_shape(kind: str, item: Mapping[str, Any]) -> None:
    required, optional = SHAPES[kind]
    for field, expected in required.items():
        assert field in item, f"{kind} lacks required field {field!r}: {item}"
        assert isinstance(item[field], expected), f"{kind}.{field} is {type(item[field]).__name__}"
    unknown = set(item) - set(required) - optional
    assert not unknown, f"{kind} has fields HubSpot does not document: {sorted(unknown)}"
    if kind == "flow":
        if item["type"] == "PLATFORM_FLOW":
            assert not CONTACT_FLOW_ONLY & set(item), "only contact flows carry Salesforce enrollment"
        for action in item["actions"]:
            assert_shape("webhook_action" if action["type"] == "WEBHOOK" else "single_connection_action", action)


def assert_collection(body: Mapping[str, Any], kind: str) -> None:
    """``{"results": [...], "paging": {"next": {"after": str, "link": str}}}``, paging only when more follow."""
    assert set(body) <= {"results", "paging"}, body.keys()
    for item in body["results"]:
        assert_shape(kind, item)
    if "paging" in body:
        following = body["paging"]["next"]
        assert isinstance(following["after"], str) and following["after"]
        assert isinstance(following["link"], str) and f"after={following['after']}" in following["link"]


# -- canned portal: payloads as HubSpot documents them -------------------------------------------------------

DETAILS = {"portalId": 4412093, "accountType": "STANDARD", "timeZone": "US/Eastern", "companyCurrency": "USD",
           "additionalCurrencies": [], "utcOffset": "-05:00", "utcOffsetMilliseconds": -18000000,
           "uiDomain": "app.hubspot.com", "dataHostingLocation": "na1"}
USAGE = [{"name": "private-apps-api-calls-daily", "usageLimit": 250000, "currentUsage": 1204,
          "collectedAt": "2026-05-04T10:00:00.000Z", "fetchStatus": "SUCCESS", "resetsAt": "2026-05-05T04:00:00Z"}]
ROLES = [{"id": "7001", "name": "Marketing", "requiresBillingWrite": True},
         {"id": "7002", "name": "Sales", "requiresBillingWrite": False}]


def user(n: int, **extra: Any) -> dict[str, Any]:
    return {"id": str(100 + n), "email": f"U{n}@Example.com", "firstName": "User", "lastName": str(n),
            "roleIds": ["7002"], "roleId": "7002", "primaryTeamId": "1", "secondaryTeamIds": [],
            "superAdmin": False, **extra}


def owner(n: int, **extra: Any) -> dict[str, Any]:
    return {"id": str(900 + n), "email": f"u{n}@example.com", "type": "PERSON", "firstName": "User",
            "lastName": str(n), "userId": 100 + n, "userIdIncludingInactive": 100 + n,
            "createdAt": "2024-01-01T00:00:00.000Z", "updatedAt": "2025-01-01T00:00:00.000Z", "archived": False,
            "teams": [], **extra}


USERS = [user(1, superAdmin=True, roleIds=[], roleId=None), user(2, roleIds=["7001", "7002"])]
for _u in USERS:
    if _u.get("roleId") is None:
        _u.pop("roleId")
OWNERS = [owner(1), owner(2),
          owner(3, userId=None, userIdIncludingInactive=103, email="left@example.com", firstName="Deac",
                lastName="Tivated")]
for _o in OWNERS:
    if _o.get("userId") is None:
        _o.pop("userId")
ARCHIVED = [owner(4, archived=True, email="gone@example.com", firstName="Gone", lastName="Person")]
ARCHIVED[0].pop("userId")
LOGINS = [
    {"id": "1", "loginAt": "2026-05-03T09:00:00.000Z", "loginSucceeded": True, "userId": 101,
     "email": "u1@example.com", "ipAddress": "203.0.113.5", "countryCode": "us"},
    {"id": "2", "loginAt": "2026-05-01T09:00:00.000Z", "loginSucceeded": True, "userId": 101,
     "email": "u1@example.com"},
    {"id": "3", "loginAt": "2026-05-04T09:00:00.000Z", "loginSucceeded": False, "userId": 101,
     "email": "u1@example.com"},
    {"id": "4", "loginAt": "2026-04-20T09:00:00.000Z", "loginSucceeded": True, "email": "U2@example.com"},
]


def event(n: int, kind: str, object_id: str, when: str, who: int = 101, email: str = "u1@example.com"
          ) -> dict[str, Any]:
    return {"id": str(5000 + n), "type": kind, "userId": who, "actingUser": email, "objectId": object_id,
            "createdAt": when, "infoUrl": "app.hubspot.com/private-apps/4412093", "ipAddress": "203.0.113.5"}


SECURITY = [
    event(1, "PRIVATE_APP_ACCESS_TOKEN_CREATE", "777", "2024-02-01T10:00:00.000Z"),
    event(2, "PRIVATE_APP_ACCESS_TOKEN_ROTATE", "777", "2026-03-01T10:00:00.000Z", who=102, email="u2@example.com"),
    event(3, "PRIVATE_APP_ACCESS_TOKEN_CREATE", "888", "2023-01-01T10:00:00.000Z"),
    event(4, "PRIVATE_APP_ACCESS_TOKEN_DEACTIVATE", "888", "2025-01-01T10:00:00.000Z"),
    event(5, "ADD_WEBHOOK_IN_WORKFLOW", "55", "2025-06-01T10:00:00.000Z", who=102, email="U2@example.com"),
    event(6, "ADD_TWO_FACTOR_AUTHENTICATION", "101", "2025-01-02T10:00:00.000Z"),
]


def flow(flow_id: str, name: str, actions: list[dict[str, Any]], *, contact: bool = True,
         salesforce: bool = False, enabled: bool = True, object_type: str = "0-1") -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": flow_id, "name": name, "type": "CONTACT_FLOW" if contact else "PLATFORM_FLOW", "flowType": "WORKFLOW",
        "isEnabled": enabled, "objectTypeId": "0-1" if contact else object_type, "revisionId": "4",
        "createdAt": "2025-01-01T00:00:00.000Z", "updatedAt": "2025-02-01T00:00:00.000Z", "startActionId": "1",
        "nextAvailableActionId": str(len(actions) + 1), "actions": actions, "timeWindows": [], "blockedDates": [],
        "customProperties": {}, "dataSources": [], "crmObjectCreationStatus": "COMPLETE",
    }
    if contact:
        body |= {"canEnrollFromSalesforce": salesforce, "suppressionListIds": []}
    return body


def webhook(action_id: str, url: str, **extra: Any) -> dict[str, Any]:
    return {"type": "WEBHOOK", "actionId": action_id, "method": "POST", "webhookUrl": url, "queryParams": [],
            **extra}


DELAY = {"type": "SINGLE_CONNECTION", "actionId": "1", "actionTypeId": "0-1", "actionTypeVersion": 0,
         "fields": {"delta": "60", "time_unit": "MINUTES"}}
FLOWS = [
    flow("55", "MQL to Zapier", [webhook("1", "https://hooks.zapier.com/hooks/catch/1/abc/?api_key=s3cr3t-value")]),
    flow("56", "Deal won to ERP", [webhook("1", "http://erp.example.com/hook", authSettings={
        "type": "AUTH_KEY", "location": "HEADER", "name": "X-Key", "secretName": "ERP_KEY"})],
         contact=False, object_type="0-3", enabled=False),
    flow("57", "Salesforce nurture", [DELAY], salesforce=True),
]


def listing(flows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    keys = SHAPES["flow_listing"][0].keys() | SHAPES["flow_listing"][1]
    return [{k: v for k, v in f.items() if k in keys} for f in flows]


Answer = tuple[int, Any] | Callable[[requests.PreparedRequest], tuple[int, Any]]


def reply(status: int, body: Any, headers: Mapping[str, str] | None = None) -> tuple[int, dict[str, str], str]:
    return status, {"Content-Type": "application/json", **(headers or {})}, json.dumps(body)


def pages_of(items: list[dict[str, Any]], path: str, size: int) -> Callable[[requests.PreparedRequest], Any]:
    """A callback serving ``items`` in pages of ``size`` with cursors p1, p2, … as HubSpot does."""

    def callback(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        query = parse_qs(urlsplit(request.url or "").query)
        index = int(query["after"][0][1:]) if "after" in query else 0
        body: dict[str, Any] = {"results": items[index * size:(index + 1) * size]}
        if (index + 1) * size < len(items):
            body["paging"] = {"next": {"after": f"p{index + 1}", "link": f"{BASE}{path}?after=p{index + 1}"}}
        return reply(200, body)

    return callback


def error(status: int, category: str, message: str, **extra: Any) -> tuple[int, dict[str, Any]]:
    return status, {"status": "error", "message": message, "correlationId": "aeb5f871-7f07-4993-9211-075dc63e7cbf",
                    **extra, "category": category}


def missing_scope(scope: str) -> tuple[int, dict[str, Any]]:
    return error(403, "MISSING_SCOPES", "This app hasn't been granted all required scopes to make this call.",
                 errors=[{"message": "One or more of the following scopes are required.",
                          "context": {"requiredGranularScopes": [scope]}}])


def serve_portal(overrides: Mapping[str, Answer] | None = None, *, users: list[dict[str, Any]] | None = None,
                 flows: list[dict[str, Any]] | None = None) -> None:
    """Register every endpoint the connector reads; ``overrides`` maps a path to (status, body) or a callback."""
    flows = FLOWS if flows is None else flows
    owners_by_state = {"false": OWNERS, "true": ARCHIVED}

    def owners(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        archived = parse_qs(urlsplit(request.url or "").query)["archived"][0]
        result: tuple[int, dict[str, str], str] = pages_of(owners_by_state[archived], "/crm/v3/owners", 100)(request)
        return result

    answers: dict[str, Answer] = {
        "/account-info/v3/details": (200, DETAILS),
        "/account-info/v3/api-usage/daily/private-apps": (200, {"results": USAGE}),
        "/settings/v3/users/roles": (200, {"results": ROLES}),
        "/settings/v3/users": pages_of(USERS if users is None else users, "/settings/v3/users", 100),
        "/crm/v3/owners": owners,
        "/account-info/v3/activity/login": pages_of(LOGINS, "/account-info/v3/activity/login", 200),
        "/account-info/v3/activity/security": pages_of(SECURITY, "/account-info/v3/activity/security", 200),
        "/automation/v4/flows": pages_of(listing(flows), "/automation/v4/flows", 100),
        **{f"/automation/v4/flows/{f['id']}": (200, f) for f in flows},
        **(overrides or {}),
    }
    for path, answer in answers.items():
        if callable(answer):
            responses.add_callback(responses.GET, BASE + path, callback=answer)
        else:
            status, body = answer
            responses.add_callback(responses.GET, BASE + path,
                                   callback=lambda _r, s=status, b=body: reply(s, b))


def scan(**kwargs: Any) -> Any:
    return run_connector(HubSpotConnector, credentials=CREDENTIALS, **kwargs)


def by_type(ctx: Any, kind: type) -> list[Any]:
    return [r for r in ctx.records if isinstance(r, kind)]


# -- the documented shapes ---------------------------------------------------------------------------------


def test_canned_payloads_have_hubspots_documented_shapes() -> None:
    assert_shape("details", DETAILS)
    for kind, items in (("usage", USAGE), ("role", ROLES), ("user", USERS), ("owner", OWNERS + ARCHIVED),
                        ("login", LOGINS), ("security", SECURITY), ("flow_listing", listing(FLOWS)),
                        ("flow", FLOWS)):
        for item in items:
            assert_shape(kind, item)
    with pytest.raises(AssertionError, match="does not document"):
        assert_shape("user", {**USERS[0], "isActive": True})


# -- reading a portal --------------------------------------------------------------------------------------


@responses.activate
def test_reads_the_portal_with_the_bearer_token_and_only_get_requests() -> None:
    serve_portal()
    ctx = scan()

    assert {c.request.method for c in responses.calls} == {"GET"}
    assert all(c.request.headers["Authorization"] == f"Bearer {TOKEN}" for c in responses.calls)
    assert urlsplit(responses.calls[0].request.url or "").path == "/account-info/v3/details"
    (portal,) = [s for s in by_type(ctx, System) if s.system_kind.value == "tenant"]
    assert portal.id == "test:tenant:4412093"
    assert (portal.vendor, portal.region, portal.url) == ("hubspot", "na1", "https://app.hubspot.com")
    assert set(portal.data) == {DataCategory.PII, DataCategory.CONTACT}
    assert portal.attributes["private_app_calls_today"] == 1204
    assert portal.attributes["private_app_daily_limit"] == 250000
    assert ctx.gaps == []
    assert TOKEN not in json.dumps([repr(r) for r in ctx.records])


@responses.activate
def test_users_get_roles_super_admin_last_login_and_unknown_mfa() -> None:
    serve_portal()
    accounts = {a.email: a for a in by_type(scan(), Account)}

    admin, marketer = accounts["u1@example.com"], accounts["u2@example.com"]
    assert admin.admin and admin.roles == ("Super Admin",)
    assert not marketer.admin and marketer.roles == ("Marketing", "Sales")
    assert all(a.mfa is TriState.UNKNOWN for a in accounts.values())  # HubSpot publishes no MFA state
    assert admin.last_login_at is not None and admin.last_login_at.isoformat() == "2026-05-03T09:00:00+00:00"
    assert admin.attributes["failed_logins"] == 1
    assert admin.attributes["two_factor_last_event"] == "ADD_TWO_FACTOR_AUTHENTICATION"
    assert marketer.last_login_at is not None and marketer.last_login_at.day == 20  # matched by email
    assert admin.attributes["owner_id"] == "901"


@responses.activate
def test_archived_and_deactivated_owners_are_inactive_accounts() -> None:
    serve_portal()
    accounts = {a.email: a for a in by_type(scan(), Account)}

    assert set(accounts) == {"u1@example.com", "u2@example.com", "left@example.com", "gone@example.com"}
    gone, left = accounts["gone@example.com"], accounts["left@example.com"]
    assert not gone.active and gone.attributes["owner_archived"] is True
    assert gone.id == "test:user:104"  # userIdIncludingInactive keeps the person's id
    assert not left.active and left.attributes["owner_archived"] is False
    archived_calls = [c for c in responses.calls if "archived=true" in (c.request.url or "")]
    assert len(archived_calls) == 1


@responses.activate
def test_follows_the_after_cursor_across_pages() -> None:
    many = [user(n) for n in range(1000, 1250)]
    serve_portal(users=many)
    ctx = scan()

    # plus the four owners whose user is not among the current users: people who left
    assert len(by_type(ctx, Account)) == 250 + 4
    assert sum(a.active for a in by_type(ctx, Account)) == 250
    user_calls = [parse_qs(urlsplit(c.request.url or "").query) for c in responses.calls
                  if urlsplit(c.request.url or "").path == "/settings/v3/users"]
    assert [q.get("after", [None])[0] for q in user_calls] == [None, "p1", "p2"]
    assert all(q["limit"] == ["100"] for q in user_calls)


@responses.activate
def test_a_repeated_cursor_fails_loudly_instead_of_truncating() -> None:
    looping = {"results": [user(1)], "paging": {"next": {"after": "same", "link": f"{BASE}/settings/v3/users"}}}
    serve_portal({"/settings/v3/users": (200, looping)})
    with pytest.raises(PaginationError, match="same page cursor twice"):
        scan()


# -- HubSpot's rate-limit and error conventions ------------------------------------------------------------

TEN_SECONDLY = {"status": "error", "message": "You have reached your ten_secondly_rolling limit.",
                "errorType": "RATE_LIMIT", "correlationId": "c033cdaa-2c40-4a64-ae48-b4cec88dad24",
                "policyName": "TEN_SECONDLY_ROLLING", "requestId": "3d3e35b7-0dae-4b9f-a6e3-9c230cbcf8dd"}
RATE_HEADERS = {"X-HubSpot-RateLimit-Max": "100", "X-HubSpot-RateLimit-Remaining": "0",
                "X-HubSpot-RateLimit-Interval-Milliseconds": "10000", "X-HubSpot-RateLimit-Daily": "250000",
                "X-HubSpot-RateLimit-Daily-Remaining": "248000"}


def response(status: int, body: Any, headers: Mapping[str, str] | None = None) -> requests.Response:
    made = requests.Response()
    made.status_code = status
    made._content = json.dumps(body).encode()
    made.headers.update({"Content-Type": "application/json", **(headers or {})})
    return made


def test_rolling_limit_waits_the_interval_hubspot_names() -> None:
    verdict = classify(response(429, TEN_SECONDLY, RATE_HEADERS))
    assert verdict is not None and verdict.rate_limited and verdict.after == 10.0
    assert "TEN_SECONDLY_ROLLING" in verdict.reason
    with_retry_after = classify(response(429, TEN_SECONDLY, {**RATE_HEADERS, "Retry-After": "2"}))
    assert with_retry_after is not None and with_retry_after.after == 2.0


def test_daily_limit_is_not_retried_and_other_answers_follow_the_default() -> None:
    daily = {**TEN_SECONDLY, "message": "You have reached your daily limit.", "policyName": "DAILY"}
    assert classify(response(429, daily, {**RATE_HEADERS, "X-HubSpot-RateLimit-Daily-Remaining": "0"})) is None
    server = classify(response(502, {"status": "error"}))
    assert server is not None and not server.rate_limited
    assert classify(response(200, {})) is None
    assert classify(response(403, {"category": "MISSING_SCOPES"})) is None


def test_error_parser_names_the_missing_scope() -> None:
    status, body = missing_scope("automation")
    code, message = error_parser(response(status, body))
    assert code == "MISSING_SCOPES"
    assert message.endswith("(needs scope: automation)")


@responses.activate
def test_a_429_is_retried_after_retry_after() -> None:
    throttled = iter([True])

    def details(_request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        if next(throttled, False):
            return reply(429, TEN_SECONDLY, {**RATE_HEADERS, "Retry-After": "0"})
        return reply(200, DETAILS)

    serve_portal({"/account-info/v3/details": details})
    ctx = scan()

    detail_calls = [c for c in responses.calls if urlsplit(c.request.url or "").path.endswith("/details")]
    assert [c.response.status_code for c in detail_calls] == [429, 200]
    assert ctx.stats.retries == 1 and ctx.stats.rate_limited == 1
    assert ctx.gaps == []


@responses.activate
def test_the_daily_limit_stops_the_scan_with_a_typed_error() -> None:
    daily = {**TEN_SECONDLY, "message": "You have reached your daily limit.", "policyName": "DAILY"}
    serve_portal({"/account-info/v3/details": (429, daily)})
    with pytest.raises(RateLimitedError, match="daily limit"):
        scan()
    assert len(responses.calls) == 1


@responses.activate
def test_a_missing_scope_is_a_coverage_gap_and_the_rest_is_kept() -> None:
    serve_portal({"/automation/v4/flows": missing_scope("automation"),
                  "/account-info/v3/activity/security": missing_scope("account-info.security.read")})
    ctx = scan()

    gaps = {g.area: g for g in ctx.gaps}
    assert set(gaps) == {"workflows", "security activity"}
    assert "needs scope: automation" in gaps["workflows"].reason
    assert gaps["workflows"].error == "PermissionDeniedError"
    assert len(by_type(ctx, Account)) == 4  # users and owners still read
    assert by_type(ctx, Flow) == [] and by_type(ctx, Credential) == []


@responses.activate
def test_a_bad_token_raises_authentication_error() -> None:
    serve_portal({"/account-info/v3/details": error(
        401, "INVALID_AUTHENTICATION", "Authentication credentials not found. This API supports OAuth 2.0 "
                                       "authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview")})
    with pytest.raises(AuthenticationError, match="INVALID_AUTHENTICATION") as raised:
        scan()
    assert "auth set" in raised.value.fix
    assert len(responses.calls) == 1


# -- workflows, private apps, the Salesforce sync -----------------------------------------------------------


@responses.activate
def test_webhook_actions_become_flows_to_their_urls() -> None:
    serve_portal()
    ctx = scan()
    flows = {f.name: f for f in by_type(ctx, Flow) if f.flow_kind == "webhook"}

    zap = flows["MQL to Zapier: webhook"]
    assert zap.target == "external:hooks.zapier.com"
    assert zap.url == "https://hooks.zapier.com/hooks/catch/1/abc/"  # query (and the key in it) stripped
    assert (zap.scheme, zap.active, zap.attributes["auth"]) == ("https", True, "NONE")
    assert set(zap.data) == {DataCategory.PII, DataCategory.CONTACT}
    assert [(o.role, o.email) for o in zap.owners] == [("created_by", "u2@example.com")]
    erp = flows["Deal won to ERP: webhook"]
    assert (erp.scheme, erp.active, erp.attributes["auth"]) == ("http", False, "AUTH_KEY")
    assert erp.data == (DataCategory.UNKNOWN,)
    externals = {s.id: s for s in by_type(ctx, System) if s.system_kind.value == "external"}
    assert externals["external:hooks.zapier.com"].vendor == "zapier"
    assert externals["external:erp.example.com"].vendor == ""
    assert "s3cr3t-value" not in json.dumps([repr(r) for r in ctx.records])


@responses.activate
def test_private_apps_and_their_tokens_come_from_security_activity() -> None:
    serve_portal()
    ctx = scan()
    apps = {i.name: i for i in by_type(ctx, Integration) if i.integration_kind == "private_app"}
    tokens = {c.integration: c for c in by_type(ctx, Credential)}

    live, dead = apps["Private app 777"], apps["Private app 888"]
    assert live.enabled and not dead.enabled
    assert [(o.role, o.email) for o in live.owners] == [("created_by", "u1@example.com")]
    assert live.created_at is not None and live.created_at.year == 2024
    token = tokens[live.id]
    assert token.credential_kind == "private_app_token"
    assert token.created_at is not None and token.created_at.year == 2026  # the rotated token's age
    assert token.account == "test:user:102" and token.attributes["rotations"] == 1
    assert token.fingerprint == "hubspot-private-app:777"
    assert tokens[dead.id].attributes["deactivated"] is True


@responses.activate
def test_workflows_enrolling_from_salesforce_evidence_the_native_sync_both_ways() -> None:
    serve_portal()
    ctx = scan()
    syncs = [f for f in by_type(ctx, Flow) if f.flow_kind == "native_sync"]

    tenant = "test:tenant:4412093"
    assert {(f.source, f.target) for f in syncs} == {(tenant, "external:app:salesforce"),
                                                    ("external:app:salesforce", tenant)}
    assert all(set(f.data) == {DataCategory.PII, DataCategory.CONTACT} for f in syncs)
    assert all(f.integration == "test:integration:salesforce" for f in syncs)
    (salesforce,) = [s for s in by_type(ctx, System) if s.id == "external:app:salesforce"]
    assert salesforce.vendor == "salesforce"


@responses.activate
def test_no_salesforce_sync_without_that_evidence() -> None:
    serve_portal(flows=FLOWS[:2])
    ctx = scan()
    assert not [f for f in by_type(ctx, Flow) if f.flow_kind == "native_sync"]
    assert "external:app:salesforce" not in {r.id for r in ctx.records}


@responses.activate
def test_a_workflow_deleted_while_reading_is_a_gap_for_that_workflow() -> None:
    serve_portal({"/automation/v4/flows/55": error(404, "OBJECT_NOT_FOUND", "Flow 55 not found")})
    ctx = scan()
    assert [g.area for g in ctx.gaps] == ["workflow MQL to Zapier"]
    assert {f.name for f in by_type(ctx, Flow) if f.flow_kind == "webhook"} == {"Deal won to ERP: webhook"}


# -- the emulator and the demo portal ------------------------------------------------------------------------


def hubspot_vendor(host: Any) -> HubSpotEmulator:
    vendor = host.emulators().get("hubspot")
    assert isinstance(vendor, HubSpotEmulator)
    return vendor


def test_demo_portal_scanned_over_http(host: Any) -> None:
    vendors = [hubspot_vendor(host)]
    with Emulator(demo_scenario(vendors), vendors) as emulator:
        inventory = scan_emulated(emulator, "northwind-hubspot", host.connectors())
        methods = {entry.method for entry in emulator.log}

    (result,) = inventory.connections
    assert result.status is CoverageStatus.COMPLETE, inventory.gaps
    assert methods == {"GET"}
    (portal,) = [s for s in inventory.of(System) if s.vendor == "hubspot"]
    assert (portal.region, portal.attributes["portal_id"]) == ("eu1", "25941207")
    accounts = {a.name: a for a in inventory.of(Account)}
    assert accounts["Chloe Martin"].admin and accounts["Chloe Martin"].roles == ("Super Admin",)
    assert not accounts["Dev Patel"].admin and accounts["Dev Patel"].roles == ("Marketing Manager",)
    assert not accounts["Gus Novak"].active and accounts["Gus Novak"].attributes["owner_archived"] is True
    assert all(a.mfa is TriState.UNKNOWN for a in accounts.values())
    webhooks = {f.attributes["workflow_name"]: f for f in inventory.of(Flow) if f.flow_kind == "webhook"}
    zap = webhooks["New MQL → Mailchimp via Zapier"]
    assert zap.url.startswith("https://hooks.zapier.com/hooks/catch/") and zap.scheme == "https"
    assert zap.owners[0].email == "chloe.martin@northwind.example"
    assert webhooks["Closed-won deal → fulfilment"].target == "external:ops.northwind.example"
    assert {(f.source.split(":")[0], f.target.split(":")[0]) for f in inventory.of(Flow)
            if f.flow_kind == "native_sync"} == {("northwind-hubspot", "external"), ("external", "northwind-hubspot")}
    apps = {i.attributes["app_id"]: i for i in inventory.of(Integration) if i.integration_kind == "private_app"}
    assert set(apps) == {"3108524", "1296377", "3392017"}
    assert apps["1296377"].owners[0].email == "gus.novak@northwind.example"
    assert len(inventory.of(Credential)) == 3


def test_clean_variant_drops_the_zapier_hook_the_old_app_and_archived_owners(host: Any) -> None:
    vendors = [hubspot_vendor(host)]
    with Emulator(demo_scenario(vendors, clean=True), vendors) as emulator:
        inventory = scan_emulated(emulator, "northwind-hubspot", host.connectors())

    assert inventory.connections[0].status is CoverageStatus.COMPLETE
    assert all(a.active for a in inventory.of(Account))
    assert "Gus Novak" not in {a.name for a in inventory.of(Account)}
    assert {f.target for f in inventory.of(Flow) if f.flow_kind == "webhook"} == {"external:ops.northwind.example"}
    assert all(f.scheme == "https" for f in inventory.of(Flow) if f.flow_kind == "webhook")
    assert {i.attributes["app_id"] for i in inventory.of(Integration)
            if i.integration_kind == "private_app"} == {"3108524", "3392017"}
    assert len([f for f in inventory.of(Flow) if f.flow_kind == "native_sync"]) == 2  # the sanctioned sync stays


def test_a_token_lacking_a_scope_still_completes_the_scan_with_that_gap(host: Any) -> None:
    vendor = hubspot_vendor(host)
    scenario = demo_scenario([vendor])
    scenario.tenants[0].data["granted_scopes"].remove("automation")
    with Emulator(scenario, [vendor]) as emulator:
        inventory = scan_emulated(emulator, "northwind-hubspot", host.connectors())

    (result,) = inventory.connections
    assert result.status is CoverageStatus.PARTIAL
    assert [(g.area, g.error) for g in inventory.gaps] == [("workflows", "PermissionDeniedError")]
    assert "automation" in inventory.gaps[0].reason
    assert len(inventory.of(Account)) == 5 and inventory.of(Credential)
    assert not [f for f in inventory.of(Flow)]


class TightHubSpot(HubSpotEmulator):
    """HubSpot with a tiny rolling window, so a scan meets its 429s within a test."""

    rate_limit = (4, 0.3)


def test_the_emulators_429_is_honoured_and_the_scan_completes(host: Any) -> None:
    vendors = [TightHubSpot()]
    with Emulator(demo_scenario(vendors), vendors) as emulator:
        inventory = scan_emulated(emulator, "northwind-hubspot", host.connectors())
        statuses = [entry.status for entry in emulator.log]

    (result,) = inventory.connections
    assert result.status is CoverageStatus.COMPLETE, inventory.gaps
    assert 429 in statuses and result.retries >= statuses.count(429)
    assert len(inventory.of(Account)) == 5


def test_emulator_answers_like_hubspot(host: Any) -> None:
    vendor = hubspot_vendor(host)
    with Emulator(demo_scenario([vendor], scale=3), [vendor], enforce_rate_limits=False) as emulator:
        tenant = emulator.tenants["northwind-hubspot"]
        base = emulator.url("northwind-hubspot")
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {tenant.credentials['access_token']}"

        assert_shape("details", session.get(f"{base}/account-info/v3/details", timeout=5).json())
        seen, params, pages = 0, {"limit": "100"}, 0
        while True:
            body = session.get(f"{base}/settings/v3/users", params=params, timeout=5).json()
            assert_collection(body, "user")
            seen, pages = seen + len(body["results"]), pages + 1
            if "paging" not in body:
                break
            assert body["paging"]["next"]["link"].startswith(f"{base}/settings/v3/users?")
            params = {"limit": "100", "after": body["paging"]["next"]["after"]}
        assert (seen, pages) == (204, 3)  # 4 people plus 200 reps at scale 3
        for path, kind in (("/crm/v3/owners", "owner"), ("/account-info/v3/activity/login", "login"),
                           ("/account-info/v3/activity/security", "security"), ("/automation/v4/flows", "flow_listing"),
                           ("/settings/v3/users/roles", "role"),
                           ("/account-info/v3/api-usage/daily/private-apps", "usage")):
            assert_collection(session.get(f"{base}{path}", timeout=5).json(), kind)
        assert_collection(session.get(f"{base}/crm/v3/owners", params={"archived": "true"}, timeout=5).json(), "owner")
        for item in tenant.data["flows"]:
            assert_shape("flow", session.get(f"{base}/automation/v4/flows/{item['id']}", timeout=5).json())

        unauthorised = requests.get(f"{base}/settings/v3/users", timeout=5)
        assert unauthorised.status_code == 401 and unauthorised.json()["category"] == "INVALID_AUTHENTICATION"
        missing = session.get(f"{base}/automation/v4/flows/999", timeout=5)
        assert missing.status_code == 404 and missing.json()["category"] == "OBJECT_NOT_FOUND"
        tenant.data["granted_scopes"].remove("crm.objects.owners.read")
        refused = session.get(f"{base}/crm/v3/owners", timeout=5)
        assert refused.status_code == 403 and error_parser(refused) == (
            "MISSING_SCOPES", "This app hasn't been granted all required scopes to make this call. Read more about "
            "required scopes here: https://developers.hubspot.com/scopes. (needs scope: crm.objects.owners.read)")

    throttled = vendor.rate_limited(None, tenant, 3.0)  # type: ignore[arg-type]
    as_response = response(throttled.status, json.loads(throttled.body), throttled.headers)
    verdict = classify(as_response)
    assert throttled.status == 429 and json.loads(throttled.body)["policyName"] == "TEN_SECONDLY_ROLLING"
    assert verdict is not None and verdict.rate_limited and verdict.after == 10.0
