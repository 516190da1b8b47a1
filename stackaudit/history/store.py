"""The scan history: every scan recorded in an embedded SQLite database (stdlib :mod:`sqlite3`).

Each scan keeps its config (path and digest), organization, connection results and coverage gaps,
findings, the full inventory, check coverage, timings, and the per-kind items a diff compares
(:mod:`stackaudit.history.snapshot`). Location: ``<config dir>/.stackaudit/history.db`` unless the config's
``[history] db`` or ``--db`` says otherwise.

Durability: the database runs in WAL mode with a busy timeout, and each scan is written in ONE
``BEGIN IMMEDIATE`` transaction, so a scan interrupted or killed while it is written leaves the database
exactly as it was. Every text stored goes through the redactor first (the inventory holds no secrets by
design; this is the second layer).

Schema changes are migrations: ``schema_version`` holds the version, :data:`MIGRATIONS` is the ordered list
of functions that bring a database from one version to the next, all pending ones run in one transaction
when a database is opened. A database written by a newer stackaudit is refused, never downgraded.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import sqlite3
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from stackaudit.errors import HistoryError
from stackaudit.history.snapshot import (
    ConnectionState,
    Item,
    Snapshot,
    carry_forward,
    check_states,
    finding_data,
    memoized,
    redact_tree,
    utc_text,
)
from stackaudit.model import CoverageStatus, Inventory, Severity, to_jsonable
from stackaudit.redaction import Redactor
from stackaudit.redaction import redactor as default_redactor

DEFAULT_DIR = ".stackaudit"
DEFAULT_NAME = "history.db"
BUSY_TIMEOUT_S = 30.0
INVENTORY_DOCUMENT = "inventory"
FINDINGS_DOCUMENT = "findings"
CHECKS_DOCUMENT = "check_coverage"

Checkpoint = Callable[[str], None]


def default_db_path(config_path: Path) -> Path:
    """Where a config's history lives unless configured otherwise: ``<config dir>/.stackaudit/history.db``."""
    return config_path.resolve().parent / DEFAULT_DIR / DEFAULT_NAME


_LOOPBACK_PORT = re.compile(rb"(https?://(?:127\.0\.0\.1|localhost|\[::1\])):\d+")


def config_digest(config_path: Path | None) -> str:
    """SHA-256 of the config file ("" when there is no file): tells whether the config changed.

    Ports of loopback addresses are left out: the local emulator (and ``stackaudit demo``) picks a free port
    on every run, which is not a change of configuration.
    """
    if config_path is None:
        return ""
    try:
        content = config_path.read_bytes()
    except OSError:
        return ""
    return hashlib.sha256(_LOOPBACK_PORT.sub(rb"\1", content)).hexdigest()


@dataclasses.dataclass(frozen=True)
class ScanInfo:
    """One recorded scan, as ``stackaudit history`` lists it."""

    id: int
    config: str  # the config's path, relative to the database's folder when it can be
    config_digest: str
    organization: str
    generator: str
    started_at: datetime
    recorded_at: datetime
    status: str  # complete | partial | failed
    connections: int
    complete_connections: int
    records: int
    findings: int
    unwaived: int
    counts: Mapping[str, int]
    timings: Mapping[str, float]

    def to_dict(self) -> dict[str, Any]:
        return to_jsonable(self)  # type: ignore[no-any-return]


# -- migrations -------------------------------------------------------------------------------------


