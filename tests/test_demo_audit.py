"""The demo stack end to end: emulated tenants scanned over HTTP, graph built, checks run.

The assertions name the findings the demo story (docs/demo-stack.md) makes true, so they keep holding as
more vendors join the demo: further vendors add findings, they do not take these away. Registry entries of
vendors whose plugin is not installed are added from the story, as those plugins' demo tenants declare them.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from stackaudit.audit import AuditResult, evaluate, findings_document
from stackaudit.cli import cli
from stackaudit.config import Config, parse_config
from stackaudit.credentials import CredentialStore, env_var_name
from stackaudit.demo import demo_config_text
from stackaudit.emulator import Emulator, demo_scenario
from stackaudit.engine import run_scan
from stackaudit.graph import Catalogue
from stackaudit.model import Inventory
from stackaudit.plugins import create_host
from stackaudit.schemas import load_schema

DOMAIN = "northwind.example"
# The sanctioned registry of docs/demo-stack.md, for vendors whose plugin does not provide its own entry.
STORY_REGISTRY: list[dict[str, Any]] = [
    {"id": "salesforce", "vendor": "salesforce", "owner": f"ana.lima@{DOMAIN}", "data": ["pii", "contact"],
     "system_of_record": ["contact"]},
    {"id": "hubspot", "vendor": "hubspot", "owner": f"chloe.martin@{DOMAIN}", "data": ["pii", "contact"]},
    {"id": "marketo", "vendor": "marketo", "owner": f"chloe.martin@{DOMAIN}", "data": ["pii", "contact"]},
    {"id": "mailchimp", "vendor": "mailchimp", "owner": f"gus.novak@{DOMAIN}", "data": ["pii", "contact"]},
    {"id": "google-workspace", "vendor": "google-workspace", "owner": f"ana.lima@{DOMAIN}", "data": ["pii"]},
    {"id": "okta", "vendor": "okta", "owner": f"ana.lima@{DOMAIN}", "data": ["pii"]},
    {"id": "segment", "vendor": "segment", "owner": f"farah.haddad@{DOMAIN}", "data": ["behavioral", "pii"]},
    {"id": "ga4", "vendor": "google-analytics", "owner": f"farah.haddad@{DOMAIN}", "data": ["behavioral"]},
    {"id": "wordpress", "vendor": "wordpress", "owner": f"erin.walsh@{DOMAIN}", "data": ["content", "pii"]},
    {"id": "contentful", "vendor": "contentful", "owner": f"erin.walsh@{DOMAIN}", "data": ["content"]},
    {"id": "bigquery", "vendor": "google-bigquery", "owner": f"farah.haddad@{DOMAIN}", "data": ["behavioral"]},
]


def story_config_text(emulator: Emulator) -> str:
    text = demo_config_text(emulator)
    catalogue = Catalogue.load()
    entries = [entry for tenant in emulator.tenants.values() for entry in tenant.spec.registry]
    ids = {entry["id"] for entry in entries}
    vendors = {catalogue.canonical(entry["vendor"]) for entry in entries}
    for entry in STORY_REGISTRY:
        if entry["id"] not in ids and catalogue.canonical(entry["vendor"]) not in vendors:
            text += "\n[[system]]\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in entry.items())
    return text


def scan(clean: bool, tmp: Path) -> tuple[Inventory, Config, Path]:
    host = create_host()
    vendors = list(host.emulators())
    with Emulator(demo_scenario(vendors, clean=clean), vendors) as emulator:
        config_path = tmp / "stackaudit.toml"
        config_path.write_text(story_config_text(emulator), encoding="utf-8")
        text = config_path.read_text(encoding="utf-8")
        config = parse_config(tomllib.loads(text), path=config_path, text=text)
        env = {env_var_name(t.name): json.dumps(t.credentials) for t in emulator.tenants.values()}
        inventory = run_scan(config, host.connectors(), store=CredentialStore(environ=env, use_keyring=False))
    return inventory, config, config_path


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Inventory, Config, Path, AuditResult]:
    inventory, config, path = scan(clean=False, tmp=tmp_path_factory.mktemp("demo"))
    return inventory, config, path, evaluate(inventory, config, create_host().checks())


def found(result: AuditResult, check_id: str) -> set[str]:
    """The names of the first subject of each finding of one check."""
    graph = result.graph
    names = set()
    for finding in result.findings:
        if finding.check_id == check_id:
            subject = finding.subjects[0]
            if subject in graph:
                names.add(str(graph.nodes[subject].get("name")))
            else:
                edge = next((d for *_uv, k, d in graph.edges(keys=True, data=True) if k == subject), {})
                names.add(str(edge.get("name", subject)))
    return names


def test_demo_scan_is_complete(demo: Any) -> None:
    inventory, _config, _path, result = demo
    assert inventory.complete, inventory.gaps
    assert not [c for c in result.coverage if c.status.value == "failed"]


@pytest.mark.parametrize(("check_id", "expected"), [
    ("security-admin-without-mfa", {"Ben Okafor"}),  # Ben registered only a phone number: not MFA
    ("security-stale-credential", {"Dataloader Bulk"}),  # Ben's old Data Loader token, unused for 320 days
    ("security-plain-http", {"Legacy_ERP", "Old_Tracking"}),
    ("security-inactive-account", {"Farah Haddad", "Gus Novak"}),  # 210 and 160 days without a login
    ("security-service-account-admin", {"HubSpot Integration"}),  # the sync user has View All Data
    ("shadow-it-unsanctioned-oauth-app", {"Zapier", "LeadGenius for Chrome"}),
    ("shadow-it-unsanctioned-recipient", {"Zapier", "tracking.clickpixel.example"}),
    ("unowned-discovered-system", {"erp.northwind.example", "tracking.clickpixel.example"}),
])
def test_demo_finds_what_the_story_makes_true(demo: Any, check_id: str, expected: set[str]) -> None:
    assert expected <= found(demo[3], check_id)


def test_demo_does_not_flag_what_is_sanctioned_or_first_party(demo: Any) -> None:
    result = demo[3]
    apps = found(result, "shadow-it-unsanctioned-oauth-app")
    assert not apps & {"HubSpot", "Mailchimp for Salesforce", "Dataloader Bulk"}
    recipients = found(result, "shadow-it-unsanctioned-recipient")
    assert not recipients & {"Twilio Segment", "HubSpot", "Mailchimp", "erp.northwind.example"}
    assert "Ana Lima" not in found(result, "security-admin-without-mfa")
    assert "Zapier" not in found(result, "unowned-discovered-system")  # Chloe created its connected app


def test_clean_demo_has_no_finding(tmp_path: Path) -> None:
    inventory, config, _path = scan(clean=True, tmp=tmp_path)
    result = evaluate(inventory, config, create_host().checks())
    assert inventory.complete
    assert [(f.check_id, f.message) for f in result.findings] == []


def test_audit_of_the_saved_inventory_gives_the_scans_findings(demo: Any, tmp_path: Path) -> None:
    inventory, _config, config_path, result = demo
    inventory.save(tmp_path / "inventory.json")
    outcome = CliRunner().invoke(cli, ["audit", str(tmp_path / "inventory.json"), "-c", str(config_path),
                                       "--format", "json,graphml"])
    assert outcome.exit_code == 1, outcome.output  # unwaived high findings
    document = json.loads((tmp_path / "findings.json").read_text())
    assert [f["fingerprint"] for f in document["findings"]] == [f.id for f in result.findings]
    jsonschema.validate(document, load_schema("findings"), format_checker=jsonschema.FormatChecker())
    assert (tmp_path / "graph.graphml").exists() and (tmp_path / "report.json").exists()


def test_demo_findings_document_validates_and_states_coverage(demo: Any) -> None:
    inventory, config, _path, result = demo
    document = findings_document(inventory, result, config)
    jsonschema.validate(document, load_schema("findings"), format_checker=jsonschema.FormatChecker())
    checks = {c["check_id"]: c for c in document["coverage"]["checks"]}
    if not any(c.connector in ("okta",) for c in inventory.connections):
        assert checks["shadow-it-pii-system-without-sso"]["status"] == "not_evaluated"
    http = next(f for f in document["findings"] if f["check_id"] == "security-plain-http")
    assert http["evidence"]["records"][0]["connection"] == "northwind-salesforce"
    assert {s["kind"] for s in http["subjects"]} == {"flow", "system"}
