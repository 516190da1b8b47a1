"""stackaudit: audit a marketing technology stack, read-only.

The public API for plugin authors is what this module exports, plus the documented public modules
:mod:`stackaudit.http`, :mod:`stackaudit.model`, :mod:`stackaudit.oauth`, :mod:`stackaudit.emulator`,
:mod:`stackaudit.redaction`, :mod:`stackaudit.registry`, :mod:`stackaudit.vendor_data` (reading vendor JSON
defensively in transforms), :mod:`stackaudit.testing`, and, for checks and reporters, :mod:`stackaudit.graph`
(the graph's node and edge attributes and read helpers).
"""

from __future__ import annotations

__version__ = "0.1.0"

from stackaudit.check import Check, NotEvaluated, Unknown
from stackaudit.connector import Connector, Option, ScanContext
from stackaudit.credentials import CredentialField, CredentialSpec
from stackaudit.errors import (
    ApiError,
    AuthenticationError,
    ConfigError,
    ConnectorError,
    CredentialError,
    NotFoundError,
    PaginationError,
    PermissionDeniedError,
    RateLimitedError,
    ReadOnlyViolation,
    ServerError,
    StackAuditError,
)
from stackaudit.hookspecs import hookimpl
from stackaudit.http import RateLimit, ReadOnlyRequest, Retry
from stackaudit.model import (
    Account,
    AccountKind,
    Credential,
    DataCategory,
    Evidence,
    Finding,
    Flow,
    Integration,
    Inventory,
    OwnerHint,
    Record,
    Severity,
    System,
    SystemKind,
    TriState,
    external_id,
    record_id,
)
from stackaudit.reporter import Report, Reporter

__all__ = [
    "Account",
    "AccountKind",
    "ApiError",
    "AuthenticationError",
    "Check",
    "ConfigError",
    "Connector",
    "ConnectorError",
    "Credential",
    "CredentialError",
    "CredentialField",
    "CredentialSpec",
    "DataCategory",
    "Evidence",
    "Finding",
    "Flow",
    "Integration",
    "Inventory",
    "NotEvaluated",
    "NotFoundError",
    "Option",
    "OwnerHint",
    "PaginationError",
    "PermissionDeniedError",
    "RateLimit",
    "RateLimitedError",
    "ReadOnlyRequest",
    "ReadOnlyViolation",
    "Record",
    "Report",
    "Reporter",
    "Retry",
    "ScanContext",
    "ServerError",
    "Severity",
    "StackAuditError",
    "System",
    "SystemKind",
    "TriState",
    "Unknown",
    "__version__",
    "external_id",
    "hookimpl",
    "record_id",
]
