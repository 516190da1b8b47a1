"""The vendor catalogue: resolves what connectors saw (a host, an app name, a client id) to a vendor.

The data lives in ``catalogue.toml`` beside this module, so adding a vendor is a data change, not a code
change. The organisation's own registry extends it (:meth:`Catalogue.with_registry`): a sanctioned system
whose vendor the catalogue does not know becomes a vendor, with the registry's domains and client ids.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import functools
import ipaddress
import re
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from stackaudit.config import SanctionedSystem

CATALOGUE_PATH = Path(__file__).with_name("catalogue.toml")

_LIST_FIELDS = ("aliases", "domains", "names", "oauth_clients", "client_ids", "segment_destinations",
                "wordpress_plugins", "salesforce_namespaces")
_FLAG_FIELDS = ("prefix_match", "sso_provider", "directory")


def key(text: str) -> str:
    """Case- and punctuation-insensitive comparison key: ``"Google_Workspace"`` -> ``"googleworkspace"``."""
    return "".join(c for c in text.lower() if c.isalnum())


def slug(text: str) -> str:
    """Words joined by hyphens, as :func:`stackaudit.model.external_id` writes app names."""
    return "-".join("".join(c if c.isalnum() else " " for c in text.lower()).split())


def vendor_id(text: str) -> str:
    """A vendor id spelled the catalogue's way (lower case, hyphens)."""
    return slug(text)


def is_ip_or_local(host: str) -> bool:
    if host in ("localhost", "") or host.endswith(".localhost"):
        return True
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


@dataclasses.dataclass(frozen=True)
class Vendor:
    """One known vendor and every way it shows up in the connectors' records."""

    id: str
    name: str
    category: str = ""
    aliases: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    oauth_clients: tuple[str, ...] = ()
    client_ids: tuple[str, ...] = ()
    segment_destinations: tuple[str, ...] = ()
    wordpress_plugins: tuple[str, ...] = ()
    salesforce_namespaces: tuple[str, ...] = ()
    prefix_match: bool = False
    sso_provider: bool = False
    directory: bool = False
    sign_in_with: str = ""  # vendor whose accounts sign users in (Google products: google-workspace)
    source: str = "catalogue"  # catalogue | registry


@dataclasses.dataclass(frozen=True)
class HighRiskScope:
    pattern: str
    reason: str


class CatalogueError(ValueError):
    """The catalogue file is malformed (a packaging bug, or a broken custom catalogue)."""


