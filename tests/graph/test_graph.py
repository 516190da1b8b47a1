"""The graph: vendor resolution through the catalogue, merging, registry matching, people, and exports."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from stackaudit import OwnerHint
from stackaudit.graph import Catalogue, index, person_id, read_node_link, write_gexf, write_graphml
from stackaudit.graph.catalogue import CATALOGUE_PATH
from stackaudit.graph.export import flatten, write_node_link
from stackaudit.model import DataCategory
from stackaudit.testing.stack import StackBuilder

CATEGORIES = {"crm", "cms", "marketing-automation", "email-marketing", "analytics", "cdp", "identity",
              "productivity", "automation", "advertising", "warehouse", "other"}


def flows(graph: Any) -> list[tuple[str, str, str, dict[str, Any]]]:
    return [(u, v, k, d) for u, v, k, d in graph.edges(keys=True, data=True) if d["kind"] == "flow"]


# -- the catalogue -----------------------------------------------------------------------------------


def test_catalogue_file_is_consistent() -> None:
    data = tomllib.loads(CATALOGUE_PATH.read_text(encoding="utf-8"))
    ids = [v["id"] for v in data["vendor"]]
    assert len(ids) == len(set(ids))
    owners: dict[str, str] = {}
    for vendor in data["vendor"]:
        assert vendor["category"] in CATEGORIES, vendor["id"]
        assert vendor["id"] == vendor["id"].lower() and " " not in vendor["id"]
        for domain in vendor.get("domains", []):
            assert domain == domain.lower() and not domain.startswith(("http", ".")), domain
            assert owners.setdefault(domain, vendor["id"]) == vendor["id"], f"{domain} claimed twice"
    assert data["high_risk_scope"] and all(s["reason"] for s in data["high_risk_scope"])


@pytest.mark.parametrize(("how", "value", "vendor"), [
    ("host", "hooks.zapier.com", "zapier"),
    ("host", "abc-123.mktorest.com", "marketo"),
    ("host", "analytics.google.com", "google-analytics"),
    ("host", "mail.google.com", "google-workspace"),
    ("host", "api.segment.io", "segment"),
    ("name", "Mailchimp for Salesforce", "mailchimp"),
    ("name", "LeadGenius for Chrome", "leadgenius"),
    ("name", "Google Analytics 4 Web", "google-analytics"),
    ("name", "leadin", "hubspot"),
    ("name", "Salesforce Marketing Cloud", "salesforce-marketing-cloud"),
    ("name", "Salesforce Inbox", "salesforce"),
    ("name", "Dataloader Bulk", "salesforce"),
    ("namespace", "MC4SF", "mailchimp"),
    ("namespace", "HubSpot_Inc", "hubspot"),
    ("vendor", "ga4", "google-analytics"),
    ("vendor", "google_workspace", "google-workspace"),
    ("vendor", "GSuite", "google-workspace"),
])
def test_catalogue_resolves(how: str, value: str, vendor: str) -> None:
    catalogue = Catalogue.load()
    kwargs: dict[str, Any] = {"hosts": (value,)} if how == "host" else {how: value}
    found = catalogue.resolve(**kwargs)
    assert found is not None and found.id == vendor


@pytest.mark.parametrize("name", ["Segmentation Tool", "HubPlanner", "127.0.0.1", "Zap", "Google"])
def test_catalogue_does_not_guess(name: str) -> None:
    catalogue = Catalogue.load()
    assert catalogue.resolve(name=name, hosts=(name.lower(),)) is None


def test_high_risk_scopes_come_from_the_catalogue() -> None:
    catalogue = Catalogue.load()
    assert catalogue.high_risk("https://www.googleapis.com/auth/gmail.readonly")
    assert catalogue.high_risk("okta.users.manage")
    assert catalogue.high_risk("openid") is None


# -- resolution and merging --------------------------------------------------------------------------


def test_one_vendor_seen_by_several_connectors_is_one_node() -> None:
    s = StackBuilder()
    crm = s.tenant("crm", vendor="salesforce")
    cms = s.tenant("cms", vendor="wordpress")
    s.flow(crm, s.external(host="hooks.zapier.com", seen_by="crm"), "outbound_endpoint")
    s.flow(cms, s.external(name="Zapier", seen_by="cms"), "plugin")
    s.flow(cms, s.external(name="zapier", seen_by="cms"), "webhook")
    graph = s.graph()
    assert {v for _u, v, _k, _d in flows(graph)} == {"vendor:zapier"}
    node = graph.nodes["vendor:zapier"]
    assert node["name"] == "Zapier" and node["category"] == "automation" and node["system_kind"] == "external"
    assert set(node["aliases"]) == {"external:hooks.zapier.com", "external:app:zapier"}


def test_an_external_that_is_a_scanned_tenant_is_merged_into_it() -> None:
    s = StackBuilder()
    crm = s.tenant("crm", vendor="salesforce")
    hub = s.tenant("hub", vendor="hubspot")
    s.flow(hub, s.external(name="Salesforce", vendor="salesforce", seen_by="hub"), "native_sync")
    s.flow(crm, s.external(name="HubSpot", seen_by="crm"), "oauth_grant")
    graph = s.graph()
    assert {(u, v) for u, v, _k, _d in flows(graph)} == {(hub, crm), (crm, hub)}
    assert "external:app:salesforce" in graph.nodes[crm]["aliases"]
    assert not any(n.startswith(("vendor:", "external:")) for n in graph)


def test_several_tenants_of_a_vendor_merge_only_by_host() -> None:
    s = StackBuilder()
    prod = s.tenant("prod", vendor="salesforce", domain="acme.my.salesforce.com")
    s.tenant("sandbox", vendor="salesforce", domain="acme--uat.sandbox.my.salesforce.com")
    hub = s.tenant("hub", vendor="hubspot")
    s.flow(hub, s.external(name="Salesforce", seen_by="hub"), "native_sync")
    s.flow(hub, s.external(host="acme.my.salesforce.com", seen_by="hub"), "webhook")
    graph = s.graph()
    assert {v for _u, v, _k, _d in flows(graph)} == {"vendor:salesforce", prod}


def test_unknown_services_stay_their_own_nodes_and_own_domains_are_internal() -> None:
    s = StackBuilder(domains=("acme.example",))
    crm = s.tenant("crm", vendor="salesforce")
    s.flow(crm, s.external(host="erp.acme.example", seen_by="crm"), "outbound_endpoint")
    s.flow(crm, s.external(host="tracking.pixel.example", seen_by="crm"), "outbound_endpoint")
    s.flow(crm, "external:app:inbox-writer-gpt", "oauth_grant")  # no System record at all
    graph = s.graph()
    assert graph.nodes["external:erp.acme.example"]["internal"] is True
    assert graph.nodes["external:tracking.pixel.example"]["internal"] is False
    assert graph.nodes["external:app:inbox-writer-gpt"]["stub"] is True
    assert graph.nodes["external:tracking.pixel.example"]["vendor"] == ""


def test_a_vendors_own_client_is_not_a_flow_between_systems() -> None:
    s = StackBuilder()
    crm = s.tenant("crm", vendor="salesforce")
    app = s.integration(crm, "Dataloader Bulk")
    flow = s.flow(crm, s.external(name="Dataloader Bulk", seen_by="crm"), "oauth_grant", integration=app)
    graph = s.graph()
    assert flows(graph) == [] and graph.nodes[crm]["first_party_flows"] == (flow,)
    assert graph.nodes[app]["first_party"] is True and graph.nodes[app]["vendor"] == "salesforce"


def test_tenant_vendor_aliases_are_normalised() -> None:
    s = StackBuilder()
    ga = s.tenant("ga", vendor="ga4")
    gw = s.tenant("gw", vendor="google_workspace")
    okta = s.tenant("okta", vendor="okta")
    graph = s.graph()
    assert graph.nodes[ga]["vendor"] == "google-analytics" and graph.nodes[ga]["category"] == "analytics"
    assert graph.nodes[gw]["directory"] is True and graph.nodes[gw]["sso_provider"] is False
    assert graph.nodes[okta]["sso_provider"] is True
    assert index(graph).sso_providers == [okta]


# -- registry matching -------------------------------------------------------------------------------


def test_registry_matches_by_vendor_domain_and_client_id() -> None:
    s = StackBuilder()
    crm = s.tenant("crm", vendor="salesforce")
    app = s.integration(crm, "Acme Sync", kind="oauth_client", client_id="3MVG9-acme-sync")
    s.flow(crm, s.external(name="Acme Sync", seen_by="crm"), "oauth_grant", integration=app)
    s.flow(crm, s.external(host="api.inhouse-tool.example", seen_by="crm"), "outbound_endpoint")
    s.flow(crm, s.external(host="hooks.zapier.com", seen_by="crm"), "webhook")
    s.sanction("crm", vendor="Salesforce", owner="ana@acme.example", data=("pii", "contact"))
    s.sanction("inhouse", vendor="inhouse-tool", owner="ben@acme.example", domains=("inhouse-tool.example",))
    s.sanction("acme-sync", vendor="acme-sync", client_ids=("3MVG9-acme-sync",), owner="ana@acme.example")
    graph = s.graph()
    assert graph.nodes[crm]["registry_id"] == "crm" and graph.nodes[crm]["owner"] == "ana@acme.example"
    assert graph.nodes[crm]["approved_data"] == ("pii", "contact")
    assert graph.nodes["vendor:inhouse-tool"]["sanctioned"] is True  # a registry vendor unknown to the catalogue
    assert graph.nodes[app]["sanctioned"] is True and graph.nodes[app]["registry_id"] == "acme-sync"
    assert graph.nodes["vendor:acme-sync"]["sanctioned"] is True
    assert graph.nodes["vendor:zapier"]["sanctioned"] is False


def test_owners_become_people_linked_to_their_accounts() -> None:
    s = StackBuilder()
    crm = s.tenant("crm", vendor="salesforce")
    ana = s.account(crm, "ana@acme.example")
    app = s.integration(crm, "Zapier", owners=(OwnerHint("created_by", "Ana@acme.example", "Ana"),))
    s.sanction("crm", vendor="salesforce", owner="ana@acme.example")
    graph = s.graph()
    person = person_id("ana@acme.example")
    assert graph.nodes[person]["kind"] == "person"
    owned = {(v, d["role"]) for _u, v, d in graph.out_edges(person, data=True) if d["kind"] == "owns"}
    assert owned == {(crm, "registry_owner"), (app, "created_by")}
    assert graph.has_edge(person, ana, key="has_account")
    assert graph.has_edge(ana, crm, key="account_of") and graph.has_edge(app, crm, key="installed_in")


def test_flow_edge_attributes() -> None:
    s = StackBuilder()
    crm = s.tenant("crm", vendor="salesforce")
    flow = s.flow(crm, s.external(host="erp.acme.example", seen_by="crm"), "outbound_endpoint",
                  data=("pii", "contact"), url="http://erp.acme.example/api")
    graph = s.graph()
    attrs = graph.edges[crm, "external:erp.acme.example", flow]
    assert attrs["flow_kind"] == "outbound_endpoint" and attrs["data"] == ("pii", "contact")
    assert attrs["scheme"] == "http" and attrs["url"] == "http://erp.acme.example/api"
    assert attrs["evidence"][0].connection == "crm" and attrs["record_target"] == "external:erp.acme.example"


# -- exports -----------------------------------------------------------------------------------------


def sample_graph() -> Any:
    s = StackBuilder()
    crm = s.tenant("crm", vendor="salesforce", data=("pii", "contact"), attributes={"edition": "Enterprise"})
    ana = s.account(crm, "ana@acme.example", admin=True)
    app = s.integration(crm, "Zapier", scopes=("api", "full"), users=2,
                        owners=(OwnerHint("created_by", "ana@acme.example"),))
    s.credential(crm, integration=app, account=ana)
    s.flow(crm, s.external(host="hooks.zapier.com", seen_by="crm"), "webhook", url="https://hooks.zapier.com/x",
           integration=app)
    s.flow(crm, s.external(name="Zapier", seen_by="crm"), "oauth_grant", integration=app)
    s.sanction("crm", vendor="salesforce", owner="ana@acme.example")
    return s.graph()


def assert_plain(graph: Any) -> None:
    for _n, attrs in graph.nodes(data=True):
        assert all(isinstance(v, str | int | float) for v in attrs.values()), attrs
    for *_e, attrs in graph.edges(keys=True, data=True):
        assert all(isinstance(v, str | int | float) for v in attrs.values()), attrs


def test_flatten_keeps_only_strings_and_numbers() -> None:
    graph = sample_graph()
    flat = flatten(graph)
    assert_plain(flat)
    assert flat.nodes["crm:tenant:CRM"]["data"] == "pii,contact"
    assert flat.nodes["crm:tenant:CRM"]["attr_edition"] == "Enterprise"
    assert flat.nodes["crm:tenant:CRM"]["sanctioned"] == 1
    flow = next(d for *_e, d in flat.edges(keys=True, data=True) if d.get("flow_kind") == "webhook")
    assert flow["evidence"].startswith("crm|GET /webhooks|")


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "node-link"])
def test_exports_round_trip_through_networkx_readers(tmp_path: Path, fmt: str) -> None:
    graph = sample_graph()
    if fmt == "graphml":
        back = nx.read_graphml(write_graphml(graph, tmp_path / "g.graphml"), force_multigraph=True)
    elif fmt == "gexf":
        back = nx.read_gexf(write_gexf(graph, tmp_path / "g.gexf"))
    else:
        path = write_node_link(graph, tmp_path / "g.json")
        json.loads(path.read_text())
        back = read_node_link(path)
    assert set(back.nodes) == set(graph.nodes)
    assert back.number_of_edges() == graph.number_of_edges()
    flat = flatten(graph)
    for node, attrs in flat.nodes(data=True):
        got = back.nodes[node]
        for key, value in attrs.items():
            assert str(got.get(key)) == str(value) or got.get("label") == value, (node, key)
    keys = {k for *_uv, k in back.edges(keys=True)} if fmt != "gexf" else \
        {d.get("key", k) for *_uv, k, d in back.edges(keys=True, data=True)}
    assert {k for _u, _v, k, _d in flows(graph)} <= {str(k) for k in keys}


def test_data_categories_survive_export(tmp_path: Path) -> None:
    back = nx.read_graphml(write_graphml(sample_graph(), tmp_path / "g.graphml"), force_multigraph=True)
    assert set(back.nodes["crm:tenant:CRM"]["data"].split(",")) == {DataCategory.PII.value, DataCategory.CONTACT.value}
