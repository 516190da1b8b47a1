"""The WordPress connector: wires the client (get) to the transforms and hands records to the scan."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from stackaudit import (
    Account,
    AccountKind,
    ApiError,
    AuthenticationError,
    Connector,
    CredentialField,
    CredentialSpec,
    Option,
    RateLimit,
    ScanContext,
)
from stackaudit_wordpress import transform
from stackaudit_wordpress.client import MAX_PER_PAGE, WordPressClient, discover

T = TypeVar("T")

ROUTE_ME = "/wp/v2/users/me"
ROUTE_USERS = "/wp/v2/users"
ROUTE_PLUGINS = "/wp/v2/plugins"
ROUTE_APP_PASSWORDS = "/wp/v2/users/{id}/application-passwords"
LIST_USERS = {"context": "edit", "orderby": "id", "order": "asc"}
# Refusals that mean "not for this user" once the credentials were accepted: a role that lacks the
# capability (401/403), a route a security plugin removed (404), application passwords switched off (501).
GAP_STATUSES = frozenset({401, 403, 404, 501})


class WordPressConnector(Connector):
    id = "wordpress"
    title = "WordPress"
    vendor = "wordpress"
    category = "cms"
    description = "A self-hosted or managed WordPress site through its REST API (/wp-json/), read-only."
    collects = (
        "site index: name, URL, REST namespaces, whether application passwords are available",
        "plugins with version and status; active marketing plugins (HubSpot, Mailchimp, Site Kit, tag managers, "
        "pixels) as data flows to those vendors; known two-factor plugins",
        "users with roles (administrators) and registration date",
        "application passwords per user: name, created, last used, last IP (never the password)",
        "whether the user list is readable without logging in, and how many users it exposes",
    )
    permissions = (
        "a WordPress user with the Administrator role: listing plugins needs activate_plugins and listing "
        "users with their roles and e-mail needs list_users (WordPress has no read-only role that has them)",
        "an application password created for stackaudit on that user (Users → Profile → Application "
        "Passwords); revoke it after the audit if the site allows no standing access",
        "application passwords need HTTPS (or WP_ENVIRONMENT_TYPE 'local') and an Authorization header that "
        "reaches PHP",
        "without Administrator the scan records the plugins and users it cannot read as coverage gaps",
    )
    default_base_url = None  # every site has its own address
    credentials = CredentialSpec(
        fields=(
            CredentialField("username", "the WordPress user the application password belongs to", secret=False),
            CredentialField("application_password", "an application password of that user "
                                                    "(the 24 characters WordPress shows once, spaces allowed)"),
        ),
        combinations=(("username", "application_password"),),
    )
    options = {
        "per_page": Option("page size for paged listings, 1 to 100", default=MAX_PER_PAGE, type=int),
        "all_user_app_passwords": Option(
            "also list application passwords of subscribers and customers (one request per user); by default "
            "only users with a staff role are swept", default=False, type=bool),
    }
    # WordPress core documents no request limit; hosts and security plugins set their own and answer 429
    # with Retry-After (honoured by the HTTP layer). Stay gentle on a site that is also serving visitors.
    rate_limit = RateLimit(requests=10, per_seconds=1.0)

    def collect(self, ctx: ScanContext) -> None:
        session = ctx.session()
        session.auth = (ctx.credentials["username"], ctx.credentials["application_password"])
        index, pretty = _as_site_user(lambda: discover(session))
        client = WordPressClient(session, pretty=pretty, per_page=int(ctx.options["per_page"]))
        public = WordPressClient(ctx.session(), pretty=pretty, per_page=int(ctx.options["per_page"]))
        conn = ctx.connection

        me = _as_site_user(lambda: _whoami(client))
        tenant = transform.tenant_id(conn, index, ctx.base_url)

        plugins, public_users, listed = ctx.together(
            lambda: _area(ctx, "plugins", lambda: client.listing(ROUTE_PLUGINS, what="plugins"),
                          default=None, needs="the Administrator role (activate_plugins)"),
            lambda: _area(ctx, "public user list", lambda: _public_users(public), default=None, needs=""),
            lambda: _area(ctx, "users", lambda: list(client.paged(ROUTE_USERS, LIST_USERS, what="users")),
                          default=None, needs="the Administrator role (list_users)"),
        )
        two_factor = transform.two_factor_plugins(plugins or [])
        raw_users = listed if listed is not None else [me]  # we can always describe the account the scan runs as

        ctx.add(transform.site(conn, ctx.base_url, index, pretty=pretty, public=public_users,
                               two_factor=two_factor, users=len(listed) if listed is not None else None))
        public_ids = public_users.ids if public_users else frozenset()
        accounts = [transform.user(conn, tenant, raw, public_ids=public_ids, two_factor=two_factor)
                    for raw in raw_users]
        ctx.add_all(accounts)

        for raw in plugins or []:
            integration = transform.plugin(conn, tenant, raw)
            ctx.add(integration)
            pair = transform.marketing_flow(conn, tenant, integration)
            if pair is not None:
                ctx.add(*pair)

        sweep_all = bool(ctx.options["all_user_app_passwords"])
        swept = [(raw, account) for raw, account in zip(raw_users, accounts, strict=True)
                 if sweep_all or account.account_kind is not AccountKind.GUEST]
        _app_passwords(ctx, client, tenant, swept)


def _whoami(client: WordPressClient) -> dict[str, Any]:
    """The account the scan runs as. Anonymous requests succeed on WordPress, so this is where credentials the
    site did not accept show: ``/users/me`` answers 401 to anyone it does not know."""
    me = client.get(ROUTE_ME, {"context": "edit"})
    if not isinstance(me, dict) or "id" not in me:
        raise ApiError("GET /wp/v2/users/me returned no user")
    return me


def _as_site_user(read: Callable[[], T]) -> T:
    try:
        return read()
    except AuthenticationError as exc:
        raise AuthenticationError(
            f"WordPress did not accept the application password ({exc.code or 'HTTP 401'})",
            status=exc.status, url=exc.url, code=exc.code,
            fix="check username and application_password ('stackaudit auth set NAME'); application passwords "
                "need HTTPS, and some servers drop the Authorization header before it reaches PHP",
        ) from None


def _public_users(public: WordPressClient) -> transform.PublicUsers:
    """Ask for the user list as an anonymous visitor. Default WordPress answers with every user who has
    published a post (names and login-derived slugs); hardened sites answer 401/403 or remove the route."""
    try:
        visible = list(public.paged(ROUTE_USERS, what="user list as an anonymous visitor"))
    except ApiError as exc:
        if exc.status in (401, 403, 404):
            return transform.PublicUsers(readable=False)
        raise
    ids = frozenset(u["id"] for u in visible if isinstance(u.get("id"), int))
    return transform.PublicUsers(readable=bool(visible), count=len(visible), ids=ids)


def _app_passwords(ctx: ScanContext, client: WordPressClient, tenant: str,
                   users: list[tuple[dict[str, Any], Account]]) -> None:
    """One request per user, a few at a time. Users whose passwords this account may not list become one
    coverage gap."""
    refused: list[str] = []
    last_error: ApiError | None = None

    def read(user: tuple[dict[str, Any], Account]) -> list[dict[str, Any]] | ApiError:
        raw = user[0]
        route = ROUTE_APP_PASSWORDS.format(id=raw.get("id"))
        try:
            return client.listing(route, what=f"application passwords of user {raw.get('id')}")
        except ApiError as exc:
            if exc.status not in GAP_STATUSES:
                raise
            return exc

    for (raw, account), items in zip(users, ctx.sweep(read, users), strict=True):
        if isinstance(items, ApiError):
            refused.append(account.username or str(raw.get("id")))
            last_error = items
            continue
        for item in items:
            ctx.add(transform.application_password(ctx.connection, tenant, account, item))
    if refused:
        shown = ", ".join(refused[:5]) + (f" and {len(refused) - 5} more" if len(refused) > 5 else "")
        ctx.gap("application passwords", f"not readable for {len(refused)} user(s) ({shown}): "
                f"{last_error.message if last_error else ''} (needs the Administrator role)", last_error)


def _area(ctx: ScanContext, area: str, read: Callable[[], T], *, default: T, needs: str) -> T:
    """Read one area; if the site refuses it (role, a security plugin, a disabled route), record a
    coverage gap and go on. The credentials were already accepted, so a 401 here is a refusal too."""
    try:
        return read()
    except ApiError as exc:
        if exc.status in GAP_STATUSES:
            reason = f"not readable with this user: {exc.message}"
            if needs:
                reason += f" (needs {needs})"
            ctx.gap(area, reason, exc)
            return default
        raise
