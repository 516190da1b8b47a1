"""The HubSpot connector: wires the client (get) to the transforms and hands records to the scan."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from stackaudit import (
    ApiError,
    AuthenticationError,
    Connector,
    CredentialField,
    CredentialSpec,
    RateLimit,
    ScanContext,
)
from stackaudit_hubspot import client as api
from stackaudit_hubspot import transform
from stackaudit_hubspot.client import HubSpotClient

# 403 is HubSpot's answer for a scope the token lacks (category MISSING_SCOPES) and for a tool the
# subscription does not include; 404 for an API the account does not have. Both: a gap, not a failure.
NOT_READABLE = {403, 404}

T = TypeVar("T")


class HubSpotConnector(Connector):
    id = "hubspot"
    title = "HubSpot"
    vendor = "hubspot"
    category = "marketing-automation"
    description = "HubSpot portals through the public REST API with a private app's access token (GET only)."
    collects = (
        "portal: id, account type, data hosting location (region), time zone; daily private-app API usage",
        "users with roles and super-admin flag; CRM owners, including archived owners of people who left",
        "last successful login and failed logins per user (login activity, last 90 days)",
        "private apps and their access tokens (created, rotated, deactivated, by whom) from security activity",
        "workflows' webhook actions as outbound flows with URL, scheme, method and auth type",
        "the HubSpot-Salesforce sync, where workflows accept enrollment from Salesforce",
        "MFA: HubSpot publishes no per-user MFA state, so it is recorded as unknown",
    )
    permissions = (
        "a private app (Settings > Integrations > Private apps; a super admin creates it) with these scopes:",
        "settings.users.read (users, roles, super-admin flag)",
        "crm.objects.owners.read (owners, including archived ones)",
        "account-info.security.read (login and security activity)",
        "automation (workflows; HubSpot has no read-only workflow scope, stackaudit only sends GET requests)",
        "account details and API usage need no extra scope",
        "a scope left out is reported as a coverage gap for that area; the rest of the portal is still read",
        "Professional/Enterprise portals allow 190 requests per 10 s: set "
        "rate_limit = { requests = 190, per_seconds = 10 } on the connection",
    )
    default_base_url = "https://api.hubapi.com"
    credentials = CredentialSpec(
        fields=(CredentialField("access_token", "the private app's access token (pat-…)"),),
        combinations=(("access_token",),),
        plain="access_token",
    )
    # HubSpot's API usage guidelines: private apps on Free and Starter may send 100 requests per rolling
    # 10 seconds (Professional and Enterprise 190, with the API limit increase 250), and 250,000 or more per
    # day (https://developers.hubspot.com/docs/developer-tooling/platform/usage-guidelines).
    rate_limit = RateLimit(requests=100, per_seconds=10.0)
    classify = staticmethod(api.classify)
    error_parser = staticmethod(api.error_parser)
    rate_headers = staticmethod(api.rate_headers)

    def collect(self, ctx: ScanContext) -> None:
        token = ctx.credentials["access_token"]
        ctx.secret(token)
        session = ctx.session()
        session.headers["Authorization"] = f"Bearer {token}"
        client = HubSpotClient(session)
        conn = ctx.connection
        details = client.account_details()  # nothing is usable without the portal id: errors propagate
        no_roles: list[dict[str, Any]] = []
        usage, roles_raw, logins, security, users, owners = ctx.together(
            lambda: _area(ctx, "private app API usage", client.private_app_usage, default=None),
            lambda: _area(ctx, "user roles", client.roles, default=no_roles),
            lambda: _area(ctx, "login activity", lambda: transform.login_summary(client.login_activity()),
                          default=None),
            lambda: _area(ctx, "security activity", lambda: list(client.security_activity()), default=None),
            lambda: _area(ctx, "users", lambda: list(client.users()), default=None),
            lambda: _area(ctx, "owners", lambda: [owner for part in ctx.together(
                lambda: list(client.owners(archived=False)), lambda: list(client.owners(archived=True)))
                for owner in part], default=None),
        )
        portal = transform.portal(conn, details, usage)
        ctx.add(portal)
        tenant = portal.id

        ctx.add_all(transform.accounts(conn, tenant, users=users, owners=owners, roles=transform.role_names(roles_raw),
                                       logins=logins, security=security))
        if security is not None:
            integrations, tokens = transform.private_apps(conn, tenant, security)
            ctx.add_all(integrations)
            ctx.add_all(tokens)

        # Workflows stream through: each one's details are read a few at a time while the listing pages on, its
        # webhooks become records at once, and only what the Salesforce sync needs is kept.
        authors = transform.webhook_authors(security or ())
        enrolling: list[dict[str, Any]] = []

        def read_workflows() -> None:
            for flow in ctx.sweep(functools.partial(_workflow, ctx, client), client.flows()):
                if flow is None:
                    continue
                ctx.add_all(transform.webhook_flows(conn, tenant, flow, authors))
                if flow.get("canEnrollFromSalesforce") is True:
                    enrolling.append({k: flow.get(k) for k in ("id", "name", "canEnrollFromSalesforce")})

        _area(ctx, "workflows", read_workflows, default=None)
        ctx.add_all(transform.salesforce_sync(conn, tenant, enrolling))


def _workflow(ctx: ScanContext, client: HubSpotClient, listed: Mapping[str, Any]) -> dict[str, Any] | None:
    flow_id = str(listed.get("id") or "")
    if not flow_id:
        return None
    name = listed.get("name") or flow_id
    return _area(ctx, f"workflow {name}", lambda: client.flow(flow_id), default=None)


def _area(ctx: ScanContext, area: str, read: Callable[[], T], *, default: T) -> T:
    """Read one area; if HubSpot refuses it (missing scope, tool not in the subscription), record a coverage
    gap and go on."""
    try:
        return read()
    except AuthenticationError:
        raise
    except ApiError as exc:
        if exc.status in NOT_READABLE:
            reason = "the token lacks a scope for it" if exc.code == "MISSING_SCOPES" else "not readable"
            ctx.gap(area, f"{reason}: {exc.message}", exc)
            return default
        raise
