"""Secret canaries: no credential of any type, and no secret-bearing field a vendor returns, ever shows in what
stackaudit writes or prints.

Canaries are the secret values themselves: every registered emulator's demo credentials (each credential
combination a connector accepts, with made-up values where the demo has none), and every string under a
secret-named field of the demo data (GA4 measurement-protocol secretValue, Contentful API key tokens, Segment
write keys and destination settings, ...), with the base64 forms of user:password pairs. The CLI runs with
--debug (HTTP debug logs on), and stdout, stderr and every file in the output directory are searched.
(Reports and the history database are checked where those are built.)
"""

from __future__ import annotations

import base64
import json
import logging
import os
import re
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import stackaudit.emulator
from stackaudit.cli import cli
from stackaudit.credentials import env_var_name
from stackaudit.demo import demo_config_text
from stackaudit.emulator import Emulator, Scenario, TenantSpec, demo_scenario
from stackaudit.plugins import create_host

pytestmark = pytest.mark.timeout(180)

HOST = create_host()
SECRET_FIELD = re.compile(r"(?i)secret|password|token|api_?key|write_?keys?|private_?key|credentials?")
NOT_SECRET = re.compile(r"(?i)(name|names|type|metric|id|uri|url|secrets)$")  # about a secret, not one
MIN_CANARY = 8
# Secret-bearing fields the named vendors' demo data must hold, so the test cannot pass by finding nothing.
REQUIRED_FIELDS = {
    "ga4": ["secretValue", "credentials:service_account"],
    "contentful": ["accessToken", "credentials:access_token"],
    "segment": ["writeKeys", "apiSecret", "apiKey", "credentials:access_token"],
    "wordpress": ["credentials:application_password"],
    "salesforce": ["credentials:client_secret"],
    "marketo": ["credentials:client_secret"],
    "hubspot": ["credentials:access_token"],
    "mailchimp": ["credentials:api_key"],
}


def _with_forms(value: str) -> set[str]:
    """A secret and the forms it could leak in: without spaces, and PEM key bodies line by line."""
    forms = {value, re.sub(r"\s+", "", value)}
    forms.update(line for line in value.splitlines() if len(line) >= 40 and "-----" not in line)
    return {f for f in forms if len(f) >= MIN_CANARY}


def secrets_of(spec: TenantSpec) -> dict[str, str]:
    """canary -> where it came from, for one tenant."""
    found: dict[str, str] = {}

    def add(value: str, where: str) -> None:
        for form in _with_forms(value):
            found.setdefault(form, where)
        try:
            inner = json.loads(value)
        except ValueError:
            return
        walk(inner, where)

    def walk(value: Any, where: str) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                secret = SECRET_FIELD.search(str(key)) and not NOT_SECRET.search(str(key))
                texts = [item] if isinstance(item, str) else item if isinstance(item, list) else []
                for text in texts:
                    if secret and isinstance(text, str):
                        add(text, f"{where}/{key}")
                walk(item, f"{where}/{key}")
        elif isinstance(value, list):
            for item in value:
                walk(item, where)

    public = {f.name for f in HOST.connectors().get(spec.vendor).credentials.fields if not f.secret}
    for field, value in spec.credentials.items():
        if field not in public:  # a client id or user name may show; its secret may not
            add(value, f"credentials:{field}")
    values = list(spec.credentials.values())
    for user in [*values, "stackaudit", ""]:
        for password in (v for k, v in spec.credentials.items() if k not in public):
            found.setdefault(base64.b64encode(f"{user}:{password}".encode()).decode(), "basic auth")
    walk(spec.data, "data")
    return found


def assert_no_leak(canaries: dict[str, str], outputs: dict[str, str]) -> None:
    leaks = [f"{where} in {name}" for name, text in outputs.items() for canary, where in canaries.items()
             if canary in text]
    assert not leaks, "secrets leaked: " + "; ".join(sorted(set(leaks))[:10])


def files_in(directory: Path) -> dict[str, str]:
    return {str(p.relative_to(directory)): p.read_text(encoding="utf-8", errors="replace")
            for p in sorted(directory.rglob("*")) if p.is_file()}


