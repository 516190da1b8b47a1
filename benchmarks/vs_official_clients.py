"""Benchmark: stackaudit against a straightforward sequential script using the vendors' own Python clients.

The same data (the Salesforce queries and the HubSpot endpoints stackaudit's connectors read) is pulled from
the same emulated tenants twice: once by ``stackaudit`` (connections, endpoint families and per-item sweeps
concurrently, paced by each vendor's limit), once by a script that calls simple-salesforce and
hubspot-api-client one request after another, the way their documentation shows, retrying HTTP 429 with
urllib3's Retry as hubspot-api-client documents. The figure is stackaudit's time as a ratio of the script's.

The clients are not stackaudit dependencies; install them for the benchmark only:

    python3 -m venv /tmp/bench-venv && /tmp/bench-venv/bin/pip install -e . -r benchmarks/requirements.txt
    /tmp/bench-venv/bin/python benchmarks/vs_official_clients.py
    /tmp/bench-venv/bin/python benchmarks/vs_official_clients.py --no-rate-limits   # concurrency alone

With --no-rate-limits neither side is paced: the emulator enforces no limit and stackaudit's connections get
their rate limit lifted (a connection's ``rate_limit`` setting), which shows what concurrency alone is worth.

A client that is not installed is skipped with a message (google-api-python-client joins once the Google
Workspace connector exists). The emulator serves plain HTTP on 127.0.0.1; simple-salesforce only builds
https:// URLs, so its session gets a transport adapter that sends them to the emulator over HTTP (same
requests, same count).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import requests
import requests.adapters

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import hubspot_scale, machine_note, salesforce_scale, scan, scenario

# The queries and endpoints stackaudit's connectors read (benchmark code may look inside the plugins).
from stackaudit_hubspot import client as hubspot_paths
from stackaudit_salesforce import connector as salesforce_queries

from stackaudit.emulator import Emulator, Tenant
from stackaudit.plugins import create_host

SALESFORCE_QUERIES = [
    (salesforce_queries.SOQL_ORGANIZATION, False), (salesforce_queries.SOQL_ADMIN_ASSIGNMENTS, False),
    (salesforce_queries.SOQL_MFA, False), (salesforce_queries.SOQL_USERS, False),
    (salesforce_queries.SOQL_CONNECTED_APPS, False), (salesforce_queries.SOQL_OAUTH_TOKENS, False),
    (salesforce_queries.SOQL_PACKAGES, True), (salesforce_queries.SOQL_NAMED_CREDENTIALS, False),
    (salesforce_queries.SOQL_REMOTE_SITES, True),
]


class _HttpsToEmulator(requests.adapters.HTTPAdapter):
    """simple-salesforce builds https:// URLs; the emulator serves plain HTTP on 127.0.0.1."""

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        request.url = "http://" + (request.url or "").removeprefix("https://")
        return super().send(request, **kwargs)


def salesforce_script(tenant: Tenant) -> int:
    """simple-salesforce: a token, then every query, one after another. Returns the records read."""
    from simple_salesforce import Salesforce

    token = requests.post(f"{tenant.base_url}/services/oauth2/token", timeout=30, data={
        "grant_type": "client_credentials", "client_id": tenant.credentials["client_id"],
        "client_secret": tenant.credentials["client_secret"]}).json()
    session = requests.Session()
    session.mount("https://127.0.0.1", _HttpsToEmulator())
    sf = Salesforce(instance_url=token["instance_url"].replace("http://", "https://"), session_id=token["access_token"],
                    session=session, version="62.0")
    count = 0
    for soql, tooling in SALESFORCE_QUERIES:
        if not tooling:
            count += sum(1 for _ in sf.query_all_iter(soql))
            continue
        page = sf.toolingexecute(f"query/?q={quote(soql)}")
        while True:
            count += len(page["records"])
            if page.get("done", True):
                break
            page = sf.query_more(page["nextRecordsUrl"], identifier_is_url=True)
    return count


