"""An emulated WordPress site: the REST API index, users, plugins and application passwords.

Behaves as WordPress 6.x core does: anonymous requests are allowed and see only what a visitor may see (the
user list shows authors of published posts), wrong application passwords get 401, capabilities decide
between 401 (not logged in) and 403 (logged in, not allowed), collections page with ``page``/``per_page``
and ``X-WP-Total``/``X-WP-TotalPages``/``Link`` headers. Every route answers at ``/wp-json/<route>`` when
the site uses pretty permalinks and at ``/?rest_route=<route>`` always.
"""

from __future__ import annotations

import base64
import binascii
import math
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlencode

from stackaudit.emulator import EmulatedVendor, Request, Response, Router, Tenant, TenantSpec, json_response

JSON_TYPE = "application/json; charset=UTF-8"
# What WP_REST_Users_Controller returns in the "view" context (to anyone) and adds in "edit".
VIEW_FIELDS = ("id", "name", "url", "description", "link", "slug", "avatar_urls", "meta")
EDIT_FIELDS = ("username", "first_name", "last_name", "email", "locale", "nickname", "roles", "registered_date",
               "capabilities", "extra_capabilities")
ADMIN_CAPABILITIES = ("list_users", "activate_plugins", "edit_users", "manage_options", "list_app_passwords")
EDITOR_CAPABILITIES = ("edit_others_posts", "publish_posts", "moderate_comments")

RestHandler = Callable[[Request, Tenant, "dict[str, Any] | None"], Response]


def wp_error(code: str, message: str, status: int, **data: Any) -> Response:
    return json_response({"code": code, "message": message, "data": {"status": status, **data}}, status,
                         {"Content-Type": JSON_TYPE})


def _json(data: Any, headers: Mapping[str, str] | None = None) -> Response:
    return json_response(data, 200, {"Content-Type": JSON_TYPE, "Allow": "GET", **(headers or {})})


def _html(status: int, text: str) -> Response:
    return Response(status, f"<!doctype html><title>{text}</title><h1>{text}</h1>".encode(),
                    {"Content-Type": "text/html; charset=UTF-8"})


def capabilities_of(user: Mapping[str, Any]) -> set[str]:
    roles = set(user.get("roles") or [])
    caps = {"read"}
    if "administrator" in roles:
        caps.update(ADMIN_CAPABILITIES, EDITOR_CAPABILITIES)
    if "editor" in roles:
        caps.update(EDITOR_CAPABILITIES)
    return caps


class WordPressEmulator(EmulatedVendor):
    id = "wordpress"
    router = Router()
    rest: dict[str, RestHandler] = {}  # REST route pattern (``/wp/v2/users/{id}``) → handler

    def authenticate(self, request: Request, tenant: Tenant) -> Response | None:
        """Anonymous requests pass (as on a real site); a Basic header must carry the right password."""
        header = request.header("authorization")
        if not header.lower().startswith("basic "):
            return None
        try:
            username, _, password = base64.b64decode(header[6:]).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return wp_error("invalid_username", "Unknown username. Check again or try your email address.", 401)
        if _user_by_login(tenant, username) is None:
            return wp_error("invalid_username", "Unknown username. Check again or try your email address.", 401)
        expected = tenant.credentials.get("application_password", "").replace(" ", "")
        if username != tenant.credentials.get("username") or password.replace(" ", "") != expected:
            return wp_error("incorrect_password", "The provided password is an invalid application password.", 401)
        return None

    def not_found(self, request: Request, tenant: Tenant) -> Response:
        if request.path.startswith("/wp-json"):
            return wp_error("rest_no_route", "No route was found matching the URL and request method.", 404)
        return _html(404, "Page not found")

    def rate_limited(self, request: Request, tenant: Tenant, retry_after: float) -> Response:
        # WordPress core has no limiter; hosts and firewalls in front of it answer like this.
        return Response(429, b"Too Many Requests", {"Content-Type": "text/plain",
                                                      "Retry-After": str(max(1, math.ceil(retry_after)))})

    def demo_tenant(self, scale: int = 1, *, clean: bool = False) -> TenantSpec:
        from stackaudit_wordpress.demo import demo_tenant

        return demo_tenant(scale, clean=clean)


router = WordPressEmulator.router
rest = WordPressEmulator.rest


def _user_by_login(tenant: Tenant, login: str) -> dict[str, Any] | None:
    for user in tenant.data.get("users", []):
        if login in (user.get("username"), user.get("email")):
            return dict(user)
    return None


def _viewer(request: Request, tenant: Tenant) -> dict[str, Any] | None:
    """The logged-in user (authenticate() already refused wrong passwords), or None for a visitor."""
    if not request.header("authorization").lower().startswith("basic "):
        return None
    username = base64.b64decode(request.header("authorization")[6:]).decode("utf-8").partition(":")[0]
    return _user_by_login(tenant, username)


