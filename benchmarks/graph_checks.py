"""Benchmark: build the graph and run every built-in check on a synthetic enterprise stack, then on one twice
the size, and print time, peak memory and the ratio.

    python benchmarks/graph_checks.py                 # 5,000 systems, 50,000 flows, 100,000 accounts and grants
    python benchmarks/graph_checks.py --scale 0.2     # a quick run
    python benchmarks/graph_checks.py --repeat 3      # best of three per size

The stack is made of business units of 10 scanned tenants and 90 outside services each (70 seen by host, 20
by app name only): a CRM at the centre in two-way native syncs with the others, webhooks, endpoints,
destinations and grants to the services, a few services writing back, a loop; all units share 20 popular
vendors (Zapier, Segment, ...) and one identity provider. Each size runs in its own process so peak memory
(max RSS) is that size's alone.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from stackaudit.audit import evaluate
from stackaudit.checks import builtin_checks
from stackaudit.config import Config, SanctionedSystem
from stackaudit.graph import build_graph
from stackaudit.model import (
    Account,
    AccountKind,
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

NOW = datetime(2026, 6, 1, tzinfo=UTC)
TENANTS_PER_UNIT = 10
EXTERNALS_PER_UNIT = 70  # outside services seen by host
APPS_PER_UNIT = 20  # and by app name only
FLOWS_PER_UNIT = 1_000
ACCOUNTS_PER_UNIT = 1_400  # plus one directory account per 8
CREDENTIALS_PER_UNIT = 425
INTEGRATIONS_PER_TENANT = 10
HUBS = ("hooks.zapier.com", "api.segment.io", "hooks.slack.com", "api.hubapi.com", "us1.api.mailchimp.com",
        "www.google-analytics.com", "api.intercom.io", "api.typeform.com", "hook.eu1.make.com", "api.stripe.com",
        "api.amplitude.com", "api.mixpanel.com", "graph.facebook.com", "api.linkedin.com", "api.openai.com",
        "api.gong.io", "api.outreach.io", "calendly.com", "api.zoominfo.com", "api.clearbit.com")
TENANT_VENDORS = ("salesforce", "hubspot", "marketo", "mailchimp", "segment", "ga4", "wordpress", "contentful",
                  "braze", "klaviyo")
CATEGORY_SETS = ((DataCategory.PII, DataCategory.CONTACT), (DataCategory.BEHAVIORAL,), (DataCategory.MARKETING,),
                 (DataCategory.CONTENT,), (DataCategory.UNKNOWN,))
DOMAIN = "bigcorp.example"


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


class _Flows:
    """Adds one business unit's flows, numbering them."""

    def __init__(self, records: list[Record], unit: int) -> None:
        self.records = records
        self.unit = unit
        self.count = 0

    def add(self, source: str, target: str, kind: str, data: tuple[DataCategory, ...], conn_name: str,
            scheme: str = "https") -> None:
        self.count += 1
        n = self.count
        self.records.append(Flow(
            id=record_id(conn_name, "flow", f"{self.unit}-{n}"), source=source, target=target, flow_kind=kind,
            data=data, scheme=scheme, url=f"{scheme}://{target[9:]}/in" if target.startswith("external:svc") else "",
            name=f"{kind} {n}", owners=(OwnerHint("created_by", f"p{self.unit}.{n % 40}@{DOMAIN}"),),
            evidence=(Evidence(conn_name, "GET /flows", str(n)),)))


