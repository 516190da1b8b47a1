"""The ``stackaudit`` command line: the only place that prints, prompts or chooses exit codes."""

from __future__ import annotations

import enum
import functools
import json
import logging
import os
import re
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from stackaudit import __version__
from stackaudit.audit import AuditResult, evaluate, select_checks, write_findings
from stackaudit.check import CATEGORIES
from stackaudit.commands import history as history_commands
from stackaudit.commands.history import HistoryRequest, ScanHistory, history_options
from stackaudit.commands.plugin import plugin
from stackaudit.config import DEFAULT_CONFIG, STARTER_CONFIG, Config, load_config
from stackaudit.credentials import CredentialStore, env_var_name
from stackaudit.engine import ScanEvent, run_scan
from stackaudit.errors import ConfigError, StackAuditError, UsageError
from stackaudit.history import ScanDiff
from stackaudit.model import CheckStatus, CoverageStatus, Inventory, Severity, WaiverState
from stackaudit.plugins import PluginHost, create_host
from stackaudit.redaction import RedactingFilter, redactor
from stackaudit.reporter import Report

DEFAULT_FORMATS = "html,json"
DEMO_FORMATS = "all"  # the demo shows off every format
DEFAULT_OUTPUT_ROOT = Path("graphs")


class ExitCode(enum.IntEnum):
    """Documented exit codes (see ``stackaudit scan --help``)."""

    OK = 0  # scan complete, nothing at or above --fail-on
    FINDINGS = 1  # unwaived findings at or above --fail-on
    USAGE = 2  # usage or configuration error: nothing was scanned
    INCOMPLETE = 3  # a connection failed or was only partly covered, nothing at or above --fail-on
    INTERNAL = 4  # a bug in stackaudit or a plugin (rerun with --debug and report it)


err = Console(stderr=True, highlight=False)
out = Console(highlight=False, soft_wrap=True)

# Control characters (ANSI escape sequences start with ESC), C1 controls, and the bidirectional overrides that
# reorder what a terminal shows. Tenant-provided names and vendor messages may hold any of them.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def neutralise(text: str) -> str:
    """Control characters shown as escapes (``\\x1b``) instead of acting on the terminal."""
    return _UNSAFE.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}",
                       text)


def _t(value: object) -> str:
    """Text that came from a tenant, a vendor, a plugin or the user, safe to print through rich: control
    characters neutralised and rich markup (``[link=…]``) escaped, so it is shown, never interpreted."""
    return escape(neutralise(str(value)))


class Context:
    """What every command shares: global options and a lazily built plugin host."""

    def __init__(self, debug: bool, plugins_dir: Path | None, disabled: tuple[str, ...]) -> None:
        self.debug = debug
        self.plugins_dir = plugins_dir
        self.disabled = disabled
        self._host: PluginHost | None = None

    def host(self, config: Config | None = None) -> PluginHost:
        if self._host is None:
            plugins_dir = self.plugins_dir or (config.plugins_dir if config else None)
            self._host = create_host(plugins_dir=plugins_dir, disabled=self.disabled)
            for failure in self._host.failures:
                err.print(f"[yellow]warning:[/] plugin {_t(repr(failure.name))} ({_t(failure.source)}) was skipped: "
                          f"{_t(redactor.redact(failure.error))}", soft_wrap=True)
        return self._host


F = TypeVar("F", bound=Callable[..., Any])


