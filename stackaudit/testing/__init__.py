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
from stackaudit.http import DEFAULT_TIMEOUT, RetryPolicy
from stackaudit.model import Inventory
from stackaudit.registry import ConnectorRegistry


def make_context(connector: type[Connector], *, credentials: Mapping[str, str], base_url: str = "",
                 options: Mapping[str, Any] | None = None, connection: str = "test") -> ScanContext:
    """A :class:`ScanContext` as the scan would build it, with the connector's declared option defaults."""
    url = base_url or connector.default_base_url or "https://tenant.example.test"
    return ScanContext(
        connection=connection,
        connector=connector,
        base_url=url,
        credentials=credentials,
        options=connector.resolve_options(options or {}, connection=connection),
    )


def run_connector(connector: type[Connector], **kwargs: Any) -> ScanContext:
    """Run ``connector().collect`` and return the context holding its records and gaps.

    Errors propagate, so a test can assert the typed error a failing tenant gives.
    """
    ctx = make_context(connector, **kwargs)
    connector().collect(ctx)
    return ctx


def scan_emulated(emulator: Emulator, tenant: str | None, connectors: ConnectorRegistry, *,
                  options: Mapping[str, Any] | None = None, timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
                  retry: RetryPolicy | None = None, organization_domains: tuple[str, ...] = ()) -> Inventory:
    """Scan one running emulated tenant (or, with ``tenant=None``, all of them at once) through the engine,
    as ``stackaudit scan`` would. ``timeout`` and ``retry`` let a test keep every request short."""
    names = [tenant] if tenant is not None else list(emulator.tenants)
    connections = []
    environ = {}
    for name in names:
        spec = emulator.tenants[name].spec
        given = (options or spec.options) if tenant is not None else spec.options
        connections.append(Connection(name, spec.vendor, emulator.url(name), dict(given)))
        environ[env_var_name(name)] = json.dumps(spec.credentials)
    store = CredentialStore(environ=environ, use_keyring=False)
    config = Config(connections=tuple(connections), email_domains=organization_domains)
    return run_scan(config, connectors, store=store, timeout=timeout, retry=retry)
