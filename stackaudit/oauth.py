"""OAuth 2.0 grants connectors share: client credentials (RFC 6749 §4.4) and JWT bearer (RFC 7523).

The JWT bearer grant is how a Google service account gets an access token (with domain-wide delegation it
impersonates an admin through the ``sub`` claim). Signing uses ``cryptography`` (RS256); writing RSA by hand
would be a liability in a security tool.

Token requests are POSTs: a connector using these declares its token path in ``read_only_requests``.
Every token obtained is registered with the redactor.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Mapping, Sequence
from typing import Any

from stackaudit.errors import ApiError, AuthenticationError, CredentialError
from stackaudit.http import ApiSession

JWT_BEARER_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign_jwt(claims: Mapping[str, Any], private_key_pem: str, *, key_id: str = "") -> str:
    """An RS256-signed JWT."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    try:
        key = serialization.load_pem_private_key(private_key_pem.encode(), password=None)
    except (ValueError, TypeError):
        raise CredentialError("the service account's private_key is not a valid PEM private key",
                              fix="store the service account's JSON key file unchanged") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise CredentialError("the service account's private_key is not an RSA key",
                              fix="create a JSON key for the service account in the Google Cloud console")
    header = {"alg": "RS256", "typ": "JWT", **({"kid": key_id} if key_id else {})}
    signing_input = f"{_b64url(json.dumps(header).encode())}.{_b64url(json.dumps(dict(claims)).encode())}"
    signature = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{_b64url(signature)}"


def verify_jwt(token: str, public_key_pem: str) -> dict[str, Any]:
    """The claims of an RS256 JWT whose signature matches the public key; ValueError otherwise.

    For emulators that play a token endpoint.
    """
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    try:
        header_b64, claims_b64, signature_b64 = token.split(".")
        key = serialization.load_pem_public_key(public_key_pem.encode())
        if not isinstance(key, rsa.RSAPublicKey) or json.loads(_b64url_decode(header_b64))["alg"] != "RS256":
            raise ValueError("not an RS256 token")
        key.verify(_b64url_decode(signature_b64), f"{header_b64}.{claims_b64}".encode(), padding.PKCS1v15(),
                   hashes.SHA256())
        claims: dict[str, Any] = json.loads(_b64url_decode(claims_b64))
    except (ValueError, KeyError, InvalidSignature) as exc:
        raise ValueError(f"invalid JWT: {type(exc).__name__}") from None
    return claims


def generate_rsa_key_pair() -> tuple[str, str]:
    """(private PEM, public PEM): for demo tenants and tests that need a service account."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return private, public


def _token_from(session: ApiSession, response: Any, what: str) -> str:
    if response.status_code in (400, 401, 403):
        try:
            body = response.json()
        except ValueError:
            body = {}
        error = body.get("error", f"HTTP {response.status_code}") if isinstance(body, dict) else ""
        detail = body.get("error_description", "") if isinstance(body, dict) else ""
        raise AuthenticationError(f"{what} was refused: {error} {detail}".rstrip(), status=response.status_code)
    body = session.json_of(response)
    token = body.get("access_token") if isinstance(body, dict) else None
    if not isinstance(token, str) or not token:
        raise ApiError(f"{what}: the token response has no access_token")
    session.redactor.add(token)
    return token


def jwt_bearer_token(session: ApiSession, service_account: Mapping[str, Any], *, scopes: Sequence[str],
                     subject: str = "", token_url: str = "", now: float | None = None) -> str:
    """An access token for a Google-style service account (JSON key file fields), impersonating ``subject``.

    :param token_url: overrides the key file's ``token_uri`` (for a proxy or the local emulator).
    """
    missing = [f for f in ("client_email", "private_key") if not service_account.get(f)]
    if missing:
        raise CredentialError(f"the service account key lacks {', '.join(missing)}",
                              fix="store the whole JSON key file the Google Cloud console gave you")
    issued = int(now if now is not None else time.time())
    url = token_url or str(service_account.get("token_uri") or GOOGLE_TOKEN_URL)
    claims = {"iss": service_account["client_email"], "scope": " ".join(scopes), "aud": url,
              "iat": issued, "exp": issued + 3600}
    if subject:
        claims["sub"] = subject
    assertion = sign_jwt(claims, str(service_account["private_key"]),
                         key_id=str(service_account.get("private_key_id") or ""))
    response = session.post(url, data={"grant_type": JWT_BEARER_GRANT, "assertion": assertion})
    return _token_from(session, response, "the service account token request")


def client_credentials_token(session: ApiSession, token_url: str, *, client_id: str, client_secret: str,
                             scope: str = "", extra: Mapping[str, str] | None = None) -> str:
    """An access token from the client-credentials grant (credentials in the form body)."""
    data = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": client_secret,
            **({"scope": scope} if scope else {}), **(extra or {})}
    response = session.post(token_url, data=data)
    return _token_from(session, response, "the client credentials token request")
