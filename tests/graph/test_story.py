"""The Northwind story of docs/demo-stack.md as records shaped the way the connectors emit them.

It shows that the checks find every category of problem the story contains, each true by the story, and
nothing in the clean variant; the emulator-backed demo tests assert the same on real scans, vendor by vendor.
"""

from __future__ import annotations

from typing import Any

import pytest

from stackaudit import AccountKind, OwnerHint, TriState
from stackaudit.audit import AuditResult
from stackaudit.check import CATEGORIES
from stackaudit.checks import builtin_checks
from stackaudit.model import CheckStatus
from stackaudit.testing.stack import StackBuilder

D = "northwind.example"
ANA, BEN, CHLOE, DEV, ERIN, FARAH, GUS, HANA = (f"{n}@{D}" for n in (
    "ana.lima", "ben.okafor", "chloe.martin", "dev.patel", "erin.walsh", "farah.haddad", "gus.novak", "hana.sato"))
SF, HS, MKTO, MC, GW, OKTA, SEG, GA, WP, CF = (f"{c}:tenant:{c.upper()}" for c in (
    "sf", "hs", "mkto", "mc", "gw", "okta", "seg", "ga", "wp", "cf"))
CONTACT = ("pii", "contact")
BEHAVIORAL = ("behavioral",)


