"""Mailchimp connector: documented Marketing API 3.0 shapes, data centre and auth, paging, problem-document
errors, permission gaps, and the emulated demo account."""

from __future__ import annotations

import base64
import json
import re
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
import responses
from responses import matchers
from stackaudit_mailchimp import MailchimpConnector, transform
from stackaudit_mailchimp.connector import problem_detail
from stackaudit_mailchimp.emulator import limited

from stackaudit import (
    Account,
    AuthenticationError,
    Credential,
    CredentialError,
    DataCategory,
    Flow,
    Integration,
    PaginationError,
    System,
    SystemKind,
    TriState,
)
from stackaudit.emulator import Emulator, Request, Scenario, Tenant, TenantSpec, demo_scenario, json_response
from stackaudit.model import CoverageStatus
from stackaudit.testing import run_connector, scan_emulated

KEY = "0123456789abcdef0123456789abcdef-us21"
BASE = "https://us21.api.mailchimp.com/3.0"
ERRORS_DOC = "https://mailchimp.com/developer/marketing/docs/errors/"

# -- the documented shapes (Marketing API 3.0 reference; Mailchimp publishes no openly licensed spec) ----------

ROOT_FIELDS = {"account_id": str, "login_id": str, "account_name": str, "email": str, "first_name": str,
               "last_name": str, "username": str, "role": str, "member_since": str, "pricing_plan_type": str,
               "account_timezone": str, "account_industry": str, "contact": dict, "pro_enabled": bool,
               "last_login": str, "total_subscribers": int}
LIST_FIELDS = {"id": str, "web_id": int, "name": str, "contact": dict, "permission_reminder": str,
               "campaign_defaults": dict, "date_created": str, "list_rating": int, "double_optin": bool,
               "visibility": str, "stats": dict}
WEBHOOK_FIELDS = {"id": str, "url": str, "events": dict, "sources": dict, "list_id": str}
APP_FIELDS = {"id": int, "name": str, "description": str, "users": list}
SITE_FIELDS = {"foreign_id": str, "store_id": str, "platform": str, "domain": str, "site_script": dict,
               "created_at": str, "updated_at": str}
AUTOMATION_FIELDS = {"id": str, "create_time": str, "start_time": str, "status": str, "emails_sent": int,
                     "recipients": dict, "settings": dict, "trigger_settings": dict}
COLLECTIONS = {"lists": LIST_FIELDS, "webhooks": WEBHOOK_FIELDS, "apps": APP_FIELDS, "sites": SITE_FIELDS,
               "automations": AUTOMATION_FIELDS}
WEBHOOK_EVENTS = {"subscribe", "unsubscribe", "profile", "cleaned", "upemail", "campaign"}
WEBHOOK_SOURCES = {"user", "admin", "api"}


def assert_fields(item: dict[str, Any], fields: dict[str, type]) -> None:
    for name, kind in fields.items():
        assert name in item, f"{name} missing from {item}"
        assert isinstance(item[name], kind), f"{name} is {type(item[name]).__name__}, not {kind.__name__}"
    for stamp in ("date_created", "created_at", "updated_at", "last_login", "member_since", "create_time"):
        if item.get(stamp):
            assert datetime.fromisoformat(item[stamp]).tzinfo is not None, stamp


def assert_collection(body: Any, key: str) -> None:
    """A Mailchimp collection: the items under their key, total_items, and _links."""
    assert isinstance(body, dict)
    assert isinstance(body["total_items"], int)
    assert isinstance(body.get("_links", []), list)
    for item in body[key]:
        assert_fields(item, COLLECTIONS[key])
        if key == "webhooks":
            assert set(item["events"]) <= WEBHOOK_EVENTS and set(item["sources"]) <= WEBHOOK_SOURCES
            assert all(isinstance(v, bool) for v in [*item["events"].values(), *item["sources"].values()])
        if key == "lists":
            assert isinstance(item["stats"]["member_count"], int)
        if key == "apps":
            assert all(isinstance(u, str) for u in item["users"])


def assert_problem(body: Any, status: int) -> None:
    """The problem document every Mailchimp error carries."""
    assert set(body) == {"type", "title", "status", "detail", "instance"}, body
    assert body["status"] == status and body["type"].startswith("https://")