class Catalogue:
    """Vendors indexed by id, alias, domain, name, client id and package namespace."""

    def __init__(self, vendors: Iterable[Vendor], high_risk_scopes: Iterable[HighRiskScope] = ()) -> None:
        self.vendors: dict[str, Vendor] = {}
        self.high_risk_scopes = tuple(high_risk_scopes)
        self._ids: dict[str, str] = {}
        self._domains: dict[str, str] = {}
        self._names: dict[str, str] = {}
        self._prefixes: list[tuple[tuple[str, ...], str]] = []
        self._client_ids: dict[str, str] = {}
        self._namespaces: dict[str, str] = {}
        self._scope_cache: dict[str, str | None] = {}
        for vendor in vendors:
            self._add(vendor)

    def _add(self, vendor: Vendor) -> None:
        if vendor.id in self.vendors:
            raise CatalogueError(f"vendor {vendor.id!r} is listed twice")
        self.vendors[vendor.id] = vendor
        for alias in (vendor.id, *vendor.aliases):
            self._ids.setdefault(key(alias), vendor.id)
        for domain in vendor.domains:
            self._domains.setdefault(domain.lower().strip("."), vendor.id)
        names = (vendor.name, *vendor.names, *vendor.oauth_clients, *vendor.segment_destinations,
                 *vendor.wordpress_plugins)
        for name in names:
            if key(name):
                self._names.setdefault(key(name), vendor.id)
        if vendor.prefix_match:
            for name in (vendor.name, *vendor.names):
                self._prefixes.append((tuple(slug(name).split("-")), vendor.id))
            self._prefixes.sort(key=lambda item: -len(item[0]))
        for client_id in vendor.client_ids:
            self._client_ids.setdefault(client_id, vendor.id)
        for namespace in vendor.salesforce_namespaces:
            self._namespaces.setdefault(key(namespace), vendor.id)

    # -- loading ------------------------------------------------------------------------------------

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Catalogue:
        vendors = []
        for entry in data.get("vendor", []):
            unknown = set(entry) - {"id", "name", "category", "sign_in_with", *_LIST_FIELDS, *_FLAG_FIELDS}
            if unknown or not entry.get("id") or not entry.get("name"):
                raise CatalogueError(f"catalogue vendor {entry.get('id')!r}: needs id and name; "
                                     f"unknown fields {sorted(unknown)}")
            fields: dict[str, Any] = {f: tuple(entry.get(f, ())) for f in _LIST_FIELDS}
            fields.update({f: bool(entry.get(f, False)) for f in _FLAG_FIELDS})
            vendors.append(Vendor(id=entry["id"], name=entry["name"], category=entry.get("category", ""),
                                  sign_in_with=entry.get("sign_in_with", ""), **fields))
        scopes = [HighRiskScope(s["pattern"], s.get("reason", "")) for s in data.get("high_risk_scope", [])]
        return cls(vendors, scopes)

    @classmethod
    def load(cls, path: Path | None = None) -> Catalogue:
        """The packaged catalogue (cached), or one read from ``path``."""
        if path is None:
            return _packaged()
        return cls.from_dict(tomllib.loads(path.read_text(encoding="utf-8")))

    def with_registry(self, systems: Iterable[SanctionedSystem]) -> Catalogue:
        """This catalogue plus the registry: unknown vendors added, registry domains and client ids attached."""
        extra_domains: dict[str, list[str]] = {}
        extra_clients: dict[str, list[str]] = {}
        added: dict[str, Vendor] = {}
        for system in systems:
            vid = self.canonical(system.vendor)
            if vid in self.vendors:
                extra_domains.setdefault(vid, []).extend(system.domains)
                extra_clients.setdefault(vid, []).extend(system.client_ids)
            elif vid in added:
                prior = added[vid]
                added[vid] = dataclasses.replace(prior, domains=prior.domains + system.domains,
                                                 client_ids=prior.client_ids + system.client_ids)
            else:
                added[vid] = Vendor(id=vid, name=system.name or system.vendor, names=(system.name, system.vendor),
                                    domains=system.domains, client_ids=system.client_ids, source="registry")
        if not (extra_domains or extra_clients or added):
            return self
        vendors = []
        for vendor in self.vendors.values():
            domains = tuple(dict.fromkeys((*vendor.domains, *extra_domains.get(vendor.id, ()))))
            clients = tuple(dict.fromkeys((*vendor.client_ids, *extra_clients.get(vendor.id, ()))))
            vendors.append(dataclasses.replace(vendor, domains=domains, client_ids=clients))
        return Catalogue([*vendors, *added.values()], self.high_risk_scopes)

    # -- lookups ------------------------------------------------------------------------------------

    def canonical(self, vendor: str) -> str:
        """The catalogue id for a vendor id or alias; an unknown vendor keeps its own (normalised) id."""
        return self._ids.get(key(vendor), vendor_id(vendor))

    def get(self, vendor: str) -> Vendor | None:
        return self.vendors.get(self.canonical(vendor)) if vendor else None

    def by_domain(self, host: str) -> Vendor | None:
        """The vendor owning ``host`` or the closest parent domain listed (``hooks.zapier.com`` -> Zapier)."""
        host = host.lower().strip(".")
        if is_ip_or_local(host):
            return None
        labels = host.split(".")
        for i in range(len(labels) - 1):
            found = self._domains.get(".".join(labels[i:]))
            if found:
                return self.vendors[found]
        return None

    def by_name(self, name: str) -> Vendor | None:
        """Exact product/app/destination/plugin name, then a known name followed by more words."""
        found = self._names.get(key(name))
        if found:
            return self.vendors[found]
        words = tuple(slug(name).split("-"))
        for prefix, vid in self._prefixes:
            if len(words) > len(prefix) and words[:len(prefix)] == prefix:
                return self.vendors[vid]
        return None

    def by_client_id(self, client_id: str) -> Vendor | None:
        found = self._client_ids.get(client_id) if client_id else None
        return self.vendors[found] if found else None

    def by_namespace(self, namespace: str) -> Vendor | None:
        found = self._namespaces.get(key(namespace)) if namespace else None
        return self.vendors[found] if found else None

    def resolve(self, *, vendor: str = "", client_id: str = "", namespace: str = "", hosts: Iterable[str] = (),
                name: str = "") -> Vendor | None:
        """The vendor behind a record, trying the most specific evidence first; None when unknown."""
        if vendor:
            known = self.get(vendor)
            if known:
                return known
        for found in (self.by_client_id(client_id), self.by_namespace(namespace)):
            if found:
                return found
        for host in hosts:
            found = self.by_domain(host)
            if found:
                return found
        return self.by_name(name) if name else None

    def high_risk(self, scope: str) -> str | None:
        """Why ``scope`` is high-risk, or None."""
        if scope not in self._scope_cache:
            self._scope_cache[scope] = next(
                (s.reason or s.pattern for s in self.high_risk_scopes if fnmatch.fnmatchcase(scope, s.pattern)), None)
        return self._scope_cache[scope]


_HOST = re.compile(r"^external:(?!app:)(.+)$")


def host_of_external(node_id: str) -> str:
    """The host in an ``external:<host>`` id ("" for ``external:app:<name>``)."""
    match = _HOST.match(node_id)
    return match.group(1) if match else ""


@functools.cache
def _packaged() -> Catalogue:
    return Catalogue.load(CATALOGUE_PATH)