def _refused(viewer: dict[str, Any] | None, code: str, message: str) -> Response:
    """rest_authorization_required_code(): 401 for a visitor, 403 for a logged-in user."""
    return wp_error(code, message, 401 if viewer is None else 403)


def _dispatch(route: str, request: Request, tenant: Tenant) -> Response:
    for pattern, handler in rest.items():
        params = _match(pattern, route)
        if params is not None:
            request.params = params
            if tenant.data.get("denied") and route.strip("/").split("/")[-1] in tenant.data["denied"]:
                viewer = _viewer(request, tenant)
                return _refused(viewer, "rest_forbidden", "Sorry, you are not allowed to do that.")
            return handler(request, tenant, _viewer(request, tenant))
    return wp_error("rest_no_route", "No route was found matching the URL and request method.", 404)


def _match(pattern: str, route: str) -> dict[str, str] | None:
    want, have = pattern.strip("/").split("/"), route.strip("/").split("/")
    if pattern.strip("/") == "" and route.strip("/") == "":
        return {}
    if len(want) != len(have):
        return None
    params: dict[str, str] = {}
    for w, h in zip(want, have, strict=True):
        if w.startswith("{"):
            params[w.strip("{}")] = h
        elif w != h:
            return None
    return params


def _rest_route(pattern: str) -> Callable[[RestHandler], RestHandler]:
    def decorator(handler: RestHandler) -> RestHandler:
        rest[pattern] = handler
        pretty = "/wp-json" + pattern if pattern != "/" else "/wp-json/"

        def serve(request: Request, tenant: Tenant) -> Response:
            if not tenant.data.get("pretty_permalinks", True):
                return _html(404, "Page not found")  # without rewrite rules /wp-json/ is just a missing page
            return _dispatch(request.path[len("/wp-json"):] or "/", request, tenant)

        router.add("GET", pretty, serve)
        if pattern == "/":
            router.add("GET", "/wp-json", serve)
        return handler
    return decorator


@router.get("/")
def front_page(request: Request, tenant: Tenant) -> Response:
    route = request.arg("rest_route")
    if route is None:
        return _html(200, tenant.data["site"]["name"])
    return _dispatch(route, request, tenant)


# -- REST routes ------------------------------------------------------------------------------------


@_rest_route("/")
def index(request: Request, tenant: Tenant, viewer: dict[str, Any] | None) -> Response:
    site = tenant.data["site"]
    body: dict[str, Any] = {
        "name": site["name"], "description": site.get("description", ""), "url": site["url"], "home": site["url"],
        "gmt_offset": site.get("gmt_offset", "0"), "timezone_string": site.get("timezone_string", ""),
        "namespaces": list(site.get("namespaces", ["oembed/1.0", "wp/v2"])),
        "authentication": {},
        "routes": {"/": {"namespace": "", "methods": ["GET"]}},
        "site_logo": 0, "site_icon": 0, "site_icon_url": "",
        "_links": {"help": [{"href": "https://developer.wordpress.org/rest-api/"}]},
    }
    if tenant.data.get("application_passwords", True):
        body["authentication"] = {"application-passwords": {"endpoints": {
            "authorization": f"{site['url']}/wp-admin/authorize-application.php"}}}
    return _json(body, {"Link": f'<{site["url"]}/wp-json/>; rel="https://api.w.org/"'})


def _user_body(user: Mapping[str, Any], site_url: str, *, edit: bool) -> dict[str, Any]:
    slug = user.get("slug") or user["username"]
    full: dict[str, Any] = {
        "id": user["id"], "name": user["name"], "url": user.get("url", ""), "description": user.get("description", ""),
        "link": f"{site_url}/author/{slug}/", "slug": slug,
        "avatar_urls": {size: f"https://secure.gravatar.com/avatar/{user['id']:032x}?s={size}&d=mm&r=g"
                        for size in ("24", "48", "96")},
        "meta": [],
        "username": user["username"], "first_name": user.get("first_name", ""),
        "last_name": user.get("last_name", ""), "email": user["email"], "locale": user.get("locale", "en_US"),
        "nickname": user.get("nickname", user["username"]), "roles": list(user["roles"]),
        "registered_date": user["registered_date"],
        "capabilities": {cap: True for cap in sorted(capabilities_of(user))} | {r: True for r in user["roles"]},
        "extra_capabilities": {r: True for r in user["roles"]},
    }
    fields = VIEW_FIELDS + (EDIT_FIELDS if edit else ())
    out = {k: full[k] for k in fields}
    out["_links"] = {"self": [{"href": f"{site_url}/wp-json/wp/v2/users/{user['id']}"}],
                     "collection": [{"href": f"{site_url}/wp-json/wp/v2/users"}]}
    return out