def handle_errors(func: F) -> F:
    """Turn library errors into one line that names the fix, and the right exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context()
        debug = isinstance(ctx.obj, Context) and ctx.obj.debug
        try:
            return func(*args, **kwargs)
        except StackAuditError as exc:
            if debug:
                raise
            fix = f" (fix: {_t(_one_line(exc.fix))})" if exc.fix else ""
            err.print(f"[red]error:[/] {_t(_one_line(redactor.redact(exc.message)))}{fix}", soft_wrap=True)
            ctx.exit(ExitCode.USAGE)
        except (click.ClickException, click.exceptions.Exit, click.Abort, KeyboardInterrupt):
            raise
        except Exception as exc:
            if debug:
                raise
            err.print(f"[red]internal error:[/] {type(exc).__name__}: {_t(_one_line(redactor.redact(str(exc))))} "
                      "(fix: rerun with --debug for the traceback and report it)", soft_wrap=True)
            ctx.exit(ExitCode.INTERNAL)

    return wrapper  # type: ignore[return-value]


def _one_line(text: str) -> str:
    return " ".join(text.split())


def config_option(func: F) -> F:
    return click.option("-c", "--config", "config_path", type=click.Path(path_type=Path), default=DEFAULT_CONFIG,
                        show_default=True, help="The stackaudit.toml to use.")(func)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="stackaudit")
@click.option("--debug", is_flag=True, help="Show tracebacks and HTTP debug logs (secrets stay redacted).")
@click.option("--plugins-dir", type=click.Path(path_type=Path, file_okay=False),
              help="Also load plugins from the modules in this directory.")
@click.option("--disable-plugin", "disabled", multiple=True, metavar="NAME",
              help="Do not load this plugin (repeatable; also STACKAUDIT_DISABLE_PLUGINS=a,b).")
@click.pass_context
def cli(ctx: click.Context, debug: bool, plugins_dir: Path | None, disabled: tuple[str, ...]) -> None:
    """Audit a marketing technology stack: read SaaS tenants read-only, map integrations and
    data flows, and flag shadow IT, duplicate or dirty data paths, unowned systems and security gaps.

    \b
    Start here:
      stackaudit demo              scan the built-in demo stack (no accounts needed)
      stackaudit init              write a starter stackaudit.toml
      stackaudit auth set NAME     store a connection's credentials in the OS keyring
      stackaudit scan              scan every configured connection
      stackaudit checks -v         what the audit checks, and why
      stackaudit audit INVENTORY   re-evaluate a saved inventory.json offline
    """
    _configure_logging(debug)
    ctx.obj = Context(debug, plugins_dir, disabled)


def _configure_logging(debug: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RedactingFilter(redactor))
    handler.addFilter(_TerminalFilter())
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if debug else logging.WARNING)


class _TerminalFilter(logging.Filter):
    """Log lines quote vendor answers: their control characters are shown, never sent to the terminal."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = neutralise(record.getMessage())
        record.args = None
        if record.exc_text:
            record.exc_text = neutralise(record.exc_text)
        return True


# -- scan -----------------------------------------------------------------------------------------


def _formats(text: str, host: PluginHost) -> list[str]:
    reporters = host.reporters()
    names = [f.strip() for f in text.split(",") if f.strip()]
    if "all" in names:
        names = [n for n in reporters.ids() if n != "all"]
    for name in names:
        if name not in reporters:
            raise UsageError(f"unknown format {name!r}", fix="use one of: " + ", ".join(reporters.ids()))
    return names


def _default_output() -> Path:
    return DEFAULT_OUTPUT_ROOT / datetime.now(UTC).strftime("scan-%Y%m%dT%H%M%SZ")


def _write_outputs(inventory: Inventory, result: AuditResult, config: Config, host: PluginHost,
                   formats: list[str], output: Path, diff: ScanDiff | None = None) -> list[Path]:
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create output directory {output}: {exc.strerror}",
                         fix="choose a writable directory with -o") from None
    inventory_path = output / "inventory.json"
    inventory.save(inventory_path)
    findings_path = write_findings(output / "findings.json", inventory, result, config)
    report = Report(inventory=inventory, findings=result.findings, config=config, graph=result.graph,
                    coverage=result.coverage, checks=result.checks, waivers=result.waivers, diff=diff)
    reporters = host.reporters()
    written = [inventory_path, findings_path]
    for name in formats:
        reporter = reporters.get(name)
        written.append(reporter.write(report, output))
        companion = getattr(reporter, "companion", "")  # a second file the same reporter writes (graph.svg)
        if companion and (output / companion) not in written:
            written.append(output / companion)
    return list(dict.fromkeys(written))


def _exit_code(inventory: Inventory, result: AuditResult, fail_on: Severity) -> ExitCode:
    if result.unwaived(fail_on):
        return ExitCode.FINDINGS
    if not inventory.complete:
        return ExitCode.INCOMPLETE
    return ExitCode.OK


def _print_summary(inventory: Inventory, result: AuditResult, written: list[Path]) -> None:
    table = Table(title="Connections", title_justify="left", show_edge=False)
    for column in ("connection", "connector", "status", "records", "requests", "time"):
        table.add_column(column)
    colours = {CoverageStatus.COMPLETE: "green", CoverageStatus.PARTIAL: "yellow"}
    for c in inventory.connections:
        records = str(sum(c.records.values()))
        colour = colours.get(c.status, "red")
        table.add_row(_t(c.name), _t(c.connector), f"[{colour}]{c.status.value}[/]", _t(records), str(c.requests),
                      f"{c.duration_s:.1f}s")
    out.print(table)
    if inventory.gaps:
        out.print(f"\n[yellow]Coverage gaps ({len(inventory.gaps)})[/]: what could not be read")
        for gap in inventory.gaps:
            out.print(f"  - {_t(gap.connection)} / {_t(gap.area)}: {_t(gap.reason)}", soft_wrap=True)
    counts = inventory.counts()
    out.print(f"\nInventory: {counts.get('system', 0)} systems, {counts.get('account', 0)} accounts, "
              f"{counts.get('integration', 0)} integrations, {counts.get('flow', 0)} flows, "
              f"{counts.get('credential', 0)} credentials")
    _print_findings(result)
    out.print("\nWritten:")
    for path in written:
        out.print(f"  {_t(path)}")


