"""The vendor-neutral inventory every connector emits, plus findings and coverage.

Records are frozen dataclasses holding only JSON-friendly values (str, int, float, bool, None,
datetime, enums, tuples and nested records), so an :class:`Inventory` round-trips through
``inventory.json`` losslessly and can be re-evaluated offline.

Ids are strings that are stable across scans: ``<connection>:<kind>:<vendor id>`` for things that live
in a tenant (:func:`record_id`), ``external:<host>`` for outside services seen through a URL and
``external:app:<name>`` for those seen only by name (:func:`external_id`). The graph resolves external ids
to vendors through its catalogue, so the same vendor seen from several connectors becomes one node.

Shared vocabularies (free strings, so plugins can add their own; these are the ones checks know):

- ``System.category``: crm, cms, marketing-automation, email-marketing, analytics, cdp, identity,
  productivity, automation, advertising, warehouse, other.
- ``Integration.integration_kind``: connected_app, installed_package, plugin, private_app, oauth_client,
  api_user, app_installation.
- ``Flow.flow_kind``: native_sync (a vendor's built-in sync), webhook, oauth_grant (a third party reads the
  tenant through an OAuth grant), destination (CDP routing), plugin (a site plugin sends data), tracking
  (a site or app sends events), link (analytics product links), outbound_endpoint (a configured remote
  endpoint), api (an API client pulls or pushes), sso (an identity provider signs users in to an app: identity
  claims, not a data feed; the checks do not treat it as data moving).
- ``Credential.credential_kind``: oauth_token, api_key, app_password, private_app_token, write_key,
  measurement_secret, delivery_key, api_token.
- ``System.attributes`` keys the checks read: ``public_user_list`` (bool: the tenant's list of users can be
  read without authentication, e.g. a site's public users endpoint).
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import hashlib
import json
import types
import typing
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar, TypeVar

SCHEMA_VERSION = 1

Scalar = str | int | float | bool | None


class DataCategory(enum.StrEnum):
    """What kind of data a flow carries or a system holds."""

    PII = "pii"
    CONTACT = "contact"
    BEHAVIORAL = "behavioral"
    PAYMENT = "payment"
    MARKETING = "marketing"
    CONTENT = "content"
    CREDENTIALS = "credentials"
    UNKNOWN = "unknown"


class TriState(enum.StrEnum):
    """A yes/no that a vendor may not tell us. Unknown is never reported as "off"."""

    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"

    @classmethod
    def of(cls, value: bool | None) -> TriState:
        if value is None:
            return cls.UNKNOWN
        return cls.YES if value else cls.NO


class SystemKind(enum.StrEnum):
    TENANT = "tenant"  # a tenant stackaudit scanned through a connection
    EXTERNAL = "external"  # a service a tenant talks to (seen through a URL, a destination, a grant)


class AccountKind(enum.StrEnum):
    HUMAN = "human"
    SERVICE = "service"  # integration / API-only / automated user
    GUEST = "guest"  # portal, community, external collaborator


class CoverageStatus(enum.StrEnum):
    COMPLETE = "complete"
    PARTIAL = "partial"  # some areas could not be read (permission, API disabled)
    FAILED = "failed"  # nothing usable came back
    SKIPPED = "skipped"  # not attempted (no credentials, disabled)


class Severity(enum.IntEnum):
    """Finding severity; comparable, so ``severity >= Severity.HIGH`` reads naturally."""

    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            names = ", ".join(s.name.lower() for s in cls)
            raise ValueError(f"unknown severity {text!r}; use one of {names}") from None

    def __str__(self) -> str:
        return self.name.lower()


# -- provenance -------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Evidence:
    """Where a fact came from: the connection, the API object or endpoint, and the object's id there."""

    connection: str
    source: str  # e.g. "SOQL ConnectedApplication" or "GET /crm/v3/owners"
    object_id: str = ""


@dataclasses.dataclass(frozen=True)
class OwnerHint:
    """Someone who plausibly owns a thing: they installed, created, granted or pay for it."""

    role: str  # installed_by | created_by | granted_by | cardholder | admin | contact
    email: str = ""
    name: str = ""


