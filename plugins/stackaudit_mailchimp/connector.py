"""The Mailchimp connector: wires the client (get) to the transforms and hands records to the scan."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import requests

from stackaudit import (
    ApiError,
    AuthenticationError,
    Connector,
    CredentialField,
    CredentialSpec,
    Option,
    RateLimit,
    ScanContext,
)
from stackaudit.http import default_error_parser
from stackaudit_mailchimp import transform
from stackaudit_mailchimp.client import DC_PLACEHOLDER, MAX_COUNT, MailchimpClient, open_session

T = TypeVar("T")

# Statuses meaning "this user or plan may not read this area": a coverage gap, not a failed scan.
NOT_READABLE = {403, 404}
WEBHOOK_WORKERS = 4


def problem_detail(response: requests.Response) -> tuple[str, str]:
    """(title, detail) from Mailchimp's problem document ``{type, title, status, detail, instance}``."""
    try:
        body: Any = response.json()
    except ValueError:
        return "", ""
    if isinstance(body, dict) and "title" in body and "detail" in body:
        detail = str(body.get("detail") or "")
        instance = str(body.get("instance") or "")
        return str(body.get("title") or ""), detail + (f" (instance {instance})" if instance else "")
    return default_error_parser(response)


class MailchimpConnector(Connector):
    id = "mailchimp"
    title = "Mailchimp"
    vendor = "mailchimp"
    category = "email-marketing"
    description = "Mailchimp accounts through the Marketing API 3.0 (read-only GETs)."
    collects = (
        "account (plan, industry, data centre) and the API key's user: role, last login (MFA is not exposed: unknown)",
        "authorized (OAuth) apps with the users who linked them, as third-party integrations and grants",
        "the Mailchimp for Salesforce app as the CRM sync feeding the audiences",
        "connected sites (site tracking and forms) as flows from the website",
        "audiences with their member counts, and each audience's webhooks with URL scheme and events",
        "classic automations (title, status, trigger, audience)",
    )
    permissions = (
        "a Marketing API key (Profile → Extras → API keys); keys have no scopes or read-only mode and act with "
        "the full rights of the user who created them",
        "create the key as a dedicated user at the lowest level that may create keys (Manager) and revoke it "
        "after the audit; stackaudit only sends GET requests",
        "or an OAuth 2 access token of a registered app, authorised by such a user",
        "an area that user's level may not read is reported as a coverage gap, never as a clean result",
    )
    # The data centre comes from the API key's suffix (or the OAuth metadata) when the scan starts.
    default_base_url = f"https://{DC_PLACEHOLDER}.api.mailchimp.com/3.0"
    credentials = CredentialSpec(
        fields=(
            CredentialField("api_key", "a Marketing API key, including its data centre suffix (…-us21)"),
            CredentialField("access_token", "an OAuth 2 access token (instead of api_key)"),
        ),
        combinations=(("api_key",), ("access_token",)),
        plain="api_key",
    )
    options = {
        "page_size": Option("items per page (count), 1 to 1000", default=MAX_COUNT, type=int),
    }
    # Mailchimp documents no request rate, only "up to 10 simultaneous connections" per user
    # (https://mailchimp.com/developer/marketing/docs/fundamentals/); an 11th is refused with 429
    # TooManyRequests. The per-second figure is our own politeness ceiling, not a vendor number.
    rate_limit = RateLimit(requests=50, per_seconds=1.0, concurrency=10)
    error_parser = staticmethod(problem_detail)

    def collect(self, ctx: ScanContext) -> None:
        session, dc = open_session(ctx)
        client = MailchimpClient(session, page_size=int(ctx.options["page_size"]))
        conn = ctx.connection

        root = client.root()
        tenant = transform.tenant_id(conn, root)

        def read_apps() -> None:
            for app in client.collection("/authorized-apps", "apps"):
                ctx.add_all(transform.authorized_app(conn, tenant, app, root=root))

        def read_sites() -> None:
            for site in client.collection("/connected-sites", "sites"):
                ctx.add_all(transform.connected_site(conn, tenant, site))

        lists, automations, _, _ = ctx.together(
            lambda: _area(ctx, "lists", lambda: list(client.collection("/lists", "lists")), default=None),
            lambda: _area(ctx, "automations", lambda: list(client.collection("/automations", "automations")),
                          default=None),
            lambda: _area(ctx, "authorized-apps", read_apps, default=None),
            lambda: _area(ctx, "connected-sites", read_sites, default=None),
        )
        ctx.add(transform.account(conn, session.base_url.rstrip("/"), root, data_centre=dc, lists=lists,
                                  automations=automations))
        ctx.add(transform.key_user(conn, tenant, root))
        api_key = ctx.credentials.get("api_key", "")
        ctx.add(transform.scan_credential(conn, tenant, root, kind="api_key" if api_key else "oauth_token",
                                          hint=api_key[:4], data_centre=dc))

        def read_hooks(audience: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
            list_id = str(audience.get("id") or "")
            no_hooks: list[dict[str, Any]] = []
            return audience, _area(ctx, f"lists/{list_id}/webhooks", functools.partial(client.list_webhooks, list_id),
                                   default=no_hooks)

        # One request per audience: a few at a time, leaving most of the user's 10 connections to the
        # account's own integrations, which share them.
        for audience, hooks in ctx.sweep(read_hooks, lists or [], workers=WEBHOOK_WORKERS):
            for hook in hooks:
                ctx.add_all(transform.list_webhook(conn, tenant, audience, hook))


def _area(ctx: ScanContext, area: str, read: Callable[[], T], *, default: T) -> T:
    """Read one area; if Mailchimp refuses it (user level, plan, feature), record a coverage gap and go on."""
    try:
        return read()
    except AuthenticationError:
        raise
    except ApiError as exc:
        if exc.status in NOT_READABLE:
            ctx.gap(area, f"not readable with this key: {exc.message}", exc)
            return default
        raise
