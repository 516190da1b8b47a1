"""The demo writes every format; a scan's default is the HTML report (with graph.svg) and report.json."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from stackaudit.cli import DEFAULT_FORMATS, cli
from stackaudit.plugins import create_host

EVERY_FILE = {"inventory.json", "findings.json", "report.json", "report.html", "graph.svg", "findings.sarif",
              "action-plan.csv", "report.md", "graph.graphml", "graph.gexf", "graph.json"}


def test_the_demo_writes_every_format(demo_dir: Path) -> None:
    written = {p.name for p in demo_dir.iterdir()}
    assert written >= EVERY_FILE
    assert all((demo_dir / name).stat().st_size > 200 for name in EVERY_FILE)


def test_every_builtin_format_is_a_plugin_registered_through_the_hook() -> None:
    host = create_host()
    reporters = host.reporters()
    for name in ("html", "svg", "json", "sarif", "csv", "md", "graphml", "gexf"):
        assert name in reporters
        assert host.infos[reporters.owner(name)].module.startswith("stackaudit.default_plugins.")


def test_an_audit_writes_the_default_formats(demo_dir: Path, tmp_path: Path) -> None:
    assert DEFAULT_FORMATS == "html,json"
    result = CliRunner().invoke(cli, ["audit", str(demo_dir / "inventory.json"), "-c",
                                      str(demo_dir / "stackaudit.toml"), "-o", str(tmp_path)])
    assert result.exit_code in (0, 1), result.output
    assert {p.name for p in tmp_path.iterdir()} == {"inventory.json", "findings.json", "report.json", "report.html",
                                                    "graph.svg"}
    assert "graph.svg" in result.output and "report.html" in result.output


def test_all_is_every_registered_format(demo_dir: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["audit", str(demo_dir / "inventory.json"), "-c",
                                      str(demo_dir / "stackaudit.toml"), "-o", str(tmp_path), "--format", "all"])
    assert result.exit_code in (0, 1), result.output
    assert {p.name for p in tmp_path.iterdir()} >= EVERY_FILE
