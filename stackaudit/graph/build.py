"""Inventory -> NetworkX ``MultiDiGraph``: systems, apps, accounts, credentials and people, joined by flows.

Every node has a ``kind`` (see :mod:`stackaudit.graph` for the attributes of each), every edge a ``kind``
too; a flow edge's key is the flow's record id. Outside services are resolved to vendors through the
:class:`~stackaudit.graph.catalogue.Catalogue`, so one vendor seen by several connectors is one node, and an
outside service that is a tenant we scanned is that tenant's node.
"""

from __future__ import annotations

import dataclasses
import gc
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import networkx as nx

from stackaudit.config import Config, SanctionedSystem
from stackaudit.graph.catalogue import Catalogue, Vendor, host_of_external, is_ip_or_local, slug
from stackaudit.model import (
    Account,
    Credential,
    Evidence,
    Flow,
    Integration,
    Inventory,
    OwnerHint,
    System,
    SystemKind,
)

VENDOR_PREFIX = "vendor:"
PERSON_PREFIX = "person:"
REGISTRY_PREFIX = "registry:"
IDENTITY_CATEGORY = "identity"


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building large acyclic structures.

    Bulk-creating hundreds of thousands of dicts makes the collector rescan the whole heap again and again;
    nothing built here forms reference cycles, so pausing it only saves that time.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def person_id(email: str) -> str:
    return PERSON_PREFIX + email.lower()


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower() if url else ""
    except ValueError:
        return ""


def _under(host: str, domain: str) -> bool:
    domain = domain.lower().strip(".")
    return bool(host) and bool(domain) and (host == domain or host.endswith("." + domain))