def _v1_scans(db: sqlite3.Connection) -> None:
    """Scans with their connections, coverage gaps, findings (one row each for queries; the full findings
    are a document) and documents (inventory, findings, check coverage: compressed JSON)."""
    db.execute("""
        CREATE TABLE scans (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            config TEXT NOT NULL,
            config_digest TEXT NOT NULL,
            organization TEXT NOT NULL,
            generator TEXT NOT NULL,
            started_at TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            status TEXT NOT NULL,
            connections INTEGER NOT NULL,
            complete_connections INTEGER NOT NULL,
            records INTEGER NOT NULL,
            findings INTEGER NOT NULL,
            unwaived INTEGER NOT NULL,
            counts TEXT NOT NULL,
            timings TEXT NOT NULL
        )""")
    db.execute("CREATE INDEX scans_by_config ON scans (config, id)")
    db.execute("""
        CREATE TABLE connections (
            scan_id INTEGER NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            connector TEXT NOT NULL,
            status TEXT NOT NULL,
            base_url TEXT NOT NULL,
            started_at TEXT,
            duration_s REAL NOT NULL,
            requests INTEGER NOT NULL,
            retries INTEGER NOT NULL,
            records TEXT NOT NULL,
            message TEXT NOT NULL,
            PRIMARY KEY (scan_id, name)
        )""")
    db.execute("""
        CREATE TABLE gaps (
            scan_id INTEGER NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
            connection TEXT NOT NULL,
            area TEXT NOT NULL,
            reason TEXT NOT NULL,
            error TEXT NOT NULL
        )""")
    db.execute("CREATE INDEX gaps_by_scan ON gaps (scan_id)")
    db.execute("""
        CREATE TABLE findings (
            scan_id INTEGER NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
            finding_id TEXT NOT NULL,
            check_id TEXT NOT NULL,
            category TEXT NOT NULL,
            severity INTEGER NOT NULL,
            title TEXT NOT NULL,
            waived INTEGER NOT NULL,
            PRIMARY KEY (scan_id, finding_id)
        )""")
    db.execute("""
        CREATE TABLE documents (
            scan_id INTEGER NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            encoding TEXT NOT NULL,
            body BLOB NOT NULL,
            PRIMARY KEY (scan_id, name)
        )""")


def _v2_items(db: sqlite3.Connection) -> None:
    """Items, the per-kind summaries a diff compares, with what each scan carried forward unseen.

    Backfilled from the inventories and findings already stored, oldest scan first per config.
    """
    db.execute("""
        CREATE TABLE items (
            scan_id INTEGER NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
            kind TEXT NOT NULL,
            item_id TEXT NOT NULL,
            label TEXT NOT NULL,
            connections TEXT NOT NULL,
            attrs TEXT NOT NULL,
            carried INTEGER NOT NULL,
            reason TEXT NOT NULL,
            last_seen_scan INTEGER,
            last_seen_at TEXT NOT NULL,
            PRIMARY KEY (scan_id, kind, item_id)
        ) WITHOUT ROWID""")
    previous: dict[str, Snapshot] = {}
    for scan_id, config, recorded_at in db.execute("SELECT id, config, recorded_at FROM scans ORDER BY id").fetchall():
        document = _read_document(db, scan_id, INVENTORY_DOCUMENT)
        inventory = Inventory.from_dict(document) if document else Inventory()
        findings = _read_document(db, scan_id, FINDINGS_DOCUMENT) or []
        scope = [row[0] for row in db.execute("SELECT name FROM connections WHERE scan_id = ?", (scan_id,))]
        snapshot = Snapshot.from_scan(inventory, findings, scope=scope,
                                      checks=_read_document(db, scan_id, CHECKS_DOCUMENT) or ())
        snapshot = dataclasses.replace(snapshot, connections=_connection_states(db, scan_id), scan_id=scan_id,
                                       recorded_at=recorded_at)
        if config in previous:
            snapshot = carry_forward(previous[config], snapshot)
        _insert_items(db, scan_id, snapshot)
        previous[config] = snapshot


#: Version N of the schema is what the first N migrations build. Append; never edit a released one.
MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (_v1_scans, _v2_items)
SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(db: sqlite3.Connection) -> int:
    exists = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'").fetchone()
    if not exists:
        return 0
    row = db.execute("SELECT version FROM schema_version").fetchone()
    return int(row[0]) if row else 0


def _known_version(db: sqlite3.Connection) -> int:
    found = schema_version(db)
    if found > SCHEMA_VERSION:
        raise HistoryError(f"the history database has schema version {found}; this stackaudit knows up to "
                           f"{SCHEMA_VERSION}", fix="upgrade stackaudit, or pass --db to use another database")
    return found


