"""Benchmark: the demo stack scaled up, scanned against the emulator enforcing each vendor's documented limits.

Every request gets the emulator's added latency (50 ms by default) and every tenant's documented rate limit
is enforced as the vendor would (HubSpot 100 per rolling 10 s, Marketo 100 per 20 s, ...). The figure that
matters is the wall time against the lower bound those limits allow:

- a connection that needs R requests under a limit of N per T seconds cannot finish before
  (ceil(R / N) - 1) * T seconds plus one round trip; without a documented limit, one round trip;
- connections run at the same time, so the scan's bound is the largest connection's bound.

R counts the requests the scan needed (sent minus retried). The bound ignores that pages of one listing must be
fetched one after another, so it is, if anything, lower than the true optimum. Also printed: requests, retries,
and rate-limit refusals (as the scan saw them, and as the emulator counted them).

    .venv/bin/python benchmarks/scan_at_rate_limit.py                      # 20,000 SF users, 500 workflows
    .venv/bin/python benchmarks/scan_at_rate_limit.py --salesforce-users 5000 --hubspot-workflows 100
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import hubspot_scale, machine_note, row, salesforce_scale, scan, scenario

from stackaudit.emulator import Emulator
from stackaudit.plugins import create_host


def lower_bound(requests: int, limit: tuple[int, float] | None, latency: float) -> float:
    if limit is None or requests <= limit[0]:
        return latency
    per_window, window = limit
    return (math.ceil(requests / per_window) - 1) * window + latency


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--salesforce-users", type=int, default=20_000)
    parser.add_argument("--hubspot-workflows", type=int, default=500)
    parser.add_argument("--scale", type=int, default=1, help="scale of every other vendor's demo tenant")
    parser.add_argument("--latency", type=float, default=0.05, help="seconds the emulator adds to every request")
    args = parser.parse_args()

    host = create_host()
    scales = {vendor.id: args.scale for vendor in host.emulators()}
    scales.update(salesforce=salesforce_scale(args.salesforce_users), hubspot=hubspot_scale(args.hubspot_workflows))
    stack = scenario(host, scales)
    print(machine_note())
    print(f"tenants: {len(stack.tenants)}; Salesforce users ~{args.salesforce_users:,}, HubSpot workflows "
          f"~{args.hubspot_workflows:,}, other vendors at scale {args.scale}; latency {args.latency * 1000:.0f} ms")

    with Emulator(stack, host.emulators(), latency=args.latency) as emulator:
        inventory, wall = scan(emulator, host)
        refused = {name: emulator.rate_limited(name) for name in emulator.tenants}
        limits = {name: host.emulators().get(t.spec.vendor).rate_limit for name, t in emulator.tenants.items()}

    widths = (22, 8, 8, 8, 10, 9, 9, 7)
    print()
    print(row("connection", "requests", "retries", "429s", "refused", "time s", "bound s", "ratio", widths=widths))
    bounds = []
    for c in inventory.connections:
        needed = c.requests - c.retries
        limit = limits[c.name]
        bound = lower_bound(needed, limit, args.latency)
        bounds.append(bound)
        print(row(c.name, c.requests, c.retries, c.rate_limited, refused[c.name], f"{c.duration_s:.2f}",
                  f"{bound:.2f}", f"{c.duration_s / bound:.2f}" if limit and needed > limit[0] else "-",
                  widths=widths))
        if c.status.value != "complete":
            print(f"    {c.status.value}: {c.message}")
    overall = max(bounds)
    print()
    print(f"records: {len(inventory.records):,}; connections complete: "
          f"{sum(c.status.value == 'complete' for c in inventory.connections)}/{len(inventory.connections)}")
    print(f"requests: {sum(c.requests for c in inventory.connections):,}, retried: "
          f"{sum(c.retries for c in inventory.connections)}, 429s (or the vendor's equivalent) received: "
          f"{sum(c.rate_limited for c in inventory.connections)}, refused by the emulated limits: "
          f"{sum(refused.values())}")
    print(f"wall time {wall:.2f} s; lower bound the limits allow {overall:.2f} s; ratio {wall / overall:.2f} "
          "(target <= 1.3)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