def story(clean: bool = False) -> StackBuilder:
    s = StackBuilder(domains=(D,))
    s.tenant("sf", vendor="salesforce", category="crm", data=CONTACT, name="Northwind Outfitters")
    s.tenant("hs", vendor="hubspot", category="marketing-automation", data=CONTACT, name="Northwind HubSpot")
    s.tenant("mkto", vendor="marketo", category="marketing-automation", data=CONTACT, name="Northwind Marketo")
    s.tenant("mc", vendor="mailchimp", category="email-marketing", data=CONTACT, name="Northwind Mailchimp",
             owners=(OwnerHint("owner", CHLOE if clean else GUS),))
    s.tenant("gw", vendor="google_workspace", category="productivity", data=("pii",), name="northwind.example")
    s.tenant("okta", vendor="okta", category="identity", name="Northwind Okta")
    s.tenant("seg", vendor="segment", category="cdp", data=BEHAVIORAL, name="Northwind Segment")
    s.tenant("ga", vendor="ga4", category="analytics", data=BEHAVIORAL, name="Northwind GA4")
    s.tenant("wp", vendor="wordpress", category="cms", data=("content",), name="Northwind website",
             domain=f"www.{D}", attributes={"public_user_list": not clean})
    s.tenant("cf", vendor="contentful", category="cms", data=("content",), name="Northwind Contentful")

    # the registry: Mailchimp's owner is Gus, who left
    for key, vendor, owner, data in (
            ("salesforce", "salesforce", ANA, CONTACT), ("hubspot", "hubspot", CHLOE, CONTACT),
            ("marketo", "marketo", CHLOE, CONTACT), ("mailchimp", "mailchimp", CHLOE if clean else GUS, CONTACT),
            ("google-workspace", "google-workspace", ANA, ("pii",)), ("okta", "okta", ANA, ("pii",)),
            ("segment", "segment", FARAH, ("behavioral", "pii")), ("ga4", "google-analytics", FARAH, BEHAVIORAL),
            ("wordpress", "wordpress", ERIN, ("content",)), ("contentful", "contentful", ERIN, ("content",))):
        s.sanction(key, vendor=vendor, owner=owner, data=data,
                   system_of_record=("contact",) if key == "salesforce" else ())
    s.sanction("bigquery", vendor="bigquery", owner=FARAH, data=BEHAVIORAL,
               system_of_record=BEHAVIORAL if clean else ())
    s.sanction("netlify", vendor="netlify", owner=ERIN, data=("content",), system_of_record=("content",))
    s.sanction("google-ads", vendor="google-ads", owner=FARAH, data=BEHAVIORAL)

    # people: Gus left in spring (suspended in Okta and Workspace), Hana is deactivated everywhere
    gone = () if clean else (GUS,)
    staff = [ANA, BEN, CHLOE, DEV, ERIN, FARAH] + ([] if clean else [GUS, HANA])
    for directory in (OKTA, GW):
        for email in staff:
            s.account(directory, email, active=email not in (GUS, HANA), admin=email == ANA)
    for app in ("Salesforce.com", "HubSpot", "Marketo", "Google Workspace", "Segment", "Contentful") + \
            (("Mailchimp",) if clean else ()):
        s.integration(OKTA, app, kind="app_installation")
    s.account(SF, ANA, admin=True, sso=TriState.YES)
    s.account(SF, BEN, admin=True, mfa=TriState.YES if clean else TriState.NO)
    for email in (CHLOE, DEV, ERIN):
        s.account(SF, email, sso=TriState.YES)
    if not clean:
        s.account(SF, FARAH, last_login_days=210)
        s.account(SF, GUS, last_login_days=160)
        s.account(SF, HANA, active=False, last_login_days=400)
    hubspot_user = s.account(SF, f"hubspot-integration@{D}", kind=AccountKind.SERVICE, mfa=TriState.NO)
    s.account(HS, CHLOE, admin=True)
    s.account(MKTO, CHLOE, admin=True)
    s.account(MKTO, f"marketo-sync@{D}", kind=AccountKind.SERVICE, mfa=TriState.UNKNOWN, last_login_days=None)
    s.account(MC, CHLOE, admin=True)
    for email in gone:
        s.account(MC, email, admin=True)
        s.credential(MC, kind="api_key", name="Gus's list export key", account=f"mc:user:{email}",
                     created_days=300, last_used_days=20)
    s.account(WP, ERIN, admin=True)
    s.account(CF, ERIN, admin=True)
    s.account(SEG, FARAH, admin=True)
    s.account(GA, FARAH, admin=True)

    # Salesforce: HubSpot's and Mailchimp's grants; Zapier, LeadGenius, an old Data Loader token; endpoints
    hubspot_app = s.integration(SF, "HubSpot", domains=("app.hubspot.com",), owners=(OwnerHint("created_by", ANA),))
    s.credential(SF, name="HubSpot", integration=hubspot_app, account=hubspot_user, created_days=600)
    s.flow(SF, s.external(name="HubSpot", seen_by="sf"), "oauth_grant", data=CONTACT, integration=hubspot_app)
    mc_app = s.integration(SF, "Mailchimp for Salesforce", kind="oauth_client")
    s.credential(SF, name="Mailchimp for Salesforce", integration=mc_app, account=f"sf:user:{CHLOE}",
                 created_days=500)
    s.flow(SF, s.external(name="Mailchimp for Salesforce", seen_by="sf"), "oauth_grant", data=CONTACT,
           integration=mc_app)
    s.flow(SF, s.external(host="api.segment.io", seen_by="sf"), "outbound_endpoint", data=("unknown",),
           url="https://api.segment.io/v1")
    if not clean:
        zapier = s.integration(SF, "Zapier", domains=("zapier.com",), owners=(OwnerHint("created_by", CHLOE),))
        for email in (CHLOE, DEV):
            s.credential(SF, name="Zapier", integration=zapier, account=f"sf:user:{email}")
        s.flow(SF, s.external(name="Zapier", seen_by="sf"), "oauth_grant", data=CONTACT, integration=zapier)
        leadgenius = s.integration(SF, "LeadGenius for Chrome", kind="oauth_client")
        s.credential(SF, name="LeadGenius for Chrome", integration=leadgenius, account=f"sf:user:{DEV}")
        s.flow(SF, s.external(name="LeadGenius for Chrome", seen_by="sf"), "oauth_grant", data=CONTACT,
               integration=leadgenius)
        loader = s.integration(SF, "Dataloader Bulk", owners=(OwnerHint("created_by", BEN),))
        s.credential(SF, name="Dataloader Bulk", integration=loader, account=f"sf:user:{BEN}", created_days=790,
                     last_used_days=320)
        s.flow(SF, s.external(host="erp.northwind.example", seen_by="sf"), "outbound_endpoint",
               data=("unknown",), url="http://erp.northwind.example/api/orders")
        s.flow(SF, s.external(host="tracking.clickpixel.example", seen_by="sf"), "outbound_endpoint",
               data=("unknown",), url="http://tracking.clickpixel.example")

    # HubSpot and Marketo: two-way native syncs with Salesforce; HubSpot workflow webhooks to Zapier
    for tenant, conn in ((HS, "hs"), (MKTO, "mkto")):
        salesforce = s.external(name="Salesforce", vendor="salesforce", seen_by=conn)
        s.flow(tenant, salesforce, "native_sync", data=CONTACT)
        s.flow(salesforce, tenant, "native_sync", data=CONTACT)
    if not clean:
        s.flow(HS, s.external(host="hooks.zapier.com", vendor="zapier", seen_by="hs"), "webhook", data=CONTACT,
               url="https://hooks.zapier.com/hooks/catch/123/abc", owners=(OwnerHint("created_by", CHLOE),))
        # Mailchimp: list webhooks to Zapier (one over plain http), and Zapier's API key adding subscribers
        s.flow(MC, s.external(host="hooks.zapier.com", vendor="zapier", seen_by="mc"), "webhook", data=CONTACT,
               url="https://hooks.zapier.com/hooks/catch/456/def")
        s.flow(MC, s.external(host="hooks.zapier.com", vendor="zapier", seen_by="mc"), "webhook", data=CONTACT,
               url="http://hooks.zapier.com/hooks/catch/789/ghi")
        s.flow(s.external(name="Zapier", seen_by="mc"), MC, "api", data=CONTACT)

    # Segment routes the website's events; GA4 links; the site's plugins
    www = s.external(host=f"www.{D}", seen_by="seg")
    s.flow(www, SEG, "tracking", data=BEHAVIORAL)
    for destination in ("Google Analytics 4 Web", "HubSpot", "BigQuery"):
        s.flow(SEG, s.external(name=destination, seen_by="seg"), "destination", data=BEHAVIORAL)
    s.flow(GA, s.external(name="Google Ads", seen_by="ga"), "link", data=BEHAVIORAL)
    if not clean:
        s.flow(GA, s.external(name="BigQuery", seen_by="ga"), "link", data=BEHAVIORAL)
    s.flow(WP, s.external(name="leadin", seen_by="wp"), "plugin", data=CONTACT)
    if not clean:  # the site also sends sign-ups to Mailchimp and events to GA4 directly: second routes
        s.flow(WP, s.external(name="mailchimp-for-wp", seen_by="wp"), "plugin", data=CONTACT)
        s.flow(WP, s.external(name="google-site-kit", seen_by="wp"), "plugin", data=BEHAVIORAL)

    # Contentful webhooks build the site, one to an old http endpoint
    s.flow(CF, s.external(host="api.netlify.com", seen_by="cf"), "webhook", data=("content",),
           url="https://api.netlify.com/build_hooks/abc", owners=(OwnerHint("created_by", ERIN),))
    if not clean:
        s.flow(CF, s.external(host="build.northwind.example", seen_by="cf"), "webhook", data=("content",),
               url="http://build.northwind.example/hook", owners=(OwnerHint("created_by", ERIN),))

    # Google Workspace: Dev and Chloe granted third-party apps broad access
    if not clean:
        for app, scopes, who in (("Zapier", ("https://www.googleapis.com/auth/drive",), CHLOE),
                                 ("Calendly", ("https://www.googleapis.com/auth/calendar",), DEV),
                                 ("LeadGenius", ("https://www.googleapis.com/auth/contacts.readonly",), DEV),
                                 ("Inbox Writer GPT", ("https://mail.google.com/",
                                                       "https://www.googleapis.com/auth/drive"), DEV)):
            integration = s.integration(GW, app, kind="oauth_client", scopes=scopes)
            s.credential(GW, name=app, integration=integration, account=f"gw:user:{who}", scopes=scopes)
            s.flow(GW, s.external(name=app, seen_by="gw"), "oauth_grant", data=("pii",), integration=integration)
    return s


