"""The built-in demo stack's configuration: Northwind Outfitters, pointing at the running emulator."""

from __future__ import annotations

import json
from typing import Any

from stackaudit.emulator import Emulator

DEMO_ORGANIZATION = "Northwind Outfitters"
DEMO_DOMAINS = ("northwind.example",)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def demo_config_text(emulator: Emulator) -> str:
    """A stackaudit.toml for the emulated tenants: one connection each, and their sanctioned-registry entries."""
    lines = [
        "# Written by 'stackaudit demo': the built-in demo stack served by the local emulator.",
        "# Credentials reach the scan through STACKAUDIT_CREDENTIAL_<NAME>; none are stored here.",
        "",
        "[organization]",
        f"name = {_toml_value(DEMO_ORGANIZATION)}",
        f"email_domains = {_toml_value(list(DEMO_DOMAINS))}",
    ]
    seen: set[str] = set()
    registry: list[dict[str, Any]] = []
    for tenant in emulator.tenants.values():
        lines += ["", "[[connection]]", f"name = {_toml_value(tenant.name)}",
                  f"connector = {_toml_value(tenant.spec.vendor)}"]
        # An emulation without routes stands for a connector that reads no API (a local export whose path is
        # in the tenant's options): its connection needs no base URL.
        if emulator.vendors[tenant.spec.vendor].router.routes:
            lines.append(f"base_url = {_toml_value(tenant.base_url)}")
        if tenant.spec.options:
            lines.append(f"options = {_toml_value(tenant.spec.options)}")
        for entry in tenant.spec.registry:
            if entry["id"] not in seen:
                seen.add(entry["id"])
                registry.append(entry)
    for entry in registry:
        lines += ["", "[[system]]"] + [f"{key} = {_toml_value(value)}" for key, value in entry.items()]
    # Northwind is based in Dublin: its data-protection policy keeps personal data in the EU.
    lines += ["", "[policy]", "stale_credential_days = 90", "inactive_user_days = 90", 'allowed_regions = ["eu"]', ""]
    return "\n".join(lines)