def generate(scale: float, seed: int = 7) -> tuple[Inventory, Config]:
    """An inventory of about 5,000 x scale systems, 50,000 x scale flows, 100,000 x scale accounts and grants."""
    rng = random.Random(seed)
    units = max(1, round(50 * scale))
    records: list[Record] = []
    registry: list[SanctionedSystem] = []
    idp = record_id("idp", "tenant", "IDP")
    records.append(System(id=idp, name="Okta", vendor="okta", category="identity",
                          evidence=(Evidence("idp", "GET /org", "IDP"),)))
    registry.append(SanctionedSystem("okta", "Okta", "okta", owner=f"it@{DOMAIN}"))
    hubs = [external_id(host=h) for h in HUBS]
    for host, hub in zip(HUBS, hubs, strict=True):
        records.append(System(id=hub, name=host, system_kind=SystemKind.EXTERNAL, domain=host,
                              evidence=(Evidence("scan", "endpoint", host),)))
    people = 0
    for unit in range(units):
        conn = [f"u{unit}t{t}" for t in range(TENANTS_PER_UNIT)]
        tenants = [record_id(c, "tenant", c.upper()) for c in conn]
        externals = [external_id(host=f"svc{e}.unit{unit}.example") for e in range(EXTERNALS_PER_UNIT)]
        apps = [external_id(name=f"App {unit}-{a}") for a in range(APPS_PER_UNIT)]
        for a, app in enumerate(apps):
            records.append(System(id=app, name=f"App {unit}-{a}", system_kind=SystemKind.EXTERNAL,
                                  evidence=(Evidence(conn[a % TENANTS_PER_UNIT], "grant", app),)))
        for t, (c, tenant) in enumerate(zip(conn, tenants, strict=True)):
            vendor = TENANT_VENDORS[t]
            records.append(System(id=tenant, name=f"{vendor} {unit}", vendor=f"{vendor}-{unit}-{t}" if t else vendor,
                                  category="crm" if t == 0 else "marketing-automation",
                                  data=(DataCategory.PII, DataCategory.CONTACT),
                                  evidence=(Evidence(c, "GET /org", c),)))
            if rng.random() < 0.9:
                registry.append(SanctionedSystem(
                    f"reg-{c}", f"{vendor} {unit}", f"{vendor}-{unit}-{t}" if t else "salesforce",
                    owner=f"owner{unit}.{t}@{DOMAIN}" if rng.random() < 0.95 else "",
                    data=(DataCategory.PII, DataCategory.CONTACT, DataCategory.BEHAVIORAL),
                    system_of_record=(DataCategory.CONTACT,) if t == 0 else ()))
        for e, ext in enumerate(externals):
            host = f"svc{e}.unit{unit}.example"
            records.append(System(id=ext, name=host, system_kind=SystemKind.EXTERNAL, domain=host,
                                  evidence=(Evidence(conn[e % TENANTS_PER_UNIT], "endpoint", host),)))
            if e % 2 == 0:
                registry.append(SanctionedSystem(f"svc{e}.unit{unit}", host, f"svc-{unit}-{e}",
                                                 owner=f"owner{unit}.x@{DOMAIN}", domains=(host,),
                                                 data=(DataCategory.BEHAVIORAL, DataCategory.MARKETING)))
        # flows: spokes in two-way native sync with the unit's CRM, a few cross links and loops
        unit_flows = _Flows(records, unit)
        flow = unit_flows.add

        crm = tenants[0]
        for t in range(1, TENANTS_PER_UNIT):
            flow(tenants[t], crm, "native_sync", CATEGORY_SETS[0], conn[t])
            flow(crm, tenants[t], "native_sync", CATEGORY_SETS[0], conn[t])
        flow(tenants[1], tenants[2], "webhook", CATEGORY_SETS[1], conn[1])
        flow(tenants[2], tenants[3], "destination", CATEGORY_SETS[1], conn[2])
        flow(tenants[3], tenants[1], "api", CATEGORY_SETS[1], conn[3])  # a loop
        while unit_flows.count < FLOWS_PER_UNIT - 20:
            t = rng.randrange(TENANTS_PER_UNIT)
            roll = rng.random()
            data = CATEGORY_SETS[rng.randrange(len(CATEGORY_SETS))]
            if roll < 0.003:
                flow(hubs[rng.randrange(len(hubs))], tenants[t], "api", data, conn[t])
            elif roll < 0.06:
                flow(tenants[t], hubs[rng.randrange(len(hubs))], "webhook", data, conn[t])
            elif roll < 0.12:
                flow(externals[rng.randrange(EXTERNALS_PER_UNIT)], tenants[t], "api", data, conn[t])
            else:
                kind = ("webhook", "outbound_endpoint", "destination", "oauth_grant", "plugin")[rng.randrange(5)]
                flow(tenants[t], externals[rng.randrange(EXTERNALS_PER_UNIT)], kind, data, conn[t],
                     scheme="http" if rng.random() < 0.01 else "https")
        while unit_flows.count < FLOWS_PER_UNIT:
            t = rng.randrange(TENANTS_PER_UNIT)
            flow(tenants[t], apps[rng.randrange(APPS_PER_UNIT)], "oauth_grant", CATEGORY_SETS[0], conn[t])
        # accounts: people in the directory, their tenant accounts, a few admins, service users
        for n in range(ACCOUNTS_PER_UNIT):
            t = n % TENANTS_PER_UNIT
            person = f"p{unit}.{n // 8}@{DOMAIN}"
            if n % 8 == 0:
                people += 1
                records.append(Account(id=record_id("idp", "user", person), system=idp, email=person, name=person,
                                       active=rng.random() > 0.05, mfa=TriState.YES,
                                       last_login_at=ago(rng.uniform(0, 30)),
                                       evidence=(Evidence("idp", "GET /users", person),)))
            kind = AccountKind.SERVICE if n % 50 == 0 else AccountKind.HUMAN
            records.append(Account(
                id=record_id(conn[t], "user", f"{n}"), system=tenants[t], email=person, name=person,
                account_kind=kind, active=rng.random() > 0.03, admin=n % 40 == 0,
                mfa=(TriState.YES, TriState.NO, TriState.UNKNOWN)[rng.randrange(3)],
                sso=TriState.YES if rng.random() < 0.5 else TriState.UNKNOWN,
                last_login_at=ago(rng.uniform(0, 200)), created_at=ago(rng.uniform(200, 900)),
                evidence=(Evidence(conn[t], "GET /users", str(n)),)))
        integrations = []
        for t, tenant in enumerate(tenants):
            for i in range(INTEGRATIONS_PER_TENANT):
                integration = record_id(conn[t], "app", str(i))
                integrations.append((t, integration))
                records.append(Integration(
                    id=integration, system=tenant, name=f"App {unit}-{t}-{i}", integration_kind="connected_app",
                    scopes=("api", "https://www.googleapis.com/auth/drive") if i == 0 else ("api",),
                    owners=(OwnerHint("created_by", f"p{unit}.{i * 3}@{DOMAIN}"),),
                    evidence=(Evidence(conn[t], "GET /apps", str(i)),)))
        for n in range(CREDENTIALS_PER_UNIT):
            t, integration = integrations[n % len(integrations)]
            records.append(Credential(
                id=record_id(conn[t], "token", str(n)), system=tenants[t],
                credential_kind="oauth_token" if n % 3 else "api_key", integration=integration,
                account=record_id(conn[t], "user", str((n * 7) % ACCOUNTS_PER_UNIT // TENANTS_PER_UNIT
                                                       * TENANTS_PER_UNIT + t)),
                created_at=ago(rng.uniform(10, 600)), last_used_at=ago(rng.uniform(0, 200)),
                evidence=(Evidence(conn[t], "GET /tokens", str(n)),)))
    inventory = Inventory(records=records, organization="Bigcorp", generated_at=NOW, generator="benchmark")
    config = Config(organization="Bigcorp", email_domains=(DOMAIN,), systems=tuple(registry))
    return inventory, config


