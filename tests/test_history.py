"""The scan history: recording, diffing with the fail-safe, atomic writes, redaction, migrations, pruning."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import zlib
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from stackaudit.config import parse_config
from stackaudit.errors import ConfigError, HistoryError
from stackaudit.history import (
    SCHEMA_VERSION,
    HistoryStore,
    ScanDiff,
    Snapshot,
    compare,
    diff_scans,
    migrate,
    since_last_review,
)
from stackaudit.model import (
    ConnectionResult,
    CoverageGap,
    CoverageStatus,
    Credential,
    Evidence,
    Finding,
    Flow,
    Integration,
    Inventory,
    Record,
    Severity,
    System,
    SystemKind,
)
from stackaudit.redaction import MASK, Redactor

DATA = Path(__file__).parent / "data"

CRM, MAIL = "crm", "mail"


def ev(connection: str, source: str = "GET /x") -> tuple[Evidence, ...]:
    return (Evidence(connection, source),)


def baseline_records() -> list[Record]:
    """Two tenants: a CRM with a connected app and its token, a mail tool with a webhook to Zapier."""
    return [
        System(id="crm:tenant:1", evidence=ev(CRM), name="CRM", vendor="salesforce"),
        System(id="mail:tenant:1", evidence=ev(MAIL), name="Mail", vendor="mailchimp"),
        System(id="external:hooks.zapier.com", evidence=ev(MAIL), name="hooks.zapier.com",
               system_kind=SystemKind.EXTERNAL),
        Flow(id="crm:flow:sync", evidence=ev(CRM), source="crm:tenant:1", target="mail:tenant:1",
             flow_kind="native_sync", name="CRM to Mail"),
        Flow(id="mail:flow:webhook", evidence=ev(MAIL), source="mail:tenant:1", target="external:hooks.zapier.com",
             flow_kind="webhook", scheme="http", name="list webhook"),
        Integration(id="crm:integration:dataloader", evidence=ev(CRM), system="crm:tenant:1", name="Data Loader",
                    integration_kind="connected_app"),
        Credential(id="crm:credential:dataloader-token", evidence=ev(CRM), system="crm:tenant:1",
                   name="Data Loader token", credential_kind="oauth_token",
                   integration="crm:integration:dataloader"),
        Integration(id="mail:integration:canva", evidence=ev(MAIL), system="mail:tenant:1", name="Canva",
                    integration_kind="oauth_client"),
    ]


def finding(check_id: str, *subjects: str, severity: Severity = Severity.HIGH, waived: bool = False,
            title: str = "") -> Finding:
    # Positional: the subject field is the sixth.
    made = Finding(check_id, "security", severity, title or check_id, f"{check_id} on {', '.join(subjects)}",
                   tuple(subjects))
    return dataclasses.replace(made, waived=True) if waived else made


def baseline_findings() -> list[Finding]:
    return [
        finding("security-plain-http", "mail:flow:webhook"),
        finding("unowned-system", "crm:tenant:1", severity=Severity.MEDIUM),
        finding("shadow-it-recipient", "external:hooks.zapier.com"),
    ]


def inventory(records: Iterable[Record], *, statuses: dict[str, CoverageStatus] | None = None,
              gaps: Iterable[CoverageGap] = ()) -> Inventory:
    statuses = {CRM: CoverageStatus.COMPLETE, MAIL: CoverageStatus.COMPLETE, **(statuses or {})}
    connections = [ConnectionResult(name, {"crm": "salesforce", "mail": "mailchimp"}[name], status,
                                    base_url=f"https://{name}.example", started_at=datetime.now(UTC),
                                    message="" if status is CoverageStatus.COMPLETE else f"{name} did not answer")
                   for name, status in statuses.items()]
    return Inventory(records=list(records), connections=connections, gaps=list(gaps), organization="Northwind",
                     generator="stackaudit test")


def only(records: list[Record], connection: str) -> list[Record]:
    """What a scan gets when ``connection`` fails: the other connection's records only."""
    return [r for r in records if all(e.connection != connection for e in r.evidence)]


@pytest.fixture
def store(tmp_path: Path) -> HistoryStore:
    with HistoryStore(tmp_path / "history.db", redactor=Redactor()) as opened:
        yield opened


