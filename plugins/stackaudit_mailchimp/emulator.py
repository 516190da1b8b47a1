"""An emulated Mailchimp account: the Marketing API 3.0 paths the connector reads, with Mailchimp's auth,
``count``/``offset`` paging, problem-document errors and its concurrency limit.

Tenant data: ``root`` (the ``GET /`` document), ``lists``, ``webhooks`` (list id → webhooks),
``authorized_apps``, ``connected_sites``, ``automations``; ``denied`` names resources answered with 403
(``"authorized-apps"``, ``"connected-sites"``, ``"automations"``, ``"lists"``, ``"webhooks"``); and
``max_connections`` (default 10, Mailchimp's limit; None switches the limit off).
"""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Callable
from typing import Any

from stackaudit.emulator import EmulatedVendor, Request, Response, Router, Tenant, TenantSpec, json_response
from stackaudit_mailchimp import demo

API = "/3.0"
MAX_CONNECTIONS = 10  # "up to 10 simultaneous connections" per user
DEFAULT_COUNT, MAX_COUNT = 10, 1000
ERRORS_DOC = "https://mailchimp.com/developer/marketing/docs/errors/"
SCHEMA = "https://us1.api.mailchimp.com/schema/3.0"

Handler = Callable[[Request, Tenant], Response]


def problem(status: int, title: str, detail: str) -> Response:
    """Mailchimp's error body: an IETF problem document."""
    return json_response({"type": ERRORS_DOC, "title": title, "status": status, "detail": detail,
                          "instance": str(uuid.uuid4())}, status,
                         {"Content-Type": "application/problem+json; charset=utf-8"})


def too_many_requests() -> Response:
    # Mailchimp sends no Retry-After (nor any rate-limit header) with it.
    return problem(429, "Too Many Requests", "You have exceeded the limit of 10 simultaneous connections.")


def limited(handler: Handler) -> Handler:
    """Serve at most ``max_connections`` requests of a tenant at once; refuse the rest with 429."""

    def serve(request: Request, tenant: Tenant) -> Response:
        limit = tenant.data.get("max_connections", MAX_CONNECTIONS)
        with tenant.lock:
            in_flight = int(tenant.state.get("in_flight", 0))
            if limit and in_flight >= limit:
                return too_many_requests()
            tenant.state["in_flight"] = in_flight + 1
        try:
            return handler(request, tenant)
        finally:
            with tenant.lock:
                tenant.state["in_flight"] -= 1

    return serve


router = Router()


def route(path: str) -> Callable[[Handler], Handler]:
    def decorator(handler: Handler) -> Handler:
        router.add("GET", API + path, limited(handler))
        return handler
    return decorator


def _denied(tenant: Tenant, resource: str) -> Response | None:
    if resource in tenant.data.get("denied", []):
        return problem(403, "Forbidden", "User does not have access to the requested operation")
    return None


def _links(tenant: Tenant, path: str, schema: str) -> list[dict[str, str]]:
    return [{"rel": "self", "href": f"{tenant.base_url}{API}{path}", "method": "GET",
             "targetSchema": f"{SCHEMA}/Definitions/{schema}/CollectionResponse.json"}]


def _page(request: Request, tenant: Tenant, resource: str, key: str, items: list[dict[str, Any]],
          schema: str, **extra: Any) -> Response:
    refused = _denied(tenant, resource)
    if refused is not None:
        return refused
    count = max(1, min(MAX_COUNT, request.int_arg("count", DEFAULT_COUNT)))
    offset = max(0, request.int_arg("offset", 0))
    return json_response({key: items[offset: offset + count], **extra, "total_items": len(items),
                          "_links": _links(tenant, f"/{resource}", schema)})


@route("/")
def _root(request: Request, tenant: Tenant) -> Response:
    root = dict(tenant.data["root"])
    root["_links"] = [{"rel": "self", "href": f"{tenant.base_url}{API}/", "method": "GET",
                       "targetSchema": f"{SCHEMA}/Definitions/Root/Response.json"}]
    return json_response(root)


router.add("GET", API, limited(_root))


@route("/ping")
def _ping(request: Request, tenant: Tenant) -> Response:
    return json_response({"health_status": "Everything's Chimpy!"})


@route("/lists")
def _lists(request: Request, tenant: Tenant) -> Response:
    return _page(request, tenant, "lists", "lists", tenant.data.get("lists", []), "Lists",
                 constraints={"may_create": True, "max_instances": 100,
                              "current_total_instances": len(tenant.data.get("lists", []))})


@route("/lists/{list_id}/webhooks")
def _webhooks(request: Request, tenant: Tenant) -> Response:
    list_id = request.params["list_id"]
    if not any(audience["id"] == list_id for audience in tenant.data.get("lists", [])):
        return problem(404, "Resource Not Found", "The requested resource could not be found.")
    refused = _denied(tenant, "webhooks")
    if refused is not None:
        return refused
    hooks = tenant.data.get("webhooks", {}).get(list_id, [])
    return json_response({"webhooks": hooks, "list_id": list_id, "total_items": len(hooks),
                          "_links": _links(tenant, f"/lists/{list_id}/webhooks", "Lists/Webhooks")})


@route("/authorized-apps")
def _authorized_apps(request: Request, tenant: Tenant) -> Response:
    return _page(request, tenant, "authorized-apps", "apps", tenant.data.get("authorized_apps", []),
                 "AuthorizedApps")


@route("/connected-sites")
def _connected_sites(request: Request, tenant: Tenant) -> Response:
    return _page(request, tenant, "connected-sites", "sites", tenant.data.get("connected_sites", []),
                 "ConnectedSites")


@route("/automations")
def _automations(request: Request, tenant: Tenant) -> Response:
    return _page(request, tenant, "automations", "automations", tenant.data.get("automations", []),
                 "Automations")


class MailchimpEmulator(EmulatedVendor):
    """Mailchimp Marketing API 3.0 for one account (served below ``/3.0``)."""

    id = "mailchimp"
    router = router
    rate_limit = None  # Mailchimp limits concurrent connections, not a request rate: see ``limited``

    def authenticate(self, request: Request, tenant: Tenant) -> Response | None:
        header = request.header("authorization")
        if not header:
            return problem(401, "API Key Missing", "Your request did not include an API key.")
        scheme, _, value = header.partition(" ")
        value = value.strip()
        expected_key = tenant.credentials.get("api_key")
        expected_token = tenant.credentials.get("access_token")
        if scheme.lower() == "basic" and expected_key:
            try:
                _, _, password = base64.b64decode(value, validate=True).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError):
                password = ""
            if password == expected_key:
                return None
        elif scheme.lower() in ("bearer", "oauth") and expected_token and value == expected_token:
            return None
        return problem(401, "API Key Invalid",
                       "Your API key may be invalid, or you've attempted to access the wrong datacenter.")

    def demo_tenant(self, scale: int = 1, *, clean: bool = False) -> TenantSpec:
        return demo.demo_tenant(scale, clean=clean)

    def rate_limited(self, request: Request, tenant: Tenant, retry_after: float) -> Response:
        return too_many_requests()

    def not_found(self, request: Request, tenant: Tenant) -> Response:
        return problem(404, "Resource Not Found", "The requested resource could not be found.")
