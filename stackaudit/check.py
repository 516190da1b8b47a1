"""What a check is: declarative metadata plus a pure function of the graph and the config.

A check module looks like this (third-party checks are written exactly the same way)::

    def run(graph, config):
        idx = stackaudit.graph.index(graph)
        for account in idx.nodes("account"):
            if ...:
                yield CHECK.finding(message=..., subjects=(account,), evidence=idx.evidence(account))
            elif ...:
                yield Unknown(account, "the vendor does not say")   # could not decide: reported, not passed

    CHECK = Check(id="security-something", title=..., category="security", severity=Severity.HIGH,
                  rationale=..., remediation=..., run=run, requires=("accounts",))

``run`` yields :class:`~stackaudit.model.Finding` and :class:`Unknown` items; it raises :class:`NotEvaluated`
when it cannot say anything at all. ``requires`` names prerequisites
(:data:`stackaudit.graph.REQUIREMENTS`) checked before ``run``: a missing one makes the check
"not evaluated" with the reason, never a silent pass.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from stackaudit.model import DataPath, Evidence, Finding, Scalar, Severity

if TYPE_CHECKING:
    from stackaudit.config import Config

CATEGORIES = ("shadow-it", "duplicate-data-path", "dirty-data-path", "unowned", "security")


class NotEvaluated(Exception):
    """Raised by a check's ``run`` when it cannot evaluate anything; the reason goes to the coverage."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclasses.dataclass(frozen=True)
class Unknown:
    """A subject a check could not decide (e.g. MFA state the vendor does not report)."""

    subject: str
    reason: str = ""


CheckFunction = Callable[[Any, "Config"], Iterable["Finding | Unknown"]]


@dataclasses.dataclass(frozen=True)
class Check:
    """One audit check. ``run`` must not do I/O: it reads the graph and config and yields findings."""

    id: str
    title: str
    category: str
    severity: Severity  # the default; a finding may be raised or lowered by what it found, [policy.severity] overrides
    rationale: str
    remediation: str
    run: CheckFunction
    references: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()  # prerequisites, see stackaudit.graph.REQUIREMENTS

    def __post_init__(self) -> None:
        if self.category not in CATEGORIES:
            raise ValueError(f"check {self.id!r}: category {self.category!r} is not one of {', '.join(CATEGORIES)}")

    def finding(self, *, message: str, subjects: Iterable[str], severity: Severity | None = None,
                title: str = "", evidence: Iterable[Evidence] = (), paths: Iterable[DataPath] = (),
                details: Mapping[str, Scalar] | None = None, key: Iterable[str] = (), owner: str = "",
                remediation: str = "") -> Finding:
        """A finding of this check, with its metadata filled in."""
        return Finding(
            check_id=self.id,
            category=self.category,
            severity=self.severity if severity is None else severity,
            title=title or self.title,
            message=message,
            subjects=tuple(dict.fromkeys(subjects)),
            remediation=remediation or self.remediation,
            evidence=tuple(dict.fromkeys(evidence)),
            paths=tuple(paths),
            details=dict(details or {}),
            key=tuple(key),
            owner=owner,
        )
