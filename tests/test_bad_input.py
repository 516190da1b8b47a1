"""Bad input at the command line: a one-line error that names the fix, the usage exit code (2), nothing written.

Malformed config, unknown connector, missing credential, unreadable plugin, a base URL without a scheme, an
output path that cannot be a directory, a bad fault plan for the emulator.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from stackaudit.cli import ExitCode, cli

GOOD_CONNECTION = '''
[[connection]]
name = "crm"
connector = "salesforce"
base_url = "https://northwind.my.salesforce.com"
'''


@pytest.fixture(autouse=True)
def restored(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in [n for n in os.environ if n.startswith("STACKAUDIT_CREDENTIAL_")]:
        monkeypatch.delenv(name)
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:], root.level = handlers, level


def scan(tmp_path: Path, config_text: str, *extra: str, env: dict[str, str] | None = None) -> tuple[Result, Path]:
    config = tmp_path / "stackaudit.toml"
    config.write_text(config_text, encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, [*extra, "scan", "-c", str(config), "-o", str(out)], env=env)
    return result, out


def assert_usage_error(result: Result, *expected: str) -> str:
    assert result.exit_code == ExitCode.USAGE, result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    (line,) = errors
    assert "(fix: " in line, line
    for text in expected:
        assert text in line, line
    assert "Traceback" not in result.output
    return line


def test_malformed_config(tmp_path: Path) -> None:
    result, out = scan(tmp_path, GOOD_CONNECTION + '\n[[connection]\nname = "x"\n')
    assert_usage_error(result, "invalid TOML", "stackaudit.toml:7", "fix the TOML syntax")
    assert not out.exists()


def test_unknown_connector(tmp_path: Path) -> None:
    result, out = scan(tmp_path, GOOD_CONNECTION.replace('"salesforce"', '"salesfarce"'))
    assert_usage_error(result, "'salesfarce'", "which no plugin provides", "use one of:", "salesforce")
    assert not out.exists()


def test_missing_credential_stops_before_anything_is_scanned(tmp_path: Path) -> None:
    result, out = scan(tmp_path, GOOD_CONNECTION + GOOD_CONNECTION.replace('"crm"', '"crm2"'))
    line = assert_usage_error(result, "no credentials for connection 'crm'", "and 1 more connection",
                              "stackaudit auth set crm", "STACKAUDIT_CREDENTIAL_CRM")
    assert "requests" not in result.stderr  # no connection was started
    assert not out.exists()
    assert line


def test_credentials_with_an_unknown_field(tmp_path: Path) -> None:
    env = {"STACKAUDIT_CREDENTIAL_CRM": '{"client_id": "a", "client_secret": "b-secret-value", "pin": "1"}'}
    result, out = scan(tmp_path, GOOD_CONNECTION, env=env)
    assert_usage_error(result, "unknown field 'pin'", "client_id, client_secret")
    assert "b-secret-value" not in result.output
    assert not out.exists()


def test_base_url_without_a_scheme(tmp_path: Path) -> None:
    result, out = scan(tmp_path, GOOD_CONNECTION.replace("https://northwind", "northwind"))
    assert_usage_error(result, "is not an http(s) URL", "connection[0].base_url", "https://host")
    assert not out.exists()


def test_a_plugins_directory_that_cannot_be_read(tmp_path: Path) -> None:
    not_a_directory = tmp_path / "plugins.txt"
    not_a_directory.write_text("", encoding="utf-8")
    result, out = scan(tmp_path, GOOD_CONNECTION, "--plugins-dir", str(tmp_path / "missing"))
    assert_usage_error(result, "plugins directory", "does not exist", "--plugins-dir")
    assert not out.exists()


@pytest.mark.parametrize("broken", ["syntax", "dangling link"])
def test_a_plugin_that_cannot_be_loaded_is_named_when_its_connector_is_needed(tmp_path: Path, broken: str) -> None:
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    if broken == "syntax":
        (plugins / "stackaudit_acme.py").write_text("def register_connectors(registry:\n", encoding="utf-8")
    else:
        (plugins / "stackaudit_acme.py").symlink_to(tmp_path / "gone.py")
    config = GOOD_CONNECTION.replace('"salesforce"', '"acme"')
    result, out = scan(tmp_path, config, "--plugins-dir", str(plugins))
    assert_usage_error(result, "connector 'acme'", "plugin 'stackaudit_acme' failed to load", "fix or reinstall")
    assert "warning: plugin 'stackaudit_acme'" in result.stderr  # says what failed
    assert not out.exists()


def test_an_output_path_that_is_a_file(tmp_path: Path) -> None:
    env = {"STACKAUDIT_CREDENTIAL_CRM": '{"access_token": "00Dtoken-value-123"}'}
    (tmp_path / "taken").write_text("mine", encoding="utf-8")
    config = tmp_path / "stackaudit.toml"
    config.write_text(GOOD_CONNECTION, encoding="utf-8")
    result = CliRunner().invoke(cli, ["scan", "-c", str(config), "-o", str(tmp_path / "taken" / "out")], env=env)
    assert_usage_error(result, "exists and is not a directory", "-o")
    assert (tmp_path / "taken").read_text(encoding="utf-8") == "mine"


def test_a_bad_fault_plan_for_the_emulator() -> None:
    result = CliRunner().invoke(cli, ["emulator", "serve", "--faults", "503=1.5"])
    assert_usage_error(result, "between 0 and 1", "503=0.05")
    result = CliRunner().invoke(cli, ["emulator", "serve", "--faults", "503=0.1", "--fault-tenant", "nobody"])
    assert_usage_error(result, "'nobody'", "northwind-salesforce")


def test_inventory_json_is_never_left_half_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from stackaudit.model import Inventory

    path = tmp_path / "inventory.json"
    Inventory(organization="before").save(path)

    def failing_dumps(self: Inventory) -> str:
        raise OSError("disk full")

    monkeypatch.setattr(Inventory, "dumps", failing_dumps)
    with pytest.raises(OSError, match="disk full"):
        Inventory(organization="after").save(path)
    assert Inventory.load(path).organization == "before"
    assert [p.name for p in tmp_path.iterdir()] == ["inventory.json"]
