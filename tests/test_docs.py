"""The plugin author's documentation keeps up with the code: every hook (with its signature) and every public
name is documented, every hook is tested, and every ``stackaudit.…`` name the docs mention exists."""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import re
from pathlib import Path
from types import ModuleType

import pytest

import stackaudit
from stackaudit import hookspecs

ROOT = Path(__file__).resolve().parent.parent
DOCS = (ROOT / "docs" / "writing-connectors.md", ROOT / "docs" / "writing-checks.md")
TEXT = "\n".join(path.read_text(encoding="utf-8") for path in DOCS)
# Inline code in the prose (an example alone does not document a name): fenced blocks left out.
CODE_SPANS = [" ".join(span.split()) for span in re.findall(r"`([^`]+)`", re.sub(r"```.*?```", "", TEXT, flags=re.S))]

# The modules plugin authors may import (stackaudit's __init__ names them), and the graph checks read.
PUBLIC_MODULES = (
    "stackaudit.http", "stackaudit.model", "stackaudit.oauth", "stackaudit.emulator", "stackaudit.redaction",
    "stackaudit.registry", "stackaudit.testing", "stackaudit.testing.vendor_specs", "stackaudit.testing.pytest_plugin",
    "stackaudit.graph",
)


def hooks() -> list[str]:
    return sorted(name for name, value in vars(hookspecs).items()
                  if inspect.isfunction(value) and hasattr(value, "stackaudit_spec"))


def signature(name: str) -> str:
    """``register_checks(registry: CheckRegistry) -> None``, as written in the hook specification."""
    sig = inspect.signature(getattr(hookspecs, name))
    params = ", ".join(f"{p.name}: {p.annotation}" for p in sig.parameters.values())
    return f"{name}({params}) -> {sig.return_annotation}"


def public_names(module: ModuleType) -> list[str]:
    """``__all__``, or the classes and callables the module defines under names without a leading underscore."""
    if hasattr(module, "__all__"):
        return list(module.__all__)
    return [name for name, value in vars(module).items()
            if not name.startswith("_") and (inspect.isclass(value) or callable(value))
            and getattr(value, "__module__", None) == module.__name__]


def public_api() -> list[tuple[str, str]]:
    names = [("stackaudit", name) for name in stackaudit.__all__ if not name.startswith("__")]
    for module_name in PUBLIC_MODULES:
        if importlib.util.find_spec(module_name) is None:
            continue  # a module this stackaudit does not have
        names += [(module_name, name) for name in public_names(importlib.import_module(module_name))]
    return names


def documented(name: str) -> bool:
    word = re.compile(rf"(?<![\w.]){re.escape(name)}\b|\.{re.escape(name)}\b")
    return any(word.search(span) for span in CODE_SPANS)


def test_every_hook_is_found() -> None:
    assert hooks() == ["register_checks", "register_commands", "register_connectors", "register_emulators",
                       "register_reporters"]


@pytest.mark.parametrize("hook", hooks())
def test_hook_is_documented_with_its_signature(hook: str) -> None:
    assert f"`{signature(hook)}`" in TEXT, f"document {signature(hook)} in docs/writing-connectors.md"


@pytest.mark.parametrize("hook", hooks())
def test_hook_has_a_test(hook: str) -> None:
    tests = [p for p in (ROOT / "tests").rglob("test_*.py") if p.name != Path(__file__).name]
    implemented = re.compile(rf"def {hook}\(")
    assert any(implemented.search(p.read_text(encoding="utf-8")) for p in tests), \
        f"no test implements the hook {hook}"


@pytest.mark.parametrize(("module", "name"), public_api())
def test_public_name_is_documented(module: str, name: str) -> None:
    assert documented(name), f"{module}.{name} is public but neither docs/writing-connectors.md nor " \
                             "docs/writing-checks.md mentions it (in `code`)"


def exists(path: str) -> bool:
    """Whether ``stackaudit.x.y`` names a module, or an attribute of the longest module it starts with."""
    parts = path.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            target: object = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attribute in parts[cut:]:
            if not hasattr(target, attribute):
                return False
            target = getattr(target, attribute)
        return True
    return False


def test_every_stackaudit_name_the_docs_mention_exists() -> None:
    mentioned = set(re.findall(r"\b(stackaudit(?:\.(?!toml\b)\w+)+)", " ".join(CODE_SPANS)))
    if importlib.util.find_spec("stackaudit.graph") is None:  # documented for checks; not in every stackaudit
        mentioned = {m for m in mentioned if not m.startswith("stackaudit.graph")}
    assert "stackaudit.testing" in mentioned
    assert sorted(m for m in mentioned if not exists(m)) == []


def test_the_docs_point_at_files_that_exist() -> None:
    for path in re.findall(r"`(plugins/stackaudit_\w+(?:/[\w.]+)?)`", TEXT):
        assert (ROOT / path).exists(), path
    for link in re.findall(r"\]\(([\w-]+\.md)\)", TEXT):
        assert (ROOT / "docs" / link).exists(), link
