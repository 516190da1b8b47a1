"""JSON Schemas of stackaudit's machine-readable outputs, shipped with the package."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FINDINGS_SCHEMA = Path(__file__).with_name("findings.schema.json")


def load_schema(name: str = "findings") -> dict[str, Any]:
    """The schema ``<name>.schema.json`` as a dict (e.g. for ``jsonschema.validate``)."""
    schema: dict[str, Any] = json.loads(Path(__file__).with_name(f"{name}.schema.json").read_text(encoding="utf-8"))
    return schema
