"""``stackaudit.toml``: the organisation, its connections, the sanctioned registry and policy.

Every validation error names the file, the line where we can find it, the key, and the fix.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from stackaudit.errors import ConfigError
from stackaudit.model import DataCategory, Severity

DEFAULT_CONFIG = "stackaudit.toml"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclasses.dataclass(frozen=True)
class RateLimitOverride:
    requests: int
    per_seconds: float


@dataclasses.dataclass(frozen=True)
class Connection:
    name: str
    connector: str
    base_url: str = ""
    options: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    rate_limit: RateLimitOverride | None = None
    enabled: bool = True


@dataclasses.dataclass(frozen=True)
class SanctionedSystem:
    id: str
    name: str
    vendor: str
    owner: str = ""
    domains: tuple[str, ...] = ()
    client_ids: tuple[str, ...] = ()
    data: tuple[DataCategory, ...] = ()
    system_of_record: tuple[DataCategory, ...] = ()


@dataclasses.dataclass(frozen=True)
class Policy:
    """The organisation's thresholds. Every check that uses one names it in its rationale."""

    stale_credential_days: int = 90  # a credential unused for longer is stale
    rotate_credential_days: int = 365  # a static secret (API key, app password) older than this is unrotated
    inactive_user_days: int = 90  # an enabled account without a login for longer is inactive
    max_admins: int = 5  # more admins than this in one system is a finding
    max_admin_share: float = 0.2  # ... and so is a larger share of admins among active accounts,
    admin_share_min_accounts: int = 20  # in systems with at least this many active accounts
    require_mfa_for_admins: bool = True
    oauth_app_many_users: int = 5  # an unsanctioned app granted by this many users is more severe
    max_path_length: int = 4  # hops the path checks follow
    path_search_budget: int = 100_000  # steps one path search (one system, one data category) may take
    allowed_regions: tuple[str, ...] = ()
    severity: Mapping[str, Severity] = dataclasses.field(default_factory=dict)  # check id -> severity override


@dataclasses.dataclass(frozen=True)
class Waiver:
    """Accepts the findings of one check (optionally only those whose subjects match a pattern) until a date.

    ``finding`` names one fingerprint instead. A waived finding stays in the output, marked as waived;
    after ``expires`` the waiver stops applying and the output says so.
    """

    reason: str
    approved_by: str = ""
    expires: str = ""  # ISO date; the waiver applies through that day
    check: str = ""  # check id
    subject: str = "*"  # glob matched against the finding's subject ids
    finding: str = ""  # one finding's fingerprint

    def expired(self, today: date) -> bool:
        return bool(self.expires) and date.fromisoformat(self.expires) < today


@dataclasses.dataclass(frozen=True)
class Config:
    path: Path | None = None
    organization: str = ""
    email_domains: tuple[str, ...] = ()
    connections: tuple[Connection, ...] = ()
    systems: tuple[SanctionedSystem, ...] = ()
    policy: Policy = dataclasses.field(default_factory=Policy)
    waivers: tuple[Waiver, ...] = ()
    plugins_dir: Path | None = None
    history_db: Path | None = None  # [history] db; None: <config dir>/.stackaudit/history.db

    def connection(self, name: str) -> Connection:
        for connection in self.connections:
            if connection.name == name:
                return connection
        raise ConfigError(f"no connection named {name!r}", path=str(self.path or ""),
                          fix=f"add a [[connection]] with name = {name!r}, or use one of: "
                          + ", ".join(c.name for c in self.connections))


# -- loading --------------------------------------------------------------------------------------


class _Locator:
    """Finds the line of a key in the TOML text, so errors can point at it (tomllib keeps no positions)."""

    _header = re.compile(r"^\s*\[(\[)?\s*([A-Za-z0-9_.\-\"' ]+?)\s*\]\]?\s*(#.*)?$")

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()

    def line(self, table: str, index: int | None = None, key: str | None = None) -> int | None:
        current: tuple[str, int] | None = None
        counts: dict[str, int] = {}
        table_line = None
        for number, raw in enumerate(self.lines, start=1):
            match = self._header.match(raw)
            if match:
                name = match.group(2).strip()
                if match.group(1):
                    counts[name] = counts.get(name, -1) + 1
                    current = (name, counts[name])
                else:
                    current = (name, 0)
                if current == (table, index or 0) or (current[0] == table and index is None):
                    table_line = number
                continue
            if current and current[0] == table and (index is None or current[1] == index) and key:
                stripped = raw.strip()
                if re.match(rf"^{re.escape(key)}\s*=", stripped) or stripped.startswith(f"{key}."):
                    return number
        return table_line


