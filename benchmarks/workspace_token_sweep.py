"""Benchmark: the Google Workspace per-user sweep against an emulated domain that enforces the quota.

Scans an emulated domain of ``--users`` users (default 2,000) through the real connector and HTTP layer: the
user listing, then one OAuth-token call and one app-password call per user, on the connector's bounded pool.
The emulator enforces the Directory API quota (default 2,400 queries per minute, answering 403
userRateLimitExceeded beyond it), so the scan can only be as fast as the quota allows.

The theoretical minimum: the quota admits at most Q requests in any 60 seconds, so N requests cannot finish
before floor((N - 1) / Q) whole windows have passed, however fast client and server are. The script prints
the wall time, that minimum, their ratio (target: at most 1.5), and the request, retry and rate-limit counts.

    .venv/bin/python benchmarks/workspace_token_sweep.py
    .venv/bin/python benchmarks/workspace_token_sweep.py --users 500 --quota-per-minute 600   # quicker
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from stackaudit_google_workspace.demo import tenant_with_users

from stackaudit.config import Config, Connection, RateLimitOverride
from stackaudit.credentials import CredentialStore, env_var_name
from stackaudit.emulator import Emulator, Scenario
from stackaudit.engine import run_scan
from stackaudit.model import CoverageStatus
from stackaudit.plugins import create_host

WINDOW = 60.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=2000, help="users in the emulated domain [2000]")
    parser.add_argument("--quota-per-minute", type=int, default=2400,
                        help="queries per minute the emulator admits (Google's default: 2400)")
    parser.add_argument("--workers", type=int, default=8, help="the connector's sweep_workers option [8]")
    args = parser.parse_args(argv)

    host = create_host()
    vendor = host.emulators().get("google_workspace")
    vendor.rate_limit = (args.quota_per_minute, WINDOW)  # type: ignore[misc]  # this run's quota
    spec = tenant_with_users(args.users)
    options = {**spec.options, "sweep_workers": args.workers}
    with Emulator(Scenario([spec]), [vendor]) as emulator:
        connection = Connection(spec.name, "google_workspace", emulator.url(spec.name), options,
                                rate_limit=RateLimitOverride(args.quota_per_minute, WINDOW))
        store = CredentialStore(environ={env_var_name(spec.name): json.dumps(spec.credentials)}, use_keyring=False)
        started = time.perf_counter()
        inventory = run_scan(Config(connections=(connection,)), host.connectors(), store=store)
        wall = time.perf_counter() - started
        log = list(emulator.log)

    (result,) = inventory.connections
    served = len(log)
    refused = sum(1 for entry in log if entry.status == 403)
    minimum = ((served - 1) // args.quota_per_minute) * WINDOW
    per_user = sum(1 for entry in log if entry.path.endswith(("/tokens", "/asps")))
    print(f"users                      {args.users}")
    print(f"quota                      {args.quota_per_minute} queries / {WINDOW:.0f} s"
          + ("" if args.quota_per_minute == 2400 else " (scaled; Google's default is 2400)"))
    print(f"scan status                {result.status.value}; records {dict(result.records)}")
    print(f"requests served            {served} ({per_user} per-user token/app-password calls)")
    print(f"client requests / retries  {result.requests} / {result.retries}")
    print(f"rate-limit answers (403)   {refused}")
    print(f"wall time                  {wall:.1f} s")
    if minimum > 0:
        print(f"quota minimum              {minimum:.1f} s (floor(({served} - 1) / {args.quota_per_minute}) x "
              f"{WINDOW:.0f} s)")
        print(f"ratio                      {wall / minimum:.2f} (target <= 1.5)")
    else:
        print("quota minimum              0 s: every request fits in one window; the quota does not bind")
    print(f"sustained-rate time        {served / args.quota_per_minute * WINDOW:.1f} s (N / Q x {WINDOW:.0f} s, "
          "for reference)")
    ok = result.status is CoverageStatus.COMPLETE and (minimum == 0 or wall / minimum <= 1.5)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
