"""A sanctioned system holding personal data is not behind the organisation's single sign-on."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from stackaudit.check import Check
from stackaudit.checks._common import owner_of_system
from stackaudit.graph import index
from stackaudit.graph.query import StackIndex
from stackaudit.model import DataCategory, Finding, Severity

PII = DataCategory.PII.value


def _fronted(idx: StackIndex) -> tuple[set[str], set[str]]:
    """Vendors and nodes an identity provider has an app (or a flow) for."""
    vendors: set[str] = set()
    nodes: set[str] = set()
    for provider in idx.sso_providers:
        for integration in idx.integrations_by_system.get(provider, ()):
            attrs = idx.attrs(integration)
            if attrs.get("enabled", True) and attrs.get("vendor"):
                vendors.add(attrs["vendor"])
        nodes.update(target for target, _k, _f in idx.flows_out.get(provider, ()))
        nodes.update(source for source, _k, _f in idx.flows_in.get(provider, ()))
    return vendors, nodes


def run(graph: Any, config: Any) -> Iterator[Finding]:
    idx = index(graph)
    vendors, nodes = _fronted(idx)
    for node in list(nodes):
        if node in graph and graph.nodes[node].get("vendor"):
            vendors.add(graph.nodes[node]["vendor"])  # a tenant the provider signs in to fronts its vendor
    providers = ", ".join(idx.label(p) for p in idx.sso_providers)
    for node in idx.nodes("system"):
        attrs = idx.attrs(node)
        if not attrs.get("sanctioned") or attrs.get("sso_provider"):
            continue
        if PII not in attrs.get("data", ()) and PII not in attrs.get("approved_data", ()):
            continue
        if node in nodes or (attrs.get("vendor") and attrs["vendor"] in vendors):
            continue
        if attrs.get("internal") and attrs.get("system_kind") != "tenant":
            continue  # an in-house endpoint seen only through a URL: no vendor login to put behind SSO
        if attrs.get("sign_in_with") and attrs["sign_in_with"] in vendors:
            continue  # users sign in with accounts (e.g. Google) that are themselves behind single sign-on
        yield CHECK.finding(
            message=(f"{idx.label(node)} holds personal data but no app for it was found in {providers}: people "
                     "sign in with their own passwords, and leaving the organisation does not lock them out."),
            subjects=(node,),
            evidence=idx.evidence(node),
            details={"vendor": attrs.get("vendor") or "", "identity_providers": providers},
            owner=owner_of_system(idx, node),
        )


CHECK = Check(
    id="shadow-it-pii-system-without-sso",
    title="System holding personal data is not behind single sign-on",
    category="shadow-it",
    severity=Severity.HIGH,
    rationale=("Single sign-on is how access is granted with a role and removed on the day someone leaves. A "
               "sanctioned system holding personal data outside it keeps its own passwords and its own list of "
               "users, which is how departed staff keep access. Evaluated only when an identity provider is "
               "scanned: a system counts as behind it when the provider has an app (or a sign-in flow) for that "
               "system or its vendor, or when its users sign in with accounts of a vendor that is (the catalogue's "
               "sign_in_with: Google products use Google Workspace accounts). In-house endpoints seen only through a "
               "URL on the organisation's own domain are left out: there is no vendor login to put behind SSO."),
    remediation=("Add the system as an application in the identity provider (SAML/OIDC), assign it to the right "
                 "groups, and enforce SSO-only sign-in in the system's security settings."),
    references=("https://www.cisecurity.org/controls/access-control-management",),
    run=run,
    requires=("identity-provider", "registry"),
)