def record(store: HistoryStore, inv: Inventory, findings: list[Finding], **kwargs: Any) -> int:
    kwargs.setdefault("config", "../stackaudit.toml")
    kwargs.setdefault("scope", (CRM, MAIL))
    return store.record(inv, findings, **kwargs).id


def ids(items: Iterable[Any]) -> list[str]:
    return sorted(i.id for i in items)


# -- recording and diffing ------------------------------------------------------------------------


def test_two_scans_with_a_change_give_the_right_diff(store: HistoryStore) -> None:
    first = record(store, inventory(baseline_records()), baseline_findings())

    records = [r for r in baseline_records()
               if r.id not in {"mail:flow:webhook", "crm:credential:dataloader-token"}]  # webhook and token removed
    records += [
        System(id="external:app:calendly", evidence=ev(MAIL), name="Calendly", system_kind=SystemKind.EXTERNAL),
        Integration(id="mail:integration:calendly", evidence=ev(MAIL), system="mail:tenant:1", name="Calendly",
                    integration_kind="oauth_client"),
        Flow(id="mail:flow:calendly", evidence=ev(MAIL), source="mail:tenant:1", target="external:app:calendly",
             flow_kind="oauth_grant"),
    ]
    findings = [
        finding("unowned-system", "crm:tenant:1", severity=Severity.MEDIUM, waived=True),  # now waived
        finding("shadow-it-recipient", "external:hooks.zapier.com"),  # unchanged
        finding("shadow-it-oauth-app", "mail:integration:calendly", severity=Severity.CRITICAL),  # new
    ]  # security-plain-http is gone with the webhook
    second = record(store, inventory(records), findings)

    diff = compare(store, first, second)
    plain_http = finding("security-plain-http", "mail:flow:webhook").id
    assert ids(diff.findings.added) == [finding("shadow-it-oauth-app", "mail:integration:calendly").id]
    assert ids(diff.findings.removed) == [plain_http]
    assert ids(diff.findings.unchanged) == [finding("shadow-it-recipient", "external:hooks.zapier.com").id]
    assert ids(diff.findings.newly_waived) == [finding("unowned-system", "crm:tenant:1").id]
    assert diff.findings.not_seen == () and diff.findings.no_longer_waived == ()
    assert ids(diff.systems.added) == ["external:app:calendly"] and diff.systems.removed == ()
    assert ids(diff.flows.added) == ["mail:flow:calendly"]
    assert ids(diff.flows.removed) == ["mail:flow:webhook"]
    assert ids(diff.grants.added) == ["mail:integration:calendly"]
    assert ids(diff.grants.removed) == ["crm:credential:dataloader-token"]
    assert diff.incomplete == ()
    assert [i.id for i in diff.new_findings(Severity.CRITICAL)] == [diff.findings.added[0].id]
    assert diff.new_findings(Severity.CRITICAL)[0].attrs["severity"] == "critical"

    document = diff.to_dict()
    assert [f["id"] for f in document["findings"]["new"]] == [diff.findings.added[0].id]
    assert [f["id"] for f in document["findings"]["resolved"]] == [plain_http]
    assert [g["id"] for g in document["grants"]["revoked"]] == ["crm:credential:dataloader-token"]
    assert document["systems"]["appeared"][0]["id"] == "external:app:calendly"
    assert document["flows"]["disappeared"][0]["connections"] == [MAIL]
    assert document["systems"]["unchanged"] == 3
    json.dumps(document)


