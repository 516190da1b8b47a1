"""The Okta connector: the apps behind SSO, users with their factors and admin roles, API tokens, event hooks."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any, TypeVar

from stackaudit import (
    Account,
    ApiError,
    AuthenticationError,
    Connector,
    CredentialField,
    CredentialSpec,
    NotFoundError,
    Option,
    RateLimit,
    ScanContext,
)
from stackaudit_okta import transform
from stackaudit_okta.client import OktaClient, SessionPool, classify_okta

T = TypeVar("T")
# Okta error codes for "this token may not read that" (E0000006) and "no such feature or resource" (E0000007).
NOT_PERMITTED = frozenset({"E0000006", "E0000007", "E0000015"})


class OktaConnector(Connector):
    id = "okta"
    title = "Okta"
    vendor = "okta"
    category = "identity"
    description = "Okta orgs through the Management API (read-only)."
    collects = (
        "applications behind SSO: label, sign-on mode, status, provisioning (as sso_app integrations and "
        "sign-in flows to each app)",
        "users: status (suspended and deprovisioned users are people who left), login, email, last login",
        "enrolled factors per user (MFA) and admin role assignments",
        "API tokens (name, owner, created, expiry, last use; never the token)",
        "event hooks as outbound webhooks, with their URL scheme",
    )
    permissions = (
        "an API token of a Read-Only Administrator (SSWS), or an OAuth service app with the scopes "
        "okta.apps.read, okta.users.read, okta.roles.read, okta.apiTokens.read, okta.eventHooks.read",
        "listing API tokens needs a super admin's read access; without it they are a coverage gap",
    )
    default_base_url = None  # https://<org>.okta.com (or the org's custom domain)
    credentials = CredentialSpec(
        fields=(
            CredentialField("api_token", "an Okta API token (sent as 'SSWS <token>')"),
            CredentialField("access_token", "an OAuth 2.0 access token of an Okta service app (instead)"),
        ),
        combinations=(("api_token",), ("access_token",)),
        plain="api_token",
    )
    options = {
        "sweep_workers": Option("concurrent per-user requests when reading factors (1-16)", default=4, type=int),
    }
    # Okta's management limits are per endpoint and minute; the common ceiling for /api/v1/users and "most other
    # API actions" on One App and Enterprise orgs is 600 a minute:
    # https://developer.okta.com/docs/reference/rl-global-mgmt/ . 429s wait for X-Rate-Limit-Reset.
    rate_limit = RateLimit(requests=600, per_seconds=60.0)
    classify = staticmethod(classify_okta)

    def collect(self, ctx: ScanContext) -> None:
        sessions = SessionPool(ctx)
        try:
            self._collect(ctx, OktaClient(sessions.get, ctx.base_url),
                          workers=max(1, min(16, int(ctx.options["sweep_workers"]))))
        finally:
            sessions.close()

    def _collect(self, ctx: ScanContext, client: OktaClient, *, workers: int) -> None:
        conn = ctx.connection
        no_org: dict[str, Any] = {}
        org = _area(ctx, "organization", client.organization, default=no_org)
        tenant = transform.tenant(conn, ctx.base_url, org)
        ctx.add(tenant)

        def read_apps() -> None:
            for raw in client.apps():
                records = transform.sso_app(conn, tenant.id, raw)
                if records:
                    ctx.add(*records)

        _area(ctx, "applications", read_apps, default=None)
        no_roles: dict[str, tuple[str, ...]] = {}
        roles = _area(ctx, "admin roles", lambda: _admin_roles(ctx, client), default=no_roles)
        nobody: dict[str, Account] = {}
        people = _area(ctx, "users", lambda: _UserSweep(ctx, client, tenant.id, roles, workers).run(), default=nobody)

        def read_tokens() -> None:
            for raw in client.api_tokens():
                ctx.add(transform.api_token(conn, tenant.id, raw))

        _area(ctx, "API tokens", read_tokens, default=None)

        def read_hooks() -> None:
            for raw in client.event_hooks():
                records = transform.event_hook(conn, tenant.id, raw, people=people)
                if records:
                    ctx.add(*records)

        _area(ctx, "event hooks", read_hooks, default=None)


def _admin_roles(ctx: ScanContext, client: OktaClient) -> dict[str, tuple[str, ...]]:
    """Okta user id → admin roles, for the users the IAM API lists as holding any."""
    roles: dict[str, tuple[str, ...]] = {}
    for assignee in client.role_assignees():
        user_id = str(assignee.get("id") or "")
        if not user_id:
            continue
        try:
            roles[user_id] = transform.admin_roles(client.roles(user_id))
        except NotFoundError as exc:  # removed since the listing
            ctx.gap(f"admin roles of user {user_id}", f"could not be read: {exc.message}", exc)
    return roles


class _UserSweep:
    """Lists users page by page and reads each one's factors on a bounded pool, adding each account as soon
    as its factors are in."""

    def __init__(self, ctx: ScanContext, client: OktaClient, tenant: str, roles: Mapping[str, tuple[str, ...]],
                 workers: int) -> None:
        self.ctx = ctx
        self.client = client
        self.tenant = tenant
        self.roles = roles
        self.workers = workers
        self.people: dict[str, Account] = {}
        self.factors_denied = False
        self._lock = threading.Lock()

    def run(self) -> dict[str, Account]:
        pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix=f"{self.ctx.connection}-factors")
        pending: set[Future[None]] = set()
        try:
            for raw in self.client.users():
                pending.add(pool.submit(self._one, raw))
                if len(pending) >= 4 * self.workers:
                    done, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for future in done:
                        future.result()
            for future in wait(pending).done:
                future.result()
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise
        pool.shutdown(wait=True)
        return self.people

    def _one(self, raw: Mapping[str, Any]) -> None:
        okta_id = str(raw.get("id") or "")
        factors: list[dict[str, Any]] | None = None
        # Deprovisioning resets a user's factors: there is nothing left to read.
        if raw.get("status") != "DEPROVISIONED" and not self.factors_denied:
            factors = self._factors(okta_id, raw)
        account = transform.user(self.ctx.connection, self.tenant, raw, factors=factors,
                                 roles=self.roles.get(okta_id, ()))
        self.ctx.add(account)
        with self._lock:
            self.people[okta_id] = account

    def _factors(self, okta_id: str, raw: Mapping[str, Any]) -> list[dict[str, Any]] | None:
        try:
            return self.client.factors(okta_id)
        except AuthenticationError:
            raise
        except ApiError as exc:
            if exc.status == 403:
                with self._lock:
                    first = not self.factors_denied
                    self.factors_denied = True
                if first:
                    self.ctx.gap("enrolled factors", f"not readable with this token: {exc.message}", exc)
                return None
            login = str((raw.get("profile") or {}).get("login") or okta_id)
            self.ctx.gap(f"enrolled factors of {login}", f"could not be read: {exc.message}", exc)
            return None


def _area(ctx: ScanContext, area: str, read: Callable[[], T], *, default: T) -> T:
    """Read one area; if the token may not (403, a feature the org lacks), record a coverage gap and go on."""
    try:
        return read()
    except AuthenticationError:
        raise
    except ApiError as exc:
        if exc.status in (403, 404) or exc.code in NOT_PERMITTED:
            ctx.gap(area, f"not readable with this token: {exc.message}", exc)
            return default
        raise
