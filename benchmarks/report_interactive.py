"""Benchmark: how long the HTML report of a 2,000-system stack takes to become interactive in headless
Chromium, and how big it is.

    python benchmarks/report_interactive.py                  # 2,000 systems, best and median of 3 openings
    python benchmarks/report_interactive.py --systems 500    # another size
    python benchmarks/report_interactive.py --keep /tmp/big  # keep the report to look at it

The stack comes from :func:`stackaudit.testing.report_stacks.large_stack` (business units of 10 scanned tenants
and 90 outside services, plus services every unit shares), evaluated with the built-in checks. "Interactive" is
the page's own clock (``performance.now()``, from the start of navigation) at the first frame after its script
has built the graph, the scorecard and the findings list: from then on a click is answered. The wall time
around Playwright's navigation is printed too, and the time a click on a system takes to fill the details panel.
Uses Debian's chromium (``apt-get install chromium``) through Playwright, like the tests.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from stackaudit.audit import evaluate
from stackaudit.plugins import create_host
from stackaudit.reporter import Report
from stackaudit.testing.report_stacks import large_stack

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def build(systems: int, out: Path) -> tuple[Path, dict[str, float]]:
    timings: dict[str, float] = {}
    started = time.perf_counter()
    inventory, config = large_stack(systems)
    host = create_host()
    result = evaluate(inventory, config, host.checks())
    timings["evaluate_s"] = time.perf_counter() - started
    report = Report(inventory=inventory, findings=result.findings, config=config, graph=result.graph,
                    coverage=result.coverage, checks=result.checks, waivers=result.waivers)
    started = time.perf_counter()
    path = host.reporters().get("html").write(report, out)
    timings["render_s"] = time.perf_counter() - started
    timings["systems"] = sum(1 for _n, a in result.graph.nodes(data=True) if a.get("kind") == "system")
    timings["flows"] = sum(1 for *_e, a in result.graph.edges(data=True) if a.get("kind") == "flow")
    timings["findings"] = len(result.findings)
    return path, timings


def measure(path: Path, repeat: int) -> list[dict[str, float]]:
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium") or "/usr/bin/chromium"
    runs = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        for _ in range(repeat):
            page = browser.new_page(viewport={"width": 1360, "height": 900})
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))  # noqa: B023 - read right after
            started = time.perf_counter()
            page.goto(path.resolve().as_uri(), wait_until="commit")
            page.wait_for_selector("html[data-interactive='1']", timeout=300_000)
            wall = time.perf_counter() - started
            timings = page.evaluate("window.stackauditTimings")
            box = page.locator("#graph-canvas [data-node]:not(.hidden)").first.bounding_box()
            clicked = time.perf_counter()
            if box:
                page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
                page.wait_for_function("document.querySelector('#graph-canvas').dataset.selected !== ''")
            click = time.perf_counter() - clicked
            if errors:
                raise SystemExit(f"the page raised: {errors}")
            runs.append({"interactive_ms": timings["interactive"], "script_ms": timings["findings"] - timings["start"],
                         "html_parsed_ms": timings["start"], "wall_s": wall, "click_ms": click * 1000})
            page.close()
        browser.close()
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--systems", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="write the report here instead of a temporary directory")
    args = parser.parse_args()
    try:
        import playwright  # noqa: F401
    except ImportError:
        sys.exit("needs the playwright package: pip install -e '.[dev]'")
    if not (shutil.which("chromium") or Path("/usr/bin/chromium").exists()):
        sys.exit("needs Debian's chromium: apt-get install chromium")
    with tempfile.TemporaryDirectory() as tmp:
        out = args.keep or Path(tmp)
        out.mkdir(parents=True, exist_ok=True)
        path, built = build(args.systems, out)
        size = path.stat().st_size
        print(f"stack: {built['systems']:.0f} systems, {built['flows']:.0f} flows, {built['findings']:.0f} findings "
              f"(evaluated in {built['evaluate_s']:.1f}s)")
        print(f"report.html: {size / 1e6:.2f} MB, rendered in {built['render_s']:.2f}s; graph.svg: "
              f"{(out / 'graph.svg').stat().st_size / 1e3:.0f} kB")
        runs = measure(path, args.repeat)
        for key, unit in (("interactive_ms", "ms"), ("html_parsed_ms", "ms"), ("script_ms", "ms"),
                          ("click_ms", "ms"), ("wall_s", "s")):
            values = [r[key] for r in runs]
            print(f"{key:>16}: best {min(values):8.1f} {unit}, median {statistics.median(values):8.1f} {unit}")


if __name__ == "__main__":
    main()
