"""evaluate(): check selection, severity overrides, waivers, coverage, and the findings.json document."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from stackaudit import Check, Finding, NotEvaluated, Severity, TriState
from stackaudit.audit import apply_waivers, evaluate, findings_document
from stackaudit.checks import builtin_checks
from stackaudit.config import load_config
from stackaudit.errors import ConfigError, UsageError
from stackaudit.model import CheckStatus, WaiverState
from stackaudit.schemas import load_schema
from stackaudit.testing.stack import StackBuilder

CHECKS = builtin_checks()
MFA = "security-admin-without-mfa"


def stack_with_two_admins_without_mfa() -> tuple[StackBuilder, str, str]:
    s = StackBuilder()
    crm = s.tenant("crm", vendor="salesforce")
    ben = s.account(crm, "ben@acme.example", admin=True, mfa=TriState.NO)
    gus = s.account(crm, "gus@acme.example", admin=True, mfa=TriState.NO)
    s.sanction("crm", vendor="salesforce", owner="ana@acme.example")
    return s, ben, gus


def mfa_findings(stack: StackBuilder, **kwargs: Any) -> list[Finding]:
    return [f for f in stack.evaluate(CHECKS, **kwargs).findings if f.check_id == MFA]


def test_waiver_by_check_and_subject_pattern_keeps_the_finding_visible_as_waived() -> None:
    s, ben, gus = stack_with_two_admins_without_mfa()
    s.waive(check=MFA, subject="crm:user:ben@*", reason="break-glass account", approved_by="ciso@acme.example",
            expires="2026-12-31")
    result = s.evaluate(CHECKS, today=date(2026, 6, 1))
    by_subject = {f.subjects[0]: f for f in result.findings if f.check_id == MFA}
    assert by_subject[ben].waived and "break-glass account" in by_subject[ben].waiver
    assert "until 2026-12-31" in by_subject[ben].waiver and "ciso@acme.example" in by_subject[ben].waiver
    assert not by_subject[gus].waived
    assert ben not in {f.subjects[0] for f in result.unwaived()}
    (state,) = result.waivers
    assert state.state is WaiverState.ACTIVE and state.matched == (by_subject[ben].id,)


def test_expired_waiver_stops_applying_and_says_so() -> None:
    s, ben, _gus = stack_with_two_admins_without_mfa()
    s.waive(check=MFA, subject=ben, reason="until the token arrives", expires="2026-05-31")
    result = s.evaluate(CHECKS, today=date(2026, 6, 1))
    finding = next(f for f in result.findings if f.subjects == (ben,))
    assert not finding.waived and "waiver expired on 2026-05-31" in finding.waiver
    assert result.waivers[0].state is WaiverState.EXPIRED and result.waivers[0].matched == (finding.id,)
    still_valid = s.evaluate(CHECKS, today=date(2026, 5, 31))  # valid through its expiry day
    assert next(f for f in still_valid.findings if f.subjects == (ben,)).waived


def test_waiver_by_fingerprint_and_unused_waivers() -> None:
    s, ben, _gus = stack_with_two_admins_without_mfa()
    fingerprint = next(f.id for f in mfa_findings(s) if f.subjects == (ben,))
    s.waive(finding=fingerprint, reason="accepted")
    s.waive(check="security-plain-http", reason="nothing to waive")
    result = s.evaluate(CHECKS)
    assert [f.subjects for f in result.findings if f.waived] == [(ben,)]
    assert [w.state for w in result.waivers] == [WaiverState.ACTIVE, WaiverState.UNUSED]


def test_severity_override_from_policy() -> None:
    s, _ben, _gus = stack_with_two_admins_without_mfa()
    s.set_policy(severity={MFA: Severity.CRITICAL, "no-such-check": Severity.LOW})
    result = s.evaluate(CHECKS)
    assert {f.severity for f in result.findings if f.check_id == MFA} == {Severity.CRITICAL}
    assert any("no-such-check" in w for w in result.warnings)


def test_only_and_skip_select_checks_and_unknown_ids_are_usage_errors() -> None:
    s, _ben, _gus = stack_with_two_admins_without_mfa()
    result = s.evaluate(CHECKS, only=(MFA,))
    assert {f.check_id for f in result.findings} == {MFA}
    statuses = {c.check_id: c.status for c in result.coverage}
    assert statuses[MFA] is CheckStatus.EVALUATED and statuses["security-plain-http"] is CheckStatus.SKIPPED
    assert MFA not in {f.check_id for f in s.evaluate(CHECKS, skip=(MFA,)).findings}
    with pytest.raises(UsageError, match="unknown check 'security-mfa'"):
        s.evaluate(CHECKS, only=("security-mfa",))


def test_findings_are_sorted_by_severity_then_check() -> None:
    s, _ben, _gus = stack_with_two_admins_without_mfa()
    s.account("crm:tenant:CRM", "old@acme.example", last_login_days=400)
    result = s.evaluate(CHECKS)
    severities = [f.severity for f in result.findings]
    assert severities == sorted(severities, reverse=True)


def _failing(graph: Any, config: Any) -> Iterator[Finding]:
    raise RuntimeError("boom")
    yield  # pragma: no cover


def _refusing(graph: Any, config: Any) -> Iterator[Finding]:
    raise NotEvaluated("needs a ledger")
    yield  # pragma: no cover


def test_a_broken_check_is_reported_as_failed_and_the_others_still_run() -> None:
    broken = Check(id="x-broken", title="t", category="security", severity=Severity.LOW, rationale="r",
                   remediation="f", run=_failing)
    refusing = Check(id="x-refusing", title="t", category="security", severity=Severity.LOW, rationale="r",
                     remediation="f", run=_refusing)
    s, _ben, _gus = stack_with_two_admins_without_mfa()
    result = s.evaluate([broken, refusing, *CHECKS])
    coverage = {c.check_id: c for c in result.coverage}
    assert coverage["x-broken"].status is CheckStatus.FAILED and "RuntimeError: boom" in coverage["x-broken"].reason
    assert coverage["x-refusing"].status is CheckStatus.NOT_EVALUATED
    assert coverage["x-refusing"].reason == "needs a ledger"
    assert any(f.check_id == MFA for f in result.findings)


def test_checks_without_their_prerequisites_are_not_evaluated_never_passed() -> None:
    s = StackBuilder()
    s.tenant("crm", vendor="salesforce")  # no registry, no accounts, no identity provider
    coverage = {c.check_id: c for c in s.evaluate(CHECKS).coverage}
    for check_id, reason in (("shadow-it-unsanctioned-recipient", "registry is empty"),
                             ("shadow-it-pii-system-without-sso", "no identity provider"),
                             ("unowned-departed-owner", "no directory"),
                             ("security-admin-without-mfa", "no connection reported accounts"),
                             ("duplicate-data-path-multiple-writers", "system_of_record"),
                             ("security-stale-credential", "no connection reported credentials")):
        assert coverage[check_id].status is CheckStatus.NOT_EVALUATED, check_id
        assert reason in coverage[check_id].reason, (check_id, coverage[check_id].reason)


def test_apply_waivers_is_a_pure_function() -> None:
    finding = Finding(check_id="c", category="security", severity=Severity.HIGH, title="t", message="m",
                      subjects=("a",))
    from stackaudit.config import Waiver

    out, states = apply_waivers([finding], [Waiver(reason="r", check="c", subject="a")], date(2026, 1, 1))
    assert out[0].waived and not finding.waived and states[0].matched == (finding.id,)


def test_findings_document_validates_against_the_shipped_schema() -> None:
    s, _ben, _gus = stack_with_two_admins_without_mfa()
    s.waive(check=MFA, subject="crm:user:ben*", reason="accepted", expires="2030-01-01")
    result = s.evaluate(CHECKS)
    document = findings_document(s.inventory(), result, s.config())
    jsonschema.validate(document, load_schema("findings"), format_checker=jsonschema.FormatChecker())
    assert set(document["findings"][0]) == {"check_id", "category", "severity", "title", "message", "subjects",
                                            "evidence", "remediation", "fingerprint", "waived"}
    assert document["scan"]["waived_findings"] == 1


# -- config ------------------------------------------------------------------------------------------


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "stackaudit.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_config_reads_waivers_and_severity_overrides(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, """
[policy]
max_admins = 3
[policy.severity]
security-plain-http = "critical"

