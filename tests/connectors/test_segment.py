"""Segment connector: Public API shapes (validated against the official OpenAPI), paging, rate limits, refused
areas, secrets kept out of the inventory, and the emulated demo workspace."""

from __future__ import annotations

import json
from collections.abc import Iterator
from email.utils import formatdate
from typing import Any

import pytest
import requests
import responses
from responses import matchers
from stackaudit_segment import SegmentConnector, SegmentEmulator
from stackaudit_segment.client import classify
from stackaudit_segment.transform import product_of, settings_attributes

from stackaudit import (
    Account,
    AccountKind,
    AuthenticationError,
    Credential,
    Flow,
    Integration,
    System,
    SystemKind,
    TriState,
)
from stackaudit.emulator import Emulator, Scenario, demo_scenario
from stackaudit.model import CoverageStatus, to_jsonable
from stackaudit.redaction import MASK
from stackaudit.testing import run_connector, scan_emulated
from stackaudit.testing.vendor_specs import VendorSpec, require_spec

BASE = "https://api.segmentapis.com"
TOKEN = "sgp_test_token_0123456789abcdef"
WORKSPACE = {"id": "9aQ1Lj62S4bomZKLF4DPqW", "name": "Northwind", "slug": "northwind"}
WEB_KEY = "3YdEudTwjouyC5WPjpbTik"
SERVER_KEY = "7hRkQmWn2pXs4TvBz9LcYe"
HUBSPOT_TOKEN = "pat-eu1-0f9e8d7c-6b5a-4321-9876-abcdefabcdef"
MAILCHIMP_KEY = "0a1b2c3d4e5f60718293a4b5c6d7e8f9-us21"
WAREHOUSE_CREDENTIALS = '{"type": "service_account", "private_key": "-----BEGIN PRIVATE KEY-----\\nMIIE\\n"}'


@pytest.fixture(scope="module")
def spec() -> VendorSpec:
    return require_spec("segment/openapi.yaml")


class Api:
    """Registers Segment answers with ``responses`` after validating each against the official spec."""

    def __init__(self, spec: VendorSpec, base: str = BASE) -> None:
        self.spec = spec
        self.base = base

    def get(self, path: str, data: dict[str, Any], *, status: int = 200, params: dict[str, str] | None = None,
            headers: dict[str, str] | None = None) -> None:
        body = {"data": data}
        self.spec.validate(body, path=path, strict=True)
        match = [matchers.query_param_matcher(params)] if params is not None else []
        responses.get(self.base + path, json=body, status=status, headers=headers, match=match)

    def error(self, path: str, status: int, kind: str, message: str, **extra: Any) -> None:
        body = {"errors": [{"type": kind, "message": message, **extra}]}
        self.spec.validate(body, schema="RequestErrorEnvelope", strict=True)
        responses.get(self.base + path, json=body, status=status)

    def page(self, path: str, key: str, items: list[dict[str, Any]], *, cursor: str | None = None,
             following: str | None = None, total: int | None = None, count: int = 200) -> None:
        pagination: dict[str, Any] = {"current": cursor or "MA==", "next": following,
                                      "totalEntries": len(items) if total is None else total}
        params = {"pagination[count]": str(count), **({"pagination[cursor]": cursor} if cursor else {})}
        self.get(path, {key: items, "pagination": pagination}, params=params)


def logos() -> dict[str, Any]:
    return {"default": "https://cdn.filepicker.io/api/file/qWgSP5cpS7eeW2voq13u", "mark": None, "alt": None}


def source(source_id: str, name: str, category: str, keys: list[str], **extra: Any) -> dict[str, Any]:
    slug = {"Website": "javascript", "Server": "node-js", "Mobile": "ios"}[category]
    return {"id": source_id, "slug": name.replace(".", "_"), "name": name, "workspaceId": WORKSPACE["id"],
            "enabled": True, "writeKeys": keys, "settings": {}, "labels": [],
            "metadata": {"id": "UBrsG9RVzw", "slug": slug, "name": slug.title(), "categories": [category],
                         "description": "", "logos": logos(), "options": [], "isCloudEventSource": False},
            **extra}


