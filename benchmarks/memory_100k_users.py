"""Benchmark: peak memory of a Salesforce scan of 100,000 users against a smaller one.

The scan keeps one Account record per user (that is the inventory); everything else should be transient and
bounded by a page (2,000 users), not by the number of pages. So, for each size:

- retained: memory still held after the scan, with the inventory (the records kept);
- peak: the highest memory during the scan;
- transient = peak - retained: what reading cost beyond the records kept. This is the figure that must stay
  flat while the responses grow tenfold.

Memory is traced with tracemalloc in the scanning process only; the emulated org runs in a child process, so
its copy of the data is not counted. Also printed: the bytes of the responses read, and the process's peak RSS.

    .venv/bin/python benchmarks/memory_100k_users.py                 # 10,000 and 100,000 users
    .venv/bin/python benchmarks/memory_100k_users.py --sizes 5000 50000
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import sys
import time
import tracemalloc
from multiprocessing.connection import Connection as Pipe
from pathlib import Path
from typing import Any

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import machine_note, salesforce_scale

from stackaudit.config import Config, Connection
from stackaudit.credentials import CredentialStore, env_var_name
from stackaudit.engine import run_scan

MB = 1024 * 1024


def serve(scale: int, pipe: Pipe, stop: Any) -> None:
    """The emulated org, in its own process."""
    from stackaudit.emulator import Emulator, Scenario
    from stackaudit.plugins import create_host

    vendor = create_host().emulators().get("salesforce")
    spec = vendor.demo_tenant(scale)
    users = len(spec.data["objects"]["User"])
    with Emulator(Scenario([spec]), [vendor]) as emulator:
        pipe.send((spec.name, emulator.url(spec.name), spec.credentials, users))
        stop.wait()


def measure(users: int) -> dict[str, float]:
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    stop = context.Event()
    server = context.Process(target=serve, args=(salesforce_scale(users), child, stop), daemon=True)
    server.start()
    try:
        name, url, credentials, served_users = parent.recv()
        received = [0]
        original_send = requests.Session.send

        def counting_send(self: requests.Session, request: requests.PreparedRequest, **kwargs: Any
                          ) -> requests.Response:
            response = original_send(self, request, **kwargs)
            received[0] += len(response.content)
            return response

        requests.Session.send = counting_send  # type: ignore[method-assign]
        store = CredentialStore(environ={env_var_name(name): json.dumps(credentials)}, use_keyring=False)
        config = Config(connections=(Connection(name, "salesforce", url),))
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        started = time.perf_counter()
        inventory = run_scan(config, _connectors(), store=store)
        elapsed = time.perf_counter() - started
        retained, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        requests.Session.send = original_send  # type: ignore[method-assign]
        (result,) = inventory.connections
        assert result.status.value == "complete", result.message
        return {"users": served_users, "records": len(inventory.records), "responses_mb": received[0] / MB,
                "retained_mb": (retained - before) / MB, "peak_mb": (peak - before) / MB,
                "transient_mb": (peak - retained) / MB, "seconds": elapsed, "requests": result.requests}
    finally:
        stop.set()
        server.join(timeout=30)


def _connectors() -> Any:
    from stackaudit.plugins import create_host

    return create_host().connectors()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000], help="numbers of users")
    args = parser.parse_args()
    print(machine_note())
    print("users     records   responses MB  retained MB  peak MB  transient MB  requests  time s")
    rows = []
    for users in args.sizes:
        figures = measure(users)
        rows.append(figures)
        print(f"{figures['users']:>7,}  {figures['records']:>8,}  {figures['responses_mb']:>12.1f}  "
              f"{figures['retained_mb']:>11.1f}  {figures['peak_mb']:>7.1f}  {figures['transient_mb']:>12.1f}  "
              f"{figures['requests']:>8.0f}  {figures['seconds']:>6.1f}")
    small, large = rows[0], rows[-1]
    growth = large["responses_mb"] / small["responses_mb"]
    print(f"\nresponses grew {growth:.1f}x; records kept grew {large['records'] / small['records']:.1f}x, retained "
          f"memory {large['retained_mb'] / small['retained_mb']:.1f}x; transient memory (peak - retained) "
          f"{small['transient_mb']:.1f} MB -> {large['transient_mb']:.1f} MB "
          f"({large['transient_mb'] / small['transient_mb']:.2f}x)")
    print(f"retained per record: {large['retained_mb'] * MB / large['records']:.0f} bytes; process peak RSS "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