def problem(status: int, title: str, detail: str) -> dict[str, Any]:
    body = {"type": ERRORS_DOC, "title": title, "status": status, "detail": detail,
            "instance": "995c5cb0-3280-4a6e-808b-3b096d0bb219"}
    assert_problem(body, status)
    return body


def collection(key: str, items: list[dict[str, Any]], *, total: int | None = None, **extra: Any) -> dict[str, Any]:
    body = {key: items, **extra, "total_items": len(items) if total is None else total, "_links": []}
    assert_collection(body, key)
    return body


def iso(days_ago: float) -> str:
    return (datetime.now(UTC) - timedelta(days=days_ago)).replace(microsecond=0).isoformat()


def root(**extra: Any) -> dict[str, Any]:
    body = {"account_id": "a1b2c3d4e5f6a7b8c9d0e1f2a", "login_id": "41923508", "account_name": "Northwind",
            "email": "Gus.Novak@northwind.example", "first_name": "Gus", "last_name": "Novak",
            "username": "gus.novak", "avatar_url": "", "role": "owner", "member_since": iso(2000),
            "pricing_plan_type": "monthly", "first_payment": iso(1990), "account_timezone": "Europe/Dublin",
            "account_industry": "Ecommerce and Shopping",
            "contact": {"company": "Northwind", "addr1": "", "addr2": "", "city": "Dublin", "state": "", "zip": "",
                        "country": "IE"},
            "pro_enabled": False, "last_login": iso(160), "total_subscribers": 300,
            "industry_stats": {"open_rate": 0.3, "bounce_rate": 0.01, "click_rate": 0.02}, "_links": [], **extra}
    assert_fields(body, ROOT_FIELDS)
    return body


def audience(n: int, members: int = 100) -> dict[str, Any]:
    return {"id": f"list{n:06d}", "web_id": n, "name": f"Audience {n}", "contact": {},
            "permission_reminder": "You signed up.", "campaign_defaults": {}, "date_created": iso(400),
            "list_rating": 3, "double_optin": True, "visibility": "prv",
            "stats": {"member_count": members, "unsubscribe_count": 1, "cleaned_count": 0}}


def webhook(list_id: str, url: str, *events: str) -> dict[str, Any]:
    return {"id": f"hook{abs(hash(url)) % 10**6}", "url": url,
            "events": {e: e in events for e in sorted(WEBHOOK_EVENTS)},
            "sources": {"user": True, "admin": True, "api": False}, "list_id": list_id}


def app(app_id: int, name: str, *users: str) -> dict[str, Any]:
    return {"id": app_id, "name": name, "description": f"{name} integration", "users": list(users)}


def site(domain: str) -> dict[str, Any]:
    return {"foreign_id": "a180c384d7db88b", "store_id": "", "platform": "custom", "domain": domain,
            "site_script": {"url": "https://chimpstatic.com/mcjs-connected/js/users/u/s.js", "fragment": "<script/>"},
            "created_at": iso(300), "updated_at": iso(20)}


def automation(title: str, status: str, trigger: str, list_name: str) -> dict[str, Any]:
    return {"id": title.lower().replace(" ", ""), "create_time": iso(500), "start_time": iso(499), "status": status,
            "emails_sent": 10, "recipients": {"list_id": "list000001", "list_is_active": True, "list_name": list_name},
            "settings": {"title": title}, "trigger_settings": {"workflow_type": trigger}}


def register_account(base: str = BASE, *, lists: list[dict[str, Any]] | None = None,
                     hooks: dict[str, Any] | None = None, apps: Any = None, sites: Any = None,
                     automations: Any = None) -> None:
    """The whole account behind ``base``; a value given as (status, body) answers with that error."""
    lists = [audience(1)] if lists is None else lists

    def add(path: str, answer: Any) -> None:
        status, body = answer if isinstance(answer, tuple) else (200, answer)
        responses.get(f"{base}{path}", json=body, status=status,
                      content_type="application/problem+json" if status >= 400 else "application/json")

    add("/", root())
    add("/lists", collection("lists", lists, constraints={"may_create": True}))
    add("/automations", automations if automations is not None else collection("automations", []))
    add("/authorized-apps", apps if apps is not None else collection("apps", []))
    add("/connected-sites", sites if sites is not None else collection("sites", []))
    for item in lists:
        answer = (hooks or {}).get(item["id"], collection("webhooks", [], list_id=item["id"]))
        add(f"/lists/{item['id']}/webhooks", answer)


