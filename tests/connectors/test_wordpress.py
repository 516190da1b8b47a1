"""WordPress connector: REST API shapes as WordPress 6.x serves them, paging, auth, refusals, the emulator."""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses
from stackaudit_wordpress import WordPressConnector, transform
from stackaudit_wordpress.demo import demo_tenant

from stackaudit import (
    Account,
    AccountKind,
    ApiError,
    AuthenticationError,
    Credential,
    Flow,
    Integration,
    PaginationError,
    System,
    TriState,
)
from stackaudit.emulator import Emulator
from stackaudit.model import CoverageStatus
from stackaudit.testing import run_connector, scan_emulated

SITE = "https://blog.example.test"
API = f"{SITE}/wp-json"
CREDENTIALS = {"username": "admin", "application_password": "abcd EFGH ijkl MNOP qrst UVWX"}
BASIC = "Basic " + base64.b64encode(b"admin:abcd EFGH ijkl MNOP qrst UVWX").decode()
WP_HEADERS = {"Content-Type": "application/json; charset=UTF-8"}


# -- payloads shaped like WordPress core's controllers (WP_REST_*_Controller::prepare_item_for_response) ---


def index(**extra: Any) -> dict[str, Any]:
    return {"name": "Example Blog", "description": "Just another WordPress site", "url": SITE, "home": SITE,
            "gmt_offset": "0", "timezone_string": "Europe/Dublin",
            "namespaces": ["oembed/1.0", "wp/v2", "wp-site-health/v1", "wp-block-editor/v1"],
            "authentication": {"application-passwords": {"endpoints": {
                "authorization": f"{SITE}/wp-admin/authorize-application.php"}}},
            "routes": {}, "site_logo": 0, "site_icon": 0, "site_icon_url": "", "_links": {}, **extra}


def wp_user(n: int, *, roles: tuple[str, ...] = ("editor",), edit: bool = True) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": n, "name": f"User {n}", "url": "", "description": "", "link": f"{SITE}/author/user{n}/",
        "slug": f"user{n}", "avatar_urls": {"24": "https://secure.gravatar.com/avatar/x?s=24"}, "meta": [],
        "_links": {"self": [{"href": f"{API}/wp/v2/users/{n}"}]},
    }
    if edit:
        body.update({"username": f"user{n}", "first_name": "", "last_name": "", "email": f"User{n}@Example.test",
                     "locale": "en_US", "nickname": f"user{n}", "roles": list(roles),
                     "registered_date": "2024-03-01T09:30:00+00:00",
                     "capabilities": {"read": True, **{r: True for r in roles}},
                     "extra_capabilities": {r: True for r in roles}})
    return body


def wp_plugin(file: str, name: str, status: str = "active", author: str = "Someone") -> dict[str, Any]:
    return {"plugin": file, "status": status, "name": name, "plugin_uri": "https://vendor.example/plugin",
            "author": author, "author_uri": "https://vendor.example",
            "description": {"raw": "A plugin.", "rendered": "A plugin."}, "version": "1.2.3",
            "network_only": False, "requires_wp": "5.8", "requires_php": "7.4",
            "textdomain": file.split("/", 1)[0], "_links": {}}


def app_password(uuid: str, name: str, last_used: str | None) -> dict[str, Any]:
    return {"uuid": uuid, "app_id": "", "name": name, "created": "2024-01-10T08:00:00", "last_used": last_used,
            "last_ip": "203.0.113.5" if last_used else None, "_links": {}}


def wp_error(code: str, message: str, status: int) -> dict[str, Any]:
    return {"code": code, "message": message, "data": {"status": status}}