# -- records ----------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Record:
    """Base of every inventory record."""

    kind: ClassVar[str] = "record"

    id: str
    evidence: tuple[Evidence, ...] = ()


@dataclasses.dataclass(frozen=True)
class System(Record):
    """A tenant we scanned, or an external service one of them talks to."""

    kind: ClassVar[str] = "system"

    name: str = ""
    vendor: str = ""  # vendor id when known ("salesforce"); the graph resolves externals via its catalogue
    system_kind: SystemKind = SystemKind.TENANT
    category: str = ""  # crm | cms | marketing-automation | analytics | cdp | identity | ...
    url: str = ""
    domain: str = ""
    region: str = ""  # data hosting location when the vendor tells us
    data: tuple[DataCategory, ...] = ()  # categories of data it holds
    owners: tuple[OwnerHint, ...] = ()
    attributes: Mapping[str, Scalar] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class Integration(Record):
    """Something installed into or connected to a tenant: connected app, package, plugin, OAuth client."""

    kind: ClassVar[str] = "integration"

    system: str = ""  # id of the tenant it lives in
    name: str = ""
    integration_kind: str = ""  # connected_app | installed_package | plugin | private_app | oauth_client | api_user
    publisher: str = ""
    client_id: str = ""
    domains: tuple[str, ...] = ()
    scopes: tuple[str, ...] = ()
    enabled: bool = True
    created_at: datetime | None = None
    last_used_at: datetime | None = None
    users: int | None = None  # how many accounts use or granted it, when known
    owners: tuple[OwnerHint, ...] = ()
    attributes: Mapping[str, Scalar] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class Flow(Record):
    """Data moving from one system to another. Direction is the direction the data moves."""

    kind: ClassVar[str] = "flow"

    source: str = ""  # system id
    target: str = ""  # system id
    flow_kind: str = ""  # native_sync | webhook | oauth_grant | destination | plugin | outbound_endpoint | api
    data: tuple[DataCategory, ...] = ()
    url: str = ""  # transport URL, secrets and query strings stripped
    scheme: str = ""  # https | http | ...
    integration: str = ""  # id of the Integration that moves the data, when known
    name: str = ""
    active: bool = True
    owners: tuple[OwnerHint, ...] = ()
    attributes: Mapping[str, Scalar] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class Account(Record):
    """A user, admin or service user of a tenant."""

    kind: ClassVar[str] = "account"

    system: str = ""
    username: str = ""
    email: str = ""
    name: str = ""
    account_kind: AccountKind = AccountKind.HUMAN
    active: bool = True
    admin: bool = False
    roles: tuple[str, ...] = ()
    mfa: TriState = TriState.UNKNOWN
    sso: TriState = TriState.UNKNOWN
    last_login_at: datetime | None = None
    created_at: datetime | None = None
    attributes: Mapping[str, Scalar] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class Credential(Record):
    """A token, key or grant. Never its value: at most a fingerprint the vendor already shows."""

    kind: ClassVar[str] = "credential"

    system: str = ""
    credential_kind: str = ""  # oauth_token | api_key | app_password | private_app_token | ...
    name: str = ""
    integration: str = ""  # Integration id it belongs to
    account: str = ""  # Account id it acts as or was granted by
    scopes: tuple[str, ...] = ()
    created_at: datetime | None = None
    last_used_at: datetime | None = None
    expires_at: datetime | None = None
    use_count: int | None = None
    fingerprint: str = ""
    attributes: Mapping[str, Scalar] = dataclasses.field(default_factory=dict)


RECORD_TYPES: dict[str, type[Record]] = {
    cls.kind: cls for cls in (System, Integration, Flow, Account, Credential)
}


def record_id(connection: str, kind: str, native_id: str) -> str:
    """The stable id of something living in a connection's tenant: ``<connection>:<kind>:<vendor id>``."""
    return f"{connection}:{kind}:{native_id}"


