"""The history on the command line: scans recorded, `history`, `diff`, `prune`, --fail-on-new, --baseline."""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result
from test_history import all_stored_text

import stackaudit.cli
from stackaudit.cli import Context, ExitCode, cli
from stackaudit.commands.history import ScanHistory
from stackaudit.errors import HistoryError
from stackaudit.history import HistoryStore, config_digest
from stackaudit.model import Finding, Severity

NEW_APP = "northwind-mailchimp:authorized_app:884210"

# A check that finds an unsanctioned app only once its trigger file exists: the stack "changes" between runs.
CHECK_PLUGIN = textwrap.dedent('''
    from pathlib import Path

    from stackaudit import Check, Finding, Severity, hookimpl

    TRIGGER = Path(__file__).with_name("trigger")


    def run(graph, config):
        if TRIGGER.exists():
            yield Finding("test-new-grant", "shadow-it", Severity.HIGH, "Unsanctioned app granted",
                          "Canva was granted access to the mailing lists", ("{subject}",))


    CHECK = Check(id="test-new-grant", title="Unsanctioned app granted", category="shadow-it",
                  severity=Severity.HIGH, rationale="Apps nobody approved read the lists.",
                  remediation="Review the grant.", run=run)


    @hookimpl
    def register_checks(registry):
        registry.add(CHECK)
''').format(subject=NEW_APP)


@pytest.fixture
def plugins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    directory = tmp_path / "plugins"
    directory.mkdir()
    (directory / "newgrant.py").write_text(CHECK_PLUGIN)
    if importlib.util.find_spec("stackaudit.graph") is None:
        _hand_over_the_check_findings(monkeypatch)
    yield directory
    sys.modules.pop("stackaudit_local_plugins.newgrant", None)


def _hand_over_the_check_findings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where the scan does not evaluate checks yet (no stackaudit.graph), give the scan's findings what the
    plugin's check finds, at the two places that take them: the history and the exit code."""

    def found() -> list[Finding]:
        host = click.get_current_context().find_object(Context).host()  # type: ignore[union-attr]
        return list(host.checks().get("test-new-grant").run(None, None))  # type: ignore[arg-type]

    compare, exit_code = ScanHistory.compare, stackaudit.cli._exit_code
    monkeypatch.setattr(ScanHistory, "compare", lambda self, inventory, findings, checks=(): compare(
        self, inventory, [*findings, *found()], checks))
    monkeypatch.setattr(stackaudit.cli, "_exit_code", lambda inventory, findings, fail_on: exit_code(
        inventory, [*findings, *found()], fail_on))


@pytest.fixture
def demo_environment() -> Iterator[None]:
    """The demo puts its tenants' credentials in this process's environment: take them out afterwards."""
    before = set(os.environ)
    yield
    for name in set(os.environ) - before:
        del os.environ[name]


def run(*args: str) -> Result:
    # The offline config's connection has a credential, so the scan starts and then cannot connect.
    env = {"STACKAUDIT_CREDENTIAL_CRM": "offline-token-000000"}
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def new_finding_id() -> str:
    return Finding("test-new-grant", "shadow-it", Severity.HIGH, "", "", (NEW_APP,)).id


