"""Build small synthetic inventories in a few lines, to test checks (ours and third parties') on a graph.

    stack = StackBuilder()
    crm = stack.tenant("crm", vendor="salesforce", data=("pii", "contact"))
    hooks = stack.external(host="hooks.zapier.com")
    stack.flow(crm, hooks, "webhook", data=("contact",))
    stack.sanction("salesforce", vendor="salesforce", owner="it@acme.example")
    result = stack.evaluate(checks)          # or stack.graph(), stack.inventory(), stack.config()

Records follow the connector conventions (ids from :func:`stackaudit.record_id` / :func:`stackaudit.external_id`),
and every date is relative to :attr:`StackBuilder.now`, the inventory's collection time.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from stackaudit.check import Check
from stackaudit.config import Config, Policy, SanctionedSystem, Waiver
from stackaudit.model import (
    Account,
    AccountKind,
    ConnectionResult,
    CoverageStatus,
    Credential,
    DataCategory,
    Evidence,
    Flow,
    Integration,
    Inventory,
    OwnerHint,
    Record,
    System,
    SystemKind,
    TriState,
    external_id,
    record_id,
)

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def _categories(data: Iterable[str]) -> tuple[DataCategory, ...]:
    return tuple(DataCategory(d) for d in data)


class StackBuilder:
    """Accumulates records, registry entries, policy and waivers; builds the inventory, config and graph."""

    def __init__(self, *, domains: tuple[str, ...] = ("acme.example",), now: datetime = NOW) -> None:
        self.now = now
        self.domains = domains
        self.records: list[Record] = []
        self.systems: list[SanctionedSystem] = []
        self.waivers: list[Waiver] = []
        self.policy = Policy()
        self._counter = 0

    def _next(self, prefix: str) -> str:
        self._counter += 1
        return f"{prefix}{self._counter}"

    def ago(self, days: float | None) -> datetime | None:
        return None if days is None else self.now - timedelta(days=days)

    @staticmethod
    def connection_of(system_id: str) -> str:
        return system_id.split(":", 1)[0]

    # -- records --------------------------------------------------------------------------------------

    def tenant(self, connection: str, *, vendor: str, name: str = "", category: str = "",
               data: Iterable[str] = (), domain: str = "", owners: Iterable[OwnerHint] = (),
               attributes: dict[str, Any] | None = None) -> str:
        system_id = record_id(connection, "tenant", connection.upper())
        self.records.append(System(
            id=system_id, name=name or connection, vendor=vendor, system_kind=SystemKind.TENANT, category=category,
            domain=domain, url=f"https://{domain}" if domain else "", data=_categories(data), owners=tuple(owners),
            attributes=dict(attributes or {}), evidence=(Evidence(connection, "GET /org", connection.upper()),),
        ))
        return system_id

    def external(self, *, host: str = "", name: str = "", vendor: str = "", seen_by: str = "scan") -> str:
        system_id = external_id(host=host, name=name)
        self.records.append(System(
            id=system_id, name=name or host, vendor=vendor, system_kind=SystemKind.EXTERNAL, domain=host,
            url=f"https://{host}" if host else "", evidence=(Evidence(seen_by, "GET /things", system_id),),
        ))
        return system_id

    def flow(self, source: str, target: str, kind: str = "webhook", *, data: Iterable[str] = ("contact",),
             url: str = "", integration: str = "", active: bool = True, name: str = "",
             owners: Iterable[OwnerHint] = (), attributes: dict[str, Any] | None = None) -> str:
        connection = self.connection_of(source if source.count(":") >= 2 and not source.startswith("external:")
                                        else target)
        flow_id = record_id(connection, "flow", self._next("f"))
        scheme = url.split("://", 1)[0].lower() if "://" in url else ""
        self.records.append(Flow(
            id=flow_id, source=source, target=target, flow_kind=kind, data=_categories(data), url=url, scheme=scheme,
            integration=integration, name=name or f"{kind} {flow_id}", active=active, owners=tuple(owners),
            attributes=dict(attributes or {}), evidence=(Evidence(connection, f"GET /{kind}s", flow_id),),
        ))
        return flow_id

    def account(self, system: str, email: str, *, name: str = "", admin: bool = False, active: bool = True,
                mfa: TriState = TriState.YES, sso: TriState = TriState.UNKNOWN,
                kind: AccountKind = AccountKind.HUMAN, last_login_days: float | None = 1,
                created_days: float | None = 400, roles: Iterable[str] = ()) -> str:
        connection = self.connection_of(system)
        account_id = record_id(connection, "user", email)
        self.records.append(Account(
            id=account_id, system=system, username=email, email=email, name=name or email.split("@", maxsplit=1)[0],
            account_kind=kind, active=active, admin=admin, roles=tuple(roles) or (("Administrator",) if admin else ()),
            mfa=mfa, sso=sso, last_login_at=self.ago(last_login_days), created_at=self.ago(created_days),
            evidence=(Evidence(connection, "GET /users", email),),
        ))
        return account_id

    def integration(self, system: str, name: str, *, kind: str = "connected_app", client_id: str = "",
                    domains: Iterable[str] = (), scopes: Iterable[str] = (), users: int | None = None,
                    owners: Iterable[OwnerHint] = (), enabled: bool = True, publisher: str = "",
                    attributes: dict[str, Any] | None = None) -> str:
        connection = self.connection_of(system)
        integration_id = record_id(connection, kind, name)
        self.records.append(Integration(
            id=integration_id, system=system, name=name, integration_kind=kind, client_id=client_id,
            domains=tuple(domains), scopes=tuple(scopes), users=users, owners=tuple(owners), enabled=enabled,
            publisher=publisher, attributes=dict(attributes or {}),
            evidence=(Evidence(connection, "GET /apps", name),),
        ))
        return integration_id

    def credential(self, system: str, *, kind: str = "oauth_token", name: str = "token", integration: str = "",
                   account: str = "", scopes: Iterable[str] = (), created_days: float | None = 30,
                   last_used_days: float | None = 1, use_count: int | None = None,
                   expires_in_days: float | None = None) -> str:
        connection = self.connection_of(system)
        credential_id = record_id(connection, kind, self._next("c"))
        self.records.append(Credential(
            id=credential_id, system=system, credential_kind=kind, name=name, integration=integration, account=account,
            scopes=tuple(scopes), created_at=self.ago(created_days), last_used_at=self.ago(last_used_days),
            use_count=use_count,
            expires_at=None if expires_in_days is None else self.now + timedelta(days=expires_in_days),
            evidence=(Evidence(connection, "GET /tokens", credential_id),),
        ))
        return credential_id

    # -- config ---------------------------------------------------------------------------------------

    def sanction(self, system_id: str, *, vendor: str, owner: str = "", data: Iterable[str] = ("pii", "contact"),
                 system_of_record: Iterable[str] = (), domains: Iterable[str] = (),
                 client_ids: Iterable[str] = ()) -> None:
        self.systems.append(SanctionedSystem(
            id=system_id, name=system_id, vendor=vendor, owner=owner, domains=tuple(domains),
            client_ids=tuple(client_ids), data=_categories(data), system_of_record=_categories(system_of_record),
        ))

    def waive(self, *, reason: str = "accepted", approved_by: str = "ciso@acme.example", expires: str = "",
              check: str = "", subject: str = "*", finding: str = "") -> None:
        self.waivers.append(Waiver(reason=reason, approved_by=approved_by, expires=expires, check=check,
                                   subject=subject, finding=finding))

    def set_policy(self, **changes: Any) -> None:
        self.policy = dataclasses.replace(self.policy, **changes)

    # -- outputs --------------------------------------------------------------------------------------

    def inventory(self) -> Inventory:
        connections = sorted({r.evidence[0].connection for r in self.records if r.evidence})
        return Inventory(
            records=list(self.records),
            connections=[ConnectionResult(c, "synthetic", CoverageStatus.COMPLETE) for c in connections],
            organization="Acme", generated_at=self.now, generator="stackaudit.testing",
        )

    def config(self) -> Config:
        return Config(organization="Acme", email_domains=self.domains, systems=tuple(self.systems),
                      policy=self.policy, waivers=tuple(self.waivers))

    def graph(self) -> Any:
        from stackaudit.graph import build_graph

        return build_graph(self.inventory(), self.config())

    def evaluate(self, checks: Iterable[Check], *, today: date | None = None, **kwargs: Any) -> Any:
        from stackaudit.audit import evaluate

        return evaluate(self.inventory(), self.config(), checks, today=today or self.now.date(), **kwargs)
