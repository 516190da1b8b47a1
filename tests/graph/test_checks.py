"""Every built-in check on a synthetic stack: a graph where it fires, and a near miss where it must not."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from stackaudit import AccountKind, OwnerHint, Severity, TriState
from stackaudit.audit import AuditResult
from stackaudit.check import Check
from stackaudit.checks import builtin_checks
from stackaudit.model import CheckStatus
from stackaudit.testing.stack import StackBuilder

CHECKS = {c.id: c for c in builtin_checks()}
DOMAIN = "acme.example"
ANA, BEN, CARL = (f"{n}@{DOMAIN}" for n in ("ana", "ben", "carl"))
CRM, MAP, IDP, CMS = ("crm:tenant:CRM", "map:tenant:MAP", "idp:tenant:IDP", "cms:tenant:CMS")


def base() -> StackBuilder:
    """A small, well-run stack: CRM and marketing platform in a two-way native sync, behind an identity
    provider, everything sanctioned and owned, admins with MFA. No check finds anything here."""
    s = StackBuilder(domains=(DOMAIN,))
    s.tenant("crm", vendor="salesforce", category="crm", data=("pii", "contact"), name="Acme CRM",
             domain="acme.my.salesforce.com")
    s.tenant("map", vendor="hubspot", category="marketing-automation", data=("pii", "contact", "behavioral"),
             name="Acme Marketing")
    s.tenant("idp", vendor="okta", category="identity", name="Acme Okta")
    s.tenant("cms", vendor="wordpress", category="cms", data=("content",), name="Acme Site",
             attributes={"public_user_list": False})
    for app in ("Salesforce.com", "HubSpot", "WordPress"):
        s.integration(IDP, app, kind="app_installation")
    for email in (ANA, BEN):
        s.account(IDP, email, mfa=TriState.YES)
    s.account(CRM, ANA, admin=True, sso=TriState.YES)
    s.account(CRM, BEN)
    sync_user = s.account(CRM, f"hubspot-sync@{DOMAIN}", kind=AccountKind.SERVICE)
    s.account(MAP, BEN, admin=True)
    s.account(CMS, ANA, admin=True)
    app = s.integration(CRM, "HubSpot", domains=("app.hubspot.com",), owners=(OwnerHint("created_by", ANA),))
    s.credential(CRM, name="HubSpot", integration=app, account=sync_user)
    hubspot = s.external(name="HubSpot", seen_by="crm")
    salesforce = s.external(name="Salesforce", vendor="salesforce", seen_by="map")
    s.flow(CRM, hubspot, "oauth_grant", data=("pii", "contact"), integration=app)
    s.flow(MAP, salesforce, "native_sync", data=("pii", "contact"))
    s.flow(salesforce, MAP, "native_sync", data=("pii", "contact"))
    s.sanction("crm", vendor="salesforce", owner=ANA, data=("pii", "contact"), system_of_record=("contact",))
    s.sanction("map", vendor="hubspot", owner=BEN, data=("pii", "contact", "behavioral"))
    s.sanction("idp", vendor="okta", owner=ANA, data=("pii",))
    s.sanction("cms", vendor="wordpress", owner=ANA, data=("content",))
    return s


def run(check_id: str, stack: StackBuilder) -> AuditResult:
    return stack.evaluate([CHECKS[check_id]])


def findings(check_id: str, stack: StackBuilder) -> list[Any]:
    result = run(check_id, stack)
    (coverage,) = result.coverage
    assert coverage.status in (CheckStatus.EVALUATED, CheckStatus.PARTIAL), coverage
    return result.findings


# -- scenarios: each returns the stack and the subject the finding must name ---------------------------


def zapier_webhook(s: StackBuilder) -> str:
    zapier = s.external(host="hooks.zapier.com", seen_by="map")
    s.flow(MAP, zapier, "webhook", data=("contact",), url="https://hooks.zapier.com/hooks/catch/1/abc")
    return zapier


def recipient_fires() -> tuple[StackBuilder, str]:
    s = base()
    zapier_webhook(s)
    return s, "vendor:zapier"


def recipient_quiet() -> StackBuilder:
    s = base()
    zapier_webhook(s)
    s.sanction("zapier", vendor="zapier", owner=BEN, data=("contact",))
    own = s.external(host="hooks.acme.example", seen_by="map")  # the organisation's own endpoint
    s.flow(MAP, own, "webhook", data=("contact",), url="https://hooks.acme.example/in")
    return s


def oauth_app(s: StackBuilder, users: int = 6) -> str:
    app = s.integration(CRM, "LeadGenius for Chrome", kind="oauth_client", scopes=("api", "full"))
    for n in range(users):
        holder = s.account(CRM, f"rep{n}@{DOMAIN}")
        s.credential(CRM, name="LeadGenius for Chrome", integration=app, account=holder)
    s.flow(CRM, s.external(name="LeadGenius for Chrome", seen_by="crm"), "oauth_grant", data=("pii", "contact"),
           integration=app)
    return app


def oauth_fires() -> tuple[StackBuilder, str]:
    s = base()
    return s, oauth_app(s)


def oauth_quiet() -> StackBuilder:
    s = base()
    oauth_app(s)
    s.sanction("leadgenius", vendor="leadgenius", owner=BEN)
    return s


def mailchimp(s: StackBuilder) -> str:
    tenant = s.tenant("mc", vendor="mailchimp", category="email-marketing", data=("pii", "contact"), name="Acme Mail")
    s.sanction("mailchimp", vendor="mailchimp", owner=BEN, data=("pii", "contact"))
    s.account(tenant, BEN, admin=True)
    return tenant


def sso_fires() -> tuple[StackBuilder, str]:
    s = base()
    return s, mailchimp(s)


def sso_quiet() -> StackBuilder:
    s = base()
    mailchimp(s)
    s.integration(IDP, "Mailchimp", kind="app_installation")
    return s


def two_routes(s: StackBuilder, second: bool = True) -> str:
    tenant = mailchimp(s)
    s.flow(CRM, s.external(name="Mailchimp for Salesforce", seen_by="crm"), "oauth_grant", data=("contact",))
    zapier_webhook(s)
    s.sanction("zapier", vendor="zapier", owner=BEN, data=("contact",))
    if second:
        s.flow(s.external(name="Zapier", seen_by="mc"), tenant, "api", data=("contact",))
    return tenant


def parallel_fires() -> tuple[StackBuilder, str]:
    s = base()
    return s, two_routes(s)


def parallel_quiet() -> StackBuilder:
    s = base()
    two_routes(s, second=False)
    return s


def writers_fires() -> tuple[StackBuilder, str]:
    s = base()
    s.flow(s.external(name="Zapier", seen_by="crm"), CRM, "api", data=("contact",))
    s.sanction("zapier", vendor="zapier", owner=BEN, data=("contact",))
    return s, CRM


def writers_quiet() -> StackBuilder:
    s = base()  # a second platform in its own two-way sync is not an independent writer
    s.tenant("mkto", vendor="marketo", category="marketing-automation", data=("pii", "contact"))
    salesforce = s.external(name="Salesforce", vendor="salesforce", seen_by="mkto")
    s.flow("mkto:tenant:MKTO", salesforce, "native_sync", data=("contact",))
    s.flow(salesforce, "mkto:tenant:MKTO", "native_sync", data=("contact",))
    s.sanction("marketo", vendor="marketo", owner=BEN, data=("pii", "contact"))
    s.integration(IDP, "Marketo", kind="app_installation")
    return s


def loop_fires() -> tuple[StackBuilder, str]:
    s = base()
    zapier_webhook(s)
    s.flow(s.external(name="Zapier", seen_by="crm"), CRM, "api", data=("contact",))
    s.sanction("zapier", vendor="zapier", owner=BEN, data=("contact",))
    return s, "vendor:zapier"


def intermediary_fires() -> tuple[StackBuilder, str]:
    s = base()
    zapier_webhook(s)
    s.flow(s.external(name="Zapier", seen_by="crm"), CRM, "api", data=("contact",))
    return s, "vendor:zapier"


def intermediary_quiet() -> StackBuilder:
    s, _ = intermediary_fires()
    s.sanction("zapier", vendor="zapier", owner=BEN, data=("contact",))
    return s


def writer_fires() -> tuple[StackBuilder, str]:
    s = base()
    s.flow(CMS, CRM, "api", data=("contact",))  # the site writes form leads straight into the CRM
    return s, CMS


def writer_quiet() -> StackBuilder:
    s = base()
    s.flow(CMS, CRM, "api", data=("content",))  # content is not a category the CRM is the system of record for
    return s


def behavioral(s: StackBuilder) -> None:
    s.tenant("cdp", vendor="segment", category="cdp", data=("behavioral",))
    s.tenant("ga", vendor="ga4", category="analytics", data=("behavioral",))
    s.flow(CMS, "cdp:tenant:CDP", "tracking", data=("behavioral",))
    s.flow("cdp:tenant:CDP", "ga:tenant:GA", "destination", data=("behavioral",))
    s.flow("cdp:tenant:CDP", MAP, "destination", data=("behavioral",))


def no_sor_fires() -> tuple[StackBuilder, str]:
    s = base()
    behavioral(s)
    return s, "cdp:tenant:CDP"


def no_sor_quiet() -> StackBuilder:
    s = base()
    behavioral(s)
    s.sanction("ga4", vendor="google-analytics", owner=BEN, data=("behavioral",), system_of_record=("behavioral",))
    return s


def unowned_fires() -> tuple[StackBuilder, str]:
    s = base()
    s.sanction("crm-sandbox", vendor="salesforce-sandbox", owner="")
    return s, "registry:crm-sandbox"


def departed(s: StackBuilder, active: bool) -> None:
    s.records = [r for r in s.records if r.id != f"idp:user:{BEN}"]
    s.account(IDP, BEN, active=active)


def departed_fires() -> tuple[StackBuilder, str]:
    s = base()
    departed(s, active=False)
    return s, MAP


def departed_quiet() -> StackBuilder:
    s = base()
    departed(s, active=True)
    return s


def orphan(s: StackBuilder, active: bool) -> str:
    s.account(IDP, CARL, active=active)
    return s.integration(MAP, "Lead scoring", kind="private_app", owners=(OwnerHint("created_by", CARL),))


def orphan_fires() -> tuple[StackBuilder, str]:
    s = base()
    return s, orphan(s, active=False)


def orphan_quiet() -> StackBuilder:
    s = base()
    orphan(s, active=True)
    return s


def pixel(s: StackBuilder, owners: tuple[OwnerHint, ...] = ()) -> str:
    target = s.external(host="tracking.pixel.example", seen_by="crm")
    s.flow(CRM, target, "outbound_endpoint", data=("unknown",), url="https://tracking.pixel.example", owners=owners)
    return target


def discovered_fires() -> tuple[StackBuilder, str]:
    s = base()
    return s, pixel(s)


def discovered_quiet() -> StackBuilder:
    s = base()
    pixel(s, owners=(OwnerHint("created_by", ANA),))
    return s


def mfa_fires() -> tuple[StackBuilder, str]:
    s = base()
    return s, s.account(CRM, CARL, admin=True, mfa=TriState.NO)


def mfa_quiet() -> StackBuilder:
    s = base()
    s.account(CRM, CARL, admin=True, mfa=TriState.UNKNOWN)  # unknown is reported as unknown, not as off
    s.account(MAP, ANA, admin=True, mfa=TriState.NO, sso=TriState.YES)  # signs in through the IdP, MFA on there
    return s


def risky_grant(s: StackBuilder, scope: str) -> str:
    app = s.integration(CRM, "Inbox Writer GPT", kind="oauth_client", scopes=(scope,))
    s.credential(CRM, name="Inbox Writer GPT", integration=app, account=f"crm:user:{BEN}", scopes=(scope,))
    return app


def grant_fires() -> tuple[StackBuilder, str]:
    s = base()
    return s, risky_grant(s, "https://mail.google.com/")


def grant_quiet() -> StackBuilder:
    s = base()
    risky_grant(s, "openid")
    return s


def stale_fires() -> tuple[StackBuilder, str]:
    s = base()
    return s, s.credential(MAP, kind="api_key", name="legacy import key", created_days=400, last_used_days=2)


def stale_quiet() -> StackBuilder:
    s = base()
    s.credential(MAP, kind="oauth_token", name="old but used", created_days=500, last_used_days=2)
    s.credential(MAP, kind="api_key", name="expired", created_days=900, last_used_days=800, expires_in_days=-10)
    return s


def inactive_fires() -> tuple[StackBuilder, str]:
    s = base()
    return s, s.account(CRM, CARL, last_login_days=200)


def inactive_quiet() -> StackBuilder:
    s = base()
    s.account(CRM, CARL, last_login_days=200, active=False)
    s.account(CRM, f"dana@{DOMAIN}", last_login_days=80)
    return s


def http_fires() -> tuple[StackBuilder, str]:
    s = base()
    target = s.external(host="erp.acme.example", seen_by="crm")
    return s, s.flow(CRM, target, "outbound_endpoint", data=("unknown",), url="http://erp.acme.example/api",
                     owners=(OwnerHint("created_by", ANA),))


def http_quiet() -> StackBuilder:
    s = base()
    s.flow(CRM, s.external(host="127.0.0.1", seen_by="crm"), "webhook", url="http://127.0.0.1:8080/hook",
           owners=(OwnerHint("created_by", ANA),))
    s.flow(CRM, s.external(host="erp.acme.example", seen_by="crm"), "webhook", url="https://erp.acme.example/api",
           owners=(OwnerHint("created_by", ANA),))
    return s


def pii_to(s: StackBuilder, approved: tuple[str, ...]) -> str:
    s.tenant("ga", vendor="ga4", category="analytics", data=("behavioral",))
    s.sanction("ga4", vendor="google-analytics", owner=BEN, data=approved)
    s.flow(MAP, "ga:tenant:GA", "link", data=("behavioral", "pii"))
    return "ga:tenant:GA"


def pii_fires() -> tuple[StackBuilder, str]:
    s = base()
    return s, pii_to(s, ("behavioral",))


def pii_quiet() -> StackBuilder:
    s = base()
    pii_to(s, ("behavioral", "pii"))
    return s


def admins(s: StackBuilder, count: int) -> None:
    for n in range(count - 1):  # Ben is already an admin
        s.account(MAP, f"admin{n}@{DOMAIN}", admin=True)


def admins_fires() -> tuple[StackBuilder, str]:
    s = base()
    admins(s, 6)
    return s, MAP


def admins_quiet() -> StackBuilder:
    s = base()
    admins(s, 5)
    return s


def service_fires() -> tuple[StackBuilder, str]:
    s = base()
    return s, s.account(MAP, f"sync@{DOMAIN}", admin=True, kind=AccountKind.SERVICE)


def service_quiet() -> StackBuilder:
    s = base()
    s.account(MAP, f"sync@{DOMAIN}", admin=False, kind=AccountKind.SERVICE)
    return s


def public_fires() -> tuple[StackBuilder, str]:
    s = base()
    s.tenant("blog", vendor="wordpress", category="cms", data=("content",), attributes={"public_user_list": True})
    s.sanction("blog", vendor="wordpress", owner=ANA, data=("content",), domains=("blog.acme.example",))
    return s, "blog:tenant:BLOG"


def paid_tool(s: StackBuilder, *, payer: str = BEN, still_paid: bool = True) -> str:
    """A tool found only on the corporate card statement, as a finance connector reports it."""
    from stackaudit.model import Evidence, OwnerHint, System, SystemKind, external_id

    system_id = external_id(name="Hotjar")
    s.records.append(System(
        id=system_id, name="Hotjar", vendor="hotjar", system_kind=SystemKind.EXTERNAL, domain="hotjar.com",
        owners=(OwnerHint("cardholder", email=payer),),
        attributes={"yearly_cost": 468.0, "currency": "EUR", "still_paid": still_paid},
        evidence=(Evidence("expenses", "card export", "lines 3, 9"),),
    ))
    return system_id


def paid_fires() -> tuple[StackBuilder, str]:
    s = base()
    paid_tool(s)
    return s, "vendor:hotjar"


def paid_quiet() -> StackBuilder:
    s = base()
    paid_tool(s)
    s.sanction("hotjar", vendor="hotjar", owner=BEN, data=("behavioral",))
    return s


SCENARIOS: dict[str, tuple[Callable[[], tuple[StackBuilder, str]], Callable[[], StackBuilder]]] = {
    "shadow-it-paid-unsanctioned": (paid_fires, paid_quiet),
    "shadow-it-unsanctioned-recipient": (recipient_fires, recipient_quiet),
    "shadow-it-unsanctioned-oauth-app": (oauth_fires, oauth_quiet),
    "shadow-it-pii-system-without-sso": (sso_fires, sso_quiet),
    "duplicate-data-path-parallel-paths": (parallel_fires, parallel_quiet),
    "duplicate-data-path-multiple-writers": (writers_fires, writers_quiet),
    "duplicate-data-path-sync-loop": (loop_fires, base),
    "dirty-data-path-unsanctioned-intermediary": (intermediary_fires, intermediary_quiet),
    "dirty-data-path-unapproved-writer": (writer_fires, writer_quiet),
    "dirty-data-path-no-system-of-record": (no_sor_fires, no_sor_quiet),
    "unowned-sanctioned-system": (unowned_fires, base),
    "unowned-departed-owner": (departed_fires, departed_quiet),
    "unowned-orphaned-integration": (orphan_fires, orphan_quiet),
    "unowned-discovered-system": (discovered_fires, discovered_quiet),
    "security-admin-without-mfa": (mfa_fires, mfa_quiet),
    "security-high-risk-grant": (grant_fires, grant_quiet),
    "security-stale-credential": (stale_fires, stale_quiet),
    "security-inactive-account": (inactive_fires, inactive_quiet),
    "security-plain-http": (http_fires, http_quiet),
    "security-pii-to-unapproved-system": (pii_fires, pii_quiet),
    "security-too-many-admins": (admins_fires, admins_quiet),
    "security-service-account-admin": (service_fires, service_quiet),
    "security-public-user-list": (public_fires, base),
}


def test_every_builtin_check_has_a_firing_and_a_quiet_scenario() -> None:
    assert set(SCENARIOS) == set(CHECKS)


def test_the_well_run_stack_has_no_finding_and_every_check_is_evaluated() -> None:
    result = base().evaluate(CHECKS.values())
    assert result.findings == []
    assert {c.check_id: c.status for c in result.coverage} == dict.fromkeys(CHECKS, CheckStatus.EVALUATED)


@pytest.mark.parametrize("check_id", sorted(SCENARIOS))
def test_check_fires(check_id: str) -> None:
    stack, subject = SCENARIOS[check_id][0]()
    found = findings(check_id, stack)
    assert found, f"{check_id} found nothing"
    assert any(subject in f.subjects for f in found), [f.subjects for f in found]
    check: Check = CHECKS[check_id]
    for finding in found:
        assert finding.check_id == check_id and finding.category == check.category
        assert finding.message and finding.remediation and finding.subjects
        assert finding.evidence or finding.check_id in ("unowned-sanctioned-system", "dirty-data-path-no-system-of-record")


@pytest.mark.parametrize("check_id", sorted(SCENARIOS))
def test_check_stays_quiet_on_the_near_miss(check_id: str) -> None:
    assert findings(check_id, SCENARIOS[check_id][1]()) == []


@pytest.mark.parametrize("check_id", sorted(SCENARIOS))
def test_fingerprints_are_stable_across_scans(check_id: str) -> None:
    first = {f.id for f in findings(check_id, SCENARIOS[check_id][0]()[0])}
    stack = SCENARIOS[check_id][0]()[0]
    stack.account(CMS, f"newcomer@{DOMAIN}")  # unrelated change between the scans
    assert {f.id for f in findings(check_id, stack)} == first


# -- details that matter to the people reading the findings ------------------------------------------


def test_unsanctioned_oauth_app_severity_grows_with_scopes_and_users() -> None:
    s = base()
    broad_and_popular = oauth_app(s, users=6)
    (finding,) = findings("shadow-it-unsanctioned-oauth-app", s)
    assert finding.subjects[0] == broad_and_popular and finding.severity is Severity.CRITICAL
    assert finding.details["users"] == 6 and finding.details["high_risk_scopes"] == "full"
    s = base()
    app = s.integration(CRM, "Calendly", kind="connected_app")
    s.credential(CRM, name="Calendly", integration=app, account=f"crm:user:{BEN}")
    (finding,) = findings("shadow-it-unsanctioned-oauth-app", s)
    assert finding.severity is Severity.MEDIUM and finding.details["users"] == 1


def test_admin_mfa_unknown_is_reported_as_unknown_in_the_coverage() -> None:
    s = base()
    carl = s.account(CRM, CARL, admin=True, mfa=TriState.UNKNOWN)
    result = run("security-admin-without-mfa", s)
    assert result.findings == []
    (coverage,) = result.coverage
    assert coverage.status is CheckStatus.PARTIAL and carl in coverage.unknown
    assert "does not report MFA" in coverage.reason


def test_admin_signing_in_through_sso_is_judged_by_the_identity_provider() -> None:
    s = base()
    s.records = [r for r in s.records if r.id not in (f"idp:user:{ANA}", f"crm:user:{ANA}")]
    s.account(CRM, ANA, admin=True, mfa=TriState.NO, sso=TriState.YES)
    s.account(IDP, ANA, mfa=TriState.NO)
    (finding,) = findings("security-admin-without-mfa", s)
    assert finding.subjects == (f"crm:user:{ANA}",) and "MFA is off" in finding.message


def test_pii_system_without_sso_is_not_evaluated_without_an_identity_provider() -> None:
    s = base()
    s.records = [r for r in s.records if not r.id.startswith("idp:")]
    result = run("shadow-it-pii-system-without-sso", s)
    (coverage,) = result.coverage
    assert result.findings == [] and coverage.status is CheckStatus.NOT_EVALUATED
    assert "no identity provider" in coverage.reason


def test_departed_owner_unknown_to_the_directory_is_medium() -> None:
    s = base()
    s.records = [r for r in s.records if r.id != f"idp:user:{BEN}"]
    (finding,) = [f for f in findings("unowned-departed-owner", s) if MAP in f.subjects]
    assert finding.severity is Severity.MEDIUM and finding.details["directory_status"] == "absent"


def test_token_granted_by_a_deactivated_user_is_orphaned_and_high() -> None:
    s = base()
    gone = s.account(MAP, CARL, active=False)
    token = s.credential(MAP, kind="oauth_token", name="Zapier", account=gone)
    (finding,) = findings("unowned-orphaned-integration", s)
    assert finding.subjects[0] == token and finding.severity is Severity.HIGH


def test_parallel_paths_evidence_holds_both_routes() -> None:
    s = base()
    mc = two_routes(s)
    (finding,) = findings("duplicate-data-path-parallel-paths", s)
    routes = {p.nodes for p in finding.paths}
    assert (CRM, mc) in routes
    assert (CRM, MAP, "vendor:zapier", mc) in routes or (MAP, "vendor:zapier", mc) in routes
    assert all(len(p.flows) == len(p.nodes) - 1 for p in finding.paths)
    assert CRM in finding.subjects and MAP in finding.subjects


def test_sync_loop_reports_the_loop_once_with_its_path() -> None:
    s, _ = loop_fires()
    (finding,) = findings("duplicate-data-path-sync-loop", s)
    (path,) = finding.paths
    assert path.nodes[0] == path.nodes[-1] and set(path.nodes) == {CRM, MAP, "vendor:zapier"}


def test_intermediary_path_starts_where_the_data_enters() -> None:
    s, _ = intermediary_fires()
    (finding,) = findings("dirty-data-path-unsanctioned-intermediary", s)
    (path,) = finding.paths
    assert path.nodes == (MAP, "vendor:zapier", CRM)


def test_unsanctioned_origin_writing_into_the_record_is_high() -> None:
    s = base()
    s.flow(s.external(name="LeadGenius", seen_by="crm"), CRM, "api", data=("contact",))
    (finding,) = findings("dirty-data-path-unapproved-writer", s)
    assert finding.subjects[:2] == ("vendor:leadgenius", CRM) and finding.severity is Severity.HIGH


def test_path_search_stops_at_its_budget_and_says_so() -> None:
    s, _ = parallel_fires()
    s.set_policy(path_search_budget=1)
    result = run("duplicate-data-path-parallel-paths", s)
    (coverage,) = result.coverage
    assert coverage.status is CheckStatus.PARTIAL and "path_search_budget" in coverage.reason


def test_public_user_list_not_evaluated_when_no_connector_reports_it() -> None:
    s = base()
    s.records = [r for r in s.records if r.id != CMS]
    (coverage,) = run("security-public-user-list", s).coverage
    assert coverage.status is CheckStatus.NOT_EVALUATED


def test_check_ids_match_their_modules_and_metadata_is_complete() -> None:
    from stackaudit.checks import MODULES
    from stackaudit.graph import REQUIREMENTS

    assert [c.id for c in builtin_checks()] == [m.replace("_", "-") for m in MODULES]
    for check in builtin_checks():
        assert check.id.startswith(check.category + "-") or check.id.startswith("shadow-it-")
        assert len(check.rationale) > 80 and check.remediation and check.title
        assert set(check.requires) <= set(REQUIREMENTS)


def test_builtin_checks_are_registered_through_the_plugin_hook(host: Any) -> None:
    registry = host.checks()
    builtin = {i for i in registry.ids() if registry.owner(i) == "builtin_checks"}
    assert builtin == set(CHECKS)  # other installed plugins (policy_regions) add their own through the same hook


def test_an_app_only_listed_in_a_tenant_is_not_an_oauth_grant() -> None:
    s = base()
    s.integration(IDP, "Okta Admin Console", kind="app_installation", users=40)  # first party
    s.integration(IDP, "Expense Tool", kind="app_installation", users=12)  # an SSO app: no token, no grant flow
    assert findings("shadow-it-unsanctioned-oauth-app", s) == []


def test_a_system_that_only_sends_data_is_not_a_discovered_system_nobody_owns() -> None:
    s = base()
    site = s.external(host=f"www.{DOMAIN}", seen_by="map")
    s.flow(site, MAP, "tracking", data=("behavioral",))
    assert findings("unowned-discovered-system", s) == []


def test_same_subject_undecided_twice_is_counted_once() -> None:
    s = base()
    s.credential(MAP, kind="api_key", name="undated", created_days=None, last_used_days=None)
    (coverage,) = run("security-stale-credential", s).coverage
    assert coverage.status is CheckStatus.PARTIAL and coverage.unknown_count == 1


def test_a_sanctioned_app_with_broad_scopes_is_not_a_high_risk_grant() -> None:
    s = base()
    s.tenant("gw", vendor="google-workspace", category="productivity")
    app = s.integration("gw:tenant:GW", "HubSpot Sales", kind="oauth_client",
                        scopes=("https://www.googleapis.com/auth/gmail.readonly",))
    s.credential("gw:tenant:GW", name="HubSpot Sales", integration=app,
                 scopes=("https://www.googleapis.com/auth/gmail.readonly",))
    assert findings("security-high-risk-grant", s) == []


def test_sign_in_flows_are_not_data_flows() -> None:
    s = base()
    s.tenant("cf", vendor="contentful", category="cms", data=("content",))
    s.sanction("contentful", vendor="contentful", owner=ANA, data=("content",))
    s.flow(IDP, "cf:tenant:CF", "sso", data=("pii",))
    s.flow(IDP, "map:tenant:MAP", "sso", data=("pii",))
    s.flow(IDP, CRM, "sso", data=("pii",))
    result = s.evaluate(CHECKS.values())
    assert result.findings == []


def test_routes_are_not_followed_onwards_from_an_app_that_only_holds_a_grant() -> None:
    s = base()
    s.tenant("gw", vendor="google-workspace", category="productivity", data=("pii", "contact"))
    s.sanction("gw", vendor="google-workspace", owner=ANA, data=("pii",))
    for app in ("HubSpot", "Salesforce"):
        s.flow("gw:tenant:GW", s.external(name=app, seen_by="gw"), "oauth_grant", data=("pii", "contact"))
    for check_id in ("duplicate-data-path-parallel-paths", "duplicate-data-path-multiple-writers",
                     "dirty-data-path-unapproved-writer"):
        assert findings(check_id, s) == [], check_id


def test_a_google_product_is_behind_sso_when_google_workspace_is() -> None:
    s = base()
    s.tenant("gw", vendor="google-workspace", category="productivity", data=("pii",))
    s.sanction("gw", vendor="google-workspace", owner=ANA, data=("pii",))
    s.flow(IDP, "gw:tenant:GW", "sso", data=("pii",))
    s.flow(CRM, s.external(name="BigQuery", seen_by="crm"), "api", data=("contact",))
    s.sanction("bigquery", vendor="bigquery", owner=ANA, data=("contact", "pii"))
    assert findings("shadow-it-pii-system-without-sso", s) == []


def test_a_departed_users_grant_is_reported_once_on_its_token() -> None:
    s = base()
    gone = s.account(MAP, CARL, active=False)
    s.account(IDP, CARL, active=False)
    app = s.integration(MAP, "Zapier", kind="oauth_client", owners=(OwnerHint("granted_by", CARL),))
    token = s.credential(MAP, name="Zapier", integration=app, account=gone)
    s.flow(MAP, s.external(name="Zapier", seen_by="map"), "oauth_grant", integration=app,
           owners=(OwnerHint("granted_by", CARL),))
    s.sanction("zapier", vendor="zapier", owner=BEN)
    (finding,) = findings("unowned-orphaned-integration", s)
    assert finding.subjects[0] == token


def test_an_in_house_endpoint_is_not_asked_to_be_behind_sso() -> None:
    s = base()
    bridge = s.external(host=f"crm-bridge.{DOMAIN}", seen_by="map")
    s.flow(MAP, bridge, "webhook", data=("pii", "contact"))
    s.sanction("bridge", vendor="acme-crm-bridge", owner=ANA, data=("pii", "contact"),
               domains=(f"crm-bridge.{DOMAIN}",))
    assert findings("shadow-it-pii-system-without-sso", s) == []
    vendor_hosted = base()
    vendor_hosted.flow(MAP, vendor_hosted.external(host="hooks.bridgevendor.example", seen_by="map"), "webhook",
                       data=("pii", "contact"))
    vendor_hosted.sanction("bridge", vendor="bridgevendor", owner=ANA, data=("pii", "contact"),
                           domains=("hooks.bridgevendor.example",))
    assert len(findings("shadow-it-pii-system-without-sso", vendor_hosted)) == 1


def test_a_paid_tool_says_who_pays_and_what_it_costs_and_drops_to_low_once_cancelled() -> None:
    s = base()
    paid_tool(s)
    (finding,) = findings("shadow-it-paid-unsanctioned", s)
    assert finding.owner == BEN
    assert "468 EUR a year" in finding.message
    assert finding.severity.name == "MEDIUM"
    cancelled = base()
    paid_tool(cancelled, still_paid=False)
    (old,) = findings("shadow-it-paid-unsanctioned", cancelled)
    assert old.severity.name == "LOW" and "was paid for" in old.message


def test_a_finding_never_names_someone_who_has_left_as_its_owner() -> None:
    s = base()
    departed(s, active=False)  # Ben, the marketing platform's registry owner, is suspended in the IdP
    s.account(MAP, CARL, admin=True, mfa=TriState.NO)
    (finding,) = findings("security-admin-without-mfa", s)
    assert finding.owner == ANA  # the next accountable person who is still here (the sync's creator), not Ben
    still_here = base()
    still_here.account(MAP, CARL, admin=True, mfa=TriState.NO)
    (finding,) = findings("security-admin-without-mfa", still_here)
    assert finding.owner == BEN
