"""stackaudit.testing: the pytest plugin's fixtures and the helpers plugin authors test with."""

from __future__ import annotations

import importlib.util
import textwrap
from collections.abc import Iterator
from typing import Any

import networkx as nx
import pytest
import requests

from stackaudit import (
    Account,
    AuthenticationError,
    Check,
    Connector,
    CredentialField,
    CredentialSpec,
    Finding,
    ScanContext,
    Severity,
    System,
    SystemKind,
)
from stackaudit.emulator import Request, Router, Tenant, TenantSpec, json_response
from stackaudit.http import follow_cursor
from stackaudit.model import ConnectionResult, CoverageGap, CoverageStatus, Inventory
from stackaudit.registry import ConnectorRegistry
from stackaudit.testing import (
    FakeTenant,
    assert_complete,
    assert_no_secrets,
    build_graph,
    gaps,
    one,
    records,
    routes_vendor,
    run_check,
    run_connector,
    scan_emulated,
)
from stackaudit.testing.pytest_plugin import StartEmulator

pytest_plugins = ("pytester",)


class PeopleConnector(Connector):
    """A small connector: a tenant and its people, read page by page with a bearer token."""

    id = "people"
    title = "People"
    vendor = "people"
    category = "other"
    description = "people directory"
    credentials = CredentialSpec(fields=(CredentialField("access_token", "token"),), combinations=(("access_token",),))

    def collect(self, ctx: ScanContext) -> None:
        session = ctx.session()
        session.headers["Authorization"] = f"Bearer {ctx.credentials['access_token']}"
        tenant = ctx.id("tenant", "t1")
        ctx.add(System(id=tenant, name="People tenant", vendor="people"))

        def page(cursor: str | None) -> tuple[list[Any], str | None]:
            body = session.get_json("/people", params={"cursor": cursor} if cursor else None)
            return body["data"], body.get("next")

        try:
            for person in follow_cursor(page, what="people"):
                ctx.add(Account(id=ctx.id("user", person["id"]), system=tenant, email=person["email"]))
        except AuthenticationError:
            raise
        except requests.RequestException as exc:  # pragma: no cover - not exercised
            ctx.gap("people", str(exc), exc)


# -- the fixtures, as a plugin author's test sees them ------------------------------------------------------


def test_fixtures_are_there_without_an_import(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_author=textwrap.dedent('''
        from stackaudit.testing import FakeTenant

        def test_host(plugin_host):
            assert "salesforce" in plugin_host.connectors()

        def test_fake_tenant(fake_tenant):
            assert isinstance(fake_tenant, FakeTenant)

        def test_emulator(emulator, plugin_host):
            running = emulator(plugin_host.emulators().get("salesforce"))
            assert running.url("northwind-salesforce").startswith("http://127.0.0.1:")
    '''))
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)


def test_fake_tenant_pages_and_calls(fake_tenant: FakeTenant) -> None:
    fake_tenant.get("/people", {"data": [{"id": "1", "email": "a@x.example"}], "next": "c2"}, params={})
    fake_tenant.get("/people", {"data": [{"id": "2", "email": "b@x.example"}], "next": None}, params={"cursor": "c2"})

    ctx = run_connector(PeopleConnector, credentials={"access_token": "tok-123456"})

    assert [a.email for a in records(ctx, Account)] == ["a@x.example", "b@x.example"]
    assert fake_tenant.calls == [("GET", "/people"), ("GET", "/people?cursor=c2")]
    assert fake_tenant.requests[0].headers["Authorization"] == "Bearer tok-123456"
    fake_tenant.assert_read_only()


def test_fake_tenant_gives_answers_in_order(fake_tenant: FakeTenant) -> None:
    fake_tenant.get("/people", {"error": "slow down"}, status=429, headers={"Retry-After": "0"})
    fake_tenant.get("/people", {"data": [], "next": None})

    ctx = run_connector(PeopleConnector, credentials={"access_token": "tok-123456"})

    assert ctx.stats.retries == 1
    assert [m for m, _ in fake_tenant.calls] == ["GET", "GET"]


def test_assert_read_only_names_the_write(fake_tenant: FakeTenant) -> None:
    fake_tenant.post("/oauth/token", {"access_token": "x"})
    fake_tenant.post("/people", {})
    requests.post(fake_tenant.url("/oauth/token"), timeout=1)
    fake_tenant.assert_read_only("/oauth/token")
    requests.post(fake_tenant.url("/people"), timeout=1)
    with pytest.raises(AssertionError, match="sent POST /people; connectors only read"):
        fake_tenant.assert_read_only("/oauth/token")


# -- assertions on records ------------------------------------------------------------------------------


RECORDS = [
    System(id="c:tenant:1", name="Tenant", vendor="people"),
    System(id="external:app:zapier", name="Zapier", system_kind=SystemKind.EXTERNAL),
    Account(id="c:user:1", system="c:tenant:1", email="a@x.example", admin=True),
]


def test_one_finds_a_record_or_lists_what_there_is() -> None:
    assert one(RECORDS, System, name="Zapier").id == "external:app:zapier"
    assert one(RECORDS, Account, admin=True).email == "a@x.example"
    assert [r.id for r in records(RECORDS, System, system_kind=SystemKind.EXTERNAL)] == ["external:app:zapier"]
    assert len(records(RECORDS)) == 3
    with pytest.raises(AssertionError, match=r"exactly one System with name='Calendly', found 0; "
                                             r"System records: \['c:tenant:1', 'external:app:zapier'\]"):
        one(RECORDS, System, name="Calendly")
    with pytest.raises(AssertionError, match="found 2"):
        one(RECORDS, System)


