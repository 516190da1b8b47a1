"""An emulated Salesforce org: OAuth token endpoint, REST and Tooling query with real SOQL result shapes.

Supports the SOQL the connector (and a reasonable plugin author) sends: ``SELECT fields FROM Object`` with
relationship fields (``Profile.Name``), ``WHERE`` with ``=``/``!=`` terms joined by ``AND``/``OR``, and
``LIMIT``. Unknown objects and fields give Salesforce's own ``INVALID_TYPE``/``INVALID_FIELD`` errors, so a
typo in a connector's query fails here as it would against a real org.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Mapping
from typing import Any

from stackaudit.emulator import (
    EmulatedVendor,
    Request,
    Response,
    Router,
    Tenant,
    TenantSpec,
    json_response,
    repeat_cursor,
)

# Field names per object as Salesforce defines them (the subset the emulator serves).
SCHEMA: dict[str, set[str]] = {
    "Organization": {"Id", "Name", "OrganizationType", "InstanceName", "IsSandbox", "Country", "CreatedDate"},
    "User": {"Id", "Username", "Name", "Email", "IsActive", "UserType", "Profile.Name", "ProfileId",
             "FederationIdentifier", "LastLoginDate", "CreatedDate"},
    "PermissionSetAssignment": {"Id", "AssigneeId", "PermissionSetId", "PermissionSet.Name", "PermissionSet.Label",
                                "PermissionSet.IsOwnedByProfile", "PermissionSet.PermissionsModifyAllData",
                                "PermissionSet.PermissionsViewAllData",
                                "PermissionSet.PermissionsCustomizeApplication"},
    "TwoFactorMethodsInfo": {"Id", "UserId", "HasSalesforceAuthenticator", "HasTotp", "HasU2F",
                             "HasBuiltInAuthenticator", "HasUserVerifiedMobileNumber",
                             "HasUserVerifiedEmailAddress", "HasTempCode"},
    "ConnectedApplication": {"Id", "Name", "CreatedDate", "CreatedById", "CreatedBy.Name", "CreatedBy.Email",
                             "StartUrl", "MobileStartUrl", "OptionsAllowAdminApprovedUsersOnly",
                             "OptionsRefreshTokenValidityMetric", "LastModifiedDate"},
    "OauthToken": {"Id", "AppName", "AppMenuItemId", "UserId", "User.Username", "CreatedDate", "LastUsedDate",
                   "UseCount"},
    "NamedCredential": {"Id", "DeveloperName", "MasterLabel", "Endpoint", "PrincipalType"},
}
TOOLING_SCHEMA: dict[str, set[str]] = {
    "InstalledSubscriberPackage": {"Id", "SubscriberPackageId", "SubscriberPackage.Name",
                                   "SubscriberPackage.NamespacePrefix", "SubscriberPackageVersion.Name",
                                   "SubscriberPackageVersion.MajorVersion", "SubscriberPackageVersion.MinorVersion"},
    "RemoteProxy": {"Id", "SiteName", "EndpointUrl", "IsActive", "DisableProtocolSecurity", "Description"},
}
# The sObject type behind each relationship name, for the nested records' ``attributes``.
RELATIONSHIP_TYPES = {"Profile": "Profile", "PermissionSet": "PermissionSet", "CreatedBy": "User", "User": "User",
                      "SubscriberPackage": "SubscriberPackage", "SubscriberPackageVersion": "SubscriberPackageVersion"}

_SOQL = re.compile(r"^\s*SELECT\s+(?P<fields>.+?)\s+FROM\s+(?P<object>\w+)"
                   r"(?:\s+WHERE\s+(?P<where>.+?))?(?:\s+LIMIT\s+(?P<limit>\d+))?\s*$", re.IGNORECASE | re.DOTALL)
_TERM = re.compile(r"^\s*(?P<field>[\w.]+)\s*(?P<op>!=|=)\s*(?P<value>'[^']*'|true|false|null|-?\d+(?:\.\d+)?)\s*$",
                   re.IGNORECASE)
DEFAULT_BATCH = 2000


def _error(status: int, code: str, message: str) -> Response:
    return json_response([{"message": message, "errorCode": code}], status)


class SoqlError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _literal(text: str) -> Any:
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered == "null":
        return None
    if text.startswith("'"):
        return text[1:-1]
    return float(text) if "." in text else int(text)


def _value(record: Mapping[str, Any], path: str) -> Any:
    value: Any = record
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _matches(record: Mapping[str, Any], where: str) -> bool:
    for alternative in re.split(r"\s+OR\s+", where, flags=re.IGNORECASE):
        terms = re.split(r"\s+AND\s+", alternative, flags=re.IGNORECASE)
        if all(_term(record, term) for term in terms):
            return True
    return False


def _term(record: Mapping[str, Any], term: str) -> bool:
    match = _TERM.match(term)
    if not match:
        raise SoqlError("MALFORMED_QUERY", f"unexpected token: '{term.strip()}'")
    actual, expected = _value(record, match["field"]), _literal(match["value"])
    return bool(actual == expected) if match["op"] == "=" else bool(actual != expected)


def run_soql(soql: str, objects: Mapping[str, list[dict[str, Any]]], schema: Mapping[str, set[str]],
             denied: set[str], version: str) -> list[dict[str, Any]]:
    match = _SOQL.match(soql)
    if not match:
        raise SoqlError("MALFORMED_QUERY", "unexpected token: expected SELECT ... FROM ...")
    sobject = match["object"]
    if sobject not in schema or sobject in denied:
        raise SoqlError("INVALID_TYPE", f"sObject type '{sobject}' is not supported. If you are attempting to use "
                        "a custom object, be sure to append the '__c' after the entity name.")
    fields = [f.strip() for f in match["fields"].split(",")]
    for field in fields:
        if field not in schema[sobject]:
            raise SoqlError("INVALID_FIELD", f"No such column '{field}' on entity '{sobject}'.")
    where = match["where"]
    if where:
        for term in re.split(r"\s+(?:AND|OR)\s+", where, flags=re.IGNORECASE):
            term_match = _TERM.match(term)
            if term_match and term_match["field"] not in schema[sobject]:
                raise SoqlError("INVALID_FIELD", f"No such column '{term_match['field']}' on entity '{sobject}'.")
    rows = [r for r in objects.get(sobject, []) if not where or _matches(r, where)]
    if match["limit"]:
        rows = rows[: int(match["limit"])]
    return [_project(row, sobject, fields, version) for row in rows]


def _project(row: Mapping[str, Any], sobject: str, fields: list[str], version: str) -> dict[str, Any]:
    out: dict[str, Any] = {"attributes": {"type": sobject,
                                          "url": f"/services/data/v{version}/sobjects/{sobject}/{row.get('Id', '')}"}}
    for field in fields:
        head, _, rest = field.partition(".")
        if not rest:
            out[head] = row.get(head)
            continue
        related = row.get(head)
        if related is None:
            out[head] = None
            continue
        nested = out.setdefault(head, {"attributes": {
            "type": RELATIONSHIP_TYPES.get(head, head),
            "url": f"/services/data/v{version}/sobjects/{RELATIONSHIP_TYPES.get(head, head)}/{related.get('Id', '')}"}})
        nested[rest] = related.get(rest)
    return out


class SalesforceEmulator(EmulatedVendor):
    id = "salesforce"
    router = Router()

    def authenticate(self, request: Request, tenant: Tenant) -> Response | None:
        token = request.bearer()
        with tenant.lock:
            issued = token in tenant.state.get("tokens", set())
        if token and (issued or token == tenant.credentials.get("access_token")):
            return None
        return _error(401, "INVALID_SESSION_ID", "Session expired or invalid")

    def not_found(self, request: Request, tenant: Tenant) -> Response:
        return _error(404, "NOT_FOUND", "The requested resource does not exist")

    def rate_limited(self, request: Request, tenant: Tenant, retry_after: float) -> Response:
        return _error(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")

    def fault(self, kind: str, request: Request, tenant: Tenant, response: Response) -> Response | None:
        # Salesforce's rate-limit answer is the 24-hour allowance, not a transient error: no "vendor" fault.
        if kind == "cursor" and "cursor" in request.params:
            return repeat_cursor(response, ("nextRecordsUrl",), request.path)
        return None

    def demo_tenant(self, scale: int = 1, *, clean: bool = False) -> TenantSpec:
        from stackaudit_salesforce.demo import demo_tenant

        return demo_tenant(scale, clean=clean)


router = SalesforceEmulator.router


@router.post("/services/oauth2/token", auth=False)
def token(request: Request, tenant: Tenant) -> Response:
    form = request.form()
    if form.get("grant_type") != "client_credentials":
        return json_response({"error": "unsupported_grant_type", "error_description": "grant type not supported"}, 400)
    expected = tenant.credentials
    if (form.get("client_id") != expected.get("client_id") or not expected.get("client_secret")
            or form.get("client_secret") != expected.get("client_secret")):
        return json_response({"error": "invalid_client", "error_description": "invalid client credentials"}, 400)
    access_token = "00D" + secrets.token_urlsafe(24)
    with tenant.lock:
        tenant.state.setdefault("tokens", set()).add(access_token)
    return json_response({
        "access_token": access_token,
        "instance_url": tenant.base_url,
        "id": f"{tenant.base_url}/id/{tenant.data['objects']['Organization'][0]['Id']}/005000000000001AAA",
        "token_type": "Bearer",
        "issued_at": "1700000000000",
        "signature": secrets.token_urlsafe(32),
    })


@router.get("/services/data/", auth=False)
def versions(request: Request, tenant: Tenant) -> Response:
    return json_response([{"label": "Winter '25", "url": "/services/data/v62.0", "version": "62.0"}])


def _query(request: Request, tenant: Tenant, *, tooling: bool) -> Response:
    version = request.params["version"].lstrip("v")
    soql = request.arg("q")
    if not soql:
        return _error(400, "MALFORMED_QUERY", "A query string has to be specified")
    objects = tenant.data.get("tooling" if tooling else "objects", {})
    try:
        rows = run_soql(soql, objects, TOOLING_SCHEMA if tooling else SCHEMA, set(tenant.data.get("denied", [])),
                        version)
    except SoqlError as exc:
        return _error(400, exc.code, str(exc))
    batch = _batch_size(request)
    # The same query gets the same locator (the data does not change), so runs are repeatable.
    locator = "01g" + hashlib.sha256(f"{tooling}|{version}|{soql}".encode()).hexdigest()[:16]
    with tenant.lock:
        tenant.state.setdefault("cursors", {})[locator] = rows
    return _page(rows, 0, batch, locator, version, tooling)


def _batch_size(request: Request) -> int:
    options = request.header("sforce-query-options")
    match = re.search(r"batchSize=(\d+)", options)
    return max(200, min(2000, int(match.group(1)))) if match else DEFAULT_BATCH


def _page(rows: list[dict[str, Any]], offset: int, batch: int, locator: str, version: str,
          tooling: bool) -> Response:
    chunk = rows[offset: offset + batch]
    done = offset + batch >= len(rows)
    body: dict[str, Any] = {"totalSize": len(rows), "done": done, "records": chunk}
    if tooling:
        body = {"size": len(rows), "totalSize": len(rows), "done": done, "queryLocator": None if done else locator,
                "entityTypeName": chunk[0]["attributes"]["type"] if chunk else None, "records": chunk}
    if not done:
        kind = "tooling/query" if tooling else "query"
        body["nextRecordsUrl"] = f"/services/data/v{version}/{kind}/{locator}-{offset + batch}"
    return json_response(body, headers={"Sforce-Limit-Info": "api-usage=1/100000"})


def _more(request: Request, tenant: Tenant, *, tooling: bool) -> Response:
    locator, _, offset = request.params["cursor"].rpartition("-")
    with tenant.lock:
        rows = tenant.state.get("cursors", {}).get(locator)
    if rows is None or not offset.isdigit():
        return _error(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
    return _page(rows, int(offset), _batch_size(request), locator, request.params["version"].lstrip("v"), tooling)


# Salesforce answers ``query`` and ``query/`` alike (simple-salesforce sends the latter).
for _slash in ("", "/"):
    router.add("GET", "/services/data/{version}/query" + _slash, lambda r, t: _query(r, t, tooling=False))
    router.add("GET", "/services/data/{version}/tooling/query" + _slash, lambda r, t: _query(r, t, tooling=True))
router.add("GET", "/services/data/{version}/query/{cursor}", lambda r, t: _more(r, t, tooling=False))
router.add("GET", "/services/data/{version}/tooling/query/{cursor}", lambda r, t: _more(r, t, tooling=True))
