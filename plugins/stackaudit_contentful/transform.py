"""Contentful CMA resources in, stackaudit inventory records out. Pure: no I/O, no clock.

Every Contentful resource carries a ``sys`` object; ``sys.id`` is its id and links to other resources are
``{"sys": {"type": "Link", "linkType": "User", "id": "…"}}``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from stackaudit import (
    Account,
    AccountKind,
    Credential,
    DataCategory,
    Evidence,
    Flow,
    Integration,
    OwnerHint,
    System,
    SystemKind,
    TriState,
    external_id,
    record_id,
)
from stackaudit.redaction import strip_url
from stackaudit.vendor_data import as_mapping, as_mappings, as_strings, split_url

SPACE_DATA = (DataCategory.CONTENT,)


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def sys_of(resource: Mapping[str, Any]) -> Mapping[str, Any]:
    sys = resource.get("sys")
    return sys if isinstance(sys, Mapping) else {}


def sys_id(resource: Mapping[str, Any]) -> str:
    return _str(sys_of(resource).get("id"))


def link_id(resource: Mapping[str, Any], *path: str) -> str:
    """The id of a link found at ``path`` (``link_id(membership, "sys", "user")``)."""
    node: Any = resource
    for key in path:
        node = node.get(key) if isinstance(node, Mapping) else None
    return sys_id(node) if isinstance(node, Mapping) else ""


def parse_time(value: Any) -> datetime | None:
    """Contentful timestamps: ISO 8601 in UTC, ``2024-05-01T12:34:56.789Z``."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def region_of(base_url: str) -> str:
    host = (split_url(base_url).hostname or "").lower()
    if host == "api.eu.contentful.com":
        return "eu"
    if host == "api.contentful.com":
        return "us"
    return ""


def web_app_url(base_url: str, space: str) -> str:
    host = "app.eu.contentful.com" if region_of(base_url) == "eu" else "app.contentful.com"
    return f"https://{host}/spaces/{space}"


def space_tenant_id(connection: str, space: str) -> str:
    return record_id(connection, "tenant", space)


def person(user: Mapping[str, Any] | None) -> tuple[str, str]:
    """(email, full name) of a Contentful user object, empty when unknown."""
    if not user:
        return "", ""
    name = " ".join(p for p in (_str(user.get("firstName")), _str(user.get("lastName"))) if p)
    return _str(user.get("email")).lower(), name


def owner_hint(role: str, user_id: str, users: Mapping[str, Mapping[str, Any]]) -> tuple[OwnerHint, ...]:
    if not user_id:
        return ()
    email, name = person(users.get(user_id))
    return (OwnerHint(role, email=email, name=name or user_id),)


def space(connection: str, base_url: str, raw: Mapping[str, Any], environments: Iterable[Mapping[str, Any]] | None,
          ) -> System:
    """A space as a tenant System. ``environments`` is None when they could not be listed."""
    space_id = sys_id(raw)
    names = [sys_id(e) for e in environments] if environments is not None else []
    aliases = sorted({alias for e in environments or [] for alias in
                      (sys_id(a) for a in as_mappings(sys_of(e).get("aliases"))) if alias})
    url = web_app_url(base_url, space_id)
    return System(
        id=space_tenant_id(connection, space_id),
        name=_str(raw.get("name")) or space_id,
        vendor="contentful",
        system_kind=SystemKind.TENANT,
        category="cms",
        url=url,
        domain=split_url(url).hostname or "",
        region=region_of(base_url),
        data=SPACE_DATA,
        attributes={
            "space_id": space_id,
            "organization_id": link_id(raw, "sys", "organization"),
            "environments": ",".join(names) if environments is not None else None,
            "environment_aliases": ",".join(aliases),
            "created_at": _str(sys_of(raw).get("createdAt")),
        },
        evidence=(Evidence(connection, "GET /spaces", space_id),),
    )


def webhook(connection: str, tenant: str, space_id: str, raw: Mapping[str, Any],
            users: Mapping[str, Mapping[str, Any]]) -> tuple[Flow, System] | None:
    """A webhook definition as an outbound flow of content to the host it calls."""
    url = _str(raw.get("url"))
    parts = split_url(url)
    if not parts.hostname:
        return None
    hook_id = sys_id(raw)
    topics = as_strings(raw.get("topics"))
    headers = as_mappings(raw.get("headers"))
    evidence = (Evidence(connection, f"GET /spaces/{space_id}/webhook_definitions", hook_id),)
    host = parts.hostname.lower()
    flow = Flow(
        id=record_id(connection, "webhook", f"{space_id}/{hook_id}"),
        source=tenant,
        target=external_id(host=host),
        flow_kind="webhook",
        data=SPACE_DATA,
        url=strip_url(url),
        scheme=parts.scheme.lower(),
        name=_str(raw.get("name")) or hook_id,
        active=raw.get("active") is not False,
        owners=owner_hint("created_by", link_id(raw, "sys", "createdBy"), users),
        attributes={
            "topics": ",".join(topics),
            "basic_auth": bool(raw.get("httpBasicUsername")),
            "secret_headers": sum(1 for h in headers if h.get("secret") is True),
            "filters": bool(raw.get("filters")),
            "space_id": space_id,
        },
        evidence=evidence,
    )
    port = f":{parts.port}" if parts.port else ""
    system = System(
        id=external_id(host=host),
        name=host,
        system_kind=SystemKind.EXTERNAL,
        url=f"{parts.scheme.lower()}://{host}{port}",
        domain=host,
        evidence=evidence,
    )
    return flow, system


