"""What a reporter is: it turns a finished scan (inventory, findings, graph) into one output file."""

from __future__ import annotations

import abc
import dataclasses
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from stackaudit.model import CheckCoverage, Finding, Inventory, WaiverStatus

if TYPE_CHECKING:
    from stackaudit.check import Check
    from stackaudit.config import Config
    from stackaudit.history import ScanDiff


@dataclasses.dataclass
class Report:
    """Everything a reporter may use. Reporters never see raw API data."""

    inventory: Inventory
    findings: list[Finding] = dataclasses.field(default_factory=list)  # sorted, waivers applied
    config: Config | None = None
    graph: Any = None  # networkx.MultiDiGraph (see stackaudit.graph for its node and edge attributes)
    coverage: list[CheckCoverage] = dataclasses.field(default_factory=list)  # one per check, in check order
    checks: dict[str, Check] = dataclasses.field(default_factory=dict)  # metadata (rationale, references) by id
    waivers: list[WaiverStatus] = dataclasses.field(default_factory=list)
    diff: ScanDiff | None = None  # since the last review: this scan against the baseline scan (None: first scan)


class Reporter(abc.ABC):
    """Base class for output formats, selected with ``--format ID``."""

    id: ClassVar[str]
    description: ClassVar[str]
    filename: ClassVar[str]

    @abc.abstractmethod
    def render(self, report: Report) -> str:
        """The file's content."""

    def write(self, report: Report, out_dir: Path) -> Path:
        path = out_dir / safe_filename(self.filename)
        write_atomically(path, self.render(report))
        return path


# Path separators, characters Windows refuses in names, and control characters.
_UNSAFE_IN_NAMES = re.compile(r'[/\\<>:"|?*\x00-\x1f\x7f]+')
_RESERVED = re.compile(r"(?i)^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$")


def safe_filename(name: str, *, default: str = "unnamed", max_length: int = 120) -> str:
    """A file name made from any text (a tenant's or system's name): no path separators, no ``..``, no leading
    dot, no control characters or names Windows reserves; never empty. Use it wherever a name becomes a file."""
    cleaned = _UNSAFE_IN_NAMES.sub("_", name).strip().lstrip(".").strip()
    if _RESERVED.match(cleaned):
        cleaned = "_" + cleaned
    cleaned = cleaned[:max_length].rstrip(". ")
    return cleaned or default


def write_atomically(path: Path, text: str) -> None:
    """Write a file so that it is either absent or complete, never half-written (a crash or a full disk)."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        partial.write_text(text, encoding="utf-8")
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