def _print_findings(result: AuditResult) -> None:
    unwaived = result.unwaived()
    by = {s: sum(1 for f in unwaived if f.severity is s) for s in Severity}
    waived = len(result.findings) - len(unwaived)
    text = ", ".join(f"{n} {s}" for s, n in sorted(by.items(), reverse=True) if n) or "none"
    out.print(f"Findings: {text}" + (f" (and {waived} waived)" if waived else ""))
    categories: dict[str, int] = {}
    for finding in unwaived:
        categories[finding.category] = categories.get(finding.category, 0) + 1
    for category in CATEGORIES:
        if categories.get(category):
            out.print(f"  {category}: {categories[category]}")
    uncovered = [c for c in result.coverage if c.status not in (CheckStatus.EVALUATED, CheckStatus.SKIPPED)]
    if uncovered:
        out.print(f"\n[yellow]Checks not fully evaluated ({len(uncovered)})[/]:")
        for c in uncovered:
            out.print(escape(f"  - {c.check_id}: {c.status.value.replace('_', ' ')}: {c.reason}"), soft_wrap=True)
    for waiver in result.waivers:
        target = escape(waiver.finding or f"{waiver.check} {waiver.subject}")
        if waiver.state is WaiverState.EXPIRED:
            out.print(f"[yellow]waiver expired[/] on {waiver.expires} ({target}): no longer applied to "
                      f"{len(waiver.matched)} finding(s)", soft_wrap=True)
        elif waiver.state is WaiverState.UNUSED:
            out.print(f"note: waiver {target} matched no finding", soft_wrap=True)
    for warning in result.warnings:
        err.print(f"[yellow]warning:[/] {escape(warning)}", soft_wrap=True)


@contextmanager
def _progress(total: int) -> Iterator[Callable[[ScanEvent], None]]:
    started = time.perf_counter()
    done = 0
    with err.status(f"scanning {total} connection(s)…") as status:
        def on_event(event: ScanEvent) -> None:
            nonlocal done
            if event.stage == "finished" and event.result is not None:
                done += 1
                r = event.result
                mark = {"complete": "[green]✓[/]", "partial": "[yellow]~[/]"}.get(r.status.value, "[red]✗[/]")
                err.print(f"{mark} {_t(r.name)} ({_t(r.connector)}): {r.status.value}, {r.requests} requests, "
                          f"{r.duration_s:.1f}s" + (f" — {_t(r.message)}" if r.message else ""), soft_wrap=True)
                status.update(f"scanning: {done}/{total} done ({time.perf_counter() - started:.0f}s)")
        yield on_event


def _scan(ctx: Context, config: Config, *, output: Path, formats: str, fail_on: str, only: tuple[str, ...],
          workers: int, check: tuple[str, ...] = (), skip_check: tuple[str, ...] = (),
          store: CredentialStore | None = None, history: ScanHistory | None = None) -> int:
    threshold = _severity(fail_on)
    host = ctx.host(config)
    selected = _formats(formats, host)
    enabled = [c for c in config.connections if c.enabled and (not only or c.name in only)]
    if not enabled:
        raise ConfigError("there are no enabled connections to scan", path=str(config.path or ""),
                          fix="add a [[connection]] to the config (see 'stackaudit init')")
    _check_output(output)
    registry = host.connectors()
    broken = ", ".join(repr(f.name) for f in host.failures)
    for connection in enabled:
        if connection.connector not in registry and broken:
            raise ConfigError(f"connection {connection.name!r} names connector {connection.connector!r}, which no "
                              f"loaded plugin provides; plugin {broken} failed to load", path=str(config.path or ""),
                              fix="fix or reinstall that plugin (the warning above says what failed), or point the "
                                  "connection at a connector 'stackaudit connectors' lists")
    checks = host.checks()
    select_checks(checks, only=check, skip=skip_check)  # a wrong --check fails before anything is scanned
    with _progress(len(enabled)) as on_event:
        inventory = run_scan(config, host.connectors(), store=store, on_event=on_event, only=only, workers=workers)
    result = evaluate(inventory, config, checks, only=check, skip=skip_check)
    # Records the scan and gives the diff since the baseline; check coverage keeps a check that did
    # not run from "resolving" its findings.
    diff = history.compare(inventory, result.findings, result.coverage) if history else None
    written = _write_outputs(inventory, result, config, host, selected, output, diff)
    _print_summary(inventory, result, written)
    code = _exit_code(inventory, result, threshold)
    return history.conclude(code, threshold) if history else code  # prints the diff; --fail-on-new


