"""An integration, webhook or credential still works, but the person who set it up is no longer active."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from stackaudit.check import Check, Unknown
from stackaudit.checks._common import owner_of_system
from stackaudit.graph import index, person_id
from stackaudit.graph.query import ABSENT, ACTIVE, INACTIVE, StackIndex
from stackaudit.model import Finding, OwnerHint, Severity


def status(idx: StackIndex, email: str, system: str) -> str | None:
    """Active or not: the directory decides when it knows the person, else their account in ``system``."""
    found = idx.person_status(email)
    if found in (ACTIVE, INACTIVE):
        return found
    local = idx.account_status_in(email, system)
    if local is None and found == ABSENT:
        return ABSENT
    return local


def _hints(hints: tuple[OwnerHint, ...]) -> list[OwnerHint]:
    return [h for h in hints if h.email]


def run(graph: Any, config: Any) -> Iterator[Finding | Unknown]:
    idx = index(graph)
    # Credentials first: a live token of a departed user is the thing to revoke; the app it belongs to and the
    # grant flow it makes are the same problem, so they are not reported again for the same person.
    reported: set[tuple[str, str]] = set()  # (integration, email)
    for node in idx.nodes("credential"):
        attrs = idx.attrs(node)
        if (idx.days_since(attrs.get("expires_at")) or 0) > 0:
            continue  # expired: it no longer works
        account = attrs.get("account")
        if not account or account not in idx.graph:
            continue
        holder = idx.attrs(account)
        email = holder.get("email", "")
        state = idx.person_status(email) if email else None
        if state != INACTIVE and not holder.get("active", True):
            state = INACTIVE
        if state == INACTIVE:
            reported.add((attrs.get("integration") or "", email))
            hint = OwnerHint("granted_by", email=email or holder.get("username", ""), name=holder.get("name", ""))
            yield _finding(idx, node, attrs["name"], attrs["system"], hint, Severity.HIGH, account=account)
    for node in idx.nodes("integration"):
        attrs = idx.attrs(node)
        if not attrs.get("enabled", True):
            continue
        for hint in _hints(attrs.get("owner_hints", ())):
            if (node, hint.email.lower()) in reported:
                continue
            state = status(idx, hint.email, attrs["system"])
            if state is None:
                yield Unknown(node, f"no account of {hint.email} found to tell whether they are still active")
            elif state == INACTIVE:
                reported.add((node, hint.email.lower()))
                yield _finding(idx, node, attrs["name"], attrs["system"], hint, Severity.MEDIUM)
    for key, (_source, _target, flow) in idx.flow_edges.items():
        if not flow.get("active", True):
            continue
        system = str(flow.get("record_source") or _source)
        if system not in idx.graph:
            system = _source
        for hint in _hints(flow.get("owner_hints", ())):
            if (flow.get("integration") or "", hint.email.lower()) in reported:
                continue
            state = status(idx, hint.email, system)
            if state is None:
                yield Unknown(key, f"no account of {hint.email} found to tell whether they are still active")
            elif state == INACTIVE:
                yield _finding(idx, key, flow.get("name") or key, system, hint, Severity.MEDIUM)


def _finding(idx: StackIndex, subject: str, name: str, system: str, hint: OwnerHint, severity: Severity, *,
             account: str = "") -> Finding:
    role = hint.role.replace("_", " ")
    who = hint.name or hint.email
    person = person_id(hint.email) if "@" in hint.email else ""
    return CHECK.finding(
        message=(f"{name!r} in {idx.label(system)} is still active, but {who} ({role}) is no longer: "
                 "nobody is left who knows what it does or can rotate it."),
        subjects=tuple(s for s in (subject, account or person) if s),
        key=(subject,),
        severity=severity,
        evidence=idx.evidence(subject, *([account] if account else [])),
        details={"person": hint.email, "role": hint.role},
        owner=owner_of_system(idx, system),
    )


CHECK = Check(
    id="unowned-orphaned-integration",
    title="Integration or credential set up by someone no longer active",
    category="unowned",
    severity=Severity.MEDIUM,
    rationale=("Integrations, webhooks and tokens outlive the people who created them. Once their creator has "
               "left, nobody knows what they send where, and a token granted by a departed user still acts with "
               "that user's rights (high). A person counts as gone when the directory shows them suspended or "
               "deactivated, or, with no directory, when their own account in the tenant is deactivated."),
    remediation=("Give the integration a current owner (re-create it under a service account they control) and "
                 "revoke tokens granted by the departed user."),
    references=(),
    run=run,
)
