"""What a reporter is: it turns a finished scan (inventory, findings, graph) into one output file."""

from __future__ import annotations

import abc
import dataclasses
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
        path = out_dir / self.filename
        path.write_text(self.render(report), encoding="utf-8")
        return path
