"""The command line: the demo end to end, exit codes, one-line errors, and no secret anywhere."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from stackaudit.cli import ExitCode, cli
from stackaudit.credentials import env_var_name
from stackaudit.demo import demo_config_text
from stackaudit.emulator import Emulator, demo_scenario
from stackaudit.model import Account, Credential, Flow, Integration, Inventory
from stackaudit.plugins import create_host


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def normalised(inventory: Inventory) -> list[dict[str, Any]]:
    """Records with each tenant's emulator address (a random port) replaced by the connection's name."""
    text = json.dumps(inventory.to_dict()["records"])
    for connection in inventory.connections:
        if not connection.base_url:
            continue  # a connector that reads a file has no address
        origin = "/".join(connection.base_url.split("/")[:3])
        text = text.replace(origin, f"<{connection.name}>").replace(origin.split("//")[1], f"<{connection.name}>")
    records: list[dict[str, Any]] = json.loads(text)
    return records


@pytest.fixture(scope="module", autouse=True)
def _pinned_demo_clock() -> Iterator[None]:
    """Both sides of a comparison see the same demo data, even across an hour boundary."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("STACKAUDIT_DEMO_NOW", "2026-11-22T10:00:00+00:00")
        yield


@pytest.fixture(scope="module")
def demo_output(tmp_path_factory: pytest.TempPathFactory) -> tuple[Result, Path]:
    out = tmp_path_factory.mktemp("demo")
    result = CliRunner().invoke(cli, ["--debug", "demo", "-o", str(out)], catch_exceptions=False)
    return result, out


def test_demo_scans_every_emulated_vendor_and_writes_the_inventory(demo_output: tuple[Result, Path]) -> None:
    result, out = demo_output
    inventory = Inventory.load(out / "inventory.json")
    vendors = {v.id for v in create_host().emulators()}
    assert {c.connector for c in inventory.connections} == vendors
    assert all(c.status.value == "complete" for c in inventory.connections), inventory.gaps
    assert result.exit_code in (ExitCode.OK, ExitCode.FINDINGS)
    salesforce = [r for r in inventory.records if r.id.startswith("northwind-salesforce:")]
    accounts = [r for r in salesforce if isinstance(r, Account)]
    assert any(a.admin and a.mfa.value == "no" for a in accounts)  # Ben: admin without MFA
    kinds = {r.integration_kind for r in salesforce if isinstance(r, Integration)}
    assert {"connected_app", "installed_package", "oauth_client"} <= kinds
    assert any(isinstance(r, Credential) and r.credential_kind == "oauth_token" for r in salesforce)
    assert any(isinstance(r, Flow) and r.flow_kind == "outbound_endpoint" and r.scheme == "http" for r in salesforce)
    assert (out / "stackaudit.toml").exists()
    assert (out / "report.json").exists()


def test_scan_with_a_hand_written_config_gives_the_demo_inventory(tmp_path: Path,
                                                                  demo_output: tuple[Result, Path]) -> None:
    host = create_host()
    vendors = list(host.emulators())
    with Emulator(demo_scenario(vendors), vendors) as emulator:
        config = tmp_path / "mine.toml"
        config.write_text(demo_config_text(emulator))
        env = {env_var_name(t.name): json.dumps(t.credentials) for t in emulator.tenants.values()}
        result = run("scan", "-c", str(config), "-o", str(tmp_path / "out"), env=env)
    assert result.exit_code in (ExitCode.OK, ExitCode.FINDINGS), result.output
    mine = Inventory.load(tmp_path / "out" / "inventory.json")
    demo = Inventory.load(demo_output[1] / "inventory.json")
    assert normalised(mine) == normalised(demo)


def test_no_secret_reaches_any_output_file_or_the_terminal(demo_output: tuple[Result, Path]) -> None:
    result, out = demo_output
    host = create_host()
    connectors = host.connectors()
    secrets = []
    for tenant in demo_scenario(list(host.emulators())).tenants:
        secret_fields = {f.name for f in connectors.get(tenant.vendor).credentials.fields if f.secret}
        secrets += [v for k, v in tenant.credentials.items() if k in secret_fields]
    assert secrets
    texts = {"terminal": result.output} | {p.name: p.read_text() for p in out.iterdir() if p.is_file()}
    for name, text in texts.items():
        for secret in secrets:
            assert secret not in text, f"a credential leaked into {name}"


def test_a_failing_connection_is_a_coverage_gap_with_exit_3_and_no_secret(tmp_path: Path) -> None:
    host = create_host()
    vendor = host.emulators().get("salesforce")
    canary = "CANARY-sf-secret-5f1e2d"
    with Emulator(demo_scenario([vendor]), [vendor]) as emulator:
        config = tmp_path / "c.toml"
        config.write_text(demo_config_text(emulator))
        env = {"STACKAUDIT_CREDENTIAL_NORTHWIND_SALESFORCE": json.dumps(
            {"client_id": "3MVG9demoNorthwindConsumerKey", "client_secret": canary})}
        result = run("--debug", "scan", "-c", str(config), "-o", str(tmp_path / "out"), env=env)
    assert result.exit_code == ExitCode.INCOMPLETE
    assert "invalid_client" in result.output
    inventory = Inventory.load(tmp_path / "out" / "inventory.json")
    (connection,) = inventory.connections
    assert connection.status.value == "failed"
    assert inventory.gaps[0].error == "AuthenticationError"
    files = "".join(p.read_text() for p in (tmp_path / "out").iterdir())
    assert canary not in result.output + files


