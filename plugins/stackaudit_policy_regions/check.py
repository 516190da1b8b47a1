"""``security-data-outside-approved-regions``: personal data from a tenant hosted in an approved region flows
to a system hosted outside the approved regions, with no transfer basis on record.

Reads the graph only: system nodes' ``region`` and ``vendor``, and active ``flow`` edges' ``data``. Where a
recipient is hosted comes from the node's own ``region`` (a scanned tenant reports it) or else from the
team's vendor hosting record (:mod:`stackaudit_policy_regions.hosting`). A recipient whose hosting neither
says is not judged.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from stackaudit import Check, Finding, NotEvaluated, Severity, Unknown
from stackaudit_policy_regions.hosting import VENDOR_HOSTING, Hosting
from stackaudit_policy_regions.regions import region_code

# Data categories that are personal data under the policy.
PERSONAL = ("pii", "contact", "payment", "behavioral")
SPECIAL = frozenset({"pii", "payment"})  # identifying or financial: the more severe case


def hosting_of(attrs: dict[str, Any]) -> Hosting | None:
    """Where a system node is hosted: its own region if known, else the team's record for its vendor."""
    recorded = VENDOR_HOSTING.get(str(attrs.get("vendor") or ""))
    region = region_code(str(attrs.get("region") or ""))
    if region:
        return Hosting(region, recorded.transfer_basis if recorded else "")
    return recorded


def _label(node: str, attrs: dict[str, Any]) -> str:
    name = str(attrs.get("name") or node)
    vendor = str(attrs.get("vendor_name") or attrs.get("vendor") or "")
    return f"{name} ({vendor})" if vendor and vendor.lower() not in name.lower() else name


def run(graph: Any, config: Any) -> Iterator[Finding | Unknown]:
    allowed = {region_code(r) for r in config.policy.allowed_regions} - {""}
    if not allowed:
        raise NotEvaluated("[policy] allowed_regions is not set: there is no approved region list to hold flows to")
    unknown: set[str] = set()
    transfers: dict[tuple[str, str], list[tuple[str, set[str]]]] = {}
    hosted: dict[str, str] = {}
    for source, target, key, attrs in graph.edges(keys=True, data=True):
        if attrs.get("kind") != "flow" or not attrs.get("active", True):
            continue
        personal = {str(d) for d in attrs.get("data", ())} & set(PERSONAL)
        if not personal:
            continue
        origin = region_code(str(graph.nodes[source].get("region") or ""))
        if origin not in allowed:
            continue
        recipient = hosting_of(graph.nodes[target])
        if recipient is None:
            if target not in unknown:
                unknown.add(target)
                yield Unknown(target, "hosting region not reported and not in the vendor hosting record")
            continue
        if recipient.region in allowed or recipient.transfer_basis:
            continue
        hosted[target] = recipient.region
        transfers.setdefault((source, target), []).append((str(key), personal))
    for (source, target), flows in sorted(transfers.items()):
        source_attrs, target_attrs = graph.nodes[source], graph.nodes[target]
        categories = sorted(set().union(*(data for _key, data in flows)), key=PERSONAL.index)
        message = (f"{_label(source, source_attrs)}, hosted in {source_attrs.get('region')}, sends "
                   f"{', '.join(categories)} data to {_label(target, target_attrs)}, hosted in {hosted[target]}: "
                   f"outside the approved regions ({', '.join(sorted(allowed))}), with no transfer basis on record")
        yield CHECK.finding(
            message=message,
            subjects=(source, target, *(key for key, _data in flows)),
            severity=Severity.HIGH if SPECIAL & set(categories) else Severity.MEDIUM,
            owner=str(source_attrs.get("owner") or ""),
        )

CHECK = Check(
    id="security-data-outside-approved-regions",
    title="Personal data leaves the approved hosting regions",
    category="security",
    severity=Severity.HIGH,
    rationale=("The data-protection policy keeps personal data in the regions [policy] allowed_regions lists. "
               "A flow of personal data from a tenant hosted there to a system hosted elsewhere is a transfer "
               "the policy does not allow unless the vendor review recorded a legal basis for it (standard "
               "contractual clauses, an adequacy decision). Identifying or payment data makes it high, "
               "behavioural or contact data alone medium."),
    remediation=("Stop the flow or send it to a system in an approved region; or, after a vendor review, record "
                 "the transfer basis in the policy plugin's vendor hosting record."),
    run=run,
    references=("https://eur-lex.europa.eu/eli/reg/2016/679/oj (GDPR chapter V: transfers to third countries)",),
)