def destination(destination_id: str, source_id: str, catalog_name: str, settings: dict[str, Any], *,
                enabled: bool = True, options: list[dict[str, Any]] | None = None,
                website: str = "https://example.com") -> dict[str, Any]:
    return {
        "id": destination_id, "name": "", "enabled": enabled, "sourceId": source_id, "settings": settings,
        "metadata": {
            "id": "54521fd525e721e32a72ee8f", "name": catalog_name, "slug": catalog_name.lower().replace(" ", "-"),
            "description": "", "logos": logos(), "options": options or [], "status": "PUBLIC",
            "previousNames": [catalog_name], "categories": ["Analytics"], "website": website,
            "components": [{"code": "https://github.com/segmentio/analytics.js-integrations", "type": "BROWSER"}],
            "supportedFeatures": {}, "supportedMethods": {"track": True, "pageview": True, "identify": True},
            "supportedPlatforms": {"browser": True, "server": True}, "actions": [], "presets": [],
        },
    }


def warehouse(warehouse_id: str) -> dict[str, Any]:
    return {"id": warehouse_id, "workspaceId": WORKSPACE["id"], "enabled": True,
            "settings": {"name": "Analytics BigQuery", "project": "northwind-analytics",
                         "credentials": WAREHOUSE_CREDENTIALS},
            "metadata": {"id": "55d3d3aea3c", "slug": "bigquery", "name": "BigQuery", "description": "",
                         "logos": logos(), "options": [{"name": "project", "required": True, "type": "string"},
                                                       {"name": "credentials", "required": True, "type": "string"}]}}


def user(user_id: str, name: str, email: str, *roles: tuple[str, str, str]) -> dict[str, Any]:
    return {"id": user_id, "name": name, "email": email,
            "permissions": [{"roleName": role, "roleId": f"role-{role}", "resources": [{"id": rid, "type": rtype}]}
                            for role, rtype, rid in roles]}


WEB = source("web1", "www.northwind.example", "Website", [WEB_KEY])
SERVER = source("srv1", "orders-service", "Server", [SERVER_KEY])
GA4 = destination("dGA4", "web1", "Google Analytics 4 Cloud", {"measurementId": "G-ABC123", "apiSecret": "mp-Secret-99x"})
HUBSPOT = destination("dHub", "web1", "HubSpot Cloud Mode (Actions)", {"portalId": "2468", "accessToken": HUBSPOT_TOKEN},
                      website="https://www.hubspot.com")
MAILCHIMP = destination("dMc", "web1", "Mailchimp", {"apiKey": MAILCHIMP_KEY, "listId": "a1b2c3"}, enabled=False,
                        options=[{"name": "apiKey", "type": "string", "required": True,
                                  "description": "Your Mailchimp API key, treat it as a password."}])
WAREHOUSE = warehouse("wh1")
FARAH = user("u1", "Farah Haddad", "Farah.Haddad@northwind.example", ("Workspace Owner", "WORKSPACE", WORKSPACE["id"]))
SERVICE = user("u2", "Segment Service", "segment-service@northwind.example",
               ("Workspace Member", "WORKSPACE", WORKSPACE["id"]), ("Source Admin", "SOURCE", "web1"))
PLAN = {"id": "tp_1", "name": "Web events", "slug": "web-events", "type": "LIVE"}


def full_workspace(api: Api, *, users: bool = True) -> None:
    api.get("/", {"workspace": WORKSPACE})
    if users:
        api.page("/users", "users", [FARAH, SERVICE])
    api.page("/tracking-plans", "trackingPlans", [PLAN])
    api.page("/tracking-plans/tp_1/sources", "sources", [WEB])
    api.page("/sources", "sources", [WEB, SERVER])
    api.page("/sources/web1/connected-destinations", "destinations", [GA4, HUBSPOT, MAILCHIMP])
    api.page("/sources/srv1/connected-destinations", "destinations", [])
    api.page("/warehouses", "warehouses", [WAREHOUSE])
    api.page("/warehouses/wh1/connected-sources", "sources", [WEB, SERVER])


def scan(**kwargs: Any) -> Any:
    return run_connector(SegmentConnector, credentials={"access_token": TOKEN}, **kwargs)