def test_missing_credentials_stop_before_anything_is_scanned_naming_the_fix(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[[connection]]\nname = "sf"\nconnector = "salesforce"\nbase_url = "https://sf.example"\n')
    result = run("scan", "-c", str(config), "-o", str(tmp_path / "out"))
    assert result.exit_code == ExitCode.USAGE
    assert "stackaudit auth set sf" in result.output
    assert not (tmp_path / "out").exists()  # nothing scanned, nothing written half-way


@pytest.mark.parametrize(("text", "expected"), [
    ('[[connection]]\nname = "sf"\nconnector = "salesforce"\nbase_url = "sf.example"\n',
     "connection[0].base_url"),
    ('[[connection]]\nname = "sf"\nconnector = "nosuch"\nbase_url = "https://x.example"\n',
     "which no plugin provides"),
    ('[[connection]]\nname = "sf"\nconnector = "salesforce"\n', "needs a base_url"),
    ('[[connection]]\nname = "sf"\nconnector = "salesforce"\nbase_url = "https://x.example"\noptions = {nope = 1}\n',
     "has no option 'nope'"),
])
def test_bad_config_is_a_one_line_error_with_the_fix_and_exit_2(tmp_path: Path, text: str, expected: str) -> None:
    config = tmp_path / "c.toml"
    config.write_text(text)
    result = run("scan", "-c", str(config), "-o", str(tmp_path / "out"))
    assert result.exit_code == ExitCode.USAGE
    lines = result.output.strip().splitlines()
    assert len(lines) == 1  # one line: what is wrong, then the fix
    assert lines[0].startswith("error: ") and expected in lines[0]
    assert "(fix: " in lines[0]
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()  # nothing written half-way


def test_unknown_format_and_severity_are_usage_errors(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[[connection]]\nname = "sf"\nconnector = "salesforce"\nbase_url = "https://x.example"\n')
    assert run("scan", "-c", str(config), "--format", "pdf").exit_code == ExitCode.USAGE
    assert run("scan", "-c", str(config), "--fail-on", "urgent").exit_code == ExitCode.USAGE


def test_init_writes_a_valid_starter_and_refuses_to_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "stackaudit.toml"
    assert run("init", str(path), "--organization", "Acme").exit_code == 0
    assert 'name = "Acme"' in path.read_text()
    again = run("init", str(path))
    assert again.exit_code == ExitCode.USAGE
    assert "--force" in again.output


def test_plugins_and_connectors_list_what_is_registered() -> None:
    plugins = run("plugins")
    assert "salesforce" in plugins.output and "entry point" in plugins.output
    assert "json_report" in plugins.output
    connectors = run("connectors")
    assert "client_id+client_secret or access_token" in connectors.output
    disabled = run("--disable-plugin", "salesforce", "connectors")
    assert "salesforce —" not in disabled.output


def test_auth_status_shows_sources_never_values(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[[connection]]\nname = "sf"\nconnector = "salesforce"\nbase_url = "https://x.example"\n'
                      '[[connection]]\nname = "other"\nconnector = "salesforce"\nbase_url = "https://y.example"\n')
    result = run("auth", "status", "-c", str(config),
                 env={"STACKAUDIT_CREDENTIAL_SF": '{"access_token": "tok-visible-never"}', "COLUMNS": "200"})
    assert "tok-visible-never" not in result.output
    assert "STACKAUDIT_CREDENTIAL_SF" in result.output
    assert "missing" in result.output
    assert "no OS keyring backend" in result.output


def test_auth_set_without_a_keyring_points_to_the_environment(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[[connection]]\nname = "sf"\nconnector = "salesforce"\nbase_url = "https://x.example"\n')
    result = CliRunner().invoke(cli, ["auth", "set", "sf", "-c", str(config), "--stdin"],
                                input='{"access_token": "tok-stdin-secret"}')
    assert result.exit_code == ExitCode.USAGE
    assert "STACKAUDIT_CREDENTIAL_SF" in result.output
    assert "tok-stdin-secret" not in result.output


def test_audit_re_evaluates_a_saved_inventory_offline(demo_output: tuple[Result, Path], tmp_path: Path) -> None:
    _, out = demo_output
    result = run("audit", str(out / "inventory.json"), "-o", str(tmp_path))
    assert result.exit_code in (ExitCode.OK, ExitCode.FINDINGS)
    assert json.loads((tmp_path / "report.json").read_text())["summary"]["records"] == \
        Inventory.load(out / "inventory.json").counts()
    broken = tmp_path / "broken.json"
    broken.write_text("{}")
    bad = run("audit", str(broken))
    assert bad.exit_code == ExitCode.USAGE and "not a stackaudit inventory" in bad.output