@pytest.fixture(scope="module")
def dirty() -> AuditResult:
    return story().evaluate(builtin_checks())


def subjects(result: AuditResult, check_id: str) -> list[tuple[str, ...]]:
    return [f.subjects for f in result.findings if f.check_id == check_id]


def named(result: AuditResult, check_id: str) -> set[str]:
    graph = result.graph
    return {str(graph.nodes[s[0]].get("name")) for s in subjects(result, check_id) if s[0] in graph}


def test_every_check_is_evaluated_on_the_full_story(dirty: AuditResult) -> None:
    statuses = {c.check_id: c.status for c in dirty.coverage}
    assert set(statuses.values()) <= {CheckStatus.EVALUATED, CheckStatus.PARTIAL}, statuses


def test_the_story_has_a_finding_in_every_category(dirty: AuditResult) -> None:
    assert {f.category for f in dirty.findings} == set(CATEGORIES)


@pytest.mark.parametrize(("check_id", "expected"), [
    ("shadow-it-unsanctioned-oauth-app", {"Zapier", "LeadGenius for Chrome", "Calendly", "LeadGenius",
                                          "Inbox Writer GPT"}),
    ("shadow-it-unsanctioned-recipient", {"Zapier", "tracking.clickpixel.example"}),
    ("shadow-it-pii-system-without-sso", {"Northwind Mailchimp"}),
    ("duplicate-data-path-parallel-paths", {"Northwind Mailchimp", "Google BigQuery", "Northwind GA4"}),
    ("duplicate-data-path-sync-loop", {"Northwind Mailchimp"}),  # list webhook to Zapier, Zapier adds subscribers
    ("dirty-data-path-no-system-of-record", set()),
    ("unowned-departed-owner", {"Northwind Mailchimp"}),
    ("unowned-orphaned-integration", {"Gus's list export key"}),
    ("unowned-discovered-system", {"tracking.clickpixel.example", "erp.northwind.example"}),
    ("security-admin-without-mfa", {"ben.okafor"}),
    ("security-high-risk-grant", {"Inbox Writer GPT", "Zapier"}),
    ("security-stale-credential", {"Dataloader Bulk"}),
    ("security-inactive-account", {"farah.haddad", "gus.novak"}),
    ("security-public-user-list", {"Northwind website"}),
])
def test_story_findings(dirty: AuditResult, check_id: str, expected: set[str]) -> None:
    assert subjects(dirty, check_id), check_id
    assert expected <= named(dirty, check_id)


