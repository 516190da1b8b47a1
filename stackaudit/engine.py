"""Runs the configured connections (concurrently, bounded) and gathers one :class:`Inventory`.

Everything the scan needs from the user is checked before the first request: every connection names a
registered connector, has a base URL and valid options, and has credentials. After that, a connection that
fails never sinks the scan: its error becomes a coverage gap and the others carry on.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from stackaudit import __version__
from stackaudit.config import Config, Connection
from stackaudit.connector import Connector, ScanContext
from stackaudit.credentials import CredentialStore, FoundCredentials
from stackaudit.errors import ConfigError, CredentialError, StackAuditError
from stackaudit.http import DEFAULT_TIMEOUT, RateLimit, RetryPolicy
from stackaudit.model import ConnectionResult, CoverageGap, CoverageStatus, Inventory, Record
from stackaudit.redaction import Redactor
from stackaudit.redaction import redactor as default_redactor
from stackaudit.registry import ConnectorRegistry

DEFAULT_WORKERS = 16  # connections at once: each waits on its own vendor, so they hardly compete


@dataclasses.dataclass(frozen=True)
class PlannedConnection:
    connection: Connection
    connector: type[Connector]
    base_url: str
    options: dict[str, object]


@dataclasses.dataclass(frozen=True)
class ScanEvent:
    connection: str
    stage: str  # started | finished
    result: ConnectionResult | None = None


def plan_scan(config: Config, connectors: ConnectorRegistry, *, only: tuple[str, ...] = ()) -> list[PlannedConnection]:
    """Check every enabled connection against the registered connectors before anything is scanned."""
    planned = []
    for i, connection in enumerate(config.connections):
        if not connection.enabled or (only and connection.name not in only):
            continue
        key = f"connection[{i}].connector"
        if connection.connector not in connectors:
            available = ", ".join(connectors.ids()) or "none (is a plugin disabled?)"
            raise ConfigError(f"connection {connection.name!r} names connector {connection.connector!r}, "
                              "which no plugin provides", path=str(config.path or ""), key=key,
                              fix=f"use one of: {available}")
        connector = connectors.get(connection.connector)
        base_url = connection.base_url or connector.default_base_url or ""
        if not base_url and connector.default_base_url is None:
            raise ConfigError(f"connection {connection.name!r} needs a base_url for connector {connector.id!r}",
                              path=str(config.path or ""), key=f"connection[{i}].base_url",
                              fix=f"add base_url = \"https://…\" (the {connector.title} tenant's URL)")
        options = connector.resolve_options(connection.options, connection=connection.name)
        planned.append(PlannedConnection(connection, connector, base_url, options))
    missing = set(only) - {p.connection.name for p in planned}
    if missing:
        raise ConfigError(f"no enabled connection named {sorted(missing)[0]!r}", path=str(config.path or ""),
                          fix="use a name from the [[connection]] entries, or remove --connection")
    return planned


def resolve_credentials(planned: list[PlannedConnection], store: CredentialStore) -> dict[str, FoundCredentials]:
    """Every planned connection's credentials, or the :class:`CredentialError` of the first that has none
    (naming how many others lack them too), before anything is scanned."""
    found: dict[str, FoundCredentials] = {}
    problems: list[CredentialError] = []
    for p in planned:
        try:
            found[p.connection.name] = store.resolve(p.connection.name, p.connector.credentials)
        except CredentialError as exc:
            problems.append(exc)
    if problems:
        first = problems[0]
        more = f" (and {len(problems) - 1} more connection(s))" if len(problems) > 1 else ""
        raise CredentialError(first.message + more, fix=first.fix)
    return found


def scan_connection(planned: PlannedConnection, *, store: CredentialStore, redactor: Redactor,
                    organization_domains: tuple[str, ...], credentials: FoundCredentials | None = None,
                    timeout: float | tuple[float, float] = DEFAULT_TIMEOUT, retry: RetryPolicy | None = None,
                    ) -> tuple[ConnectionResult, list[Record], list[CoverageGap]]:
    connection, connector = planned.connection, planned.connector
    started = datetime.now(UTC)
    clock = time.perf_counter()
    base = ConnectionResult(name=connection.name, connector=connector.id, status=CoverageStatus.SKIPPED,
                            base_url=planned.base_url, started_at=started)
    if credentials is None:
        try:
            credentials = store.resolve(connection.name, connector.credentials)
        except CredentialError as exc:
            gap = CoverageGap(connection.name, "connection", str(exc), type(exc).__name__)
            return dataclasses.replace(base, message=str(exc)), [], [gap]
    override = connection.rate_limit
    ctx = ScanContext(
        connection=connection.name,
        connector=connector,
        base_url=planned.base_url,
        credentials=credentials.values,
        options=planned.options,
        rate_limit=RateLimit(override.requests, override.per_seconds) if override else None,
        redactor=redactor,
        organization_domains=organization_domains,
        timeout=timeout,
        retry=retry,
    )
    error: BaseException | None = None
    try:
        connector().collect(ctx)
    except StackAuditError as exc:
        error = exc
    except Exception as exc:  # a connector bug: report it as a gap, keep the rest of the scan
        error = exc
    message = ""
    if error is not None:
        if isinstance(error, StackAuditError):
            text = str(error)
        else:
            text = f"connector crashed: {type(error).__name__}: {error}"
        message = redactor.redact(text)
        ctx.gap("connection", message, error)
    if error is not None and not ctx.records:
        status = CoverageStatus.FAILED
    elif error is not None or ctx.gaps:
        status = CoverageStatus.PARTIAL
    else:
        status = CoverageStatus.COMPLETE
    counts: dict[str, int] = {}
    for record in ctx.records:
        counts[record.kind] = counts.get(record.kind, 0) + 1
    result = dataclasses.replace(
        base,
        status=status,
        duration_s=round(time.perf_counter() - clock, 3),
        requests=ctx.stats.requests,
        retries=ctx.stats.retries,
        rate_limited=ctx.stats.rate_limited,
        records=counts,
        message=message,
    )
    return result, ctx.records, ctx.gaps


def run_scan(
    config: Config,
    connectors: ConnectorRegistry,
    *,
    store: CredentialStore | None = None,
    redactor: Redactor = default_redactor,
    on_event: Callable[[ScanEvent], None] | None = None,
    only: tuple[str, ...] = (),
    workers: int = DEFAULT_WORKERS,
    timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
    retry: RetryPolicy | None = None,
) -> Inventory:
    """Scan every enabled connection and return the combined inventory (records sorted by kind and id, gaps by
    connection and area).

    Raises :class:`ConfigError` or :class:`CredentialError` before the first request if the configuration
    cannot be scanned as written. ``timeout`` and ``retry`` apply to every request of every connection.
    """
    planned = plan_scan(config, connectors, only=only)
    store = store or CredentialStore(redactor=redactor)
    notify = on_event or (lambda event: None)
    credentials = resolve_credentials(planned, store)

    def one(p: PlannedConnection) -> tuple[ConnectionResult, list[Record], list[CoverageGap]]:
        notify(ScanEvent(p.connection.name, "started"))
        outcome = scan_connection(p, store=store, redactor=redactor, organization_domains=config.email_domains,
                                  credentials=credentials[p.connection.name], timeout=timeout, retry=retry)
        notify(ScanEvent(p.connection.name, "finished", outcome[0]))
        return outcome

    inventory = Inventory(organization=config.organization, generator=f"stackaudit {__version__}")
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="scan") as pool:
        for result, records, gaps in pool.map(one, planned):
            inventory.connections.append(result)
            inventory.records.extend(records)
            inventory.gaps.extend(gaps)
    inventory.records.sort(key=lambda r: (r.kind, r.id))
    inventory.gaps.sort(key=lambda g: (g.connection, g.area, g.reason))
    return inventory