def _check_output(output: Path) -> None:
    """Refuse an output path that cannot become a directory before anything is scanned or written."""
    for path in (output, *output.parents):
        if path.exists():
            if not path.is_dir():
                raise UsageError(f"output path {path} exists and is not a directory",
                                 fix="choose another directory with -o")
            if not os.access(path, os.W_OK):
                raise UsageError(f"output directory {path} is not writable", fix="choose a writable directory with -o")
            return


def _severity(text: str) -> Severity:
    try:
        return Severity.parse(text)
    except ValueError as exc:
        raise UsageError(str(exc), fix="pass --fail-on critical, high, medium, low or info") from None


def scan_options(func: F, formats: str = DEFAULT_FORMATS) -> F:
    func = click.option("--fail-on", default="high", show_default=True, metavar="SEVERITY",
                        help="Exit 1 if an unwaived finding is at or above this severity.")(func)
    func = click.option("--format", "formats", default=formats, show_default=True,
                        help="Comma-separated report formats, or 'all' ('stackaudit plugins' lists them: html, "
                             "json, sarif, csv, md, graphml, gexf, ...).")(func)
    func = click.option("--workers", default=16, show_default=True, type=click.IntRange(1, 64),
                        help="Connections scanned at once.")(func)
    func = click.option("--check", "check", multiple=True, metavar="ID",
                        help="Run only this check (repeatable; 'stackaudit checks' lists them).")(func)
    func = click.option("--skip-check", "skip_check", multiple=True, metavar="ID",
                        help="Do not run this check (repeatable).")(func)
    return func


@cli.command()
@config_option
@click.option("-o", "--output", type=click.Path(path_type=Path, file_okay=False),
              help="Output directory [default: graphs/scan-<UTC time>].")
@click.option("--connection", "only", multiple=True, metavar="NAME", help="Scan only this connection (repeatable).")
@scan_options
@history_options
@click.pass_obj
@handle_errors
def scan(obj: Context, config_path: Path, output: Path | None, only: tuple[str, ...], formats: str, fail_on: str,
         workers: int, check: tuple[str, ...], skip_check: tuple[str, ...], history: HistoryRequest) -> None:
    """Scan every configured connection, read-only, and write the inventory and reports.

    Each connection's credentials come from the OS keyring, then STACKAUDIT_CREDENTIAL_<NAME>.
    A connection that fails is reported as a coverage gap; the others are still scanned.

    Every scan is recorded in the history database ('stackaudit history', 'stackaudit diff') and
    compared with the previous scan of the same config (or --baseline); --no-history skips recording.

    \b
    Exit codes:
      0  scan complete, no unwaived finding at or above --fail-on
      1  unwaived findings at or above --fail-on; with --fail-on-new, only
         findings that are not in the baseline scan count
      2  usage or configuration error (nothing scanned), or the scan could
         not be recorded in the history (the reports are written)
      3  scan incomplete (a connection failed or was partly covered), nothing at or above --fail-on
      4  internal error (rerun with --debug and report it)

    \b
    Examples:
      stackaudit scan -c stackaudit.toml -o graphs/2026-q4 --fail-on critical
      stackaudit scan --fail-on high --fail-on-new      in CI: fail only on what is new
    """
    config = load_config(config_path)
    recorder = ScanHistory(history, config)  # a bad --db or --baseline fails before anything is scanned
    code = _scan(obj, config, output=output or _default_output(), formats=formats, fail_on=fail_on, only=only,
                 workers=workers, check=check, skip_check=skip_check, history=recorder)
    sys.exit(code)


@cli.command()
@click.argument("inventory_path", metavar="INVENTORY", type=click.Path(path_type=Path, dir_okay=False))
@click.option("-c", "--config", "config_path", type=click.Path(path_type=Path),
              help="The stackaudit.toml whose registry, policy and waivers to apply [default: stackaudit.toml "
                   "beside the inventory, else in the current directory].")
@click.option("-o", "--output", type=click.Path(path_type=Path, file_okay=False),
              help="Output directory [default: beside the inventory].")