def test_story_plain_http_flows(dirty: AuditResult) -> None:
    urls = {f.details["url"] for f in dirty.findings if f.check_id == "security-plain-http"}
    assert urls == {"http://erp.northwind.example/api/orders", "http://tracking.clickpixel.example",
                    "http://hooks.zapier.com/hooks/catch/789/ghi", "http://build.northwind.example/hook"}


def test_story_duplicate_routes_into_mailchimp(dirty: AuditResult) -> None:
    finding = next(f for f in dirty.findings if f.check_id == "duplicate-data-path-parallel-paths"
                   and f.subjects[0] == MC)
    assert SF in finding.subjects and HS in finding.subjects
    assert any("vendor:zapier" in p.nodes for p in finding.paths)


def test_story_no_system_of_record_for_behavioral_data(dirty: AuditResult) -> None:
    (finding,) = [f for f in dirty.findings if f.check_id == "dirty-data-path-no-system-of-record"]
    assert finding.details["category"] == "behavioral"


def test_story_leaves_alone_what_the_story_does_not_blame(dirty: AuditResult) -> None:
    assert not named(dirty, "shadow-it-unsanctioned-oauth-app") & {"HubSpot", "Mailchimp for Salesforce",
                                                                   "Dataloader Bulk"}
    assert not named(dirty, "shadow-it-pii-system-without-sso") & {"Northwind Outfitters", "Northwind HubSpot"}
    loops = subjects(dirty, "duplicate-data-path-sync-loop")
    assert all(MKTO not in loop for loop in loops)  # the two-way native syncs are no loop


def test_clean_story_has_no_finding() -> None:
    result = story(clean=True).evaluate(builtin_checks())
    assert [(f.check_id, f.message) for f in result.findings] == []
    coverage: dict[str, Any] = {c.check_id: c.status for c in result.coverage}
    assert CheckStatus.NOT_EVALUATED not in coverage.values()
