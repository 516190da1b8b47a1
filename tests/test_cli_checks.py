"""The command line around checks: 'stackaudit checks', 'stackaudit audit', --check/--skip-check, waivers, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from stackaudit import TriState
from stackaudit.checks import builtin_checks
from stackaudit.cli import cli
from stackaudit.testing.stack import StackBuilder

CONFIG = """
[organization]
name = "Acme"
email_domains = ["acme.example"]

[[system]]
id = "crm"
vendor = "salesforce"
owner = "ana@acme.example"
data = ["pii", "contact"]
"""


@pytest.fixture
def saved(tmp_path: Path) -> Path:
    s = StackBuilder()
    crm = s.tenant("crm", vendor="salesforce", data=("pii", "contact"))
    s.account(crm, "ana@acme.example", admin=True)
    s.account(crm, "ben@acme.example", admin=True, mfa=TriState.NO)
    target = s.external(host="erp.acme.example", seen_by="crm")
    s.flow(crm, target, "outbound_endpoint", data=("unknown",), url="http://erp.acme.example/orders")
    path = tmp_path / "inventory.json"
    s.inventory().save(path)
    return path


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_checks_lists_every_builtin_check_with_metadata() -> None:
    code, output = invoke("checks", "-v")
    assert code == 0
    for check in builtin_checks():
        assert check.id in output and check.title in output
    assert "why:" in output and "fix:" in output and "plugin: builtin_checks" in output


def test_checks_filters_by_category_and_shows_policy_severity(tmp_path: Path) -> None:
    config = tmp_path / "stackaudit.toml"
    config.write_text(CONFIG + '\n[policy.severity]\nsecurity-plain-http = "critical"\n')
    code, output = invoke("checks", "--category", "security", "-v", "-c", str(config))
    assert code == 0 and "security-plain-http —" in output and "shadow-it-unsanctioned-recipient —" not in output
    assert "severity: critical (set by policy)" in output


def test_audit_writes_findings_and_fails_on_unwaived_high_findings(saved: Path, tmp_path: Path) -> None:
    config = tmp_path / "stackaudit.toml"
    config.write_text(CONFIG)
    code, output = invoke("audit", str(saved), "-c", str(config))
    assert code == 1, output
    assert "Findings: 2 high" in output and "findings.json" in output
    document = json.loads((saved.parent / "findings.json").read_text())
    assert {f["check_id"] for f in document["findings"]} >= {"security-admin-without-mfa", "security-plain-http"}
    assert "shadow-it-pii-system-without-sso: not evaluated: no identity provider" in output


def test_waivers_and_skips_change_what_counts_for_fail_on(saved: Path, tmp_path: Path) -> None:
    config = tmp_path / "stackaudit.toml"
    config.write_text(CONFIG + """
[[waiver]]
check = "security-admin-without-mfa"
subject = "crm:user:ben@*"
reason = "hardware key on order"
approved_by = "ciso@acme.example"
expires = "2999-01-01"
""")
    code, output = invoke("audit", str(saved), "-c", str(config), "--skip-check", "security-plain-http")
    assert code == 0, output
    assert "(and 1 waived)" in output
    document = json.loads((saved.parent / "findings.json").read_text())
    (waived,) = [f for f in document["findings"] if f["waived"]]
    assert "hardware key on order" in waived["evidence"]["waiver"]


def test_expired_waiver_is_announced(saved: Path, tmp_path: Path) -> None:
    config = tmp_path / "stackaudit.toml"
    config.write_text(CONFIG + """
[[waiver]]
check = "security-admin-without-mfa"
reason = "was temporary"
approved_by = "ciso@acme.example"
expires = "2020-01-01"
""")
    code, output = invoke("audit", str(saved), "-c", str(config), "--check", "security-admin-without-mfa")
    assert code == 1
    assert "waiver expired on 2020-01-01" in output


def test_unknown_check_is_a_usage_error(saved: Path, tmp_path: Path) -> None:
    config = tmp_path / "stackaudit.toml"
    config.write_text(CONFIG)
    code, output = invoke("audit", str(saved), "-c", str(config), "--check", "security-mfa")
    assert code == 2
    assert "unknown check 'security-mfa'" in output and "stackaudit checks" in output


def test_audit_without_config_says_what_it_cannot_evaluate(saved: Path, monkeypatch: pytest.MonkeyPatch,
                                                           tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    code, output = invoke("audit", str(saved), "--fail-on", "critical")
    assert code == 0, output
    assert "no config found" in output
    assert "shadow-it-unsanctioned-recipient: not evaluated: the sanctioned registry is empty" in output


def test_graph_export_formats_are_registered() -> None:
    code, output = invoke("plugins")
    assert code == 0
    assert "graphml" in output and "gexf" in output and "graph-json" in output