def _union(*groups: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(dict.fromkeys(item for group in groups for item in group))


@dataclasses.dataclass
class _External:
    """Everything known about one external id, merged across the connectors that reported it."""

    id: str
    name: str = ""
    vendor: str = ""
    domain: str = ""
    url: str = ""
    category: str = ""
    data: tuple[str, ...] = ()
    owners: tuple[OwnerHint, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    attributes: dict[str, Any] = dataclasses.field(default_factory=dict)
    described: bool = False  # a System record describes it (else only a flow points at it)

    def merge(self, system: System) -> None:
        self.described = True
        self.name = self.name or system.name
        self.vendor = self.vendor or system.vendor
        self.domain = self.domain or system.domain
        self.url = self.url or system.url
        self.category = self.category or system.category
        self.data = _union(self.data, (d.value for d in system.data))
        self.owners = _union(self.owners, system.owners)
        self.evidence = _union(self.evidence, system.evidence)
        for k, v in system.attributes.items():
            self.attributes.setdefault(k, v)

    @property
    def hosts(self) -> tuple[str, ...]:
        return tuple(h for h in dict.fromkeys((host_of_external(self.id), self.domain.lower(), _host(self.url))) if h)

    @property
    def display_name(self) -> str:
        if self.name:
            return self.name
        host = host_of_external(self.id)
        return host or self.id.removeprefix("external:app:").replace("-", " ")


class _Builder:
    def __init__(self, inventory: Inventory, config: Config, catalogue: Catalogue) -> None:
        self.inventory = inventory
        self.config = config
        self.catalogue = catalogue.with_registry(config.systems)
        self.graph = nx.MultiDiGraph()
        self.resolved: dict[str, str] = {}  # record system id -> node id
        self.org_domains = tuple(d.lower() for d in config.email_domains)
        self.registry_by_vendor: dict[str, list[SanctionedSystem]] = defaultdict(list)
        self.registry_by_client: dict[str, SanctionedSystem] = {}
        self.registry_by_domain: dict[str, SanctionedSystem] = {}
        for entry in config.systems:
            self.registry_by_vendor[self.catalogue.canonical(entry.vendor)].append(entry)
            for client_id in entry.client_ids:
                self.registry_by_client.setdefault(client_id, entry)
            for domain in entry.domains:
                self.registry_by_domain.setdefault(domain.lower().strip("."), entry)

    # -- helpers ------------------------------------------------------------------------------------

    def internal(self, hosts: Iterable[str]) -> bool:
        return any(_under(h, d) for h in hosts for d in self.org_domains)

    def registry_by_host(self, host: str) -> SanctionedSystem | None:
        """The registry entry listing ``host`` or its closest parent domain."""
        labels = host.lower().strip(".").split(".")
        for i in range(len(labels)):
            entry = self.registry_by_domain.get(".".join(labels[i:]))
            if entry is not None:
                return entry
        return None

    def registry_match(self, vendor: str, hosts: Iterable[str]) -> SanctionedSystem | None:
        """By vendor (the entry whose domains cover one of ``hosts`` when the vendor has several), else by domain."""
        by_host = [e for e in (self.registry_by_host(h) for h in hosts if h) if e is not None]
        candidates = self.registry_by_vendor.get(vendor, []) if vendor else []
        for entry in by_host:
            if entry in candidates:
                return entry
        if candidates:
            return candidates[0]
        return by_host[0] if by_host else None

    def registry_attrs(self, entry: SanctionedSystem | None) -> dict[str, Any]:
        if entry is None:
            return {"sanctioned": False, "registry_id": "", "registry_name": "", "owner": "", "approved_data": (),
                    "approvals_declared": False, "system_of_record": ()}
        return {
            "sanctioned": True,
            "registry_id": entry.id,
            "registry_name": entry.name,
            "owner": entry.owner.lower(),
            "approved_data": tuple(d.value for d in entry.data),
            "approvals_declared": bool(entry.data),
            "system_of_record": tuple(d.value for d in entry.system_of_record),
        }

    def vendor_attrs(self, vendor: Vendor | None, category: str) -> dict[str, Any]:
        category = category or (vendor.category if vendor else "")
        identity = category == IDENTITY_CATEGORY
        return {
            "vendor": vendor.id if vendor else "",
            "vendor_name": vendor.name if vendor else "",
            "category": category,
            "sso_provider": identity or bool(vendor and vendor.sso_provider),
            "directory": identity or bool(vendor and vendor.directory),
            "sign_in_with": vendor.sign_in_with if vendor else "",
        }

    def ensure_system(self, node_id: str) -> None:
        """A system a record points at but nobody described: keep the edge, mark the node as a stub."""
        if node_id not in self.graph:
            self.graph.add_node(node_id, kind="system", system_kind=SystemKind.EXTERNAL.value, name=node_id,
                                stub=True, sanctioned=False, vendor="", category="", data=(), evidence=(),
                                sign_in_with="", internal=False, aliases=(), owner="", hosts=())

    # -- stages -------------------------------------------------------------------------------------

    def build(self) -> nx.MultiDiGraph:
        inv = self.inventory
        systems = inv.of(System)
        flows = inv.of(Flow)
        self.graph.graph.update(organization=inv.organization, generator=inv.generator,
                                generated_at=inv.generated_at.isoformat(), as_of=inv.generated_at)
        tenants = [s for s in systems if s.system_kind is SystemKind.TENANT]
        self.add_tenants(tenants)
        externals: dict[str, _External] = {}
        for system in systems:
            if system.system_kind is not SystemKind.TENANT:
                externals.setdefault(system.id, _External(system.id)).merge(system)
        for flow in flows:
            for end in (flow.source, flow.target):
                if end and end not in self.resolved and end not in externals:
                    externals[end] = _External(end)
        self.add_externals(externals.values())
        integrations = self.add_integrations(inv.of(Integration))
        self.sanction_by_client_id(flows, integrations)
        self.add_flows(flows)
        self.add_accounts(inv.of(Account))
        self.add_credentials(inv.of(Credential))
        self.add_people(integrations)
        return self.graph

    def add_tenants(self, tenants: list[System]) -> None:
        self.tenants_by_vendor: dict[str, list[str]] = defaultdict(list)
        self.tenant_by_host: dict[str, str] = {}
        for system in tenants:
            vendor = self.catalogue.get(system.vendor) if system.vendor else None
            vid = vendor.id if vendor else self.catalogue.canonical(system.vendor) if system.vendor else ""
            hosts = tuple(h for h in dict.fromkeys((system.domain.lower(), _host(system.url))) if h)
            real_hosts = tuple(h for h in hosts if not is_ip_or_local(h))
            attrs = self.vendor_attrs(vendor, system.category)
            attrs["vendor"] = vid
            self.graph.add_node(
                system.id, kind="system", system_kind=SystemKind.TENANT.value, name=system.name or system.id,
                domain=system.domain, url=system.url, region=system.region, hosts=real_hosts,
                data=tuple(d.value for d in system.data), owner_hints=system.owners,
                connection=system.evidence[0].connection if system.evidence else system.id.split(":", 1)[0],
                internal=False, aliases=(), attributes=dict(system.attributes), evidence=system.evidence,
                first_party_flows=(), stub=False, **attrs,
                **self.registry_attrs(self.registry_match(vid, real_hosts)),
            )
            self.resolved[system.id] = system.id
            if vid:
                self.tenants_by_vendor[vid].append(system.id)
            for host in real_hosts:
                self.tenant_by_host.setdefault(host, system.id)

    def tenant_for(self, vendor_id: str, hosts: tuple[str, ...]) -> str | None:
        candidates = self.tenants_by_vendor.get(vendor_id, [])
        if len(candidates) == 1:
            return candidates[0]
        for tenant in candidates:
            tenant_hosts = self.graph.nodes[tenant]["hosts"]
            if any(_under(h, t) or _under(t, h) for h in hosts for t in tenant_hosts):
                return tenant
        return None  # several tenants of this vendor and nothing says which one: keep a vendor node

    def add_externals(self, externals: Iterable[_External]) -> None:
        groups: dict[str, list[_External]] = defaultdict(list)
        vendors: dict[str, Vendor | None] = {}
        for ext in externals:
            hosts = ext.hosts
            tenant = next((self.tenant_by_host[h] for h in hosts if h in self.tenant_by_host), None)
            vendor = self.catalogue.resolve(vendor=ext.vendor, hosts=hosts, name=ext.display_name)
            vid = vendor.id if vendor else self.catalogue.canonical(ext.vendor) if ext.vendor else ""
            if tenant is None and vid:
                tenant = self.tenant_for(vid, hosts)
            node = tenant or (VENDOR_PREFIX + vid if vid else ext.id)
            self.resolved[ext.id] = node
            groups[node].append(ext)
            vendors[node] = vendor
        for node, members in sorted(groups.items()):
            aliases = tuple(sorted(m.id for m in members))
            if node in self.graph:  # merged into a scanned tenant
                attrs = self.graph.nodes[node]
                attrs["aliases"] = _union(attrs["aliases"], aliases)
                attrs["evidence"] = _union(attrs["evidence"], *(m.evidence for m in members))
                continue
            vendor = vendors[node]
            hosts = _union(*(m.hosts for m in members))
            vid = node.removeprefix(VENDOR_PREFIX) if node.startswith(VENDOR_PREFIX) else ""
            attrs = self.vendor_attrs(vendor, next((m.category for m in members if m.category), ""))
            attrs["vendor"] = vid
            first = members[0]
            name = vendor.name if vendor else next((m.name for m in members if m.name), first.display_name)
            hosts_real = tuple(h for h in hosts if not is_ip_or_local(h))
            self.graph.add_node(
                node, kind="system", system_kind=SystemKind.EXTERNAL.value, name=name,
                domain=next((m.domain for m in members if m.domain), host_of_external(first.id)),
                url=next((m.url for m in members if m.url), ""), region="", hosts=hosts_real,
                data=_union(*(m.data for m in members)), owner_hints=_union(*(m.owners for m in members)),
                connection="", internal=self.internal(hosts_real), aliases=aliases,
                attributes={k: v for m in members for k, v in m.attributes.items()},
                evidence=_union(*(m.evidence for m in members)), first_party_flows=(),
                stub=not any(m.described for m in members), **attrs,
                **self.registry_attrs(self.registry_match(vid, hosts_real)),
            )

    def add_integrations(self, integrations: list[Integration]) -> dict[str, Integration]:
        out: dict[str, Integration] = {}
        for item in integrations:
            out[item.id] = item
            self.ensure_system(item.system)
            tenant = self.graph.nodes[item.system]
            namespace = str(item.attributes.get("namespace") or item.publisher or "")
            vendor = self.catalogue.resolve(client_id=item.client_id, namespace=namespace, hosts=item.domains,
                                            name=item.name)
            vid = vendor.id if vendor else ""
            first_party = bool(vid) and vid == tenant.get("vendor")
            entry = self.registry_by_client.get(item.client_id) if item.client_id else None
            if entry is None and vid:
                entry = self.registry_match(vid, item.domains)
            if entry is None and first_party and tenant.get("sanctioned"):
                entry = next((e for e in self.config.systems if e.id == tenant["registry_id"]), None)
            self.graph.add_node(
                item.id, kind="integration", name=item.name or item.id, system=item.system,
                integration_kind=item.integration_kind, vendor=vid, vendor_name=vendor.name if vendor else "",
                publisher=item.publisher, client_id=item.client_id, domains=item.domains, scopes=item.scopes,
                high_risk_scopes=self.risky(item.scopes), enabled=item.enabled, created_at=item.created_at,
                last_used_at=item.last_used_at, users=item.users, owner_hints=item.owners, first_party=first_party,
                attributes=dict(item.attributes), evidence=item.evidence, **self.registry_attrs(entry),
            )
            self.graph.add_edge(item.id, item.system, key="installed_in", kind="installed_in")
        return out

    def risky(self, scopes: Iterable[str]) -> tuple[tuple[str, str], ...]:
        out = []
        for scope in scopes:
            reason = self.catalogue.high_risk(scope)
            if reason:
                out.append((scope, reason))
        return tuple(out)

    def sanction_by_client_id(self, flows: list[Flow], integrations: dict[str, Integration]) -> None:
        """A target reached through an integration whose client id the registry lists is that sanctioned system."""
        for flow in flows:
            item = integrations.get(flow.integration)
            entry = self.registry_by_client.get(item.client_id) if item and item.client_id else None
            target = self.resolved.get(flow.target, flow.target)
            if entry and target in self.graph and not self.graph.nodes[target].get("sanctioned"):
                self.graph.nodes[target].update(self.registry_attrs(entry))

    def add_flows(self, flows: list[Flow]) -> None:
        for flow in flows:
            source = self.resolved.get(flow.source, flow.source)
            target = self.resolved.get(flow.target, flow.target)
            self.ensure_system(source)
            self.ensure_system(target)
            if source == target:  # a vendor's own client reading its own tenant: not a flow between systems
                attrs = self.graph.nodes[source]
                attrs["first_party_flows"] = (*attrs.get("first_party_flows", ()), flow.id)
                continue
            self.graph.add_edge(
                source, target, key=flow.id, kind="flow", flow_kind=flow.flow_kind,
                data=tuple(d.value for d in flow.data), url=flow.url, scheme=flow.scheme.lower(),
                integration=flow.integration, name=flow.name or flow.flow_kind, active=flow.active,
                owner_hints=flow.owners, attributes=dict(flow.attributes), evidence=flow.evidence,
                record_source=flow.source, record_target=flow.target,
            )

    def add_accounts(self, accounts: list[Account]) -> None:
        graph = self.graph
        for account in accounts:
            self.ensure_system(account.system)
            graph.add_node(
                account.id, kind="account", name=account.name or account.username or account.email,
                system=account.system, username=account.username, email=account.email.lower(),
                account_kind=account.account_kind.value, active=account.active, admin=account.admin,
                roles=account.roles, mfa=account.mfa.value, sso=account.sso.value,
                last_login_at=account.last_login_at, created_at=account.created_at,
                attributes=dict(account.attributes), evidence=account.evidence,
            )
            graph.add_edge(account.id, account.system, key="account_of", kind="account_of")

    def add_credentials(self, credentials: list[Credential]) -> None:
        graph = self.graph
        for cred in credentials:
            self.ensure_system(cred.system)
            graph.add_node(
                cred.id, kind="credential", name=cred.name or cred.credential_kind, system=cred.system,
                credential_kind=cred.credential_kind, integration=cred.integration, account=cred.account,
                scopes=cred.scopes, high_risk_scopes=self.risky(cred.scopes), created_at=cred.created_at,
                last_used_at=cred.last_used_at, expires_at=cred.expires_at, use_count=cred.use_count,
                fingerprint=cred.fingerprint, attributes=dict(cred.attributes), evidence=cred.evidence,
            )
            parent = cred.integration if cred.integration in graph else cred.system
            graph.add_edge(cred.id, parent, key="credential_of", kind="credential_of")
            if cred.account and cred.account in graph:
                graph.add_edge(cred.account, cred.id, key="holds", kind="holds")

    def add_people(self, integrations: dict[str, Integration]) -> None:
        """Owners become person nodes with ``owns`` edges; each person is linked to their accounts."""
        owned: list[tuple[str, str, str, str]] = []  # (email, name, role, node)
        for node, attrs in self.graph.nodes(data=True):
            if attrs.get("kind") == "system":
                if attrs.get("owner"):
                    owned.append((attrs["owner"], "", "registry_owner", node))
                for hint in attrs.get("owner_hints", ()):
                    if hint.email:
                        owned.append((hint.email, hint.name, hint.role, node))
        for item in integrations.values():
            for hint in item.owners:
                if hint.email:
                    owned.append((hint.email, hint.name, hint.role, item.id))
        people: dict[str, str] = {}
        for raw_email, name, role, node in owned:
            email = raw_email.lower()
            people[email] = people.get(email) or name
            self.graph.add_edge(person_id(email), node, key=f"owns:{role}", kind="owns", role=role)
        for email, name in people.items():
            self.graph.add_node(person_id(email), kind="person", email=email, name=name or email, evidence=())
        if people:
            for node, attrs in list(self.graph.nodes(data=True)):
                if attrs.get("kind") == "account" and attrs["email"] in people:
                    self.graph.add_edge(person_id(attrs["email"]), node, key="has_account", kind="has_account")


def build_graph(inventory: Inventory, config: Config | None = None, *,
                catalogue: Catalogue | None = None) -> nx.MultiDiGraph:
    """The integration and data-flow graph of an inventory, matched against ``config``'s registry.

    :param inventory: what the scan collected (or a saved ``inventory.json``).
    :param config: the registry, organisation email domains and policy; an empty config means nothing
        is sanctioned and no domain is the organisation's own.
    :param catalogue: the vendor catalogue (default: the packaged one).
    """
    with gc_paused():
        return _Builder(inventory, config or Config(), catalogue or Catalogue.load()).build()


__all__ = ["PERSON_PREFIX", "REGISTRY_PREFIX", "VENDOR_PREFIX", "build_graph", "gc_paused", "person_id", "slug"]
