"""Hostile data from tenants: names with ANSI escape sequences, rich markup, bidi overrides and path separators.

What a tenant names things is shown in the terminal (coverage gaps quote them, vendors' error messages too);
it must be shown, never interpreted. Names that become file names lose their path separators. (HTML and
spreadsheet formulas are the reports' to neutralise.)
"""

from __future__ import annotations

import dataclasses
import io
import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.console import Console

import stackaudit.cli as cli_module
from stackaudit.cli import cli, neutralise
from stackaudit.config import Config
from stackaudit.credentials import env_var_name
from stackaudit.demo import demo_config_text
from stackaudit.emulator import Emulator, Scenario
from stackaudit.errors import ConfigError
from stackaudit.model import ConnectionResult, CoverageGap, CoverageStatus, Inventory
from stackaudit.plugins import create_host
from stackaudit.reporter import Report, Reporter, safe_filename

HOSTILE = "\x1b[2J\x1b[31mEvil\x1b[0m [bold]loud[/bold] [link=https://evil.example]x[/link] [/] \r\u202eftp ../../x"
ESCAPES = ("\x1b", "\r", "\u202e", "\x9b")


def assert_shown_not_interpreted(text: str) -> None:
    assert not any(c in text for c in ESCAPES), repr(text)
    assert "\\x1b[2J" in text  # the escape is visible for what it is
    assert "[bold]loud[/bold]" in text  # markup is shown as typed, not applied


@pytest.fixture
def restored() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    environ = dict(os.environ)
    yield
    root.handlers[:], root.level = handlers, level
    for name in set(os.environ) - set(environ):
        del os.environ[name]


def test_a_hostile_source_name_in_a_scan_is_shown_not_interpreted(tmp_path: Path, restored: None) -> None:
    host = create_host()
    vendor = host.emulators().get("segment")
    spec = vendor.demo_tenant()
    spec.data["sources"][0]["name"] = HOSTILE
    spec.data["denied"] = ["destinations"]  # the gap's area names the source: "destinations of source <name>"
    with Emulator(Scenario([spec]), [vendor]) as emulator:
        config = tmp_path / "stackaudit.toml"
        config.write_text(demo_config_text(emulator), encoding="utf-8")
        os.environ[env_var_name(spec.name)] = json.dumps(spec.credentials)
        result = CliRunner().invoke(cli, ["--debug", "scan", "-c", str(config), "-o", str(tmp_path / "out")],
                                    catch_exceptions=False)
    assert result.exit_code == 3, result.output  # partial: the destinations were refused
    assert "destinations of source" in result.stdout
    assert_shown_not_interpreted(result.stdout)
    assert not any(c in result.stderr for c in ESCAPES)
    # The inventory keeps the name as the tenant wrote it: it is data, and JSON escapes it.
    inventory = Inventory.load(tmp_path / "out" / "inventory.json")
    assert any(getattr(r, "name", "") == HOSTILE for r in inventory.records)


def test_every_part_of_the_scan_summary_is_neutralised(monkeypatch: pytest.MonkeyPatch) -> None:
    buffer = io.StringIO()
    monkeypatch.setattr(cli_module, "out", Console(file=buffer, highlight=False, soft_wrap=True, width=200))
    inventory = Inventory()
    inventory.connections.append(ConnectionResult(name=HOSTILE, connector=HOSTILE, status=CoverageStatus.PARTIAL,
                                                  records={"account": 1}, message=HOSTILE))
    inventory.gaps.append(CoverageGap(connection=HOSTILE, area=HOSTILE, reason=HOSTILE, error="ApiError"))
    from stackaudit.audit import evaluate

    cli_module._print_summary(inventory, evaluate(inventory, Config(), []), [Path(HOSTILE)])
    assert_shown_not_interpreted(buffer.getvalue())


def test_progress_lines_and_errors_are_neutralised(monkeypatch: pytest.MonkeyPatch) -> None:
    buffer = io.StringIO()
    monkeypatch.setattr(cli_module, "err", Console(file=buffer, highlight=False, width=200))
    with cli_module._progress(1) as on_event:
        on_event(cli_module.ScanEvent(HOSTILE, "finished", ConnectionResult(
            name=HOSTILE, connector="segment", status=CoverageStatus.FAILED, message=HOSTILE)))
    assert_shown_not_interpreted(buffer.getvalue())

    @cli_module.handle_errors
    def failing() -> None:
        raise ConfigError(HOSTILE, fix=HOSTILE)

    buffer.truncate(0)
    import click

    with click.Context(click.Command("x")), pytest.raises(click.exceptions.Exit):
        failing()
    line = buffer.getvalue()
    assert_shown_not_interpreted(line)
    assert line.count("\n") == 1  # one line, naming the fix


def test_log_lines_quoting_vendor_text_are_neutralised(restored: None) -> None:
    stream = io.StringIO()
    cli_module._configure_logging(debug=True)
    handler = logging.getLogger().handlers[0]
    handler.setStream(stream)  # type: ignore[attr-defined]
    logging.getLogger("stackaudit.connector.marketo").info("Marketo error %s on %s", "606", HOSTILE)
    assert not any(c in stream.getvalue() for c in ESCAPES)
    assert "\\x1b[2J" in stream.getvalue()


def test_neutralise_keeps_ordinary_text_and_shows_every_control_character() -> None:
    assert neutralise("Northwind — Blog (EN) 名前 tab\there") == "Northwind — Blog (EN) 名前 tab\\x09here"
    shown = neutralise("".join(chr(c) for c in [*range(0x20), 0x7F, *range(0x80, 0xA0), 0x202E, 0x2066]))
    assert all(ord(c) >= 0x20 and not 0x7F <= ord(c) < 0xA0 for c in shown)


@pytest.mark.parametrize(("name", "expected"), [
    ("../../etc/passwd", "_.._etc_passwd"), ("a/b\\c", "a_b_c"), ("..", "unnamed"), (".ssh", "ssh"),
    ("CON", "_CON"), ("nul.json", "_nul.json"), ("\x1b[31mred", "_[31mred"), ("", "unnamed"),
    ("Northwind Blog (EN).html", "Northwind Blog (EN).html"),
])
def test_names_used_for_file_names_lose_their_path_separators(name: str, expected: str) -> None:
    assert safe_filename(name) == expected
    assert "/" not in safe_filename(name) and "\\" not in safe_filename(name)


def test_a_reporter_cannot_write_outside_the_output_directory(tmp_path: Path) -> None:
    @dataclasses.dataclass
    class Escaping(Reporter):
        id = "escaping"
        description = "writes where it should not"
        filename = "../../escaped.txt"

        def render(self, report: Report) -> str:
            return "x"

    out = tmp_path / "a" / "b"
    out.mkdir(parents=True)
    written = Escaping().write(Report(inventory=Inventory()), out)
    assert written.parent == out
    assert not (tmp_path / "escaped.txt").exists()
    assert [p.name for p in out.iterdir()] == [written.name]
