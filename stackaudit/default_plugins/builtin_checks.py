"""The built-in checks (shadow IT, duplicate and dirty data paths, unowned systems, security gaps)."""

from __future__ import annotations

from stackaudit import hookimpl
from stackaudit.checks import builtin_checks
from stackaudit.registry import CheckRegistry


@hookimpl
def register_checks(registry: CheckRegistry) -> None:
    for check in builtin_checks():
        registry.add(check)
