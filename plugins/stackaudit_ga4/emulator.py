"""An emulated Google Analytics Admin API (v1beta and v1alpha) with Google's OAuth token endpoint.

- ``POST /token`` plays ``oauth2.googleapis.com/token``: the JWT bearer grant, the assertion's RS256 signature
  checked against the service account's public key (``stackaudit.oauth.verify_jwt``), its audience, lifetime
  and scopes; tokens remember their scopes, and access bindings need a users scope as the real API does;
- lists page with ``pageSize`` (coerced to each method's documented maximum) and ``pageToken``; empty
  repeated fields and the last page's ``nextPageToken`` are left out, as Google's JSON does;
- errors are Google's ``{"error": {"code", "message", "status", "details"}}``; an unknown path (or v1alpha
  switched off in a scenario) is the front end's HTML 404; a quota overrun is the documented 403
  ``rateLimitExceeded``.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
import time
from collections.abc import Mapping
from typing import Any

from stackaudit.emulator import (
    EmulatedVendor,
    Request,
    Response,
    Router,
    Tenant,
    TenantSpec,
    json_response,
    repeat_cursor,
)
from stackaudit.oauth import JWT_BEARER_GRANT, verify_jwt

READ_SCOPES = frozenset({"https://www.googleapis.com/auth/analytics.readonly",
                         "https://www.googleapis.com/auth/analytics.edit",
                         "https://www.googleapis.com/auth/analytics"})
USER_SCOPES = frozenset({"https://www.googleapis.com/auth/analytics.manage.users.readonly",
                         "https://www.googleapis.com/auth/analytics.manage.users"})
ERROR_INFO = "type.googleapis.com/google.rpc.ErrorInfo"
STATUS_CODES = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
                429: "RESOURCE_EXHAUSTED"}
# (default, maximum) page size per list method, from the discovery documents' pageSize descriptions.
PAGE_SIZES = {"accountSummaries": (50, 200), "properties": (50, 200), "dataStreams": (50, 200),
              "measurementProtocolSecrets": (10, 10), "googleAdsLinks": (50, 200), "firebaseLinks": (50, 200),
              "bigqueryLinks": (50, 200), "accessBindings": (200, 500)}


def google_error(status: int, message: str, *, reason: str = "", method: str = "",
                 errors: list[dict[str, str]] | None = None, headers: Mapping[str, str] | None = None) -> Response:
    error: dict[str, Any] = {"code": status, "message": message, "status": STATUS_CODES.get(status, "UNKNOWN")}
    if errors:
        error["errors"] = errors
    if reason:
        error["details"] = [{"@type": ERROR_INFO, "reason": reason, "domain": "googleapis.com",
                             "metadata": {"service": "analyticsadmin.googleapis.com",
                                          **({"method": method} if method else {})}}]
    return json_response({"error": error}, status, headers)


def html_not_found(path: str) -> Response:
    body = (f"<!DOCTYPE html>\n<html lang=en><title>Error 404 (Not Found)!!1</title><p><b>404.</b> "
            f"<ins>That's an error.</ins><p>The requested URL <code>{path}</code> was not found on this server. "
            "<ins>That's all we know.</ins>").encode()
    return Response(404, body, {"Content-Type": "text/html; charset=UTF-8"})


class GA4Emulator(EmulatedVendor):
    id = "ga4"
    router = Router()
    # developers.google.com/analytics/devguides/config/admin/v1/quotas: 600 requests per minute per user.
    rate_limit = (600, 60.0)

    def authenticate(self, request: Request, tenant: Tenant) -> Response | None:
        if _scopes(request, tenant) is not None:
            return None
        return google_error(
            401, "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or "
            "other valid authentication credential. See "
            "https://developers.google.com/identity/sign-in/web/devconsole-project.",
            reason="ACCESS_TOKEN_TYPE_UNSUPPORTED" if request.bearer() else "CREDENTIALS_MISSING",
            headers={"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/", error="invalid_token"'})

    def not_found(self, request: Request, tenant: Tenant) -> Response:
        return html_not_found(request.path)

    def rate_limited(self, request: Request, tenant: Tenant, retry_after: float) -> Response:
        message = ("Quota exceeded for quota metric 'Requests' and limit 'Requests per minute per user' of service "
                   "'analyticsadmin.googleapis.com'.")
        return google_error(403, message, reason="RATE_LIMIT_EXCEEDED",
                            errors=[{"message": message, "domain": "usageLimits", "reason": "rateLimitExceeded"}])

    def fault(self, kind: str, request: Request, tenant: Tenant, response: Response) -> Response | None:
        if kind == "cursor":
            return repeat_cursor(response, ("nextPageToken",), request.arg("pageToken") or "")
        return super().fault(kind, request, tenant, response)

    def demo_tenant(self, scale: int = 1, *, clean: bool = False) -> TenantSpec:
        from stackaudit_ga4.demo import demo_tenant

        return demo_tenant(scale, clean=clean)


router = GA4Emulator.router


def _scopes(request: Request, tenant: Tenant) -> frozenset[str] | None:
    """The scopes of the request's bearer token, or None if the token is unknown."""
    token = request.bearer()
    if not token:
        return None
    with tenant.lock:
        issued = tenant.state.get("tokens", {}).get(token)
    if issued is not None:
        return frozenset(issued)
    if token == tenant.credentials.get("access_token"):
        return frozenset(tenant.data.get("access_token_scopes", READ_SCOPES | USER_SCOPES))
    return None


