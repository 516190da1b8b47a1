"""Read-only questions checks (and reporters) ask of the graph, answered from one index built per graph.

:func:`index` builds the index once per graph and caches it while the graph is unchanged, so twenty checks
share one pass over the nodes. Nothing here mutates the graph.
"""

from __future__ import annotations

import dataclasses
import weakref
from collections import defaultdict
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import networkx as nx

from stackaudit.model import DataCategory, Evidence

if TYPE_CHECKING:
    from stackaudit.config import Config

# Categories that say how sensitive data is rather than what it is: no system is "of record" for them.
CLASSIFICATIONS = frozenset({DataCategory.PII.value, DataCategory.CREDENTIALS.value, DataCategory.UNKNOWN.value})
SENSITIVE = frozenset({DataCategory.PII.value, DataCategory.CONTACT.value, DataCategory.PAYMENT.value,
                       DataCategory.CREDENTIALS.value})
# A vendor's own two-way integration shows up as these kinds, seen from either end.
VENDOR_SYNC_KINDS = frozenset({"native_sync", "oauth_grant"})
# Sign-in: an identity provider asserting who a user is to an app. Identity claims, not a data feed.
SIGN_IN_KINDS = frozenset({"sso"})
# Access: the app *can* read the tenant. It proves where data may go, not that the app feeds it onwards.
ACCESS_KINDS = frozenset({"oauth_grant"})

ACTIVE, INACTIVE, ABSENT = "active", "inactive", "absent"

Adjacency = dict[str, dict[str, list[str]]]  # node -> neighbour -> flow ids


def is_data_flow(attrs: Mapping[str, Any]) -> bool:
    """An active flow that moves data (not a sign-in)."""
    return bool(attrs.get("active", True)) and attrs.get("flow_kind") not in SIGN_IN_KINDS


@dataclasses.dataclass(frozen=True)
class CategoryGraph:
    """One data category's flows. ``succ``/``pred`` hold every hop; ``onward_succ``/``onward_pred`` only hops
    a route may continue from: a hop that is nothing but an OAuth grant shows access, so a route may end
    with it but is not followed further from the app that holds it."""

    succ: Adjacency
    pred: Adjacency
    onward_succ: Adjacency
    onward_pred: Adjacency


