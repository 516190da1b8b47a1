from __future__ import annotations

import pytest

from stackaudit.plugins import PluginHost, create_host


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test touches the machine's keyring or inherits plugin settings from the environment."""
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    monkeypatch.delenv("STACKAUDIT_DISABLE_PLUGINS", raising=False)


@pytest.fixture
def host() -> PluginHost:
    """A fresh plugin host with every installed plugin loaded."""
    return create_host()