class _Reader:
    def __init__(self, path: Path, text: str) -> None:
        self.path = str(path)
        self.locate = _Locator(text)

    def fail(self, message: str, *, table: str, index: int | None = None, key: str = "", fix: str) -> ConfigError:
        line = self.locate.line(table, index, key or None)
        where = table + (f"[{index}]" if index is not None else "") + (f".{key}" if key else "")
        return ConfigError(message, path=self.path, line=line, key=where, fix=fix)

    def table(self, data: Mapping[str, Any], name: str) -> Mapping[str, Any]:
        value = data.get(name, {})
        if not isinstance(value, dict):
            raise self.fail(f"{name} must be a table", table=name, fix=f"write it as [{name}]")
        return value

    def array_of_tables(self, data: Mapping[str, Any], name: str) -> list[Mapping[str, Any]]:
        value = data.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.fail(f"{name} must be an array of tables", table=name,
                            fix=f"write each entry under its own [[{name}]] header")
        return value

    def string(self, entry: Mapping[str, Any], key: str, *, table: str, index: int | None = None,
               required: bool = False, default: str = "") -> str:
        value = entry.get(key)
        if value is None:
            if required:
                raise self.fail(f"missing required key {key!r}", table=table, index=index,
                                fix=f"add {key} = \"…\" to this [[{table}]]" if index is not None
                                else f"add {key} = \"…\" under [{table}]")
            return default
        if not isinstance(value, str):
            raise self.fail(f"{key} must be a string, not {type(value).__name__}", table=table, index=index,
                            key=key, fix=f"quote it: {key} = \"{value}\"")
        return value

    def strings(self, entry: Mapping[str, Any], key: str, *, table: str, index: int | None = None) -> tuple[str, ...]:
        value = entry.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(f"{key} must be a list of strings", table=table, index=index, key=key,
                            fix=f"write it as {key} = [\"a\", \"b\"]")
        return tuple(value)

    def categories(self, entry: Mapping[str, Any], key: str, *, table: str, index: int) -> tuple[DataCategory, ...]:
        out = []
        for value in self.strings(entry, key, table=table, index=index):
            try:
                out.append(DataCategory(value))
            except ValueError:
                known = ", ".join(c.value for c in DataCategory)
                raise self.fail(f"unknown data category {value!r}", table=table, index=index, key=key,
                                fix=f"use one of: {known}") from None
        return tuple(out)

    def unknown_keys(self, entry: Mapping[str, Any], allowed: set[str], *, table: str, index: int | None = None,
                     ) -> None:
        for key in entry:
            if key not in allowed:
                raise self.fail(f"unknown key {key!r}", table=table, index=index, key=key,
                                fix="remove it or check its spelling; allowed keys: " + ", ".join(sorted(allowed)))


