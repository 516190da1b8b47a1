"""Salesforce connector: documented REST query shapes, paging, auth, permission gaps, and the emulator."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses
from stackaudit_salesforce import SalesforceConnector
from stackaudit_salesforce.connector import SOQL_MFA, SOQL_USERS

from stackaudit import Account, AuthenticationError, Credential, Flow, Integration, System, TriState
from stackaudit.emulator import Emulator, demo_scenario
from stackaudit.model import CoverageStatus
from stackaudit.testing import run_connector, scan_emulated

BASE = "https://northwind.my.salesforce.com"
QUERY = f"{BASE}/services/data/v62.0/query"
TOOLING = f"{BASE}/services/data/v62.0/tooling/query"


def assert_query_shape(body: Any) -> None:
    """The REST API Developer Guide's query result: totalSize, done, records[] with attributes, and
    nextRecordsUrl exactly when more records follow."""
    assert isinstance(body, dict), body
    assert isinstance(body["totalSize"], int)
    assert isinstance(body["done"], bool)
    assert isinstance(body["records"], list)
    for record in body["records"]:
        assert isinstance(record["attributes"]["type"], str)
        assert record["attributes"]["url"].startswith("/services/data/v")
        for key, value in record.items():
            if isinstance(value, dict) and key != "attributes":
                assert "attributes" in value, f"relationship without attributes: {value}"
    if body["done"]:
        assert "nextRecordsUrl" not in body
    else:
        assert body["nextRecordsUrl"].startswith("/services/data/v")


def page(sobject: str, records: list[dict[str, Any]], *, total: int | None = None,
         next_url: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "totalSize": total if total is not None else len(records),
        "done": next_url is None,
        "records": [{"attributes": {"type": sobject, "url": f"/services/data/v62.0/sobjects/{sobject}/{r['Id']}"},
                     **r} for r in records],
    }
    if next_url:
        body["nextRecordsUrl"] = next_url
    assert_query_shape(body)
    return body


def user(n: int, **extra: Any) -> dict[str, Any]:
    return {"Id": f"005{n:015d}", "Username": f"u{n}@northwind.example", "Name": f"User {n}",
            "Email": f"U{n}@Northwind.example", "IsActive": True, "UserType": "Standard",
            "Profile": {"attributes": {"type": "Profile", "url": "/services/data/v62.0/sobjects/Profile/00e1"},
                        "Name": "Standard User"},
            "FederationIdentifier": None, "LastLoginDate": "2026-11-01T09:00:00.000+0000",
            "CreatedDate": "2024-01-01T00:00:00.000+0000", **extra}


def soql_callback(answers: dict[str, Any]) -> Any:
    """A responses callback answering by the queried sObject; a value that is a (status, body) pair is an error."""
    import json

    def callback(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        soql = parse_qs(urlsplit(request.url or "").query)["q"][0]
        sobject = soql.split(" FROM ")[1].split()[0]
        answer = answers.get(sobject, page(sobject, []))
        status, body = answer if isinstance(answer, tuple) else (200, answer)
        return status, {"Content-Type": "application/json"}, json.dumps(body)

    return callback


ORG = page("Organization", [{"Id": "00D000000000001", "Name": "Northwind", "OrganizationType": "Enterprise Edition",
                             "InstanceName": "EU44", "IsSandbox": False, "Country": "IE"}])


@responses.activate
def test_client_credentials_flow_then_queries_with_bearer_token() -> None:
    responses.post(f"{BASE}/services/oauth2/token", json={
        "access_token": "00Dtok-abcdef123456", "instance_url": BASE, "token_type": "Bearer",
        "id": f"{BASE}/id/00D/005", "issued_at": "1", "signature": "sig"})
    responses.add_callback(responses.GET, QUERY, callback=soql_callback({"Organization": ORG}))
    responses.add_callback(responses.GET, TOOLING, callback=soql_callback({}))

    ctx = run_connector(SalesforceConnector, base_url=BASE,
                        credentials={"client_id": "key", "client_secret": "s3cret-value"})

    token_call = responses.calls[0].request
    assert token_call.method == "POST"
    assert parse_qs(str(token_call.body)) == {"grant_type": ["client_credentials"], "client_id": ["key"],
                                             "client_secret": ["s3cret-value"]}
    assert all(c.request.headers["Authorization"] == "Bearer 00Dtok-abcdef123456" for c in responses.calls[1:])
    assert all(c.request.method == "GET" for c in responses.calls[1:])
    assert [r.name for r in ctx.records if isinstance(r, System)] == ["Northwind"]


@responses.activate
def test_follows_next_records_url_until_done() -> None:
    next_url = "/services/data/v62.0/query/01gD0000002HU6KIAW-2000"
    first = page("User", [user(n) for n in range(2000)], total=2500, next_url=next_url)
    second = page("User", [user(n) for n in range(2000, 2500)], total=2500)
    responses.add_callback(responses.GET, QUERY, callback=soql_callback({"Organization": ORG, "User": first}))
    responses.get(f"{BASE}{next_url}", json=second)
    responses.add_callback(responses.GET, TOOLING, callback=soql_callback({}))

    ctx = run_connector(SalesforceConnector, base_url=BASE, credentials={"access_token": "tok-123456789"})

    accounts = [r for r in ctx.records if isinstance(r, Account)]
    assert len(accounts) == 2500
    assert accounts[0].email == "u0@northwind.example"  # lower-cased
    followed = [c for c in responses.calls if c.request.url == f"{BASE}{next_url}"]
    assert len(followed) == 1
    assert followed[0].request.headers["Sforce-Query-Options"] == "batchSize=2000"


@responses.activate
def test_admin_rights_and_mfa_come_from_permission_sets_and_registered_methods() -> None:
    assignments = page("PermissionSetAssignment", [
        {"Id": "0Pa1", "AssigneeId": "005000000000000001", "PermissionSet": {
            "attributes": {"type": "PermissionSet", "url": "/services/data/v62.0/sobjects/PermissionSet/0PS1"},
            "Name": "X", "PermissionsModifyAllData": True, "PermissionsViewAllData": True,
            "PermissionsCustomizeApplication": False}},
    ])
    mfa = page("TwoFactorMethodsInfo", [
        {"Id": "0ht1", "UserId": "005000000000000001", "HasSalesforceAuthenticator": False, "HasTotp": True,
         "HasU2F": False, "HasBuiltInAuthenticator": False, "HasUserVerifiedMobileNumber": False,
         "HasUserVerifiedEmailAddress": True},
        {"Id": "0ht2", "UserId": "005000000000000002", "HasSalesforceAuthenticator": False, "HasTotp": False,
         "HasU2F": False, "HasBuiltInAuthenticator": False, "HasUserVerifiedMobileNumber": True,
         "HasUserVerifiedEmailAddress": True},
    ])
    users = page("User", [user(1), user(2), user(3, FederationIdentifier="u3")])
    responses.add_callback(responses.GET, QUERY, callback=soql_callback({"Organization": ORG, "PermissionSetAssignment": assignments,
                                                 "TwoFactorMethodsInfo": mfa, "User": users}))
    responses.add_callback(responses.GET, TOOLING, callback=soql_callback({}))

    ctx = run_connector(SalesforceConnector, base_url=BASE, credentials={"access_token": "tok-123456789"})

    by_name = {r.name: r for r in ctx.records if isinstance(r, Account)}
    assert by_name["User 1"].admin and by_name["User 1"].roles == ("Standard User", "Modify All Data", "View All Data")
    assert by_name["User 1"].mfa is TriState.YES
    assert by_name["User 2"].mfa is TriState.NO  # SMS/email verification is not MFA
    assert by_name["User 3"].mfa is TriState.NO  # no registered method at all
    assert by_name["User 3"].sso is TriState.YES
    assert not by_name["User 2"].admin


@responses.activate
def test_refused_object_is_a_coverage_gap_and_the_rest_is_kept() -> None:
    refused = (400, [{"message": "sObject type 'TwoFactorMethodsInfo' is not supported.", "errorCode": "INVALID_TYPE"}])
    responses.add_callback(responses.GET, QUERY, callback=soql_callback({"Organization": ORG, "TwoFactorMethodsInfo": refused,
                                                 "User": page("User", [user(1)])}))
    responses.add_callback(responses.GET, TOOLING, callback=soql_callback({"RemoteProxy": (403, [{"message": "no", "errorCode":
                                                                           "INSUFFICIENT_ACCESS"}])}))

    ctx = run_connector(SalesforceConnector, base_url=BASE, credentials={"access_token": "tok-123456789"})

    assert {g.area for g in ctx.gaps} == {"TwoFactorMethodsInfo", "RemoteProxy"}
    (account,) = [r for r in ctx.records if isinstance(r, Account)]
    assert account.mfa is TriState.UNKNOWN  # unknown, never reported as "off"


@responses.activate
def test_bad_client_credentials_raise_authentication_error_naming_the_fix() -> None:
    responses.post(f"{BASE}/services/oauth2/token", status=400,
                   json={"error": "invalid_client", "error_description": "invalid client credentials"})
    with pytest.raises(AuthenticationError) as raised:
        run_connector(SalesforceConnector, base_url=BASE, credentials={"client_id": "k", "client_secret": "wrong-secret"})
    assert "invalid_client" in str(raised.value)
    assert "client credentials flow" in raised.value.fix


@responses.activate
def test_token_response_pointing_elsewhere_is_refused() -> None:
    responses.post(f"{BASE}/services/oauth2/token", json={"access_token": "tok-123456789",
                                                          "instance_url": "https://attacker.example"})
    with pytest.raises(AuthenticationError, match="refusing to send the token"):
        run_connector(SalesforceConnector, base_url=BASE, credentials={"client_id": "k", "client_secret": "secret1"})
    assert len(responses.calls) == 1


def test_soql_the_connector_sends_is_valid_against_the_emulated_schema() -> None:
    from stackaudit_salesforce.emulator import SCHEMA, run_soql

    for soql in (SOQL_USERS, SOQL_MFA):
        run_soql(soql, {}, SCHEMA, set(), "62.0")  # raises on an unknown object or field


def test_demo_org_scanned_over_http(host: Any) -> None:
    vendors = [host.emulators().get("salesforce")]
    with Emulator(demo_scenario(vendors), vendors) as emulator:
        inventory = scan_emulated(emulator, "northwind-salesforce", host.connectors())
        methods = {(entry.method, entry.path) for entry in emulator.log}

    (result,) = inventory.connections
    assert result.status is CoverageStatus.COMPLETE, inventory.gaps
    assert {m for m, _ in methods} == {"GET", "POST"}
    assert {p for m, p in methods if m == "POST"} == {"/services/oauth2/token"}
    accounts = {a.name: a for a in inventory.of(Account)}
    assert accounts["Ben Okafor"].admin and accounts["Ben Okafor"].mfa is TriState.NO
    assert accounts["Ana Lima"].admin and accounts["Ana Lima"].mfa is TriState.YES
    assert accounts["HubSpot Integration"].account_kind.value == "service"
    integrations = {i.name: i for i in inventory.of(Integration)}
    assert integrations["LeadGenius for Chrome"].integration_kind == "oauth_client"
    assert integrations["Zapier"].users == 2
    assert {i.name for i in inventory.of(Integration) if i.integration_kind == "installed_package"} == {
        "HubSpot Integration", "Mailchimp for Salesforce", "DocuSign Apps Launcher"}
    tokens = inventory.of(Credential)
    assert len(tokens) == 6 and all(t.credential_kind == "oauth_token" for t in tokens)
    endpoints = {f.name: f for f in inventory.of(Flow) if f.flow_kind == "outbound_endpoint"}
    assert endpoints["Legacy_ERP"].scheme == "http"
    assert endpoints["Legacy_ERP"].target == "external:erp.northwind.example"
    assert endpoints["Zapier_Hooks"].scheme == "https"


def test_emulator_query_responses_have_the_documented_shape(host: Any) -> None:
    vendor = host.emulators().get("salesforce")
    with Emulator(demo_scenario([vendor], scale=3), [vendor]) as emulator:
        base = emulator.url("northwind-salesforce")
        token = requests.post(f"{base}/services/oauth2/token", data={
            "grant_type": "client_credentials", **emulator.tenants["northwind-salesforce"].credentials}, timeout=5).json()
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token['access_token']}"
        session.headers["Sforce-Query-Options"] = "batchSize=500"
        body = session.get(f"{base}/services/data/v62.0/query", params={"q": SOQL_USERS}, timeout=5).json()
        pages = 1
        assert_query_shape(body)
        while not body["done"]:
            body = session.get(base + body["nextRecordsUrl"], timeout=5).json()
            assert_query_shape(body)
            pages += 1
        assert pages == 5  # 2,010 users at 500 per page
        bad = session.get(f"{base}/services/data/v62.0/query", params={"q": "SELECT Nope FROM User"}, timeout=5)
        assert bad.status_code == 400 and bad.json()[0]["errorCode"] == "INVALID_FIELD"
        unauthorised = requests.get(f"{base}/services/data/v62.0/query", params={"q": SOQL_USERS}, timeout=5)
        assert unauthorised.status_code == 401 and unauthorised.json()[0]["errorCode"] == "INVALID_SESSION_ID"
