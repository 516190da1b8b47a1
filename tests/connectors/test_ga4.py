"""Google Analytics 4 connector: service-account token grant, Admin API shapes (validated against the official
discovery documents), paging, quota answers, refused or absent v1alpha areas, and the emulated demo account."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs

import pytest
import requests
import responses
from responses import matchers
from stackaudit_ga4 import GA4Connector, GA4Emulator
from stackaudit_ga4.client import SCOPES, classify
from stackaudit_ga4.transform import parse_time

from stackaudit import (
    Account,
    AccountKind,
    AuthenticationError,
    Credential,
    Flow,
    ScanContext,
    System,
    SystemKind,
    TriState,
)
from stackaudit.emulator import Emulator, Scenario, demo_scenario
from stackaudit.model import CoverageStatus, to_jsonable
from stackaudit.oauth import JWT_BEARER_GRANT, generate_rsa_key_pair, verify_jwt
from stackaudit.testing import run_connector, scan_emulated
from stackaudit.testing.vendor_specs import VendorSpec, require_spec

BASE = "https://analyticsadmin.googleapis.com"
GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token"
ACCOUNT = "accounts/1000"
PROPERTY = "properties/2000"
STREAM = f"{PROPERTY}/dataStreams/3000"
SECRET_VALUE = "Zq9XmKp2LrTw8VbN4CdE1f"
SERVICE_ACCOUNT = "reader@analytics-proj.iam.gserviceaccount.com"
TOKEN = "ya29.test-access-token-0123456789"


@pytest.fixture(scope="module")
def beta() -> VendorSpec:
    return require_spec("google-analytics-admin/analyticsadmin.v1beta.json")


@pytest.fixture(scope="module")
def alpha() -> VendorSpec:
    return require_spec("google-analytics-admin/analyticsadmin.v1alpha.json")


@pytest.fixture(scope="module")
def key_pair() -> tuple[str, str]:
    return generate_rsa_key_pair()


class Api:
    """Registers Admin API answers with ``responses`` after validating each against its discovery schema."""

    def __init__(self, beta: VendorSpec, alpha: VendorSpec) -> None:
        self.specs = {"v1beta": beta, "v1alpha": alpha}

    def list(self, path: str, schema: str, body: dict[str, Any], *, page_token: str | None = None,
             status: int = 200, headers: dict[str, str] | None = None) -> None:
        version = path.split("/")[1]
        self.specs[version].validate(body, schema=f"GoogleAnalyticsAdmin{version.capitalize()}{schema}", strict=True)
        match = [matchers.query_param_matcher({"pageToken": page_token}, strict_match=False)] if page_token else []
        responses.get(BASE + path, json=body, status=status, headers=headers, match=match)

    def error(self, path: str, status: int, message: str, *, reason: str = "", legacy_reason: str = "",
              headers: dict[str, str] | None = None) -> None:
        error: dict[str, Any] = {"code": status, "message": message,
                                 "status": {401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED",
                                            429: "RESOURCE_EXHAUSTED"}[status]}
        if reason:
            error["details"] = [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": reason,
                                 "domain": "googleapis.com", "metadata": {"service": "analyticsadmin.googleapis.com"}}]
        if legacy_reason:
            error["errors"] = [{"message": message, "domain": "usageLimits", "reason": legacy_reason}]
        responses.get(BASE + path, json={"error": error}, status=status, headers=headers)


SUMMARIES = {"accountSummaries": [{
    "name": "accountSummaries/1000", "account": ACCOUNT, "displayName": "Northwind",
    "propertySummaries": [{"property": PROPERTY, "displayName": "Storefront", "propertyType": "PROPERTY_TYPE_ORDINARY",
                           "parent": ACCOUNT}]}]}
PROP = {"name": PROPERTY, "propertyType": "PROPERTY_TYPE_ORDINARY", "createTime": "2023-01-05T10:00:00.123456789Z",
        "updateTime": "2025-06-01T08:00:00Z", "parent": ACCOUNT, "displayName": "Storefront",
        "industryCategory": "SHOPPING", "timeZone": "Europe/Dublin", "currencyCode": "EUR",
        "serviceLevel": "GOOGLE_ANALYTICS_STANDARD", "account": ACCOUNT}
WEB_STREAM = {"name": STREAM, "type": "WEB_DATA_STREAM", "displayName": "Shop", "createTime": "2023-01-05T10:00:00Z",
              "updateTime": "2023-01-05T10:00:00Z",
              "webStreamData": {"measurementId": "G-TEST123", "defaultUri": "https://shop.northwind.example"}}
APP_STREAM = {"name": f"{PROPERTY}/dataStreams/3001", "type": "IOS_APP_DATA_STREAM", "displayName": "iOS app",
              "iosAppStreamData": {"bundleId": "example.northwind.shop", "firebaseAppId": "1:23:ios:45"}}
MP_SECRETS = {"measurementProtocolSecrets": [{"name": f"{STREAM}/measurementProtocolSecrets/abc",
                                              "displayName": "Server events", "secretValue": SECRET_VALUE}]}
ADS = {"googleAdsLinks": [{"name": f"{PROPERTY}/googleAdsLinks/77", "customerId": "1234567890",
                           "canManageClients": False, "adsPersonalizationEnabled": True,
                           "createTime": "2024-02-01T00:00:00Z", "updateTime": "2024-02-01T00:00:00Z",
                           "creatorEmailAddress": "Farah.Haddad@northwind.example"}]}
BIGQUERY = {"bigqueryLinks": [{"name": f"{PROPERTY}/bigQueryLinks/88", "project": "projects/555",
                               "createTime": "2024-03-01T00:00:00Z", "dailyExportEnabled": True,
                               "streamingExportEnabled": True, "freshDailyExportEnabled": False,
                               "includeAdvertisingId": False, "exportStreams": [STREAM], "excludedEvents": [],
                               "datasetLocation": "EU"}]}
FIREBASE = {"firebaseLinks": [{"name": f"{PROPERTY}/firebaseLinks/99", "project": "projects/666",
                               "createTime": "2024-04-01T00:00:00Z"}]}
ACCOUNT_BINDINGS = {"accessBindings": [
    {"name": f"{ACCOUNT}/accessBindings/a1", "user": "farah.haddad@northwind.example",
     "roles": ["predefinedRoles/admin"]},
    {"name": f"{ACCOUNT}/accessBindings/a2", "user": "dev.patel@northwind.example", "roles": ["predefinedRoles/editor"]},
    {"name": f"{ACCOUNT}/accessBindings/a3", "user": SERVICE_ACCOUNT, "roles": ["predefinedRoles/viewer"]},
]}
PROPERTY_BINDINGS = {"accessBindings": [
    {"name": f"{PROPERTY}/accessBindings/p1", "user": "agency@growthhackers.example", "roles": ["predefinedRoles/admin"]},
    {"name": f"{PROPERTY}/accessBindings/p2", "user": "dev.patel@northwind.example",
     "roles": ["predefinedRoles/analyst", "predefinedRoles/no-revenue-data"]},
]}


def full_account(api: Api, *, bindings: bool = True, bigquery: bool = True) -> None:
    api.list("/v1beta/accountSummaries", "ListAccountSummariesResponse", SUMMARIES)
    api.list("/v1beta/properties", "ListPropertiesResponse", {"properties": [PROP]})
    api.list(f"/v1beta/{PROPERTY}/dataStreams", "ListDataStreamsResponse", {"dataStreams": [WEB_STREAM, APP_STREAM]})
    api.list(f"/v1beta/{STREAM}/measurementProtocolSecrets", "ListMeasurementProtocolSecretsResponse", MP_SECRETS)
    api.list(f"/v1beta/{PROPERTY}/dataStreams/3001/measurementProtocolSecrets",
             "ListMeasurementProtocolSecretsResponse", {})
    api.list(f"/v1beta/{PROPERTY}/googleAdsLinks", "ListGoogleAdsLinksResponse", ADS)
    api.list(f"/v1beta/{PROPERTY}/firebaseLinks", "ListFirebaseLinksResponse", FIREBASE)
    if bigquery:
        api.list(f"/v1alpha/{PROPERTY}/bigQueryLinks", "ListBigQueryLinksResponse", BIGQUERY)
    if bindings:
        api.list(f"/v1alpha/{ACCOUNT}/accessBindings", "ListAccessBindingsResponse", ACCOUNT_BINDINGS)
        api.list(f"/v1alpha/{PROPERTY}/accessBindings", "ListAccessBindingsResponse", PROPERTY_BINDINGS)


def key_file(private_pem: str, token_uri: str = GOOGLE_TOKEN_URL) -> str:
    return json.dumps({"type": "service_account", "project_id": "analytics-proj", "private_key_id": "f00d" * 10,
                       "private_key": private_pem, "client_email": SERVICE_ACCOUNT, "client_id": "1234567890",
                       "token_uri": token_uri})


def token_endpoint(url: str, public_pem: str, seen: list[dict[str, Any]]) -> None:
    def callback(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        form = {k: v[0] for k, v in parse_qs(str(request.body)).items()}
        assert form["grant_type"] == JWT_BEARER_GRANT
        claims = verify_jwt(form["assertion"], public_pem)
        seen.append(claims)
        return 200, {}, json.dumps({"access_token": TOKEN, "expires_in": 3599, "token_type": "Bearer"})

    responses.add_callback(responses.POST, url, callback=callback)


@responses.activate
def test_service_account_token_then_every_area_read(beta: VendorSpec, alpha: VendorSpec,
                                                    key_pair: tuple[str, str]) -> None:
    private_pem, public_pem = key_pair
    claims: list[dict[str, Any]] = []
    token_endpoint(GOOGLE_TOKEN_URL, public_pem, claims)
    full_account(Api(beta, alpha))

    ctx = run_connector(GA4Connector, credentials={"service_account": key_file(private_pem)})

    (assertion,) = claims
    assert assertion["iss"] == SERVICE_ACCOUNT and assertion["aud"] == GOOGLE_TOKEN_URL
    assert assertion["scope"].split() == list(SCOPES) and assertion["exp"] - assertion["iat"] == 3600
    assert [c.request.method for c in responses.calls[:1]] == ["POST"]
    assert all(c.request.method == "GET" and c.request.headers["Authorization"] == f"Bearer {TOKEN}"
               for c in responses.calls[1:])
    assert not ctx.gaps

    (tenant,) = [s for s in ctx.records if isinstance(s, System) and s.system_kind is SystemKind.TENANT]
    assert (tenant.id, tenant.vendor, tenant.category, tenant.name) == ("test:tenant:1000", "ga4", "analytics",
                                                                        "Northwind")
    assert tenant.attributes["properties"] == 1
    assert {o.email for o in tenant.owners} == {"farah.haddad@northwind.example"}
    flows = {f.id: f for f in ctx.records if isinstance(f, Flow)}
    web = flows[f"test:stream:{STREAM}"]
    assert (web.source, web.target, web.flow_kind, web.url, web.scheme) == (
        "external:shop.northwind.example", tenant.id, "tracking", "https://shop.northwind.example", "https")
    assert web.attributes["measurement_id"] == "G-TEST123"
    app = flows[f"test:stream:{PROPERTY}/dataStreams/3001"]
    assert app.source == "external:app:example-northwind-shop"
    links = {f.target: f for f in flows.values() if f.flow_kind == "link"}
    assert set(links) == {"external:app:google-ads", "external:app:bigquery", "external:app:firebase"}
    assert all(f.source == tenant.id for f in links.values())
    assert links["external:app:google-ads"].owners[0].email == "farah.haddad@northwind.example"
    assert links["external:app:bigquery"].attributes["project"] == "projects/555"
    products = {s.id: s.vendor for s in ctx.records if isinstance(s, System)}
    assert products["external:app:google-ads"] == "google-ads" and products["external:app:bigquery"] == "bigquery"

    (secret,) = [c for c in ctx.records if isinstance(c, Credential)]
    assert (secret.credential_kind, secret.name) == ("measurement_secret", "Server events")
    assert secret.fingerprint == f"{STREAM}/measurementProtocolSecrets/abc"
    assert SECRET_VALUE not in json.dumps([to_jsonable(r) for r in ctx.records])
    assert ctx.redactor.redact(SECRET_VALUE) != SECRET_VALUE

    accounts = {a.email: a for a in ctx.records if isinstance(a, Account)}
    assert accounts["farah.haddad@northwind.example"].admin
    dev = accounts["dev.patel@northwind.example"]
    assert not dev.admin and dev.roles == ("analyst", "editor", "no-revenue-data")
    assert "property Storefront: analyst,no-revenue-data" in str(dev.attributes["grants"])
    assert accounts["agency@growthhackers.example"].admin
    assert accounts[SERVICE_ACCOUNT].account_kind is AccountKind.SERVICE
    assert all(a.mfa is TriState.UNKNOWN for a in accounts.values())


@responses.activate
def test_token_url_option_is_taken_relative_to_base_url(beta: VendorSpec, alpha: VendorSpec,
                                                        key_pair: tuple[str, str]) -> None:
    private_pem, public_pem = key_pair
    claims: list[dict[str, Any]] = []
    token_endpoint(f"{BASE}/token", public_pem, claims)
    full_account(Api(beta, alpha))

    run_connector(GA4Connector, credentials={"service_account": key_file(private_pem)},
                  options={"token_url": "/token"})

    assert claims[0]["aud"] == f"{BASE}/token"
    assert responses.calls[0].request.url == f"{BASE}/token"


@responses.activate
def test_ready_access_token_is_used_as_is(beta: VendorSpec, alpha: VendorSpec) -> None:
    full_account(Api(beta, alpha))

    ctx = run_connector(GA4Connector, credentials={"access_token": TOKEN})

    assert all(c.request.method == "GET" for c in responses.calls)
    assert len([r for r in ctx.records if isinstance(r, Account)]) == 4


@responses.activate
def test_follows_next_page_token(beta: VendorSpec, alpha: VendorSpec) -> None:
    api = Api(beta, alpha)
    full_account(api, bindings=False)
    first = {"accessBindings": ACCOUNT_BINDINGS["accessBindings"][:2], "nextPageToken": "page-2"}
    second = {"accessBindings": ACCOUNT_BINDINGS["accessBindings"][2:]}
    api.list(f"/v1alpha/{ACCOUNT}/accessBindings", "ListAccessBindingsResponse", second, page_token="page-2")
    api.list(f"/v1alpha/{ACCOUNT}/accessBindings", "ListAccessBindingsResponse", first)
    api.list(f"/v1alpha/{PROPERTY}/accessBindings", "ListAccessBindingsResponse", PROPERTY_BINDINGS)

    ctx = run_connector(GA4Connector, credentials={"access_token": TOKEN})

    assert SERVICE_ACCOUNT in {a.email for a in ctx.records if isinstance(a, Account)}
    calls = [c.request for c in responses.calls if c.request.path_url.startswith(f"/v1alpha/{ACCOUNT}/accessBindings")]
    assert [r.params.get("pageToken") for r in calls] == [None, "page-2"]
    secrets_call = next(c.request for c in responses.calls if "measurementProtocolSecrets" in c.request.path_url)
    assert secrets_call.params["pageSize"] == "10"  # the documented maximum for that list


@responses.activate
def test_quota_answer_403_rate_limit_exceeded_is_retried(beta: VendorSpec, alpha: VendorSpec) -> None:
    api = Api(beta, alpha)
    api.error("/v1beta/accountSummaries", 403, "Quota exceeded for quota metric 'Requests'",
              reason="RATE_LIMIT_EXCEEDED", legacy_reason="rateLimitExceeded", headers={"Retry-After": "0"})
    full_account(api)

    ctx = run_connector(GA4Connector, credentials={"access_token": TOKEN})

    assert ctx.stats.retries == 1 and ctx.stats.rate_limited == 1
    assert not ctx.gaps


def _answer(status: int, body: Any, headers: dict[str, str] | None = None) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response.headers.update(headers or {})
    response._content = json.dumps(body).encode()
    return response


def test_classify_tells_quota_answers_from_permission_refusals() -> None:
    denied = {"error": {"code": 403, "message": "The caller does not have permission", "status": "PERMISSION_DENIED"}}
    assert classify(_answer(403, denied)) is None
    legacy = {"error": {"code": 403, "message": "Rate", "errors": [{"reason": "userRateLimitExceeded"}]}}
    verdict = classify(_answer(403, legacy))
    assert verdict is not None and verdict.rate_limited and verdict.after is None  # back off exponentially
    exhausted = {"error": {"code": 429, "message": "Quota", "status": "RESOURCE_EXHAUSTED", "details": [
        {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "3s"}]}}
    assert classify(_answer(429, exhausted)).after == 3.0  # type: ignore[union-attr]
    assert classify(_answer(429, exhausted, {"Retry-After": "1"})).after == 1.0  # type: ignore[union-attr]


@responses.activate
def test_missing_users_scope_is_a_coverage_gap_and_the_rest_is_kept(beta: VendorSpec, alpha: VendorSpec) -> None:
    api = Api(beta, alpha)
    full_account(api, bindings=False)
    for parent in (ACCOUNT, PROPERTY):
        api.error(f"/v1alpha/{parent}/accessBindings", 403, "Request had insufficient authentication scopes.",
                  reason="ACCESS_TOKEN_SCOPE_INSUFFICIENT")

    ctx = run_connector(GA4Connector, credentials={"access_token": TOKEN})

    assert {g.area for g in ctx.gaps} == {f"accessBindings of {ACCOUNT} (v1alpha)",
                                          f"accessBindings of {PROPERTY} (v1alpha)"}
    assert all("insufficient authentication scopes" in g.reason for g in ctx.gaps)
    assert not [a for a in ctx.records if isinstance(a, Account)]
    assert len([f for f in ctx.records if isinstance(f, Flow)]) == 5


@responses.activate
def test_absent_v1alpha_is_a_coverage_gap(beta: VendorSpec, alpha: VendorSpec) -> None:
    api = Api(beta, alpha)
    full_account(api, bigquery=False)
    responses.get(f"{BASE}/v1alpha/{PROPERTY}/bigQueryLinks", status=404, content_type="text/html",
                  body="<!DOCTYPE html><title>Error 404 (Not Found)!!1</title>")

    ctx = run_connector(GA4Connector, credentials={"access_token": TOKEN})

    (gap,) = ctx.gaps
    assert gap.area == f"bigQueryLinks of {PROPERTY} (v1alpha)" and gap.error == "NotFoundError"
    assert "external:app:bigquery" not in {f.target for f in ctx.records if isinstance(f, Flow)}


@responses.activate
def test_refused_properties_list_falls_back_to_the_account_summary(beta: VendorSpec, alpha: VendorSpec) -> None:
    api = Api(beta, alpha)
    full_account(api)
    responses.remove(responses.GET, f"{BASE}/v1beta/properties")
    api.error("/v1beta/properties", 403, "The caller does not have permission")

    ctx = run_connector(GA4Connector, credentials={"access_token": TOKEN})

    assert [g.area for g in ctx.gaps] == [f"properties of {ACCOUNT}"]
    assert any(isinstance(f, Flow) and f.flow_kind == "tracking" for f in ctx.records)


@responses.activate
def test_bad_access_token_raises_authentication_error(beta: VendorSpec, alpha: VendorSpec) -> None:
    Api(beta, alpha).error("/v1beta/accountSummaries", 401, "Request had invalid authentication credentials.",
                           reason="ACCESS_TOKEN_TYPE_UNSUPPORTED")
    with pytest.raises(AuthenticationError) as raised:
        run_connector(GA4Connector, credentials={"access_token": TOKEN})
    assert "stackaudit auth set" in raised.value.fix


@responses.activate
def test_refused_service_account_raises_authentication_error(key_pair: tuple[str, str]) -> None:
    responses.post(GOOGLE_TOKEN_URL, status=400, json={"error": "invalid_grant",
                                                       "error_description": "Invalid JWT Signature."})
    with pytest.raises(AuthenticationError, match="invalid_grant"):
        run_connector(GA4Connector, credentials={"service_account": key_file(key_pair[0])})
    assert len(responses.calls) == 1


def test_guests_are_people_outside_the_organisation() -> None:
    from stackaudit_ga4.transform import access_accounts

    accounts = access_accounts("c", "c:tenant:1", ACCOUNT, ACCOUNT_BINDINGS["accessBindings"],
                               [(PROP, PROPERTY_BINDINGS["accessBindings"])],
                               organization_domains=("northwind.example",))
    kinds = {a.email: a.account_kind for a in accounts}
    assert kinds["agency@growthhackers.example"] is AccountKind.GUEST
    assert kinds["farah.haddad@northwind.example"] is AccountKind.HUMAN
    assert kinds[SERVICE_ACCOUNT] is AccountKind.SERVICE


def test_google_timestamps_with_nanoseconds() -> None:
    parsed = parse_time("2023-01-05T10:00:00.123456789Z")
    assert parsed is not None and parsed.microsecond == 123456 and parsed.utcoffset() is not None
    assert parse_time("not a time") is None


# -- the emulated demo account --------------------------------------------------------------------


@pytest.fixture
def emulated(host: Any) -> Iterator[Emulator]:
    vendors = [host.emulators().get("ga4")]
    with Emulator(demo_scenario(vendors), vendors) as emulator:
        yield emulator


def test_demo_account_scanned_over_http(host: Any, emulated: Emulator) -> None:
    inventory = scan_emulated(emulated, "northwind-ga4", host.connectors())

    (result,) = inventory.connections
    assert result.status is CoverageStatus.COMPLETE, inventory.gaps
    assert {(e.method, e.path) for e in emulated.log if e.method != "GET"} == {("POST", "/token")}
    tenant = next(s for s in inventory.of(System) if s.vendor == "ga4")
    assert tenant.name == "Northwind" and "northwind.example \u2013 GA4" in str(tenant.attributes["property_names"])
    flows = inventory.of(Flow)
    (web,) = [f for f in flows if f.flow_kind == "tracking"]
    assert (web.source, web.target, web.attributes["measurement_id"]) == ("external:www.northwind.example",
                                                                          tenant.id, "G-NW4DEMO123")
    assert {f.target for f in flows if f.flow_kind == "link"} == {"external:app:bigquery", "external:app:google-ads"}
    (secret,) = inventory.of(Credential)
    assert secret.credential_kind == "measurement_secret"
    accounts = {a.email: a for a in inventory.of(Account)}
    assert accounts["farah.haddad@northwind.example"].admin
    assert accounts["dev.patel@northwind.example"].roles == ("editor",)
    assert accounts["agency@growthhackers.example"].admin
    assert accounts["stackaudit-reader@northwind-analytics.iam.gserviceaccount.com"].account_kind is AccountKind.SERVICE
    tenant_spec = emulated.tenants["northwind-ga4"].spec
    for secrets in tenant_spec.data["measurement_secrets"].values():
        assert secrets[0]["secretValue"] not in inventory.dumps()


def test_demo_scan_with_organization_domains_marks_the_agency_a_guest_admin(emulated: Emulator) -> None:
    tenant = emulated.tenants["northwind-ga4"]
    ctx = ScanContext(connection="ga4", connector=GA4Connector, base_url=tenant.base_url,
                      credentials=tenant.credentials, options={"token_url": "/token"},
                      organization_domains=("northwind.example",))
    GA4Connector().collect(ctx)
    agency = next(a for a in ctx.records if isinstance(a, Account) and a.email == "agency@growthhackers.example")
    assert agency.admin and agency.account_kind is AccountKind.GUEST


def test_clean_variant_has_no_agency_access(host: Any) -> None:
    vendors = [host.emulators().get("ga4")]
    with Emulator(demo_scenario(vendors, clean=True), vendors) as emulator:
        inventory = scan_emulated(emulator, "northwind-ga4", host.connectors())
    emails = {a.email for a in inventory.of(Account)}
    assert "agency@growthhackers.example" not in emails and "farah.haddad@northwind.example" in emails


def test_v1alpha_switched_off_in_the_emulator_gives_gaps_not_a_failure(host: Any) -> None:
    vendor = host.emulators().get("ga4")
    tenant_spec = vendor.demo_tenant()
    tenant_spec.data["v1alpha"] = False
    with Emulator(Scenario([tenant_spec]), [vendor]) as emulator:
        inventory = scan_emulated(emulator, tenant_spec.name, host.connectors())
    (result,) = inventory.connections
    assert result.status is CoverageStatus.PARTIAL
    assert {g.area.split(" of ")[0] for g in inventory.gaps} == {"accessBindings", "bigQueryLinks"}
    assert any(f.flow_kind == "tracking" for f in inventory.of(Flow))


def _token(base: str, key: dict[str, Any], *, scopes: tuple[str, ...] = SCOPES, audience: str = "") -> Any:
    import time

    from stackaudit.oauth import sign_jwt

    now = int(time.time())
    claims = {"iss": key["client_email"], "scope": " ".join(scopes), "aud": audience or f"{base}/token",
              "iat": now, "exp": now + 3600}
    return requests.post(f"{base}/token", timeout=5, data={"grant_type": JWT_BEARER_GRANT,
                                                           "assertion": sign_jwt(claims, key["private_key"])})


def test_emulator_answers_match_the_discovery_documents(beta: VendorSpec, alpha: VendorSpec,
                                                        emulated: Emulator) -> None:
    base = emulated.url("northwind-ga4")
    key = json.loads(emulated.tenants["northwind-ga4"].credentials["service_account"])
    session = requests.Session()
    session.headers["Authorization"] = "Bearer " + _token(base, key).json()["access_token"]

    def get(path: str, schema: str, **params: Any) -> Any:
        response = session.get(base + path, params=params, timeout=5)
        assert response.status_code == 200, response.text
        version = path.split("/")[1]
        spec = beta if version == "v1beta" else alpha
        spec.validate(response.json(), schema=f"GoogleAnalyticsAdmin{version.capitalize()}{schema}", strict=True)
        return response.json()

    summary = get("/v1beta/accountSummaries", "ListAccountSummariesResponse")["accountSummaries"][0]
    prop = get("/v1beta/properties", "ListPropertiesResponse", filter=f"parent:{summary['account']}")["properties"][0]
    stream = get(f"/v1beta/{prop['name']}/dataStreams", "ListDataStreamsResponse")["dataStreams"][0]
    get(f"/v1beta/{stream['name']}/measurementProtocolSecrets", "ListMeasurementProtocolSecretsResponse")
    get(f"/v1beta/{prop['name']}/googleAdsLinks", "ListGoogleAdsLinksResponse")
    assert get(f"/v1beta/{prop['name']}/firebaseLinks", "ListFirebaseLinksResponse") == {}  # empty lists are omitted
    get(f"/v1alpha/{prop['name']}/bigQueryLinks", "ListBigQueryLinksResponse")
    first = get(f"/v1alpha/{summary['account']}/accessBindings", "ListAccessBindingsResponse", pageSize=2)
    rest = get(f"/v1alpha/{summary['account']}/accessBindings", "ListAccessBindingsResponse", pageSize=2,
               pageToken=first["nextPageToken"])
    assert len(first["accessBindings"]) == 2 and "nextPageToken" not in rest
    assert session.get(base + "/v1beta/properties", timeout=5).json()["error"]["status"] == "INVALID_ARGUMENT"
    unknown = session.get(base + "/v1beta/nothing", timeout=5)
    assert unknown.status_code == 404 and unknown.headers["Content-Type"].startswith("text/html")
    unauthorised = requests.get(base + "/v1beta/accountSummaries", timeout=5)
    assert unauthorised.status_code == 401 and unauthorised.json()["error"]["status"] == "UNAUTHENTICATED"


def test_emulator_token_endpoint_checks_signature_audience_and_scopes(emulated: Emulator) -> None:
    base = emulated.url("northwind-ga4")
    key = json.loads(emulated.tenants["northwind-ga4"].credentials["service_account"])
    other_private, _ = generate_rsa_key_pair()
    forged = _token(base, {**key, "private_key": other_private})
    assert forged.status_code == 400 and forged.json()["error"] == "invalid_grant"
    elsewhere = _token(base, key, audience="https://oauth2.googleapis.com/token")
    assert elsewhere.status_code == 400 and "audience" in elsewhere.json()["error_description"]
    narrow = _token(base, key, scopes=(SCOPES[0],))
    headers = {"Authorization": "Bearer " + narrow.json()["access_token"]}
    refused = requests.get(f"{base}/v1alpha/accounts/284756193/accessBindings", headers=headers, timeout=5)
    assert refused.status_code == 403
    assert refused.json()["error"]["details"][0]["reason"] == "ACCESS_TOKEN_SCOPE_INSUFFICIENT"
    assert requests.get(f"{base}/v1beta/accountSummaries", headers=headers, timeout=5).status_code == 200


def test_emulator_quota_answer_is_the_documented_403(host: Any) -> None:
    class TwoPerMinute(GA4Emulator):
        rate_limit = (2, 60.0)

    vendor = TwoPerMinute()
    tenant_spec = vendor.demo_tenant()
    with Emulator(Scenario([tenant_spec]), [vendor]) as emulator:
        base = emulator.url(tenant_spec.name)
        key = json.loads(tenant_spec.credentials["service_account"])
        headers = {"Authorization": "Bearer " + _token(base, key).json()["access_token"]}
        assert requests.get(f"{base}/v1beta/accountSummaries", headers=headers, timeout=5).status_code == 200
        refused = requests.get(f"{base}/v1beta/accountSummaries", headers=headers, timeout=5)
    assert refused.status_code == 403
    assert refused.json()["error"]["errors"][0]["reason"] == "rateLimitExceeded"
    verdict = classify(refused)
    assert verdict is not None and verdict.rate_limited
