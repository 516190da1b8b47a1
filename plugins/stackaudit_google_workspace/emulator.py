"""An emulated Google Workspace domain: the OAuth token endpoint and the Directory API reads stackaudit makes.

- ``POST /token``: the JWT bearer grant of a service account with domain-wide delegation; the assertion's
  signature, audience, expiry, subject and scopes are checked as Google does, with Google's error answers;
- ``GET /admin/directory/v1/users`` with ``customer``/``maxResults``/``pageToken`` paging;
- ``GET /admin/directory/v1/users/{userKey}/tokens`` and ``…/asps`` (userKey: id or primary email);
- Google's error bodies, scope checks (403 insufficientPermissions), and the Directory API quota: more than
  ``rate_limit`` requests a minute answer 403 ``userRateLimitExceeded``.

The token endpoint is served on the tenant's own origin (Google's is ``oauth2.googleapis.com``), so the
connector's ``token_url`` option points there.
"""

from __future__ import annotations

import base64
import secrets
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote

from stackaudit.emulator import EmulatedVendor, Request, Response, Router, Tenant, TenantSpec, json_response
from stackaudit.oauth import JWT_BEARER_GRANT, verify_jwt

SCOPE_READONLY = "https://www.googleapis.com/auth/admin.directory.user.readonly"
SCOPE_USER = "https://www.googleapis.com/auth/admin.directory.user"
SCOPE_SECURITY = "https://www.googleapis.com/auth/admin.directory.user.security"
DEFAULT_PAGE, MAX_PAGE = 100, 500
_CREDENTIAL_HELP = ("Expected OAuth 2 access token, login cookie or other valid authentication credential. "
                    "See https://developers.google.com/identity/sign-in/web/devconsole-project.")

router = Router()


def google_error(code: int, status: str, reason: str, message: str, *, domain: str = "global",
                 detail: str = "", extra: Mapping[str, str] | None = None,
                 headers: Mapping[str, str] | None = None) -> Response:
    """Google's JSON error body: ``{"error": {"code", "message", "errors": [...], "status"}}``."""
    entry = {"message": detail or message, "domain": domain, "reason": reason, **(extra or {})}
    return json_response({"error": {"code": code, "message": message, "errors": [entry], "status": status}}, code,
                         headers)


def _oauth_error(status: int, error: str, description: str) -> Response:
    return json_response({"error": error, "error_description": description}, status)


