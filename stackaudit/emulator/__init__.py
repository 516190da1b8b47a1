"""A local emulator of the vendor APIs stackaudit reads, for the demo, tests, benchmarks and plugin authors.

Like moto for AWS: each vendor's emulation (registered by its plugin through ``register_emulators``) serves
the vendor's real paths, auth, paging, error bodies and rate-limit answers on 127.0.0.1.

    with Emulator(demo_scenario(host.emulators()), host.emulators()) as emulator:
        url = emulator.url("northwind-salesforce")
"""

from stackaudit.emulator.faults import FAULT_KINDS, FaultPlan
from stackaudit.emulator.server import Emulator, LoggedRequest, Scenario, demo_scenario
from stackaudit.emulator.vendor import (
    EmulatedVendor,
    Request,
    Response,
    Router,
    Tenant,
    TenantSpec,
    demo_now,
    json_response,
    repeat_cursor,
    rewrite_json,
)

__all__ = [
    "FAULT_KINDS",
    "EmulatedVendor",
    "Emulator",
    "FaultPlan",
    "LoggedRequest",
    "Request",
    "Response",
    "Router",
    "Scenario",
    "Tenant",
    "TenantSpec",
    "demo_now",
    "demo_scenario",
    "json_response",
    "repeat_cursor",
    "rewrite_json",
]
