"""A system's owner is no longer an active account in the directory (left, suspended, or unknown to it)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from stackaudit.check import Check
from stackaudit.graph import index, person_id
from stackaudit.graph.query import ABSENT, INACTIVE
from stackaudit.model import Finding, Severity


def run(graph: Any, config: Any) -> Iterator[Finding]:
    idx = index(graph)
    directories = ", ".join(idx.label(d) for d in idx.directories)
    for node in idx.nodes("system"):
        attrs = idx.attrs(node)
        owners: dict[str, str] = {}
        if attrs.get("owner"):
            owners[attrs["owner"]] = "registry owner"
        for hint in attrs.get("owner_hints", ()):
            if hint.email and hint.role not in ("installed_by", "created_by", "granted_by"):
                owners.setdefault(hint.email.lower(), hint.role.replace("_", " "))
        for email, role in sorted(owners.items()):
            status = idx.person_status(email)
            if status not in (INACTIVE, ABSENT):
                continue
            state = "suspended or deactivated" if status == INACTIVE else "not found"
            person = person_id(email)
            yield CHECK.finding(
                message=(f"{email}, {role} of {idx.label(node)}, is {state} in {directories}: the system's owner "
                         "has left or cannot be reached."),
                subjects=(node, person),
                key=(node, person),
                severity=Severity.HIGH if status == INACTIVE else Severity.MEDIUM,
                evidence=idx.evidence(node, *(a for a in idx.accounts_by_email.get(email, ())
                                              if idx.attrs(a)["system"] in idx.directories)),
                details={"owner": email, "role": role, "directory_status": status},
            )


CHECK = Check(
    id="unowned-departed-owner",
    title="Owner has left or is not in the directory",
    category="unowned",
    severity=Severity.HIGH,
    rationale=("An owner who left (suspended or deactivated in the directory) cannot review access or answer for "
               "the system, and an account-owner role often still holds billing and admin rights. High when the "
               "directory shows them inactive; medium when the directory does not know them at all. Evaluated only "
               "when a directory (identity provider, Google Workspace) is scanned."),
    remediation=("Name a new owner in the registry and transfer the vendor's account-owner role and billing "
                 "contact to them; then remove the former owner's access."),
    references=(),
    run=run,
    requires=("directory",),
)