@pytest.fixture
def restored() -> Iterator[None]:
    """The CLI configures the root logger and the demo sets credential variables: undo both afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    environ = dict(os.environ)
    yield
    root.handlers[:], root.level = handlers, level
    for name in set(os.environ) - set(environ):
        del os.environ[name]


def test_demo_with_debug_logs_shows_no_secret(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              restored: None) -> None:
    used: list[Scenario] = []

    def capture(*args: Any, **kwargs: Any) -> Scenario:
        scenario = demo_scenario(*args, **kwargs)
        used.append(scenario)
        return scenario

    monkeypatch.setattr(stackaudit.emulator, "demo_scenario", capture)
    out = tmp_path / "demo"
    result = CliRunner().invoke(cli, ["--debug", "demo", "-o", str(out)], catch_exceptions=False)

    (scenario,) = used
    canaries = {c: f"{t.vendor} {w}" for t in scenario.tenants for c, w in secrets_of(t).items()}
    for vendor, fields in REQUIRED_FIELDS.items():
        (tenant,) = [t for t in scenario.tenants if t.vendor == vendor]
        wheres = set(secrets_of(tenant).values())
        for field in fields:
            assert any(w.endswith(field) or w == field for w in wheres), f"{vendor}: no canary for {field}"
    assert result.exit_code in (0, 1, 3), result.output
    assert "DEBUG" in result.stderr  # the HTTP debug logs were on
    assert (out / "inventory.json").exists()
    assert_no_leak(canaries, {"stdout": result.stdout, "stderr": result.stderr, **files_in(out)})


def _variant_credentials(vendor: str, spec: TenantSpec) -> list[dict[str, str]]:
    """One set of credentials per combination the connector accepts; made-up values keep the demo value's shape
    (a Mailchimp key's data-centre suffix, a token's prefix), a JSON key file stays the demo's."""
    connector = HOST.connectors().get(vendor)
    fields = {f.name: f for f in connector.credentials.fields}
    variants = []
    for combination in connector.credentials.combinations:
        values = {}
        for name in combination:
            demo = spec.credentials.get(name, "")
            if not fields[name].secret or demo.lstrip().startswith("{"):
                values[name] = demo or f"canary-{name}"
            elif len(demo) >= 12:
                values[name] = demo[:4] + "CANARY" + secrets.token_hex(8) + demo[-5:]
            else:
                values[name] = "00DCANARY" + secrets.token_hex(12)
        variants.append(values)
    return variants


def test_every_credential_type_stays_out_of_a_debug_scan(tmp_path: Path, restored: None) -> None:
    tenants = []
    for vendor in HOST.emulators():
        spec = vendor.demo_tenant()
        for n, credentials in enumerate(_variant_credentials(vendor.id, spec)):
            tenants.append(TenantSpec(name=f"{spec.name}-{n}", vendor=spec.vendor, data=spec.data,
                                      credentials=credentials, options=spec.options, registry=spec.registry))
    canaries = {c: f"{t.name} {w}" for t in tenants for c, w in secrets_of(t).items()}
    with Emulator(Scenario(tenants), HOST.emulators()) as emulator:
        config = tmp_path / "stackaudit.toml"
        config.write_text(demo_config_text(emulator), encoding="utf-8")
        for tenant in emulator.tenants.values():
            os.environ[env_var_name(tenant.name)] = json.dumps(tenant.credentials)
        out = tmp_path / "scan"
        result = CliRunner().invoke(cli, ["--debug", "scan", "-c", str(config), "-o", str(out)],
                                    catch_exceptions=False)
    inventory = json.loads((out / "inventory.json").read_text(encoding="utf-8"))
    statuses = {c["name"]: c["status"] for c in inventory["connections"]}
    assert set(statuses.values()) == {"complete"}, statuses  # every credential type really worked
    assert len(statuses) > len(HOST.emulators())
    assert_no_leak(canaries, {"stdout": result.stdout, "stderr": result.stderr, **files_in(out)})


def _wait_for(path: Path, process: subprocess.Popen[bytes], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"the emulator did not start: {process.poll()}")
        time.sleep(0.1)


def test_failing_scan_in_a_real_terminal_session_shows_no_secret(tmp_path: Path) -> None:
    """The CLI as a user runs it (separate processes), with faults and a refused credential, so error paths and
    their messages are exercised too."""
    scenario = demo_scenario(HOST.emulators())
    scenario_path = tmp_path / "scenario.json"
    scenario_path.write_text(json.dumps(scenario.to_dict()), encoding="utf-8")
    config = tmp_path / "emulated.toml"
    command = [sys.executable, "-c", "from stackaudit.cli import main; main()"]
    emulator = subprocess.Popen([*command, "emulator", "serve", "--scenario", str(scenario_path), "--write-config",
                                 str(config), "--faults", "503=0.15,html=0.1,truncated=0.1,reset=0.05",
                                 "--fault-seed", "5"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for(config, emulator, 30)
        environ = {k: v for k, v in os.environ.items() if not k.startswith("STACKAUDIT_CREDENTIAL_")}
        wrong = "CANARY-refused-secret-" + secrets.token_hex(8)
        for tenant in scenario.tenants:
            credentials = dict(tenant.credentials)
            if tenant.vendor == "marketo":
                credentials["client_secret"] = wrong  # refused: the authentication error path
            environ[env_var_name(tenant.name)] = json.dumps(credentials)
        out = tmp_path / "scan"
        scan = subprocess.run([*command, "--debug", "scan", "-c", str(config), "-o", str(out), "--fail-on", "critical"], env=environ,
                              capture_output=True, text=True, timeout=150, check=False)
    finally:
        emulator.terminate()
        emulator.wait(timeout=10)

    canaries = {c: f"{t.vendor} {w}" for t in scenario.tenants for c, w in secrets_of(t).items()}
    canaries[wrong] = "the refused marketo client_secret"
    assert scan.returncode == 3, scan.stderr[-2000:]  # incomplete: the refused connection
    assert "DEBUG" in scan.stderr
    inventory = json.loads((out / "inventory.json").read_text(encoding="utf-8"))
    failed = [c for c in inventory["connections"] if c["status"] != "complete"]
    assert any(c["connector"] == "marketo" and "refused" in c["message"] for c in failed), failed
    assert_no_leak(canaries, {"stdout": scan.stdout, "stderr": scan.stderr, **files_in(out)})