def external_id(*, host: str = "", name: str = "") -> str:
    """The id of an outside service: ``external:<host>`` when seen through a URL, else ``external:app:<name>``.

    The same host or app name seen from several connectors gives the same id, so it becomes one node.
    """
    if host:
        return f"external:{host.lower().rstrip('.')}"
    slug = "-".join("".join(c if c.isalnum() else " " for c in name.lower()).split())
    return f"external:app:{slug}"


# -- coverage, connections, inventory ---------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class CoverageGap:
    """Something a connection could not read, and why. Reports list these; nothing passes silently."""

    connection: str
    area: str  # e.g. "TwoFactorMethodsInfo" or "connection"
    reason: str
    error: str = ""  # error class name, for machines


@dataclasses.dataclass(frozen=True)
class ConnectionResult:
    """How one configured connection went."""

    name: str
    connector: str
    status: CoverageStatus
    base_url: str = ""
    started_at: datetime | None = None
    duration_s: float = 0.0
    requests: int = 0
    retries: int = 0
    records: Mapping[str, int] = dataclasses.field(default_factory=dict)
    message: str = ""
    rate_limited: int = 0  # answers that said "slow down" (429 or the vendor's equivalent), retried or not


R = TypeVar("R", bound=Record)


@dataclasses.dataclass
class Inventory:
    """Everything a scan collected: records, per-connection results and coverage gaps."""

    records: list[Record] = dataclasses.field(default_factory=list)
    connections: list[ConnectionResult] = dataclasses.field(default_factory=list)
    gaps: list[CoverageGap] = dataclasses.field(default_factory=list)
    organization: str = ""
    generated_at: datetime = dataclasses.field(default_factory=lambda: datetime.now(UTC))
    generator: str = ""

    def of(self, record_type: type[R]) -> list[R]:
        return [r for r in self.records if isinstance(r, record_type)]

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for r in self.records:
            out[r.kind] = out.get(r.kind, 0) + 1
        return out

    @property
    def complete(self) -> bool:
        return all(c.status is CoverageStatus.COMPLETE for c in self.connections)

    # -- JSON ------------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "generator": self.generator,
            "generated_at": self.generated_at.isoformat(),
            "organization": self.organization,
            "connections": [to_jsonable(c) for c in self.connections],
            "coverage_gaps": [to_jsonable(g) for g in self.gaps],
            "records": [{"kind": r.kind, **to_jsonable(r)} for r in self.records],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Inventory:
        version = data.get("schema_version")
        if version != SCHEMA_VERSION:
            raise ValueError(f"inventory schema version {version!r} is not {SCHEMA_VERSION}")
        records: list[Record] = []
        for raw in data.get("records", []):
            fields = dict(raw)
            record_type = RECORD_TYPES.get(fields.pop("kind", ""))
            if record_type is None:
                raise ValueError(f"unknown record kind {raw.get('kind')!r}")
            records.append(from_jsonable(record_type, fields))
        return cls(
            records=records,
            connections=[from_jsonable(ConnectionResult, c) for c in data.get("connections", [])],
            gaps=[from_jsonable(CoverageGap, g) for g in data.get("coverage_gaps", [])],
            organization=data.get("organization", ""),
            generated_at=datetime.fromisoformat(data["generated_at"]),
            generator=data.get("generator", ""),
        )

    def dumps(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=False) + "\n"

    def save(self, path: Path) -> None:
        """Write inventory.json complete or not at all (a partial file next to it is replaced in one step)."""
        partial = path.with_name(f".{path.name}.partial")
        try:
            partial.write_text(self.dumps(), encoding="utf-8")
            partial.replace(path)
        finally:
            partial.unlink(missing_ok=True)

    @classmethod
    def load(cls, path: Path) -> Inventory:
        return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))


