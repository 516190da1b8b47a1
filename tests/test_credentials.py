"""Credentials: keyring first, then STACKAUDIT_CREDENTIAL_<NAME>; errors that name the fix; redaction."""

from __future__ import annotations

import json
import re

import keyring
import pytest
from keyring.backend import KeyringBackend

from stackaudit import CredentialError, CredentialField, CredentialSpec
from stackaudit.credentials import CredentialStore, env_var_name
from stackaudit.redaction import Redactor

SPEC = CredentialSpec(
    fields=(CredentialField("client_id", "id", secret=False), CredentialField("client_secret", "secret"),
            CredentialField("access_token", "token")),
    combinations=(("client_id", "client_secret"), ("access_token",)),
    plain="access_token",
)


class MemoryKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        from keyring.errors import PasswordDeleteError

        if (service, username) not in self.entries:
            raise PasswordDeleteError("not found")
        del self.entries[(service, username)]


@pytest.fixture
def memory_keyring() -> MemoryKeyring:
    backend = MemoryKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def test_env_var_name_upper_cases_and_replaces_other_characters() -> None:
    assert env_var_name("salesforce-prod.eu") == "STACKAUDIT_CREDENTIAL_SALESFORCE_PROD_EU"


def test_keyring_comes_before_the_environment(memory_keyring: MemoryKeyring) -> None:
    memory_keyring.set_password("stackaudit", "sf", json.dumps({"client_id": "id", "client_secret": "kr-secret-1"}))
    store = CredentialStore(environ={"STACKAUDIT_CREDENTIAL_SF": "env-token-123"}, redactor=Redactor())
    found = store.resolve("sf", SPEC)
    assert found.source == "keyring"
    assert found.values == {"client_id": "id", "client_secret": "kr-secret-1"}


def test_environment_bare_secret_is_the_plain_field_and_gets_redacted() -> None:
    redactor = Redactor()
    store = CredentialStore(environ={"STACKAUDIT_CREDENTIAL_SF": "env-token-123"}, redactor=redactor,
                            use_keyring=False)
    found = store.resolve("sf", SPEC)
    assert (found.source, found.location, found.values) == ("environment", "STACKAUDIT_CREDENTIAL_SF",
                                                            {"access_token": "env-token-123"})
    assert redactor.redact("token env-token-123 leaked") == "token [REDACTED] leaked"


def test_missing_credentials_name_both_ways_to_add_them() -> None:
    store = CredentialStore(environ={}, redactor=Redactor())
    with pytest.raises(CredentialError) as raised:
        store.resolve("sf", SPEC)
    assert raised.value.fix == "run 'stackaudit auth set sf' or set STACKAUDIT_CREDENTIAL_SF"
    assert "no OS keyring backend" in raised.value.message  # the test environment has none


@pytest.mark.parametrize(("value", "message"), [
    ('{"client_id": "only-id"}', "needs client_id+client_secret or access_token"),
    ('{"access_token": "tok-123456", "password": "x"}', "unknown field 'password'"),
    ('{"client_id": ', "not valid JSON"),
    ('{"client_id": 5}', "JSON object of string fields"),
])
def test_malformed_credentials_are_clear_errors_without_values(value: str, message: str) -> None:
    store = CredentialStore(environ={"STACKAUDIT_CREDENTIAL_SF": value}, redactor=Redactor(), use_keyring=False)
    with pytest.raises(CredentialError, match=re.escape(message)) as raised:
        store.resolve("sf", SPEC)
    assert "tok-123456" not in str(raised.value)


def test_store_and_delete_round_trip_through_the_keyring(memory_keyring: MemoryKeyring) -> None:
    store = CredentialStore(environ={}, redactor=Redactor())
    store.store("sf", {"access_token": "tok-abcdef"})
    assert store.resolve("sf", SPEC).values == {"access_token": "tok-abcdef"}
    assert store.delete("sf") is True
    assert store.delete("sf") is False


def test_no_keyring_backend_points_to_the_environment_variable() -> None:
    store = CredentialStore(environ={}, redactor=Redactor())
    with pytest.raises(CredentialError) as raised:
        store.store("sf", {"access_token": "tok-abcdef"})
    assert "no OS keyring backend" in raised.value.message
    assert "STACKAUDIT_CREDENTIAL_SF" in raised.value.fix


def test_redactor_masks_secret_shapes_it_was_never_told_about() -> None:
    redactor = Redactor()
    text = ('GET /x?access_token=abc123def&page=2 Authorization: Bearer eyJhbGciOi.payload.sig '
            '{"client_secret": "cs-999-xyz", "name": "ok"}')
    masked = redactor.redact(text)
    for secret in ("abc123def", "eyJhbGciOi.payload.sig", "cs-999-xyz"):
        assert secret not in masked
    assert "page=2" in masked and '"name": "ok"' in masked
    assert redactor.redact_url("https://user:pw@h.example/p?key=k-123&q=1") == \
        "https://[REDACTED]@h.example/p?key=[REDACTED]&q=1"


def test_redactor_leaves_words_after_a_token_path_alone() -> None:
    redactor = Redactor()
    assert redactor.redact("POST /token returned HTTP 503") == "POST /token returned HTTP 503"
    assert redactor.redact("the token expired yesterday") == "the token expired yesterday"
    assert redactor.redact("Authorization: Token ab12cd34ef56") == "Authorization: Token [REDACTED]"