# -- the token endpoint ---------------------------------------------------------------------------


def _token_error(error: str, description: str) -> Response:
    return json_response({"error": error, "error_description": description}, 400)


def _unverified_claims(assertion: str) -> dict[str, Any]:
    try:
        payload = assertion.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError, binascii.Error):
        return {}
    return claims if isinstance(claims, dict) else {}


@router.post("/token", auth=False)
def token(request: Request, tenant: Tenant) -> Response:
    form = request.form()
    if form.get("grant_type") != JWT_BEARER_GRANT:
        return _token_error("unsupported_grant_type", "Invalid grant_type: " + form.get("grant_type", ""))
    assertion = form.get("assertion", "")
    issuer = str(_unverified_claims(assertion).get("iss", ""))
    public_key = tenant.data.get("service_accounts", {}).get(issuer)
    if public_key is None:
        return _token_error("invalid_grant", "Invalid grant: account not found")
    try:
        claims = verify_jwt(assertion, public_key)
    except ValueError:
        return _token_error("invalid_grant", "Invalid JWT Signature.")
    now = time.time()
    issued, expires = claims.get("iat"), claims.get("exp")
    if (not isinstance(issued, int | float) or not isinstance(expires, int | float) or expires - issued > 3600
            or expires < now or issued > now + 300):
        return _token_error("invalid_grant", "Invalid JWT: Token must be a short-lived token (60 minutes) and in a "
                            "reasonable timeframe. Check your iat and exp values in the JWT claim.")
    if claims.get("aud") != f"{tenant.base_url}/token":
        return _token_error("invalid_grant", "Invalid JWT audience.")
    scopes = str(claims.get("scope", "")).split()
    if not scopes:
        return _token_error("invalid_scope", "Invalid OAuth scope or ID token audience provided.")
    access_token = "ya29." + secrets.token_urlsafe(48)
    with tenant.lock:
        tenant.state.setdefault("tokens", {})[access_token] = scopes
    return json_response({"access_token": access_token, "expires_in": 3599, "token_type": "Bearer"})


# -- the Admin API --------------------------------------------------------------------------------


def _page(request: Request, key: str, items: list[dict[str, Any]]) -> Response:
    default, maximum = PAGE_SIZES[key]
    size = request.int_arg("pageSize", default)
    size = default if size <= 0 else min(size, maximum)
    offset = 0
    page_token = request.arg("pageToken")
    if page_token:
        try:
            offset = int(base64.urlsafe_b64decode(page_token.encode()).decode().removeprefix("o:"))
        except (ValueError, binascii.Error, UnicodeDecodeError):
            return google_error(400, "Invalid page token.", reason="INVALID_ARGUMENT")
        if not 0 < offset <= len(items):
            return google_error(400, "Invalid page token.", reason="INVALID_ARGUMENT")
    chunk = items[offset: offset + size]
    body: dict[str, Any] = {key: chunk} if chunk else {}
    if offset + size < len(items):
        body["nextPageToken"] = base64.urlsafe_b64encode(f"o:{offset + size}".encode()).decode()
    return json_response(body)




def _guard(request: Request, tenant: Tenant, area: str, *, users: bool = False, alpha: bool = False
           ) -> Response | None:
    """The refusals a read can meet: v1alpha absent, a missing scope, a permission the scenario denies."""
    if alpha and not tenant.data.get("v1alpha", True):
        return html_not_found(request.path)
    scopes = _scopes(request, tenant) or frozenset()
    if not scopes & (USER_SCOPES if users else READ_SCOPES):
        return google_error(403, "Request had insufficient authentication scopes.",
                            reason="ACCESS_TOKEN_SCOPE_INSUFFICIENT",
                            method=f"google.analytics.admin.{'v1alpha' if alpha else 'v1beta'}.AnalyticsAdminService")
    if area in tenant.data.get("denied", []):
        return google_error(403, "The caller does not have permission")
    return None