@_rest_route("/wp/v2/users/me")
def me(request: Request, tenant: Tenant, viewer: dict[str, Any] | None) -> Response:
    if viewer is None:
        return wp_error("rest_not_logged_in", "You are not currently logged in.", 401)
    edit = request.arg("context") == "edit"
    return _json(_user_body(viewer, tenant.data["site"]["url"], edit=edit))


def _per_page(request: Request) -> int | Response:
    per_page = request.int_arg("per_page", 10)
    if not 1 <= per_page <= 100:
        return wp_error("rest_invalid_param", "Invalid parameter(s): per_page", 400,
                        params={"per_page": "per_page must be between 1 (inclusive) and 100 (inclusive)"})
    return per_page


@_rest_route("/wp/v2/users")
def users(request: Request, tenant: Tenant, viewer: dict[str, Any] | None) -> Response:
    edit = request.arg("context") == "edit"
    can_list = viewer is not None and "list_users" in capabilities_of(viewer)
    if edit and not can_list:
        return _refused(viewer, "rest_forbidden_context", "Sorry, you are not allowed to list users.")
    if not can_list and not tenant.data.get("public_user_list", True):
        # What hardening plugins answer instead of WordPress's default listing.
        return _refused(viewer, "rest_user_cannot_view", "Sorry, you are not allowed to list users.")
    per_page = _per_page(request)
    if isinstance(per_page, Response):
        return per_page
    page = max(1, request.int_arg("page", 1))
    everyone = sorted(tenant.data.get("users", []), key=lambda u: u["id"])
    # Without list_users, WordPress lists only users who have published posts.
    visible = everyone if can_list else [u for u in everyone if u.get("posts", 0) > 0]
    chunk = visible[(page - 1) * per_page: page * per_page]
    total, pages = len(visible), math.ceil(len(visible) / per_page)
    site_url = tenant.data["site"]["url"]
    headers = {"X-WP-Total": str(total), "X-WP-TotalPages": str(pages)}
    query = {k: v[0] for k, v in request.query.items() if k != "page"}
    links = []
    if page > 1:
        links.append(f'<{site_url}/wp-json/wp/v2/users?{urlencode({**query, "page": min(page - 1, pages)})}>; '
                     'rel="prev"')
    if page < pages:
        links.append(f'<{site_url}/wp-json/wp/v2/users?{urlencode({**query, "page": page + 1})}>; rel="next"')
    if links:
        headers["Link"] = ", ".join(links)
    return _json([_user_body(u, site_url, edit=edit) for u in chunk], headers)


@_rest_route("/wp/v2/users/{id}/application-passwords")
def application_passwords(request: Request, tenant: Tenant, viewer: dict[str, Any] | None) -> Response:
    if not tenant.data.get("application_passwords", True):
        return wp_error("application_passwords_disabled", "Application passwords are not available.", 501)
    if viewer is None:
        return wp_error("rest_not_logged_in", "You are not currently logged in.", 401)
    user_id = request.params["id"]
    target = next((u for u in tenant.data.get("users", []) if str(u["id"]) == user_id), None)
    if target is None:
        return wp_error("rest_user_invalid_id", "Invalid user ID.", 404)
    if target["id"] != viewer["id"] and "list_app_passwords" not in capabilities_of(viewer):
        return wp_error("rest_cannot_list_application_passwords",
                        "Sorry, you are not allowed to list application passwords for this user.", 403)
    site_url = tenant.data["site"]["url"]
    items = tenant.data.get("app_passwords", {}).get(str(target["id"]), [])
    return _json([{
        "uuid": p["uuid"], "app_id": p.get("app_id", ""), "name": p["name"], "created": p["created"],
        "last_used": p.get("last_used"), "last_ip": p.get("last_ip"),
        "_links": {"self": [{"href": f"{site_url}/wp-json/wp/v2/users/{target['id']}/application-passwords/"
                                     f"{p['uuid']}"}]},
    } for p in items])


@_rest_route("/wp/v2/plugins")
def plugins(request: Request, tenant: Tenant, viewer: dict[str, Any] | None) -> Response:
    if viewer is None or "activate_plugins" not in capabilities_of(viewer):
        return _refused(viewer, "rest_cannot_view_plugins",
                        "Sorry, you are not allowed to manage plugins for this site.")
    status = request.arg("status")
    items = [p for p in tenant.data.get("plugins", []) if status is None or p["status"] == status]
    site_url = tenant.data["site"]["url"]
    return _json([{**p, "_links": {"self": [{"href": f"{site_url}/wp-json/wp/v2/plugins/{p['plugin']}"}]}}
                  for p in items])
