"""findings.sarif: valid SARIF 2.1.0, one rule per check, one result per finding with its fingerprint,
waivers as suppressions, coverage as notifications.

The official SARIF 2.1.0 JSON schema is not shipped by any package on PyPI (sarif-om, jschema-to-python,
sarif-tools and pysarif were checked) and the tests run without network, so ``data/sarif-2.1.0-subset.schema.json``
encodes the official schema's structure for every object stackaudit emits: the properties the specification
defines for each (with ``additionalProperties: false``), the required ones, types and enumerations. Set
``STACKAUDIT_SARIF_SCHEMA`` to the official ``sarif-schema-2.1.0.json`` to validate against it too.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from stackaudit.reporter import Report
from stackaudit.reporters.sarif import FINGERPRINT_KEY, render_sarif

SUBSET = Path(__file__).parent / "data" / "sarif-2.1.0-subset.schema.json"


def validate(document: dict[str, Any], schema_path: Path) -> None:
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    validator = validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


@pytest.fixture(scope="module")
def demo_sarif(demo_dir: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((demo_dir / "findings.sarif").read_text(encoding="utf-8"))
    return document


def test_the_demo_log_is_valid_sarif_2_1_0(demo_sarif: dict[str, Any]) -> None:
    assert demo_sarif["version"] == "2.1.0"
    validate(demo_sarif, SUBSET)


@pytest.mark.parametrize("fixture", ["hostile_report", "waived_report"])
def test_hostile_and_waived_logs_are_valid_too(fixture: str, request: pytest.FixtureRequest) -> None:
    report: Report = request.getfixturevalue(fixture)
    validate(json.loads(render_sarif(report)), SUBSET)


def test_the_subset_schema_rejects_what_the_official_one_rejects() -> None:
    """The subset is strict where it matters: unknown properties, bad levels, missing messages."""
    good = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [
        {"ruleId": "r", "level": "warning", "message": {"text": "m"}}]}]}
    validate(good, SUBSET)
    for bad in (
        {**good, "colour": "red"},
        {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"level": "fatal", "message": {"text": "m"}}]}]},
        {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"ruleId": "r"}]}]},
        {"version": "2.1.0", "runs": [{"tool": {"driver": {}}}]},
        {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [
            {"message": {"text": "m"}, "suppressions": [{"status": "accepted"}]}]}]},
    ):
        with pytest.raises(AssertionError):
            validate(bad, SUBSET)


@pytest.mark.skipif(not os.environ.get("STACKAUDIT_SARIF_SCHEMA"),
                    reason="set STACKAUDIT_SARIF_SCHEMA to the official sarif-schema-2.1.0.json to run this")
def test_the_demo_log_against_the_official_schema(demo_sarif: dict[str, Any]) -> None:
    validate(demo_sarif, Path(os.environ["STACKAUDIT_SARIF_SCHEMA"]))


def test_rules_results_and_fingerprints_match_the_findings(demo_dir: Path, demo_sarif: dict[str, Any]) -> None:
    findings = json.loads((demo_dir / "findings.json").read_text(encoding="utf-8"))
    run = demo_sarif["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    checks = {c["check_id"] for c in findings["coverage"]["checks"]}
    assert {r["id"] for r in rules} == checks
    assert len(run["results"]) == len(findings["findings"])
    levels = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
    for result, finding in zip(run["results"], findings["findings"], strict=True):
        assert result["partialFingerprints"][FINGERPRINT_KEY] == finding["fingerprint"]
        assert result["ruleId"] == finding["check_id"]
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] == levels[finding["severity"]]
        assert result["message"]["text"] == finding["message"]
        names = [loc["fullyQualifiedName"] for loc in result["locations"][0]["logicalLocations"]]
        assert names == [s["id"] for s in finding["subjects"]]
    not_evaluated = {c["check_id"] for c in findings["coverage"]["checks"] if c["status"] not in ("evaluated", "skipped")}
    notified = {n["associatedRule"]["id"] for n in run["invocations"][0].get("toolExecutionNotifications", [])
                if "associatedRule" in n}
    assert notified == not_evaluated


def test_waived_findings_are_suppressed_with_the_waivers_justification(waived_report: Report) -> None:
    run = json.loads(render_sarif(waived_report))["runs"][0]
    waived = [r for r in run["results"] if r["ruleId"] == "security-admin-without-mfa"]
    assert waived and all(r["suppressions"] == [{"kind": "external", "status": "accepted", "justification":
                                                 r["suppressions"][0]["justification"]}] for r in waived)
    assert all("accepted until the CRM migration" in r["suppressions"][0]["justification"] for r in waived)
    expired = [r for r in run["results"] if r["ruleId"] == "security-plain-http"]
    assert expired and all("suppressions" not in r and "expired" in r["properties"]["waiver"] for r in expired)


def test_a_partly_read_connection_is_reported_as_a_notification(hostile_report: Report) -> None:
    run = json.loads(render_sarif(hostile_report))["runs"][0]
    texts = [n["message"]["text"] for n in run["invocations"][0]["toolExecutionNotifications"]]
    assert any(t.startswith("evil-site (wordpress): partial") for t in texts)
    assert any(t.startswith("evil-site: could not read") for t in texts)
    assert run["invocations"][0]["executionSuccessful"] is True  # partial is not failed
