"""Okta connector: Management API shapes, SSWS/Bearer auth, Link paging, X-Rate-Limit handling, coverage gaps,
and the emulated demo org."""

from __future__ import annotations

import email.utils
import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses
from stackaudit_okta import OktaConnector, OktaEmulator
from stackaudit_okta.client import classify_okta
from stackaudit_okta.demo import demo_tenant

from stackaudit import (
    Account,
    ApiError,
    AuthenticationError,
    Credential,
    DataCategory,
    Flow,
    Integration,
    System,
    SystemKind,
    TriState,
)
from stackaudit.emulator import Emulator, Scenario, demo_scenario
from stackaudit.model import CoverageStatus
from stackaudit.testing import run_connector, scan_emulated
from stackaudit.testing.vendor_specs import require_spec

ORG = "https://northwind.okta.com"
TOKEN = "00abcdefghijklmnopqrstuvwxyz0123456789ABCD"
SPEC = "okta/management-minimal.yaml"


def app(n: int, label: str, *, name: str = "", mode: str = "SAML_2_0", status: str = "ACTIVE",
        **extra: Any) -> dict[str, Any]:
    return {"id": f"0oa{n:017d}", "name": name or label.lower().replace(" ", "_"), "label": label,
            "status": status, "created": "2024-01-01T00:00:00.000Z", "lastUpdated": "2024-01-01T00:00:00.000Z",
            "signOnMode": mode, "features": [], "visibility": {"autoSubmitToolbar": False, "appLinks": {"login": True}},
            "accessibility": {"selfService": False}, "settings": {"app": {}}, **extra}


def user(n: int, status: str = "ACTIVE", **extra: Any) -> dict[str, Any]:
    email = f"user{n}@northwind.example"
    return {"id": f"00u{n:017d}", "status": status, "created": "2024-01-01T00:00:00.000Z", "activated": None,
            "statusChanged": None, "lastLogin": "2026-11-01T09:00:00.000Z",
            "lastUpdated": "2026-11-01T09:00:00.000Z", "passwordChanged": None, "type": {"id": "oty1"},
            "profile": {"firstName": "User", "lastName": str(n), "login": email, "email": email},
            "credentials": {"provider": {"type": "OKTA", "name": "OKTA"}}, **extra}


def factor(factor_type: str, status: str = "ACTIVE") -> dict[str, Any]:
    return {"id": f"fac{factor_type.replace(':', '')}", "factorType": factor_type, "provider": "OKTA",
            "vendorName": "OKTA", "status": status, "created": "2024-01-01T00:00:00.000Z",
            "lastUpdated": "2024-01-01T00:00:00.000Z", "profile": {}}


def role(role_type: str, label: str) -> dict[str, Any]:
    return {"id": f"ra{role_type}", "label": label, "type": role_type, "status": "ACTIVE",
            "created": "2024-01-01T00:00:00.000Z", "lastUpdated": "2024-01-01T00:00:00.000Z",
            "assignmentType": "USER"}


def assignees(*user_ids: str) -> dict[str, Any]:
    return {"value": [{"id": uid, "orn": f"orn:okta:idp:00o1:users:{uid}",
                       "_links": {"roles": {"href": f"{ORG}/api/v1/users/{uid}/roles"}}} for uid in user_ids]}


def api_token(name: str, *, window: str = "P30D", expires: str = "2026-12-01T00:00:00.000Z") -> dict[str, Any]:
    return {"id": f"00T{name}", "name": name, "userId": "00u00000000000000001", "tokenWindow": window,
            "clientName": "Okta API", "network": {"connection": "ANYWHERE"}, "expiresAt": expires,
            "created": "2024-05-01T00:00:00.000Z", "lastUpdated": "2026-11-01T00:00:00.000Z"}


def hook(uri: str, **extra: Any) -> dict[str, Any]:
    return {"id": "who1", "status": "ACTIVE", "verificationStatus": "VERIFIED", "name": "To the SIEM",
            "description": None, "created": "2025-01-01T00:00:00.000Z", "createdBy": "00u00000000000000001",
            "lastUpdated": "2025-01-01T00:00:00.000Z",
            "events": {"type": "EVENT_TYPE", "items": ["user.lifecycle.deactivate"], "filter": None},
            "channel": {"type": "HTTP", "version": "1.0.0",
                        "config": {"uri": uri, "headers": [], "method": "POST",
                                   "authScheme": {"type": "HEADER", "key": "Authorization"}}}, **extra}


