"""Validate test payloads against vendors' official API descriptions.

Reads Swagger 2.0, OpenAPI 3.x (JSON or YAML) and Google API discovery documents, and checks a payload
against a named schema or against the documented response of an operation. Needs the ``jsonschema`` and
``pyyaml`` packages (in stackaudit's ``dev`` extra).

The specs are reference data kept outside the repository; :func:`specs_dir` finds them through
``STACKAUDIT_VENDOR_SPECS`` or a ``shared/vendor-specs`` folder beside the checkout, and tests skip with a
clear reason where they are absent (:func:`require_spec`).
"""

from __future__ import annotations

import copy
import json
import os
import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

SPECS_ENV = "STACKAUDIT_VENDOR_SPECS"


def specs_dir() -> Path | None:
    """Where the official vendor specs are, or None."""
    configured = os.environ.get(SPECS_ENV)
    if configured:
        path = Path(configured)
        return path if path.is_dir() else None
    for parent in Path(__file__).resolve().parents:
        candidate = parent.parent / "shared" / "vendor-specs"
        if candidate.is_dir():
            return candidate
    return None


def require_spec(relative: str) -> VendorSpec:
    """Load a spec for a test, or skip the test saying why."""
    import pytest

    root = specs_dir()
    if root is None:
        pytest.skip(f"official vendor specs not found: set {SPECS_ENV} or put shared/vendor-specs beside the repo")
    path = root / relative
    if not path.exists():
        pytest.skip(f"vendor spec {relative} is not in {root}")
    return load_spec(path)


@cache
def load_spec(path: Path) -> VendorSpec:
    text = path.read_text(encoding="utf-8")
    if path.suffix in (".yaml", ".yml"):
        import yaml

        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C parser is ~10x faster on big specs
        document = yaml.load(text, Loader=loader)
    else:
        document = json.loads(text)
    return VendorSpec(document, name=path.name)


class SpecError(AssertionError):
    """A payload does not conform to the vendor's published description."""


class VendorSpec:
    def __init__(self, document: Mapping[str, Any], *, name: str = "") -> None:
        self.document = document
        self.name = name
        if "swagger" in document:
            self.kind = "swagger2"
            self.schemas = document.get("definitions", {})
        elif "openapi" in document:
            self.kind = "openapi3"
            self.schemas = document.get("components", {}).get("schemas", {})
        elif document.get("discoveryVersion"):
            self.kind = "discovery"
            self.schemas = document.get("schemas", {})
        else:
            raise ValueError(f"{name}: not a Swagger, OpenAPI or discovery document")
        self._converted: dict[str, Any] | None = None

    # -- lookup ------------------------------------------------------------------------------------

    def schema_names(self) -> list[str]:
        return sorted(self.schemas)

    def response_schema_ref(self, method: str, path: str, status: str = "200") -> dict[str, Any]:
        """The JSON schema of an operation's documented response (Swagger/OpenAPI)."""
        paths = self.document.get("paths", {})
        template = path if path in paths else _match_template(paths, path)
        if template is None:
            raise SpecError(f"{self.name}: no documented path matches {path}")
        operation = paths[template].get(method.lower())
        if operation is None:
            raise SpecError(f"{self.name}: {method.upper()} {template} is not documented")
        responses = operation.get("responses", {})
        response = responses.get(status) or responses.get(int(status) if status.isdigit() else status)
        if response is None:
            raise SpecError(f"{self.name}: {method.upper()} {template} documents no {status} response")
        if "$ref" in response:
            response = self._resolve(response["$ref"])
        if self.kind == "swagger2":
            schema = response.get("schema")
        else:
            content = response.get("content", {})
            media: dict[str, Any] = content.get("application/json") or next(iter(content.values()), {})
            schema = media.get("schema")
        if schema is None:
            raise SpecError(f"{self.name}: {method.upper()} {template} {status} has no response schema")
        return dict(schema)

    def _resolve(self, ref: str) -> dict[str, Any]:
        node: Any = self.document
        for part in ref.lstrip("#/").split("/"):
            node = node[part]
        return dict(node)

    # -- validation --------------------------------------------------------------------------------

    def validate(self, instance: Any, *, schema: str | None = None, method: str = "GET", path: str | None = None,
                 status: str = "200", strict: bool = False) -> None:
        """Raise :class:`SpecError` unless ``instance`` matches the named schema or the operation's response.

        :param strict: also refuse properties the schema does not document (catches invented fields).
        """
        import jsonschema

        if schema is not None:
            if schema not in self.schemas:
                raise SpecError(f"{self.name}: no schema named {schema!r}")
            target: dict[str, Any] = {"$ref": self._ref_for(schema)}
        elif path is not None:
            target = self.response_schema_ref(method, path, status)
            if self.kind == "discovery":
                raise SpecError("discovery documents: validate against a schema name")
        else:
            raise ValueError("give schema= or path=")
        root = self._root(strict)
        document = {**root, **_convert(target, self.kind, strict)}
        validator = jsonschema.Draft4Validator(document)
        errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
        if errors:
            first = errors[0]
            where = "/".join(str(p) for p in first.absolute_path) or "(root)"
            raise SpecError(f"{self.name}: payload does not match {schema or path} at {where}: {first.message}"
                            + (f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""))

    def _ref_for(self, name: str) -> str:
        return {"swagger2": "#/definitions/", "openapi3": "#/components/schemas/", "discovery": "#/schemas/"}[
            self.kind] + name

    def _root(self, strict: bool) -> dict[str, Any]:
        converted = {name: _convert(schema, self.kind, strict) for name, schema in self.schemas.items()}
        if self.kind == "swagger2":
            return {"definitions": converted}
        if self.kind == "openapi3":
            return {"components": {"schemas": converted}}
        return {"schemas": converted}


def _match_template(paths: Mapping[str, Any], path: str) -> str | None:
    for template in paths:
        regex = "^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(regex, path):
            return template
    return None


IGNORED_KEYWORDS = frozenset({"discriminator", "example", "examples", "xml", "externalDocs", "readOnly", "writeOnly",
                              "deprecated", "nullable", "annotations"})


def _convert(schema: Any, kind: str, strict: bool) -> Any:
    """OpenAPI/discovery schema dialect → JSON Schema draft 4."""
    if isinstance(schema, list):
        return [_convert(s, kind, strict) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "$ref" and isinstance(value, str) and kind == "discovery" and not value.startswith("#"):
            out[key] = f"#/schemas/{value}"
        elif key == "required" and isinstance(value, bool):
            continue  # discovery marks required on the property itself; not JSON Schema
        elif key in ("properties", "patternProperties", "definitions") and isinstance(value, dict):
            out[key] = {k: _convert(v, kind, strict) for k, v in value.items()}
        elif key in ("items", "additionalProperties", "not", "allOf", "anyOf", "oneOf"):
            out[key] = _convert(value, kind, strict)
        elif (key == "type" and value == "any") or key.startswith("x-") or key in IGNORED_KEYWORDS:
            continue
        else:
            out[key] = copy.deepcopy(value)
    if schema.get("nullable") is True:
        if "type" in out:
            out["type"] = [out["type"], "null"] if isinstance(out["type"], str) else [*out["type"], "null"]
        else:
            out = {"anyOf": [out, {"type": "null"}]}
    combined = any(k in out for k in ("allOf", "anyOf", "oneOf"))
    if strict and isinstance(out.get("properties"), dict) and "additionalProperties" not in out and not combined:
        out["additionalProperties"] = False
    return out