def migrate(db: sqlite3.Connection, target: int = SCHEMA_VERSION) -> int:
    """Run the pending migrations up to ``target`` in one transaction. Returns the version found before."""
    found = _known_version(db)
    if found >= target:
        return found
    db.execute("BEGIN IMMEDIATE")
    try:
        found = _known_version(db)  # another process may have migrated while we waited for the lock
        if found < target:
            if found == 0:
                db.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
                db.execute("INSERT INTO schema_version (version) VALUES (0)")
            for version in range(found, target):
                MIGRATIONS[version](db)
            db.execute("UPDATE schema_version SET version = ?", (target,))
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    return found


# -- the store --------------------------------------------------------------------------------------


class HistoryStore:
    """The history database. Open it with a path; pending migrations run on open.

    :param create: create the database (and its folder) when missing; when False a missing file is a
        :class:`~stackaudit.errors.HistoryError` (read-only commands must not leave empty databases behind).
    :param redactor: every text stored goes through it (default: the process-wide redactor that holds
        every credential value read).
    """

    def __init__(self, path: Path, *, create: bool = True, redactor: Redactor = default_redactor,
                 busy_timeout: float = BUSY_TIMEOUT_S) -> None:
        self.path = path
        self.redactor = redactor
        if not path.exists():
            if not create:
                raise HistoryError(f"no scan history at {path}",
                                   fix="run 'stackaudit scan' first (it records every scan), or pass --db PATH")
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise HistoryError(f"cannot create {path.parent}: {exc.strerror}",
                                   fix="pass --db with a writable path, or set [history] db in the config") from None
        try:
            self._db = sqlite3.connect(str(path), timeout=busy_timeout, isolation_level=None)
        except sqlite3.Error as exc:
            raise HistoryError(f"cannot open the history database {path}: {exc}",
                               fix="pass --db with a writable path, or set [history] db in the config") from None
        try:
            self._db.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA foreign_keys = ON")
            self.migrated_from = migrate(self._db)
        except sqlite3.OperationalError as exc:
            self._db.close()
            raise HistoryError(f"cannot open the history database {path}: {exc}",
                               fix="if another scan is writing it, retry when it has finished") from None
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise HistoryError(f"{path} is not a usable history database: {exc}",
                               fix="pass --db to use another file, or move this one away") from None
        except BaseException:
            self._db.close()
            raise

    # -- plumbing --------------------------------------------------------------------------------

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _transaction(self, mode: str = "") -> Iterator[sqlite3.Connection]:
        try:
            self._db.execute(f"BEGIN {mode}")
        except sqlite3.OperationalError as exc:
            raise HistoryError(f"the history database {self.path} is busy: {exc}",
                               fix="another scan is writing it; retry when it has finished") from None
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    @property
    def schema_version(self) -> int:
        return schema_version(self._db)

    def config_key(self, config_path: Path | None) -> str:
        """How scans name their config: its path relative to the database's folder when possible.

        Relative, so a database committed or cached next to the config keeps matching on another machine.
        """
        if config_path is None:
            return ""
        config = config_path.resolve()
        try:
            return Path(os.path.relpath(config, self.path.resolve().parent)).as_posix()
        except ValueError:  # another drive
            return config.as_posix()

    def _text(self, value: str) -> str:
        return self.redactor.redact(value)

    # -- reading ---------------------------------------------------------------------------------

    def scans(self, *, config: str | None = None, limit: int | None = None) -> list[ScanInfo]:
        """Recorded scans, newest first; only those of ``config`` (a :meth:`config_key`) when given."""
        sql = f"SELECT {_SCAN_COLUMNS} FROM scans"
        params: list[Any] = []
        if config is not None:
            sql += " WHERE config = ?"
            params.append(self._text(config))
        sql += " ORDER BY id DESC"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [_scan_info(row) for row in self._db.execute(sql, params)]

    def scan(self, scan_id: int) -> ScanInfo:
        row = self._db.execute(f"SELECT {_SCAN_COLUMNS} FROM scans WHERE id = ?", (scan_id,)).fetchone()
        if row is None:
            raise HistoryError(f"there is no scan #{scan_id} in {self.path}",
                               fix="'stackaudit history' lists the recorded scans")
        return _scan_info(row)

    def latest(self, *, config: str | None = None) -> ScanInfo | None:
        found = self.scans(config=config, limit=1)
        return found[0] if found else None

    def previous(self, scan_id: int) -> ScanInfo | None:
        """The scan of the same config recorded just before ``scan_id``."""
        config = self.scan(scan_id).config
        row = self._db.execute(f"SELECT {_SCAN_COLUMNS} FROM scans WHERE config = ? AND id < ? ORDER BY id DESC "
                               "LIMIT 1", (config, scan_id)).fetchone()
        return _scan_info(row) if row else None

    def snapshot(self, scan_id: int) -> Snapshot:
        """What scan ``scan_id`` saw and carried, for :func:`stackaudit.history.diff_scans`."""
        info = self.scan(scan_id)
        with self._transaction() as db:
            return _read_snapshot(db, scan_id, utc_text(info.recorded_at))

    def inventory(self, scan_id: int) -> Inventory:
        self.scan(scan_id)
        document = _read_document(self._db, scan_id, INVENTORY_DOCUMENT)
        if document is None:
            raise HistoryError(f"scan #{scan_id} has no stored inventory", fix="pick another scan")
        return Inventory.from_dict(document)

    def findings(self, scan_id: int) -> list[dict[str, Any]]:
        """The scan's findings as stored (their JSON fields plus ``id``), most severe first."""
        self.scan(scan_id)
        findings: list[dict[str, Any]] = _read_document(self._db, scan_id, FINDINGS_DOCUMENT) or []
        return sorted(findings, key=lambda f: (-int(_severity(f.get("severity"))), str(f.get("id"))))

    # -- writing ---------------------------------------------------------------------------------

    def preview(self, inventory: Inventory, findings: Iterable[Any], *, config: str = "",
                scope: Iterable[str] = (), checks: Iterable[Any] = ()) -> Snapshot:
        """The snapshot :meth:`record` would store for this scan now (carried items included), without writing."""
        current = Snapshot.from_scan(inventory, findings, scope=scope, checks=checks, redactor=self.redactor)
        with self._transaction() as db:
            previous = _latest_snapshot(db, self._text(config))
        return carry_forward(previous, current) if previous else current

    def record(self, inventory: Inventory, findings: Sequence[Any], *, config: str = "", config_digest: str = "",
               scope: Iterable[str] = (), checks: Sequence[Any] = (), timings: Mapping[str, float] | None = None,
               checkpoint: Checkpoint | None = None) -> ScanInfo:
        """Record one scan in a single transaction and return it as listed.

        :param config: the config's :meth:`config_key`; the previous scan of the same config is what
            unseen items are carried from (and the default baseline of a diff).
        :param scope: every connection the config enables (see :meth:`Snapshot.from_scan`).
        :param checks: per-check coverage, stored and used so a check that did not run resolves nothing.
        :param checkpoint: called inside the transaction after each stage ("scan", "connections",
            "findings", "items", "documents") with the stage's name, to report progress.
        """
        step = checkpoint or (lambda stage: None)
        started = time.perf_counter()
        redact = memoized(self.redactor)
        text = redact

        def as_json(value: Any) -> str:  # value: JSON-ready already
            return json.dumps(redact_tree(value, redact), separators=(",", ":"), sort_keys=True)

        current = Snapshot.from_scan(inventory, findings, scope=scope, checks=checks, redactor=redact)
        stored: dict[str, dict[str, Any]] = {}
        for finding in findings:
            data = redact_tree(finding_data(finding), redact)
            stored.setdefault(str(data["id"]), data)
        recorded_at = datetime.now(UTC)
        states = current.connections
        all_timings = {"scan_s": round((recorded_at - inventory.generated_at).total_seconds(), 3), **(timings or {})}
        config = text(config)
        with self._transaction("IMMEDIATE") as db:
            previous = _latest_snapshot(db, config)
            cursor = db.execute(
                f"INSERT INTO scans ({_SCAN_COLUMNS.replace('id, ', '', 1)}) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    config, config_digest, text(inventory.organization),
                    text(inventory.generator), utc_text(inventory.generated_at), utc_text(recorded_at),
                    _scan_status(states.values()).value, len(states),
                    sum(1 for s in states.values() if s.status is CoverageStatus.COMPLETE),
                    len(inventory.records), len(stored), sum(1 for d in stored.values() if not d.get("waived")),
                    as_json(inventory.counts()), json.dumps(all_timings, sort_keys=True),
                ),
            )
            scan_id = int(cursor.lastrowid or 0)
            step("scan")
            results = {r.name: r for r in inventory.connections}
            for state in states.values():
                result = results.get(state.name)
                db.execute(
                    "INSERT INTO connections VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (scan_id, text(state.name), text(state.connector), state.status.value,
                     text(result.base_url) if result else "",
                     utc_text(result.started_at) if result and result.started_at else None,
                     result.duration_s if result else 0.0, result.requests if result else 0,
                     result.retries if result else 0, as_json(dict(result.records) if result else {}),
                     text(state.message)),
                )
            db.executemany("INSERT INTO gaps VALUES (?, ?, ?, ?, ?)", [
                (scan_id, text(g.connection), text(g.area), text(g.reason), text(g.error))
                for g in inventory.gaps])
            step("connections")
            db.executemany("INSERT INTO findings VALUES (?, ?, ?, ?, ?, ?, ?)", [
                (scan_id, finding_id, str(data.get("check_id", "")), str(data.get("category", "")),
                 int(_severity(data.get("severity"))), str(data.get("title", "")), int(bool(data.get("waived"))))
                for finding_id, data in stored.items()])
            _put_document(db, scan_id, FINDINGS_DOCUMENT, json.dumps(list(stored.values()), separators=(",", ":"),
                                                                     sort_keys=True))
            step("findings")
            snapshot = dataclasses.replace(current, scan_id=scan_id, recorded_at=utc_text(recorded_at))
            if previous is not None:
                snapshot = carry_forward(previous, snapshot)
            _insert_items(db, scan_id, snapshot)
            step("items")
            _put_document(db, scan_id, INVENTORY_DOCUMENT, as_json(inventory.to_dict()))
            if checks:
                _put_document(db, scan_id, CHECKS_DOCUMENT, as_json([to_jsonable(c) for c in checks]))
            db.execute("UPDATE scans SET timings = ? WHERE id = ?",
                       (json.dumps({**all_timings, "record_s": round(time.perf_counter() - started, 3)},
                                   sort_keys=True), scan_id))
            step("documents")
        return self.scan(scan_id)

    def prune(self, keep: int, *, config: str | None = None) -> int:
        """Delete all but the ``keep`` newest scans of each config (of ``config`` only when given).

        Returns how many scans were deleted. The file is compacted afterwards.
        """
        if keep < 1:
            raise HistoryError("prune must keep at least one scan", fix="pass --keep 1 or more")
        with self._transaction("IMMEDIATE") as db:
            configs = ([self._text(config)] if config is not None
                       else [r[0] for r in db.execute("SELECT DISTINCT config FROM scans")])
            deleted = 0
            for name in configs:
                cursor = db.execute("DELETE FROM scans WHERE id IN (SELECT id FROM scans WHERE config = ? "
                                    "ORDER BY id DESC LIMIT -1 OFFSET ?)", (name, keep))
                deleted += cursor.rowcount
        if deleted:
            self._db.execute("VACUUM")
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return deleted