def basic_password(request: requests.PreparedRequest) -> str:
    scheme, _, value = request.headers["Authorization"].partition(" ")
    assert scheme == "Basic"
    return base64.b64decode(value).decode().partition(":")[2]


# -- data centre and auth -----------------------------------------------------------------------------------


@responses.activate
def test_api_key_goes_as_basic_auth_to_the_data_centre_named_by_its_suffix() -> None:
    register_account()

    ctx = run_connector(MailchimpConnector, credentials={"api_key": KEY})

    assert {c.request.url.split("/3.0")[0] for c in responses.calls} == {"https://us21.api.mailchimp.com"}
    assert all(c.request.method == "GET" for c in responses.calls)
    assert all(basic_password(c.request) == KEY for c in responses.calls)
    (tenant,) = [r for r in ctx.records if isinstance(r, System) and r.system_kind is SystemKind.TENANT]
    assert tenant.region == "us21" and tenant.url == BASE
    (credential,) = [r for r in ctx.records if isinstance(r, Credential)]
    assert credential.credential_kind == "api_key" and credential.fingerprint == KEY[:4]
    assert KEY[4:] not in json.dumps([str(r) for r in ctx.records])


@pytest.mark.parametrize("key", [
    "0123456789abcdef-evil.example",
    "0123456789abcdef-us21.evil.example",
    "0123456789abcdef-us21/../x",
    "0123456789abcdef-us21@evil.example",
    "0123456789abcdef",
])
@responses.activate
def test_a_key_whose_suffix_is_not_a_data_centre_is_refused_before_any_request(key: str) -> None:
    with pytest.raises(CredentialError, match="data centre"):
        run_connector(MailchimpConnector, credentials={"api_key": key})
    assert len(responses.calls) == 0


@responses.activate
def test_oauth_token_learns_its_data_centre_from_the_metadata_endpoint() -> None:
    responses.get("https://login.mailchimp.com/oauth2/metadata", json={
        "dc": "us6", "role": "owner", "accountname": "Northwind", "user_id": 41923508,
        "login_url": "https://login.mailchimp.com", "api_endpoint": "https://us6.api.mailchimp.com"})
    register_account("https://us6.api.mailchimp.com/3.0")

    ctx = run_connector(MailchimpConnector, credentials={"access_token": "oauth-token-123456"})

    metadata, *api_calls = responses.calls
    assert metadata.request.headers["Authorization"] == "OAuth oauth-token-123456"
    assert all(c.request.headers["Authorization"] == "Bearer oauth-token-123456" for c in api_calls)
    (credential,) = [r for r in ctx.records if isinstance(r, Credential)]
    assert credential.credential_kind == "oauth_token" and credential.fingerprint == ""


@responses.activate
def test_oauth_metadata_naming_no_valid_data_centre_is_an_authentication_error() -> None:
    responses.get("https://login.mailchimp.com/oauth2/metadata", json={"dc": "us6.evil.example"})
    with pytest.raises(AuthenticationError, match="data centre"):
        run_connector(MailchimpConnector, credentials={"access_token": "oauth-token-123456"})
    assert len(responses.calls) == 1


@pytest.mark.parametrize(("base_url", "api"), [
    ("https://us9.api.mailchimp.com/3.0", "https://us9.api.mailchimp.com/3.0"),
    ("https://mailchimp-proxy.example.test", "https://mailchimp-proxy.example.test/3.0"),
])
@responses.activate
def test_a_configured_base_url_is_used_as_is(base_url: str, api: str) -> None:
    register_account(api)
    ctx = run_connector(MailchimpConnector, base_url=base_url, credentials={"api_key": KEY})
    assert all(c.request.url.startswith(api + "/") for c in responses.calls)
    (tenant,) = [r for r in ctx.records if isinstance(r, System) and r.system_kind is SystemKind.TENANT]
    assert tenant.region == ("us9" if "us9" in api else "us21")


