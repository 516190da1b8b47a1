"""The scan history on the command line: ``stackaudit history``, ``stackaudit diff``, and what ``scan`` and
``demo`` do with the history (record the scan, compare it with the baseline, ``--fail-on-new``)."""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from stackaudit.config import DEFAULT_CONFIG, Config, load_config
from stackaudit.errors import HistoryError
from stackaudit.history import (
    KINDS,
    HistoryStore,
    Item,
    ScanDiff,
    ScanInfo,
    compare,
    config_digest,
    default_db_path,
    diff_scans,
)
from stackaudit.history.diff import NOT_SEEN, PLURAL, WORDS
from stackaudit.model import Finding, Inventory, Severity

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False)

F = TypeVar("F", bound=Callable[..., Any])

SCAN_LISTED = 20  # new findings listed after a scan; `stackaudit diff` lists them all


def _handled(func: F) -> F:
    """The CLI's error handling (imported when the command runs: the CLI module imports this one)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from stackaudit.cli import handle_errors

        return handle_errors(func)(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def db_path(config: Config) -> Path:
    """The config's history database: ``[history] db``, else ``<config dir>/.stackaudit/history.db``."""
    if config.history_db is not None:
        return config.history_db
    return default_db_path(config.path or Path(DEFAULT_CONFIG))


# -- scan and demo ----------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class HistoryRequest:
    """What ``scan``/``demo`` were asked to do with the history."""

    db: Path | None = None
    record: bool = True
    fail_on_new: bool = False
    baseline: int | None = None


def history_options(func: F) -> F:
    """Add --db, --no-history, --fail-on-new and --baseline; the command receives them as ``history``."""

    @functools.wraps(func)
    def wrapper(*args: Any, db: Path | None, no_history: bool, fail_on_new: bool, baseline: int | None,
                **kwargs: Any) -> Any:
        request = HistoryRequest(db=db, record=not no_history, fail_on_new=fail_on_new, baseline=baseline)
        return func(*args, history=request, **kwargs)

    options = [
        click.option("--baseline", type=int, metavar="SCAN_ID",
                     help="Compare with this recorded scan [default: the previous scan of the same config]."),
        click.option("--fail-on-new", is_flag=True,
                     help="Exit 1 only for NEW unwaived findings at or above --fail-on (not in the baseline scan)."),
        click.option("--no-history", is_flag=True, help="Do not record this scan in the history database."),
        click.option("--db", type=click.Path(path_type=Path, dir_okay=False),
                     help="History database [default: [history] db, else .stackaudit/history.db beside the config]."),
    ]
    decorated: Any = wrapper
    for option in options:
        decorated = option(decorated)
    return decorated  # type: ignore[no-any-return]


class ScanHistory:
    """A scan's side of the history.

    Opened before anything is scanned (a bad ``--db`` or ``--baseline`` fails first); :meth:`compare` once the
    findings are known: records the scan and returns the diff for the reports; :meth:`conclude` after the
    reports are written: prints what changed and applies ``--fail-on-new`` to the exit code. A scan that
    cannot be recorded is still compared and reported; the error comes after the reports are written.
    """

    def __init__(self, request: HistoryRequest, config: Config) -> None:
        self.request = request
        self.config = config
        path = request.db or db_path(config)
        self.store: HistoryStore | None = None
        if path.exists() or request.record:
            self.store = HistoryStore(path, create=request.record)
        elif request.baseline is not None:
            raise HistoryError(f"--baseline {request.baseline}: there is no scan history at {path}",
                               fix="pass --db with the history database, or drop --baseline")
        self.key = self.store.config_key(config.path) if self.store else ""
        self.baseline: ScanInfo | None = None
        if self.store is not None:
            self.baseline = (self.store.scan(request.baseline) if request.baseline is not None
                             else self.store.latest(config=self.key))
        self.scope = [c.name for c in config.connections if c.enabled]
        self.diff: ScanDiff | None = None
        self.recorded: ScanInfo | None = None
        self.failure: HistoryError | None = None
        self._inventory: Inventory | None = None

    @property
    def path(self) -> Path:
        return self.request.db or db_path(self.config)

    def compare(self, inventory: Inventory, findings: list[Finding], checks: Sequence[Any] = ()) -> ScanDiff | None:
        """Record the scan (unless --no-history) and return the diff between the baseline and it, "since
        the last review" (None without a baseline)."""
        self._inventory = inventory
        if self.store is None:
            return None
        if self.request.record:
            try:
                self.recorded = self.store.record(inventory, findings, config=self.key,
                                                  config_digest=config_digest(self.config.path), scope=self.scope,
                                                  checks=checks)
            except HistoryError as exc:
                self.failure = exc
        if self.baseline is None:
            return None
        if self.recorded is not None:
            self.diff = compare(self.store, self.baseline.id, self.recorded.id)
        else:
            current = self.store.preview(inventory, findings, config=self.key, scope=self.scope, checks=checks)
            self.diff = diff_scans(self.store.snapshot(self.baseline.id), current, old_scan=self.baseline)
        return self.diff

    def conclude(self, code: int, fail_on: Severity) -> int:
        """Print what changed and return the exit code to use (--fail-on-new)."""
        try:
            return self._conclude(code, fail_on)
        finally:
            if self.store is not None:
                self.store.close()

    def _conclude(self, code: int, fail_on: Severity) -> int:
        from stackaudit.cli import ExitCode

        inventory = self._inventory
        if inventory is None:
            return code
        if self.failure is not None:
            raise HistoryError(f"the scan could not be recorded in the history: {self.failure.message}",
                               fix=self.failure.fix or "the reports are written; fix the database and scan again")
        if self.recorded is not None:
            out.print(f"\nRecorded as scan #{self.recorded.id} in {escape(str(self.path))}")
        if self.diff is not None:
            out.print(f"\n[bold]Since scan #{self.diff.old_scan.id}[/] ({_when(self.diff.old_scan)}):")
            _print_diff(self.diff, listed=SCAN_LISTED, unchanged=False)
        elif self.store is not None or self.request.fail_on_new:
            out.print("\nNo earlier scan of this config to compare with: this scan is the baseline.")
        if not self.request.fail_on_new or code != ExitCode.FINDINGS:
            return code
        if self.diff is None:
            err.print("note: --fail-on-new has no baseline scan, so every finding counts as new")
            return code
        new = self.diff.new_findings(fail_on)
        if new:
            out.print(f"{len(new)} new unwaived finding(s) at or above {fail_on}: exit {int(ExitCode.FINDINGS)}")
            return code
        return ExitCode.OK if inventory.complete else ExitCode.INCOMPLETE


