"""Fixtures for the reporters: the demo's reports (written by the real CLI), reports of the hostile and large
stacks, and a headless Chromium for the HTML report."""

from __future__ import annotations

import dataclasses
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from report_helpers import CHROMIUM_ARGS, make_report, write_all

from stackaudit.cli import cli
from stackaudit.reporter import Report
from stackaudit.testing.report_stacks import hostile_stack


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``stackaudit demo`` run once: its output directory, every format included."""
    out = tmp_path_factory.mktemp("demo-reports")
    before = set(os.environ)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("STACKAUDIT_DEMO_NOW", "2026-11-22T10:00:00+00:00")
        patch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
        result = CliRunner().invoke(cli, ["demo", "-o", str(out)], catch_exceptions=False)
    for key in set(os.environ) - before:  # the demo hands its tenants' credentials to the scan this way
        del os.environ[key]
    assert result.exit_code in (0, 1), result.output
    return out


@pytest.fixture(scope="session")
def hostile_report() -> Report:
    inventory, config = hostile_stack()
    return make_report(inventory, config)


@pytest.fixture(scope="session")
def hostile_dir(hostile_report: Report, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_all(hostile_report, tmp_path_factory.mktemp("hostile-reports"))


@pytest.fixture(scope="session")
def waived_report() -> Report:
    """The hostile stack with one check waived (until far ahead) and one waiver expired."""
    from stackaudit.config import Waiver

    inventory, config = hostile_stack()
    config = dataclasses.replace(config, waivers=(
        Waiver(reason="accepted until the CRM migration", approved_by="ciso@evil.example", expires="2999-01-01",
               check="security-admin-without-mfa"),
        Waiver(reason="old exception", approved_by="ciso@evil.example", expires="2001-01-01",
               check="security-plain-http"),
    ))
    return make_report(inventory, config)


# -- a real browser -------------------------------------------------------------------------------------


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or (
        "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Chromium (Debian's ``chromium``) driven by Playwright; skipped, saying why, where either is
    missing (``.ci/run`` installs both)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the playwright package is not installed (pip install -e '.[dev]')")
    executable = _chromium()
    if executable is None:
        pytest.skip("chromium is not installed (apt-get install chromium; .ci/run does it)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
