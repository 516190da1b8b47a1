"""Scan history: every scan recorded in SQLite, and what changed since the last review.

    with HistoryStore(default_db_path(config_path)) as store:
        scan = store.record(inventory, findings, config=store.config_key(config_path), scope=names)
        review = since_last_review(store, scan.id)     # None for the first scan of a config

A diff never takes "not read this time" for "gone": see :mod:`stackaudit.history.snapshot`.
"""

from stackaudit.errors import HistoryError
from stackaudit.history.diff import Changes, ScanDiff, compare, diff_scans, since_last_review
from stackaudit.history.snapshot import KINDS, ConnectionState, Item, Snapshot, carry_forward, unseen_reason
from stackaudit.history.store import (
    MIGRATIONS,
    SCHEMA_VERSION,
    HistoryStore,
    ScanInfo,
    config_digest,
    default_db_path,
    migrate,
)

__all__ = [
    "KINDS",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "Changes",
    "ConnectionState",
    "HistoryError",
    "HistoryStore",
    "Item",
    "ScanDiff",
    "ScanInfo",
    "Snapshot",
    "carry_forward",
    "compare",
    "config_digest",
    "default_db_path",
    "diff_scans",
    "migrate",
    "since_last_review",
    "unseen_reason",
]