def test_gaps_and_completeness() -> None:
    gap = CoverageGap("c", "webhooks", "403 missing scope")
    inventory = Inventory(records=list(RECORDS), gaps=[gap],
                          connections=[ConnectionResult("c", "people", CoverageStatus.PARTIAL, message="")])
    assert gaps(inventory, "webhooks") == [gap] and gaps(inventory, "users") == []
    with pytest.raises(AssertionError, match=r"scan incomplete: c: partial .*c/webhooks: 403 missing scope"):
        assert_complete(inventory)
    assert_complete(Inventory(connections=[ConnectionResult("c", "people", CoverageStatus.COMPLETE)]))
    with pytest.raises(AssertionError, match="no connection scanned"):
        assert_complete(Inventory())


def test_assert_no_secrets_looks_in_every_field() -> None:
    assert_no_secrets(RECORDS, "tok-123456")
    leaky = [System(id="c:tenant:1", attributes={"note": "key tok-123456"})]
    with pytest.raises(AssertionError, match="holds the secret tok-"):
        assert_no_secrets(leaky, "tok-123456")


# -- the emulator, with routes only ---------------------------------------------------------------------


def people_router() -> Router:
    router = Router()

    @router.get("/people")
    def _people(request: Request, tenant: Tenant) -> Any:
        people = tenant.data["people"]
        start = int(request.arg("cursor") or 0)
        nxt = str(start + 1) if start + 1 < len(people) else None
        return json_response({"data": people[start:start + 1], "next": nxt})

    return router


@pytest.fixture
def people_tenant() -> TenantSpec:
    return TenantSpec(name="people-test", vendor="people", credentials={"access_token": "tok-abcdef12"},
                      data={"people": [{"id": "1", "email": "a@x.example"}, {"id": "2", "email": "b@x.example"}]})


def registry() -> ConnectorRegistry:
    connectors = ConnectorRegistry()
    connectors.add(PeopleConnector)
    return connectors


def test_routes_vendor_serves_its_router_to_a_real_scan(emulator: StartEmulator, people_tenant: TenantSpec) -> None:
    running = emulator(routes_vendor("people", people_router(), token="tok-abcdef12"), tenants=[people_tenant])

    inventory = scan_emulated(running, "people-test", registry())

    assert_complete(inventory)
    assert [a.email for a in records(inventory, Account)] == ["a@x.example", "b@x.example"]
    assert [(e.method, e.path, e.status) for e in running.log] == [("GET", "/people", 200)] * 2


def test_routes_vendor_refuses_another_token(emulator: StartEmulator, people_tenant: TenantSpec) -> None:
    running = emulator(routes_vendor("people", people_router(), token="tok-abcdef12"), tenants=[people_tenant])
    with pytest.raises(AuthenticationError, match="401"):
        run_connector(PeopleConnector, credentials={"access_token": "wrong-token"}, base_url=running.url("people-test"))


def test_emulator_fixture_stops_what_it_started(emulator: StartEmulator) -> None:
    vendor = routes_vendor("people", people_router())
    running = emulator(vendor)  # its demo tenant
    url = running.url("people-test")
    assert requests.get(f"{url}/nothing", timeout=5).status_code == 404
    running.stop()
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{url}/nothing", timeout=5)


# -- checks -----------------------------------------------------------------------------------------------


def _admins(graph: nx.MultiDiGraph, config: Any) -> Iterator[Finding]:
    for node, attrs in graph.nodes(data=True):
        if attrs.get("kind") == "account" and attrs.get("admin"):
            yield Finding(ADMINS.id, ADMINS.category, ADMINS.severity, ADMINS.title, f"{node} is an admin", (node,))


ADMINS = Check(id="security-any-admin", title="An admin exists", category="security", severity=Severity.LOW,
               rationale="test", remediation="none", run=_admins)


def test_run_check_on_a_graph_built_by_hand() -> None:
    graph = nx.MultiDiGraph()
    graph.add_node("c:user:1", kind="account", admin=True)
    graph.add_node("c:user:2", kind="account", admin=False)

    (finding,) = run_check(ADMINS, graph)

    assert finding.check_id == "security-any-admin"
    assert finding.message == "c:user:1 is an admin"


def test_run_check_refuses_a_finding_of_another_check() -> None:
    def wrong(graph: nx.MultiDiGraph, config: Any) -> Iterator[Finding]:
        yield Finding("other-check", "security", Severity.LOW, "t", "m", ())

    check = Check(id="mine", title="t", category="security", severity=Severity.LOW, rationale="r",
                  remediation="r", run=wrong)
    with pytest.raises(AssertionError, match="check 'mine' yielded a finding of 'other-check'"):
        run_check(check, nx.MultiDiGraph())


@pytest.mark.skipif(importlib.util.find_spec("stackaudit.graph") is not None, reason="the graph builder is here")
def test_build_graph_says_when_there_is_no_graph_builder() -> None:
    with pytest.raises(RuntimeError, match="no graph builder"):
        build_graph(RECORDS)


def test_run_check_builds_the_graph_of_an_inventory() -> None:
    pytest.importorskip("stackaudit.graph", reason="the graph builder (stackaudit.graph) is not in this stackaudit")
    (finding,) = run_check(ADMINS, RECORDS)
    assert finding.message.startswith("c:user:1")
