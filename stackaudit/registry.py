"""Typed registries handed to the ``register_*`` hooks. They remember which plugin registered what."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from stackaudit.errors import DuplicateRegistrationError, PluginError

if TYPE_CHECKING:
    from stackaudit.check import Check
    from stackaudit.connector import Connector
    from stackaudit.emulator.vendor import EmulatedVendor
    from stackaudit.reporter import Reporter

T = TypeVar("T")


class Registry(Generic[T]):
    """Items by id, each with the name of the plugin that registered it."""

    kind = "item"

    def __init__(self) -> None:
        self._items: dict[str, T] = {}
        self._owners: dict[str, str] = {}
        self.plugin = ""  # set by the plugin host while a plugin's hook runs

    def _id_of(self, item: T) -> str:
        item_id = getattr(item, "id", None)
        if not isinstance(item_id, str) or not item_id:
            raise PluginError(f"plugin {self.plugin!r} registered a {self.kind} without a string id: {item!r}",
                              fix=f"give the {self.kind} an 'id' attribute")
        return item_id

    def add(self, item: T) -> None:
        item_id = self._id_of(item)
        if item_id in self._items:
            raise DuplicateRegistrationError(self.kind, item_id, self._owners[item_id], self.plugin)
        self._validate(item)
        self._items[item_id] = item
        self._owners[item_id] = self.plugin

    def _validate(self, item: T) -> None:
        """Subclasses refuse items that would fail later, naming the plugin."""

    def get(self, item_id: str) -> T:
        return self._items[item_id]

    def owner(self, item_id: str) -> str:
        return self._owners[item_id]

    def ids(self) -> list[str]:
        return sorted(self._items)

    def by_plugin(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for item_id, plugin in self._owners.items():
            out.setdefault(plugin, []).append(item_id)
        return out

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._items

    def __iter__(self) -> Iterator[T]:
        return iter(self._items[i] for i in self.ids())

    def __len__(self) -> int:
        return len(self._items)


def _require(plugin: str, kind: str, item: Any, attrs: tuple[str, ...]) -> None:
    missing = [a for a in attrs if not getattr(item, a, None)]
    if missing:
        raise PluginError(f"plugin {plugin!r} registered {kind} {getattr(item, 'id', item)!r} without "
                          + ", ".join(missing), fix=f"set {', '.join(missing)} on the {kind}")


class ConnectorRegistry(Registry["type[Connector]"]):
    kind = "connector"

    def _validate(self, item: type[Connector]) -> None:
        from stackaudit.connector import Connector

        if not (isinstance(item, type) and issubclass(item, Connector)):
            raise PluginError(f"plugin {self.plugin!r} registered {item!r}, which is not a Connector subclass",
                              fix="register the class itself, a subclass of stackaudit.Connector")
        _require(self.plugin, "connector", item, ("title", "vendor", "description", "credentials"))


class CheckRegistry(Registry["Check"]):
    kind = "check"

    def _validate(self, item: Check) -> None:
        _require(self.plugin, "check", item, ("title", "category", "rationale", "remediation", "run"))


class ReporterRegistry(Registry["Reporter"]):
    kind = "reporter"

    def _validate(self, item: Reporter) -> None:
        _require(self.plugin, "reporter", item, ("description", "filename", "write"))


class EmulatorRegistry(Registry["EmulatedVendor"]):
    kind = "emulator"

    def _validate(self, item: EmulatedVendor) -> None:
        _require(self.plugin, "emulator", item, ("router", "authenticate", "demo_tenant"))