@responses.activate
def test_bad_key_is_an_authentication_error_with_mailchimps_words_and_no_secret() -> None:
    responses.get(f"{BASE}/", status=401, content_type="application/problem+json", json=problem(
        401, "API Key Invalid", "Your API key may be invalid, or you've attempted to access the wrong datacenter."))
    with pytest.raises(AuthenticationError) as raised:
        run_connector(MailchimpConnector, credentials={"api_key": KEY})
    assert "API Key Invalid" in str(raised.value) and "wrong datacenter" in str(raised.value)
    assert KEY not in str(raised.value)
    assert raised.value.code == "API Key Invalid"


# -- paging, retries, errors ---------------------------------------------------------------------------------


@responses.activate
def test_count_offset_pages_are_followed_to_total_items() -> None:
    lists = [audience(n) for n in range(5)]
    for offset in (0, 2, 4):
        responses.get(f"{BASE}/lists", json=collection("lists", lists[offset:offset + 2], total=5),
                      match=[matchers.query_param_matcher({"count": "2", "offset": str(offset)})])
    responses.get(f"{BASE}/", json=root())
    for path, key in (("/automations", "automations"), ("/authorized-apps", "apps"), ("/connected-sites", "sites")):
        responses.get(f"{BASE}{path}", json=collection(key, []))
    responses.get(re.compile(rf"{re.escape(BASE)}/lists/list\d+/webhooks"), json=collection("webhooks", []))

    ctx = run_connector(MailchimpConnector, credentials={"api_key": KEY}, options={"page_size": 2})

    offsets = [c.request.params["offset"] for c in responses.calls if c.request.url.split("?")[0].endswith("/lists")]
    assert offsets == ["0", "2", "4"]
    (tenant,) = [r for r in ctx.records if isinstance(r, System) and r.system_kind is SystemKind.TENANT]
    assert tenant.attributes["audiences"] == 5 and tenant.attributes["audience_members"] == 500
    assert len([c for c in responses.calls if "/webhooks" in c.request.url]) == 5


@responses.activate
def test_a_short_page_before_total_items_fails_loudly_instead_of_truncating() -> None:
    responses.get(f"{BASE}/", json=root())
    responses.get(f"{BASE}/lists", json=collection("lists", [audience(1)], total=3),
                  match=[matchers.query_param_matcher({"count": "2", "offset": "0"})])
    with pytest.raises(PaginationError, match="short page"):
        run_connector(MailchimpConnector, credentials={"api_key": KEY}, options={"page_size": 2})


@responses.activate
def test_too_many_requests_is_retried() -> None:
    # Mailchimp sends no Retry-After with its 429; the header here only keeps the test from sleeping.
    responses.get(f"{BASE}/authorized-apps", status=429, headers={"Retry-After": "0"},
                  content_type="application/problem+json",
                  json=problem(429, "Too Many Requests", "You have exceeded the limit of 10 simultaneous connections."))
    register_account(apps=collection("apps", [app(31337, "Zapier", "chloe.martin")]))

    ctx = run_connector(MailchimpConnector, credentials={"api_key": KEY})

    assert ctx.stats.retries == 1 and ctx.stats.rate_limited == 1
    assert [r.name for r in ctx.records if isinstance(r, Integration)] == ["Zapier"]
    assert ctx.gaps == []


@responses.activate
def test_a_refused_area_is_a_coverage_gap_and_the_rest_is_kept() -> None:
    forbidden = (403, problem(403, "Forbidden", "User does not have access to the requested operation"))
    gone = (404, problem(404, "Resource Not Found", "The requested resource could not be found."))
    lists = [audience(1), audience(2)]
    register_account(
        lists=lists, apps=forbidden, sites=collection("sites", [site("www.northwind.example")]),
        hooks={"list000001": gone,
               "list000002": collection("webhooks", [webhook("list000002", "https://hooks.zapier.com/h/1", "subscribe")],
                                        list_id="list000002")})

    ctx = run_connector(MailchimpConnector, credentials={"api_key": KEY})

    gaps = {g.area: g for g in ctx.gaps}
    assert set(gaps) == {"authorized-apps", "lists/list000001/webhooks"}
    assert "Forbidden" in gaps["authorized-apps"].reason and "requested operation" in gaps["authorized-apps"].reason
    assert gaps["authorized-apps"].error == "PermissionDeniedError"
    assert not [r for r in ctx.records if isinstance(r, Integration)]
    flows = {f.flow_kind: f for f in ctx.records if isinstance(f, Flow)}
    assert flows["webhook"].target == "external:hooks.zapier.com"
    assert flows["tracking"].source == "external:www.northwind.example"
    assert [a.username for a in ctx.records if isinstance(a, Account)] == ["gus.novak"]


