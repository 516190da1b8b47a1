"""Property-based tests of every registered connector's transforms (``<plugin package>.transform``).

Vendors answer with whatever they like: missing fields, nulls, numbers where strings were documented, nested
objects where a scalar was, hostile text. For any JSON of the right general shape, a transform gives records
(or whatever else it returns) or raises a typed error (a ``StackAuditError``), never another exception, and
what it returns can be written to inventory.json.

The arguments are built from the functions' type hints; dictionaries use the field names the transform module
itself mentions (every string literal in its source), so the generated data reaches the code that reads them.
"""

from __future__ import annotations

import ast
import collections.abc
import dataclasses
import importlib
import inspect
import json
import types
import typing
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stackaudit import StackAuditError
from stackaudit.model import to_jsonable
from stackaudit.plugins import create_host

MAPPINGS = {dict, collections.abc.Mapping, collections.abc.MutableMapping}
SEQUENCES = {list, collections.abc.Iterable, collections.abc.Sequence, collections.abc.Collection,
             collections.abc.Iterator, set, frozenset, collections.abc.Set}
SAMPLE_TEXT = [
    "", " ", "0", "true", "null", "None", "admin", "ADMIN", "Standard", "https://hooks.zapier.com/hooks/catch/1/abc",
    "http://legacy.example.com/webhook?token=abc123def", "https://user:pass@host.example/x", "https://", "//host/p",
    "ftp://files.example.com", "not a url", "https://[::1]:8443/x", "https://xn--nxasmq6b.example/",
    "https://[::1/x", "https://host.example:port/x", "http://host.example:99999/", "https://%zz/",
    "2024-05-01T12:34:56.000+0000", "2024-05-01T12:34:56Z", "2024-05-01", "2024-13-45T99:99:99Z",
    "1700000000000", "-1", "1e400", "\x1b[31mred\x1b[0m", "../../etc/passwd", "a/b\\c", "<script>alert(1)</script>",
    "=HYPERLINK(\"http://x\")", "名前", "a@b", "@", "user@northwind.example", ".", "..",
]


def vendor_json_packages() -> set[str]:
    """Connector packages that read vendor JSON over HTTP (a connector reading a local CSV file, such as the
    expenses export, has no vendor JSON: its parsing is tested in its own test file)."""
    host = create_host()
    http_vendors = {v.id for v in host.emulators() if v.router.routes}
    return {c.__module__.split(".", 1)[0] for c in host.connectors() if c.id in http_vendors}


def transform_modules() -> list[types.ModuleType]:
    packages = sorted(vendor_json_packages())
    modules = []
    for package in packages:
        try:
            modules.append(importlib.import_module(f"{package}.transform"))
        except ModuleNotFoundError:
            continue
    return modules


def public_functions(module: types.ModuleType) -> list[Callable[..., Any]]:
    return [fn for name, fn in vars(module).items()
            if inspect.isfunction(fn) and fn.__module__ == module.__name__ and not name.startswith("_")]


def vocabulary(module: types.ModuleType) -> list[str]:
    """Every string literal in the module's source, and the parts of dotted ones (``Profile.Name``)."""
    tree = ast.parse(Path(inspect.getfile(module)).read_text(encoding="utf-8"))
    words: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and len(node.value) < 80:
            words.add(node.value)
            words.update(part for part in node.value.split(".") if part)
    return sorted(words)


def json_values(words: list[str]) -> st.SearchStrategy[Any]:
    texts = st.one_of(st.sampled_from(words), st.sampled_from(SAMPLE_TEXT), st.text(max_size=20))
    scalars = st.one_of(st.none(), st.booleans(), st.integers(-2**40, 2**40),
                        st.floats(allow_nan=False, allow_infinity=False), texts)
    return st.recursive(scalars, lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(st.sampled_from(words), children, max_size=4)), max_leaves=6)