def test_a_failed_connection_marks_its_things_not_seen_and_resolves_nothing_of_it(store: HistoryStore) -> None:
    first = record(store, inventory(baseline_records()), baseline_findings())
    # The mail connection fails: none of its records come back, and the checks find nothing of it.
    crm_only = only(baseline_records(), MAIL)
    crm_only = [r for r in crm_only if r.id != "crm:credential:dataloader-token"]  # really revoked in the CRM
    second = record(store, inventory(crm_only, statuses={MAIL: CoverageStatus.FAILED},
                                     gaps=[CoverageGap(MAIL, "connection", "mail did not answer", "ServerError")]),
                    [finding("unowned-system", "crm:tenant:1", severity=Severity.MEDIUM)])

    diff = compare(store, first, second)
    mail_systems = ["external:hooks.zapier.com", "mail:tenant:1"]
    assert diff.systems.removed == () and ids(diff.systems.not_seen) == mail_systems
    assert diff.flows.removed == () and ids(diff.flows.not_seen) == ["mail:flow:webhook"]
    assert ids(diff.grants.not_seen) == ["mail:integration:canva"]
    assert ids(diff.findings.not_seen) == sorted([finding("security-plain-http", "mail:flow:webhook").id,
                                                  finding("shadow-it-recipient", "external:hooks.zapier.com").id])
    assert diff.findings.removed == ()
    for item in (*diff.systems.not_seen, *diff.findings.not_seen):
        assert item.reason.startswith("mail: failed")
        assert item.last_seen_scan == first
    # What the healthy connection shows is still a real change.
    assert ids(diff.grants.removed) == ["crm:credential:dataloader-token"]
    assert [c.name for c in diff.incomplete] == [MAIL]

    # Mail answers again with the same things: nothing is new, nothing came back "from nowhere".
    third = record(store, inventory([r for r in baseline_records() if r.id != "crm:credential:dataloader-token"]),
                   [*baseline_findings()])
    again = compare(store, second, third)
    assert again.findings.added == () and again.systems.added == () and again.flows.added == ()
    assert again.grants.added == () and again.findings.not_seen == ()
    assert finding("security-plain-http", "mail:flow:webhook").id in ids(again.findings.unchanged)


def test_carried_things_stay_not_seen_across_several_failed_scans_and_then_resolve(store: HistoryStore) -> None:
    record(store, inventory(baseline_records()), baseline_findings())
    failing = inventory(only(baseline_records(), MAIL), statuses={MAIL: CoverageStatus.FAILED})
    crm_findings = [finding("unowned-system", "crm:tenant:1", severity=Severity.MEDIUM)]
    record(store, failing, crm_findings)
    third = record(store, failing, crm_findings)
    diff = since_last_review(store, third)
    assert diff is not None
    assert ids(diff.systems.not_seen) == ["external:hooks.zapier.com", "mail:tenant:1"]
    assert all(i.last_seen_scan == 1 for i in diff.systems.not_seen)
    assert diff.systems.removed == () and diff.findings.removed == ()
    # Mail is read completely and the webhook really is gone: now it disappears, and its finding resolves.
    fourth = record(store, inventory([r for r in baseline_records() if r.id != "mail:flow:webhook"]),
                    [f for f in baseline_findings() if f.check_id != "security-plain-http"])
    final = since_last_review(store, fourth)
    assert final is not None
    assert ids(final.flows.removed) == ["mail:flow:webhook"]
    assert ids(final.findings.removed) == [finding("security-plain-http", "mail:flow:webhook").id]
    assert final.findings.added == () and final.systems.added == ()


def test_a_partly_read_connection_resolves_only_what_it_read_as_before(store: HistoryStore) -> None:
    refused = CoverageGap(MAIL, "authorized-apps", "403 missing scope", "PermissionDeniedError")
    records = baseline_records()
    first = record(store, inventory(records, statuses={MAIL: CoverageStatus.PARTIAL}, gaps=[refused]),
                   baseline_findings())
    # Same area refused as before: the rest of mail was read as fully as last time, so the webhook's removal is real.
    second = record(store, inventory([r for r in records if r.id != "mail:flow:webhook"],
                                     statuses={MAIL: CoverageStatus.PARTIAL}, gaps=[refused]),
                    [f for f in baseline_findings() if f.check_id != "security-plain-http"])
    diff = compare(store, first, second)
    assert ids(diff.flows.removed) == ["mail:flow:webhook"]
    assert ids(diff.findings.removed) == [finding("security-plain-http", "mail:flow:webhook").id]

    # A new area refused (webhooks): what mail had is no longer judged, it is not seen.
    webhooks = CoverageGap(MAIL, "webhooks", "403", "PermissionDeniedError")
    third = record(store, inventory([r for r in records if r.id not in {"mail:flow:webhook", "mail:integration:canva"}],
                                    statuses={MAIL: CoverageStatus.PARTIAL}, gaps=[refused, webhooks]), [])
    later = compare(store, second, third)
    assert later.grants.removed == () and ids(later.grants.not_seen) == ["mail:integration:canva"]
    assert "could not read authorized-apps, webhooks" in later.grants.not_seen[0].reason
    # ... but the CRM was complete, so its finding does resolve.
    assert ids(later.findings.removed) == [finding("unowned-system", "crm:tenant:1").id]