ORGANIZATION = {"id": "00o1northwind0demo1", "pipeline": "idx", "_links": {"organization": {"href": ORG}}}
FORBIDDEN = {"errorCode": "E0000006", "errorSummary": "You do not have permission to perform the requested action",
             "errorLink": "E0000006", "errorId": "oae1", "errorCauses": []}


def serve(*, apps: list[dict[str, Any]] | None = None, users: list[dict[str, Any]] | None = None,
          deprovisioned: list[dict[str, Any]] | None = None, factors: dict[str, Any] | None = None,
          roles: dict[str, list[dict[str, Any]]] | None = None, tokens: Any = None, hooks: Any = None) -> None:
    """Answer every endpoint the connector reads; a (status, body) tuple is an error answer."""

    def answer(value: Any) -> tuple[int, dict[str, str], str]:
        status, body = value if isinstance(value, tuple) else (200, value)
        return status, {"Content-Type": "application/json"}, json.dumps(body)

    def users_callback(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        query = parse_qs(urlsplit(request.url or "").query)
        return answer(deprovisioned or [] if "filter" in query else users or [])

    responses.get(f"{ORG}/.well-known/okta-organization", json=ORGANIZATION)
    responses.add_callback(responses.GET, f"{ORG}/api/v1/apps", callback=lambda r: answer(apps or []))
    responses.add_callback(responses.GET, f"{ORG}/api/v1/users", callback=users_callback)
    responses.add_callback(responses.GET, re.compile(rf"{ORG}/api/v1/users/\w+/factors"),
                           callback=lambda r: answer((factors or {}).get(r.url.split("/")[-2], [])))
    responses.add_callback(responses.GET, re.compile(rf"{ORG}/api/v1/users/\w+/roles"),
                           callback=lambda r: answer((roles or {}).get(r.url.split("/")[-2], [])))
    responses.add_callback(responses.GET, f"{ORG}/api/v1/iam/assignees/users",
                           callback=lambda r: answer(assignees(*(roles or {}))))
    responses.add_callback(responses.GET, f"{ORG}/api/v1/api-tokens", callback=lambda r: answer(tokens or []))
    responses.add_callback(responses.GET, f"{ORG}/api/v1/eventHooks", callback=lambda r: answer(hooks or []))


def run(**kwargs: Any) -> Any:
    kwargs.setdefault("credentials", {"api_token": TOKEN})
    return run_connector(OktaConnector, base_url=ORG, **kwargs)


# -- the documented shapes -----------------------------------------------------------------------------

# The spec's TimeDuration pattern, '^P(?:$)…(T(?:\d)…', rejects every duration but "P" (its own example "P30D"
# included): a lookahead written as a group. Token windows are checked against the intended pattern instead.
ISO_DURATION = re.compile(r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$")


def tokens_for_spec(tokens: list[dict[str, Any]]) -> list[dict[str, Any]]:
    assert all(ISO_DURATION.match(t["tokenWindow"]) for t in tokens), [t["tokenWindow"] for t in tokens]
    return [{k: v for k, v in t.items() if k != "tokenWindow"} for t in tokens]



def test_canned_and_emulated_payloads_match_the_official_spec() -> None:
    spec = require_spec(SPEC)
    oidc = app(3, "Portal", name="oidc_client", mode="OPENID_CONNECT",
               credentials={"oauthClient": {"client_id": "0oaclient", "token_endpoint_auth_method": "client_secret_basic"}})
    spec.validate([app(1, "Salesforce"), app(2, "Old tool", status="INACTIVE"), oidc], path="/api/v1/apps")
    spec.validate([user(1), user(2, "SUSPENDED")], path="/api/v1/users")
    spec.validate([factor("push"), factor("question")], path="/api/v1/users/00u1/factors")
    # The roles response is a oneOf told apart by a discriminator the validator ignores: check the member schema.
    spec.validate(role("SUPER_ADMIN", "Super Administrator"), schema="StandardRole", strict=True)
    spec.validate(assignees("00u1"), path="/api/v1/iam/assignees/users")  # allOf links: strict cannot apply
    spec.validate(tokens_for_spec([api_token("ci")]), path="/api/v1/api-tokens", strict=True)
    spec.validate([hook("https://siem.example/okta")], path="/api/v1/eventHooks")
    spec.validate(ORGANIZATION, path="/.well-known/okta-organization", strict=True)
    spec.validate(FORBIDDEN, schema="Error", strict=True)

    tenant = demo_tenant()
    with Emulator(Scenario([tenant]), [OktaEmulator()]) as emulator:
        base = emulator.url(tenant.name)
        session = requests.Session()
        session.headers["Authorization"] = f"SSWS {tenant.credentials['api_token']}"
        for path in ("/api/v1/apps", "/api/v1/users", "/api/v1/iam/assignees/users", "/api/v1/eventHooks",
                     "/.well-known/okta-organization"):
            spec.validate(session.get(base + path, timeout=5).json(), path=path)
        tokens = session.get(f"{base}/api/v1/api-tokens", timeout=5).json()
        # Not strict: the ApiToken schema names its links "_link" while the API (and the spec's example) say "_links".
        spec.validate(tokens_for_spec(tokens), path="/api/v1/api-tokens")
        for okta_user in session.get(f"{base}/api/v1/users", timeout=5).json():
            path = f"/api/v1/users/{okta_user['id']}/factors"
            spec.validate(session.get(base + path, timeout=5).json(), path=path)
            for assignment in session.get(f"{base}/api/v1/users/{okta_user['id']}/roles", timeout=5).json():
                spec.validate(assignment, schema="StandardRole", strict=True)
        refused = requests.get(f"{base}/api/v1/apps", timeout=5)
        spec.validate(refused.json(), schema="Error", strict=True)


# -- auth, paging, rate limits ------------------------------------------------------------------------------


@responses.activate
def test_api_token_goes_in_an_ssws_header_and_only_gets_are_sent() -> None:
    serve(users=[user(1)])
    run()
    assert {c.request.method for c in responses.calls} == {"GET"}
    authenticated = [c.request for c in responses.calls if "/.well-known/" not in (c.request.url or "")]
    assert authenticated and all(r.headers["Authorization"] == f"SSWS {TOKEN}" for r in authenticated)


@responses.activate
def test_oauth_access_token_goes_in_a_bearer_header() -> None:
    serve()
    run(credentials={"access_token": "eyJraWQiOiJ0ZXN0In0.access.token"})
    assert responses.calls[-1].request.headers["Authorization"] == "Bearer eyJraWQiOiJ0ZXN0In0.access.token"


@responses.activate
def test_bad_token_is_an_authentication_error() -> None:
    responses.get(f"{ORG}/.well-known/okta-organization", json=ORGANIZATION)
    responses.get(f"{ORG}/api/v1/apps", status=401, json={
        "errorCode": "E0000011", "errorSummary": "Invalid token provided", "errorLink": "E0000011",
        "errorId": "oae2", "errorCauses": []})
    with pytest.raises(AuthenticationError, match="E0000011"):
        run()


@responses.activate
def test_link_next_pages_are_followed_and_deprovisioned_users_asked_for() -> None:
    second = f"{ORG}/api/v1/users?after=00u00000000000000002&limit=200"

    def users_page(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        query = parse_qs(urlsplit(request.url or "").query)
        if query.get("filter") == ['status eq "DEPROVISIONED"']:
            return 200, {}, json.dumps([user(9, "DEPROVISIONED")])
        if "after" in query:
            return 200, {}, json.dumps([user(3)])
        assert query["limit"] == ["200"]
        return 200, {"Link": f'<{ORG}/api/v1/users?limit=200>; rel="self", <{second}>; rel="next"'}, json.dumps(
            [user(1), user(2)])

    serve()
    responses.remove(responses.GET, f"{ORG}/api/v1/users")
    responses.add_callback(responses.GET, f"{ORG}/api/v1/users", callback=users_page)

    ctx = run()

    accounts = {a.name: a for a in ctx.records if isinstance(a, Account)}
    assert set(accounts) == {"User 1", "User 2", "User 3", "User 9"}
    assert not accounts["User 9"].active and accounts["User 9"].mfa is TriState.UNKNOWN
    assert [c.request.url for c in responses.calls].count(second) == 1
    factor_calls = [c for c in responses.calls if (c.request.url or "").endswith("/factors")]
    assert len(factor_calls) == 3  # a deprovisioned user has no factors left to read


@responses.activate
def test_a_next_link_to_another_host_is_refused() -> None:
    serve()
    responses.remove(responses.GET, f"{ORG}/api/v1/apps")
    responses.get(f"{ORG}/api/v1/apps", json=[app(1, "Salesforce")],
                  headers={"Link": '<https://attacker.example/api/v1/apps?after=x>; rel="next"'})
    with pytest.raises(ApiError, match="refusing to send the token"):
        run()
    assert not [c for c in responses.calls if "attacker" in (c.request.url or "")]


@responses.activate
def test_429_waits_until_x_rate_limit_reset() -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    serve()
    responses.remove(responses.GET, f"{ORG}/api/v1/apps")
    responses.get(f"{ORG}/api/v1/apps", status=429, json={"errorCode": "E0000047", "errorSummary": "API call "
                  "exceeded rate limit due to too many requests.", "errorLink": "E0000047", "errorId": "oae3",
                  "errorCauses": []}, headers={"X-Rate-Limit-Limit": "100", "X-Rate-Limit-Remaining": "0",
                                               "X-Rate-Limit-Reset": str(int(now.timestamp())),
                                               "Date": email.utils.format_datetime(now, usegmt=True)})
    responses.get(f"{ORG}/api/v1/apps", json=[app(1, "Salesforce")])

    ctx = run()

    assert ctx.stats.retries == 1 and ctx.stats.rate_limited == 1
    assert [i.name for i in ctx.records if isinstance(i, Integration)] == ["Salesforce"]


def test_classify_measures_the_reset_against_the_servers_date() -> None:
    response = requests.Response()
    response.status_code = 429
    date = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    response.headers.update({"Date": email.utils.format_datetime(date, usegmt=True),
                             "X-Rate-Limit-Reset": str(int(date.timestamp()) + 7)})
    verdict = classify_okta(response)
    assert verdict is not None and verdict.after == 7.0 and verdict.rate_limited
    ok = requests.Response()
    ok.status_code = 200
    assert classify_okta(ok) is None


# -- what is read ------------------------------------------------------------------------------------------


@responses.activate
def test_apps_become_sso_integrations_and_sign_in_flows() -> None:
    serve(apps=[
        app(1, "Salesforce", name="salesforce", settings={"app": {}, "signOn": {
            "ssoAcsUrl": "https://northwind.my.salesforce.com", "audience": "https://saml.salesforce.com"}},
            features=["PUSH_NEW_USERS"]),
        app(2, "Legacy CMS", status="INACTIVE", mode="BROWSER_PLUGIN", name="template_swa"),
        app(3, "Portal", name="oidc_client", mode="OPENID_CONNECT", credentials={"oauthClient": {"client_id": "0oaPORTAL"}}),
        app(4, "Okta Admin Console", name="saasure", mode="OPENID_CONNECT"),
        app(5, "Company wiki", name="bookmark", mode="BOOKMARK"),
    ])

    ctx = run()

    apps = {i.name: i for i in ctx.records if isinstance(i, Integration)}
    assert set(apps) == {"Salesforce", "Legacy CMS", "Portal"}  # Okta's own apps and bookmarks are not SSO
    salesforce = apps["Salesforce"]
    assert salesforce.integration_kind == "sso_app" and salesforce.system == "test:tenant:00o1northwind0demo1"
    assert salesforce.domains == ("northwind.my.salesforce.com", "saml.salesforce.com")
    assert salesforce.attributes["federated"] is True and salesforce.attributes["provisioning"] is True
    assert not apps["Legacy CMS"].enabled and apps["Legacy CMS"].attributes["password_vaulted"] is True
    assert apps["Portal"].client_id == "0oaPORTAL"
    flows = {f.target: f for f in ctx.records if isinstance(f, Flow)}
    assert flows["external:app:salesforce"].flow_kind == "sso"
    assert flows["external:app:salesforce"].source == salesforce.system
    assert flows["external:app:salesforce"].data == (DataCategory.PII,)
    assert not flows["external:app:legacy-cms"].active
    externals = {s.id: s for s in ctx.records if isinstance(s, System) and s.system_kind is SystemKind.EXTERNAL}
    assert externals["external:app:salesforce"].vendor == "salesforce"
    assert externals["external:app:portal"].vendor == ""  # a custom app: no vendor claimed


@responses.activate
def test_factors_and_admin_roles_make_mfa_and_admin() -> None:
    admin, weak, none, gone = user(1), user(2), user(3), user(4)
    serve(users=[admin, weak, none, gone], factors={
        admin["id"]: [factor("push"), factor("webauthn")],
        weak["id"]: [factor("question"), factor("email"), factor("token:software:totp", "PENDING_ACTIVATION")],
        gone["id"]: (404, {"errorCode": "E0000007", "errorSummary": "Not found: Resource not found: x (User)",
                           "errorLink": "E0000007", "errorId": "oae4", "errorCauses": []}),
    }, roles={admin["id"]: [role("SUPER_ADMIN", "Super Administrator"), role("APP_ADMIN", "Application Administrator")]})

    ctx = run()

    accounts = {a.name: a for a in ctx.records if isinstance(a, Account)}
    assert accounts["User 1"].admin and accounts["User 1"].roles == ("APP_ADMIN", "SUPER_ADMIN")
    assert accounts["User 1"].mfa is TriState.YES
    assert accounts["User 2"].mfa is TriState.NO  # a question, an email code and an unfinished enrolment
    assert accounts["User 3"].mfa is TriState.NO and not accounts["User 3"].admin
    assert accounts["User 4"].mfa is TriState.UNKNOWN
    assert [g.area for g in ctx.gaps] == ["enrolled factors of user4@northwind.example"]


@responses.activate
def test_suspended_and_deprovisioned_people_are_inactive() -> None:
    serve(users=[user(1, "SUSPENDED"), user(2, "LOCKED_OUT")], deprovisioned=[user(3, "DEPROVISIONED")])
    ctx = run()
    accounts = {a.name: a for a in ctx.records if isinstance(a, Account)}
    assert not accounts["User 1"].active and accounts["User 1"].attributes["status"] == "SUSPENDED"
    assert accounts["User 2"].active  # locked out is still an employee
    assert not accounts["User 3"].active


@responses.activate
def test_api_tokens_are_credentials_with_their_last_use_and_event_hooks_outbound_webhooks() -> None:
    serve(users=[user(1)], tokens=[api_token("provisioning", window="P180D", expires="2027-01-21T00:00:00.000Z")],
          hooks=[hook("http://hooks.example.net/okta?key=abc123secret", channel={
              "type": "HTTP", "version": "1.0.0",
              "config": {"uri": "http://hooks.example.net/okta?key=abc123secret", "headers": [],
                         "authScheme": {"type": "HEADER", "key": "Authorization", "value": "hook-secret-value"}}})])

    ctx = run()

    (token,) = [c for c in ctx.records if isinstance(c, Credential)]
    assert token.credential_kind == "api_token" and token.name == "provisioning"
    assert token.account == "test:user:00u00000000000000001"
    assert token.expires_at == datetime(2027, 1, 21, tzinfo=UTC)
    assert token.last_used_at == datetime(2027, 1, 21, tzinfo=UTC) - timedelta(days=180)
    (webhook,) = [f for f in ctx.records if isinstance(f, Flow) and f.flow_kind == "webhook"]
    assert webhook.scheme == "http" and webhook.url == "http://hooks.example.net/okta"
    assert webhook.target == "external:hooks.example.net" and webhook.active
    assert webhook.owners[0].email == "user1@northwind.example"
    text = json.dumps([repr(r) for r in ctx.records])
    assert "hook-secret-value" not in text and "abc123secret" not in text


@responses.activate
def test_areas_the_token_may_not_read_are_coverage_gaps_and_the_rest_is_kept() -> None:
    serve(apps=[app(1, "Salesforce")], users=[user(1)], tokens=(403, FORBIDDEN), hooks=[hook("https://siem.example/x")])
    responses.remove(responses.GET, f"{ORG}/api/v1/iam/assignees/users")
    responses.get(f"{ORG}/api/v1/iam/assignees/users", status=403, json=FORBIDDEN)

    ctx = run()

    assert sorted(g.area for g in ctx.gaps) == ["API tokens", "admin roles"]
    assert all("E0000006" in g.reason for g in ctx.gaps)
    assert [i.name for i in ctx.records if isinstance(i, Integration)] == ["Salesforce"]
    assert len([a for a in ctx.records if isinstance(a, Account)]) == 1
    assert [f.flow_kind for f in ctx.records if isinstance(f, Flow)].count("webhook") == 1


# -- the emulator and the demo org ---------------------------------------------------------------------------


def test_demo_org_scanned_over_http(host: Any) -> None:
    vendors = [host.emulators().get("okta")]
    with Emulator(demo_scenario(vendors), vendors) as emulator:
        inventory = scan_emulated(emulator, "northwind-okta", host.connectors())
        methods = {entry.method for entry in emulator.log}

    (result,) = inventory.connections
    assert result.status is CoverageStatus.COMPLETE, inventory.gaps
    assert methods == {"GET"}
    apps = {i.name for i in inventory.of(Integration) if i.integration_kind == "sso_app"}
    assert apps == {"Salesforce", "HubSpot", "Marketo", "Google Workspace", "Segment", "Contentful"}
    accounts = {a.email.split("@")[0]: a for a in inventory.of(Account)}
    assert accounts["ana.lima"].roles == ("SUPER_ADMIN",) and accounts["ana.lima"].mfa is TriState.YES
    assert accounts["gus.novak"].attributes["status"] == "SUSPENDED" and not accounts["gus.novak"].active
    assert accounts["hana.sato"].attributes["status"] == "DEPROVISIONED"
    assert accounts["ben.okafor"].mfa is TriState.NO
    tokens = {c.name: c for c in inventory.of(Credential)}
    old = tokens["sfdc-provisioning-2024"]
    assert old.last_used_at is not None and (datetime.now(UTC) - old.last_used_at).days >= 119
    (offboarding,) = [f for f in inventory.of(Flow) if f.flow_kind == "webhook"]
    assert offboarding.scheme == "https" and offboarding.owners[0].email == "ana.lima@northwind.example"
    assert "external:app:mailchimp" not in {s.id for s in inventory.of(System)}


def test_clean_org_puts_mailchimp_behind_okta_and_drops_who_left(host: Any) -> None:
    vendors = [host.emulators().get("okta")]
    with Emulator(demo_scenario(vendors, clean=True), vendors) as emulator:
        inventory = scan_emulated(emulator, "northwind-okta", host.connectors())

    assert inventory.connections[0].status is CoverageStatus.COMPLETE
    assert "Mailchimp" in {i.name for i in inventory.of(Integration)}
    assert all(a.active and a.mfa is TriState.YES for a in inventory.of(Account))
    assert [c.name for c in inventory.of(Credential)] == ["stackaudit read-only"]


def test_emulator_pages_hides_deprovisioned_refuses_and_rate_limits_as_okta_does() -> None:
    vendor = OktaEmulator()
    vendor.rate_limit = (10, 60.0)  # type: ignore[misc]
    spec = demo_tenant()
    spec.data["denied"] = ["/api/v1/api-tokens"]
    with Emulator(Scenario([spec]), [vendor]) as emulator:
        base = emulator.url(spec.name)
        session = requests.Session()
        session.headers["Authorization"] = f"SSWS {spec.credentials['api_token']}"
        first = session.get(f"{base}/api/v1/users", params={"limit": 5}, timeout=5)
        assert len(first.json()) == 5 and first.headers["X-Rate-Limit-Limit"]
        second = session.get(first.links["next"]["url"], timeout=5).json()
        assert {u["status"] for u in first.json() + second} >= {"SUSPENDED"}
        assert "DEPROVISIONED" not in {u["status"] for u in first.json() + second}
        gone = session.get(f"{base}/api/v1/users", params={"filter": 'status eq "DEPROVISIONED"'}, timeout=5).json()
        assert [u["profile"]["login"] for u in gone] == ["hana.sato@northwind.example"]
        denied = session.get(f"{base}/api/v1/api-tokens", timeout=5)
        assert denied.status_code == 403 and denied.json()["errorCode"] == "E0000006"
        missing = session.get(f"{base}/api/v1/users/00unknown/factors", timeout=5)
        assert missing.status_code == 404 and missing.json()["errorCode"] == "E0000007"
        wrong = requests.get(f"{base}/api/v1/users", headers={"Authorization": "SSWS nope"}, timeout=5)
        assert wrong.status_code == 401 and wrong.json()["errorCode"] == "E0000011"
        answers = [session.get(f"{base}/api/v1/apps", timeout=5) for _ in range(5)]
        limited = answers[-1]
        assert [a.status_code for a in answers].count(429) == 1  # 10 a minute: the 11th is refused
        assert limited.json()["errorCode"] == "E0000047"
        assert limited.headers["X-Rate-Limit-Remaining"] == "0"
        assert int(limited.headers["X-Rate-Limit-Reset"]) > datetime.now(UTC).timestamp()
