"""What a check is: declarative metadata plus a pure function of the graph and the config."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from stackaudit.model import Finding, Severity

if TYPE_CHECKING:
    from stackaudit.config import Config

CATEGORIES = ("shadow-it", "duplicate-data-path", "dirty-data-path", "unowned", "security")

CheckFunction = Callable[[Any, "Config"], Iterable[Finding]]


@dataclasses.dataclass(frozen=True)
class Check:
    """One audit check. ``run`` must not do I/O: it reads the graph and config and yields findings."""

    id: str
    title: str
    category: str
    severity: Severity
    rationale: str
    remediation: str
    run: CheckFunction
    references: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.category not in CATEGORIES:
            raise ValueError(f"check {self.id!r}: category {self.category!r} is not one of {', '.join(CATEGORIES)}")