def _property(tenant: Tenant, property_id: str) -> dict[str, Any] | None:
    name = f"properties/{property_id}"
    return next((p for p in tenant.data.get("properties", []) if p["name"] == name), None)


def _property_list(request: Request, tenant: Tenant, key: str, table: str, *, alpha: bool = False) -> Response:
    refused = _guard(request, tenant, key, alpha=alpha)
    if refused:
        return refused
    prop = _property(tenant, request.params["property_id"])
    if prop is None:
        return google_error(404, "Requested entity was not found.")
    return _page(request, key, tenant.data.get(table, {}).get(prop["name"], []))


@router.get("/v1beta/accountSummaries")
def account_summaries(request: Request, tenant: Tenant) -> Response:
    refused = _guard(request, tenant, "accountSummaries")
    if refused:
        return refused
    summaries = []
    for summary in tenant.data.get("account_summaries", []):
        props = [{"property": p["name"], "displayName": p["displayName"], "propertyType": p["propertyType"],
                  "parent": p["parent"]} for p in tenant.data.get("properties", []) if p["account"] ==
                 summary["account"]]
        summaries.append({**summary, **({"propertySummaries": props} if props else {})})
    return _page(request, "accountSummaries", summaries)


@router.get("/v1beta/properties")
def properties(request: Request, tenant: Tenant) -> Response:
    refused = _guard(request, tenant, "properties")
    if refused:
        return refused
    text = request.arg("filter") or ""
    field, _, value = text.partition(":")
    if field not in ("parent", "ancestor") or not value:
        return google_error(400, "Invalid filter: expected parent:accounts/{account} or ancestor:accounts/{account}",
                            reason="INVALID_ARGUMENT")
    items = [p for p in tenant.data.get("properties", []) if p["parent" if field == "parent" else "account"] == value]
    return _page(request, "properties", items)


@router.get("/v1beta/properties/{property_id}/dataStreams")
def data_streams(request: Request, tenant: Tenant) -> Response:
    return _property_list(request, tenant, "dataStreams", "data_streams")


@router.get("/v1beta/properties/{property_id}/dataStreams/{stream_id}/measurementProtocolSecrets")
def measurement_secrets(request: Request, tenant: Tenant) -> Response:
    refused = _guard(request, tenant, "measurementProtocolSecrets")
    if refused:
        return refused
    stream = f"properties/{request.params['property_id']}/dataStreams/{request.params['stream_id']}"
    streams = tenant.data.get("data_streams", {}).get(f"properties/{request.params['property_id']}", [])
    if not any(s["name"] == stream for s in streams):
        return google_error(404, "Requested entity was not found.")
    return _page(request, "measurementProtocolSecrets", tenant.data.get("measurement_secrets", {}).get(stream, []))


@router.get("/v1beta/properties/{property_id}/googleAdsLinks")
def google_ads_links(request: Request, tenant: Tenant) -> Response:
    return _property_list(request, tenant, "googleAdsLinks", "google_ads_links")


@router.get("/v1beta/properties/{property_id}/firebaseLinks")
def firebase_links(request: Request, tenant: Tenant) -> Response:
    return _property_list(request, tenant, "firebaseLinks", "firebase_links")


@router.get("/v1alpha/properties/{property_id}/bigQueryLinks")
def bigquery_links(request: Request, tenant: Tenant) -> Response:
    return _property_list(request, tenant, "bigqueryLinks", "bigquery_links", alpha=True)


def _access_bindings(request: Request, tenant: Tenant, parent: str, exists: bool) -> Response:
    refused = _guard(request, tenant, "accessBindings", users=True, alpha=True)
    if refused:
        return refused
    if not exists:
        return google_error(404, "Requested entity was not found.")
    return _page(request, "accessBindings", tenant.data.get("access_bindings", {}).get(parent, []))


@router.get("/v1alpha/accounts/{account_id}/accessBindings")
def account_access_bindings(request: Request, tenant: Tenant) -> Response:
    parent = f"accounts/{request.params['account_id']}"
    exists = any(s["account"] == parent for s in tenant.data.get("account_summaries", []))
    return _access_bindings(request, tenant, parent, exists)


@router.get("/v1alpha/properties/{property_id}/accessBindings")
def property_access_bindings(request: Request, tenant: Tenant) -> Response:
    parent = f"properties/{request.params['property_id']}"
    return _access_bindings(request, tenant, parent, _property(tenant, request.params["property_id"]) is not None)
