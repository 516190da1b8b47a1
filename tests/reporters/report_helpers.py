"""Helpers for the reporters' tests: evaluate a stack into a Report, write formats, open a page in Chromium."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from stackaudit.audit import evaluate
from stackaudit.config import Config
from stackaudit.model import Inventory
from stackaudit.plugins import create_host
from stackaudit.reporter import Report

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
ALL_FORMATS = "html,json,sarif,csv,md,graphml,gexf"


def make_report(inventory: Inventory, config: Config, **extra: Any) -> Report:
    """Evaluate with the built-in checks, as a scan would, and wrap the result for the reporters."""
    result = evaluate(inventory, config, create_host().checks())
    return Report(inventory=inventory, findings=result.findings, config=config, graph=result.graph,
                  coverage=result.coverage, checks=result.checks, waivers=result.waivers, **extra)


def write_all(report: Report, out: Path, formats: str = ALL_FORMATS) -> Path:
    reporters = create_host().reporters()
    for name in formats.split(","):
        reporters.get(name).write(report, out)
    return out


@dataclasses.dataclass
class OpenedPage:
    """A report opened from file://, with everything the page did recorded."""

    page: Any
    console: list[tuple[str, str]]
    errors: list[str]
    requests: list[str]
    dialogs: list[str]

    def console_errors(self) -> list[tuple[str, str]]:
        return [(kind, text) for kind, text in self.console if kind in ("error", "warning")]


def open_report(browser: Any, path: Path, *, width: int = 1360, height: int = 900) -> OpenedPage:
    page = browser.new_page(viewport={"width": width, "height": height})
    opened = OpenedPage(page, [], [], [], [])
    page.on("console", lambda message: opened.console.append((message.type, message.text)))
    page.on("pageerror", lambda error: opened.errors.append(str(error)))
    page.on("request", lambda request: opened.requests.append(request.url))

    def dialog(d: Any) -> None:
        opened.dialogs.append(d.message)
        d.dismiss()

    page.on("dialog", dialog)
    page.goto(path.resolve().as_uri())
    page.wait_for_selector("html[data-interactive='1']", timeout=60_000)
    return opened
