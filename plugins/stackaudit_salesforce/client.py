"""Salesforce REST and Tooling query API: the network side only.

- auth: OAuth 2.0 client-credentials flow against the org's My Domain (``POST /services/oauth2/token``),
  or a ready access token;
- queries: ``GET /services/data/vXX.X/query?q=SOQL`` (and ``/tooling/query``), following ``nextRecordsUrl``
  until ``done`` is true.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from stackaudit import ApiError, AuthenticationError, ScanContext
from stackaudit.http import ApiSession, follow_cursor

TOKEN_PATH = "/services/oauth2/token"
# Hosts a token response may send us to; anything else would receive our bearer token.
TRUSTED_INSTANCE_SUFFIXES = (".salesforce.com", ".force.com", ".salesforce.mil", ".cloudforce.com")


def authenticate(ctx: ScanContext) -> tuple[str, str]:
    """(access token, instance URL) for this connection."""
    credentials = ctx.credentials
    if credentials.get("access_token"):
        return credentials["access_token"], ctx.base_url
    session = ctx.session()
    response = session.post(TOKEN_PATH, data={
        "grant_type": "client_credentials",
        "client_id": credentials["client_id"],
        "client_secret": credentials["client_secret"],
    })
    if response.status_code in (400, 401):
        try:
            body = response.json()
        except ValueError:
            body = {}
        raise AuthenticationError(
            "Salesforce refused the client-credentials token request: "
            + f"{body.get('error', f'HTTP {response.status_code}')} {body.get('error_description', '')}".rstrip(),
            status=response.status_code,
            fix="check client_id/client_secret and that the connected app enables the client credentials flow "
                "with a run-as user ('stackaudit auth set NAME')",
        )
    token = session.json_of(response)
    access_token = str(token.get("access_token") or "")
    if not access_token:
        raise AuthenticationError("Salesforce token response had no access_token")
    ctx.secret(access_token)
    instance_url = str(token.get("instance_url") or ctx.base_url).rstrip("/")
    if not _trusted_instance(instance_url, ctx.base_url):
        raise AuthenticationError(
            f"token response named instance {urlsplit(instance_url).hostname!r}, which is neither the configured "
            "host nor a Salesforce domain; refusing to send the token there",
            fix="set base_url to the org's My Domain URL",
        )
    return access_token, instance_url


def _trusted_instance(instance_url: str, base_url: str) -> bool:
    instance, base = urlsplit(instance_url), urlsplit(base_url)
    if (instance.scheme, instance.netloc) == (base.scheme, base.netloc):
        return True
    host = instance.hostname or ""
    return instance.scheme == "https" and host.endswith(TRUSTED_INSTANCE_SUFFIXES)


class SalesforceClient:
    """Runs SOQL through the REST or Tooling query endpoint and yields records page by page."""

    def __init__(self, session: ApiSession, api_version: str, *, batch_size: int = 2000) -> None:
        self.session = session
        self.api_version = api_version.lstrip("v")
        self.batch_size = batch_size

    def query(self, soql: str, *, tooling: bool = False) -> Iterator[dict[str, Any]]:
        path = f"/services/data/v{self.api_version}/{'tooling/' if tooling else ''}query"
        headers = {"Sforce-Query-Options": f"batchSize={self.batch_size}"}
        what = f"SOQL on {soql.split(' FROM ', 1)[-1].split(maxsplit=1)[0]}"

        def fetch(next_url: str | None) -> tuple[list[dict[str, Any]], str | None]:
            if next_url is None:
                body = self.session.get_json(path, params={"q": soql}, headers=headers)
            else:
                body = self.session.get_json(next_url, headers=headers)
            return _check_page(body, what)

        return follow_cursor(fetch, what=what)


def _check_page(body: Any, what: str) -> tuple[list[dict[str, Any]], str | None]:
    if not isinstance(body, dict) or not isinstance(body.get("records"), list) or "done" not in body:
        raise ApiError(f"{what}: response is not a query result (no 'records'/'done')")
    next_url = body.get("nextRecordsUrl")
    if body["done"] is False and not next_url:
        raise ApiError(f"{what}: result says more records follow but gives no nextRecordsUrl")
    return body["records"], (str(next_url) if not body["done"] else None)