@responses.activate
def test_reads_the_workspace_into_systems_flows_credentials_and_accounts(spec: VendorSpec) -> None:
    full_workspace(Api(spec))

    ctx = scan()

    assert all(c.request.method == "GET" for c in responses.calls)
    assert all(c.request.headers["Authorization"] == f"Bearer {TOKEN}" for c in responses.calls)
    assert not ctx.gaps
    (tenant,) = [r for r in ctx.records if isinstance(r, System) and r.system_kind is SystemKind.TENANT]
    assert (tenant.vendor, tenant.category, tenant.region) == ("segment", "cdp", "us")
    assert tenant.attributes["tracking_plans"] == 1
    assert [o.email for o in tenant.owners] == ["farah.haddad@northwind.example"]

    flows = {f.name: f for f in ctx.records if isinstance(f, Flow)}
    tracking = flows["www.northwind.example → Segment"]
    assert (tracking.source, tracking.target, tracking.flow_kind) == ("external:www.northwind.example", tenant.id,
                                                                      "tracking")
    assert tracking.attributes["tracking_plans"] == "Web events"
    to_ga4 = flows["www.northwind.example → Google Analytics 4 Cloud"]
    assert (to_ga4.source, to_ga4.target, to_ga4.flow_kind) == (tenant.id, "external:app:google-analytics-4",
                                                                "destination")
    assert not flows["www.northwind.example → Mailchimp"].active  # disabled, still configured
    assert {f.name for f in flows.values() if f.integration == "test:warehouse:wh1"} == {
        "www.northwind.example → Analytics BigQuery", "orders-service → Analytics BigQuery"}

    externals = {s.id: s for s in ctx.records if isinstance(s, System) and s.system_kind is SystemKind.EXTERNAL}
    assert externals["external:app:google-analytics-4"].vendor == "ga4"
    assert externals["external:app:hubspot"].vendor == "hubspot"
    assert externals["external:app:hubspot"].domain == "www.hubspot.com"
    assert externals["external:app:bigquery"].vendor == "bigquery"
    assert externals["external:www.northwind.example"].domain == "www.northwind.example"

    keys = [c for c in ctx.records if isinstance(c, Credential)]
    assert {(c.credential_kind, c.integration) for c in keys} == {("write_key", "test:source:web1"),
                                                                 ("write_key", "test:source:srv1")}
    assert all(c.fingerprint.startswith("segment:source:") for c in keys)

    accounts = {a.email: a for a in ctx.records if isinstance(a, Account)}
    farah = accounts["farah.haddad@northwind.example"]
    assert farah.admin and farah.roles == ("Workspace Owner",) and farah.mfa is TriState.UNKNOWN
    service = accounts["segment-service@northwind.example"]
    assert not service.admin and service.account_kind is AccountKind.SERVICE
    assert service.roles == ("Source Admin", "Workspace Member")


@responses.activate
def test_no_secret_reaches_the_inventory_and_secrets_are_registered_for_redaction(spec: VendorSpec) -> None:
    full_workspace(Api(spec))

    ctx = scan()

    dumped = json.dumps([to_jsonable(r) for r in ctx.records])
    assert "BEGIN PRIVATE KEY" not in dumped
    for secret in (WEB_KEY, SERVER_KEY, HUBSPOT_TOKEN, MAILCHIMP_KEY, "mp-Secret-99x", WAREHOUSE_CREDENTIALS):
        assert secret not in dumped
        assert ctx.redactor.redact(f"x {secret} y") == f"x {MASK} y"
    mailchimp = next(i for i in ctx.records if isinstance(i, Integration) and i.name == "Mailchimp")
    assert mailchimp.attributes["setting.apiKey"] == MASK
    assert mailchimp.attributes["setting.listId"] == "a1b2c3"
    assert not mailchimp.enabled
    ga4 = next(i for i in ctx.records if isinstance(i, Integration) and i.name == "Google Analytics 4 Cloud")
    assert ga4.attributes["setting.measurementId"] == "G-ABC123"
    assert ga4.attributes["redacted_settings"] == "apiSecret"


@responses.activate
def test_follows_the_next_cursor_across_pages(spec: VendorSpec) -> None:
    api = Api(spec)
    api.get("/", {"workspace": WORKSPACE})
    api.page("/users", "users", [], count=2)
    api.page("/tracking-plans", "trackingPlans", [], count=2)
    jobs = [source(f"s{n}", f"job-{n}", "Server", [f"key-{n:020d}"]) for n in range(5)]
    api.page("/sources", "sources", jobs[:2], following="Mg==", total=5, count=2)
    api.page("/sources", "sources", jobs[2:4], cursor="Mg==", following="NA==", total=5, count=2)
    api.page("/sources", "sources", jobs[4:], cursor="NA==", total=5, count=2)
    for n in range(5):
        api.page(f"/sources/s{n}/connected-destinations", "destinations", [], count=2)
    api.page("/warehouses", "warehouses", [], count=2)

    ctx = scan(options={"page_size": 2})

    assert [i.name for i in ctx.records if isinstance(i, Integration)] == [f"job-{n}" for n in range(5)]
    cursors = [c.request.params.get("pagination[cursor]") for c in responses.calls
               if c.request.path_url.startswith("/sources?")]
    assert cursors == [None, "Mg==", "NA=="]


