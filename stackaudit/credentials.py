"""Credentials: declared per connector, looked up in the OS keyring, then the environment.

Secrets never live in ``stackaudit.toml``. For a connection named ``salesforce-prod``:

1. the OS keyring, service ``stackaudit``, user ``salesforce-prod`` (``stackaudit auth set salesforce-prod``);
2. the environment variable ``STACKAUDIT_CREDENTIAL_SALESFORCE_PROD``.

Either holds a JSON object of fields (``{"client_id": "…", "client_secret": "…"}``) or a bare secret, which
stands for the connector's ``plain`` field. Every value read is registered with the redactor.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from collections.abc import Mapping
from typing import Any

from stackaudit.errors import CredentialError
from stackaudit.redaction import Redactor
from stackaudit.redaction import redactor as default_redactor

KEYRING_SERVICE = "stackaudit"
ENV_PREFIX = "STACKAUDIT_CREDENTIAL_"


@dataclasses.dataclass(frozen=True)
class CredentialField:
    """One piece of a connection's credentials."""

    name: str
    help: str
    secret: bool = True


@dataclasses.dataclass(frozen=True)
class CredentialSpec:
    """The credential fields a connector accepts, and which combinations of them are enough.

    ``plain`` names the field a bare secret string stands for (``STACKAUDIT_CREDENTIAL_X=tok123``).
    A spec without combinations (``CredentialSpec(fields=(), combinations=())``) belongs to a connector that
    needs no credentials, such as one reading a local export file.
    """

    fields: tuple[CredentialField, ...]
    combinations: tuple[tuple[str, ...], ...]
    plain: str = ""

    @property
    def required(self) -> bool:
        return bool(self.combinations)

    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    def describe(self) -> str:
        if not self.required:
            return "none"
        return " or ".join("+".join(c) for c in self.combinations)

    def satisfied_by(self, values: Mapping[str, str]) -> tuple[str, ...] | None:
        if not self.required:
            return ()
        for combination in self.combinations:
            if all(values.get(name) for name in combination):
                return combination
        return None


@dataclasses.dataclass(frozen=True)
class FoundCredentials:
    values: Mapping[str, str]
    source: str  # "keyring" | "environment"
    location: str  # where exactly, e.g. the variable name


def env_var_name(connection: str) -> str:
    """``salesforce-prod`` → ``STACKAUDIT_CREDENTIAL_SALESFORCE_PROD``."""
    return ENV_PREFIX + re.sub(r"[^A-Z0-9]", "_", connection.upper())


def parse_secret(text: str, *, plain_field: str, origin: str) -> dict[str, str]:
    """A stored secret as fields: a JSON object, or a bare string for ``plain_field``."""
    stripped = text.strip()
    if stripped.startswith("{"):
        try:
            data: Any = json.loads(stripped)
        except json.JSONDecodeError:
            raise CredentialError(f"{origin} holds text that starts like JSON but is not valid JSON",
                                  fix='store a JSON object such as {"client_id": "…", "client_secret": "…"}') from None
        if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
            raise CredentialError(f"{origin} must be a JSON object of string fields",
                                  fix='store a JSON object such as {"client_id": "…", "client_secret": "…"}')
        return {str(k): v for k, v in data.items()}
    if not plain_field:
        raise CredentialError(f"{origin} holds a bare string but this connector needs named fields",
                              fix="store a JSON object of the fields 'stackaudit connectors' lists")
    return {plain_field: stripped}


class CredentialStore:
    """Keyring-then-environment lookup, and keyring writes for ``stackaudit auth``."""

    def __init__(self, *, environ: Mapping[str, str] | None = None, redactor: Redactor = default_redactor,
                 use_keyring: bool = True) -> None:
        self.environ = os.environ if environ is None else environ
        self.redactor = redactor
        self.use_keyring = use_keyring
        self.keyring_problem = ""  # why the keyring could not be read, if it could not

    def _keyring_get(self, connection: str) -> str | None:
        if not self.use_keyring:
            return None
        try:
            import keyring
            import keyring.errors

            value: str | None = keyring.get_password(KEYRING_SERVICE, connection)
            return value
        except Exception as exc:  # any backend failure means "not available", never a crash
            self.keyring_problem = _keyring_explanation(exc)
            return None

    def find(self, connection: str, spec: CredentialSpec) -> FoundCredentials | None:
        stored = self._keyring_get(connection)
        if stored:
            values = parse_secret(stored, plain_field=spec.plain, origin=f"the keyring entry for {connection!r}")
            self.redactor.add_all(values.values())
            return FoundCredentials(values, "keyring", f"{KEYRING_SERVICE}/{connection}")
        name = env_var_name(connection)
        text = self.environ.get(name)
        if text:
            values = parse_secret(text, plain_field=spec.plain, origin=f"environment variable {name}")
            self.redactor.add_all(values.values())
            return FoundCredentials(values, "environment", name)
        return None

    def resolve(self, connection: str, spec: CredentialSpec) -> FoundCredentials:
        """The credentials for a connection, or a :class:`CredentialError` that says how to add them."""
        if not spec.required:
            return FoundCredentials({}, "not needed", "")
        found = self.find(connection, spec)
        if found is None:
            hint = f" ({self.keyring_problem})" if self.keyring_problem else ""
            raise CredentialError(
                f"no credentials for connection {connection!r}{hint}",
                fix=f"run 'stackaudit auth set {connection}' or set {env_var_name(connection)}",
            )
        if spec.satisfied_by(found.values) is None:
            present = ", ".join(sorted(k for k, v in found.values.items() if v)) or "nothing"
            raise CredentialError(
                f"credentials for {connection!r} from the {found.source} have {present}; "
                f"the connector needs {spec.describe()}",
                fix=f"run 'stackaudit auth set {connection}' and give {spec.describe()}",
            )
        unknown = sorted(set(found.values) - set(spec.field_names()))
        if unknown:
            raise CredentialError(
                f"credentials for {connection!r} have unknown field {unknown[0]!r}",
                fix="use only the fields " + ", ".join(spec.field_names()),
            )
        return found

    def store(self, connection: str, values: Mapping[str, str]) -> None:
        try:
            import keyring

            keyring.set_password(KEYRING_SERVICE, connection, json.dumps(dict(values)))
        except Exception as exc:
            raise CredentialError(
                f"cannot store credentials in the OS keyring: {_keyring_explanation(exc)}",
                fix=f"set the environment variable {env_var_name(connection)} instead",
            ) from None

    def delete(self, connection: str) -> bool:
        try:
            import keyring
            import keyring.errors

            try:
                keyring.delete_password(KEYRING_SERVICE, connection)
            except keyring.errors.PasswordDeleteError:
                return False
            return True
        except Exception as exc:
            raise CredentialError(
                f"cannot reach the OS keyring: {_keyring_explanation(exc)}",
                fix=f"unset the environment variable {env_var_name(connection)} instead",
            ) from None


def _keyring_explanation(exc: Exception) -> str:
    name = type(exc).__name__
    if name == "NoKeyringError":
        return "no OS keyring backend is available on this machine"
    return f"the OS keyring failed: {name}"
