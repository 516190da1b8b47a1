"""The plugin host: entry points, plugins directories, failures, duplicates, disabling."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from stackaudit.errors import DuplicateRegistrationError
from stackaudit.plugins import create_host

CONNECTOR_PLUGIN = '''
from stackaudit import Connector, CredentialField, CredentialSpec, System, hookimpl


class {cls}(Connector):
    id = "{connector_id}"
    title = "{connector_id} tool"
    vendor = "{connector_id}"
    category = "other"
    description = "test connector"
    default_base_url = "https://{connector_id}.example"
    credentials = CredentialSpec(fields=(CredentialField("token", "a token"),), combinations=(("token",),),
                                 plain="token")

    def collect(self, ctx):
        ctx.add(System(id=ctx.id("tenant", "1"), name="{connector_id} tenant", vendor="{connector_id}"))


@hookimpl
def register_connectors(registry):
    registry.add({cls})
'''


def write_plugin(directory: Path, module: str, connector_id: str) -> None:
    (directory / f"{module}.py").write_text(CONNECTOR_PLUGIN.format(cls="Thing", connector_id=connector_id))


def install_distribution(site: Path, module: str, connector_id: str, *, version: str = "1.2.3") -> None:
    """A minimal installed distribution with a stackaudit entry point, as pip would leave it."""
    write_plugin(site, module, connector_id)
    dist_info = site / f"{module}-{version}.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {module}\nVersion: {version}\n")
    (dist_info / "entry_points.txt").write_text(f"[stackaudit]\n{module} = {module}\n")


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "site"
    path.mkdir()
    monkeypatch.syspath_prepend(str(path))
    yield path
    for name in [m for m in sys.modules if m.startswith(("acme_", "stackaudit_local_plugins"))]:
        del sys.modules[name]


def test_builtin_and_entry_point_plugins_load(host) -> None:  # type: ignore[no-untyped-def]
    names = {info.name: info for info in host.plugins()}
    assert names["json_report"].source == "builtin"
    assert names["salesforce"].source == "entry point"
    assert names["salesforce"].version == "0.1.0"
    assert "salesforce" in host.connectors()


def test_third_party_entry_point_plugin_appears_and_runs(site: Path) -> None:
    install_distribution(site, "acme_crm", "acmecrm")
    host = create_host()
    info = {i.name: i for i in host.plugins()}["acme_crm"]
    assert (info.source, info.version) == ("entry point", "1.2.3")
    connector = host.connectors().get("acmecrm")
    assert host.connectors().owner("acmecrm") == "acme_crm"
    from stackaudit.testing import run_connector

    ctx = run_connector(connector, credentials={"token": "t0ken-value"})
    assert [r.id for r in ctx.records] == ["test:tenant:1"]
    assert info.registered == {"connectors": ["acmecrm"]}


def test_plugins_dir_module_appears_and_runs(tmp_path: Path, site: Path) -> None:
    plugins = tmp_path / "local"
    plugins.mkdir()
    write_plugin(plugins, "inhouse", "inhouse")
    (plugins / "_private.py").write_text("raise RuntimeError('never imported')\n")
    host = create_host(plugins_dir=plugins)
    info = {i.name: i for i in host.plugins()}["inhouse"]
    assert info.source == "plugins dir"
    assert "inhouse" in host.connectors()
    assert not host.failures


def test_broken_plugin_is_reported_and_skipped(tmp_path: Path, site: Path) -> None:
    plugins = tmp_path / "local"
    plugins.mkdir()
    (plugins / "broken.py").write_text("import does_not_exist_anywhere\n")
    write_plugin(plugins, "fine", "fine")
    host = create_host(plugins_dir=plugins)
    (failure,) = host.failures
    assert failure.name == "broken"
    assert failure.source == "plugins dir"
    assert "does_not_exist_anywhere" in failure.error
    assert "fine" in host.connectors()
    assert "salesforce" in host.connectors()


def test_plugin_whose_hook_raises_is_skipped_not_fatal(tmp_path: Path, site: Path) -> None:
    plugins = tmp_path / "local"
    plugins.mkdir()
    (plugins / "raising.py").write_text(textwrap.dedent('''
        from stackaudit import hookimpl

        @hookimpl
        def register_connectors(registry):
            raise KeyError("oops")
    '''))
    host = create_host(plugins_dir=plugins)
    assert "salesforce" in host.connectors()
    assert [f.name for f in host.failures] == ["raising"]
    assert "register_connectors raised KeyError" in host.failures[0].error


def test_duplicate_ids_are_refused_naming_both_plugins(tmp_path: Path, site: Path) -> None:
    plugins = tmp_path / "local"
    plugins.mkdir()
    write_plugin(plugins, "impostor", "salesforce")
    host = create_host(plugins_dir=plugins)
    with pytest.raises(DuplicateRegistrationError) as raised:
        host.connectors()
    message = str(raised.value)
    assert "'salesforce'" in message
    assert "'impostor'" in message
    assert "--disable-plugin impostor" in raised.value.fix


def test_disable_plugin_by_argument_and_environment(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    install_distribution(site, "acme_crm", "acmecrm")
    host = create_host(disabled=["acme_crm"])
    assert "acmecrm" not in host.connectors()
    assert host.disabled == ["acme_crm"]
    monkeypatch.setenv("STACKAUDIT_DISABLE_PLUGINS", "salesforce, json_report")
    host = create_host()
    assert "salesforce" not in host.connectors()
    assert "json" not in host.reporters()
    assert "acmecrm" in host.connectors()


def test_every_host_is_independent() -> None:
    first, second = create_host(), create_host(disabled=["salesforce"])
    assert "salesforce" in first.connectors()
    assert "salesforce" not in second.connectors()
    assert first.pm is not second.pm


def test_nothing_is_loaded_at_import_time() -> None:
    import subprocess

    code = "import stackaudit, stackaudit.cli, sys; print(any(m.startswith('stackaudit_') for m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