@scan_options
@click.pass_obj
@handle_errors
def audit(obj: Context, inventory_path: Path, config_path: Path | None, output: Path | None, formats: str,
          fail_on: str, workers: int, check: tuple[str, ...], skip_check: tuple[str, ...]) -> None:
    """Re-evaluate a saved inventory.json offline (no network) with the current config, registry and waivers,
    and write findings.json and the reports again.

    Ages (inactive accounts, stale credentials) are measured from the time the inventory was collected,
    so the same inventory and config give the same findings; waiver expiry is judged against today.

    \b
    Example:
      stackaudit audit graphs/scan-20261122T101500Z/inventory.json -c stackaudit.toml
      stackaudit audit graphs/demo/inventory.json --skip-check security-too-many-admins
    """
    threshold = _severity(fail_on)
    try:
        inventory = Inventory.load(inventory_path)
    except FileNotFoundError:
        raise UsageError(f"{inventory_path} not found", fix="pass the inventory.json a scan wrote") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise UsageError(f"{inventory_path} is not a stackaudit inventory: {exc}",
                         fix="pass the inventory.json a scan wrote (same stackaudit version)") from None
    config = _audit_config(config_path, inventory_path)
    host = obj.host(config)
    formats_selected = _formats(formats, host)
    result = evaluate(inventory, config, host.checks(), only=check, skip=skip_check)
    written = _write_outputs(inventory, result, config, host, formats_selected, output or inventory_path.parent)
    _print_summary(inventory, result, written)
    sys.exit(_exit_code(inventory, result, threshold))


def _audit_config(config_path: Path | None, inventory_path: Path) -> Config:
    if config_path is not None:
        return load_config(config_path)
    for candidate in (inventory_path.parent / DEFAULT_CONFIG, Path(DEFAULT_CONFIG)):
        if candidate.is_file():
            err.print(f"config: {candidate}")
            return load_config(candidate)
    err.print("[yellow]warning:[/] no config found: no sanctioned registry, so checks that need one are not "
              "evaluated; pass -c stackaudit.toml")
    return Config()


@cli.command()
@click.option("--category", type=click.Choice(CATEGORIES), help="Only this category.")
@click.option("-v", "--verbose", is_flag=True, help="Also show rationale, remediation and references.")
@click.option("-c", "--config", "config_path", type=click.Path(path_type=Path),
              help="Show severities as this config's [policy.severity] overrides them.")
@click.pass_obj
@handle_errors
def checks(obj: Context, category: str | None, verbose: bool, config_path: Path | None) -> None:
    """List the audit checks: id, category, default severity, title and the plugin that provides them.

    \b
    Examples:
      stackaudit checks --category security -v
      stackaudit scan --skip-check security-too-many-admins
    """
    config = load_config(config_path) if config_path else None
    registry = obj.host(config).checks()
    overrides = config.policy.severity if config else {}
    table = Table(show_edge=False)
    for column in ("check", "category", "severity", "title", "needs", "plugin"):
        table.add_column(column)
    selected = [c for c in registry if not category or c.category == category]
    selected.sort(key=lambda c: (CATEGORIES.index(c.category) if c.category in CATEGORIES else 99, c.id))
    if not verbose:
        for c in selected:
            severity = str(overrides.get(c.id, c.severity)) + (" (policy)" if c.id in overrides else "")
            table.add_row(escape(c.id), c.category, severity, escape(c.title), ", ".join(c.requires) or "-",
                          escape(registry.owner(c.id)))
        out.print(table)
        return
    for c in selected:
        severity = str(overrides.get(c.id, c.severity)) + (" (set by policy)" if c.id in overrides else "")
        out.print(f"[bold]{escape(c.id)}[/] — {escape(c.title)}")
        out.print(f"  category: {c.category}; severity: {severity}; plugin: {registry.owner(c.id)}")
        if c.requires:
            out.print(f"  needs: {', '.join(c.requires)}")
        out.print(f"  why: {escape(c.rationale)}", soft_wrap=True)
        out.print(f"  fix: {escape(c.remediation)}", soft_wrap=True)
        for ref in c.references:
            out.print(f"  see: {ref}")
        out.print()


# -- demo and emulator ------------------------------------------------------------------------------


@cli.command()
@click.option("-o", "--output", type=click.Path(path_type=Path, file_okay=False), default=Path("graphs/demo"),
              show_default=True, help="Where the demo's config, inventory and reports go.")
