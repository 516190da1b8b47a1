"""``stackaudit plugin new NAME``: start a connector plugin that works, and whose tests pass, from minute one.

The templates live beside this module (``plugin_template/``, package data) and are filled with
:class:`string.Template`: ``$name``, ``$id``, ``$package``, ``$dist``, ``$class_prefix``, ``$title`` and
``$stackaudit_version``. A directory or file called ``PACKAGE`` becomes the package name, ``ID`` the
connector id; the ``.tmpl`` suffix is dropped.
"""

from __future__ import annotations

import dataclasses
import importlib.metadata
import importlib.resources
import re
import string
from collections.abc import Iterator
from importlib.resources.abc import Traversable
from pathlib import Path

import click

from stackaudit import __version__
from stackaudit.errors import UsageError

TEMPLATE_PACKAGE = "stackaudit.commands"
TEMPLATE_DIR = "plugin_template"
_NAME = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
_TITLE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 .&+()/-]*$")
MAX_NAME = 40


@dataclasses.dataclass(frozen=True)
class PluginNames:
    """Every spelling of a plugin's name the templates need."""

    name: str  # acme-crm: what the user typed
    id: str  # acme_crm: connector, vendor and entry-point id
    package: str  # stackaudit_acme_crm
    dist: str  # stackaudit-acme-crm: the distribution, and the directory created
    class_prefix: str  # AcmeCrm
    title: str  # Acme Crm, or what --title says

    def substitutions(self) -> dict[str, str]:
        return {**dataclasses.asdict(self), "stackaudit_version": __version__}


def plugin_names(name: str, title: str = "") -> PluginNames:
    """Validate ``name`` (and ``title``) and derive the other spellings. :class:`UsageError` names the fix."""
    if name.lower().startswith("stackaudit"):
        raise UsageError(f"plugin name {name!r} repeats the 'stackaudit' prefix",
                         fix=f"leave it out: 'stackaudit plugin new {name.lower()[10:].strip('-_') or 'acme-crm'}' "
                             "creates the package stackaudit_<name> for you")
    if not _NAME.match(name) or len(name) > MAX_NAME:
        raise UsageError(f"plugin name {name!r} is not valid",
                         fix=f"use lower-case letters, digits and single hyphens, starting with a letter, at most "
                             f"{MAX_NAME} characters (e.g. 'acme-crm')")
    if title and (not _TITLE.match(title) or len(title) > 60):
        raise UsageError(f"title {title!r} is not valid",
                         fix="use letters, digits, spaces and . & + ( ) / - (at most 60 characters)")
    plugin_id = name.replace("-", "_")
    words = name.split("-")
    return PluginNames(
        name=name,
        id=plugin_id,
        package=f"stackaudit_{plugin_id}",
        dist=f"stackaudit-{name}",
        class_prefix="".join(w.capitalize() for w in words),
        title=title or " ".join(w.capitalize() for w in words),
    )


def _templates(root: Traversable, prefix: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Traversable]]:
    for entry in sorted(root.iterdir(), key=lambda e: e.name):
        if entry.name.startswith((".", "__pycache__")):
            continue
        if entry.is_dir():
            yield from _templates(entry, (*prefix, entry.name))
        elif entry.name.endswith(".tmpl"):
            yield (*prefix, entry.name.removesuffix(".tmpl")), entry


def render(names: PluginNames) -> dict[str, str]:
    """Relative path -> file content, for every template."""
    root = importlib.resources.files(TEMPLATE_PACKAGE) / TEMPLATE_DIR
    values = names.substitutions()
    spelled = {"PACKAGE": names.package, "ID": names.id}
    files: dict[str, str] = {}
    for parts, template in _templates(root):
        relative = "/".join(spelled.get(part, part.replace("ID", names.id)) for part in parts)
        files[relative] = string.Template(template.read_text(encoding="utf-8")).substitute(values)
    return files


def installed_plugin(plugin_id: str) -> str | None:
    """The distribution already providing a ``stackaudit`` entry point of that name, if any."""
    for ep in importlib.metadata.entry_points(group="stackaudit"):
        if ep.name == plugin_id:
            return ep.dist.name if ep.dist else ep.value
    return None


def create_plugin(names: PluginNames, directory: Path) -> list[Path]:
    """Write the plugin package into ``directory``, which must not exist yet. Returns the files written."""
    owner = installed_plugin(names.id)
    if owner is not None:
        raise UsageError(f"a plugin named {names.id!r} is already installed (from {owner})",
                         fix="choose another NAME; plugin ids must be unique")
    if directory.exists():
        raise UsageError(f"{directory} already exists", fix="choose another NAME, or another place with --output")
    files = render(names)
    written = []
    try:
        for relative, text in files.items():
            path = directory / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            written.append(path)
    except OSError as exc:
        raise UsageError(f"cannot write {directory}: {exc.strerror}", fix="choose a writable place with --output") \
            from None
    return written


@click.group()
def plugin() -> None:
    """Write your own plugins (see docs/writing-connectors.md and docs/writing-checks.md)."""


@plugin.command("new")
@click.argument("name")
@click.option("-o", "--output", type=click.Path(path_type=Path, file_okay=False),
              help="The directory to create [default: ./stackaudit-NAME].")
@click.option("--title", default="", help="The vendor's name as people write it [default: from NAME].")
def new(name: str, output: Path | None, title: str) -> None:
    """Create a connector plugin package NAME: connector, emulator, demo tenant and passing tests.

    The package is a complete example (an imaginary REST API: a workspace, users, webhooks) shaped the way
    stackaudit's own connectors are: client (get) -> transform (pure) -> records. Replace the example API
    with the vendor's real one, test by test.

    \b
    Example:
      stackaudit plugin new acme-crm --title "Acme CRM"
      cd stackaudit-acme-crm && pip install -e . && pytest
      stackaudit plugins
    """
    from stackaudit.cli import handle_errors, out  # the command line's error boundary and console

    @handle_errors
    def create() -> None:
        names = plugin_names(name, title)
        directory = output or Path(f"stackaudit-{names.name}")
        written = create_plugin(names, directory)
        out.print(f"created {directory}/ ({len(written)} files): connector {names.id!r} in package {names.package}")
        out.print("next:")
        out.print(f"  cd {directory}")
        out.print("  pip install -e .            # registers the entry point")
        out.print("  pytest                      # the generated tests pass as they are")
        out.print(f"  stackaudit plugins          # lists {names.id}")

    create()
