"""Helpers for testing stackaudit plugins, ours and third parties' alike.

Installed with stackaudit, this package is also a pytest plugin (entry point ``pytest11``): the fixtures
``plugin_host``, ``emulator`` and ``fake_tenant`` (:mod:`stackaudit.testing.pytest_plugin`) are available in
every test without an import.

- :func:`make_context` / :func:`run_connector`: run a connector against a fake tenant (:class:`FakeTenant`,
  ``responses``) or any base URL, and look at the records and coverage gaps it produced;
- :func:`scan_emulated`: run the real scan of one emulated tenant through the real HTTP layer;
  :func:`routes_vendor`: an emulation made of nothing but a :class:`~stackaudit.emulator.Router`;
- :func:`records`, :func:`one`, :func:`gaps`, :func:`assert_complete`, :func:`assert_no_secrets`: assertions
  on what a connector produced;
- :func:`build_graph` / :func:`run_check`: a check run on the graph of a small inventory (or a graph built
  by hand);
- :mod:`stackaudit.testing.vendor_specs`: validate payloads against the vendors' official API descriptions.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

import networkx as nx

from stackaudit.check import Check
from stackaudit.config import Config, Connection
from stackaudit.connector import Connector, ScanContext
from stackaudit.credentials import CredentialStore, env_var_name
from stackaudit.emulator import EmulatedVendor, Emulator, Request, Response, Router, Tenant, TenantSpec, json_response
from stackaudit.engine import run_scan
from stackaudit.http import DEFAULT_TIMEOUT, RetryPolicy
from stackaudit.model import CoverageGap, CoverageStatus, Finding, Inventory, Record, to_jsonable
from stackaudit.registry import ConnectorRegistry

if TYPE_CHECKING:
    import requests
    import responses

__all__ = [
    "DEFAULT_BASE_URL",
    "FakeTenant",
    "assert_complete",
    "assert_no_secrets",
    "build_graph",
    "gaps",
    "make_context",
    "one",
    "records",
    "routes_vendor",
    "run_check",
    "run_connector",
    "scan_emulated",
]

DEFAULT_BASE_URL = "https://tenant.example.test"

R = TypeVar("R", bound=Record)
Source = ScanContext | Inventory | Iterable[Record]


# -- running connectors ------------------------------------------------------------------------------


def make_context(connector: type[Connector], *, credentials: Mapping[str, str] | None = None, base_url: str = "",
                 options: Mapping[str, Any] | None = None, connection: str = "test",
                 organization_domains: tuple[str, ...] = ()) -> ScanContext:
    """A :class:`ScanContext` as the scan would build it, with the connector's declared option defaults.

    The base URL is ``base_url``, else the connector's default, else :data:`DEFAULT_BASE_URL` (where
    :class:`FakeTenant` answers).
    """
    url = base_url or connector.default_base_url or DEFAULT_BASE_URL
    return ScanContext(
        connection=connection,
        connector=connector,
        base_url=url,
        credentials=credentials or {},
        options=connector.resolve_options(options or {}, connection=connection),
        organization_domains=organization_domains,
    )


def run_connector(connector: type[Connector], **kwargs: Any) -> ScanContext:
    """Run ``connector().collect`` and return the context holding its records and gaps.

    Takes :func:`make_context`'s keyword arguments. Errors propagate, so a test can assert the typed error a
    failing tenant gives.
    """
    ctx = make_context(connector, **kwargs)
    connector().collect(ctx)
    return ctx


def scan_emulated(emulator: Emulator, tenant: str | None, connectors: ConnectorRegistry, *,
                  options: Mapping[str, Any] | None = None, timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
                  retry: RetryPolicy | None = None,
                  organization_domains: tuple[str, ...] = ("northwind.example",)) -> Inventory:
    """Scan one running emulated tenant (or, with ``tenant=None``, all of them at once) through the engine,
    as ``stackaudit scan`` would. ``timeout`` and ``retry`` let a test keep every request short."""
    names = [tenant] if tenant is not None else list(emulator.tenants)
    connections = []
    environ = {}
    for name in names:
        spec = emulator.tenants[name].spec
        given = (options or spec.options) if tenant is not None else spec.options
        connections.append(Connection(name, spec.vendor, emulator.url(name), dict(given)))
        environ[env_var_name(name)] = json.dumps(spec.credentials)
    store = CredentialStore(environ=environ, use_keyring=False)
    config = Config(connections=tuple(connections), email_domains=organization_domains)
    return run_scan(config, connectors, store=store, timeout=timeout, retry=retry)


# -- a fake tenant (responses) -------------------------------------------------------------------------


class FakeTenant:
    """A tenant faked with ``responses``: register the vendor's answers, run the connector, look at the calls.

    The ``fake_tenant`` fixture gives one that is active for the test. Paths are joined to ``base_url``
    (:data:`DEFAULT_BASE_URL`, where :func:`make_context` points a connector without a default base URL).
    Register several answers for the same request and they are given in order, the last one repeating:
    a 429 then a 200 tests a retry.
    """

    def __init__(self, mock: responses.RequestsMock, base_url: str = DEFAULT_BASE_URL) -> None:
        self.mock = mock
        self.base_url = base_url.rstrip("/")

    def url(self, path: str) -> str:
        return path if path.startswith(("http://", "https://")) else f"{self.base_url}/{path.lstrip('/')}"

    def add(self, method: str, path: str, json: Any = None, *, status: int = 200,
            headers: Mapping[str, str] | None = None, params: Mapping[str, str] | None = None,
            body: str | None = None) -> None:
        """Answer ``method path`` with ``json`` (or a text ``body``).

        :param params: when given, only a request with exactly these query parameters gets this answer
            (register one answer per page to fake paging).
        """
        from responses import matchers

        kwargs: dict[str, Any] = {"status": status, "headers": dict(headers or {})}
        if body is not None:
            kwargs["body"] = body
        else:
            kwargs["json"] = json
        if params is not None:
            kwargs["match"] = [matchers.query_param_matcher(dict(params))]
        self.mock.add(method.upper(), self.url(path), **kwargs)

    def get(self, path: str, json: Any = None, **kwargs: Any) -> None:
        """Answer ``GET path``; see :meth:`add`."""
        self.add("GET", path, json, **kwargs)

    def post(self, path: str, json: Any = None, **kwargs: Any) -> None:
        """Answer ``POST path`` (a token endpoint); see :meth:`add`."""
        self.add("POST", path, json, **kwargs)

    @property
    def requests(self) -> list[requests.PreparedRequest]:
        """Every request the connector sent, in order."""
        return [call.request for call in self.mock.calls]

    @property
    def calls(self) -> list[tuple[str, str]]:
        """``(method, path?query)`` of every request sent, in order."""
        out = []
        for request in self.requests:
            url = request.url or ""
            out.append((request.method or "", url[len(self.base_url):] if url.startswith(self.base_url) else url))
        return out

    def assert_read_only(self, *allowed_posts: str) -> None:
        """Every request was a GET, or a POST to one of ``allowed_posts`` (paths)."""
        for method, path in self.calls:
            if method == "GET" or (method == "POST" and path.split("?")[0] in allowed_posts):
                continue
            raise AssertionError(f"the connector sent {method} {path}; connectors only read")


# -- emulations made of routes ---------------------------------------------------------------------------


def routes_vendor(vendor_id: str, router: Router, *, token: str = "") -> EmulatedVendor:
    """An emulation serving ``router`` for tenants of vendor ``vendor_id``, for testing a client quickly.

    With ``token``, every route registered with ``auth=True`` wants ``Authorization: Bearer <token>`` and
    answers 401 otherwise. Its demo tenant (``<vendor_id>-test``) has no data and that token as credential.
    """

    class Routes(EmulatedVendor):
        id = vendor_id

        def authenticate(self, request: Request, tenant: Tenant) -> Response | None:
            if token and request.bearer() != token:
                return json_response({"error": {"code": "unauthorized", "message": "invalid token"}}, 401)
            return None

        def demo_tenant(self, scale: int = 1, *, clean: bool = False) -> TenantSpec:
            return TenantSpec(name=f"{vendor_id}-test", vendor=vendor_id, data={},
                              credentials={"access_token": token} if token else {})

    Routes.router = router
    return Routes()


# -- assertions on what a connector produced -----------------------------------------------------------------


def _records(source: Source) -> list[Record]:
    if isinstance(source, ScanContext | Inventory):
        return list(source.records)
    return list(source)


def records(source: Source, kind: type[R] = Record, **fields: Any) -> list[R]:  # type: ignore[assignment]
    """The records of type ``kind`` whose attributes equal ``fields`` (from a context, inventory or list)."""
    return [r for r in _records(source) if isinstance(r, kind)
            and all(getattr(r, name) == value for name, value in fields.items())]


def one(source: Source, kind: type[R], **fields: Any) -> R:
    """The one record of type ``kind`` matching ``fields``; an :class:`AssertionError` listing the others if
    there is none or more than one."""
    found = records(source, kind, **fields)
    if len(found) == 1:
        return found[0]
    wanted = ", ".join(f"{k}={v!r}" for k, v in fields.items()) or "any fields"
    seen = [r.id for r in records(source, kind)]
    raise AssertionError(f"expected exactly one {kind.__name__} with {wanted}, found {len(found)}; "
                         f"{kind.__name__} records: {seen}")


def gaps(source: ScanContext | Inventory, area: str | None = None) -> list[CoverageGap]:
    """The coverage gaps recorded (in ``area`` only, when given)."""
    return [g for g in source.gaps if area is None or g.area == area]


def assert_complete(inventory: Inventory) -> None:
    """Every connection of a scan completed; otherwise an :class:`AssertionError` naming the gaps."""
    incomplete = [c for c in inventory.connections if c.status is not CoverageStatus.COMPLETE]
    if incomplete or not inventory.connections:
        details = "; ".join(f"{c.name}: {c.status.value} {c.message}".strip() for c in incomplete)
        reasons = "; ".join(f"{g.connection}/{g.area}: {g.reason}" for g in inventory.gaps)
        raise AssertionError(f"scan incomplete: {details or 'no connection scanned'}"
                             + (f" (gaps: {reasons})" if reasons else ""))


def assert_no_secrets(source: Source, *secrets: str) -> None:
    """No record holds any of ``secrets``, in any field (fingerprints must be shorter than the secret)."""
    text = json.dumps([to_jsonable(r) for r in _records(source)])
    for secret in secrets:
        if secret and secret in text:
            raise AssertionError(f"a record holds the secret {secret[:4]}…")


# -- checks ----------------------------------------------------------------------------------------------


def _inventory(source: Inventory | Iterable[Record]) -> Inventory:
    return source if isinstance(source, Inventory) else Inventory(records=list(source), generator="stackaudit.testing")


def build_graph(source: Inventory | Iterable[Record], config: Config | None = None) -> nx.MultiDiGraph:
    """The graph :mod:`stackaudit.graph` builds from an inventory (or a list of records) and a config.

    Raises :class:`RuntimeError` where this stackaudit has no graph builder.
    """
    try:
        graph_module = importlib.import_module("stackaudit.graph")
    except ImportError as exc:
        raise RuntimeError("this stackaudit has no graph builder (stackaudit.graph); "
                           "build the graph by hand or upgrade stackaudit") from exc
    graph: nx.MultiDiGraph = graph_module.build_graph(_inventory(source), config or Config())
    return graph


def run_check(check: Check, source: nx.MultiDiGraph | Inventory | Iterable[Record],
              config: Config | None = None) -> list[Finding]:
    """Run one check and return its findings.

    :param source: a graph (built by hand, or by :func:`build_graph`), or an inventory / list of records to
        build one from.
    :param config: the policy and registry the check reads (default: an empty :class:`~stackaudit.config.Config`).

    Items a check yields that are not findings (subjects it could not decide) are left out. A finding
    with another check's id is an :class:`AssertionError`.
    """
    config = config or Config()
    graph = source if isinstance(source, nx.MultiDiGraph) else build_graph(source, config)
    findings = [item for item in check.run(graph, config) if isinstance(item, Finding)]
    for finding in findings:
        if finding.check_id != check.id:
            raise AssertionError(f"check {check.id!r} yielded a finding of {finding.check_id!r}")
    return findings
