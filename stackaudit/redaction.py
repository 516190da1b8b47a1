"""Keep secrets out of everything stackaudit writes: logs, exception messages, reports.

Two layers:
- known values: every credential field and every token a connector obtains is registered with a
  :class:`Redactor`, and any string that contains one gets it replaced;
- known shapes: ``Authorization`` headers, secret-looking query parameters and JSON/form fields are
  masked even when the value was never registered (a token a vendor returned in an error body, say).
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

MASK = "[REDACTED]"

# Names of headers, query parameters and body fields whose values are secrets.
SECRET_NAMES = frozenset(
    {
        "authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "api_key", "apikey",
        "api-key", "key", "access_token", "refresh_token", "id_token", "token", "client_secret", "password",
        "secret", "signature", "sig", "hapikey", "private_key", "assertion", "code", "sessionid", "sid",
    }
)

_FIELD_PATTERN = re.compile(
    r"""(?ix)
    (?P<key>["']?(?:access_token|refresh_token|id_token|client_secret|password|api_?key|private_key|
                  secret|assertion|token)["']?\s*[:=]\s*["']?)
    (?P<value>[^"'&\s,}]+)
    """
)
# An auth scheme followed by a credential. "token" is also a word ("/token returned", "the token expired"),
# so after it only something with a digit counts as a credential; a path segment is never a scheme.
_AUTH_PATTERN = re.compile(
    r"(?i)(?<![/\w.-])(bearer|basic|ssws|token(?=\s+[A-Za-z._~+/=-]*\d))\s+([A-Za-z0-9._~+/=-]{8,})"
)

# Secrets shorter than this are not redacted by value: masking "1" everywhere would ruin every report.
MIN_SECRET_LENGTH = 6


class Redactor:
    """Replaces registered secret values and secret-shaped fields in strings. Thread-safe."""

    def __init__(self) -> None:
        self._secrets: set[str] = set()
        self._lock = threading.Lock()
        self._pattern: re.Pattern[str] | None = None

    def add(self, *values: str | None) -> None:
        with self._lock:
            for value in values:
                if value and len(value) >= MIN_SECRET_LENGTH and value not in self._secrets:
                    self._secrets.add(value)
                    self._pattern = None

    def add_all(self, values: Iterable[str]) -> None:
        self.add(*values)

    def _compiled(self) -> re.Pattern[str] | None:
        with self._lock:
            if self._pattern is None and self._secrets:
                # Longest first, so a secret containing another is masked whole.
                alternatives = sorted(self._secrets, key=len, reverse=True)
                self._pattern = re.compile("|".join(re.escape(s) for s in alternatives))
            return self._pattern

    def __call__(self, text: str) -> str:
        return self.redact(text)

    def redact(self, text: str) -> str:
        pattern = self._compiled()
        if pattern is not None:
            text = pattern.sub(MASK, text)
        text = _AUTH_PATTERN.sub(lambda m: f"{m.group(1)} {MASK}", text)
        return _FIELD_PATTERN.sub(lambda m: m.group("key") + MASK, text)

    def redact_url(self, url: str) -> str:
        return self.redact(redact_url(url))

    def redact_mapping(self, data: Mapping[str, Any]) -> dict[str, Any]:
        return {
            k: (MASK if k.lower() in SECRET_NAMES else self.redact(v) if isinstance(v, str) else v)
            for k, v in data.items()
        }


def redact_url(url: str) -> str:
    """Mask user info and secret query parameters in a URL."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return MASK
    netloc = parts.netloc
    if "@" in netloc:
        netloc = MASK + "@" + netloc.rsplit("@", 1)[1]
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        query = urlencode([(k, MASK if k.lower() in SECRET_NAMES else v) for k, v in pairs], safe="[]")
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def strip_url(url: str) -> str:
    """The part of a URL safe to keep in an inventory: scheme, host, path; no credentials or query.

    A URL whose host or port cannot be read gives an empty string."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        if parts.port:
            host = f"{host}:{parts.port}"
    except ValueError:
        return ""
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


class RedactingFilter(logging.Filter):
    """A logging filter that redacts every record's message and arguments."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self.redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        record.msg = self.redactor.redact(message)
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = self.redactor.redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


#: The process-wide redactor. Credentials register their values here as they are read.
redactor = Redactor()