def test_a_connection_that_stopped_midway_is_never_trusted_even_with_the_same_gaps(store: HistoryStore) -> None:
    stopped = CoverageGap(MAIL, "connection", "connector crashed: KeyError", "KeyError")
    first = record(store, inventory(baseline_records(), statuses={MAIL: CoverageStatus.PARTIAL}, gaps=[stopped]),
                   baseline_findings())
    second = record(store, inventory([r for r in baseline_records() if r.id != "mail:flow:webhook"],
                                     statuses={MAIL: CoverageStatus.PARTIAL}, gaps=[stopped]), baseline_findings())
    diff = compare(store, first, second)
    assert diff.flows.removed == () and ids(diff.flows.not_seen) == ["mail:flow:webhook"]


def test_connections_not_selected_are_carried_and_removed_ones_are_not(store: HistoryStore) -> None:
    record(store, inventory(baseline_records()), baseline_findings())
    # `scan --connection crm`: mail is configured but was not selected this time.
    crm_run = Inventory(records=only(baseline_records(), MAIL), organization="Northwind",
                        connections=[ConnectionResult(CRM, "salesforce", CoverageStatus.COMPLETE)])
    second = record(store, crm_run, [finding("unowned-system", "crm:tenant:1", severity=Severity.MEDIUM)])
    diff = since_last_review(store, second)
    assert diff is not None and diff.systems.removed == () and diff.findings.removed == ()
    assert "mail: skipped (not selected for this scan)" in diff.systems.not_seen[0].reason
    assert store.scan(second).status == "partial"
    # Mail removed from the config: this diff says it was not in the scan, and nothing of it is carried on.
    third = record(store, crm_run, [finding("unowned-system", "crm:tenant:1", severity=Severity.MEDIUM)],
                   scope=(CRM,))
    removed = since_last_review(store, third)
    assert removed is not None and removed.systems.removed == ()
    assert {i.reason for i in removed.systems.not_seen} == {"mail: not in this scan"}
    fourth = record(store, crm_run, [finding("unowned-system", "crm:tenant:1", severity=Severity.MEDIUM)],
                    scope=(CRM,))
    quiet = since_last_review(store, fourth)
    assert quiet is not None and not quiet.systems.changed and not quiet.findings.changed


def test_findings_are_tied_to_connections_through_evidence_subjects_and_edges(tmp_path: Path) -> None:
    records = baseline_records()
    stored_form = [
        {"id": "a:1", "check_id": "a", "severity": "high", "title": "by evidence", "subjects": ["external:x"],
         "evidence": [{"connection": MAIL, "source": "GET /webhooks", "object_id": "w1"}]},
        {"id": "b:1", "check_id": "b", "severity": "low", "title": "by edge", "resources": ["crm:tenant:1->mail:tenant:1"]},
        {"id": "c:1", "check_id": "c", "severity": 2, "title": "unattributed", "resources": ["nowhere"]},
    ]
    snapshot = Snapshot.from_scan(inventory(records), stored_form, scope=(CRM, MAIL))
    found = snapshot.of("finding")
    assert found["a:1"].connections == (MAIL,)
    assert found["b:1"].connections == (CRM, MAIL)
    assert found["c:1"].connections == () and found["c:1"].attrs["severity"] == "medium"
    assert snapshot.of("system")["external:hooks.zapier.com"].connections == (MAIL,)

    # An unattributed finding only resolves when every connection was read.
    store = HistoryStore(tmp_path / "h.db", redactor=Redactor())
    first = record(store, inventory(records), stored_form)
    second = record(store, inventory(only(records, MAIL), statuses={MAIL: CoverageStatus.FAILED}), [])
    diff = compare(store, first, second)
    assert "c:1" in ids(diff.findings.not_seen) and "c:1" not in ids(diff.findings.removed)
    third = record(store, inventory(records), [])
    assert "c:1" in ids(compare(store, second, third).findings.removed)
    store.close()