class StackIndex:
    """Nodes by kind, accounts by system and email, flows by endpoint and by data category, people's status."""

    def __init__(self, graph: nx.MultiDiGraph) -> None:
        self.graph = graph
        as_of = graph.graph.get("as_of")
        self.as_of: datetime = as_of if isinstance(as_of, datetime) else datetime.now(UTC)
        self.by_kind: dict[str, list[str]] = defaultdict(list)
        self.accounts_by_system: dict[str, list[str]] = defaultdict(list)
        self.accounts_by_email: dict[str, list[str]] = defaultdict(list)
        self.credentials_by_integration: dict[str, list[str]] = defaultdict(list)
        self.integrations_by_system: dict[str, list[str]] = defaultdict(list)
        for node, attrs in graph.nodes(data=True):
            kind = attrs.get("kind", "")
            self.by_kind[kind].append(node)
            if kind == "account":
                self.accounts_by_system[attrs["system"]].append(node)
                if attrs.get("email"):
                    self.accounts_by_email[attrs["email"]].append(node)
            elif kind == "credential" and attrs.get("integration"):
                self.credentials_by_integration[attrs["integration"]].append(node)
            elif kind == "integration":
                self.integrations_by_system[attrs["system"]].append(node)
        self.flows_in: dict[str, list[tuple[str, str, dict[str, Any]]]] = defaultdict(list)
        self.flows_out: dict[str, list[tuple[str, str, dict[str, Any]]]] = defaultdict(list)
        self.flow_edges: dict[str, tuple[str, str, dict[str, Any]]] = {}
        for source, target, key, attrs in graph.edges(keys=True, data=True):
            if attrs.get("kind") == "flow":
                self.flow_edges[key] = (source, target, attrs)
                self.flows_out[source].append((target, key, attrs))
                self.flows_in[target].append((source, key, attrs))
        self.tenants = [n for n in self.by_kind["system"] if graph.nodes[n].get("system_kind") == "tenant"]
        self.sso_providers = [n for n in self.tenants if graph.nodes[n].get("sso_provider")]
        self.directories = [n for n in self.tenants
                            if graph.nodes[n].get("directory") and self.accounts_by_system.get(n)]
        self._category_graphs: dict[str, CategoryGraph] = {}

    # -- nodes --------------------------------------------------------------------------------------

    def nodes(self, kind: str) -> list[str]:
        return self.by_kind.get(kind, [])

    def attrs(self, node: str) -> dict[str, Any]:
        result: dict[str, Any] = self.graph.nodes[node]
        return result

    def label(self, node: str) -> str:
        """How a person reads the node: "Ben Okafor (ben@x)", "Zapier", "Northwind (Salesforce)"."""
        if node not in self.graph:
            return node
        attrs = self.graph.nodes[node]
        name = str(attrs.get("name") or node)
        kind = attrs.get("kind")
        if kind == "account":
            email = attrs.get("email") or attrs.get("username")
            return f"{name} ({email})" if email and email != name else name
        if kind == "system" and attrs.get("system_kind") == "tenant":
            vendor = attrs.get("vendor_name") or attrs.get("vendor")
            return f"{name} ({vendor})" if vendor and vendor.lower() not in name.lower() else name
        if kind in ("integration", "credential"):
            return f"{name} in {self.label(attrs['system'])}"
        return name

    def evidence(self, *nodes: str) -> tuple[Evidence, ...]:
        out: dict[Evidence, None] = {}
        for node in nodes:
            if node in self.graph:
                out.update(dict.fromkeys(self.graph.nodes[node].get("evidence", ())))
            elif node in self.flow_edges:
                out.update(dict.fromkeys(self.flow_edges[node][2].get("evidence", ())))
        return tuple(out)

    def days_since(self, when: datetime | None) -> float | None:
        if when is None:
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return (self.as_of - when).total_seconds() / 86400

    # -- flows --------------------------------------------------------------------------------------

    def active_flows(self, *, sign_in: bool = False) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
        """Active flows that move data; with ``sign_in=True`` also identity providers' sign-in flows."""
        for key, (source, target, attrs) in self.flow_edges.items():
            if attrs.get("active", True) and (sign_in or attrs.get("flow_kind") not in SIGN_IN_KINDS):
                yield source, target, key, attrs

    def category_graph(self, category: str) -> CategoryGraph:
        """One category's data flows as adjacency (parallel flows grouped per pair of systems)."""
        cached = self._category_graphs.get(category)
        if cached is None:
            succ: Adjacency = defaultdict(dict)
            pred: Adjacency = defaultdict(dict)
            for source, target, key, attrs in self.active_flows():
                if category in attrs.get("data", ()):
                    succ[source].setdefault(target, []).append(key)
                    pred[target].setdefault(source, []).append(key)
            onward_succ: Adjacency = defaultdict(dict)
            onward_pred: Adjacency = defaultdict(dict)
            for source, targets in succ.items():
                for target, keys in targets.items():
                    if not self.flow_kinds(keys) <= ACCESS_KINDS:
                        onward_succ[source][target] = keys
                        onward_pred[target][source] = keys
            cached = CategoryGraph(dict(succ), dict(pred), dict(onward_succ), dict(onward_pred))
            self._category_graphs[category] = cached
        return cached

    def categories(self) -> list[str]:
        """Data categories carried by at least one active data flow (classifications last)."""
        seen: dict[str, None] = {}
        for _s, _t, _k, attrs in self.active_flows():
            seen.update(dict.fromkeys(attrs.get("data", ())))
        return sorted(seen, key=lambda c: (c in CLASSIFICATIONS, c))

    def category_groups(self, *, exclude: frozenset[str] = frozenset()) -> list[tuple[str, ...]]:
        """Categories grouped when exactly the same flows carry them (pii and contact usually travel
        together), so a path search runs once per group; each group sorted, classifications last."""
        keys: dict[str, list[str]] = defaultdict(list)
        for _s, _t, key, attrs in self.active_flows():
            for category in attrs.get("data", ()):
                if category not in exclude:
                    keys[category].append(key)
        groups: dict[frozenset[str], list[str]] = {}
        for category in sorted(keys, key=lambda c: (c in CLASSIFICATIONS, c)):
            groups.setdefault(frozenset(keys[category]), []).append(category)
        return [tuple(group) for group in groups.values()]

    def flow_kinds(self, keys: list[str]) -> set[str]:
        return {self.flow_edges[k][2].get("flow_kind", "") for k in keys}

    # -- people -------------------------------------------------------------------------------------

    def person_status(self, email: str) -> str | None:
        """``active`` / ``inactive`` (suspended, deactivated) / ``absent`` in the directories; None without one."""
        if not self.directories:
            return None
        found = False
        for account in self.accounts_by_email.get(email.lower(), ()):
            attrs = self.graph.nodes[account]
            if attrs["system"] in self.directories:
                found = True
                if attrs.get("active"):
                    return ACTIVE
        return INACTIVE if found else ABSENT

    def account_status_in(self, email: str, system: str) -> str | None:
        """Whether ``email`` has an active account in ``system`` (None when it has none there)."""
        states = [self.graph.nodes[a].get("active") for a in self.accounts_by_email.get(email.lower(), ())
                  if self.graph.nodes[a]["system"] == system]
        if not states:
            return None
        return ACTIVE if any(states) else INACTIVE

    def responsible(self, node: str) -> dict[str, str]:
        """Everyone answerable for a system: registry owner, owner hints, and who installed, created or
        granted the integrations and flows that reach it. Email -> role."""
        out: dict[str, str] = {}
        attrs = self.graph.nodes[node]
        if attrs.get("owner"):
            out[attrs["owner"]] = "registry_owner"
        for hint in attrs.get("owner_hints", ()):
            if hint.email:
                out.setdefault(hint.email.lower(), hint.role)
        for _source, _key, flow in self.flows_in.get(node, ()):
            if not is_data_flow(flow):
                continue
            for hint in flow.get("owner_hints", ()):
                if hint.email:
                    out.setdefault(hint.email.lower(), hint.role)
            integration = flow.get("integration")
            if integration and integration in self.graph:
                for hint in self.graph.nodes[integration].get("owner_hints", ()):
                    if hint.email:
                        out.setdefault(hint.email.lower(), hint.role)
                for cred in self.credentials_by_integration.get(integration, ()):
                    account = self.graph.nodes[cred].get("account")
                    if account and account in self.graph:
                        email = self.graph.nodes[account].get("email")
                        if email:
                            out.setdefault(email, "granted_by")
        return out