ADMIN = wp_user(1, roles=("administrator",))
EDITOR = wp_user(2, roles=("editor",))
PLUGINS = [
    wp_plugin("leadin/leadin", "HubSpot All-In-One Marketing - Forms, Popups, Live Chat", author="HubSpot"),
    wp_plugin("mailchimp-for-wp/mailchimp-for-wp", "MC4WP: Mailchimp for WordPress",
              author='<a href="https://ibericode.com">ibericode</a>'),
    wp_plugin("duracelltomi-google-tag-manager/duracelltomi-google-tag-manager-for-wordpress",
              "GTM4WP", status="inactive"),
    wp_plugin("akismet/akismet", "Akismet Anti-spam", author="Automattic"),
    wp_plugin("hello", "Hello Dolly", status="inactive"),
]


def mock_site(*, users: list[dict[str, Any]] | None = None, plugins: Any = None, public: Any = None,
              passwords: dict[int, Any] | None = None) -> None:
    """Register a site whose admin credentials work. A value that is a (status, body) pair is an error."""
    users = users if users is not None else [ADMIN, EDITOR]

    def answer(url: str, value: Any, headers: dict[str, str] | None = None) -> None:
        status, body = value if isinstance(value, tuple) else (200, value)
        responses.get(url, json=body, status=status, headers={**WP_HEADERS, **(headers or {})})

    answer(f"{API}/", index())
    answer(f"{API}/wp/v2/users/me", ADMIN)
    answer(f"{API}/wp/v2/plugins", plugins if plugins is not None else PLUGINS)
    public_answer = public if public is not None else [wp_user(1, edit=False)]

    def listing(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        if "Authorization" in request.headers:
            status, body = 200, users
        else:
            status, body = public_answer if isinstance(public_answer, tuple) else (200, public_answer)
        paging = {"X-WP-Total": str(len(body)), "X-WP-TotalPages": "1"} if status == 200 else {}
        return status, {**WP_HEADERS, **paging}, json.dumps(body)

    responses.add_callback(responses.GET, f"{API}/wp/v2/users", callback=listing)
    for user in users:
        answer(f"{API}/wp/v2/users/{user['id']}/application-passwords", (passwords or {}).get(user["id"], []))


def by_type(records: list[Any], kind: type) -> list[Any]:
    return [r for r in records if isinstance(r, kind)]


# -- behaviour ------------------------------------------------------------------------------------


@responses.activate
def test_reads_site_plugins_users_and_app_passwords_and_marks_marketing_flows() -> None:
    mock_site(passwords={1: [app_password("0d7c2f5e-1111-4a8b-9c3d-2e6f7a8b9c0d", "Zapier", "2024-02-01T10:00:00"),
                             app_password("5b1e9a3c-2222-4d7e-8f9a-0b1c2d3e4f5a", "old script", None)]})

    ctx = run_connector(WordPressConnector, base_url=SITE, credentials=CREDENTIALS)

    (site,) = by_type(ctx.records, System)[:1]
    assert site.id == "test:tenant:blog.example.test"
    assert site.vendor == "wordpress" and site.category == "cms" and site.domain == "blog.example.test"
    assert site.attributes["application_passwords_available"] is True
    assert site.attributes["public_user_list"] is True and site.attributes["public_user_count"] == 1
    assert site.attributes["users"] == 2 and site.attributes["two_factor_plugin"] == ""

    accounts = {a.username: a for a in by_type(ctx.records, Account)}
    assert accounts["user1"].admin and accounts["user1"].roles == ("administrator",)
    assert not accounts["user2"].admin and accounts["user2"].roles == ("editor",)
    assert accounts["user1"].email == "user1@example.test"
    assert accounts["user1"].mfa is TriState.UNKNOWN  # WordPress does not say; never "no" by assumption
    assert accounts["user1"].attributes["publicly_listed"] is True
    assert accounts["user2"].attributes["publicly_listed"] is False

    plugins = {i.attributes["plugin"]: i for i in by_type(ctx.records, Integration)}
    assert set(plugins) == {p["plugin"] for p in PLUGINS}
    assert plugins["mailchimp-for-wp/mailchimp-for-wp"].publisher == "ibericode"  # markup dropped
    assert not plugins["hello"].enabled and plugins["hello"].attributes["slug"] == "hello"

    flows = {f.target: f for f in by_type(ctx.records, Flow)}
    assert set(flows) == {"external:app:hubspot", "external:app:mailchimp"}  # GTM4WP is inactive: no flow
    assert flows["external:app:hubspot"].flow_kind == "plugin"
    assert flows["external:app:hubspot"].integration == plugins["leadin/leadin"].id
    assert {d.value for d in flows["external:app:hubspot"].data} == {"contact", "behavioral"}
    externals = {s.id: s for s in by_type(ctx.records, System) if s.system_kind.value == "external"}
    assert externals["external:app:mailchimp"].vendor == "mailchimp"

    credentials = {c.name: c for c in by_type(ctx.records, Credential)}
    assert set(credentials) == {"Zapier", "old script"}
    assert credentials["Zapier"].account == accounts["user1"].id
    assert credentials["Zapier"].last_used_at is not None and credentials["Zapier"].last_used_at.tzinfo
    assert credentials["old script"].last_used_at is None
    assert credentials["old script"].fingerprint == "5b1e9a3c-2222-4d7e-8f9a-0b1c2d3e4f5a"

    assert ctx.gaps == []
    assert {c.request.method for c in responses.calls} == {"GET"}
    anonymous = [c for c in responses.calls if "Authorization" not in c.request.headers]
    assert [urlsplit(c.request.url or "").path for c in anonymous] == ["/wp-json/wp/v2/users"]
    edit_listing = [c for c in responses.calls if "context=edit" in (c.request.url or "")
                    and urlsplit(c.request.url or "").path == "/wp-json/wp/v2/users"]
    assert edit_listing and all(c.request.headers["Authorization"] == BASIC for c in edit_listing)


@responses.activate
def test_user_listing_follows_pages_until_total_pages() -> None:
    everyone = [wp_user(n) for n in range(1, 6)]
    responses.get(f"{API}/", json=index(), headers=WP_HEADERS)
    responses.get(f"{API}/wp/v2/users/me", json=wp_user(1, roles=("administrator",)), headers=WP_HEADERS)
    responses.get(f"{API}/wp/v2/plugins", json=[], headers=WP_HEADERS)

    def listing(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        query = parse_qs(urlsplit(request.url or "").query)
        if "Authorization" not in request.headers:
            return 401, WP_HEADERS, json.dumps(wp_error("rest_user_cannot_view", "Sorry.", 401))
        page, per_page = int(query["page"][0]), int(query["per_page"][0])
        chunk = everyone[(page - 1) * per_page: page * per_page]
        return 200, {**WP_HEADERS, "X-WP-Total": "5", "X-WP-TotalPages": "3"}, json.dumps(chunk)

    responses.add_callback(responses.GET, f"{API}/wp/v2/users", callback=listing)
    for user in everyone:
        responses.get(f"{API}/wp/v2/users/{user['id']}/application-passwords", json=[], headers=WP_HEADERS)

    ctx = run_connector(WordPressConnector, base_url=SITE, credentials=CREDENTIALS, options={"per_page": 2})

    assert [a.username for a in by_type(ctx.records, Account)] == [f"user{n}" for n in range(1, 6)]
    pages = [parse_qs(urlsplit(c.request.url or "").query) for c in responses.calls
             if urlsplit(c.request.url or "").path == "/wp-json/wp/v2/users" and "Authorization" in c.request.headers]
    assert [(q["page"], q["per_page"], q["context"]) for q in pages] == [
        (["1"], ["2"], ["edit"]), (["2"], ["2"], ["edit"]), (["3"], ["2"], ["edit"])]
    (site,) = [s for s in by_type(ctx.records, System) if s.vendor == "wordpress"]
    assert site.attributes["public_user_list"] is False


@responses.activate
def test_page_count_that_changes_mid_listing_fails_loudly() -> None:
    responses.get(f"{API}/", json=index(), headers=WP_HEADERS)
    responses.get(f"{API}/wp/v2/users/me", json=ADMIN, headers=WP_HEADERS)
    responses.get(f"{API}/wp/v2/plugins", json=[], headers=WP_HEADERS)

    def listing(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        if "Authorization" not in request.headers:
            return 401, WP_HEADERS, json.dumps(wp_error("rest_user_cannot_view", "Sorry.", 401))
        page = int(parse_qs(urlsplit(request.url or "").query)["page"][0])
        pages = {1: "2", 2: "3"}[page]  # a user was added while we were listing
        return 200, {**WP_HEADERS, "X-WP-TotalPages": pages}, json.dumps([wp_user(page)])

    responses.add_callback(responses.GET, f"{API}/wp/v2/users", callback=listing)

    with pytest.raises(PaginationError, match="page count changed from 2 to 3"):
        run_connector(WordPressConnector, base_url=SITE, credentials=CREDENTIALS)


@responses.activate
def test_rate_limit_and_server_errors_are_retried_honouring_retry_after() -> None:
    mock_site()
    responses.replace(responses.GET, f"{API}/wp/v2/plugins", body="Too Many Requests", status=429,
                      headers={"Retry-After": "0"})
    responses.add(responses.GET, f"{API}/wp/v2/plugins", json=PLUGINS, headers=WP_HEADERS)
    responses.upsert(responses.GET, f"{API}/wp/v2/users/me", body="busy", status=503, headers={"Retry-After": "0"})
    responses.add(responses.GET, f"{API}/wp/v2/users/me", json=ADMIN, headers=WP_HEADERS)

    ctx = run_connector(WordPressConnector, base_url=SITE, credentials=CREDENTIALS)

    assert ctx.stats.retries == 2 and ctx.stats.rate_limited == 1
    assert len(by_type(ctx.records, Integration)) == len(PLUGINS)
    assert ctx.gaps == []


@responses.activate
def test_editor_credentials_record_gaps_and_keep_the_rest() -> None:
    editor = wp_user(2, roles=("editor",))
    responses.get(f"{API}/", json=index(), headers=WP_HEADERS)
    responses.get(f"{API}/wp/v2/users/me", json=editor, headers=WP_HEADERS)
    responses.get(f"{API}/wp/v2/plugins", status=403, headers=WP_HEADERS,
                  json=wp_error("rest_cannot_view_plugins", "Sorry, you are not allowed to manage plugins for "
                                "this site.", 403))
    responses.get(f"{API}/wp/v2/users", status=403, headers=WP_HEADERS,
                  json=wp_error("rest_forbidden_context", "Sorry, you are not allowed to list users.", 403),
                  match=[responses.matchers.query_param_matcher({"context": "edit"}, strict_match=False)])
    responses.get(f"{API}/wp/v2/users", json=[wp_user(1, edit=False), wp_user(2, edit=False)],
                  headers={**WP_HEADERS, "X-WP-Total": "2", "X-WP-TotalPages": "1"})
    responses.get(f"{API}/wp/v2/users/2/application-passwords", headers=WP_HEADERS,
                  json=[app_password("9e8d7c6b-3333-4a5b-8c7d-6e5f4a3b2c1d", "phone", "2024-05-01T00:00:00")])

    ctx = run_connector(WordPressConnector, base_url=SITE, credentials=CREDENTIALS)

    assert {g.area for g in ctx.gaps} == {"plugins", "users"}
    assert all(g.error == "PermissionDeniedError" for g in ctx.gaps)
    assert "activate_plugins" in next(g.reason for g in ctx.gaps if g.area == "plugins")
    (account,) = by_type(ctx.records, Account)  # at least the account the scan runs as
    assert account.username == "user2" and not account.admin
    assert [c.name for c in by_type(ctx.records, Credential)] == ["phone"]
    assert by_type(ctx.records, Integration) == []
    (site,) = by_type(ctx.records, System)
    assert site.attributes["public_user_list"] is True and site.attributes["public_user_count"] == 2
    assert site.attributes["users"] is None  # unknown, not zero


@responses.activate
def test_app_passwords_refused_for_some_users_become_one_gap() -> None:
    mock_site(passwords={2: (403, wp_error("rest_cannot_list_application_passwords", "Sorry, you are not "
                                           "allowed to list application passwords for this user.", 403))})

    ctx = run_connector(WordPressConnector, base_url=SITE, credentials=CREDENTIALS)

    (gap,) = ctx.gaps
    assert gap.area == "application passwords" and "user2" in gap.reason and "1 user(s)" in gap.reason
    assert len(by_type(ctx.records, Account)) == 2


@responses.activate
def test_bad_application_password_raises_authentication_error_naming_the_fix() -> None:
    responses.get(f"{API}/", json=index(), headers=WP_HEADERS)
    responses.get(f"{API}/wp/v2/users/me", status=401, headers=WP_HEADERS,
                  json=wp_error("incorrect_password", "The provided password is an invalid application password.",
                                401))

    with pytest.raises(AuthenticationError) as raised:
        run_connector(WordPressConnector, base_url=SITE, credentials=CREDENTIALS)

    assert "incorrect_password" in str(raised.value)
    assert "Authorization header" in raised.value.fix
    assert "abcd" not in str(raised.value)


@responses.activate
def test_sites_without_pretty_permalinks_are_read_through_rest_route() -> None:
    responses.get(f"{SITE}/wp-json/", status=404, body="<html>Page not found</html>",
                  headers={"Content-Type": "text/html; charset=UTF-8"})

    def routed(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        route = parse_qs(urlsplit(request.url or "").query)["rest_route"][0]
        if "Authorization" not in request.headers and route != "/":
            return 401, WP_HEADERS, json.dumps(wp_error("rest_user_cannot_view", "Sorry.", 401))
        bodies: dict[str, Any] = {"/": index(), "/wp/v2/users/me": ADMIN, "/wp/v2/plugins": PLUGINS[:1],
                                  "/wp/v2/users": [ADMIN], "/wp/v2/users/1/application-passwords": []}
        return 200, {**WP_HEADERS, "X-WP-Total": "1", "X-WP-TotalPages": "1"}, json.dumps(bodies[route])

    responses.add_callback(responses.GET, f"{SITE}/", callback=routed)

    ctx = run_connector(WordPressConnector, base_url=SITE, credentials=CREDENTIALS)

    (site,) = [s for s in by_type(ctx.records, System) if s.vendor == "wordpress"]
    assert site.attributes["rest_url_form"] == "rest_route"
    assert site.attributes["public_user_list"] is False
    routes = [parse_qs(urlsplit(c.request.url or "").query).get("rest_route", [None])[0] for c in responses.calls[1:]]
    assert set(routes) == {"/", "/wp/v2/users/me", "/wp/v2/plugins", "/wp/v2/users",
                           "/wp/v2/users/1/application-passwords"}


@responses.activate
def test_a_base_url_without_wordpress_is_a_clear_error() -> None:
    responses.get(f"{SITE}/wp-json/", status=404, body="not here", headers={"Content-Type": "text/html"})
    responses.get(f"{SITE}/", body="<html>a static site</html>", headers={"Content-Type": "text/html"})

    with pytest.raises(ApiError, match="no WordPress REST API") as raised:
        run_connector(WordPressConnector, base_url=SITE, credentials=CREDENTIALS)
    assert "base_url" in raised.value.fix


@responses.activate
def test_two_factor_plugin_is_noted_but_mfa_stays_unknown() -> None:
    mock_site(plugins=[*PLUGINS, wp_plugin("two-factor/two-factor", "Two Factor")])

    ctx = run_connector(WordPressConnector, base_url=SITE, credentials=CREDENTIALS)

    (site,) = [s for s in by_type(ctx.records, System) if s.vendor == "wordpress"]
    assert site.attributes["two_factor_plugin"] == "Two Factor"
    assert all(a.mfa is TriState.UNKNOWN for a in by_type(ctx.records, Account))
    assert all(a.attributes["two_factor_plugin"] == "Two Factor" for a in by_type(ctx.records, Account))


@responses.activate
def test_subscribers_are_guests_and_skipped_in_the_password_sweep_unless_asked() -> None:
    reader = wp_user(3, roles=("subscriber",))
    mock_site(users=[ADMIN, reader])

    ctx = run_connector(WordPressConnector, base_url=SITE, credentials=CREDENTIALS)
    swept = {urlsplit(c.request.url or "").path for c in responses.calls if "application-passwords" in (c.request.url or "")}
    assert swept == {"/wp-json/wp/v2/users/1/application-passwords"}
    assert {a.username: a.account_kind for a in by_type(ctx.records, Account)}["user3"] is AccountKind.GUEST

    responses.calls.reset()
    run_connector(WordPressConnector, base_url=SITE, credentials=CREDENTIALS, options={"all_user_app_passwords": True})
    swept = {urlsplit(c.request.url or "").path for c in responses.calls if "application-passwords" in (c.request.url or "")}
    assert swept == {"/wp-json/wp/v2/users/1/application-passwords", "/wp-json/wp/v2/users/3/application-passwords"}


def test_transform_reads_wordpress_dates_as_utc_and_keeps_unknowns_unknown() -> None:
    assert transform.parse_gmt("2024-01-10T08:00:00").isoformat() == "2024-01-10T08:00:00+00:00"  # type: ignore[union-attr]
    assert transform.parse_gmt("2024-03-01T09:30:00+02:00").utcoffset().total_seconds() == 7200  # type: ignore[union-attr]
    assert transform.parse_gmt(None) is None and transform.parse_gmt("yesterday") is None
    assert transform.slug_of({"plugin": "hello"}) == "hello"
    assert transform.marketing_flow("c", "t", transform.plugin("c", "t", wp_plugin("x/x", "X"))) is None


# -- the emulator -----------------------------------------------------------------------------------


def test_demo_site_scanned_over_http(host: Any) -> None:
    vendors = [host.emulators().get("wordpress")]
    with Emulator(demo_scenario_of(vendors), vendors) as emulator:
        inventory = scan_emulated(emulator, "northwind-wordpress", host.connectors())
        methods = {entry.method for entry in emulator.log}

    (result,) = inventory.connections
    assert result.status is CoverageStatus.COMPLETE, inventory.gaps
    assert methods == {"GET"}
    (site,) = [s for s in inventory.of(System) if s.vendor == "wordpress"]
    assert site.id == "northwind-wordpress:tenant:blog.northwind.example"
    assert site.attributes["public_user_list"] is True and site.attributes["public_user_count"] == 2
    accounts = {a.email: a for a in inventory.of(Account)}
    assert accounts["erin.walsh@northwind.example"].admin
    assert accounts["dev.patel@northwind.example"].roles == ("editor",)
    targets = {f.target: f for f in inventory.of(Flow)}
    assert set(targets) == {"external:app:hubspot", "external:app:mailchimp", "external:app:google-analytics",
                            "external:app:google-tag-manager"}
    assert all(f.flow_kind == "plugin" and f.source == site.id for f in targets.values())
    passwords = {c.name: c for c in inventory.of(Credential)}
    stale = passwords["Zapier blog auto-post"]
    assert stale.last_used_at is not None and stale.created_at is not None
    assert 299 <= (result.started_at - stale.last_used_at).days <= 300  # type: ignore[operator]
    assert stale.account == accounts["erin.walsh@northwind.example"].id


def test_clean_demo_site_fixes_the_story(host: Any) -> None:
    vendors = [host.emulators().get("wordpress")]
    with Emulator(demo_scenario_of(vendors, clean=True), vendors) as emulator:
        inventory = scan_emulated(emulator, "northwind-wordpress", host.connectors())

    assert inventory.connections[0].status is CoverageStatus.COMPLETE
    (site,) = [s for s in inventory.of(System) if s.vendor == "wordpress"]
    assert site.attributes["public_user_list"] is False
    assert site.attributes["two_factor_plugin"] == "Two Factor"
    assert [c.name for c in inventory.of(Credential)] == ["stackaudit audit"]


def test_emulator_answers_like_wordpress(host: Any) -> None:
    vendor = host.emulators().get("wordpress")
    with Emulator(demo_scenario_of([vendor]), [vendor]) as emulator:
        base = emulator.url("northwind-wordpress")
        spec = emulator.tenants["northwind-wordpress"].spec
        auth = (spec.credentials["username"], spec.credentials["application_password"])

        anonymous = requests.get(f"{base}/wp-json/wp/v2/users", timeout=5)
        assert anonymous.status_code == 200 and anonymous.headers["X-WP-Total"] == "2"
        assert set(anonymous.json()[0]) == {"id", "name", "url", "description", "link", "slug", "avatar_urls",
                                            "meta", "_links"}  # the "view" context shows no e-mail or roles
        assert requests.get(f"{base}/wp-json/wp/v2/users", params={"context": "edit"}, timeout=5).json()["code"] \
            == "rest_forbidden_context"
        refused = requests.get(f"{base}/wp-json/wp/v2/plugins", timeout=5)
        assert refused.status_code == 401 and refused.json()["code"] == "rest_cannot_view_plugins"
        wrong = requests.get(f"{base}/wp-json/wp/v2/users/me", auth=(auth[0], "xxxx xxxx xxxx xxxx xxxx xxxx"),
                             timeout=5)
        assert wrong.status_code == 401 and wrong.json()["code"] == "incorrect_password"
        too_big = requests.get(f"{base}/wp-json/wp/v2/users", params={"per_page": 101}, auth=auth, timeout=5)
        assert too_big.status_code == 400 and too_big.json()["code"] == "rest_invalid_param"
        paged = requests.get(f"{base}/wp-json/wp/v2/users", params={"per_page": 1, "context": "edit"}, auth=auth,
                             timeout=5)
        assert paged.headers["X-WP-TotalPages"] == "2" and 'rel="next"' in paged.headers["Link"]
        assert paged.json()[0]["roles"] == ["administrator"]
        routed = requests.get(f"{base}/", params={"rest_route": "/wp/v2/users/me"}, auth=auth, timeout=5)
        assert routed.json()["id"] == 1
        assert requests.get(f"{base}/wp-json/wp/v2/nope", timeout=5).json()["code"] == "rest_no_route"


def test_editor_against_emulator_gets_gaps_not_a_failure(host: Any) -> None:
    vendor = host.emulators().get("wordpress")
    spec = demo_tenant()
    spec.credentials = {"username": "dev.patel", "application_password": "Dv3x Qa9P mK2r Lt7W c4Bn Hs8Z"}
    from stackaudit.emulator import Scenario

    with Emulator(Scenario([spec]), [vendor]) as emulator:
        inventory = scan_emulated(emulator, "northwind-wordpress", host.connectors())

    assert inventory.connections[0].status is CoverageStatus.PARTIAL
    assert {g.area for g in inventory.gaps} == {"plugins", "users"}
    assert [a.username for a in inventory.of(Account)] == ["dev.patel"]


def demo_scenario_of(vendors: list[Any], *, clean: bool = False) -> Any:
    from stackaudit.emulator import demo_scenario

    return demo_scenario(vendors, clean=clean)


@responses.activate
def test_a_site_that_refuses_the_credentials_on_every_route_names_the_fix_too() -> None:
    responses.get(f"{API}/", status=401, headers=WP_HEADERS,
                  json=wp_error("incorrect_password", "The provided password is an invalid application password.",
                                401))

    with pytest.raises(AuthenticationError, match="did not accept the application password") as raised:
        run_connector(WordPressConnector, base_url=SITE, credentials=CREDENTIALS)
    assert "stackaudit auth set" in raised.value.fix
    assert len(responses.calls) == 1