def load_config(path: Path) -> Config:
    """Read and validate a config file. Raises :class:`ConfigError` with file, line, key and fix."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"config file {path} not found", path=str(path),
                          fix="run 'stackaudit init' to write a starter file, or pass -c PATH") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read config file: {exc}", path=str(path),
                          fix="check the file's permissions and that it is UTF-8 text") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        raise ConfigError(f"invalid TOML: {str(exc).split(' (at')[0]}", path=str(path),
                          line=int(match.group(1)) if match else None,
                          fix="fix the TOML syntax at that line (strings need quotes, tables need [brackets])",
                          ) from None
    return parse_config(data, path=path, text=text)


def parse_config(data: Mapping[str, Any], *, path: Path, text: str = "") -> Config:
    r = _Reader(path, text)
    r.unknown_keys(data, {"organization", "connection", "system", "policy", "waiver", "plugins", "history"}, table="")

    org = r.table(data, "organization")
    r.unknown_keys(org, {"name", "email_domains"}, table="organization")
    organization = r.string(org, "name", table="organization")
    domains = tuple(d.lower().lstrip("@") for d in r.strings(org, "email_domains", table="organization"))

    connections: list[Connection] = []
    seen: dict[str, int] = {}
    for i, entry in enumerate(r.array_of_tables(data, "connection")):
        r.unknown_keys(entry, {"name", "connector", "base_url", "options", "rate_limit", "enabled"},
                       table="connection", index=i)
        name = r.string(entry, "name", table="connection", index=i, required=True)
        if not _NAME.match(name):
            raise r.fail(f"connection name {name!r} has characters that are not allowed", table="connection",
                         index=i, key="name", fix="use letters, digits, '-', '_' and '.'; start with a letter or digit")
        if name in seen:
            raise r.fail(f"connection name {name!r} is used twice", table="connection", index=i, key="name",
                         fix="give every [[connection]] a unique name")
        seen[name] = i
        connector = r.string(entry, "connector", table="connection", index=i, required=True)
        base_url = r.string(entry, "base_url", table="connection", index=i)
        if base_url and not re.match(r"^https?://[^/\s]+", base_url):
            raise r.fail(f"base_url {base_url!r} is not an http(s) URL", table="connection", index=i,
                         key="base_url", fix="write it as https://host[/path]")
        options = entry.get("options", {})
        if not isinstance(options, dict):
            raise r.fail("options must be a table", table="connection", index=i, key="options",
                         fix="write options = { key = \"value\" } or an [connection.options] table")
        rate_limit = None
        if "rate_limit" in entry:
            raw = entry["rate_limit"]
            ok = (isinstance(raw, dict) and set(raw) == {"requests", "per_seconds"}
                  and all(isinstance(v, int | float) and v > 0 for v in raw.values()))
            if not ok:
                raise r.fail("rate_limit must have positive requests and per_seconds", table="connection",
                             index=i, key="rate_limit", fix="write rate_limit = { requests = 100, per_seconds = 10 }")
            rate_limit = RateLimitOverride(int(raw["requests"]), float(raw["per_seconds"]))
        enabled = entry.get("enabled", True)
        if not isinstance(enabled, bool):
            raise r.fail("enabled must be true or false", table="connection", index=i, key="enabled",
                         fix="write enabled = false (no quotes)")
        connections.append(Connection(name, connector, base_url, dict(options), rate_limit, enabled))

    systems: list[SanctionedSystem] = []
    ids: set[str] = set()
    for i, entry in enumerate(r.array_of_tables(data, "system")):
        r.unknown_keys(entry, {"id", "name", "vendor", "owner", "domains", "client_ids", "data", "system_of_record"},
                       table="system", index=i)
        system_id = r.string(entry, "id", table="system", index=i, required=True)
        if system_id in ids:
            raise r.fail(f"system id {system_id!r} is used twice", table="system", index=i, key="id",
                         fix="give every [[system]] a unique id")
        ids.add(system_id)
        owner = r.string(entry, "owner", table="system", index=i)
        if owner and not _EMAIL.match(owner):
            raise r.fail(f"owner {owner!r} is not an email address", table="system", index=i, key="owner",
                         fix="set owner to the accountable person's email")
        systems.append(SanctionedSystem(
            id=system_id,
            name=r.string(entry, "name", table="system", index=i, default=system_id),
            vendor=r.string(entry, "vendor", table="system", index=i, required=True),
            owner=owner,
            domains=tuple(d.lower() for d in r.strings(entry, "domains", table="system", index=i)),
            client_ids=r.strings(entry, "client_ids", table="system", index=i),
            data=r.categories(entry, "data", table="system", index=i),
            system_of_record=r.categories(entry, "system_of_record", table="system", index=i),
        ))

    pol = r.table(data, "policy")
    defaults = Policy()
    allowed = {f.name for f in dataclasses.fields(Policy)}
    r.unknown_keys(pol, allowed, table="policy")
    values: dict[str, Any] = {}
    for key, value in pol.items():
        if key == "severity":
            values[key] = _severity_overrides(r, value)
            continue
        expected = type(getattr(defaults, key))
        if expected is tuple:
            values[key] = r.strings(pol, key, table="policy")
            continue
        number = float(value) if expected is float and isinstance(value, int) and not isinstance(value, bool) else value
        if not isinstance(number, expected) or (expected is int and isinstance(number, bool)):
            example = str(getattr(defaults, key)).replace("True", "true").replace("False", "false")
            raise r.fail(f"{key} must be a {expected.__name__}", table="policy", key=key,
                         fix=f"write {key} = {example}")
        if isinstance(number, int | float) and not isinstance(number, bool) and number < 0:
            raise r.fail(f"{key} must not be negative", table="policy", key=key, fix=f"use a value >= 0 for {key}")
        values[key] = number
    if values.get("max_path_length", 1) < 1:
        raise r.fail("max_path_length must be at least 1", table="policy", key="max_path_length",
                     fix="write max_path_length = 4")
    policy = Policy(**values)

    waivers: list[Waiver] = []
    for i, entry in enumerate(r.array_of_tables(data, "waiver")):
        r.unknown_keys(entry, {"check", "subject", "finding", "reason", "expires", "approved_by"}, table="waiver",
                       index=i)
        check = r.string(entry, "check", table="waiver", index=i)
        finding = r.string(entry, "finding", table="waiver", index=i)
        if not check and not finding:
            raise r.fail("a waiver needs the check it waives", table="waiver", index=i,
                         fix='add check = "<check id>" (see \'stackaudit checks\'), or finding = "<fingerprint>"')
        if finding and ":" not in finding:  # a bare check id, as earlier configs wrote it
            check, finding = check or finding, ""
        if check and finding and not finding.startswith(check + ":"):
            raise r.fail(f"finding {finding!r} is not a finding of check {check!r}", table="waiver", index=i,
                         key="finding", fix="remove one of check and finding, or make them agree")
        expires = r.string(entry, "expires", table="waiver", index=i)
        if expires:
            try:
                date.fromisoformat(expires)
                valid = len(expires) == 10
            except ValueError:
                valid = False
            if not valid:
                raise r.fail(f"expires {expires!r} is not a date", table="waiver", index=i, key="expires",
                             fix="write it as expires = \"YYYY-MM-DD\"")
        waivers.append(Waiver(
            check=check,
            finding=finding,
            subject=r.string(entry, "subject", table="waiver", index=i, default="*") or "*",
            reason=r.string(entry, "reason", table="waiver", index=i, required=True),
            approved_by=r.string(entry, "approved_by", table="waiver", index=i),
            expires=expires,
        ))

    plugins = r.table(data, "plugins")
    r.unknown_keys(plugins, {"dir"}, table="plugins")
    plugins_dir_text = r.string(plugins, "dir", table="plugins")
    plugins_dir = (path.parent / plugins_dir_text) if plugins_dir_text else None

    history = r.table(data, "history")
    r.unknown_keys(history, {"db"}, table="history")
    history_db_text = r.string(history, "db", table="history")
    if "db" in history and not history_db_text.strip():
        raise r.fail("db must not be empty", table="history", key="db",
                     fix='write db = "path/to/history.db" (relative to this file), or remove it for the default')

    return Config(
        path=path,
        organization=organization,
        email_domains=domains,
        connections=tuple(connections),
        systems=tuple(systems),
        policy=policy,
        waivers=tuple(waivers),
        plugins_dir=plugins_dir,
        history_db=(path.parent / history_db_text).resolve() if history_db_text else None,
    )


def _severity_overrides(r: _Reader, value: Any) -> dict[str, Severity]:
    if not isinstance(value, dict):
        raise r.fail("severity must be a table of check id = severity", table="policy", key="severity",
                     fix='write [policy.severity] with lines like security-plain-http = "critical"')
    out: dict[str, Severity] = {}
    for check_id, text in value.items():
        try:
            out[check_id] = Severity.parse(text if isinstance(text, str) else "")
        except ValueError:
            raise r.fail(f"severity for {check_id!r} must be critical, high, medium, low or info, not {text!r}",
                         table="policy.severity", key=check_id, fix=f'write {check_id} = "high"') from None
    return out


STARTER_CONFIG = '''\
# stackaudit configuration. Secrets never go here: use 'stackaudit auth set NAME'
# (OS keyring) or the environment variable STACKAUDIT_CREDENTIAL_<NAME>.

[organization]
name = "{organization}"
# Email domains that belong to you; accounts and grants outside them are external.
email_domains = ["example.com"]

# One [[connection]] per live tenant. 'stackaudit connectors' lists connectors,
# their credential fields and options.
[[connection]]
name = "salesforce-prod"
connector = "salesforce"
# The org's My Domain URL. Override for sandboxes, proxies or the local emulator.
base_url = "https://example.my.salesforce.com"
# options = {{ api_version = "62.0" }}
# rate_limit = {{ requests = 25, per_seconds = 1 }}

# The sanctioned registry: what the organisation has approved. Discovered systems
# are matched against it by vendor, domain or OAuth client id.
[[system]]
id = "salesforce"
name = "Salesforce Sales Cloud"
vendor = "salesforce"
owner = "crm-owner@example.com"
data = ["pii", "contact"]           # approved data categories
system_of_record = ["contact"]      # categories it is master for

[policy]
stale_credential_days = 90
inactive_user_days = 90
# max_admins = 5
# [policy.severity]                 # per-check severity overrides ('stackaudit checks' lists the ids)
# security-plain-http = "critical"

# Every scan is recorded in a history database (for 'stackaudit diff' and --fail-on-new),
# by default .stackaudit/history.db beside this file.
# [history]
# db = "audit-history/history.db"

# A waiver accepts the findings of one check, optionally only for subjects matching a pattern,
# with a reason, who approved it and until when. Waived findings stay in the output as waived.
# [[waiver]]
# check = "security-admin-without-mfa"
# subject = "salesforce-prod:user:*"
# reason = "break-glass account kept in the safe"
# approved_by = "ciso@example.com"
# expires = "2027-01-31"
'''