@responses.activate
def test_a_repeated_cursor_fails_loudly_instead_of_looping(spec: VendorSpec) -> None:
    api = Api(spec)
    api.get("/", {"workspace": WORKSPACE})
    api.page("/users", "users", [FARAH], following="MQ==", total=3)
    api.page("/users", "users", [SERVICE], cursor="MQ==", following="MQ==", total=3)
    api.page("/tracking-plans", "trackingPlans", [])
    api.page("/sources", "sources", [])
    api.page("/warehouses", "warehouses", [])

    from stackaudit import PaginationError

    with pytest.raises(PaginationError, match="same page cursor"):
        scan()


@responses.activate
def test_rate_limited_answer_is_retried_after_the_announced_wait(spec: VendorSpec) -> None:
    api = Api(spec)
    limited = {"errors": [{"type": "RequestError", "message": "Too many requests",
                           "data": {"remainingPoints": 0, "msBeforeNext": 0, "consumedPoints": 21}}]}
    spec.validate(limited, path="/", status="429", strict=True)
    responses.get(BASE + "/", json=limited, status=429,
                  headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Consumed": "21",
                           "X-RateLimit-Reset": formatdate(usegmt=True)})
    full_workspace(api)

    ctx = scan()

    assert ctx.stats.retries == 1 and ctx.stats.rate_limited == 1
    assert any(isinstance(r, System) for r in ctx.records)


def test_classify_reads_retry_after_then_ms_before_next_then_the_reset_header() -> None:
    def answer(status: int, headers: dict[str, str], body: Any) -> requests.Response:
        response = requests.Response()
        response.status_code = status
        response.headers.update(headers)
        response._content = json.dumps(body).encode()
        return response

    body = {"errors": [{"type": "RequestError", "message": "Too many requests", "data": {"msBeforeNext": 2500}}]}
    assert classify(answer(429, {"Retry-After": "7"}, body)).after == 7  # type: ignore[union-attr]
    assert classify(answer(429, {}, body)).after == 2.5  # type: ignore[union-attr]
    reset = answer(429, {"X-RateLimit-Reset": formatdate(usegmt=True)}, {"errors": [{"type": "RequestError"}]})
    verdict = classify(reset)
    assert verdict is not None and verdict.rate_limited and verdict.after is not None and verdict.after <= 1
    assert classify(answer(404, {}, {"errors": [{"type": "NotFound"}]})) is None
    assert classify(answer(503, {}, {})) is not None


@responses.activate
def test_area_the_token_may_not_read_is_a_coverage_gap_and_the_rest_is_kept(spec: VendorSpec) -> None:
    api = Api(spec)
    full_workspace(api, users=False)
    # A token without the role to list users: Segment answers 401 for a missing permission too.
    api.error("/users", 401, "unauthorized", "Unauthorized")

    ctx = scan()

    assert [g.area for g in ctx.gaps] == ["users"]
    assert not [a for a in ctx.records if isinstance(a, Account)]
    assert len([f for f in ctx.records if isinstance(f, Flow)]) == 6
    (tenant,) = [r for r in ctx.records if isinstance(r, System) and r.system_kind is SystemKind.TENANT]
    assert tenant.owners == ()


@responses.activate
def test_bad_token_raises_authentication_error_naming_the_fix(spec: VendorSpec) -> None:
    Api(spec).error("/", 401, "unauthorized", "Unauthorized")
    with pytest.raises(AuthenticationError) as raised:
        scan()
    assert "Access Management" in raised.value.fix
    assert len(responses.calls) == 1


