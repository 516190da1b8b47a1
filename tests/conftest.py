from __future__ import annotations

import http.client
import os
import re
import sys
import threading
from collections.abc import Callable, Iterator
from types import FrameType
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from stackaudit.connector import Connector
from stackaudit.plugins import PluginHost, create_host


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No test touches the machine's keyring, inherits plugin settings, or leaks credentials it set
    (``stackaudit demo`` puts its tenants' credentials in this process's environment)."""
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    monkeypatch.delenv("STACKAUDIT_DISABLE_PLUGINS", raising=False)
    before = {k for k in os.environ if k.startswith("STACKAUDIT_CREDENTIAL_")}
    yield
    for key in [k for k in os.environ if k.startswith("STACKAUDIT_CREDENTIAL_") and k not in before]:
        del os.environ[key]


@pytest.fixture
def host() -> PluginHost:
    """A fresh plugin host with every installed plugin loaded."""
    return create_host()


# -- read-only, everywhere ---------------------------------------------------------------------------


class WireWatch:
    """Sees every HTTP request on its way out and notes those a connector sent that are neither GET/HEAD nor one
    of the connector's declared read-only requests.

    It does not ask the read-only guard: it watches two places below it. ``requests.Session.send`` (where
    ``responses`` stubs answer, so mocked tests are covered) and ``http.client.HTTPConnection.putrequest``,
    which writes the request line to the socket for ``requests``, urllib3 and urllib alike. A request is a
    connector's when a frame of the connector's plugin package is on the sending thread's stack (a sweep's
    worker runs the plugin's own function, so its requests count too); tests' own requests do not.
    """

    SAFE = frozenset({"GET", "HEAD"})

    def __init__(self, connectors: dict[str, type[Connector]]) -> None:
        self.connectors = connectors  # plugin package -> connector
        self.violations: list[str] = []
        self._lock = threading.Lock()

    def connector_on_stack(self, frame: FrameType | None) -> type[Connector] | None:
        while frame is not None:
            package = str(frame.f_globals.get("__name__", "")).split(".", 1)[0]
            if package in self.connectors:
                return self.connectors[package]
            frame = frame.f_back
        return None

    def check(self, method: str, url: str, frame: FrameType | None) -> None:
        method = method.upper()
        if method in self.SAFE:
            return
        connector = self.connector_on_stack(frame)
        if connector is None:
            return
        path = urlsplit(url).path
        if any(r.method.upper() == method and re.search(r.path, path) for r in connector.read_only_requests):
            return
        with self._lock:
            self.violations.append(f"connector {connector.id!r} sent {method} {path}")

    def take(self) -> list[str]:
        with self._lock:
            found, self.violations = self.violations, []
        return found


def _connectors_by_package() -> dict[str, type[Connector]]:
    return {connector.__module__.split(".", 1)[0]: connector for connector in create_host().connectors()}


@pytest.fixture(scope="session")
def wire_watch() -> Iterator[WireWatch]:
    watch = WireWatch(_connectors_by_package())
    original_send: Callable[..., Any] = requests.Session.send
    original_putrequest: Callable[..., Any] = http.client.HTTPConnection.putrequest

    def send(self: requests.Session, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        watch.check(request.method or "", request.url or "", sys._getframe(1))
        return original_send(self, request, **kwargs)

    def putrequest(self: http.client.HTTPConnection, method: str, url: str, *args: Any, **kwargs: Any) -> None:
        watch.check(method, url, sys._getframe(1))
        original_putrequest(self, method, url, *args, **kwargs)

    requests.Session.send = send  # type: ignore[method-assign]
    http.client.HTTPConnection.putrequest = putrequest  # type: ignore[method-assign]
    try:
        yield watch
    finally:
        requests.Session.send = original_send  # type: ignore[method-assign]
        http.client.HTTPConnection.putrequest = original_putrequest  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _read_only_on_the_wire(wire_watch: WireWatch) -> Iterator[None]:
    """Fails any test in which a connector sent a request other than GET/HEAD or its declared read-only ones."""
    wire_watch.take()
    yield
    violations = wire_watch.take()
    if violations:
        pytest.fail("a connector sent a request that could change a tenant: " + "; ".join(violations),
                    pytrace=False)
