"""A sanctioned system has no owner in the registry."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from stackaudit.check import Check
from stackaudit.graph import REGISTRY_PREFIX, index
from stackaudit.model import Finding, Severity


def run(graph: Any, config: Any) -> Iterator[Finding]:
    idx = index(graph)
    matched: dict[str, list[str]] = {}
    for node in idx.nodes("system"):
        registry_id = idx.attrs(node).get("registry_id")
        if registry_id:
            matched.setdefault(registry_id, []).append(node)
    for entry in config.systems:
        if entry.owner:
            continue
        nodes = sorted(matched.get(entry.id, []))
        seen = f"; seen as {', '.join(idx.label(n) for n in nodes)}" if nodes else "; not seen in this scan"
        yield CHECK.finding(
            message=f"The sanctioned system {entry.name!r} ([[system]] id {entry.id!r}) has no owner{seen}.",
            subjects=(*nodes, REGISTRY_PREFIX + entry.id),
            key=(REGISTRY_PREFIX + entry.id,),
            evidence=idx.evidence(*nodes),
            details={"registry_id": entry.id, "vendor": entry.vendor},
        )


CHECK = Check(
    id="unowned-sanctioned-system",
    title="Sanctioned system without an owner",
    category="unowned",
    severity=Severity.MEDIUM,
    rationale=("Approval without an owner means nobody reviews access, renews or cancels the contract, or "
               "answers when the system leaks or breaks."),
    remediation="Set owner = \"<accountable person's email>\" in the system's [[system]] entry.",
    references=(),
    run=run,
    requires=("registry",),
)
