from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

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