@responses.activate
def test_a_user_listed_without_permissions_is_read_on_its_own(spec: VendorSpec) -> None:
    api = Api(spec)
    api.get("/", {"workspace": WORKSPACE})
    bare = {k: v for k, v in FARAH.items() if k != "permissions"}
    api.page("/users", "users", [bare])
    api.get("/users/u1", {"user": FARAH})
    api.page("/tracking-plans", "trackingPlans", [])
    api.page("/sources", "sources", [])
    api.page("/warehouses", "warehouses", [])

    ctx = scan()

    (farah,) = [a for a in ctx.records if isinstance(a, Account)]
    assert farah.admin


@responses.activate
def test_eu_workspace_is_read_from_the_eu_host(spec: VendorSpec) -> None:
    api = Api(spec, base="https://eu1.api.segmentapis.com")
    api.get("/", {"workspace": WORKSPACE})
    for path, key in (("/users", "users"), ("/tracking-plans", "trackingPlans"), ("/sources", "sources"),
                      ("/warehouses", "warehouses")):
        api.page(path, key, [])

    ctx = scan(base_url=api.base)

    (tenant,) = [r for r in ctx.records if isinstance(r, System)]
    assert tenant.region == "eu"


def test_destination_names_resolve_to_known_products() -> None:
    assert product_of("Google Analytics 4 Cloud") == ("Google Analytics 4", "ga4")
    assert product_of("HubSpot Cloud Mode (Actions)") == ("HubSpot", "hubspot")
    assert product_of("Salesforce Marketing Cloud") == ("Salesforce Marketing Cloud", "salesforce-marketing-cloud")
    assert product_of("Salesforce (Actions)") == ("Salesforce", "salesforce")
    assert product_of("Hubspotter") == ("Hubspotter", "")


def test_secret_looking_settings_are_masked_and_nested_ones_dropped() -> None:
    attributes = settings_attributes({
        "writeKey": "abc123abc123", "clientSecret": "s", "password": "p", "measurementId": "G-1", "region": "EU",
        "mapping": {"token": "nested-secret"}, "accountKeyFile": '{"private_key": "x"}', "notes": "",
        "authorName": "Ana", "batchSize": 10,
    })
    assert attributes["setting.writeKey"] == attributes["setting.clientSecret"] == MASK
    assert attributes["setting.accountKeyFile"] == MASK
    assert attributes["setting.measurementId"] == "G-1" and attributes["setting.batchSize"] == 10
    assert attributes["setting.authorName"] == "Ana"
    assert "setting.mapping" not in attributes
    assert attributes["redacted_settings"] == "accountKeyFile,clientSecret,password,writeKey"


# -- the emulated demo workspace ------------------------------------------------------------------


@pytest.fixture
def emulated(host: Any) -> Iterator[Emulator]:
    vendors = [host.emulators().get("segment")]
    with Emulator(demo_scenario(vendors), vendors) as emulator:
        yield emulator


def test_demo_workspace_scanned_over_http(host: Any, emulated: Emulator) -> None:
    inventory = scan_emulated(emulated, "northwind-segment", host.connectors())

    (result,) = inventory.connections
    assert result.status is CoverageStatus.COMPLETE, inventory.gaps
    assert {e.method for e in emulated.log} == {"GET"}
    tenant = next(s for s in inventory.of(System) if s.vendor == "segment")
    assert tenant.name == "Northwind Outfitters" and [o.email for o in tenant.owners] == [
        "farah.haddad@northwind.example"]
    flows = inventory.of(Flow)
    tracking = [f for f in flows if f.flow_kind == "tracking"]
    assert [(f.source, f.target) for f in tracking] == [("external:www.northwind.example", tenant.id)]
    routed = {f.target: f for f in flows if f.flow_kind == "destination" and f.source == tenant.id}
    assert set(routed) == {"external:app:google-analytics-4", "external:app:hubspot", "external:app:mailchimp",
                           "external:app:bigquery"}
    assert not routed["external:app:mailchimp"].active
    assert len([f for f in flows if f.target == "external:app:bigquery"]) == 2  # website and server sources
    vendors = {s.id: s.vendor for s in inventory.of(System)}
    assert vendors["external:app:google-analytics-4"] == "ga4" and vendors["external:app:bigquery"] == "bigquery"
    sources = {i.name: i for i in inventory.of(Integration) if i.integration_kind == "source"}
    assert sources["www.northwind.example"].attributes["source_kind"] == "website"
    assert sources["orders-service"].attributes["source_kind"] == "server"
    assert len([c for c in inventory.of(Credential) if c.credential_kind == "write_key"]) == 2
    accounts = {a.email: a for a in inventory.of(Account)}
    assert accounts["farah.haddad@northwind.example"].admin
    assert accounts["segment-service@northwind.example"].account_kind is AccountKind.SERVICE
    assert not accounts["dev.patel@northwind.example"].admin
    spec_tenant = emulated.tenants["northwind-segment"].spec
    dumped = inventory.dumps()
    for raw in spec_tenant.data["sources"]:
        assert raw["writeKeys"][0] not in dumped
    for raw in spec_tenant.data["destinations"]:
        for name in ("apiSecret", "accessToken", "apiKey"):
            if name in raw["settings"]:
                assert raw["settings"][name] not in dumped