@click.option("--keep-running", is_flag=True, help="Keep the emulator up after the scan (Ctrl-C to stop).")
@functools.partial(scan_options, formats=DEMO_FORMATS)
@history_options
@click.pass_obj
@handle_errors
def demo(obj: Context, output: Path, keep_running: bool, formats: str, fail_on: str, workers: int,
         check: tuple[str, ...], skip_check: tuple[str, ...], history: HistoryRequest) -> None:
    """Scan the built-in demo stack: no accounts needed.

    Starts the local vendor emulator on 127.0.0.1 with Northwind Outfitters' stack, writes a config
    pointing at it, and runs the real scan through the real connectors over HTTP. Credentials reach the
    connectors through STACKAUDIT_CREDENTIAL_<NAME> in this process (your keyring is not touched).
    Scans are recorded in OUTPUT/.stackaudit/history.db, so a second run shows what changed. Exits 0
    when the demo company's findings are found (they are the point) unless --fail-on or --fail-on-new is
    given; 2, 3 and 4 as for scan.

    \b
    Example:
      stackaudit demo -o /tmp/demo --format json
    """
    from stackaudit.demo import demo_config_text
    from stackaudit.emulator import Emulator, demo_scenario

    host = obj.host()
    vendors = list(host.emulators())
    if not vendors:
        raise UsageError("no plugin provides a vendor emulation", fix="reinstall stackaudit with its connector plugins")
    _check_output(output)
    with Emulator(demo_scenario(vendors), vendors) as emulator:
        output.mkdir(parents=True, exist_ok=True)
        config_path = output / "stackaudit.toml"
        config_path.write_text(demo_config_text(emulator), encoding="utf-8")
        for tenant in emulator.tenants.values():
            os.environ[env_var_name(tenant.name)] = json.dumps(tenant.credentials)
        err.print(f"emulator: {len(emulator.tenants)} tenant(s) on 127.0.0.1; config: {_t(config_path)}")
        config = load_config(config_path)
        code = _scan(obj, config, output=output, formats=formats, fail_on=fail_on, only=(), workers=workers,
                     check=check, skip_check=skip_check, store=CredentialStore(use_keyring=False, redactor=redactor),
                     history=ScanHistory(history, config))
        out.print(f"\nDemo output: {_t(output.resolve())}")
        if keep_running:
            _wait_forever(emulator.tenants)
    # The demo company's findings are what the demo is for, no failure of the command, unless gating was asked for.
    asked = history.fail_on_new or click.get_current_context().get_parameter_source("fail_on") not in (
        click.core.ParameterSource.DEFAULT, None)
    sys.exit(ExitCode.OK if code == ExitCode.FINDINGS and not asked else code)


def _wait_forever(tenants: dict[str, Any]) -> None:
    for tenant in tenants.values():
        out.print(f"  {_t(tenant.name):<28} {_t(tenant.spec.vendor):<14} {tenant.base_url}")
    out.print("emulator running; Ctrl-C to stop")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass


@cli.group()
def emulator() -> None:
    """The local vendor API emulator (for trying configs, testing plugins, benchmarks)."""


@emulator.command("serve")
@click.option("--scenario", "scenario_path", type=click.Path(path_type=Path, dir_okay=False),
              help="A scenario JSON file [default: the built-in demo stack].")
@click.option("--write-config", type=click.Path(path_type=Path, dir_okay=False),
              help="Also write a stackaudit.toml pointing at the emulated tenants.")
@click.option("--latency", type=float, default=0.0, show_default=True, help="Seconds added to every response.")
@click.option("--faults", default="", metavar="KIND=RATE,…",
              help="Inject faults: each KIND hits that share of requests (see below).")
@click.option("--fault-seed", type=int, default=0, show_default=True,
              help="The same seed gives the same faults for the same requests.")
@click.option("--fault-tenant", "fault_tenants", multiple=True, metavar="NAME",
              help="Only this tenant gets faults (repeatable; default: every tenant).")
@click.option("--fault-stall", type=float, default=2.0, show_default=True,
              help="Seconds a 'timeout' fault holds the connection before closing it.")
@click.option("--no-rate-limits", is_flag=True, help="Do not enforce the vendors' rate limits.")
@click.pass_obj
@handle_errors
def emulator_serve(obj: Context, scenario_path: Path | None, write_config: Path | None, latency: float, faults: str,
                   fault_seed: int, fault_tenants: tuple[str, ...], fault_stall: float, no_rate_limits: bool) -> None:
    """Serve emulated tenants on 127.0.0.1 until Ctrl-C.

    \b
    Fault kinds for --faults:
      429, 429-bare      HTTP 429 with / without Retry-After
      500, 502, 503      server and proxy errors
      reset              connection reset before any answer
      timeout            no answer for --fault-stall seconds, then the connection closes
      truncated, cut     JSON cut in half; connection closed halfway through the body
      html               an HTML error page with status 200
      cursor             a next-page cursor that repeats (vendors with cursor paging)
      vendor             the vendor's own transient error (Marketo: HTTP 200 with error 606)

    \b
    Example:
      stackaudit emulator serve --write-config /tmp/emu.toml --latency 0.05 --faults 503=0.05,reset=0.02
      export STACKAUDIT_CREDENTIAL_NORTHWIND_SALESFORCE='{"client_id": "…", "client_secret": "…"}'
      stackaudit scan -c /tmp/emu.toml
    """
    from stackaudit.demo import demo_config_text
    from stackaudit.emulator import Emulator, FaultPlan, Scenario, demo_scenario

    plan = FaultPlan.parse(faults, seed=fault_seed, tenants=fault_tenants, stall=fault_stall)
    vendors = list(obj.host().emulators())
    scenario = Scenario.load(scenario_path) if scenario_path else demo_scenario(vendors)
    unknown = sorted(set(fault_tenants) - {t.name for t in scenario.tenants})
    if unknown:
        raise UsageError(f"--fault-tenant {unknown[0]!r} is not a tenant of the scenario",
                         fix="use one of: " + ", ".join(t.name for t in scenario.tenants))
    with Emulator(scenario, vendors, latency=latency, faults=plan, enforce_rate_limits=not no_rate_limits) as running:
        if write_config:
            write_config.write_text(demo_config_text(running), encoding="utf-8")
            out.print(f"config: {_t(write_config)}")
        for tenant in running.tenants.values():
            out.print(f"  {env_var_name(tenant.name)}='{_t(json.dumps(tenant.credentials))}'")
        _wait_forever(running.tenants)