# -- row helpers ------------------------------------------------------------------------------------

_SCAN_COLUMNS = ("id, config, config_digest, organization, generator, started_at, recorded_at, status, connections, "
                 "complete_connections, records, findings, unwaived, counts, timings")


def _scan_info(row: Sequence[Any]) -> ScanInfo:
    (scan_id, config, digest, organization, generator, started_at, recorded_at, status, connections, complete,
     records, findings, unwaived, counts, timings) = row
    return ScanInfo(
        id=int(scan_id), config=config, config_digest=digest, organization=organization, generator=generator,
        started_at=datetime.fromisoformat(started_at), recorded_at=datetime.fromisoformat(recorded_at),
        status=status, connections=int(connections), complete_connections=int(complete), records=int(records),
        findings=int(findings), unwaived=int(unwaived), counts=json.loads(counts), timings=json.loads(timings),
    )


def _scan_status(states: Iterable[ConnectionState]) -> CoverageStatus:
    statuses = [s.status for s in states]
    if all(s is CoverageStatus.COMPLETE for s in statuses):
        return CoverageStatus.COMPLETE
    if all(s in (CoverageStatus.FAILED, CoverageStatus.SKIPPED) for s in statuses):
        return CoverageStatus.FAILED
    return CoverageStatus.PARTIAL