class GoogleWorkspaceEmulator(EmulatedVendor):
    id = "google_workspace"
    router = router
    # The Directory API's default quota: 2,400 queries per minute per user per project.
    rate_limit = (2400, 60.0)

    def authenticate(self, request: Request, tenant: Tenant) -> Response | None:
        token = request.bearer()
        if not token:
            return google_error(401, "UNAUTHENTICATED", "required",
                                f"Request is missing required authentication credential. {_CREDENTIAL_HELP}",
                                detail="Login Required.", extra={"location": "Authorization",
                                                                 "locationType": "header"},
                                headers={"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'})
        if _grant(tenant, token) is None:
            return google_error(401, "UNAUTHENTICATED", "authError",
                                f"Request had invalid authentication credentials. {_CREDENTIAL_HELP}",
                                detail="Invalid Credentials", extra={"location": "Authorization",
                                                                     "locationType": "header"},
                                headers={"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/", '
                                                             'error="invalid_token"'})
        return None

    def rate_limited(self, request: Request, tenant: Tenant, retry_after: float) -> Response:
        # Google answers the per-user quota with 403 and no Retry-After; clients back off exponentially.
        message = ("Quota exceeded for quota metric 'Queries' and limit 'Queries per minute per user' of service "
                   "'admin.googleapis.com' for consumer 'project_number:484217593201'.")
        return google_error(403, "PERMISSION_DENIED", "userRateLimitExceeded", message, domain="usageLimits")

    def not_found(self, request: Request, tenant: Tenant) -> Response:
        return google_error(404, "NOT_FOUND", "notFound", f"Method not found: {request.path}")

    def demo_tenant(self, scale: int = 1, *, clean: bool = False) -> TenantSpec:
        from stackaudit_google_workspace.demo import demo_tenant

        return demo_tenant(scale, clean=clean)


def _grant(tenant: Tenant, token: str) -> dict[str, Any] | None:
    with tenant.lock:
        issued: dict[str, Any] | None = tenant.state.get("tokens", {}).get(token)
    if issued is not None:
        return issued
    if token and token == tenant.credentials.get("access_token"):
        return {"scopes": set(tenant.data.get("delegated_scopes", [])), "subject": tenant.data.get("admin", "")}
    return None


def _index(tenant: Tenant) -> dict[str, dict[str, Any]]:
    """Users by id and by lower-cased primary email (both are valid userKeys)."""
    with tenant.lock:
        index: dict[str, dict[str, Any]] | None = tenant.state.get("index")
        if index is None:
            index = {}
            for user in tenant.data.get("users", []):
                index[user["id"]] = user
                index[user["primaryEmail"].lower()] = user
            tenant.state["index"] = index
        return index


def _authorize(request: Request, tenant: Tenant, *scopes: str) -> Response | None:
    """Google's answers for a token without the scope, or for an impersonated user who is not an admin."""
    grant = _grant(tenant, request.bearer()) or {}
    if not set(scopes) & set(grant.get("scopes", ())):
        return google_error(403, "PERMISSION_DENIED", "insufficientPermissions",
                            "Request had insufficient authentication scopes.", detail="Insufficient Permission")
    subject = _index(tenant).get(str(grant.get("subject", "")).lower(), {})
    if not (subject.get("isAdmin") or subject.get("isDelegatedAdmin")):
        return google_error(403, "PERMISSION_DENIED", "forbidden", "Not Authorized to access this resource/api")
    return None


@router.post("/token", auth=False)
def token(request: Request, tenant: Tenant) -> Response:
    form = request.form()
    if form.get("grant_type") != JWT_BEARER_GRANT:
        return _oauth_error(400, "unsupported_grant_type", f"Invalid grant_type: {form.get('grant_type', '')}")
    account = tenant.data["service_account"]
    try:
        claims = verify_jwt(form.get("assertion", ""), account["public_key"])
    except ValueError:
        return _oauth_error(400, "invalid_grant", "Invalid JWT Signature.")
    now = time.time()
    if claims.get("iss") != account["client_email"]:
        return _oauth_error(400, "invalid_grant", "Invalid grant: account not found")
    if claims.get("aud") != f"{tenant.base_url}/token":
        return _oauth_error(400, "invalid_grant", "Invalid JWT: Failed audience check.")
    if not (isinstance(claims.get("exp"), int) and isinstance(claims.get("iat"), int)
            and claims["iat"] - 300 <= now < claims["exp"] and claims["exp"] - claims["iat"] <= 3600):
        return _oauth_error(400, "invalid_grant", "Invalid JWT: Token must be a short-lived token (60 minutes) and "
                                                  "in a reasonable timeframe. Check your iat and exp values in the "
                                                  "JWT claim.")
    subject = str(claims.get("sub") or "")
    if subject.lower() not in _index(tenant):
        return _oauth_error(400, "invalid_grant", "Invalid email or User ID")
    requested = set(str(claims.get("scope", "")).split())
    if not requested or not requested <= set(tenant.data.get("delegated_scopes", [])):
        return _oauth_error(401, "unauthorized_client", "Client is unauthorized to retrieve access tokens using this "
                                                        "method, or client not authorized for any of the scopes "
                                                        "requested.")
    access_token = "ya29." + secrets.token_urlsafe(60)
    with tenant.lock:
        tenant.state.setdefault("tokens", {})[access_token] = {"scopes": requested, "subject": subject}
    return json_response({"access_token": access_token, "expires_in": 3599, "token_type": "Bearer"})


def _page_token(offset: int, tenant: Tenant) -> str:
    return base64.urlsafe_b64encode(f"{tenant.data['customer_id']}:{offset}".encode()).decode().rstrip("=")


def _offset(page_token: str, tenant: Tenant) -> int | None:
    try:
        customer, _, offset = base64.urlsafe_b64decode(page_token + "=" * (-len(page_token) % 4)).decode().partition(
            ":")
        return int(offset) if customer == tenant.data["customer_id"] else None
    except ValueError:
        return None


@router.get("/admin/directory/v1/users")
def users(request: Request, tenant: Tenant) -> Response:
    refused = _authorize(request, tenant, SCOPE_READONLY, SCOPE_USER)
    if refused:
        return refused
    customer, domain = request.arg("customer"), request.arg("domain")
    if customer not in ("my_customer", tenant.data["customer_id"]) and domain != tenant.data["domain"]:
        if customer or domain:
            return google_error(404, "NOT_FOUND", "notFound", "Domain not found." if domain else "Resource Not Found")
        return google_error(400, "INVALID_ARGUMENT", "badRequest", "Bad Request")
    size = request.int_arg("maxResults", DEFAULT_PAGE)
    if not 1 <= size <= MAX_PAGE:
        return google_error(400, "INVALID_ARGUMENT", "invalid",
                            f"Invalid value '{size}'. Values must be within the range: [1, {MAX_PAGE}]")
    page_token = request.arg("pageToken")
    offset = 0 if not page_token else _offset(page_token, tenant)
    if offset is None:
        return google_error(400, "INVALID_ARGUMENT", "invalid", "Invalid Input: pageToken")
    everyone = tenant.data.get("users", [])
    chunk = everyone[offset: offset + size]
    body: dict[str, Any] = {"kind": "admin#directory#users", "etag": f'"{tenant.data["customer_id"]}/{offset}"'}
    if chunk:
        body["users"] = chunk
    if offset + size < len(everyone):
        body["nextPageToken"] = _page_token(offset + size, tenant)
    return json_response(body)


def _user_list(request: Request, tenant: Tenant, collection: str, kind: str) -> Response:
    refused = _authorize(request, tenant, SCOPE_SECURITY)
    if refused:
        return refused
    user = _index(tenant).get(unquote(request.params["userKey"]).lower())
    if user is None or user["id"] in tenant.data.get("vanished", []):
        return google_error(404, "NOT_FOUND", "notFound", "Resource Not Found: userKey")
    body: dict[str, Any] = {"kind": kind, "etag": f'"{user["id"]}/{collection}"'}
    items = tenant.data.get(collection, {}).get(user["id"], [])
    if items:
        body["items"] = items
    return json_response(body)


@router.get("/admin/directory/v1/users/{userKey}/tokens")
def tokens(request: Request, tenant: Tenant) -> Response:
    return _user_list(request, tenant, "tokens", "admin#directory#tokenList")


@router.get("/admin/directory/v1/users/{userKey}/asps")
def asps(request: Request, tenant: Tenant) -> Response:
    return _user_list(request, tenant, "asps", "admin#directory#aspList")
