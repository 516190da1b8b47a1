"""Every registered connector against the emulator's injected faults.

- transient faults (a share of requests failing, every kind at once) give exactly the inventory of a clean run;
- a persistent fault on one tenant gives that connection a clear coverage gap, with bounded retries, while the
  others complete as if nothing happened;
- a repeating cursor never gives a silently different inventory: the same one, or a gap naming the cursor.

Every scan here is bounded: short timeouts, few and quick retries, and a per-test timeout.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from stackaudit.config import Config, Connection, RateLimitOverride
from stackaudit.credentials import CredentialStore, env_var_name
from stackaudit.emulator import FAULT_KINDS, Emulator, FaultPlan, Scenario
from stackaudit.engine import run_scan
from stackaudit.http import RetryPolicy
from stackaudit.model import CoverageStatus, Inventory, to_jsonable
from stackaudit.plugins import create_host

pytestmark = pytest.mark.timeout(120)

HOST = create_host()
# Vendors reached over HTTP: an emulation without routes (a connector that reads a local file) has no wire to fault.
VENDORS = [v.id for v in HOST.emulators() if v.router.routes]
# Transient faults hit 40% of requests: with 12 attempts, a request fails every one of them about once in
# 60,000 (and the faults are seeded, so a passing run passes again). Persistent faults need fewer attempts.
TRANSIENT_RATE = 0.4
ATTEMPTS = 12
PERSISTENT_ATTEMPTS = 4
TIMEOUT = (2.0, 0.4)  # connect, read: a stalled answer costs 0.4 s
STALL = 0.8
# Faults a scan must ride out. "cursor" is not among them: a repeating cursor is the vendor's bug, not a hiccup.
TRANSIENT = sorted(set(FAULT_KINDS) - {"cursor"})
PERSISTENT = ["503", "reset", "timeout", "html", "truncated"]


def tenant_of(vendor: str, scale: int = 1) -> Any:
    return HOST.emulators().get(vendor).demo_tenant(scale)


def scan(emulator: Emulator, names: list[str], options: dict[str, dict[str, Any]] | None = None, *,
         attempts: int = ATTEMPTS) -> Inventory:
    """Scan the named tenants at once, with the rate limits lifted (the emulator's are off too): the faults are
    what is under test here, and the scans stay fast."""
    connections = []
    environ = {}
    for name in names:
        spec = emulator.tenants[name].spec
        given = {**spec.options, **(options or {}).get(name, {})}
        connections.append(Connection(name, spec.vendor, emulator.url(name), given,
                                      rate_limit=RateLimitOverride(10_000, 1.0)))
        environ[env_var_name(name)] = json.dumps(spec.credentials)
    store = CredentialStore(environ=environ, use_keyring=False)
    return run_scan(Config(connections=tuple(connections)), HOST.connectors(), store=store, timeout=TIMEOUT,
                    retry=RetryPolicy(attempts=attempts, backoff=0.01, max_wait=0.05))


def content(inventory: Inventory, connection: str) -> dict[str, Any]:
    """What a connection found: its records and gaps (not timings or request counts)."""
    prefix = f"{connection}:"
    records = sorted(json.dumps(to_jsonable(r), sort_keys=True) for r in inventory.records
                     if r.id.startswith(prefix) or any(e.connection == connection for e in r.evidence))
    gaps = sorted((g.area, g.reason) for g in inventory.gaps if g.connection == connection)
    return {"records": records, "gaps": gaps}


def result(inventory: Inventory, connection: str) -> Any:
    (found,) = [c for c in inventory.connections if c.name == connection]
    return found


@pytest.fixture
def emulated(request: pytest.FixtureRequest) -> Iterator[Emulator]:
    vendors, scale = request.param if isinstance(request.param, tuple) else ([request.param], 1)
    scenario = Scenario([tenant_of(v, scale) for v in vendors])
    with Emulator(scenario, HOST.emulators(), enforce_rate_limits=False) as emulator:
        yield emulator


@pytest.mark.parametrize("emulated", VENDORS, indirect=True)
def test_transient_faults_of_every_kind_give_the_clean_inventory(emulated: Emulator) -> None:
    (name,) = emulated.tenants
    clean = scan(emulated, [name])
    assert result(clean, name).status is CoverageStatus.COMPLETE

    # 40% of all requests fail, every transient kind mixed, the same faults on every run (seeded).
    emulated.faults = FaultPlan({kind: TRANSIENT_RATE / len(TRANSIENT) for kind in TRANSIENT}, seed=7, stall=STALL)
    faulty = scan(emulated, [name])

    injected = emulated.faults_injected(name)
    assert injected, "the plan should have hit some requests"
    outcome = result(faulty, name)
    assert outcome.status is CoverageStatus.COMPLETE, outcome.message
    assert content(faulty, name) == content(clean, name)
    assert outcome.retries >= sum(injected.values())
    assert outcome.retries <= (ATTEMPTS - 1) * result(clean, name).requests  # bounded


def test_the_whole_stack_rides_out_every_kind_of_transient_fault() -> None:
    scenario = Scenario([tenant_of(v) for v in VENDORS])
    with Emulator(scenario, HOST.emulators(), enforce_rate_limits=False) as emulator:
        names = list(emulator.tenants)
        clean = scan(emulator, names)
        emulator.faults = FaultPlan({kind: TRANSIENT_RATE / len(TRANSIENT) for kind in TRANSIENT}, seed=11,
                                    stall=STALL)
        faulty = scan(emulator, names)
        injected = emulator.faults_injected()
    assert set(injected) == set(TRANSIENT), f"every kind should have been exercised: {injected}"
    for name in names:
        assert result(faulty, name).status is CoverageStatus.COMPLETE, result(faulty, name).message
        assert content(faulty, name) == content(clean, name), name


def pairs() -> list[tuple[str, str]]:
    """Each vendor with each persistent kind, next to a bystander tenant of another vendor."""
    return [(vendor, kind) for vendor in VENDORS for kind in PERSISTENT]


@pytest.mark.parametrize(("vendor", "kind"), pairs())
def test_a_persistent_fault_is_a_clear_gap_for_that_connection_only(vendor: str, kind: str) -> None:
    bystander = VENDORS[(VENDORS.index(vendor) + 1) % len(VENDORS)]
    scenario = Scenario([tenant_of(vendor), tenant_of(bystander)])
    faulty_name, other_name = (t.name for t in scenario.tenants)
    with Emulator(scenario, HOST.emulators(), enforce_rate_limits=False) as emulator:
        clean = scan(emulator, [other_name])
        emulator.faults = FaultPlan({kind: 1.0}, tenants=frozenset({faulty_name}), stall=STALL)
        inventory = scan(emulator, [faulty_name, other_name], attempts=PERSISTENT_ATTEMPTS)

    failed = result(inventory, faulty_name)
    assert failed.status is CoverageStatus.FAILED, failed
    (gap,) = [g for g in inventory.gaps if g.connection == faulty_name]
    assert gap.area == "connection" and gap.error
    assert (f"after {PERSISTENT_ATTEMPTS} attempts" in gap.reason or "not JSON" in gap.reason
            or "HTTP 503" in gap.reason), gap.reason
    assert "crashed" not in gap.reason
    # Bounded: the first request was tried PERSISTENT_ATTEMPTS times; at most a fallback probe came after it.
    sent = [e for e in emulator.log if e.tenant == faulty_name]
    assert sum(1 for e in sent if (e.method, e.path) == (sent[0].method, sent[0].path)) == PERSISTENT_ATTEMPTS
    assert PERSISTENT_ATTEMPTS <= len(sent) == failed.requests <= PERSISTENT_ATTEMPTS + 1

    assert result(inventory, other_name).status is CoverageStatus.COMPLETE
    assert content(inventory, other_name) == content(clean, other_name)


# Settings that make listings span several pages, where a connector has them.
CURSOR_OPTIONS: dict[str, dict[str, Any]] = {"salesforce": {"batch_size": 200}, "segment": {"page_size": 1}}
# Vendors whose emulated demo data at this scale has a cursor-paged listing of three or more pages.
CURSOR_PAGED = {"salesforce", "hubspot", "marketo", "segment"}


@pytest.mark.parametrize("emulated", [([v], 3) for v in VENDORS], indirect=True, ids=VENDORS)
def test_a_repeating_cursor_is_never_a_silently_different_inventory(emulated: Emulator) -> None:
    (name,) = emulated.tenants
    vendor = emulated.tenants[name].spec.vendor
    options = {name: CURSOR_OPTIONS.get(vendor, {})}
    clean = scan(emulated, [name], options)

    emulated.faults = FaultPlan({"cursor": 1.0})
    faulty = scan(emulated, [name], options)

    outcome = result(faulty, name)
    if emulated.faults_injected(name)["cursor"]:
        assert outcome.status is not CoverageStatus.COMPLETE
        assert any("same page cursor twice" in g.reason for g in faulty.gaps), faulty.gaps
    else:
        assert vendor not in CURSOR_PAGED, "the demo data should page here: the test would prove nothing"
        assert outcome.status is CoverageStatus.COMPLETE
        assert content(faulty, name) == content(clean, name)


def test_faults_are_the_same_on_every_run_with_the_same_seed() -> None:
    plan = FaultPlan({"503": 0.2, "reset": 0.1}, seed=3)
    draws = [plan.draw("t", "GET", f"/items?page={n}", 1) for n in range(200)]
    assert draws == [plan.draw("t", "GET", f"/items?page={n}", 1) for n in range(200)]
    assert 0.2 < sum(d is not None for d in draws) / 200 < 0.4
    assert draws != [FaultPlan({"503": 0.2, "reset": 0.1}, seed=4).draw("t", "GET", f"/items?page={n}", 1)
                     for n in range(200)]
    # A retry of the same request draws afresh.
    assert {plan.draw("t", "GET", "/items", n) for n in range(1, 50)} >= {None, "503"}


@pytest.mark.parametrize(("text", "message"), [
    ("503=2", "between 0 and 1"), ("teapot=0.1", "unknown fault kind"), ("503=0.6,500=0.6", "more than 1"),
    ("503=lots", "not a number"),
])
def test_a_bad_fault_plan_is_refused_with_the_fix(text: str, message: str) -> None:
    from stackaudit.errors import EmulatorError

    with pytest.raises(EmulatorError, match=message) as raised:
        FaultPlan.parse(text)
    assert raised.value.fix
