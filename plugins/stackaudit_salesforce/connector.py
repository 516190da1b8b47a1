"""The Salesforce connector: wires the client (get) to the transforms and hands records to the scan."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import TypeVar

from stackaudit import (
    ApiError,
    AuthenticationError,
    Connector,
    CredentialField,
    CredentialSpec,
    Integration,
    Option,
    RateLimit,
    ReadOnlyRequest,
    ScanContext,
)
from stackaudit_salesforce import transform
from stackaudit_salesforce.client import TOKEN_PATH, SalesforceClient, authenticate

# Error codes meaning "this user may not read this object": a coverage gap, not a failed scan.
NOT_PERMITTED = {
    "INVALID_TYPE", "INSUFFICIENT_ACCESS", "INSUFFICIENT_ACCESS_OR_READONLY", "API_DISABLED_FOR_ORG",
    "INVALID_FIELD", "FUNCTIONALITY_NOT_ENABLED", "NOT_FOUND",
}

SOQL_ORGANIZATION = "SELECT Id, Name, OrganizationType, InstanceName, IsSandbox, Country FROM Organization"
SOQL_ADMIN_ASSIGNMENTS = (
    "SELECT AssigneeId, PermissionSet.Name, PermissionSet.PermissionsModifyAllData, "
    "PermissionSet.PermissionsViewAllData, PermissionSet.PermissionsCustomizeApplication "
    "FROM PermissionSetAssignment WHERE PermissionSet.PermissionsModifyAllData = true "
    "OR PermissionSet.PermissionsViewAllData = true OR PermissionSet.PermissionsCustomizeApplication = true"
)
SOQL_MFA = ("SELECT UserId, HasSalesforceAuthenticator, HasTotp, HasU2F, HasBuiltInAuthenticator, "
            "HasUserVerifiedMobileNumber, HasUserVerifiedEmailAddress FROM TwoFactorMethodsInfo")
SOQL_USERS = ("SELECT Id, Username, Name, Email, IsActive, UserType, Profile.Name, FederationIdentifier, "
              "LastLoginDate, CreatedDate FROM User")
SOQL_CONNECTED_APPS = ("SELECT Id, Name, CreatedDate, CreatedBy.Name, CreatedBy.Email, StartUrl, "
                       "OptionsAllowAdminApprovedUsersOnly, OptionsRefreshTokenValidityMetric "
                       "FROM ConnectedApplication")
SOQL_OAUTH_TOKENS = "SELECT Id, AppName, UserId, User.Username, CreatedDate, LastUsedDate, UseCount FROM OauthToken"
SOQL_PACKAGES = ("SELECT Id, SubscriberPackageId, SubscriberPackage.Name, SubscriberPackage.NamespacePrefix, "
                 "SubscriberPackageVersion.Name, SubscriberPackageVersion.MajorVersion, "
                 "SubscriberPackageVersion.MinorVersion FROM InstalledSubscriberPackage")
SOQL_NAMED_CREDENTIALS = "SELECT Id, DeveloperName, MasterLabel, Endpoint FROM NamedCredential"
SOQL_REMOTE_SITES = "SELECT Id, SiteName, EndpointUrl, IsActive, DisableProtocolSecurity FROM RemoteProxy"

T = TypeVar("T")


class SalesforceConnector(Connector):
    id = "salesforce"
    title = "Salesforce"
    vendor = "salesforce"
    category = "crm"
    description = "Salesforce orgs through the REST and Tooling query APIs (read-only SOQL)."
    collects = (
        "organisation (edition, instance)",
        "users: active, profile, user type, last login, SSO federation id",
        "admin rights: Modify All Data / View All Data / Customize Application via permission sets and profiles",
        "MFA registration (TwoFactorMethodsInfo)",
        "connected apps and OAuth tokens per app and user (last used, use count)",
        "installed packages (Tooling InstalledSubscriberPackage)",
        "outbound endpoints: Named Credentials and Remote Site Settings, with URL scheme",
    )
    permissions = (
        "a connected app with the OAuth client credentials flow, run as a dedicated integration user",
        "OAuth scope: api (nothing more; no refresh_token, no full)",
        "integration user: API Enabled, View Setup and Configuration, View All Users",
        "to read MFA registration (TwoFactorMethodsInfo): Manage Multi-Factor Authentication in API",
        "an object the user may not read is reported as a coverage gap, never as a clean result",
    )
    default_base_url = None  # every org has its own My Domain URL
    credentials = CredentialSpec(
        fields=(
            CredentialField("client_id", "consumer key of a connected app with the client credentials flow",
                            secret=False),
            CredentialField("client_secret", "consumer secret of that connected app"),
            CredentialField("access_token", "a ready OAuth access token (instead of client_id + client_secret)"),
        ),
        combinations=(("client_id", "client_secret"), ("access_token",)),
        plain="access_token",
    )
    options = {
        "api_version": Option("REST API version, e.g. '62.0'", default="62.0"),
        "batch_size": Option("query batch size, 200 to 2000 (Sforce-Query-Options)", default=2000, type=int),
    }
    # Salesforce documents a rolling 24-hour request allowance and at most 25 concurrent long-running
    # requests per org; there is no per-second limit. We stay well inside both.
    rate_limit = RateLimit(requests=50, per_seconds=1.0, concurrency=25)
    read_only_requests = (ReadOnlyRequest("POST", rf"{TOKEN_PATH}$", "OAuth 2.0 token request"),)

    def collect(self, ctx: ScanContext) -> None:
        token, instance_url = authenticate(ctx)
        session = ctx.session(base_url=instance_url)
        session.headers["Authorization"] = f"Bearer {token}"
        client = SalesforceClient(session, str(ctx.options["api_version"]),
                                  batch_size=max(200, min(2000, int(ctx.options["batch_size"]))))
        conn = ctx.connection

        orgs = list(client.query(SOQL_ORGANIZATION))
        if not orgs:
            raise ApiError("the Organization query returned no row")
        org = transform.organization(conn, instance_url, orgs[0])
        ctx.add(org)
        tenant = org.id

        # Five independent families at once; within the first, admin rights and MFA registration (which every
        # user record needs) are read together before the users stream through page by page.
        ctx.together(
            lambda: _read_users(ctx, client, tenant),
            lambda: _read_apps(ctx, client, tenant),
            lambda: _area(ctx, "InstalledSubscriberPackage", lambda: _each(
                client.query(SOQL_PACKAGES, tooling=True),
                lambda raw: ctx.add(transform.installed_package(conn, tenant, raw))), default=None),
            *(functools.partial(_area, ctx, source, functools.partial(_read_endpoints, ctx, client, tenant, source,
                                                                      soql, tooling), default=None)
              for source, soql, tooling in (("NamedCredential", SOQL_NAMED_CREDENTIALS, False),
                                            ("RemoteProxy", SOQL_REMOTE_SITES, True))),
        )


def _read_users(ctx: ScanContext, client: SalesforceClient, tenant: str) -> None:
    no_rights: dict[str, set[str]] = {}
    rights, mfa = ctx.together(
        lambda: _area(ctx, "PermissionSetAssignment", lambda: transform.admin_rights(
            client.query(SOQL_ADMIN_ASSIGNMENTS)), default=no_rights),
        lambda: _area(ctx, "TwoFactorMethodsInfo", lambda: transform.mfa_state(client.query(SOQL_MFA)), default=None),
    )
    _area(ctx, "User", lambda: _each(client.query(SOQL_USERS), lambda raw: ctx.add(
        transform.user(ctx.connection, tenant, raw, rights=rights, mfa=mfa))), default=None)


def _read_apps(ctx: ScanContext, client: SalesforceClient, tenant: str) -> None:
    conn = ctx.connection
    no_apps: list[Integration] = []
    apps, tokens = ctx.together(
        lambda: _area(ctx, "ConnectedApplication", lambda: [
            transform.connected_app(conn, tenant, raw) for raw in client.query(SOQL_CONNECTED_APPS)], default=no_apps),
        lambda: _area(ctx, "OauthToken", lambda: list(client.query(SOQL_OAUTH_TOKENS)), default=None),
    )
    if tokens is None:
        ctx.add_all(apps)
        return
    all_apps, credentials, flows = transform.oauth_usage(conn, tenant, apps, tokens)
    ctx.add_all(all_apps)
    ctx.add_all(credentials)
    ctx.add_all(flows)
    ctx.add_all(transform.external_app(app) for app in all_apps if app.users)


def _read_endpoints(ctx: ScanContext, client: SalesforceClient, tenant: str, source: str, soql: str,
                    tooling: bool) -> None:
    for raw in client.query(soql, tooling=tooling):
        pair = transform.outbound_endpoint(ctx.connection, tenant, raw, source=source)
        if pair is not None:
            ctx.add(*pair)


def _each(items: Iterator[T], action: Callable[[T], None]) -> None:
    for item in items:
        action(item)


def _area(ctx: ScanContext, area: str, read: Callable[[], T], *, default: T) -> T:
    """Read one area; if the org refuses it (permission, feature off), record a coverage gap and go on."""
    try:
        return read()
    except AuthenticationError:
        raise
    except ApiError as exc:
        if exc.code in NOT_PERMITTED or exc.status == 403:
            ctx.gap(area, f"not readable with this user's permissions: {exc.message}", exc)
            return default
        raise
