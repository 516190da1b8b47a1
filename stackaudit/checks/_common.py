"""Small helpers shared by the built-in checks (wording, paths as evidence, who should act)."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import pairwise

from stackaudit.graph.paths import Adjacency
from stackaudit.graph.query import INACTIVE, StackIndex
from stackaudit.model import DataPath, Evidence, Severity

# Roles that make someone answerable for a thing, most accountable first.
ROLE_ORDER = ("registry_owner", "owner", "admin", "cardholder", "contact", "installed_by", "created_by", "granted_by")
SAMPLE = 20  # subjects listed in a finding or an "unknown" list before the rest is only counted


def data_path(succ: Adjacency, nodes: tuple[str, ...]) -> DataPath:
    """A route as evidence: its nodes and, per hop, the first flow carrying the data."""
    return DataPath(nodes=nodes, flows=tuple(sorted(succ[u][v])[0] for u, v in pairwise(nodes)))


def accountable(people: dict[str, str]) -> str:
    """The most accountable email among ``people`` (email -> role), or ""."""
    if not people:
        return ""
    rank = {role: i for i, role in enumerate(ROLE_ORDER)}
    return min(people.items(), key=lambda item: (rank.get(item[1], len(rank)), item[0]))[0]


def owner_of_system(idx: StackIndex, node: str) -> str:
    """Who should act on a finding about ``node``: the most accountable responsible person who has not left.

    Someone the directory shows as suspended or deactivated is never named (unowned-departed-owner reports
    that the system lost its owner); with nobody else, the finding has no owner.
    """
    if node not in idx.graph:
        return ""
    people = idx.responsible(node)
    return accountable({email: role for email, role in people.items() if idx.person_status(email) != INACTIVE})


def names(idx: StackIndex, nodes: Iterable[str], limit: int = 4) -> str:
    """"A, B and C" (or "A, B, C and 4 more")."""
    labels = [idx.label(n) for n in nodes]
    if len(labels) > limit:
        labels = [*labels[:limit], f"{len(labels) - limit} more"]
    if len(labels) <= 1:
        return "".join(labels)
    return ", ".join(labels[:-1]) + " and " + labels[-1]


def route_text(idx: StackIndex, nodes: Iterable[str]) -> str:
    return " → ".join(idx.label(n) for n in nodes)


def days(value: float) -> str:
    n = int(value)
    return f"{n} day{'s' if n != 1 else ''}"


def flow_evidence(idx: StackIndex, keys: Iterable[str]) -> tuple[Evidence, ...]:
    return idx.evidence(*keys)


def raise_one(severity: Severity, steps: int = 1) -> Severity:
    return Severity(min(int(Severity.CRITICAL), int(severity) + steps))
