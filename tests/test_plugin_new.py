"""``stackaudit plugin new``: a generated plugin installs, is listed, runs, and passes its own tests."""

from __future__ import annotations

import importlib.metadata
import os
import re
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from click.testing import CliRunner

from stackaudit.cli import cli
from stackaudit.commands.plugin import plugin_names, render
from stackaudit.model import Account, CoverageStatus, Flow, Inventory

RUN_CLI = "from stackaudit.cli import main; main()"


def fresh_venv(path: Path) -> Path:
    """A new virtual environment that also sees this one's packages (stackaudit, pytest, pip, setuptools).

    ``--system-site-packages`` would show the base interpreter's packages, not this environment's; a ``.pth``
    line adding this environment's site directories does, and the plugin still installs into the new one.
    """
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True)
    python = path / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True).stdout.strip()
    ours = [p for p in sys.path if p.endswith("site-packages")] or [sysconfig.get_paths()["purelib"]]
    lines = "".join(f"import site; site.addsitedir({p!r})\n" for p in ours)
    (Path(purelib) / "_stackaudit_test_parent.pth").write_text(lines)
    return python


def run(*args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None,
        ok: tuple[int, ...] = (0,)) -> str:
    env = {**os.environ, "COLUMNS": "200", "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring", **(env or {})}
    result = subprocess.run([str(a) for a in args], check=False, cwd=cwd, capture_output=True, text=True,
                            timeout=300, env=env)
    assert result.returncode in ok, f"{args} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def test_generated_plugin_installs_is_listed_runs_and_passes_its_tests(tmp_path: Path) -> None:
    package = tmp_path / "stackaudit-acme-crm"
    created = CliRunner().invoke(cli, ["plugin", "new", "acme-crm", "--title", "Acme CRM", "-o", str(package)])
    assert created.exit_code == 0, created.output
    assert "connector 'acme_crm' in package stackaudit_acme_crm" in created.output

    python = fresh_venv(tmp_path / "venv")
    run(python, "-m", "pip", "install", "--quiet", "--no-index", "--no-deps", "--no-build-isolation", "-e", package)

    listing = run(python, "-c", RUN_CLI, "plugins")
    assert re.search(r"acme_crm\s*│\s*0\.1\.0\s*│\s*entry point\s*│\s*connectors: acme_crm; emulators: acme_crm",
                     listing), listing

    others = ",".join(ep.name for ep in importlib.metadata.entry_points(group="stackaudit"))
    # Exit 1 is a scan that found something at or above --fail-on: the demo tenant has a problem or two.
    run(python, "-c", RUN_CLI, "demo", "-o", tmp_path / "demo", env={"STACKAUDIT_DISABLE_PLUGINS": others}, ok=(0, 1))
    inventory = Inventory.load(tmp_path / "demo" / "inventory.json")
    (connection,) = inventory.connections
    assert (connection.name, connection.connector, connection.status) == (
        "northwind-acme-crm", "acme_crm", CoverageStatus.COMPLETE)
    assert {a.email for a in inventory.of(Account) if a.admin} == {"ana.lima@northwind.example",
                                                                   "chloe.martin@northwind.example"}
    assert [f.target for f in inventory.of(Flow)] == ["external:ops.northwind.example", "external:hooks.zapier.com"]

    tests = run(python, "-m", "pytest", "-q", "-p", "no:cacheprovider", cwd=package)
    assert re.search(r"\b9 passed\b", tests), tests
    assert "failed" not in tests and "error" not in tests


def test_generated_files_are_complete_and_lint_clean(tmp_path: Path) -> None:
    names = plugin_names("acme-crm", "Acme CRM")
    files = render(names)
    assert sorted(files) == [
        "README.md", "pyproject.toml",
        "src/stackaudit_acme_crm/__init__.py", "src/stackaudit_acme_crm/client.py",
        "src/stackaudit_acme_crm/connector.py", "src/stackaudit_acme_crm/demo.py",
        "src/stackaudit_acme_crm/emulator.py", "src/stackaudit_acme_crm/py.typed",
        "src/stackaudit_acme_crm/transform.py", "tests/test_acme_crm.py",
    ]
    assert '[project.entry-points.stackaudit]\nacme_crm = "stackaudit_acme_crm"' in files["pyproject.toml"]
    assert 'title = "Acme CRM"' in files["src/stackaudit_acme_crm/connector.py"]
    for path, text in files.items():
        assert "$" not in text, f"{path} has an unfilled placeholder"
        if path.endswith(".py"):
            compile(text, path, "exec")
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text)
    lint = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "."], check=False,
                          cwd=tmp_path, capture_output=True, text=True)
    assert lint.returncode == 0, lint.stdout


@pytest.mark.parametrize(("name", "message", "fix"), [
    ("Acme CRM", "plugin name 'Acme CRM' is not valid",
     "use lower-case letters, digits and single hyphens, starting with a letter, at most 40 characters (e.g. 'acme-crm')"),
    ("1password", "plugin name '1password' is not valid", "use lower-case letters"),
    ("acme--crm", "plugin name 'acme--crm' is not valid", "use lower-case letters, digits and single hyphens"),
    ("stackaudit-acme", "plugin name 'stackaudit-acme' repeats the 'stackaudit' prefix",
     "leave it out: 'stackaudit plugin new acme' creates the package stackaudit_<name> for you"),
    ("salesforce", "a plugin named 'salesforce' is already installed (from stackaudit)",
     "choose another NAME; plugin ids must be unique"),
])
def test_invalid_names_are_refused_naming_the_fix(tmp_path: Path, name: str, message: str, fix: str) -> None:
    result = CliRunner().invoke(cli, ["plugin", "new", name, "-o", str(tmp_path / "out")])
    assert result.exit_code == 2
    (line,) = result.output.splitlines()  # one line: what is wrong, then the fix
    assert line.startswith(f"error: {message} (fix: {fix}")
    assert not (tmp_path / "out").exists()


def test_an_existing_directory_is_never_overwritten(tmp_path: Path) -> None:
    target = tmp_path / "stackaudit-acme-crm"
    target.mkdir()
    (target / "keep.txt").write_text("mine")
    result = CliRunner().invoke(cli, ["plugin", "new", "acme-crm", "-o", str(target)])
    assert result.exit_code == 2
    assert f"error: {target} already exists" in result.output
    assert [p.name for p in target.iterdir()] == ["keep.txt"]


def test_a_title_that_would_break_the_code_is_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["plugin", "new", "acme", "--title", 'Acme "CRM"', "-o", str(tmp_path / "x")])
    assert result.exit_code == 2
    assert "error: title 'Acme \"CRM\"' is not valid" in result.output


def test_default_directory_is_named_after_the_distribution(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["plugin", "new", "widget-hub"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "stackaudit-widget-hub" / "src" / "stackaudit_widget_hub" / "connector.py").is_file()
    assert "class WidgetHubConnector(Connector):" in (
        tmp_path / "stackaudit-widget-hub" / "src" / "stackaudit_widget_hub" / "connector.py").read_text()
