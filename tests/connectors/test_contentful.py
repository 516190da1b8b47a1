"""Contentful connector: CMA collection shapes, skip/limit paging, the rate-limit convention, refusals, emulator."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses
from stackaudit_contentful import ContentfulConnector
from stackaudit_contentful.client import classify

from stackaudit import (
    Account,
    AuthenticationError,
    Credential,
    Flow,
    Integration,
    PaginationError,
    System,
    TriState,
)
from stackaudit.emulator import Emulator, demo_scenario
from stackaudit.model import CoverageStatus
from stackaudit.testing import run_connector, scan_emulated

BASE = "https://api.contentful.com"
SPACE = "yadj1kx9rmg0"
TOKEN = "CFPAT-test-0123456789abcdef"
TOKENS_IN_PAYLOADS = ("cda-secret-token-111111", "cpa-secret-token-222222")
CF_HEADERS = {"Content-Type": "application/vnd.contentful.management.v1+json",
              "X-Contentful-RateLimit-Second-Limit": "10", "X-Contentful-RateLimit-Second-Remaining": "9"}


# -- payloads as the CMA reference documents them --------------------------------------------------


def assert_collection_shape(body: Any) -> None:
    """The CMA collection envelope: sys.type Array, integer total/skip/limit, items each with sys.id/type."""
    assert body["sys"] == {"type": "Array"}
    assert all(isinstance(body[k], int) for k in ("total", "skip", "limit"))
    assert isinstance(body["items"], list) and len(body["items"]) <= body["limit"]
    for item in body["items"]:
        assert isinstance(item["sys"]["type"], str) and item["sys"]["type"] != "Link"
    if "includes" in body:
        assert all(isinstance(v, list) for v in body["includes"].values())


def link(link_type: str, ident: str) -> dict[str, Any]:
    return {"sys": {"type": "Link", "linkType": link_type, "id": ident}}


def sys(kind: str, ident: str, **extra: Any) -> dict[str, Any]:
    return {"type": kind, "id": ident, "version": 1, "createdAt": "2023-04-11T20:04:37.000Z",
            "updatedAt": "2024-05-11T20:04:37.000Z", "createdBy": link("User", "u-admin"), **extra}


def collection(items: list[dict[str, Any]], *, total: int | None = None, skip: int = 0, limit: int = 100,
               includes: dict[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"sys": {"type": "Array"}, "total": len(items) if total is None else total,
                            "skip": skip, "limit": limit, "items": items}
    if includes is not None:
        body["includes"] = includes
    assert_collection_shape(body)
    return body


def cf_error(error_id: str, message: str) -> dict[str, Any]:
    return {"sys": {"type": "Error", "id": error_id}, "message": message, "requestId": "req-1"}


def user(ident: str, first: str, last: str, two_factor: bool | None) -> dict[str, Any]:
    body = {"firstName": first, "lastName": last, "avatarUrl": "https://images.example/a.png",
            "email": f"{first.lower()}@Example.test", "activated": True, "signInCount": 12, "confirmed": True,
            "sys": {"type": "User", "id": ident, "version": 3, "createdAt": "2022-01-01T00:00:00Z",
                    "updatedAt": "2024-01-01T00:00:00Z"}}
    if two_factor is not None:
        body["2faEnabled"] = two_factor
    return body


ME = user("u-admin", "Ada", "Admin", True)
USERS = [ME, user("u-ed", "Eddie", "Editor", False), user("u-new", "Nia", "New", None)]
SPACE_BODY = {"name": "Marketing Site", "sys": sys("Space", SPACE, organization=link("Organization", "org-1"))}
ENVIRONMENTS = [
    {"name": "master", "sys": sys("Environment", "master", status=link("Status", "ready"),
                                  aliases=[link("EnvironmentAlias", "production")])},
    {"name": "staging", "sys": sys("Environment", "staging", status=link("Status", "ready"), aliases=[])},
]
WEBHOOKS = [
    {"name": "Netlify build", "url": "https://api.netlify.com/build_hooks/abc123?trigger_token=s3cr3t-hook",
     "topics": ["Entry.publish", "Entry.unpublish"], "filters": [], "httpBasicUsername": None, "headers": [],
     "active": True, "sys": sys("WebhookDefinition", "wh-1")},
    {"name": "Old indexer", "url": "http://indexer.example.test:8080/hook", "topics": ["*.*"], "filters": [],
     "httpBasicUsername": "indexer", "headers": [{"key": "X-Token", "secret": True}], "active": False,
     "sys": sys("WebhookDefinition", "wh-2", createdBy=link("User", "u-ed"))},
]
API_KEYS = [{"name": "Website", "description": "production site", "accessToken": TOKENS_IN_PAYLOADS[0],
             "policies": [{"effect": "allow", "actions": "all"}],
             "preview_api_key": link("PreviewApiKey", "pk-1"),
             "environments": [link("Environment", "master")], "sys": sys("ApiKey", "dk-1")}]
PREVIEW_KEYS = [{"name": "Website", "description": "production site", "accessToken": TOKENS_IN_PAYLOADS[1],
                 "environments": [link("Environment", "master"), link("Environment", "staging")],
                 "sys": sys("PreviewApiKey", "pk-1")}]
ROLES = [{"name": "Editor", "description": "", "policies": [], "permissions": {}, "sys": sys("Role", "role-ed")}]
MEMBERSHIPS = [
    {"admin": True, "roles": [], "sys": sys("SpaceMembership", "m-1", user=link("User", "u-admin"),
                                           space=link("Space", SPACE))},
    {"admin": False, "roles": [link("Role", "role-ed")],
     "sys": sys("SpaceMembership", "m-2", user=link("User", "u-ed"), space=link("Space", SPACE))},
    {"admin": False, "roles": [link("Role", "role-gone")],
     "sys": sys("SpaceMembership", "m-3", user=link("User", "u-new"), space=link("Space", SPACE))},
]
APP_DEFINITION = {"name": "Netlify", "src": "https://netlify.app.example/?key=x", "locations": [],
                  "sys": {"type": "AppDefinition", "id": "appdef-netlify",
                          "organization": link("Organization", "org-market")}}
INSTALLATION = {"parameters": {"secretHook": "do-not-read"},
                "sys": {"type": "AppInstallation", "appDefinition": link("AppDefinition", "appdef-netlify"),
                        "environment": link("Environment", "master"), "space": link("Space", SPACE),
                        "createdAt": "2024-02-02T10:00:00.000Z", "updatedAt": "2024-02-02T10:00:00.000Z",
                        "createdBy": link("User", "u-admin"), "updatedBy": link("User", "u-admin")}}


def mock_space(base: str = BASE, **overrides: Any) -> None:
    """Register every endpoint the connector reads. An override that is a (status, body) pair is an error."""
    bodies: dict[str, Any] = {
        "/users/me": ME,
        "/spaces": collection([SPACE_BODY]),
        f"/spaces/{SPACE}/environments": collection(ENVIRONMENTS),
        f"/spaces/{SPACE}/users": collection(USERS),
        f"/spaces/{SPACE}/roles": collection(ROLES),
        f"/spaces/{SPACE}/space_memberships": collection(MEMBERSHIPS),
        f"/spaces/{SPACE}/webhook_definitions": collection(WEBHOOKS),
        f"/spaces/{SPACE}/api_keys": collection(API_KEYS),
        f"/spaces/{SPACE}/preview_api_keys": collection(PREVIEW_KEYS),
        f"/spaces/{SPACE}/environments/master/app_installations": collection(
            [INSTALLATION], includes={"AppDefinition": [APP_DEFINITION],
                                      "ResolvedAppDefinition": [{"sys": {"type": "ResolvedAppDefinition",
                                                                         "id": "appdef-netlify"}}]}),
        f"/spaces/{SPACE}/environments/staging/app_installations": collection([]),
    }
    bodies.update(overrides)
    for path, value in bodies.items():
        status, body = value if isinstance(value, tuple) else (200, value)
        responses.get(f"{base}{path}", json=body, status=status, headers=CF_HEADERS)


def of(records: list[Any], kind: type) -> list[Any]:
    return [r for r in records if isinstance(r, kind)]


# -- behaviour ------------------------------------------------------------------------------------


@responses.activate
def test_reads_a_space_into_systems_flows_integrations_credentials_and_accounts() -> None:
    mock_space()

    ctx = run_connector(ContentfulConnector, credentials={"access_token": TOKEN})

    (space,) = [s for s in of(ctx.records, System) if s.vendor == "contentful"]
    assert space.id == f"test:tenant:{SPACE}" and space.name == "Marketing Site" and space.category == "cms"
    assert space.region == "us" and space.url == f"https://app.contentful.com/spaces/{SPACE}"
    assert space.attributes["environments"] == "master,staging"
    assert space.attributes["environment_aliases"] == "production"
    assert space.attributes["organization_id"] == "org-1"

    hooks = {f.name: f for f in of(ctx.records, Flow)}
    assert hooks["Netlify build"].url == "https://api.netlify.com/build_hooks/abc123"  # query secret stripped
    assert hooks["Netlify build"].scheme == "https" and hooks["Netlify build"].target == "external:api.netlify.com"
    assert hooks["Netlify build"].attributes["topics"] == "Entry.publish,Entry.unpublish"
    assert hooks["Old indexer"].scheme == "http" and not hooks["Old indexer"].active
    assert hooks["Old indexer"].attributes["basic_auth"] is True
    assert hooks["Old indexer"].attributes["secret_headers"] == 1
    assert hooks["Old indexer"].owners[0].email == "eddie@example.test"
    externals = {s.id: s for s in of(ctx.records, System) if s.system_kind.value == "external"}
    assert externals["external:indexer.example.test"].url == "http://indexer.example.test:8080"

    (app,) = of(ctx.records, Integration)
    assert app.name == "Netlify" and app.integration_kind == "app_installation"
    assert app.client_id == "appdef-netlify" and app.attributes["environment"] == "master"
    assert app.owners[0].role == "installed_by" and app.owners[0].email == "ada@example.test"
    assert app.attributes["app_url"] == "https://netlify.app.example/"

    keys = {c.attributes["api"]: c for c in of(ctx.records, Credential)}
    assert keys["delivery"].credential_kind == keys["preview"].credential_kind == "delivery_key"
    assert keys["delivery"].fingerprint == "dk-1" and keys["delivery"].attributes["preview_key_id"] == "pk-1"
    assert keys["preview"].attributes["environments"] == "master,staging"
    assert keys["delivery"].last_used_at is None and keys["delivery"].attributes["usage_tracked"] is False

    accounts = {a.attributes["user_id"]: a for a in of(ctx.records, Account)}
    assert accounts["u-admin"].admin and accounts["u-admin"].roles == ("Admin",)
    assert accounts["u-admin"].mfa is TriState.YES and accounts["u-admin"].email == "ada@example.test"
    assert accounts["u-ed"].roles == ("Editor",) and accounts["u-ed"].mfa is TriState.NO
    assert accounts["u-new"].mfa is TriState.UNKNOWN  # Contentful did not say: unknown, never "no"
    assert accounts["u-new"].roles == ("role-gone",)  # a role we could not name keeps its id

    everything = json.dumps([repr(r) for r in ctx.records])
    assert not any(token in everything for token in (*TOKENS_IN_PAYLOADS, "do-not-read", "s3cr3t-hook"))
    assert ctx.gaps == []
    assert {c.request.method for c in responses.calls} == {"GET"}
    assert all(c.request.headers["Authorization"] == f"Bearer {TOKEN}" for c in responses.calls)


@responses.activate
def test_collections_are_followed_with_skip_and_limit() -> None:
    members = [{"admin": False, "roles": [], "sys": sys("SpaceMembership", f"m-{n}", user=link("User", f"u-{n}"))}
               for n in range(230)]

    def paged(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        query = parse_qs(urlsplit(request.url or "").query)
        skip, limit = int(query["skip"][0]), int(query["limit"][0])
        return 200, CF_HEADERS, json.dumps(collection(members[skip: skip + limit], total=230, skip=skip, limit=limit))

    mock_space()
    responses.replace(responses.GET, f"{BASE}/spaces/{SPACE}/space_memberships", body="")
    responses.remove(responses.GET, f"{BASE}/spaces/{SPACE}/space_memberships")
    responses.add_callback(responses.GET, f"{BASE}/spaces/{SPACE}/space_memberships", callback=paged)

    ctx = run_connector(ContentfulConnector, credentials={"access_token": TOKEN})

    assert len(of(ctx.records, Account)) == 230
    asked = [parse_qs(urlsplit(c.request.url or "").query) for c in responses.calls
             if urlsplit(c.request.url or "").path.endswith("/space_memberships")]
    assert [(q["skip"][0], q["limit"][0]) for q in asked] == [("0", "100"), ("100", "100"), ("200", "100")]


@responses.activate
def test_a_short_page_before_the_total_fails_loudly() -> None:
    mock_space(**{f"/spaces/{SPACE}/webhook_definitions": collection(WEBHOOKS[:1], total=250)})

    with pytest.raises(PaginationError, match="webhook_definitions"):
        run_connector(ContentfulConnector, credentials={"access_token": TOKEN})


@responses.activate
def test_429_waits_for_x_contentful_ratelimit_reset_then_retries() -> None:
    mock_space()
    responses.upsert(responses.GET, f"{BASE}/spaces", status=429,
                     json=cf_error("RateLimitExceeded", "You have exceeded the rate limit of the Organization"),
                     headers={"X-Contentful-RateLimit-Reset": "0", "X-Contentful-RateLimit-Second-Limit": "10"})
    responses.add(responses.GET, f"{BASE}/spaces", json=collection([SPACE_BODY]), headers=CF_HEADERS)

    ctx = run_connector(ContentfulConnector, credentials={"access_token": TOKEN})

    assert ctx.stats.rate_limited == 1 and ctx.stats.retries == 1
    assert [s.name for s in of(ctx.records, System) if s.vendor == "contentful"] == ["Marketing Site"]


def test_classify_reads_the_reset_header_and_leaves_other_answers_alone() -> None:
    def answer(status: int, headers: dict[str, str]) -> requests.Response:
        response = requests.Response()
        response.status_code = status
        response.headers.update(headers)
        return response

    verdict = classify(answer(429, {"X-Contentful-RateLimit-Reset": "7"}))
    assert verdict is not None and verdict.after == 7.0 and verdict.rate_limited
    assert classify(answer(429, {})).after is None  # type: ignore[union-attr]  # backoff when no header
    assert classify(answer(200, {"X-Contentful-RateLimit-Reset": "0"})) is None
    assert classify(answer(403, {})) is None
    assert classify(answer(503, {})) is not None


@responses.activate
def test_refused_areas_become_coverage_gaps_and_the_rest_is_kept() -> None:
    denied = (403, cf_error("AccessDenied", "Forbidden"))
    mock_space(**{f"/spaces/{SPACE}/api_keys": denied, f"/spaces/{SPACE}/users": denied,
                  f"/spaces/{SPACE}/environments/staging/app_installations": (404, cf_error("NotFound",
                                                                                   "The resource could not be found."))})

    ctx = run_connector(ContentfulConnector, credentials={"access_token": TOKEN})

    assert {g.area for g in ctx.gaps} == {f"api_keys (space {SPACE})", f"users (space {SPACE})",
                                         f"environments/staging/app_installations (space {SPACE})"}
    assert {c.attributes["api"] for c in of(ctx.records, Credential)} == {"preview"}
    accounts = {a.attributes["user_id"]: a for a in of(ctx.records, Account)}
    assert accounts["u-admin"].email == "ada@example.test"  # /users/me still names the token's user
    assert accounts["u-ed"].email == "" and accounts["u-ed"].username == "u-ed"
    assert accounts["u-ed"].mfa is TriState.UNKNOWN
    assert len(of(ctx.records, Flow)) == 2 and len(of(ctx.records, Integration)) == 1


@responses.activate
def test_invalid_token_raises_authentication_error_naming_the_fix() -> None:
    responses.get(f"{BASE}/users/me", status=401, headers=CF_HEADERS,
                  json=cf_error("AccessTokenInvalid", "The access token you sent could not be found or is invalid."))

    with pytest.raises(AuthenticationError) as raised:
        run_connector(ContentfulConnector, credentials={"access_token": TOKEN})

    assert "AccessTokenInvalid" in str(raised.value)
    assert "api.eu.contentful.com" in raised.value.fix
    assert TOKEN not in str(raised.value)


@responses.activate
def test_eu_data_residency_base_url_sets_the_region() -> None:
    eu = "https://api.eu.contentful.com"
    mock_space(base=eu)

    ctx = run_connector(ContentfulConnector, base_url=eu, credentials={"access_token": TOKEN})

    (space,) = [s for s in of(ctx.records, System) if s.vendor == "contentful"]
    assert space.region == "eu" and space.url.startswith("https://app.eu.contentful.com/")
    assert all(urlsplit(c.request.url or "").hostname == "api.eu.contentful.com" for c in responses.calls)


@responses.activate
def test_spaces_option_limits_the_scan_and_reports_a_space_it_cannot_see() -> None:
    other = {"name": "Other", "sys": sys("Space", "other0000001")}
    mock_space(**{"/spaces": collection([SPACE_BODY, other])})

    ctx = run_connector(ContentfulConnector, credentials={"access_token": TOKEN},
                        options={"spaces": [SPACE, "missing00001"]})

    assert [s.name for s in of(ctx.records, System) if s.vendor == "contentful"] == ["Marketing Site"]
    assert [g.area for g in ctx.gaps] == ["space missing00001"]
    assert not any("other0000001" in (c.request.url or "") for c in responses.calls)


# -- the emulator -----------------------------------------------------------------------------------


def test_demo_space_scanned_over_http(host: Any) -> None:
    vendors = [host.emulators().get("contentful")]
    with Emulator(demo_scenario(vendors), vendors) as emulator:
        inventory = scan_emulated(emulator, "northwind-contentful", host.connectors())
        methods = {entry.method for entry in emulator.log}

    (result,) = inventory.connections
    assert result.status is CoverageStatus.COMPLETE, inventory.gaps
    assert methods == {"GET"}
    (space,) = [s for s in inventory.of(System) if s.vendor == "contentful"]
    assert space.name == "Northwind Web" and space.attributes["environments"] == "master,staging"
    hooks = {f.name: f for f in inventory.of(Flow)}
    assert hooks["Netlify production build"].scheme == "https"
    assert hooks["Netlify production build"].target == "external:api.netlify.com"
    assert hooks["Legacy search indexer"].scheme == "http"
    assert [i.name for i in inventory.of(Integration)] == ["Netlify"]
    delivery = sorted(c.name for c in inventory.of(Credential) if c.attributes["api"] == "delivery")
    assert delivery == ["Agency microsite 2023", "Website (production)"]
    accounts = {a.email: a for a in inventory.of(Account)}
    assert accounts["erin.walsh@northwind.example"].admin
    assert accounts["erin.walsh@northwind.example"].mfa is TriState.YES
    assert accounts["dev.patel@northwind.example"].roles == ("Editor",)
    dumped = inventory.dumps()
    assert "accessToken" not in dumped and "netlifyHookIds" not in dumped


def test_clean_demo_space_drops_the_http_webhook_and_the_agency_key(host: Any) -> None:
    vendors = [host.emulators().get("contentful")]
    with Emulator(demo_scenario(vendors, clean=True), vendors) as emulator:
        inventory = scan_emulated(emulator, "northwind-contentful", host.connectors())

    assert inventory.connections[0].status is CoverageStatus.COMPLETE
    assert {f.scheme for f in inventory.of(Flow)} == {"https"}
    assert {c.name for c in inventory.of(Credential)} == {"Website (production)"}


def test_emulator_answers_like_the_cma(host: Any) -> None:
    vendor = host.emulators().get("contentful")
    with Emulator(demo_scenario([vendor], scale=3), [vendor], enforce_rate_limits=False) as emulator:
        base = emulator.url("northwind-contentful")
        token = emulator.tenants["northwind-contentful"].credentials["access_token"]
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"

        spaces = session.get(f"{base}/spaces", params={"limit": 4}, timeout=5).json()
        assert_collection_shape(spaces)
        assert spaces["total"] == 11 and len(spaces["items"]) == 4  # the story's space + 10 campaign spaces
        space = spaces["items"][0]["sys"]["id"]
        installs = session.get(f"{base}/spaces/{space}/environments/master/app_installations", timeout=5).json()
        assert_collection_shape(installs)
        assert installs["includes"]["AppDefinition"][0]["name"] == "Netlify"
        members = session.get(f"{base}/spaces/{space}/space_memberships", params={"limit": 101}, timeout=5)
        assert members.status_code == 400 and members.json()["sys"]["id"] == "BadRequest"
        missing = session.get(f"{base}/spaces/nope/webhook_definitions", timeout=5)
        assert missing.status_code == 404 and missing.json()["sys"] == {"type": "Error", "id": "NotFound"}
        unauthorised = requests.get(f"{base}/spaces", timeout=5)
        assert unauthorised.status_code == 401 and unauthorised.json()["sys"]["id"] == "AccessTokenInvalid"


def test_emulator_enforces_ten_requests_per_second_with_the_reset_header(host: Any) -> None:
    vendor = host.emulators().get("contentful")
    with Emulator(demo_scenario([vendor]), [vendor]) as emulator:
        base = emulator.url("northwind-contentful")
        token = emulator.tenants["northwind-contentful"].credentials["access_token"]
        answers: list[requests.Response] = []
        while len(answers) < 40 and (not answers or answers[-1].status_code == 200):
            answers.append(requests.get(f"{base}/users/me", headers={"Authorization": f"Bearer {token}"}, timeout=5))

    refused = answers[-1]
    assert refused.status_code == 429, "40 back-to-back requests never hit the 10/s limit"
    assert len(answers) >= 11  # the first ten in any second are admitted
    assert refused.json()["sys"]["id"] == "RateLimitExceeded"
    assert refused.headers["X-Contentful-RateLimit-Reset"] == "1"