def test_clean_variant_has_no_disabled_destination(host: Any) -> None:
    vendors = [host.emulators().get("segment")]
    with Emulator(demo_scenario(vendors, clean=True), vendors) as emulator:
        inventory = scan_emulated(emulator, "northwind-segment", host.connectors())
    destinations = [i for i in inventory.of(Integration) if i.integration_kind == "destination"]
    assert destinations and all(i.enabled for i in destinations)
    assert "external:app:mailchimp" not in {s.id for s in inventory.of(System)}
    assert all(f.active for f in inventory.of(Flow))


def test_emulator_answers_match_the_official_spec(spec: VendorSpec, emulated: Emulator) -> None:
    base = emulated.url("northwind-segment")
    tenant = emulated.tenants["northwind-segment"]
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {tenant.credentials['access_token']}"
    paging = {"pagination[count]": "1"}

    def get(path: str, params: dict[str, str] | None = None, status: int = 200) -> Any:
        response = session.get(base + path, params=params, timeout=5)
        assert response.status_code == status, response.text
        body = response.json()
        spec.validate(body, path=path, status=str(status), strict=True)
        return body

    assert get("/")["data"]["workspace"]["slug"] == "northwind-outfitters"
    first = get("/sources", paging)
    assert first["data"]["pagination"]["totalEntries"] == 2 and first["data"]["pagination"]["next"]
    second = get("/sources", {**paging, "pagination[cursor]": first["data"]["pagination"]["next"]})
    assert second["data"]["pagination"]["next"] is None
    source_id = first["data"]["sources"][0]["id"]
    get(f"/sources/{source_id}/connected-destinations", {"pagination[count]": "200"})
    warehouse_id = get("/warehouses", paging)["data"]["warehouses"][0]["id"]
    get(f"/warehouses/{warehouse_id}/connected-sources", paging)
    plan_id = get("/tracking-plans", paging)["data"]["trackingPlans"][0]["id"]
    get(f"/tracking-plans/{plan_id}/sources", paging)
    users = get("/users", {"pagination[count]": "200"})["data"]["users"]
    get(f"/users/{users[0]['id']}")
    get("/sources", status=422)  # pagination is required
    get("/sources/nope/connected-destinations", paging, status=404)
    response = session.get(base + "/sources", params=paging, timeout=5)
    assert {"X-RateLimit-Remaining", "X-RateLimit-Reset"} <= set(response.headers)
    unauthorised = requests.get(base + "/", timeout=5)
    assert unauthorised.status_code == 401 and unauthorised.json()["errors"][0]["type"] == "unauthorized"


def test_emulator_rate_limit_answer_is_the_documented_429(spec: VendorSpec) -> None:
    class OnePerMinute(SegmentEmulator):
        rate_limit = (1, 60.0)

    vendor = OnePerMinute()
    tenant_spec = vendor.demo_tenant()
    with Emulator(Scenario([tenant_spec]), [vendor]) as emulator:
        base = emulator.url(tenant_spec.name)
        headers = {"Authorization": f"Bearer {tenant_spec.credentials['access_token']}"}
        assert requests.get(base + "/", headers=headers, timeout=5).status_code == 200
        refused = requests.get(base + "/", headers=headers, timeout=5)
    assert refused.status_code == 429
    spec.validate(refused.json(), path="/", status="429", strict=True)
    assert refused.json()["errors"][0]["data"]["msBeforeNext"] > 0 and refused.headers["X-RateLimit-Remaining"] == "0"
    verdict = classify(refused)
    assert verdict is not None and verdict.rate_limited and 0 < (verdict.after or 0) <= 60