@dataclasses.dataclass
class Coverage:
    check_id: str
    status: str
    unknown: tuple[str, ...] = ()
    unknown_count: int = 0


def test_a_check_that_did_not_run_resolves_none_of_its_findings(store: HistoryStore) -> None:
    first = record(store, inventory(baseline_records()), baseline_findings(),
                   checks=[Coverage("security-plain-http", "evaluated"), Coverage("unowned-system", "evaluated"),
                           Coverage("shadow-it-recipient", "evaluated")])
    second = record(store, inventory(baseline_records()), [],
                    checks=[Coverage("security-plain-http", "failed"),
                            Coverage("unowned-system", "partial", ("crm:tenant:1",), 1),
                            Coverage("shadow-it-recipient", "evaluated")])
    diff = compare(store, first, second)
    assert ids(diff.findings.removed) == [finding("shadow-it-recipient", "external:hooks.zapier.com").id]
    reasons = {i.attrs["check_id"]: i.reason for i in diff.findings.not_seen}
    assert reasons == {"security-plain-http": "check security-plain-http: failed",
                       "unowned-system": "check unowned-system: could not decide every subject"}


def test_preview_is_what_record_stores_and_the_first_scan_has_no_review(store: HistoryStore) -> None:
    first = record(store, inventory(baseline_records()), baseline_findings())
    assert since_last_review(store, first) is None
    failing = inventory(only(baseline_records(), MAIL), statuses={MAIL: CoverageStatus.FAILED})
    preview = store.preview(failing, [], config="../stackaudit.toml", scope=(CRM, MAIL))
    second = record(store, failing, [])
    stored = store.snapshot(second)
    assert preview.items.keys() == stored.items.keys()
    assert {k for k, i in stored.items.items() if i.carried} == {k for k, i in preview.items.items() if i.carried}
    in_memory = diff_scans(store.snapshot(first), preview, old_scan=store.scan(first))
    assert isinstance(in_memory, ScanDiff) and in_memory.new_scan is None
    assert ids(in_memory.systems.not_seen) == ids(compare(store, first, second).systems.not_seen)


def test_scans_of_another_config_are_not_the_baseline(store: HistoryStore) -> None:
    record(store, inventory(baseline_records()), baseline_findings(), config="other/stackaudit.toml")
    mine = record(store, inventory(baseline_records()), baseline_findings())
    assert since_last_review(store, mine) is None
    assert [s.id for s in store.scans(config="other/stackaudit.toml")] == [1]


def test_stored_scan_keeps_inventory_findings_coverage_and_timings(store: HistoryStore) -> None:
    inv = inventory(baseline_records(), statuses={MAIL: CoverageStatus.PARTIAL},
                    gaps=[CoverageGap(MAIL, "webhooks", "403", "PermissionDeniedError")])
    scan = store.record(inv, baseline_findings(), config="../stackaudit.toml", config_digest="abc", scope=(CRM, MAIL),
                        timings={"evaluate_s": 0.25})
    assert (scan.status, scan.connections, scan.complete_connections, scan.records) == ("partial", 2, 1, 8)
    assert (scan.findings, scan.unwaived, scan.config_digest, scan.organization) == (3, 3, "abc", "Northwind")
    assert scan.timings["evaluate_s"] == 0.25 and scan.timings["scan_s"] >= 0 and "record_s" in scan.timings
    assert scan.counts == inv.counts()
    assert store.inventory(scan.id).to_dict() == inv.to_dict()
    assert sorted(f["id"] for f in store.findings(scan.id)) == sorted(f.id for f in baseline_findings())
    assert store.snapshot(scan.id).connections[MAIL].gaps == frozenset({"webhooks"})
    assert store.snapshot(scan.id).connections[MAIL].message == "mail did not answer"


# -- durability -----------------------------------------------------------------------------------