@emulator.command("scenario")
@click.option("--scale", type=click.IntRange(1, 1000), default=1, show_default=True, help="Volume multiplier.")
@click.pass_obj
@handle_errors
def emulator_scenario(obj: Context, scale: int) -> None:
    """Print the built-in demo scenario as JSON (edit it and pass it to 'emulator serve --scenario')."""
    from stackaudit.emulator import demo_scenario

    click.echo(json.dumps(demo_scenario(list(obj.host().emulators()), scale).to_dict(), indent=2))


# -- setup commands --------------------------------------------------------------------------------


@cli.command()
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False), default=DEFAULT_CONFIG)
@click.option("--organization", default="Example Corp", show_default=True, help="Your organisation's name.")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@handle_errors
def init(path: Path, organization: str, force: bool) -> None:
    """Write a commented starter stackaudit.toml.

    \b
    Example:
      stackaudit init --organization "Northwind Outfitters"
    """
    if path.exists() and not force:
        raise UsageError(f"{path} already exists", fix="pass --force to overwrite it, or choose another path")
    path.write_text(STARTER_CONFIG.format(organization=organization.replace('"', "'")), encoding="utf-8")
    out.print(f"wrote {_t(path)}; next: edit it, then 'stackaudit auth set NAME' for each connection")


@cli.command()
@click.pass_obj
@handle_errors
def plugins(obj: Context) -> None:
    """List every loaded plugin, its version and what it registers.

    \b
    Example:
      STACKAUDIT_DISABLE_PLUGINS=json_report stackaudit plugins
    """
    host = obj.host()
    host.collect_all()
    table = Table(show_edge=False)
    for column in ("plugin", "version", "source", "registers"):
        table.add_column(column)
    for info in host.plugins():
        registers = "; ".join(f"{kind}: {', '.join(ids)}" for kind, ids in sorted(info.registered.items()))
        table.add_row(_t(info.name), _t(info.version or "-"), _t(info.source), _t(registers or "-"))
    out.print(table)
    for failure in host.failures:
        out.print(f"[red]failed:[/] {_t(failure.name)} ({_t(failure.source)}): {_t(redactor.redact(failure.error))}",
                  soft_wrap=True)
    if host.disabled:
        out.print("disabled: " + _t(", ".join(host.disabled)))


@cli.command()
@click.pass_obj
@handle_errors
def connectors(obj: Context) -> None:
    """List connectors, their credential fields, options and what each collects.

    \b
    Example:
      stackaudit connectors
    """
    registry = obj.host().connectors()
    for connector in registry:
        out.print(f"[bold]{_t(connector.id)}[/] — {_t(connector.title)} ({_t(connector.category)}), "
                  f"from plugin {_t(registry.owner(connector.id))}")
        out.print(f"  {_t(connector.description)}")
        base_url = connector.default_base_url
        where = "not used" if base_url == "" else base_url or "required (each tenant has its own)"
        out.print(f"  base_url: {_t(where)}")
        out.print(f"  credentials: {_t(connector.credentials.describe())}")
        for field in connector.credentials.fields:
            out.print(f"    {_t(field.name)}: {_t(field.help)}{'' if field.secret else ' (not secret)'}")
        if connector.options:
            out.print("  options:")
            for name, option in connector.options.items():
                out.print(f"    {_t(name)} = {_t(repr(option.default))}: {_t(option.help)}")
        if connector.rate_limit:
            limit = connector.rate_limit
            out.print(f"  rate limit: {limit.requests} requests / {limit.per_seconds:g}s"
                      + (f", {limit.concurrency} in flight" if limit.concurrency else ""))
        if connector.permissions:
            out.print("  grant (least privilege, read-only):")
            for item in connector.permissions:
                out.print(f"    - {_t(item)}")
        out.print("  collects:")
        for item in connector.collects:
            out.print(f"    - {_t(item)}")
        out.print()


# -- auth -----------------------------------------------------------------------------------------


