"""What the benchmarks share: scaled demo tenants, a scan of emulated tenants, and a note on the machine."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable, Mapping
from typing import Any

from stackaudit.config import Config, Connection, RateLimitOverride
from stackaudit.credentials import CredentialStore, env_var_name
from stackaudit.emulator import Emulator, Scenario, TenantSpec
from stackaudit.engine import run_scan
from stackaudit.model import Inventory
from stackaudit.plugins import PluginHost

# How each vendor's demo tenant grows with its scale (see each plugin's demo.py): scale 1 is the readable demo.
SALESFORCE_USERS_PER_SCALE = 1000
HUBSPOT_WORKFLOWS_PER_SCALE = 20


def salesforce_scale(users: int) -> int:
    return max(1, round(users / SALESFORCE_USERS_PER_SCALE) + 1)


def hubspot_scale(workflows: int) -> int:
    return max(1, round(workflows / HUBSPOT_WORKFLOWS_PER_SCALE) + 1)


def scenario(host: PluginHost, scales: Mapping[str, int], *, only: Iterable[str] | None = None) -> Scenario:
    """Every registered vendor's demo tenant (or only those named), each at its scale (default 1)."""
    wanted = set(only) if only is not None else None
    tenants: list[TenantSpec] = []
    for vendor in host.emulators():
        if wanted is None or vendor.id in wanted:
            tenants.append(vendor.demo_tenant(scales.get(vendor.id, 1)))
    return Scenario(tenants)


def scan(emulator: Emulator, host: PluginHost, names: Iterable[str] | None = None, *,
         unpaced: bool = False) -> tuple[Inventory, float]:
    """Scan the emulated tenants at once, as ``stackaudit scan`` would; (inventory, wall seconds).

    ``unpaced``: lift every connection's rate limit (as a connection's ``rate_limit`` setting could), to
    measure what concurrency alone is worth."""
    selected = list(names) if names is not None else list(emulator.tenants)
    connections, environ = [], {}
    override = RateLimitOverride(1_000_000, 1.0) if unpaced else None
    for name in selected:
        spec = emulator.tenants[name].spec
        connections.append(Connection(name, spec.vendor, emulator.url(name), dict(spec.options),
                                      rate_limit=override))
        environ[env_var_name(name)] = json.dumps(spec.credentials)
    store = CredentialStore(environ=environ, use_keyring=False)
    started = time.perf_counter()
    inventory = run_scan(Config(connections=tuple(connections)), host.connectors(), store=store,
                         workers=max(1, len(connections)))
    return inventory, time.perf_counter() - started


def machine_note() -> str:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"machine: {os.cpu_count()} cores, load average {load} at the start (shared with other work: "
            "figures are one run each, with that noise in them)")


def row(*cells: Any, widths: tuple[int, ...]) -> str:
    return "  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(cells, widths,
                                                                                                    strict=True)))