def hubspot_script(tenant: Tenant) -> int:
    """hubspot-api-client: the SDK's APIs where it has them, its api_request for the others; sequential."""
    from hubspot import HubSpot
    from urllib3.util.retry import Retry

    retry = Retry(total=20, backoff_factor=0.5, status_forcelist=(429, 500, 502, 503, 504))
    client = HubSpot(access_token=tenant.credentials["access_token"], retry=retry, host=tenant.base_url,
                     base_url=tenant.base_url)

    def raw(path: str, **qs: Any) -> Any:
        for _ in range(20):  # api_request has no retries of its own
            response = client.api_request({"method": "GET", "path": path, "qs": qs})
            if response.status_code != 429:
                response.raise_for_status()
                return response.json()
            time.sleep(float(response.headers.get("Retry-After", "1")))
        raise RuntimeError(f"{path}: still refused")

    def raw_pages(path: str, limit: int) -> Iterator[dict[str, Any]]:
        after = None
        while True:
            body = raw(path, limit=limit, **({"after": after} if after else {}))
            yield from body["results"]
            after = ((body.get("paging") or {}).get("next") or {}).get("after")
            if not after:
                return

    def sdk_pages(get_page: Callable[..., Any], **kwargs: Any) -> Iterator[Any]:
        after = None
        while True:
            page = get_page(limit=100, **kwargs, **({"after": after} if after else {}))
            yield from page.results
            after = page.paging.next.after if page.paging and page.paging.next else None
            if not after:
                return

    count = 1 if raw(hubspot_paths.ACCOUNT_DETAILS) else 0
    count += len(raw(hubspot_paths.PRIVATE_APP_USAGE)["results"])
    count += len(client.settings.users.roles_api.get_all().results)
    count += sum(1 for _ in sdk_pages(client.settings.users.users_api.get_page))
    for archived in (False, True):
        count += sum(1 for _ in sdk_pages(client.crm.owners.owners_api.get_page, archived=archived))
    count += sum(1 for _ in raw_pages(hubspot_paths.LOGIN_ACTIVITY, hubspot_paths.ACTIVITY_PAGE))
    count += sum(1 for _ in raw_pages(hubspot_paths.SECURITY_ACTIVITY, hubspot_paths.ACTIVITY_PAGE))
    for flow in list(raw_pages(hubspot_paths.FLOWS, hubspot_paths.FLOWS_PAGE)):
        count += len(raw(f"{hubspot_paths.FLOWS}/{flow['id']}")["actions"])
    return count


SCRIPTS: dict[str, tuple[str, Callable[[Tenant], int]]] = {
    "salesforce": ("simple_salesforce", salesforce_script),
    "hubspot": ("hubspot", hubspot_script),
}


def installed(module: str) -> bool:
    try:
        __import__(module)
    except ImportError:
        return False
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--salesforce-users", type=int, default=20_000)
    parser.add_argument("--hubspot-workflows", type=int, default=500)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--no-rate-limits", action="store_true",
                        help="pace neither side: what concurrency alone is worth")
    args = parser.parse_args()

    vendors = [v for v, (module, _) in SCRIPTS.items() if installed(module)]
    for vendor, (module, _) in SCRIPTS.items():
        if vendor not in vendors:
            print(f"skipped {vendor}: {module} is not installed (pip install -r benchmarks/requirements.txt)")
    print("skipped google workspace: no Google Workspace connector is registered yet")
    if not vendors:
        return 1
    host = create_host()
    scales = {"salesforce": salesforce_scale(args.salesforce_users), "hubspot": hubspot_scale(args.hubspot_workflows)}
    stack = scenario(host, scales, only=vendors)
    print(machine_note())
    print(f"latency {args.latency * 1000:.0f} ms, vendors' limits "
          f"{'off, and stackaudit unpaced' if args.no_rate_limits else 'enforced'}; "
          f"Salesforce users ~{args.salesforce_users:,}, HubSpot workflows ~{args.hubspot_workflows:,}")

    # Two emulators serving the same data, so neither side starts inside the other's rate-limit windows.
    def emulated() -> Emulator:
        return Emulator(stack, host.emulators(), latency=args.latency, enforce_rate_limits=not args.no_rate_limits)

    theirs: dict[str, float] = {}
    read: dict[str, int] = {}
    with emulated() as emulator:
        for name, tenant in emulator.tenants.items():
            started = time.perf_counter()
            read[name] = SCRIPTS[tenant.spec.vendor][1](tenant)
            theirs[name] = time.perf_counter() - started
        sent_by_them, refused_them = len(emulator.log), emulator.rate_limited()
    with emulated() as emulator:
        inventory, ours = scan(emulator, host, unpaced=args.no_rate_limits)
        sent_by_us, refused_us = len(emulator.log), emulator.rate_limited()

    print()
    for c in inventory.connections:
        print(f"{c.name:<22} official client, sequential: {theirs[c.name]:7.2f} s ({read[c.name]:,} items)   "
              f"stackaudit: {c.duration_s:7.2f} s ({c.status.value}, {c.requests} requests)")
    total = sum(theirs.values())
    print(f"\nofficial clients, one after another: {total:.2f} s, {sent_by_them:,} requests, "
          f"{refused_them} refused by the limits")
    print(f"stackaudit scan: {ours:.2f} s, {sent_by_us:,} requests, {refused_us} refused by the limits")
    print(f"ratio stackaudit / official clients: {ours / total:.2f} (target <= 0.2)")
    print(json.dumps({"official_s": round(total, 2), "stackaudit_s": round(ours, 2), "ratio": round(ours / total, 3)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
