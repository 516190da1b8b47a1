"""Google Workspace connector: Directory API shapes, service-account auth, paging, the per-user sweep, Google's
quota and error conventions, coverage gaps, and the emulated demo domain."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses
from stackaudit_google_workspace import GoogleWorkspaceConnector, GoogleWorkspaceEmulator
from stackaudit_google_workspace.client import SCOPES, Authorizer, classify_google
from stackaudit_google_workspace.demo import demo_tenant
from stackaudit_google_workspace.transform import scope_data

from stackaudit import (
    Account,
    AuthenticationError,
    Credential,
    DataCategory,
    Flow,
    Integration,
    Retry,
    System,
    SystemKind,
    TriState,
)
from stackaudit.emulator import Emulator, Scenario, TenantSpec, demo_scenario
from stackaudit.model import CoverageStatus
from stackaudit.oauth import JWT_BEARER_GRANT, generate_rsa_key_pair, verify_jwt
from stackaudit.testing import make_context, run_connector, scan_emulated
from stackaudit.testing.vendor_specs import require_spec

BASE = "https://admin.googleapis.com"
USERS = f"{BASE}/admin/directory/v1/users"
TOKEN_URL = "https://oauth2.googleapis.com/token"
AUTH = "https://www.googleapis.com/auth/"
ADMIN = "ana@northwind.example"
TOKEN = "ya29.test-access-token-0123456789"
SPEC = "google-workspace-admin/admin.directory_v1.json"


@pytest.fixture(scope="module")
def key_pair() -> tuple[str, str]:
    return generate_rsa_key_pair()


def service_account(private_key: str) -> str:
    return json.dumps({"type": "service_account", "project_id": "p", "private_key_id": "k1",
                       "private_key": private_key, "client_email": "audit@p.iam.gserviceaccount.com",
                       "token_uri": TOKEN_URL})


def g_user(n: int, **extra: Any) -> dict[str, Any]:
    return {"kind": "admin#directory#user", "id": f"1000000000000000000{n:02d}", "etag": f'"e/{n}"',
            "primaryEmail": f"User{n}@northwind.example",
            "name": {"givenName": "User", "familyName": str(n), "fullName": f"User {n}"},
            "isAdmin": False, "isDelegatedAdmin": False, "lastLoginTime": "2026-11-01T09:00:00.000Z",
            "creationTime": "2024-01-01T00:00:00.000Z", "agreedToTerms": True, "suspended": False,
            "archived": False, "customerId": "C0test", "orgUnitPath": "/", "isEnrolledIn2Sv": True,
            "isEnforcedIn2Sv": False, **extra}


def users_page(users: list[dict[str, Any]], next_token: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"kind": "admin#directory#users", "etag": '"page"', "users": users}
    if next_token:
        body["nextPageToken"] = next_token
    return body


def g_token(client_id: str, name: str, scopes: list[str], user_key: str) -> dict[str, Any]:
    return {"kind": "admin#directory#token", "etag": '"t"', "clientId": client_id, "displayText": name,
            "anonymous": False, "nativeApp": False, "scopes": scopes, "userKey": user_key}


def tokens_list(*items: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {"kind": "admin#directory#tokenList", "etag": '"tl"'}
    if items:
        body["items"] = list(items)
    return body


def asps_list(*items: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {"kind": "admin#directory#aspList", "etag": '"al"'}
    if items:
        body["items"] = list(items)
    return body


ASP = {"kind": "admin#directory#asp", "etag": '"a"', "codeId": 7, "name": "Thunderbird",
       "creationTime": "1700000000000", "lastTimeUsed": "0", "userKey": "100000000000000000001"}
ZAPIER = "111-zap.apps.googleusercontent.com"


def google_error(code: int, reason: str, message: str, status: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message,
                      "errors": [{"message": message, "domain": "global", "reason": reason}], "status": status}}


RATE_LIMITED = google_error(403, "userRateLimitExceeded", "Quota exceeded for quota metric 'Queries'",
                            "PERMISSION_DENIED")
NO_SCOPE = google_error(403, "insufficientPermissions", "Request had insufficient authentication scopes.",
                        "PERMISSION_DENIED")


def per_user(path: str, answers: dict[str, Any]) -> Any:
    """A responses callback for /users/{key}/<path>, answering by user key; (status, body) tuples are errors."""

    def callback(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        key = urlsplit(request.url or "").path.split("/")[-2]
        answer = answers.get(key, tokens_list() if path == "tokens" else asps_list())
        status, body = answer if isinstance(answer, tuple) else (200, answer)
        return status, {"Content-Type": "application/json"}, json.dumps(body)

    return callback


def serve_directory(users: list[dict[str, Any]], *, tokens: dict[str, Any] | None = None,
                    asps: dict[str, Any] | None = None) -> None:
    responses.get(USERS, json=users_page(users))
    responses.add_callback(responses.GET, _pattern("tokens"), callback=per_user("tokens", tokens or {}))
    responses.add_callback(responses.GET, _pattern("asps"), callback=per_user("asps", asps or {}))


def _pattern(path: str) -> re.Pattern[str]:
    return re.compile(rf"{re.escape(USERS)}/[^/]+/{path}$")


def run(**kwargs: Any) -> Any:
    kwargs.setdefault("credentials", {"access_token": TOKEN})
    return run_connector(GoogleWorkspaceConnector, base_url=BASE, **kwargs)


# -- the documented shapes -----------------------------------------------------------------------------


def test_canned_and_emulated_payloads_match_the_discovery_document() -> None:
    spec = require_spec(SPEC)
    spec.validate(users_page([g_user(1), g_user(2, suspended=True, suspensionReason="ADMIN")], "next"),
                  schema="Users", strict=True)
    spec.validate(tokens_list(g_token(ZAPIER, "Zapier", [AUTH + "gmail.readonly"], "1")), schema="Tokens",
                  strict=True)
    spec.validate(asps_list(ASP), schema="Asps", strict=True)

    vendor = GoogleWorkspaceEmulator()
    tenant = demo_tenant()
    tenant.credentials["access_token"] = TOKEN
    with Emulator(Scenario([tenant]), [vendor]) as emulator:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {TOKEN}"
        base = emulator.url(tenant.name)
        page = session.get(f"{base}/admin/directory/v1/users", params={"customer": "my_customer"}, timeout=5).json()
        spec.validate(page, schema="Users", strict=True)
        for user in page["users"]:
            for path, schema in (("tokens", "Tokens"), ("asps", "Asps")):
                body = session.get(f"{base}/admin/directory/v1/users/{user['id']}/{path}", timeout=5).json()
                spec.validate(body, schema=schema, strict=True)


# -- auth -------------------------------------------------------------------------------------------------


@responses.activate
def test_service_account_impersonates_the_admin_then_reads_with_the_bearer_token(key_pair: tuple[str, str]) -> None:
    private, public = key_pair
    responses.post(TOKEN_URL, json={"access_token": TOKEN, "expires_in": 3599, "token_type": "Bearer"})
    serve_directory([g_user(1)])

    ctx = run(credentials={"service_account": service_account(private), "admin_email": ADMIN})

    first = responses.calls[0].request
    assert first.method == "POST" and first.url == TOKEN_URL
    form = parse_qs(str(first.body))
    assert form["grant_type"] == [JWT_BEARER_GRANT]
    claims = verify_jwt(form["assertion"][0], public)
    assert claims["sub"] == ADMIN and claims["iss"] == "audit@p.iam.gserviceaccount.com"
    assert claims["aud"] == TOKEN_URL and claims["scope"].split() == list(SCOPES)
    later = [c.request for c in responses.calls[1:]]
    assert {r.method for r in later} == {"GET"}
    assert all(r.headers["Authorization"] == f"Bearer {TOKEN}" for r in later)
    assert len(later) == 3  # users, then the user's tokens and app passwords
    assert not ctx.gaps


@responses.activate
def test_token_url_option_may_be_a_path_on_the_base_origin(key_pair: tuple[str, str]) -> None:
    responses.post(f"{BASE}/token", json={"access_token": TOKEN, "expires_in": 3599})
    serve_directory([g_user(1)])
    run(credentials={"service_account": service_account(key_pair[0]), "admin_email": ADMIN},
        options={"token_url": "/token"})
    assert responses.calls[0].request.url == f"{BASE}/token"


@responses.activate
def test_refused_grant_and_refused_token_are_authentication_errors(key_pair: tuple[str, str]) -> None:
    responses.post(TOKEN_URL, status=401, json={
        "error": "unauthorized_client",
        "error_description": "Client is unauthorized to retrieve access tokens using this method"})
    with pytest.raises(AuthenticationError, match="unauthorized_client"):
        run(credentials={"service_account": service_account(key_pair[0]), "admin_email": ADMIN})

    responses.get(USERS, status=401, json=google_error(401, "authError", "Request had invalid authentication "
                                                       "credentials.", "UNAUTHENTICATED"))
    with pytest.raises(AuthenticationError, match="authError"):
        run()


@responses.activate
def test_access_token_is_minted_again_before_it_expires(key_pair: tuple[str, str]) -> None:
    responses.post(TOKEN_URL, json={"access_token": "ya29.first-token-0001"})
    responses.post(TOKEN_URL, json={"access_token": "ya29.second-token-002"})
    now = [1000.0]
    ctx = make_context(GoogleWorkspaceConnector, base_url=BASE,
                       credentials={"service_account": service_account(key_pair[0]), "admin_email": ADMIN})
    auth = Authorizer(ctx, ctx.session(), token_url="", clock=lambda: now[0])
    assert auth.header() == {"Authorization": "Bearer ya29.first-token-0001"}
    now[0] += 40 * 60
    assert auth.header() == {"Authorization": "Bearer ya29.first-token-0001"}
    now[0] += 15 * 60  # 55 minutes after minting: an hour-long token is renewed before it lapses
    assert auth.header() == {"Authorization": "Bearer ya29.second-token-002"}
    assert len(responses.calls) == 2


# -- users and the sweep ----------------------------------------------------------------------------------


@responses.activate
def test_user_pages_are_followed_and_users_mapped() -> None:
    def page(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        query = parse_qs(urlsplit(request.url or "").query)
        assert query["customer"] == ["my_customer"] and query["maxResults"] == ["500"]
        if "pageToken" not in query:
            body = users_page([g_user(n) for n in range(1, 501)], next_token="tok-2")
        else:
            assert query["pageToken"] == ["tok-2"]
            body = users_page([
                g_user(501, isAdmin=True), g_user(502, isDelegatedAdmin=True, isEnrolledIn2Sv=False),
                g_user(503, suspended=True, suspensionReason="ADMIN", lastLoginTime="1970-01-01T00:00:00.000Z"),
                g_user(504, archived=True), {k: v for k, v in g_user(505).items() if k != "isEnrolledIn2Sv"}])
        return 200, {"Content-Type": "application/json"}, json.dumps(body)

    responses.add_callback(responses.GET, USERS, callback=page)
    responses.add_callback(responses.GET, _pattern("tokens"), callback=per_user("tokens", {}))
    responses.add_callback(responses.GET, _pattern("asps"), callback=per_user("asps", {}))

    ctx = run()

    accounts = {a.name: a for a in ctx.records if isinstance(a, Account)}
    assert len(accounts) == 505
    assert len([c for c in responses.calls if c.request.url and "/tokens" in c.request.url]) == 505
    assert accounts["User 1"].email == "user1@northwind.example" and accounts["User 1"].mfa is TriState.YES
    assert accounts["User 501"].admin and accounts["User 501"].roles == ("super_admin",)
    assert accounts["User 502"].admin and accounts["User 502"].roles == ("delegated_admin",)
    assert accounts["User 502"].mfa is TriState.NO
    assert not accounts["User 503"].active and accounts["User 503"].last_login_at is None
    assert accounts["User 503"].attributes["suspension_reason"] == "ADMIN"
    assert not accounts["User 504"].active and accounts["User 504"].attributes["archived"] is True
    assert accounts["User 505"].mfa is TriState.UNKNOWN  # not said, never "no"
    (tenant,) = [r for r in ctx.records if isinstance(r, System)]
    assert tenant.id == "test:tenant:C0test" and tenant.vendor == "google_workspace"


@responses.activate
def test_grants_merge_into_one_app_per_client_with_its_users_scopes_and_grantors() -> None:
    u1, u2, u3 = g_user(1), g_user(2), g_user(3)
    serve_directory([u1, u2, u3], tokens={
        u1["id"]: tokens_list(g_token(ZAPIER, "Zapier", [AUTH + "gmail.readonly", "openid"], u1["id"])),
        u2["id"]: tokens_list(g_token(ZAPIER, "Zapier", [AUTH + "spreadsheets", "openid"], u2["id"]),
                              g_token("222-cal.apps.googleusercontent.com", "Calendly",
                                      [AUTH + "calendar.events"], u2["id"])),
    }, asps={u3["id"]: asps_list(ASP)})

    ctx = run()

    apps = {i.name: i for i in ctx.records if isinstance(i, Integration)}
    assert set(apps) == {"Zapier", "Calendly"}
    zapier = apps["Zapier"]
    assert zapier.integration_kind == "oauth_client" and zapier.client_id == ZAPIER and zapier.users == 2
    assert zapier.scopes == (AUTH + "gmail.readonly", AUTH + "spreadsheets", "openid")
    assert [(o.role, o.email) for o in zapier.owners] == [("granted_by", "user1@northwind.example"),
                                                         ("granted_by", "user2@northwind.example")]
    flows = {f.name: f for f in ctx.records if isinstance(f, Flow)}
    flow = flows["OAuth access by Zapier"]
    assert flow.flow_kind == "oauth_grant" and flow.target == "external:app:zapier"
    assert flow.source == "test:tenant:C0test" and flow.integration == zapier.id
    assert flow.data == (DataCategory.PII, DataCategory.CONTACT, DataCategory.CONTENT)
    assert flows["OAuth access by Calendly"].data == (DataCategory.CONTACT, DataCategory.CONTENT)
    externals = {s.id for s in ctx.records if isinstance(s, System) and s.system_kind is SystemKind.EXTERNAL}
    assert externals == {"external:app:zapier", "external:app:calendly"}
    credentials = [c for c in ctx.records if isinstance(c, Credential)]
    grants = [c for c in credentials if c.credential_kind == "oauth_token"]
    assert len(grants) == 3 and {g.integration for g in grants} == {zapier.id, apps["Calendly"].id}
    (password,) = [c for c in credentials if c.credential_kind == "app_password"]
    assert password.name == "Thunderbird" and password.account == f"test:user:{u3['id']}"
    assert password.created_at is not None and password.created_at.year == 2023 and password.last_used_at is None
    assert password.fingerprint == ""


@responses.activate
def test_quota_answer_403_user_rate_limit_exceeded_is_retried() -> None:
    user = g_user(1)
    responses.get(USERS, json=users_page([user]))
    tokens_url = f"{USERS}/{user['id']}/tokens"
    responses.get(tokens_url, status=403, json=RATE_LIMITED, headers={"Retry-After": "0"})
    responses.get(tokens_url, json=tokens_list(g_token(ZAPIER, "Zapier", ["openid"], user["id"])))
    responses.get(f"{USERS}/{user['id']}/asps", json=asps_list())

    ctx = run()

    assert not ctx.gaps
    assert ctx.stats.retries == 1 and ctx.stats.rate_limited == 1
    assert [i.name for i in ctx.records if isinstance(i, Integration)] == ["Zapier"]


def test_classify_reads_googles_reasons() -> None:
    def answer(status: int, body: Any, headers: dict[str, str] | None = None) -> requests.Response:
        response = requests.Response()
        response.status_code = status
        response._content = json.dumps(body).encode()
        response.headers.update(headers or {})
        return response

    for reason in ("userRateLimitExceeded", "rateLimitExceeded", "quotaExceeded"):
        verdict = classify_google(answer(403, google_error(403, reason, "slow down", "PERMISSION_DENIED")))
        assert isinstance(verdict, Retry) and verdict.rate_limited
    assert classify_google(answer(403, NO_SCOPE)) is None  # a real refusal: not retried
    assert classify_google(answer(404, google_error(404, "notFound", "Resource Not Found", "NOT_FOUND"))) is None
    too_many = classify_google(answer(429, {}, {"Retry-After": "3"}))
    assert too_many is not None and too_many.after == 3.0 and too_many.rate_limited
    assert classify_google(answer(503, {})) is not None


@responses.activate
def test_a_user_deleted_during_the_sweep_is_a_gap_for_that_user_only() -> None:
    gone, kept = g_user(1), g_user(2)
    serve_directory([gone, kept], tokens={
        gone["id"]: (404, google_error(404, "notFound", "Resource Not Found: userKey", "NOT_FOUND")),
        kept["id"]: tokens_list(g_token(ZAPIER, "Zapier", ["openid"], kept["id"])),
    })

    ctx = run()

    assert [(g.area, g.error) for g in ctx.gaps] == [("OAuth tokens of user1@northwind.example", "NotFoundError")]
    assert len([r for r in ctx.records if isinstance(r, Account)]) == 2
    assert [i.users for i in ctx.records if isinstance(i, Integration)] == [1]


@responses.activate
def test_missing_security_scope_is_one_gap_per_area_and_the_sweep_stops_asking() -> None:
    users = [g_user(n) for n in range(1, 21)]
    serve_directory(users, tokens={u["id"]: (403, NO_SCOPE) for u in users},
                    asps={u["id"]: (403, NO_SCOPE) for u in users})

    ctx = run(options={"sweep_workers": 1})

    assert sorted(g.area for g in ctx.gaps) == ["OAuth tokens", "app-specific passwords"]
    assert all("admin.directory.user.security" in g.reason for g in ctx.gaps)
    assert len([r for r in ctx.records if isinstance(r, Account)]) == 20
    per_user_calls = [c for c in responses.calls if c.request.url and c.request.url.endswith(("/tokens", "/asps"))]
    assert len(per_user_calls) == 2  # one refusal each, then no more asking


def test_scopes_imply_the_data_an_app_can_read() -> None:
    assert scope_data(["https://mail.google.com/"]) == (DataCategory.PII, DataCategory.CONTACT, DataCategory.CONTENT)
    assert scope_data([AUTH + "drive.readonly"]) == (DataCategory.CONTENT,)
    assert scope_data([AUTH + "contacts.readonly"]) == (DataCategory.PII, DataCategory.CONTACT)
    assert scope_data(["openid", "email"]) == (DataCategory.PII,)
    assert scope_data([AUTH + "tasks"]) == (DataCategory.UNKNOWN,)


# -- the emulator and the demo domain ----------------------------------------------------------------------


def test_demo_domain_scanned_over_http(host: Any) -> None:
    vendors = [host.emulators().get("google_workspace")]
    with Emulator(demo_scenario(vendors), vendors) as emulator:
        inventory = scan_emulated(emulator, "northwind-google-workspace", host.connectors())
        methods = {(entry.method, entry.path) for entry in emulator.log}

    (result,) = inventory.connections
    assert result.status is CoverageStatus.COMPLETE, inventory.gaps
    assert {p for m, p in methods if m != "GET"} == {"/token"}
    accounts = {a.email.split("@")[0]: a for a in inventory.of(Account)}
    assert accounts["ana.lima"].roles == ("super_admin",) and accounts["ana.lima"].mfa is TriState.YES
    assert accounts["ben.okafor"].roles == ("delegated_admin",) and accounts["ben.okafor"].mfa is TriState.NO
    assert not accounts["gus.novak"].active and accounts["gus.novak"].attributes["suspended"] is True
    assert not accounts["hana.sato"].active and accounts["hana.sato"].attributes["archived"] is True
    apps = {i.name: i for i in inventory.of(Integration)}
    assert set(apps) == {"Zapier", "Calendly", "LeadGenius", "WriteWise GPT", "Mailchimp", "HubSpot", "Salesforce"}
    assert {o.email for o in apps["Zapier"].owners} == {"chloe.martin@northwind.example", "dev.patel@northwind.example"}
    assert "https://mail.google.com/" in apps["WriteWise GPT"].attributes["broad_scopes"]
    assert apps["Salesforce"].users == 2
    gpt = next(f for f in inventory.of(Flow) if f.integration == apps["WriteWise GPT"].id)
    assert gpt.target == "external:app:writewise-gpt" and DataCategory.CONTENT in gpt.data
    (password,) = [c for c in inventory.of(Credential) if c.credential_kind == "app_password"]
    assert password.account == accounts["ben.okafor"].id and password.name == "Outlook 2016 on SALES-PC-07"
    text = inventory.dumps()
    assert "PRIVATE KEY" not in text and "ya29." not in text


def test_clean_domain_keeps_only_sanctioned_grants_and_fixes_the_people(host: Any) -> None:
    vendors = [host.emulators().get("google_workspace")]
    with Emulator(demo_scenario(vendors, clean=True), vendors) as emulator:
        inventory = scan_emulated(emulator, "northwind-google-workspace", host.connectors())

    assert inventory.connections[0].status is CoverageStatus.COMPLETE
    assert {i.name for i in inventory.of(Integration)} == {"HubSpot", "Salesforce"}
    accounts = inventory.of(Account)
    assert all(a.active for a in accounts)
    assert all(a.mfa is TriState.YES for a in accounts if a.admin)
    assert not [c for c in inventory.of(Credential) if c.credential_kind == "app_password"]


def _tenant(**data: Any) -> TenantSpec:
    spec = demo_tenant()
    spec.data.update(data)
    spec.credentials["access_token"] = TOKEN
    return spec


def test_emulator_pages_refuses_and_enforces_the_quota_as_google_does() -> None:
    vendor = GoogleWorkspaceEmulator()
    vendor.rate_limit = (12, 60.0)  # type: ignore[misc]
    spec = _tenant(delegated_scopes=[AUTH + "admin.directory.user.readonly"])
    with Emulator(Scenario([spec]), [vendor]) as emulator:
        base = emulator.url(spec.name)
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {TOKEN}"
        url = f"{base}/admin/directory/v1/users"
        first = session.get(url, params={"customer": "my_customer", "maxResults": 5}, timeout=5).json()
        second = session.get(url, params={"customer": "my_customer", "maxResults": 5,
                                          "pageToken": first["nextPageToken"]}, timeout=5).json()
        assert len(first["users"]) == 5 and len(second["users"]) == 3 and "nextPageToken" not in second
        assert session.get(url, params={"customer": "my_customer", "maxResults": 501}, timeout=5).status_code == 400
        bad_page = session.get(url, params={"customer": "my_customer", "pageToken": "nope"}, timeout=5)
        assert bad_page.status_code == 400 and bad_page.json()["error"]["errors"][0]["reason"] == "invalid"
        missing = requests.get(url, params={"customer": "my_customer"}, timeout=5)
        assert missing.status_code == 401 and missing.json()["error"]["status"] == "UNAUTHENTICATED"
        no_scope = session.get(f"{url}/{first['users'][0]['id']}/tokens", timeout=5)
        assert no_scope.status_code == 403
        assert no_scope.json()["error"]["errors"][0]["reason"] == "insufficientPermissions"
        answers = [session.get(url, params={"customer": "my_customer"}, timeout=5) for _ in range(8)]
        limited = answers[-1]
        assert [a.status_code for a in answers].count(403) == 2  # 12 a minute: the 13th and 14th are refused
        error = limited.json()["error"]
        assert error["code"] == 403 and error["errors"][0] == {
            "message": error["message"], "domain": "usageLimits", "reason": "userRateLimitExceeded"}
        assert "Retry-After" not in limited.headers


def test_emulator_token_endpoint_refuses_undelegated_scopes(host: Any) -> None:
    vendor = GoogleWorkspaceEmulator()
    spec = demo_tenant()
    spec.data["delegated_scopes"] = [AUTH + "admin.directory.user.readonly"]  # security scope not delegated
    with Emulator(Scenario([spec]), [vendor]) as emulator:
        inventory = scan_emulated(emulator, spec.name, host.connectors())
    (result,) = inventory.connections
    assert result.status is CoverageStatus.FAILED
    assert "unauthorized_client" in result.message
