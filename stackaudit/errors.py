"""Typed errors. The library raises these; only the CLI turns them into messages and exit codes.

Every error carries a ``fix``: one sentence telling the user what to do about it.
"""

from __future__ import annotations


class StackAuditError(Exception):
    """Base of every error stackaudit raises on purpose."""

    fix: str = ""

    def __init__(self, message: str, *, fix: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if fix is not None:
            self.fix = fix

    def __str__(self) -> str:
        return f"{self.message} ({self.fix})" if self.fix else self.message


class UsageError(StackAuditError):
    """The user asked for something that cannot be done as asked (nothing was scanned)."""


class ConfigError(UsageError):
    """``stackaudit.toml`` is missing, unreadable or invalid."""

    def __init__(self, message: str, *, path: str = "", line: int | None = None, key: str = "",
                 fix: str | None = None) -> None:
        where = path + (f":{line}" if line else "")
        prefix = ", ".join(p for p in (where, key) if p)
        super().__init__(f"{prefix}: {message}" if prefix else message, fix=fix)
        self.path = path
        self.line = line
        self.key = key


class PluginError(StackAuditError):
    """A plugin could not be loaded or registered something invalid."""


class DuplicateRegistrationError(PluginError):
    """Two plugins registered the same id."""

    def __init__(self, kind: str, item_id: str, first: str, second: str) -> None:
        super().__init__(
            f"{kind} id {item_id!r} is registered by both plugin {first!r} and plugin {second!r}",
            fix=f"disable one of them with --disable-plugin {second} (or rename the {kind})",
        )
        self.kind, self.item_id, self.first, self.second = kind, item_id, first, second


class CredentialError(StackAuditError):
    """Credentials for a connection are missing, malformed or cannot be stored."""


class ConnectorError(StackAuditError):
    """A connector could not complete; the scan records it as a coverage gap and carries on."""


class ApiError(ConnectorError):
    """A vendor API answered with an error. Messages never hold secrets (URLs are redacted)."""

    def __init__(self, message: str, *, status: int | None = None, url: str = "", code: str = "",
                 fix: str | None = None) -> None:
        super().__init__(message, fix=fix)
        self.status = status
        self.url = url
        self.code = code


class AuthenticationError(ApiError):
    """401, or a token request refused: the credentials are wrong or expired."""

    fix = ("check the connection's credentials with 'stackaudit auth status' "
           "and reset them with 'stackaudit auth set NAME'")


class PermissionDeniedError(ApiError):
    """403: the credentials work but lack a permission or scope."""

    fix = "grant the integration user read access to this object, or accept the coverage gap"


class NotFoundError(ApiError):
    """404: the endpoint or object does not exist on this tenant."""


class RateLimitedError(ApiError):
    """429 (or the vendor's equivalent) persisted after every retry."""

    fix = "lower the connection's rate limit in stackaudit.toml or scan outside business hours"


class ServerError(ApiError):
    """5xx persisted after every retry."""

    fix = "the vendor is having trouble; try again later"


class ReadOnlyViolation(ConnectorError):
    """A connector tried a request that could change the tenant. Always a bug in the connector."""

    fix = "this is a bug in the connector plugin: connectors may only read"


class PaginationError(ApiError):
    """A paged listing was inconsistent (repeated cursor, missing page); the result would be truncated."""


class EmulatorError(StackAuditError):
    """The local vendor emulator could not start or was given an invalid scenario."""


class HistoryError(StackAuditError):
    """The scan history database cannot be opened, read or written, or has no such scan."""
