"""Shared OAuth grants: JWT bearer (service accounts) and client credentials."""

from __future__ import annotations

import json
import time
from urllib.parse import parse_qs

import pytest
import responses

from stackaudit import AuthenticationError, CredentialError, ReadOnlyRequest
from stackaudit.http import make_session
from stackaudit.oauth import (
    JWT_BEARER_GRANT,
    client_credentials_token,
    generate_rsa_key_pair,
    jwt_bearer_token,
    verify_jwt,
)
from stackaudit.redaction import Redactor

TOKEN_URL = "https://oauth2.googleapis.com/token"


@pytest.fixture(scope="module")
def key_pair() -> tuple[str, str]:
    return generate_rsa_key_pair()


def session(redactor: Redactor | None = None):  # type: ignore[no-untyped-def]
    return make_session(read_only_requests=[ReadOnlyRequest("POST", r"/token$")], redactor=redactor or Redactor())


@responses.activate
def test_jwt_bearer_grant_sends_a_verifiable_signed_assertion(key_pair: tuple[str, str]) -> None:
    private, public = key_pair
    responses.post(TOKEN_URL, json={"access_token": "ya29.token-value-123", "expires_in": 3599,
                                    "token_type": "Bearer"})
    redactor = Redactor()
    account = {"client_email": "audit@proj.iam.gserviceaccount.com", "private_key": private, "private_key_id": "k1"}

    token = jwt_bearer_token(session(redactor), account, scopes=["s1", "s2"], subject="admin@northwind.example",
                             now=1_700_000_000)

    assert token == "ya29.token-value-123"
    assert redactor.redact("x ya29.token-value-123 y") == "x [REDACTED] y"
    form = parse_qs(str(responses.calls[0].request.body))
    assert form["grant_type"] == [JWT_BEARER_GRANT]
    claims = verify_jwt(form["assertion"][0], public)
    assert claims == {"iss": "audit@proj.iam.gserviceaccount.com", "scope": "s1 s2", "aud": TOKEN_URL,
                      "iat": 1_700_000_000, "exp": 1_700_003_600, "sub": "admin@northwind.example"}


def test_tampered_or_foreign_assertion_fails_verification(key_pair: tuple[str, str]) -> None:
    from stackaudit.oauth import sign_jwt

    private, public = key_pair
    token = sign_jwt({"iss": "a", "iat": int(time.time())}, private)
    header, claims, signature = token.split(".")
    forged_claims = claims[:-2] + ("AA" if claims[-2:] != "AA" else "BB")
    with pytest.raises(ValueError, match="invalid JWT"):
        verify_jwt(f"{header}.{forged_claims}.{signature}", public)
    _, other_public = generate_rsa_key_pair()
    with pytest.raises(ValueError, match="invalid JWT"):
        verify_jwt(token, other_public)


@responses.activate
def test_refused_grant_is_an_authentication_error() -> None:
    responses.post(TOKEN_URL, status=400, json={"error": "unauthorized_client",
                                                "error_description": "Client is unauthorized to retrieve access tokens"})
    private, _ = generate_rsa_key_pair()
    with pytest.raises(AuthenticationError, match="unauthorized_client"):
        jwt_bearer_token(session(), {"client_email": "a@b", "private_key": private}, scopes=["s"])


def test_bad_key_material_is_a_credential_error_naming_the_fix() -> None:
    with pytest.raises(CredentialError) as raised:
        jwt_bearer_token(session(), {"client_email": "a@b", "private_key": "not a key"}, scopes=["s"])
    assert "JSON key file" in raised.value.fix
    with pytest.raises(CredentialError, match="lacks private_key"):
        jwt_bearer_token(session(), {"client_email": "a@b"}, scopes=["s"])


@responses.activate
def test_client_credentials_grant_posts_the_form() -> None:
    responses.post("https://idp.example/oauth/token", json={"access_token": "tok-abcdef-123"})
    s = make_session(read_only_requests=[ReadOnlyRequest("POST", r"/oauth/token$")], redactor=Redactor())
    assert client_credentials_token(s, "https://idp.example/oauth/token", client_id="id", client_secret="sec-1234",
                                    scope="read") == "tok-abcdef-123"
    assert parse_qs(str(responses.calls[0].request.body)) == {
        "grant_type": ["client_credentials"], "client_id": ["id"], "client_secret": ["sec-1234"], "scope": ["read"]}
    assert json.loads(responses.calls[0].response.text)["access_token"] == "tok-abcdef-123"
