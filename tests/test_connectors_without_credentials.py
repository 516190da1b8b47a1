"""A connector that reads a local export needs neither credentials nor a base URL, and still scans."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from stackaudit import Connector, CredentialSpec, Option, ScanContext, System, hookimpl
from stackaudit.cli import cli
from stackaudit.config import Config, Connection
from stackaudit.credentials import CredentialStore
from stackaudit.engine import run_scan
from stackaudit.errors import ConfigError, CredentialError
from stackaudit.model import CoverageStatus
from stackaudit.plugins import create_host
from stackaudit.registry import ConnectorRegistry


class FileConnector(Connector):
    id = "filelist"
    title = "File list"
    vendor = "filelist"
    category = "other"
    description = "reads a local file"
    default_base_url = ""
    credentials = CredentialSpec(fields=(), combinations=())
    options = {"path": Option("the file to read")}

    def collect(self, ctx: ScanContext) -> None:
        for line in Path(ctx.options["path"]).read_text().split():
            ctx.add(System(id=ctx.id("tenant", line), name=line))


class HttpConnector(FileConnector):
    id = "needs-url"
    default_base_url = None


class Plugin:
    @hookimpl
    def register_connectors(self, registry: ConnectorRegistry) -> None:
        registry.add(FileConnector)


def registry() -> ConnectorRegistry:
    return create_host(load_entry_points=False, default_plugins=(),
                       extra_plugins=[("filelist", Plugin())]).connectors()


def test_scanned_with_no_credentials_stored_anywhere(tmp_path: Path) -> None:
    export = tmp_path / "systems.txt"
    export.write_text("alpha beta\n")
    config = Config(connections=(Connection("exports", "filelist", options={"path": str(export)}),))

    inventory = run_scan(config, registry(), store=CredentialStore(environ={}, use_keyring=False))

    (result,) = inventory.connections
    assert result.status is CoverageStatus.COMPLETE, result.message
    assert result.base_url == ""
    assert sorted(r.id for r in inventory.records) == ["exports:tenant:alpha", "exports:tenant:beta"]


def test_a_spec_without_combinations_is_satisfied_by_nothing_and_says_none() -> None:
    spec = CredentialSpec(fields=(), combinations=())
    assert not spec.required
    assert spec.describe() == "none"
    assert spec.satisfied_by({}) == ()
    found = CredentialStore(environ={}, use_keyring=False).resolve("exports", spec)
    assert dict(found.values) == {}


def test_a_connector_with_credentials_still_needs_them() -> None:
    spec = CredentialSpec(fields=(), combinations=(("token",),))
    with pytest.raises(CredentialError, match="no credentials for connection 'x'"):
        CredentialStore(environ={}, use_keyring=False).resolve("x", spec)


def test_base_url_stays_required_where_the_connector_does_not_waive_it(tmp_path: Path) -> None:
    registry = ConnectorRegistry()
    registry.add(HttpConnector)
    config = Config(connections=(Connection("svc", "needs-url"),))
    with pytest.raises(ConfigError, match="needs a base_url"):
        run_scan(config, registry, store=CredentialStore(environ={}, use_keyring=False))


def test_cli_says_what_such_a_connector_needs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plugins = tmp_path / "local"
    plugins.mkdir()
    (plugins / "filelist_plugin.py").write_text(
        "from stackaudit import hookimpl\n"
        f"from {__name__} import FileConnector\n\n"
        "@hookimpl\n"
        "def register_connectors(registry):\n"
        "    registry.add(FileConnector)\n"
    )
    config = tmp_path / "stackaudit.toml"
    config.write_text('[[connection]]\nname = "exports"\nconnector = "filelist"\noptions = { path = "x.txt" }\n')
    runner = CliRunner()
    base: list[Any] = ["--plugins-dir", str(plugins)]

    listing = runner.invoke(cli, [*base, "connectors"])
    assert listing.exit_code == 0, listing.output
    assert "credentials: none" in listing.output and "base_url: not used" in listing.output

    status = runner.invoke(cli, [*base, "auth", "status", "-c", str(config)])
    assert status.exit_code == 0, status.output
    assert "not needed" in status.output

    refused = runner.invoke(cli, [*base, "auth", "set", "exports", "-c", str(config), "--stdin"], input="{}")
    assert refused.exit_code == 2
    assert "File list needs no credentials" in refused.output