def test_problem_documents_become_title_and_detail() -> None:
    response = requests.Response()
    response.status_code = 403
    response._content = json.dumps(problem(403, "Forbidden", "No access")).encode()
    assert problem_detail(response) == ("Forbidden", "No access (instance 995c5cb0-3280-4a6e-808b-3b096d0bb219)")
    response._content = b"<html>Access denied</html>"
    assert problem_detail(response) == ("", "")


# -- transforms ----------------------------------------------------------------------------------------------


def test_account_owner_is_an_admin_with_unknown_mfa_and_the_tenants_owner() -> None:
    data = root()
    system = transform.account("c", BASE, data, data_centre="us21", lists=[audience(1, 40)],
                               automations=[automation("Welcome", "sending", "welcomeSeries", "Newsletter")])
    user = transform.key_user("c", system.id, data)
    assert user.admin and user.roles == ("owner",) and user.email == "gus.novak@northwind.example"
    assert user.mfa is TriState.UNKNOWN and user.sso is TriState.UNKNOWN
    assert user.last_login_at is not None and user.last_login_at < datetime.now(UTC) - timedelta(days=150)
    assert system.owners[0].email == "gus.novak@northwind.example"
    assert system.data == (DataCategory.CONTACT, DataCategory.PII)
    assert system.attributes["automation_list"] == "Welcome [sending, welcomeSeries, Newsletter]"

    manager = root(role="manager")
    system = transform.account("c", BASE, manager, data_centre="us21", lists=None, automations=None)
    assert system.owners == () and not transform.key_user("c", system.id, manager).admin
    assert system.data == (DataCategory.CONTACT, DataCategory.PII)  # from total_subscribers when lists unread
    assert "audiences" not in system.attributes
    empty = transform.account("c", BASE, root(total_subscribers=0), data_centre="", lists=None, automations=None)
    assert empty.data == ()


def test_webhook_flows_keep_scheme_and_events_and_drop_the_query() -> None:
    list_ = audience(1)
    http, host = transform.list_webhook(
        "c", "t", list_, webhook("list000001", "http://crm-bridge.northwind.example/mc?secret=abc123", "subscribe"))
    assert isinstance(http, Flow) and isinstance(host, System)
    assert http.scheme == "http" and http.url == "http://crm-bridge.northwind.example/mc"
    assert http.data == (DataCategory.CONTACT, DataCategory.PII)
    assert http.attributes["events"] == "subscribe" and http.attributes["list_name"] == "Audience 1"
    assert host.id == "external:crm-bridge.northwind.example" and host.system_kind is SystemKind.EXTERNAL
    campaign_only = transform.list_webhook("c", "t", list_, webhook("list000001", "https://x.example/h", "campaign"))
    assert isinstance(campaign_only[0], Flow) and campaign_only[0].data == (DataCategory.MARKETING,)
    assert transform.list_webhook("c", "t", list_, webhook("list000001", "not a url")) == []


def test_mailchimp_for_salesforce_is_the_crm_sync_into_the_audiences() -> None:
    records = transform.authorized_app("c", "t", app(120512, "Mailchimp for Salesforce", "chloe.martin"), root=root())
    flows = {f.flow_kind: f for f in records if isinstance(f, Flow)}
    sync = flows["native_sync"]
    assert (sync.source, sync.target) == ("external:app:salesforce", "t")
    assert sync.data == (DataCategory.CONTACT, DataCategory.PII)
    assert sync.attributes["derived_from"] == "authorized app 'Mailchimp for Salesforce'"
    salesforce = next(r for r in records if isinstance(r, System) and r.id == "external:app:salesforce")
    assert salesforce.vendor == "salesforce"
    assert flows["oauth_grant"].target == "external:app:mailchimp-for-salesforce"

    canva = transform.authorized_app("c", "t", app(884210, "Canva", "dev.patel", "gus.novak"), root=root())
    assert not any(isinstance(f, Flow) and f.flow_kind == "native_sync" for f in canva)
    grants = {c.attributes["username"]: c for c in canva if isinstance(c, Credential)}
    assert grants["gus.novak"].account == "c:user:41923508" and grants["dev.patel"].account == ""
    (integration,) = [i for i in canva if isinstance(i, Integration)]
    assert integration.users == 2 and integration.client_id == "884210"
    unlinked = transform.authorized_app("c", "t", app(5, "Old app"), root=root())
    assert all(not f.active for f in unlinked if isinstance(f, Flow))