# -- stackaudit history / diff ----------------------------------------------------------------------


def _open(config_path: Path, db: Path | None) -> tuple[HistoryStore, str | None]:
    """The history to read, and the config key of ``config_path`` when the config was used to find it."""
    if db is not None:
        return HistoryStore(db, create=False), None
    config = load_config(config_path)
    store = HistoryStore(db_path(config), create=False)
    return store, store.config_key(config.path)


def _location_options(func: F) -> F:
    func = click.option("--db", type=click.Path(path_type=Path, dir_okay=False),
                        help="History database [default: the config's].")(func)
    return click.option("-c", "--config", "config_path", type=click.Path(path_type=Path), default=DEFAULT_CONFIG,
                        show_default=True, help="The stackaudit.toml whose history to use.")(func)


@click.group(invoke_without_command=True)
@_location_options
@click.option("--limit", type=click.IntRange(1), default=50, show_default=True, help="Show at most this many scans.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_context
@_handled
def history(ctx: click.Context, config_path: Path, db: Path | None, limit: int, as_json: bool) -> None:
    """List the recorded scans, newest first (every 'stackaudit scan' is recorded).

    The history lives in .stackaudit/history.db beside the config, or where the config's
    [history] db or --db says.

    \b
    Examples:
      stackaudit history
      stackaudit history prune --keep 20
    """
    if ctx.invoked_subcommand is not None:
        return
    store, _key = _open(config_path, db)
    with store:
        scans = store.scans(limit=limit)
    if as_json:
        click.echo(json.dumps([s.to_dict() for s in scans], indent=2))
        return
    if not scans:
        out.print(f"no scans recorded in {escape(str(store.path))}")
        return
    several = len({s.config for s in scans}) > 1  # a database shared by several configs
    table = Table(show_edge=False)
    for column in ("scan", "recorded (UTC)", "status", "complete", "records", "findings", "took",
                   *(("config",) if several else ())):
        table.add_column(column)
    for s in scans:
        colour = {"complete": "green", "partial": "yellow"}.get(s.status, "red")
        waived = s.findings - s.unwaived
        table.add_row(f"#{s.id}", _when(s), f"[{colour}]{s.status}[/]", f"{s.complete_connections}/{s.connections}",
                      str(s.records), f"{s.unwaived}" + (f" (+{waived} waived)" if waived else ""),
                      f"{s.timings.get('scan_s', 0):.1f}s", *((escape(s.config),) if several else ()))
    out.print(table)
    if not several:
        out.print(f"config: {escape(scans[0].config)} (relative to {escape(str(store.path.parent))})")


@history.command("prune")
@click.option("--keep", type=click.IntRange(1), required=True, metavar="N",
              help="Keep the N most recent scans of each config.")
@_location_options
@click.pass_context
@_handled
def history_prune(ctx: click.Context, keep: int, config_path: Path, db: Path | None) -> None:
    """Delete all but the N most recent scans of each config, and compact the database.

    \b
    Example:
      stackaudit history prune --keep 20
    """
    parent = ctx.parent.params if ctx.parent else {}
    store, _key = _open(config_path, db or parent.get("db"))
    with store:
        deleted = store.prune(keep)
        left = len(store.scans())
    out.print(f"deleted {deleted} scan(s); {left} left in {escape(str(store.path))}")


@click.command("diff")
@click.argument("old", type=int, required=False)
@click.argument("new", type=int, required=False)
@_location_options
@click.option("--json", "as_json", is_flag=True, help="Print the diff as JSON.")
@_handled
def diff(old: int | None, new: int | None, config_path: Path, db: Path | None, as_json: bool) -> None:
    """Show what changed between two recorded scans: findings new / resolved / unchanged / newly
    waived, systems and flows that appeared or disappeared, grants added or revoked.

    NEW defaults to the latest scan (of the config), OLD to the scan of the same config before NEW.
    A connection that failed or was only partly read in NEW never makes anything disappear or resolve:
    what it had is listed as "not seen this scan (connection incomplete)".

    \b
    Examples:
      stackaudit diff              the last two scans
      stackaudit diff 12           scan #12 against the latest
      stackaudit diff 12 15 --json
    """
    store, key = _open(config_path, db)
    with store:
        if new is None:
            latest = store.latest(config=key) or store.latest()
            if latest is None:
                raise HistoryError(f"no scans recorded in {store.path}", fix="run 'stackaudit scan' first")
            new = latest.id
        if old is None:
            previous = store.previous(new)
            if previous is None:
                raise HistoryError(f"scan #{new} is the first scan of its config: nothing to compare it with",
                                   fix="pass two scan ids ('stackaudit history' lists them)")
            old = previous.id
        result = compare(store, old, new)
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2))
        return
    newer = result.new_scan
    assert newer is not None
    out.print(f"[bold]Scan #{newer.id}[/] ({_when(newer)}, {newer.status}) compared with scan "
              f"#{result.old_scan.id} ({_when(result.old_scan)}, {result.old_scan.status})")
    _print_diff(result, listed=None, unchanged=True)