def measure(scale: float) -> dict[str, Any]:
    inventory, config = generate(scale)
    counts = inventory.counts()
    checks = builtin_checks()
    wall, cpu = time.perf_counter(), time.process_time()
    graph = build_graph(inventory, config)
    built_wall, built_cpu = time.perf_counter() - wall, time.process_time() - cpu
    wall, cpu = time.perf_counter(), time.process_time()
    result = evaluate(inventory, config, checks, graph=graph)
    checked_wall, checked_cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {
        "scale": scale,
        "systems": counts.get("system", 0),
        "flows": counts.get("flow", 0),
        "accounts_and_grants": counts.get("account", 0) + counts.get("credential", 0),
        "nodes": graph.number_of_nodes(),
        "edges": graph.number_of_edges(),
        "build_s": round(built_cpu, 2),
        "checks_s": round(checked_cpu, 2),
        "total_s": round(built_cpu + checked_cpu, 2),
        "wall_s": round(built_wall + checked_wall, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "findings": len(result.findings),
        "not_fully_evaluated": {c.check_id: c.status.value for c in result.coverage if c.status.value != "evaluated"},
    }


def run_child(scale: float) -> dict[str, Any]:
    out = subprocess.run([sys.executable, __file__, "--child", str(scale)], check=True, capture_output=True,
                         text=True)
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 5,000 systems (default)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per size; the fastest counts")
    parser.add_argument("--child", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        print(json.dumps(measure(args.child)))
        return
    rows = []
    for scale in (args.scale, args.scale * 2):
        runs = [run_child(scale) for _ in range(args.repeat)]
        rows.append(min(runs, key=lambda r: r["total_s"]))
    print("CPU seconds (the machine may be shared: CPU time is steadier than wall time); best of", args.repeat)
    print(f"{'systems':>8} {'flows':>8} {'acc+grants':>10} {'nodes':>8} {'edges':>8} {'build s':>8} {'checks s':>8} "
          f"{'total s':>8} {'wall s':>8} {'peak MB':>8} {'findings':>8}")
    for r in rows:
        print(f"{r['systems']:>8} {r['flows']:>8} {r['accounts_and_grants']:>10} {r['nodes']:>8} {r['edges']:>8} "
              f"{r['build_s']:>8} {r['checks_s']:>8} {r['total_s']:>8} {r['wall_s']:>8} {r['peak_rss_mb']:>8} "
              f"{r['findings']:>8}")
    for r in rows:
        if r["not_fully_evaluated"]:
            print(f"scale {r['scale']}: not fully evaluated: {r['not_fully_evaluated']}")
    ratio = rows[1]["total_s"] / rows[0]["total_s"] if rows[0]["total_s"] else float("nan")
    print(f"time ratio at double size: {ratio:.2f}x (target: at most ~2.2x); "
          f"memory ratio: {rows[1]['peak_rss_mb'] / rows[0]['peak_rss_mb']:.2f}x")


if __name__ == "__main__":
    main()
