"""The plugin host: builds a plugin manager, loads plugins, and collects what they register.

Nothing is loaded at import time. :func:`create_host` loads, in order:

1. stackaudit's own default plugins (by module name, exactly like third-party ones);
2. every entry point in the ``stackaudit`` group (our connector packages and anybody else's);
3. every module or package in a local plugins directory (``--plugins-dir`` or ``[plugins] dir``).

A plugin that fails to import is recorded in :attr:`PluginHost.failures` and skipped; the rest keep
working. ``--disable-plugin NAME`` and ``STACKAUDIT_DISABLE_PLUGINS`` (comma-separated) block plugins by name.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import importlib.metadata
import importlib.util
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

import pluggy

from stackaudit import hookspecs
from stackaudit.errors import PluginError
from stackaudit.registry import CheckRegistry, ConnectorRegistry, EmulatorRegistry, Registry, ReporterRegistry

ENTRY_POINT_GROUP = "stackaudit"
DISABLE_ENV = "STACKAUDIT_DISABLE_PLUGINS"

DEFAULT_PLUGINS = (
    "stackaudit.default_plugins.builtin_checks",
    "stackaudit.default_plugins.json_report",
    "stackaudit.default_plugins.graph_exports",
    "stackaudit.default_plugins.html_report",
    "stackaudit.default_plugins.sarif_report",
    "stackaudit.default_plugins.action_plan_report",
    "stackaudit.default_plugins.markdown_report",
)


@dataclasses.dataclass
class PluginInfo:
    name: str
    source: str  # builtin | entry point | plugins dir
    module: str
    version: str = ""
    registered: dict[str, list[str]] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class PluginFailure:
    name: str
    source: str
    error: str


R = TypeVar("R", bound=Registry[Any])


class PluginHost:
    """A facade over the plugin manager: core code asks it for registries, never calls ``pm.hook`` itself."""

    def __init__(self, pm: pluggy.PluginManager, infos: list[PluginInfo], failures: list[PluginFailure],
                 disabled: Iterable[str] = ()) -> None:
        self.pm = pm
        self.infos = {info.name: info for info in infos}
        self.failures = list(failures)
        self.disabled = sorted(set(disabled))
        self._registries: dict[str, Registry[Any]] = {}

    def _collect(self, hook_name: str, registry: R) -> R:
        cached = self._registries.get(hook_name)
        if cached is not None:
            return cached  # type: ignore[return-value]
        hook = getattr(self.pm.hook, hook_name)
        for impl in hook.get_hookimpls():
            registry.plugin = impl.plugin_name
            try:
                impl.function(registry=registry)
            except PluginError:
                raise
            except Exception as exc:  # a plugin's bug must not take the others down
                self._fail(impl.plugin_name, f"{hook_name} raised {type(exc).__name__}: {exc}")
        for plugin, ids in registry.by_plugin().items():
            if plugin in self.infos:
                self.infos[plugin].registered[registry.kind + "s"] = sorted(ids)
        self._registries[hook_name] = registry
        return registry

    def _fail(self, name: str, error: str) -> None:
        source = self.infos[name].source if name in self.infos else "unknown"
        self.failures.append(PluginFailure(name, source, error))
        self.infos.pop(name, None)

    def connectors(self) -> ConnectorRegistry:
        return self._collect("register_connectors", ConnectorRegistry())

    def checks(self) -> CheckRegistry:
        return self._collect("register_checks", CheckRegistry())

    def reporters(self) -> ReporterRegistry:
        return self._collect("register_reporters", ReporterRegistry())

    def emulators(self) -> EmulatorRegistry:
        return self._collect("register_emulators", EmulatorRegistry())

    def collect_all(self) -> None:
        """Run every registration hook, so :meth:`plugins` can say what each plugin registers."""
        self.connectors()
        self.checks()
        self.reporters()
        self.emulators()

    def add_commands(self, cli: Any) -> None:
        for impl in self.pm.hook.register_commands.get_hookimpls():
            try:
                impl.function(cli=cli)
            except Exception as exc:
                self._fail(impl.plugin_name, f"register_commands raised {type(exc).__name__}: {exc}")

    def plugins(self) -> list[PluginInfo]:
        return sorted(self.infos.values(), key=lambda i: (i.source != "builtin", i.name))


def disabled_from_env(environ: dict[str, str] | os._Environ[str] | None = None) -> list[str]:
    raw = (os.environ if environ is None else environ).get(DISABLE_ENV, "")
    return [name.strip() for name in raw.split(",") if name.strip()]


def create_host(
    *,
    plugins_dir: Path | None = None,
    disabled: Iterable[str] = (),
    load_entry_points: bool = True,
    extra_plugins: Iterable[tuple[str, object]] = (),
    default_plugins: Iterable[str] = DEFAULT_PLUGINS,
) -> PluginHost:
    """Build a fresh plugin manager and load plugins into it. Every call gives an independent host."""
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    blocked = set(disabled) | set(disabled_from_env())
    for name in blocked:
        pm.set_blocked(name)
    infos: list[PluginInfo] = []
    failures: list[PluginFailure] = []

    def register(name: str, source: str, load: Callable[[], object], version: str = "") -> None:
        if pm.is_blocked(name):
            return
        try:
            plugin = load()
            pm.register(plugin, name=name)
        except Exception as exc:
            failures.append(PluginFailure(name, source, f"{type(exc).__name__}: {exc}"))
            return
        module = plugin.__name__ if isinstance(plugin, ModuleType) else type(plugin).__module__
        infos.append(PluginInfo(name, source, module, version))

    for module_name in default_plugins:
        register(module_name.rsplit(".", 1)[-1], "builtin", functools.partial(importlib.import_module, module_name))

    if load_entry_points:
        for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
            version = ep.dist.version if ep.dist else ""
            register(ep.name, "entry point", ep.load, version)

    if plugins_dir is not None:
        if not plugins_dir.is_dir():
            raise PluginError(f"plugins directory {plugins_dir} does not exist",
                              fix="create it or fix --plugins-dir / [plugins] dir")
        try:
            entries = sorted(plugins_dir.iterdir())
        except OSError as exc:
            raise PluginError(f"cannot read plugins directory {plugins_dir}: {exc.strerror}",
                              fix="check its permissions, or fix --plugins-dir / [plugins] dir") from None
        for path in entries:
            name = path.stem
            if name.startswith(("_", ".")):
                continue
            if path.is_dir() and (path / "__init__.py").exists():
                register(name, "plugins dir", functools.partial(_load_file, name, path / "__init__.py", package=True))
            elif path.suffix == ".py":
                register(name, "plugins dir", functools.partial(_load_file, name, path))

    for name, plugin in extra_plugins:
        register(name, "extra", functools.partial(_identity, plugin))

    pm.check_pending()
    return PluginHost(pm, infos, failures, blocked)


def _identity(plugin: object) -> object:
    return plugin


def _load_file(name: str, path: Path, *, package: bool = False) -> ModuleType:
    module_name = f"stackaudit_local_plugins.{name}"
    spec = importlib.util.spec_from_file_location(
        module_name, path, submodule_search_locations=[str(path.parent)] if package else None
    )
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(module_name, None)
        raise
    return module