def test_fail_on_new_passes_on_an_unchanged_stack_and_fails_when_a_finding_appears(
        tmp_path: Path, plugins: Path, demo_environment: None) -> None:
    out = tmp_path / "demo"
    demo = ["--plugins-dir", str(plugins), "demo", "-o", str(out), "--format", "json"]

    first = run(*demo)
    assert first.exit_code in (ExitCode.OK, ExitCode.FINDINGS), first.output  # the demo stack has its findings
    assert "Recorded as scan #1" in first.output and "this scan is the baseline" in first.output
    assert (out / ".stackaudit" / "history.db").is_file()

    unchanged = run(*demo, "--fail-on-new")
    assert unchanged.exit_code == ExitCode.OK, unchanged.output
    assert "Since scan #1" in unchanged.output and "Findings: 0 new, 0 resolved" in unchanged.output

    (plugins / "trigger").touch()
    changed = run(*demo, "--fail-on-new")
    assert changed.exit_code == ExitCode.FINDINGS, changed.output
    assert "Findings: 1 new" in changed.output and new_finding_id() in changed.output
    assert "1 new unwaived finding(s) at or above high: exit 1" in changed.output

    again = run(*demo, "--fail-on-new")  # the finding is in the previous scan now
    assert again.exit_code == ExitCode.OK, again.output
    assert "Since scan #3" in again.output and "Recorded as scan #4" in again.output

    config = str(out / "stackaudit.toml")
    listing = run("history", "-c", config, "--json")
    assert listing.exit_code == 0
    scans = json.loads(listing.output)
    assert [s["id"] for s in scans] == [4, 3, 2, 1]
    assert all(s["status"] == "complete" and s["config"] == "../stackaudit.toml" for s in scans)
    assert [s["unwaived"] - scans[-1]["unwaived"] for s in scans] == [1, 1, 0, 0]
    table = run("history", "-c", config)
    assert table.exit_code == 0 and "#4" in table.output and "complete" in table.output

    latest = run("diff", "-c", config, "--json")
    assert latest.exit_code == 0
    document = json.loads(latest.output)
    assert (document["old_scan"]["id"], document["new_scan"]["id"]) == (3, 4)
    assert document["findings"]["new"] == [] and document["findings"]["resolved"] == []
    assert new_finding_id() in [f["id"] for f in document["findings"]["unchanged"]]

    appeared = run("diff", "2", "3", "--db", str(out / ".stackaudit" / "history.db"))
    assert appeared.exit_code == 0, appeared.output
    assert "Scan #3" in appeared.output and "compared with scan #2" in appeared.output
    assert f"+ high     Unsanctioned app granted [{new_finding_id()}]" in appeared.output

    secrets = demo_secrets()
    assert len(secrets) >= 8  # at least one per tenant
    text = all_stored_text(out / ".stackaudit" / "history.db")
    assert [s for s in secrets if s in text] == []

    pruned = run("history", "prune", "--keep", "2", "-c", config)
    assert pruned.exit_code == 0 and "deleted 2 scan(s); 2 left" in pruned.output
    with HistoryStore(out / ".stackaudit" / "history.db", create=False) as store:
        assert [s.id for s in store.scans()] == [4, 3]


def test_baseline_pins_the_comparison_and_the_threshold_still_applies(tmp_path: Path, plugins: Path) -> None:
    config = tmp_path / "stackaudit.toml"
    config.write_text(OFFLINE_CONFIG)
    scan = ["--plugins-dir", str(plugins), "scan", "-c", str(config), "-o", str(tmp_path / "out")]
    # Nothing can be read (no credentials), so "nothing new" exits 3 (incomplete), not 0.
    assert run(*scan).exit_code == ExitCode.INCOMPLETE
    assert run(*scan, "--fail-on-new").exit_code == ExitCode.INCOMPLETE
    (plugins / "trigger").touch()
    assert run(*scan, "--fail-on-new").exit_code == ExitCode.FINDINGS  # scan #3: the finding is new
    assert run(*scan, "--fail-on-new").exit_code == ExitCode.INCOMPLETE  # scan #4: not new any more

    pinned = run(*scan, "--fail-on-new", "--baseline", "2", "--no-history")
    assert pinned.exit_code == ExitCode.FINDINGS, pinned.output
    assert "Since scan #2" in pinned.output and "Recorded as" not in pinned.output
    below = run(*scan, "--fail-on-new", "--baseline", "2", "--fail-on", "critical")
    assert below.exit_code == ExitCode.INCOMPLETE, below.output  # new, but below the threshold
    assert "Findings: 1 new" in below.output and "new unwaived finding" not in below.output
    without = run(*scan, "--fail-on", "high")
    assert without.exit_code == ExitCode.FINDINGS  # without --fail-on-new every finding counts
    with HistoryStore(tmp_path / ".stackaudit" / "history.db", create=False) as store:
        assert [s.id for s in store.scans()] == [6, 5, 4, 3, 2, 1]


