"""The Google Workspace connector: users, then every user's OAuth grants and app passwords, swept concurrently."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any

from stackaudit import (
    Account,
    ApiError,
    AuthenticationError,
    Connector,
    CredentialField,
    CredentialSpec,
    Option,
    RateLimit,
    ReadOnlyRequest,
    ScanContext,
    System,
)
from stackaudit_google_workspace import transform
from stackaudit_google_workspace.client import (
    MISSING_SCOPE_REASONS,
    SCOPES,
    Authorizer,
    DirectoryClient,
    SessionPool,
    classify_google,
    error_reason,
    resolve_token_url,
)

Grant = tuple[Account, Mapping[str, Any]]
AREAS = {"tokens": "OAuth tokens", "asps": "app-specific passwords"}


class GoogleWorkspaceConnector(Connector):
    id = "google_workspace"
    title = "Google Workspace"
    vendor = "google_workspace"
    category = "productivity"
    description = "Google Workspace domains through the Admin SDK Directory API (read-only)."
    collects = (
        "users: super and delegated admins, 2-Step Verification enrolment and enforcement, suspended and "
        "archived, last login",
        "every user's third-party OAuth grants, merged into one app per client id with its users and scopes",
        "app-specific passwords per user (name, created, last used; never the password)",
    )
    permissions = (
        "a service account with domain-wide delegation for exactly these scopes: " + ", ".join(SCOPES),
        "admin_email: an admin it impersonates, with the privileges Users > Read and Security > User Security "
        "Management (Google offers no read-only scope for tokens and app passwords)",
        "or a ready OAuth access token with the same scopes",
        "the Admin SDK API enabled in the service account's Google Cloud project",
    )
    default_base_url = "https://admin.googleapis.com"
    credentials = CredentialSpec(
        fields=(
            CredentialField("service_account", "the service account's JSON key file, as one JSON string"),
            CredentialField("admin_email", "the admin the service account impersonates (domain-wide delegation)",
                            secret=False),
            CredentialField("access_token", "a ready OAuth access token (instead of a service account)"),
        ),
        combinations=(("service_account", "admin_email"), ("access_token",)),
        plain="access_token",
    )
    options = {
        "customer": Option("customer id to list users of; my_customer is the admin's own account",
                           default="my_customer"),
        "token_url": Option("OAuth token endpoint for the service account; a path is taken on base_url's origin "
                            "(default: the key file's token_uri)", default=""),
        "sweep_workers": Option("concurrent per-user requests in the token and app-password sweep (1-32)",
                                default=8, type=int),
    }
    # "2,400 queries per minute per user per Google Cloud project" (the default quota), and 403
    # userRateLimitExceeded past it: https://developers.google.com/workspace/admin/directory/v1/limits
    rate_limit = RateLimit(requests=2400, per_seconds=60.0)
    read_only_requests = (ReadOnlyRequest("POST", r"/token$", "OAuth 2.0 JWT bearer token request"),)
    # Google's quota answers (403 userRateLimitExceeded and kin, 429) are retried; errors are told apart by their
    # reason ("notFound", "insufficientPermissions"). mypy reads the base's callable ClassVars as methods, hence
    # the ignores.
    classify = staticmethod(classify_google)
    error_parser = staticmethod(error_reason)

    def collect(self, ctx: ScanContext) -> None:
        sessions = SessionPool(ctx)
        try:
            auth = Authorizer(ctx, sessions.get(), token_url=resolve_token_url(str(ctx.options["token_url"]),
                                                                               ctx.base_url))
            client = DirectoryClient(sessions.get, auth, customer=str(ctx.options["customer"]))
            _Sweep(ctx, client, workers=max(1, min(32, int(ctx.options["sweep_workers"])))).run()
        finally:
            sessions.close()


class _Sweep:
    """Lists users page by page, adding each as it comes, and reads each user's grants and app passwords on
    a bounded pool. Grants are merged into apps at the end; everything else streams."""

    def __init__(self, ctx: ScanContext, client: DirectoryClient, *, workers: int) -> None:
        self.ctx = ctx
        self.client = client
        self.workers = workers
        self.tenant: System | None = None
        self.grants: list[Grant] = []
        self.denied: set[str] = set()  # areas the token may not read at all
        self._lock = threading.Lock()

    def run(self) -> None:
        pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix=f"{self.ctx.connection}-sweep")
        pending: set[Future[list[Grant]]] = set()
        try:
            for raw in self.client.users():
                tenant = self._tenant(raw)
                account = transform.user(self.ctx.connection, tenant, raw)
                self.ctx.add(account)
                pending.add(pool.submit(self._read_user, raw, account))
                if len(pending) >= 4 * self.workers:  # keep memory flat on large domains
                    pending = self._collect(pending, FIRST_COMPLETED)
            self._collect(pending, None)
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise
        pool.shutdown(wait=True)
        if self.tenant is None:
            self._tenant({})
        tenant_id = self.tenant.id if self.tenant else ""
        for records in transform.oauth_apps(self.ctx.connection, tenant_id, self.grants):
            self.ctx.add_all(records)

    def _collect(self, pending: set[Future[list[Grant]]], until: str | None) -> set[Future[list[Grant]]]:
        done, rest = wait(pending, return_when=until) if until else wait(pending)
        for future in done:
            self.grants.extend(future.result())  # re-raises a worker's AuthenticationError
        return rest

    def _tenant(self, raw: Mapping[str, Any]) -> str:
        if self.tenant is None:
            customer = str(self.ctx.options["customer"])
            if customer == "my_customer":
                customer = str(raw.get("customerId") or customer)
            admin = self.ctx.credentials.get("admin_email") or str(raw.get("primaryEmail") or "")
            domain = admin.rpartition("@")[2].lower()
            self.tenant = transform.tenant(self.ctx.connection, customer, domain, self.ctx.base_url)
            self.ctx.add(self.tenant)
        return self.tenant.id

    def _read_user(self, raw: Mapping[str, Any], account: Account) -> list[Grant]:
        """One user's grants and app passwords; what cannot be read for this user is a gap for this user."""
        user_key = str(raw.get("id") or raw.get("primaryEmail") or "")
        conn, tenant = self.ctx.connection, account.system
        grants: list[Grant] = []
        readers: dict[str, Callable[[str], list[dict[str, Any]]]] = {
            "tokens": self.client.tokens, "asps": self.client.asps}
        for area, read in readers.items():
            if area in self.denied:
                continue
            try:
                items = read(user_key)
            except AuthenticationError:
                raise
            except ApiError as exc:
                self._gap(area, account, exc)
                continue
            if area == "tokens":
                self.ctx.add(*(transform.grant(conn, tenant, account, item) for item in items))
                grants.extend((account, item) for item in items)
            else:
                self.ctx.add(*(transform.app_password(conn, tenant, account, item) for item in items))
        return grants

    def _gap(self, area: str, account: Account, exc: ApiError) -> None:
        if exc.status == 403 and exc.code in MISSING_SCOPE_REASONS:
            with self._lock:
                if area in self.denied:
                    return
                self.denied.add(area)
            self.ctx.gap(AREAS[area], f"not readable with this token's scopes (needs {SCOPES[1]}): {exc.message}",
                         exc)
            return
        self.ctx.gap(f"{AREAS[area]} of {account.email or account.id}", f"could not be read: {exc.message}", exc)
