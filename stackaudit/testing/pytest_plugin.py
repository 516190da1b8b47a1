"""stackaudit's pytest plugin: fixtures for plugin authors, loaded wherever stackaudit is installed.

- ``plugin_host``: a fresh :class:`~stackaudit.plugins.PluginHost` with every installed plugin loaded;
- ``emulator``: ``emulator(*vendors, tenants=None, clean=False, scale=1)`` starts the local emulator with
  those vendor emulations (and their demo tenants, unless ``tenants`` are given) and stops it after the test;
- ``fake_tenant``: a :class:`~stackaudit.testing.FakeTenant` (``responses``) active for the test.

Nothing here is autouse: the plugin changes nothing in a test that does not ask for a fixture.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

import pytest

from stackaudit.emulator import EmulatedVendor, Emulator, Scenario, TenantSpec, demo_scenario
from stackaudit.plugins import PluginHost, create_host
from stackaudit.testing import DEFAULT_BASE_URL, FakeTenant

__all__ = ["StartEmulator", "emulator", "fake_tenant", "plugin_host"]

StartEmulator = Callable[..., Emulator]


@pytest.fixture
def plugin_host() -> PluginHost:
    """A fresh plugin host with stackaudit's own and every installed plugin loaded."""
    return create_host()


@pytest.fixture
def emulator() -> Iterator[StartEmulator]:
    """``emulator(*vendors, tenants=None, clean=False, scale=1, enforce_rate_limits=True)`` -> a running
    :class:`~stackaudit.emulator.Emulator`, stopped after the test."""
    running: list[Emulator] = []

    def start(*vendors: EmulatedVendor, tenants: Iterable[TenantSpec] | None = None, clean: bool = False,
              scale: int = 1, enforce_rate_limits: bool = True) -> Emulator:
        scenario = Scenario(list(tenants)) if tenants is not None else demo_scenario(vendors, scale, clean=clean)
        started = Emulator(scenario, vendors, enforce_rate_limits=enforce_rate_limits).start()
        running.append(started)
        return started

    yield start
    for started in running:
        started.stop()


@pytest.fixture
def fake_tenant() -> Iterator[FakeTenant]:
    """A tenant faked with ``responses`` at :data:`~stackaudit.testing.DEFAULT_BASE_URL`, active for the test.

    A request nobody registered fails with ``ConnectionError``; answers registered but never requested are
    fine.
    """
    try:
        import responses
    except ImportError:  # pragma: no cover - depends on the environment
        pytest.fail("the fake_tenant fixture needs the 'responses' package: pip install responses")
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield FakeTenant(mock, DEFAULT_BASE_URL)
