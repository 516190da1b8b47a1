"""Reading vendor JSON defensively, for connectors' transforms.

A vendor's answer is attacker-controlled data as far as a transform is concerned: a field documented as an
object may be null, a list or a string. ``(raw.get("settings") or {}).get("title")`` fails on a list; these
helpers give an empty value of the right type instead, so a transform sees "nothing there" and carries on.
The same goes for URLs: :func:`split_url` never raises on one that cannot be parsed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import SplitResult, urlsplit

_EMPTY: Mapping[str, Any] = {}
_NO_URL = urlsplit("")


def as_mapping(value: Any) -> Mapping[str, Any]:
    """``value`` if it is a JSON object, else an empty one."""
    return value if isinstance(value, Mapping) else _EMPTY


def as_mappings(value: Any) -> list[Mapping[str, Any]]:
    """The JSON objects in ``value`` if it is a list (other items are left out), else an empty list."""
    if not isinstance(value, list | tuple):
        return []
    return [item for item in value if isinstance(item, Mapping)]


def as_strings(value: Any) -> list[str]:
    """The strings in ``value`` if it is a list (other items are left out), else an empty list."""
    if not isinstance(value, list | tuple):
        return []
    return [item for item in value if isinstance(item, str)]


def split_url(value: Any) -> SplitResult:
    """``urllib.parse.urlsplit`` that never raises: a URL whose host or port cannot be read (an unclosed IPv6
    bracket, a port that is not a number) comes back as an empty URL, with no host."""
    if not isinstance(value, str):
        return _NO_URL
    try:
        parts = urlsplit(value)
        _ = parts.hostname, parts.port
    except ValueError:
        return _NO_URL
    return parts