_cache: weakref.WeakKeyDictionary[nx.MultiDiGraph, tuple[int, StackIndex]] = weakref.WeakKeyDictionary()


def index(graph: nx.MultiDiGraph, *, refresh: bool = False) -> StackIndex:
    """The graph's index, built on first use and reused after that.

    Checks and reporters only read the graph; code that changes a graph after indexing it passes
    ``refresh=True`` (a change in the number of nodes is noticed on its own).
    """
    signature = graph.number_of_nodes()
    cached = _cache.get(graph)
    if refresh or cached is None or cached[0] != signature:
        from stackaudit.graph.build import gc_paused

        with gc_paused():
            cached = (signature, StackIndex(graph))
        _cache[graph] = cached
    return cached[1]


# -- prerequisites checks can declare (Check.requires) -------------------------------------------------

REQUIREMENTS: Mapping[str, str] = {
    "identity-provider": "an identity provider (single sign-on) connection, e.g. Okta or Entra ID",
    "directory": "a directory connection (identity provider or Google Workspace) saying who is still employed",
    "registry": "a sanctioned registry ([[system]] entries in the config)",
    "system-of-record": "a registry entry declaring system_of_record",
    "accounts": "a connection that reports accounts",
}


def missing_requirement(name: str, graph: nx.MultiDiGraph, config: Config) -> str | None:
    """Why prerequisite ``name`` is not met, or None when it is."""
    idx = index(graph)
    if name == "identity-provider":
        return None if idx.sso_providers else "no identity provider is scanned (add e.g. an Okta connection)"
    if name == "directory":
        return None if idx.directories else ("no directory is scanned (identity provider or Google Workspace), "
                                             "so nobody's employment status is known")
    if name == "registry":
        return None if config.systems else "the sanctioned registry is empty (no [[system]] entries in the config)"
    if name == "system-of-record":
        return None if any(s.system_of_record for s in config.systems) else \
            "no registry entry declares a system_of_record"
    if name == "accounts":
        return None if idx.nodes("account") else "no connection reported accounts"
    return f"unknown prerequisite {name!r}"