def test_database_uses_wal_and_a_busy_timeout(store: HistoryStore) -> None:
    db = sqlite3.connect(store.path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.close()
    assert store._db.execute("PRAGMA busy_timeout").fetchone()[0] == 30000
    assert store.schema_version == SCHEMA_VERSION


def test_an_interrupted_write_leaves_the_database_as_it_was(store: HistoryStore) -> None:
    record(store, inventory(baseline_records()), baseline_findings())

    def interrupt(stage: str) -> None:
        if stage == "items":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        record(store, inventory(baseline_records()), baseline_findings(), checkpoint=interrupt)
    assert [s.id for s in store.scans()] == [1]
    for table in ("connections", "findings", "items", "documents"):
        assert store._db.execute(f"SELECT count(*) FROM {table} WHERE scan_id != 1").fetchone()[0] == 0
    assert record(store, inventory(baseline_records()), baseline_findings()) == 2


KILLED_WRITER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from stackaudit.history import HistoryStore
    from stackaudit.model import ConnectionResult, CoverageStatus, Evidence, Flow, Inventory, System

    records = [System(id="big:tenant:1", evidence=(Evidence("big", "GET /"),), name="big")]
    records += [Flow(id=f"big:flow:{i}", evidence=(Evidence("big", "GET /flows"),), source="big:tenant:1",
                     target=f"external:host{i}.example", name="flow " + "x" * 200) for i in range(4000)]
    inventory = Inventory(records=records, connections=[ConnectionResult("big", "x", CoverageStatus.COMPLETE)])

    def pause(stage):
        if stage == "items":  # the scan row, findings and 4,000 items are written, nothing is committed
            print("inside the transaction", flush=True)
            time.sleep(600)

    store = HistoryStore(Path(sys.argv[1]))
    store._db.execute("PRAGMA cache_size = 50")  # a small page cache: uncommitted pages spill to the WAL file
    store.record(inventory, [], config="big", scope=["big"], checkpoint=pause)
    print("committed", flush=True)
""")


def test_a_scan_killed_during_the_write_leaves_previous_scans_intact(tmp_path: Path) -> None:
    path = tmp_path / "history.db"
    with HistoryStore(path, redactor=Redactor()) as store:
        first = record(store, inventory(baseline_records()), baseline_findings())
        second = record(store, inventory(only(baseline_records(), MAIL), statuses={MAIL: CoverageStatus.FAILED}), [])
        before = compare(store, first, second).to_dict()

    writer = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout is not None
        assert writer.stdout.readline().strip() == "inside the transaction"
        wal = path.with_name(path.name + "-wal")
        assert wal.stat().st_size > 500_000  # uncommitted pages really reached the disk
        os.kill(writer.pid, signal.SIGKILL)
    finally:
        writer.wait(timeout=30)
    assert writer.returncode == -signal.SIGKILL

    with HistoryStore(path, redactor=Redactor()) as store:
        assert [s.id for s in store.scans()] == [second, first]
        assert store._db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert store._db.execute("SELECT count(*) FROM items WHERE item_id LIKE 'big:%'").fetchone()[0] == 0
        assert compare(store, first, second).to_dict() == before
        assert store.inventory(first).to_dict()["records"] == inventory(baseline_records()).to_dict()["records"]
        third = record(store, inventory(baseline_records()), baseline_findings())
        assert third == second + 1


def test_a_second_writer_waits_for_the_first(tmp_path: Path) -> None:
    path = tmp_path / "history.db"
    store = HistoryStore(path, busy_timeout=0.2, redactor=Redactor())
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    with store, pytest.raises(HistoryError) as caught:
        record(store, inventory(baseline_records()), [])
    assert "busy" in caught.value.message and "another scan is writing" in caught.value.fix
    holder.execute("ROLLBACK")
    holder.close()


# -- secrets --------------------------------------------------------------------------------------

CANARY_TOKEN = "canary-Tok3n-7f1e9b2d4c"
CANARY_PASSWORD = 'canary"pass\\word-5519'  # quotes and backslashes: escaped differently inside JSON
CANARY_BEARER = "c4n4ryBearerValue88"


def all_stored_text(path: Path) -> str:
    """Every cell of every table (documents decompressed), plus the raw bytes of the database files."""
    db = sqlite3.connect(path)
    parts = []
    for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
        for row in db.execute(f"SELECT * FROM {table}"):
            for cell in row:
                if isinstance(cell, bytes):
                    parts.append(zlib.decompress(cell).decode())
                else:
                    parts.append(str(cell))
    db.close()
    for file in path.parent.glob(path.name + "*"):
        parts.append(file.read_bytes().decode("latin-1"))
    return "\n".join(parts)


def test_no_secret_canary_reaches_the_database(tmp_path: Path) -> None:
    redactor = Redactor()
    redactor.add(CANARY_TOKEN, CANARY_PASSWORD)
    leaky = [
        *baseline_records(),
        Integration(id="crm:integration:leaky", evidence=(Evidence(CRM, f"GET /apps?key={CANARY_TOKEN}"),),
                    system="crm:tenant:1", name=f"app {CANARY_TOKEN}",
                    attributes={"note": f"password={CANARY_PASSWORD}", CANARY_TOKEN: 1}),
        Flow(id="crm:flow:leaky", evidence=ev(CRM), source="crm:tenant:1", target="external:x.example",
             url=f"https://x.example/hook/{CANARY_TOKEN}", name=f"Authorization: Bearer {CANARY_BEARER}"),
        Credential(id="crm:credential:leaky", evidence=ev(CRM), system="crm:tenant:1", name="token",
                   fingerprint=CANARY_PASSWORD),
    ]
    inv = inventory(leaky, statuses={MAIL: CoverageStatus.PARTIAL},
                    gaps=[CoverageGap(MAIL, "webhooks", f"refused token {CANARY_TOKEN}", "PermissionDeniedError")])
    inv.connections[1] = dataclasses.replace(inv.connections[1], message=f"answered with {CANARY_PASSWORD}",
                                             base_url=f"https://mail.example/?access_token={CANARY_TOKEN}")
    leaky_finding = dataclasses.replace(finding("leak", "crm:integration:leaky"),
                                        message=f"the app uses {CANARY_TOKEN} and {CANARY_PASSWORD}",
                                        title=f"Bearer {CANARY_BEARER}")
    path = tmp_path / "history.db"
    with HistoryStore(path, redactor=redactor) as store:
        for _ in range(2):
            scan = store.record(inv, [*baseline_findings(), leaky_finding], config=f"cfg-{CANARY_TOKEN}",
                                scope=(CRM, MAIL), checks=[Coverage("leak", "partial", (CANARY_TOKEN,), 1)])
        stored = store.inventory(scan.id)
        assert compare(store, 1, 2).findings.unchanged

    text = all_stored_text(path)
    for canary in (CANARY_TOKEN, CANARY_PASSWORD, CANARY_BEARER, json.dumps(CANARY_PASSWORD)[1:-1]):
        assert canary not in text
    assert MASK in text
    names = {r.name for r in stored.records}
    assert f"app {MASK}" in names  # the record is kept, its secret is not


# -- schema versions ------------------------------------------------------------------------------


def version_1_database(path: Path) -> None:
    """A database as schema version 1 wrote it (tests/data/history-v1.sql: two scans, the second with a
    failed connection)."""
    db = sqlite3.connect(path)
    db.executescript((DATA / "history-v1.sql").read_text())
    db.close()


def test_migrations_upgrade_a_version_1_database(tmp_path: Path) -> None:
    path = tmp_path / "history.db"
    version_1_database(path)
    with HistoryStore(path, redactor=Redactor()) as store:
        assert store.migrated_from == 1 and store.schema_version == SCHEMA_VERSION
        assert [s.id for s in store.scans()] == [2, 1]
        diff = since_last_review(store, 2)
        assert diff is not None
        # The backfill rebuilt what each scan saw and what the second carried for its failed connection.
        assert ids(diff.systems.not_seen) == ["external:hooks.zapier.com", "mail:tenant:1"]
        assert diff.systems.removed == () and diff.findings.removed == ()
        assert ids(diff.grants.removed) == ["crm:credential:dataloader-token"]
        assert store.snapshot(2).items[("system", "mail:tenant:1")].carried
        # and the upgraded database takes new scans.
        third = record(store, inventory(baseline_records()), baseline_findings())
        assert compare(store, 2, third).findings.added == ()


def test_migrate_runs_in_order_and_records_the_version(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / "h.db", isolation_level=None)
    assert migrate(db, target=1) == 0
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"scans", "findings", "documents"} <= tables and "items" not in tables
    assert migrate(db) == 1
    assert db.execute("SELECT version FROM schema_version").fetchone()[0] == SCHEMA_VERSION
    assert migrate(db) == SCHEMA_VERSION  # nothing left to do
    db.close()


def test_a_database_from_a_newer_stackaudit_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    HistoryStore(path).close()
    db = sqlite3.connect(path)
    db.execute("UPDATE schema_version SET version = 99")
    db.commit()
    db.close()
    with pytest.raises(HistoryError) as caught:
        HistoryStore(path)
    assert "schema version 99" in caught.value.message and "upgrade stackaudit" in caught.value.fix


def test_a_file_that_is_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    path.write_text("not sqlite " * 100)
    with pytest.raises(HistoryError, match="not a usable history database"):
        HistoryStore(path)
    with pytest.raises(HistoryError, match="no scan history at"):
        HistoryStore(tmp_path / "missing.db", create=False)
    assert not (tmp_path / "missing.db").exists()


# -- pruning --------------------------------------------------------------------------------------


def test_prune_keeps_the_newest_scans_of_each_config(store: HistoryStore) -> None:
    for _ in range(4):
        record(store, inventory(baseline_records()), baseline_findings())
    record(store, inventory(baseline_records()), [], config="other.toml")
    assert store.prune(2) == 2
    assert [s.id for s in store.scans()] == [5, 4, 3]
    assert store._db.execute("SELECT count(*) FROM items WHERE scan_id < 3").fetchone()[0] == 0
    assert store._db.execute("SELECT count(*) FROM documents WHERE scan_id < 3").fetchone()[0] == 0
    diff = since_last_review(store, 4)
    assert diff is not None and diff.old_scan.id == 3
    with pytest.raises(HistoryError, match="no scan #1"):
        store.scan(1)
    with pytest.raises(HistoryError, match="at least one"):
        store.prune(0)


# -- config ---------------------------------------------------------------------------------------


def test_config_history_db_is_relative_to_the_config(tmp_path: Path) -> None:
    config = parse_config({"history": {"db": "audit/history.db"}}, path=tmp_path / "stackaudit.toml")
    assert config.history_db == (tmp_path / "audit" / "history.db").resolve()
    assert parse_config({}, path=tmp_path / "stackaudit.toml").history_db is None
    with pytest.raises(ConfigError, match=r"s\.toml:2, history\.db: db must be a string"):
        parse_config({"history": {"db": 3}}, path=tmp_path / "s.toml", text="[history]\ndb = 3\n")
    with pytest.raises(ConfigError, match="unknown key 'path'"):
        parse_config({"history": {"path": "x"}}, path=tmp_path / "s.toml")
    with pytest.raises(ConfigError, match="must not be empty"):
        parse_config({"history": {"db": " "}}, path=tmp_path / "s.toml")


def test_a_lapsed_waiver_is_reported_but_is_not_a_new_finding(store: HistoryStore) -> None:
    waived = [finding("unowned-system", "crm:tenant:1", severity=Severity.MEDIUM, waived=True)]
    first = record(store, inventory(baseline_records()), waived)
    second = record(store, inventory(baseline_records()), [finding("unowned-system", "crm:tenant:1",
                                                                   severity=Severity.MEDIUM)])
    diff = compare(store, first, second)
    assert ids(diff.findings.no_longer_waived) == [waived[0].id]
    assert diff.findings.added == () and diff.findings.unchanged == () and diff.new_findings() == []


def test_config_digest_ignores_loopback_ports_but_not_real_changes(tmp_path: Path) -> None:
    from stackaudit.history import config_digest

    path = tmp_path / "c.toml"
    path.write_text('base_url = "http://127.0.0.1:41234"\n')
    first = config_digest(path)
    path.write_text('base_url = "http://127.0.0.1:39001"\n')
    assert config_digest(path) == first  # the emulator picked another free port
    path.write_text('base_url = "https://northwind.my.salesforce.com"\n')
    assert config_digest(path) != first
