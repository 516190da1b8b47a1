"""Helpers for testing stackaudit plugins, ours and third parties' alike.

- :func:`make_context` / :func:`run_connector`: run a connector against a fake tenant (``responses``) or any
  base URL, and look at the records and coverage gaps it produced;
- :func:`scan_emulated`: run the real scan of one emulated tenant through the real HTTP layer;
- :mod:`stackaudit.testing.vendor_specs`: validate payloads against the vendors' official API descriptions.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from stackaudit.config import Config, Connection
from stackaudit.connector import Connector, ScanContext
from stackaudit.credentials import CredentialStore, env_var_name
from stackaudit.emulator import Emulator
from stackaudit.engine import run_scan
from stackaudit.model import Inventory
from stackaudit.registry import ConnectorRegistry


def make_context(connector: type[Connector], *, credentials: Mapping[str, str], base_url: str = "",
                 options: Mapping[str, Any] | None = None, connection: str = "test",
                 organization_domains: tuple[str, ...] = ()) -> ScanContext:
    """A :class:`ScanContext` as the scan would build it, with the connector's declared option defaults."""
    url = base_url or connector.default_base_url or "https://tenant.example.test"
    return ScanContext(
        connection=connection,
        connector=connector,
        base_url=url,
        credentials=credentials,
        options=connector.resolve_options(options or {}, connection=connection),
        organization_domains=organization_domains,
    )


def run_connector(connector: type[Connector], **kwargs: Any) -> ScanContext:
    """Run ``connector().collect`` and return the context holding its records and gaps.

    Errors propagate, so a test can assert the typed error a failing tenant gives.
    """
    ctx = make_context(connector, **kwargs)
    connector().collect(ctx)
    return ctx


def scan_emulated(emulator: Emulator, tenant: str, connectors: ConnectorRegistry, *,
                  options: Mapping[str, Any] | None = None,
                  organization_domains: tuple[str, ...] = ("northwind.example",)) -> Inventory:
    """Scan one running emulated tenant through the engine, as ``stackaudit scan`` would."""
    spec = emulator.tenants[tenant].spec
    connection = Connection(tenant, spec.vendor, emulator.url(tenant), dict(options or spec.options))
    store = CredentialStore(environ={env_var_name(tenant): json.dumps(spec.credentials)}, use_keyring=False)
    config = Config(connections=(connection,), email_domains=organization_domains)
    return run_scan(config, connectors, store=store)
