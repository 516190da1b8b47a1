"""A tenant lets anyone read its list of users without signing in."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from stackaudit.check import Check, NotEvaluated
from stackaudit.checks._common import owner_of_system
from stackaudit.graph import index
from stackaudit.model import Finding, Severity

ATTRIBUTE = "public_user_list"


def run(graph: Any, config: Any) -> Iterator[Finding]:
    idx = index(graph)
    reported = [n for n in idx.nodes("system") if ATTRIBUTE in idx.attrs(n).get("attributes", {})]
    if not reported:
        raise NotEvaluated("no connection reports whether its user list is publicly readable")
    for node in reported:
        if idx.attrs(node)["attributes"][ATTRIBUTE] is not True:
            continue
        yield CHECK.finding(
            message=(f"{idx.label(node)} lists its users (names, login slugs) to anyone without authentication, "
                     "handing attackers the usernames to guess passwords for."),
            subjects=(node,),
            evidence=idx.evidence(node),
            owner=owner_of_system(idx, node),
        )


CHECK = Check(
    id="security-public-user-list",
    title="User list readable without authentication",
    category="security",
    severity=Severity.MEDIUM,
    rationale=("A public user list (e.g. a site's REST users endpoint, open by default) gives away valid login "
               "names and the staff behind them, the first step of password spraying and targeted phishing. "
               "Reported for tenants whose connector sets the public_user_list attribute."),
    remediation=("Restrict the endpoint to authenticated users (a security plugin or a filter on the REST users "
                 "route), and make sure admins use strong passwords and MFA."),
    references=("https://developer.wordpress.org/rest-api/reference/users/",),
    run=run,
)