def test_fail_on_new_without_a_baseline_counts_every_finding(tmp_path: Path, plugins: Path) -> None:
    config = tmp_path / "stackaudit.toml"
    config.write_text(OFFLINE_CONFIG)
    (plugins / "trigger").touch()
    first = run("--plugins-dir", str(plugins), "scan", "-c", str(config), "-o", str(tmp_path / "out"),
                "--fail-on-new")
    assert first.exit_code == ExitCode.FINDINGS
    assert "--fail-on-new has no baseline scan, so every finding counts as new" in first.output


def demo_secrets() -> list[str]:
    """The secret fields of the credentials the demo's scans used (as the demo put them in the environment)."""
    from stackaudit.credentials import env_var_name
    from stackaudit.emulator import demo_scenario
    from stackaudit.plugins import create_host

    host = create_host()
    secrets = []
    for tenant in demo_scenario(list(host.emulators())).tenants:
        values = json.loads(os.environ[env_var_name(tenant.name)])
        fields = host.connectors().get(tenant.vendor).credentials.fields
        secrets += [values[f.name] for f in fields if f.secret and values.get(f.name)]
    return secrets


OFFLINE_CONFIG = """
[organization]
name = "Example"

[[connection]]
name = "crm"
connector = "salesforce"
base_url = "https://127.0.0.1:9"
"""


def test_scan_records_even_a_scan_that_could_not_reach_anything_unless_told_not_to(tmp_path: Path) -> None:
    config = tmp_path / "stackaudit.toml"
    config.write_text(OFFLINE_CONFIG)
    db = tmp_path / ".stackaudit" / "history.db"

    skipped = run("scan", "-c", str(config), "-o", str(tmp_path / "out"), "--no-history")
    assert skipped.exit_code == ExitCode.INCOMPLETE, skipped.output  # nothing answers: nothing read
    assert not db.exists()

    recorded = run("scan", "-c", str(config), "-o", str(tmp_path / "out"))
    assert recorded.exit_code == ExitCode.INCOMPLETE
    assert f"Recorded as scan #1 in {db}" in recorded.output
    with HistoryStore(db, create=False) as store:
        (scan,) = store.scans()
        assert (scan.status, scan.connections, scan.complete_connections) == ("failed", 1, 0)
        assert scan.config_digest == config_digest(config)
        assert scan.config == "../stackaudit.toml"

    elsewhere = tmp_path / "elsewhere.db"
    config.write_text(OFFLINE_CONFIG + f'\n[history]\ndb = "{elsewhere.name}"\n')
    assert run("scan", "-c", str(config), "-o", str(tmp_path / "out")).exit_code == ExitCode.INCOMPLETE
    assert elsewhere.is_file()
    override = tmp_path / "override.db"
    assert run("scan", "-c", str(config), "-o", str(tmp_path / "out"), "--db", str(override)).exit_code == 3
    assert override.is_file()
    with HistoryStore(elsewhere, create=False) as store:
        assert len(store.scans()) == 1


def test_a_bad_baseline_or_database_fails_before_anything_is_scanned(tmp_path: Path) -> None:
    config = tmp_path / "stackaudit.toml"
    config.write_text(OFFLINE_CONFIG)
    out = tmp_path / "out"
    missing = run("scan", "-c", str(config), "-o", str(out), "--baseline", "7")
    assert missing.exit_code == ExitCode.USAGE
    assert "there is no scan #7" in missing.output and "'stackaudit history' lists the recorded scans" in missing.output
    assert not out.exists()

    nowhere = run("scan", "-c", str(config), "-o", str(out), "--no-history", "--baseline", "1",
                  "--db", str(tmp_path / "none.db"))
    assert nowhere.exit_code == ExitCode.USAGE and "there is no scan history at" in nowhere.output

    broken = tmp_path / "broken.db"
    broken.write_text("this is not a database " * 50)
    refused = run("scan", "-c", str(config), "-o", str(out), "--db", str(broken))
    assert refused.exit_code == ExitCode.USAGE and "is not a usable history database" in refused.output
    assert not out.exists()