[[waiver]]
check = "security-admin-without-mfa"
subject = "crm:user:*"
reason = "break-glass"
approved_by = "ciso@acme.example"
expires = "2027-01-31"

[[waiver]]
finding = "security-plain-http"
reason = "legacy: a bare check id waives the whole check"
approved_by = "ciso@acme.example"
"""))
    assert config.policy.max_admins == 3 and config.policy.severity == {"security-plain-http": Severity.CRITICAL}
    first, second = config.waivers
    assert (first.check, first.subject, first.expires) == ("security-admin-without-mfa", "crm:user:*", "2027-01-31")
    assert (second.check, second.finding, second.subject) == ("security-plain-http", "", "*")


@pytest.mark.parametrize(("text", "message"), [
    ('[[waiver]]\ncheck = "x"\n', "missing required key 'reason'"),
    ('[[waiver]]\nreason = "r"\napproved_by = "a"\n', "needs the check it waives"),
    ('[[waiver]]\ncheck = "x"\nreason = "r"\napproved_by = "a"\nexpires = "2027-02-30"\n', "is not a date"),
    ('[[waiver]]\ncheck = "x"\nfinding = "y:0123456789ab"\nreason = "r"\napproved_by = "a"\n', "not a finding of"),
    ('[policy.severity]\nsecurity-plain-http = "urgent"\n', "must be critical, high, medium, low or info"),
    ('[policy]\nmax_path_length = 0\n', "max_path_length must be at least 1"),
])
def test_config_errors_name_the_problem(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(write(tmp_path, text))


def test_evaluate_uses_the_scan_time_so_a_saved_inventory_gives_the_same_findings() -> None:
    s, _ben, _gus = stack_with_two_admins_without_mfa()
    s.account("crm:tenant:CRM", "old@acme.example", last_login_days=100)
    inventory = s.inventory()
    from stackaudit.model import Inventory

    again = Inventory.from_dict(inventory.to_dict())
    first = evaluate(inventory, s.config(), CHECKS)
    second = evaluate(again, s.config(), CHECKS)
    assert [f.id for f in first.findings] == [f.id for f in second.findings]
    assert any(f.check_id == "security-inactive-account" for f in second.findings)


def test_a_waiver_without_an_approver_says_so() -> None:
    s, ben, _gus = stack_with_two_admins_without_mfa()
    s.waive(check=MFA, subject=ben, reason="accepted", approved_by="")
    finding = next(f for f in s.evaluate(CHECKS).findings if f.subjects == (ben,))
    assert finding.waived and finding.waiver == "waived, approver not recorded: accepted"