# -- text ------------------------------------------------------------------------------------------


def _when(scan: ScanInfo) -> str:
    return scan.recorded_at.strftime("%Y-%m-%d %H:%M")


def _print_diff(result: ScanDiff, *, listed: int | None, unchanged: bool) -> None:
    """The diff as text; ``listed`` caps the items shown per list (None: all)."""
    if result.config_changed:
        out.print("  the config file changed between the two scans")
    for kind in KINDS:
        changes = result.of(kind)
        words = WORDS[kind]
        counts = [f"{len(changes.added)} {words['added']}", f"{len(changes.removed)} {words['removed']}"]
        if kind == "finding":
            counts.append(f"{len(changes.newly_waived)} newly waived")
            if changes.no_longer_waived:
                counts.append(f"{len(changes.no_longer_waived)} no longer waived")
        counts.append(f"{len(changes.unchanged)} unchanged")
        if changes.not_seen:
            counts.append(f"{len(changes.not_seen)} {NOT_SEEN}")
        out.print(f"  {PLURAL[kind].capitalize()}: " + ", ".join(counts))
        sections: list[tuple[str, str, tuple[Item, ...]]] = [
            ("+", words["added"], changes.added), ("-", words["removed"], changes.removed),
            ("~", "newly waived", changes.newly_waived), ("!", "no longer waived", changes.no_longer_waived),
            ("?", "not seen", changes.not_seen)]
        if unchanged and kind == "finding":
            sections.append(("=", "unchanged", changes.unchanged))
        for mark, _word, items in sections:
            for item in items[:listed]:
                out.print(f"    {mark} {escape(_describe(item))}")
            if listed is not None and len(items) > listed:
                out.print(f"    {mark} … and {len(items) - listed} more ('stackaudit diff' lists them all)")
    if result.incomplete:
        out.print("  Not fully read this scan (what they had is carried as not seen, not gone):")
        for state in result.incomplete:
            out.print(f"    {escape(state.describe())}")


def _describe(item: Item) -> str:
    attrs = item.attrs
    if item.kind == "finding":
        text = f"{attrs.get('severity', ''):<8} {item.label} [{item.id}]"
        if attrs.get("waived") and attrs.get("waiver"):
            text += f" — waived: {attrs['waiver']}"
    elif item.kind == "flow":
        text = f"{item.label} ({attrs.get('flow_kind') or 'flow'}: {attrs.get('source')} -> {attrs.get('target')})"
    elif item.kind == "grant":
        text = f"{item.label} ({attrs.get('grant_kind') or attrs.get('record')} in {attrs.get('system') or '?'})"
    else:
        text = f"{item.label} [{item.id}]"
    if item.carried:
        seen = f"scan #{item.last_seen_scan}" if item.last_seen_scan else "an earlier scan"
        text += f" — {item.reason}; last seen in {seen}"
    return text