def json_objects(words: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    return st.dictionaries(st.sampled_from(words), json_values(words), max_size=8)


def strategy_for(hint: Any, words: list[str]) -> st.SearchStrategy[Any]:
    if hint is Any or hint is object:
        return json_values(words)
    if hint is type(None):
        return st.none()
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return st.one_of(*(strategy_for(a, words) for a in args))
    if origin in MAPPINGS:
        if not args or (args[0] is str and args[1] is Any):
            return json_objects(words)
        return st.dictionaries(strategy_for(args[0], words), strategy_for(args[1], words), max_size=4)
    if origin in SEQUENCES:
        items = st.lists(strategy_for(args[0] if args else Any, words), max_size=4)
        if origin in (set, frozenset, collections.abc.Set):
            return items.map(lambda xs: set(xs) if all(isinstance(x, collections.abc.Hashable) for x in xs) else set())
        return items
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return st.lists(strategy_for(args[0], words), max_size=3).map(tuple)
        return st.tuples(*(strategy_for(a, words) for a in args))
    if hint is str:
        return st.one_of(st.sampled_from(words), st.sampled_from(SAMPLE_TEXT), st.text(max_size=30))
    if hint is datetime:
        return st.datetimes(timezones=st.just(UTC))
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        fields = typing.get_type_hints(hint)
        return st.builds(hint, **{f.name: strategy_for(fields[f.name], words)
                                  for f in dataclasses.fields(hint) if f.init})
    return st.from_type(hint)


def cases() -> list[Any]:
    found = []
    for module in transform_modules():
        for fn in public_functions(module):
            found.append(pytest.param(module, fn, id=f"{module.__name__.split('.')[0]}.{fn.__name__}"))
    return found


@pytest.mark.parametrize(("module", "fn"), cases())
def test_any_json_of_the_right_shape_gives_records_or_a_typed_error(module: types.ModuleType,
                                                                    fn: Callable[..., Any]) -> None:
    words = vocabulary(module)
    hints = typing.get_type_hints(fn)
    parameters = inspect.signature(fn).parameters
    variadic = [name for name, p in parameters.items() if p.kind is inspect.Parameter.VAR_POSITIONAL]
    arguments = {name: strategy_for(hints.get(name, Any), words) for name, p in parameters.items()
                 if p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)}
    rest = st.lists(strategy_for(hints.get(variadic[0], Any), words), max_size=4) if variadic else st.just([])

    @settings(max_examples=30, deadline=None, database=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    @given(st.fixed_dictionaries(arguments), rest)
    def run(kwargs: dict[str, Any], extra: list[Any]) -> None:
        positional = [kwargs.pop(name) for name in list(kwargs) if parameters[name].kind is
                      inspect.Parameter.POSITIONAL_OR_KEYWORD] if extra else []
        try:
            output = fn(*positional, *extra, **kwargs)
        except StackAuditError:
            return
        if isinstance(output, collections.abc.Iterator):
            output = list(output)
        json.dumps(to_jsonable(output), default=_set_as_list)

    run()


def _set_as_list(value: Any) -> Any:
    if isinstance(value, set | frozenset):
        return sorted(map(str, value))
    raise TypeError(f"{type(value).__name__} is not JSON")


def test_every_registered_connector_has_transforms_under_test() -> None:
    modules = {m.__name__.split(".")[0] for m in transform_modules()}
    assert modules == vendor_json_packages()
    assert all(public_functions(m) for m in transform_modules())


# -- the hooks that read vendor answers before any transform does -----------------------------------

HEADER_NAMES = ["Retry-After", "Content-Type", "X-RateLimit-Remaining", "X-RateLimit-Reset", "X-RateLimit-Limit",
                "RateLimit-Remaining", "RateLimit-Reset", "X-HubSpot-RateLimit-Remaining", "X-HubSpot-RateLimit-Max",
                "X-HubSpot-RateLimit-Interval-Milliseconds", "X-HubSpot-RateLimit-Daily-Remaining",
                "X-Contentful-RateLimit-Reset", "X-Contentful-RateLimit-Second-Remaining",
                "X-Contentful-RateLimit-Second-Limit", "Sforce-Limit-Info", "Link"]
HEADER_VALUES = ["0", "1", "-1", "", "nan", "inf", "1e400", "abc", "99999999999999", "1.5", "Wed, 21 Oct 2015 07:28:10 GMT",
                 "application/json", "text/html", '<https://x/?after=2>; rel="next"', "\x1b[2J"]
BODY_WORDS = ["error", "errors", "code", "message", "status", "reason", "details", "policyName", "category",
              "success", "sys", "id", "msBeforeNext", "data", "@type", "retryDelay", "context", "requiredScopes",
              "errorCode", "title", "detail", "instance", "DAILY", "606", "607", "615", "rateLimitExceeded",
              "type.googleapis.com/google.rpc.RetryInfo", "RATE_LIMIT_EXCEEDED", "TEN_SECONDLY_ROLLING"]


@st.composite
def vendor_answers(draw: st.DrawFn) -> Any:
    import requests

    response = requests.Response()
    response.status_code = draw(st.sampled_from([200, 201, 204, 400, 401, 403, 404, 409, 429, 500, 502, 503, 504]))
    response.headers.update(draw(st.dictionaries(st.sampled_from(HEADER_NAMES), st.sampled_from(HEADER_VALUES),
                                                 max_size=5)))
    body = draw(st.one_of(json_values(BODY_WORDS).map(lambda v: json.dumps(v).encode()),
                          st.binary(max_size=40), st.just(b"<html>oops</html>")))
    response._content = body
    response.request = requests.Request("GET", "https://api.vendor.example/x?token=secret-value").prepare()
    return response


@pytest.mark.parametrize("connector", list(create_host().connectors()), ids=lambda c: c.id)
def test_hooks_reading_vendor_answers_never_fail(connector: Any) -> None:
    from stackaudit.http import RateBudget, Retry, raise_for_status
    from stackaudit.redaction import Redactor

    @settings(max_examples=150, deadline=None, database=None, derandomize=True)
    @given(vendor_answers())
    def run(response: Any) -> None:
        verdict = connector.classify(response)
        assert verdict is None or isinstance(verdict, Retry)
        code, message = connector.error_parser(response)
        assert isinstance(code, str) and isinstance(message, str)
        budget = connector.rate_headers(response)
        assert budget is None or isinstance(budget, RateBudget)
        message = ""
        try:
            raise_for_status(response, redactor=Redactor(), error_parser=connector.error_parser)
        except StackAuditError as exc:
            message = str(exc)
        assert "secret-value" not in message

    run()