def test_connected_site_is_a_tracking_flow_from_the_site() -> None:
    flow, external = transform.connected_site("c", "t", site("https://WWW.Northwind.example/"))
    assert isinstance(flow, Flow) and isinstance(external, System)
    assert (flow.source, flow.target, flow.flow_kind) == ("external:www.northwind.example", "t", "tracking")
    assert flow.attributes["script_host"] == "chimpstatic.com"
    assert external.domain == "www.northwind.example"


# -- the emulated demo account -------------------------------------------------------------------------------


def _scan(host: Any, *, clean: bool = False, scale: int = 1) -> tuple[Any, set[tuple[str, str]]]:
    vendors = [host.emulators().get("mailchimp")]
    with Emulator(demo_scenario(vendors, scale, clean=clean), vendors) as emulator:
        inventory = scan_emulated(emulator, "northwind-mailchimp", host.connectors())
        methods = {(entry.method, entry.path) for entry in emulator.log}
    return inventory, methods


def test_demo_account_scanned_over_http(host: Any) -> None:
    inventory, methods = _scan(host)

    (result,) = inventory.connections
    assert result.status is CoverageStatus.COMPLETE, inventory.gaps
    assert {m for m, _ in methods} == {"GET"}
    assert {"/3.0/", "/3.0/lists", "/3.0/authorized-apps", "/3.0/connected-sites", "/3.0/automations"} <= {
        p for _, p in methods}
    (tenant,) = [s for s in inventory.of(System) if s.system_kind is SystemKind.TENANT]
    assert tenant.vendor == "mailchimp" and tenant.region == "us21"
    assert tenant.owners[0].email == "gus.novak@northwind.example"
    assert tenant.attributes["audience_names"] == "Customers, Newsletter"
    (gus,) = inventory.of(Account)
    assert gus.admin and gus.roles == ("owner",) and gus.mfa is TriState.UNKNOWN
    assert gus.last_login_at is not None and gus.last_login_at < datetime.now(UTC) - timedelta(days=90)
    assert {i.name for i in inventory.of(Integration)} == {"Mailchimp for Salesforce", "Zapier", "Canva"}
    webhooks = {f.target: f for f in inventory.of(Flow) if f.flow_kind == "webhook"}
    assert webhooks["external:hooks.zapier.com"].url.startswith("https://hooks.zapier.com/hooks/catch/")
    assert webhooks["external:crm-bridge.northwind.example"].scheme == "http"
    (sync,) = [f for f in inventory.of(Flow) if f.flow_kind == "native_sync"]
    assert (sync.source, sync.target) == ("external:app:salesforce", tenant.id)
    (tracking,) = [f for f in inventory.of(Flow) if f.flow_kind == "tracking"]
    assert tracking.source == "external:www.northwind.example"
    scan_key = next(c for c in inventory.of(Credential) if c.credential_kind == "api_key")
    assert scan_key.account == gus.id


def test_clean_variant_has_an_active_owner_no_zapier_and_no_plain_http(host: Any) -> None:
    inventory, _ = _scan(host, clean=True)

    (tenant,) = [s for s in inventory.of(System) if s.system_kind is SystemKind.TENANT]
    assert tenant.owners[0].email == "chloe.martin@northwind.example"
    (owner,) = inventory.of(Account)
    assert owner.last_login_at is not None and owner.last_login_at > datetime.now(UTC) - timedelta(days=2)
    assert {i.name for i in inventory.of(Integration)} == {"Mailchimp for Salesforce"}
    flows = inventory.of(Flow)
    assert all(f.scheme in ("", "https") for f in flows)
    assert not [f for f in flows if "zapier" in f.target]
    (spec,) = demo_scenario([host.emulators().get("mailchimp")], clean=True).tenants
    assert spec.registry[0]["owner"] == "chloe.martin@northwind.example"