# -- findings --------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class DataPath:
    """A route data takes through the graph: the systems in order and the flow (edge key) of each hop."""

    nodes: tuple[str, ...]
    flows: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class Finding:
    """One problem a check found.

    ``id`` (the fingerprint) is stable across scans for the same problem: it hashes the check id and
    ``key``, which defaults to the subjects. A check whose subjects may change while the problem stays
    the same (a path check listing the routes it saw) sets ``key`` to what identifies the problem.
    """

    check_id: str
    category: str  # shadow-it | duplicate-data-path | dirty-data-path | unowned | security
    severity: Severity
    title: str
    message: str
    subjects: tuple[str, ...]  # graph node ids and flow ids (edge keys) the finding is about
    remediation: str = ""
    evidence: tuple[Evidence, ...] = ()  # the API objects the facts come from
    paths: tuple[DataPath, ...] = ()  # for path checks: the routes that show the problem
    details: Mapping[str, Scalar] = dataclasses.field(default_factory=dict)  # key facts, for people and machines
    key: tuple[str, ...] = ()
    owner: str = ""  # who should act, when known (an email)
    waived: bool = False
    waiver: str = ""  # why it is waived, or that the waiver that matched it has expired

    @functools.cached_property
    def id(self) -> str:
        parts = sorted(self.key or self.subjects)
        digest = hashlib.sha256("\x1f".join((self.check_id, *parts)).encode()).hexdigest()
        return f"{self.check_id}:{digest[:12]}"

    @property
    def fingerprint(self) -> str:
        return self.id


class CheckStatus(enum.StrEnum):
    """How far a check got. Anything but EVALUATED is said in the output, never passed silently."""

    EVALUATED = "evaluated"
    PARTIAL = "partial"  # ran, but could not decide some subjects (listed in ``unknown``) or stopped at a bound
    NOT_EVALUATED = "not_evaluated"  # a prerequisite is missing (no identity provider, no registry, ...)
    FAILED = "failed"  # the check raised: a bug, reported with the error
    SKIPPED = "skipped"  # not selected (--check / --skip-check)


@dataclasses.dataclass(frozen=True)
class CheckCoverage:
    """What one check could evaluate. ``unknown`` lists subjects it could not decide (at most a sample)."""

    check_id: str
    status: CheckStatus
    reason: str = ""
    findings: int = 0
    unknown: tuple[str, ...] = ()
    unknown_count: int = 0


class WaiverState(enum.StrEnum):
    ACTIVE = "active"  # applied to the findings it matched
    EXPIRED = "expired"  # past its expiry date: no longer applied, and the findings say so
    UNUSED = "unused"  # valid, but matched no finding (the problem is gone, or the pattern is wrong)


@dataclasses.dataclass(frozen=True)
class WaiverStatus:
    """One ``[[waiver]]`` entry after evaluation: its state and the fingerprints it matched."""

    index: int  # position among the config's [[waiver]] entries
    check: str
    subject: str
    finding: str
    reason: str
    approved_by: str
    expires: str
    state: WaiverState
    matched: tuple[str, ...] = ()


# -- generic dataclass <-> JSON ---------------------------------------------------------------------


def to_jsonable(value: Any) -> Any:
    """Turn records and their fields into JSON values (datetimes as ISO 8601, enums by value)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Severity):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [to_jsonable(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    return value


T = TypeVar("T")


def from_jsonable(cls: type[T], data: Mapping[str, Any]) -> T:
    """Rebuild a dataclass from :func:`to_jsonable` output, guided by its type hints."""
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    unknown = set(data) - names
    if unknown:
        raise ValueError(f"{cls.__name__} has no field(s) {', '.join(sorted(unknown))}")
    kwargs = {name: _convert(hints[name], value) for name, value in data.items()}
    return cls(**kwargs)


def _convert(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(options) == 1:
            return _convert(options[0], value)
        return value  # Scalar unions are already JSON values
    if origin is tuple:
        (item_hint, *_rest) = typing.get_args(hint)
        return tuple(_convert(item_hint, v) for v in value)
    if origin is dict or origin is Mapping or hint is Mapping:
        return dict(value)
    if isinstance(hint, type):
        if dataclasses.is_dataclass(hint):
            return from_jsonable(hint, value)
        if issubclass(hint, Severity):
            return Severity.parse(value)
        if issubclass(hint, enum.Enum):
            return hint(value)
        if issubclass(hint, datetime):
            return datetime.fromisoformat(value)
        if hint is float:
            return float(value)
    return value