def _severity(value: Any) -> Severity:
    if isinstance(value, int):
        return Severity(value)
    return Severity.parse(str(value or "info"))


def _put_document(db: sqlite3.Connection, scan_id: int, name: str, text: str) -> None:
    body = zlib.compress(text.encode(), 6)
    db.execute("INSERT INTO documents VALUES (?, ?, ?, ?)", (scan_id, name, "json+zlib", body))


def _read_document(db: sqlite3.Connection, scan_id: int, name: str) -> Any:
    row = db.execute("SELECT encoding, body FROM documents WHERE scan_id = ? AND name = ?", (scan_id, name)).fetchone()
    if row is None:
        return None
    encoding, body = row
    text = zlib.decompress(body).decode() if encoding == "json+zlib" else bytes(body).decode()
    return json.loads(text)


def _connection_states(db: sqlite3.Connection, scan_id: int) -> dict[str, ConnectionState]:
    areas: dict[str, set[str]] = {}
    for connection, area in db.execute("SELECT connection, area FROM gaps WHERE scan_id = ?", (scan_id,)):
        areas.setdefault(connection, set()).add(area)
    rows = db.execute("SELECT name, connector, status, message FROM connections WHERE scan_id = ? ORDER BY name",
                      (scan_id,))
    return {name: ConnectionState(name, connector, CoverageStatus(status), frozenset(areas.get(name, ())), message)
            for name, connector, status, message in rows}