def test_scale_multiplies_the_audiences(host: Any) -> None:
    inventory, methods = _scan(host, scale=2)
    (result,) = inventory.connections
    assert result.status is CoverageStatus.COMPLETE
    (tenant,) = [s for s in inventory.of(System) if s.system_kind is SystemKind.TENANT]
    assert tenant.attributes["audiences"] == 52
    assert len([p for _, p in methods if p.endswith("/webhooks")]) == 52


def test_emulator_answers_like_mailchimp(host: Any) -> None:
    vendor = host.emulators().get("mailchimp")
    spec = vendor.demo_tenant()
    spec.data["denied"] = ["authorized-apps"]
    with Emulator(Scenario([spec]), [vendor]) as emulator:
        api = emulator.url("northwind-mailchimp") + "/3.0"
        session = requests.Session()
        session.auth = ("anyone", spec.credentials["api_key"])

        missing = requests.get(f"{api}/lists", timeout=5)
        assert missing.status_code == 401 and missing.headers["Content-Type"].startswith("application/problem+json")
        assert_problem(missing.json(), 401)
        assert missing.json()["title"] == "API Key Missing"
        wrong = requests.get(f"{api}/lists", auth=("anyone", "0" * 32 + "-us21"), timeout=5)
        assert wrong.status_code == 401 and wrong.json()["title"] == "API Key Invalid"

        assert_fields(session.get(f"{api}/", timeout=5).json(), ROOT_FIELDS)
        first = session.get(f"{api}/lists", params={"count": 1, "offset": 0}, timeout=5).json()
        second = session.get(f"{api}/lists", params={"count": 1, "offset": 1}, timeout=5).json()
        assert_collection(first, "lists") and assert_collection(second, "lists")
        assert first["total_items"] == second["total_items"] == 2
        assert [first["lists"][0]["name"], second["lists"][0]["name"]] == ["Newsletter", "Customers"]
        default = session.get(f"{api}/lists", timeout=5).json()
        assert len(default["lists"]) == 2  # default count is 10
        for audience_ in default["lists"]:
            hooks = session.get(f"{api}/lists/{audience_['id']}/webhooks", timeout=5).json()
            assert_collection(hooks, "webhooks")
            assert hooks["list_id"] == audience_["id"]
        for path, key in (("/connected-sites", "sites"), ("/automations", "automations")):
            assert_collection(session.get(f"{api}{path}", timeout=5).json(), key)

        denied = session.get(f"{api}/authorized-apps", timeout=5)
        assert denied.status_code == 403 and denied.json()["title"] == "Forbidden"
        unknown = session.get(f"{api}/lists/nosuchlist/webhooks", timeout=5)
        assert unknown.status_code == 404
        assert_problem(unknown.json(), 404)
        assert session.post(f"{api}/lists", json={"name": "x"}, timeout=5).status_code == 405


def test_emulator_authorized_apps_have_the_documented_shape(host: Any) -> None:
    vendor = host.emulators().get("mailchimp")
    with Emulator(demo_scenario([vendor]), [vendor]) as emulator:
        api = emulator.url("northwind-mailchimp") + "/3.0"
        token = emulator.tenants["northwind-mailchimp"].credentials["api_key"]
        body = requests.get(f"{api}/authorized-apps", auth=("x", token), timeout=5).json()
    assert_collection(body, "apps")
    assert {a["name"] for a in body["apps"]} == {"Mailchimp for Salesforce", "Zapier", "Canva"}


def test_emulator_refuses_connections_beyond_the_limit_with_429() -> None:
    release = threading.Event()
    entered = threading.Barrier(3)

    def slow(request: Request, tenant: Tenant) -> Any:
        entered.wait(timeout=5)
        release.wait(timeout=5)
        return json_response({"ok": True})

    tenant = Tenant(TenantSpec("t", "mailchimp", {"max_connections": 2}, {}))
    handler = limited(slow)
    request = Request("GET", "/3.0/lists", {}, {})
    answers: list[int] = []
    workers = [threading.Thread(target=lambda: answers.append(handler(request, tenant).status)) for _ in range(2)]
    for worker in workers:
        worker.start()
    entered.wait(timeout=5)  # both requests are now in flight

    refused = handler(request, tenant)

    release.set()
    for worker in workers:
        worker.join(timeout=5)
    assert refused.status == 429 and "Retry-After" not in refused.headers
    assert_problem(json.loads(refused.body), 429)
    assert answers == [200, 200]
    assert tenant.state["in_flight"] == 0