def app_installation(connection: str, tenant: str, space_id: str, environment: str, raw: Mapping[str, Any],
                     definitions: Mapping[str, Mapping[str, Any]], users: Mapping[str, Mapping[str, Any]],
                     ) -> Integration:
    """An app installed in an environment. The installation names only its app definition; the name comes
    from the definitions the collection includes. Installation parameters may hold secrets: never read."""
    definition_id = link_id(raw, "sys", "appDefinition")
    definition = definitions.get(definition_id, {})
    sys = sys_of(raw)
    return Integration(
        id=record_id(connection, "app_installation", f"{space_id}/{environment}/{definition_id}"),
        system=tenant,
        name=_str(definition.get("name")) or definition_id,
        integration_kind="app_installation",
        client_id=definition_id,
        created_at=parse_time(sys.get("createdAt")),
        owners=owner_hint("installed_by", link_id(raw, "sys", "createdBy"), users),
        attributes={
            "environment": environment,
            "space_id": space_id,
            "app_definition_id": definition_id,
            "app_organization_id": link_id(definition, "sys", "organization"),
            "app_url": strip_url(_str(definition.get("src"))) if definition.get("src") else "",
        },
        evidence=(Evidence(connection, f"GET /spaces/{space_id}/environments/{environment}/app_installations",
                           definition_id),),
    )


def api_key(connection: str, tenant: str, space_id: str, raw: Mapping[str, Any], *, preview: bool,
            users: Mapping[str, Mapping[str, Any]]) -> Credential:
    """A Content Delivery (or Preview) API key. ``accessToken`` is the secret and is never read.

    Contentful does not report when a key was last used, so ``last_used_at`` stays empty and
    ``usage_tracked`` says so: an empty value here means "unknown", not "never used"."""
    key_id = sys_id(raw)
    environments = [sys_id(e) for e in as_mappings(raw.get("environments"))]
    creator_email, creator_name = person(users.get(link_id(raw, "sys", "createdBy")))
    api = "preview" if preview else "delivery"
    return Credential(
        id=record_id(connection, f"{api}_key", f"{space_id}/{key_id}"),
        system=tenant,
        credential_kind="delivery_key",
        name=_str(raw.get("name")) or key_id,
        created_at=parse_time(sys_of(raw).get("createdAt")),
        fingerprint=key_id,
        attributes={
            "api": api,
            "environments": ",".join(e for e in environments if e),
            "description": _str(raw.get("description")),
            "preview_key_id": link_id(raw, "preview_api_key"),
            "created_by": creator_email or creator_name,
            "usage_tracked": False,
            "space_id": space_id,
        },
        evidence=(Evidence(connection, f"GET /spaces/{space_id}/{'preview_api_keys' if preview else 'api_keys'}",
                           key_id),),
    )


def membership(connection: str, tenant: str, space_id: str, raw: Mapping[str, Any],
               users: Mapping[str, Mapping[str, Any]], roles: Mapping[str, str]) -> Account:
    """A space membership as an Account of the space. Contentful tells an admin its users' 2FA state
    (``2faEnabled``); when it is absent MFA stays unknown."""
    user_id = link_id(raw, "sys", "user") or link_id(raw, "user")
    user = as_mapping(users.get(user_id))
    email, name = person(user)
    role_names = tuple(roles.get(r, r) for r in
                       (sys_id(role) for role in as_mappings(raw.get("roles"))) if r)
    admin = raw.get("admin") is True
    two_factor = user.get("2faEnabled")
    activated = user.get("activated")
    return Account(
        id=record_id(connection, "user", f"{space_id}/{user_id}"),
        system=tenant,
        username=email or user_id,
        email=email,
        name=name,
        account_kind=AccountKind.HUMAN,
        active=activated is not False,
        admin=admin,
        roles=(("Admin",) if admin else ()) + role_names,
        mfa=TriState.of(two_factor) if isinstance(two_factor, bool) else TriState.UNKNOWN,
        sso=TriState.UNKNOWN,
        created_at=parse_time(sys_of(raw).get("createdAt")),
        attributes={
            "user_id": user_id,
            "membership_id": sys_id(raw),
            "sign_in_count": user.get("signInCount") if isinstance(user.get("signInCount"), int) else None,
            "confirmed": user.get("confirmed") if isinstance(user.get("confirmed"), bool) else None,
            "space_id": space_id,
        },
        evidence=(Evidence(connection, f"GET /spaces/{space_id}/space_memberships", sys_id(raw)),),
    )