def test_history_and_diff_without_a_history_say_how_to_get_one(tmp_path: Path) -> None:
    config = tmp_path / "stackaudit.toml"
    config.write_text(OFFLINE_CONFIG)
    for command in (["history"], ["diff"], ["history", "prune", "--keep", "1"]):
        result = run(*command, "-c", str(config))
        assert result.exit_code == ExitCode.USAGE
        assert "no scan history at" in result.output and "run 'stackaudit scan' first" in result.output
    assert not (tmp_path / ".stackaudit").exists()

    run("scan", "-c", str(config), "-o", str(tmp_path / "out"))
    only_one = run("diff", "-c", str(config))
    assert only_one.exit_code == ExitCode.USAGE and "is the first scan of its config" in only_one.output
    assert "#1" in run("history", "-c", str(config)).output


def test_exit_codes_are_documented() -> None:
    text = run("scan", "--help").output
    for words in ("--fail-on-new", "--baseline SCAN_ID", "--no-history", "--db",
                  "with --fail-on-new, only", "findings that are not in the baseline scan count"):
        assert words in text
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    assert "--fail-on-new" in readme and "docs/ci.md" in readme


DIFF_PROBE = textwrap.dedent('''
    import json

    from stackaudit import Reporter, hookimpl


    class DiffProbe(Reporter):
        id = "diffprobe"
        description = "the since-last-review section a report gets"
        filename = "diff.json"

        def render(self, report):
            return json.dumps(report.diff.to_dict() if report.diff else None)


    @hookimpl
    def register_reporters(registry):
        registry.add(DiffProbe())
''')


def test_reports_get_the_diff_since_the_last_review(tmp_path: Path, plugins: Path) -> None:
    (plugins / "diffprobe.py").write_text(DIFF_PROBE)
    config = tmp_path / "stackaudit.toml"
    config.write_text(OFFLINE_CONFIG)
    out = tmp_path / "out"
    scan = ["--plugins-dir", str(plugins), "scan", "-c", str(config), "-o", str(out), "--format", "diffprobe"]
    try:
        run(*scan)
        assert json.loads((out / "diff.json").read_text()) is None  # the first scan has nothing to compare with
        (plugins / "trigger").touch()
        run(*scan)
    finally:
        sys.modules.pop("stackaudit_local_plugins.diffprobe", None)
    review = json.loads((out / "diff.json").read_text())
    assert review["old_scan"]["id"] == 1 and review["new_scan"]["id"] == 2
    assert [f["id"] for f in review["findings"]["new"]] == [new_finding_id()]
    assert review["incomplete_connections"][0]["name"] == "crm"


def test_a_scan_that_cannot_be_recorded_still_writes_its_reports_then_exits_2(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "stackaudit.toml"
    config.write_text(OFFLINE_CONFIG)
    out = tmp_path / "out"
    assert run("scan", "-c", str(config), "-o", str(out)).exit_code == ExitCode.INCOMPLETE

    def full_disk(*args: object, **kwargs: object) -> None:
        raise HistoryError("database or disk is full", fix="free some space")

    monkeypatch.setattr(HistoryStore, "record", full_disk)
    (out / "report.json").unlink()
    failed = run("scan", "-c", str(config), "-o", str(out))
    assert failed.exit_code == ExitCode.USAGE
    assert "the scan could not be recorded in the history: database or disk is full" in failed.output
    assert "fix: free some space" in failed.output
    assert (out / "report.json").is_file()
