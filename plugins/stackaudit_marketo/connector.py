"""The Marketo Engage connector: wires the client (get) to the transforms and hands records to the scan."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import requests

from stackaudit import (
    ApiError,
    AuthenticationError,
    Connector,
    CredentialField,
    CredentialSpec,
    NotFoundError,
    Option,
    PermissionDeniedError,
    RateLimit,
    ReadOnlyRequest,
    Retry,
    ScanContext,
)
from stackaudit.http import default_classify
from stackaudit.model import Scalar
from stackaudit_marketo import transform
from stackaudit_marketo.client import (
    ACCESS_DENIED,
    CONCURRENCY,
    DAILY_QUOTA,
    FEATURE_OFF,
    RATE_LIMITED,
    TOKEN_PATH,
    MarketoClient,
    error_code,
)

# After a 606 every caller waits out Marketo's whole 20-second window: a shorter wait only earns another 606.
RATE_LIMIT_WAIT = 20.0
# After a 615 (more than 10 calls in flight), a moment for the other calls to finish.
CONCURRENCY_WAIT = 1.0
# Codes Marketo's error reference says to retry: request timed out, API temporarily unavailable, system
# error, transient error (https://experienceleague.adobe.com/en/docs/marketo-developer/marketo/rest/error-codes).
TRANSIENT = frozenset({"604", "608", "611", "713"})
# Error bodies are a few hundred bytes; anything bigger is a result page and is not parsed twice.
_ERROR_BODY_MAX = 4096

T = TypeVar("T")


def marketo_classify(response: requests.Response) -> Retry | None:
    """Marketo refuses over-limit calls with HTTP 200 and error 606 (rate) or 615 (concurrency): retry those.

    607 (daily quota) is deliberately not retried: nothing succeeds before the quota resets.
    """
    if len(response.content) <= _ERROR_BODY_MAX:
        try:
            body: Any = json.loads(response.content)
        except ValueError:
            body = None
        # REST errors come with HTTP 200 and success false; User Management errors with a non-200 status.
        found = error_code(body) if response.status_code >= 400 or (
            isinstance(body, dict) and body.get("success") is False) else None
        if found and found[0] == RATE_LIMITED:
            return Retry(after=RATE_LIMIT_WAIT, rate_limited=True, reason=f"Marketo {found[0]} {found[1]}")
        if found and found[0] == CONCURRENCY:
            return Retry(after=CONCURRENCY_WAIT, rate_limited=True, reason=f"Marketo {found[0]} {found[1]}")
        if found and found[0] == DAILY_QUOTA:
            return None
        if found and found[0] in TRANSIENT:
            return Retry(reason=f"Marketo {found[0]} {found[1]}")
    return default_classify(response)


def marketo_error_parser(response: requests.Response) -> tuple[str, str]:
    """(code, message) from Marketo's ``errors[]`` (REST and User Management) or the Identity API's OAuth error."""
    try:
        body: Any = response.json()
    except ValueError:
        return "", ""
    found = error_code(body)
    if found:
        return found
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        return body["error"], str(body.get("error_description") or "")
    return "", ""


class MarketoConnector(Connector):
    id = "marketo"
    title = "Marketo Engage"
    vendor = "marketo"
    category = "marketing-automation"
    description = "Marketo Engage instances through the REST, Asset and User Management APIs (read-only)."
    collects = (
        "instance: munchkin id, API calls today and in the last 7 days, the API user stackaudit runs as",
        "users (User Management API): API-only flag, roles and workspaces, admin role, last login, locked, expiry",
        "API-only users as integrations, each with its API credential (no secret) and recent API usage per user",
        "programs (channel, type, linked Salesforce campaign) and smart campaigns (type, active)",
        "the Marketo <-> Salesforce sync, where programs are linked to Salesforce campaigns",
        "MFA and SSO: Marketo's API does not state them; recorded as unknown, never as off",
    )
    permissions = (
        "a LaunchPoint custom service (Admin > Integration > LaunchPoint) owned by a dedicated API-only user",
        "that user's API role, Access API group: Read-Only Assets, Read-Only Campaigns, Access User Management Api",
        "the same role, Access Admin group: Access Users (Marketo requires it for the User Management API's reads)",
        "nothing Read-Write; usage statistics need no permission",
        "an area the role may not read (error 603) is reported as a coverage gap, never as a clean result",
    )
    default_base_url = None  # https://<munchkin-id>.mktorest.com, per instance
    credentials = CredentialSpec(
        fields=(
            CredentialField("client_id", "Client ID of the LaunchPoint custom service", secret=False),
            CredentialField("client_secret", "Client Secret of that custom service"),
        ),
        combinations=(("client_id", "client_secret"),),
    )
    options = {
        "munchkin_id": Option("the instance's Munchkin ID, e.g. '123-ABC-456' (default: from base_url's host)",
                              default=""),
    }
    # Marketo Integration Best Practices, "API Limits": 100 calls per 20 seconds per instance, at most 10
    # concurrent calls (and a daily quota, 50,000 on most subscriptions, which error 607 reports).
    rate_limit = RateLimit(requests=100, per_seconds=20.0, concurrency=10)
    read_only_requests = (ReadOnlyRequest("POST", rf"{TOKEN_PATH}$", "OAuth 2.0 client-credentials token request"),)
    classify = staticmethod(marketo_classify)
    error_parser = staticmethod(marketo_error_parser)

    def collect(self, ctx: ScanContext) -> None:
        client = MarketoClient(ctx, ctx.session())
        client.authenticate()
        conn = ctx.connection
        now = datetime.now(UTC)
        munchkin = str(ctx.options["munchkin_id"] or transform.munchkin_from_url(ctx.base_url)).upper()
        instance_id = munchkin or ctx.base_url.split("://", 1)[-1]
        tenant = transform.tenant_id(conn, instance_id)
        summary: dict[str, Scalar] = {"scanned_as": client.scope}
        try:
            # Three independent families at once; the users need the API usage first (calls per API user).
            users_summary, programs, campaigns = ctx.together(
                lambda: _read_users(ctx, client, tenant, now),
                lambda: _area(ctx, "programs", lambda: list(client.programs()), default=None),
                lambda: _area(ctx, "campaigns", lambda: list(client.campaigns()), default=None),
            )
            summary.update(users_summary)
            if programs is not None:
                summary.update(transform.programs_summary(programs))
                ctx.add_all(transform.salesforce_sync(conn, tenant, programs))
            if campaigns is not None:
                summary.update(transform.campaigns_summary(campaigns))
        finally:
            # Whatever was read before a failure (a 607, say) still describes the instance.
            ctx.add(transform.instance(conn, ctx.base_url, instance_id, munchkin_id=munchkin, attributes=summary))


def _read_users(ctx: ScanContext, client: MarketoClient, tenant: str, now: datetime) -> dict[str, Scalar]:
    """API usage, then every user with its details (a few requests at a time). Returns the summary figures."""
    summary: dict[str, Scalar] = {}
    today, week = ctx.together(
        lambda: _area(ctx, "API usage today", client.usage_today, default=None),
        lambda: _area(ctx, "API usage last 7 days", client.usage_last_7_days, default=None),
    )
    usage = transform.api_usage(today, week) if today is not None or week is not None else None
    if usage is not None:
        summary.update({"api_calls_today": usage.total_today, "api_calls_last_7_days": usage.total_week})

    refused = threading.Event()
    refusal = threading.Lock()

    def with_detail(entry: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any] | None]:
        """One refusal is one gap, and no further detail requests: the role lacks the permission for all."""
        if refused.is_set():
            return entry, None
        try:
            return entry, client.user(str(entry.get("userid") or ""))
        except NotFoundError:  # a user who has not accepted their invitation yet has no user record
            return entry, None
        except PermissionDeniedError as exc:
            with refusal:
                if not refused.is_set():
                    refused.set()
                    ctx.gap("user details", f"per-user details (roles, last login, lock) not readable: "
                            f"{exc.message}", exc)
            return entry, None

    counts = {"users": 0, "api_only_users": 0}

    def read() -> None:
        for entry, detail in ctx.sweep(with_detail, client.users()):
            counts["users"] += 1
            counts["api_only_users"] += entry.get("apiOnly") is True
            ctx.add(*transform.user_records(ctx.connection, tenant, entry, detail, usage=usage, now=now,
                                            scanner=client.scope))

    _area(ctx, "users", read, default=None)
    if counts["users"]:
        summary.update(counts)
    return summary


def _area(ctx: ScanContext, area: str, read: Callable[[], T], *, default: T) -> T:
    """Read one area; if Marketo refuses it (permission, feature off), record a coverage gap and go on.

    Authentication failures and the daily quota (607) stop the scan: every later call would fail the same way.
    """
    try:
        return read()
    except AuthenticationError:
        raise
    except ApiError as exc:
        if exc.code == DAILY_QUOTA:
            raise
        if isinstance(exc, PermissionDeniedError) or exc.code in (ACCESS_DENIED, FEATURE_OFF) or exc.status == 403:
            ctx.gap(area, f"not readable with this API user's role: {exc.message}", exc)
            return default
        raise