def _insert_items(db: sqlite3.Connection, scan_id: int, snapshot: Snapshot) -> None:
    db.executemany("INSERT INTO items VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [
        (scan_id, item.kind, item.id, item.label, json.dumps(list(item.connections)),
         json.dumps(item.attrs, separators=(",", ":"), sort_keys=True), int(item.carried), item.reason,
         item.last_seen_scan, item.last_seen_at)
        for item in snapshot.items.values()])


def _read_snapshot(db: sqlite3.Connection, scan_id: int, recorded_at: str) -> Snapshot:
    items: dict[tuple[str, str], Item] = {}
    rows = db.execute("SELECT kind, item_id, label, connections, attrs, carried, reason, last_seen_scan, last_seen_at "
                      "FROM items WHERE scan_id = ?", (scan_id,))
    for kind, item_id, label, connections, attrs, carried, reason, last_scan, last_at in rows:
        items[(kind, item_id)] = Item(kind, item_id, label, tuple(json.loads(connections)), json.loads(attrs),
                                      bool(carried), reason, last_scan, last_at)
    return Snapshot(connections=_connection_states(db, scan_id), items=items,
                    checks=check_states(_read_document(db, scan_id, CHECKS_DOCUMENT) or ()),
                    scan_id=scan_id, recorded_at=recorded_at)


def _latest_snapshot(db: sqlite3.Connection, config: str) -> Snapshot | None:
    row = db.execute("SELECT id, recorded_at FROM scans WHERE config = ? ORDER BY id DESC LIMIT 1",
                     (config,)).fetchone()
    return _read_snapshot(db, int(row[0]), row[1]) if row else None