@cli.group()
def auth() -> None:
    """Manage connection credentials (OS keyring first, then STACKAUDIT_CREDENTIAL_<NAME>)."""


def _connector_for(obj: Context, config: Config, name: str) -> Any:
    connection = config.connection(name)
    registry = obj.host(config).connectors()
    if connection.connector not in registry:
        raise ConfigError(f"connection {name!r} names unknown connector {connection.connector!r}",
                          path=str(config.path), fix="use one of: " + ", ".join(registry.ids()))
    return registry.get(connection.connector)


@auth.command("set")
@click.argument("name")
@config_option
@click.option("--stdin", "from_stdin", is_flag=True,
              help="Read a JSON object of fields (or a bare secret) from standard input instead of prompting.")
@click.pass_obj
@handle_errors
def auth_set(obj: Context, name: str, config_path: Path, from_stdin: bool) -> None:
    """Store credentials for connection NAME in the OS keyring (input is hidden).

    \b
    Examples:
      stackaudit auth set salesforce-prod
      vault read -field=json secret/sf | stackaudit auth set salesforce-prod --stdin
    """
    from stackaudit.credentials import parse_secret

    config = load_config(config_path)
    connector = _connector_for(obj, config, name)
    spec = connector.credentials
    if not spec.required:
        raise UsageError(f"{connector.title} needs no credentials", fix=f"scan {name} as it is")
    if from_stdin:
        values = parse_secret(sys.stdin.read(), plain_field=spec.plain, origin="standard input")
    else:
        out.print(f"{_t(connector.title)} needs {_t(spec.describe())}; leave a field empty to skip it.")
        values = {}
        for field in spec.fields:
            value = click.prompt(f"  {field.name}", default="", hide_input=field.secret, show_default=False)
            if value:
                values[field.name] = value
    redactor.add_all(values.values())
    if spec.satisfied_by(values) is None:
        raise UsageError(f"{connector.title} needs {spec.describe()}; got {', '.join(values) or 'nothing'}",
                         fix=f"run 'stackaudit auth set {name}' again and fill {spec.describe()}")
    CredentialStore().store(name, values)
    out.print(f"stored {', '.join(sorted(values))} for {name} in the OS keyring")


@auth.command("status")
@config_option
@click.pass_obj
@handle_errors
def auth_status(obj: Context, config_path: Path) -> None:
    """Show which connections have credentials and where from (never the values).

    \b
    Example:
      stackaudit auth status -c stackaudit.toml
    """
    config = load_config(config_path)
    registry = obj.host(config).connectors()
    store = CredentialStore()
    table = Table(show_edge=False)
    for column in ("connection", "connector", "credentials", "source", "fields"):
        table.add_column(column)
    for connection in config.connections:
        if connection.connector not in registry:
            table.add_row(_t(connection.name), _t(connection.connector), "[red]unknown connector[/]", "-", "-")
            continue
        spec = registry.get(connection.connector).credentials
        if not spec.required:
            table.add_row(connection.name, connection.connector, "[green]not needed[/]", "-", "-")
            continue
        try:
            found = store.find(connection.name, spec)
        except StackAuditError as exc:
            table.add_row(_t(connection.name), _t(connection.connector), f"[red]invalid[/]: {_t(exc.message)}", "-",
                          "-")
            continue
        if found is None:
            table.add_row(_t(connection.name), _t(connection.connector), "[red]missing[/]", "-",
                          f"set with 'stackaudit auth set {connection.name}' or {env_var_name(connection.name)}")
        else:
            ok = spec.satisfied_by(found.values) is not None
            table.add_row(_t(connection.name), _t(connection.connector),
                          "[green]ok[/]" if ok else "[yellow]incomplete[/]",
                          _t(f"{found.source} ({found.location})"), _t(", ".join(sorted(found.values))))
    out.print(table)
    if store.keyring_problem:
        out.print(f"note: {store.keyring_problem}; use STACKAUDIT_CREDENTIAL_<NAME> environment variables")


@auth.command("delete")
@click.argument("name")
@handle_errors
def auth_delete(name: str) -> None:
    """Delete connection NAME's credentials from the OS keyring.

    \b
    Example:
      stackaudit auth delete salesforce-prod
    """
    if CredentialStore().delete(name):
        out.print(f"deleted the keyring entry for {name}")
    else:
        out.print(f"no keyring entry for {name}; if it is set in {env_var_name(name)}, unset that variable")


cli.add_command(plugin)
cli.add_command(history_commands.history)
cli.add_command(history_commands.diff)


def main() -> None:
    """Console-script entry point: lets plugins add commands, then runs the CLI."""
    try:
        create_host().add_commands(cli)
    except StackAuditError as exc:
        err.print(f"[yellow]warning:[/] plugin commands not loaded: {_t(exc)}")
    cli()
