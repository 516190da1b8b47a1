"""Scan a real WordPress (Debian's package, MariaDB, PHP) and check the inventory is exactly what was set up."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from stackaudit_wordpress import WordPressConnector
from wordpress_site import ACTIVATED, PLUGIN_STUBS, RealWordPress

from stackaudit import Account, AccountKind, AuthenticationError, Credential, Flow, Integration, System, TriState
from stackaudit.config import Config, Connection
from stackaudit.credentials import CredentialStore, env_var_name
from stackaudit.engine import run_scan
from stackaudit.model import CoverageStatus, Inventory
from stackaudit.testing import run_connector


def scan(site: RealWordPress, host: Any, login: str, password_name: str) -> Inventory:
    credentials = {"username": login, "application_password": site.passwords[login][password_name]}
    store = CredentialStore(environ={env_var_name("real-wordpress"): json.dumps(credentials)}, use_keyring=False)
    config = Config(connections=(Connection("real-wordpress", "wordpress", site.base_url, {}),))
    return run_scan(config, host.connectors(), store=store)


def test_inventory_of_a_real_site_matches_what_was_set_up(real_wordpress: RealWordPress, host: Any) -> None:
    site = real_wordpress
    before = datetime.now(UTC)
    inventory = scan(site, host, "erin", "stackaudit")

    (result,) = inventory.connections
    assert result.status is CoverageStatus.COMPLETE, inventory.gaps
    assert inventory.gaps == []

    (tenant,) = [s for s in inventory.of(System) if s.vendor == "wordpress"]
    port = site.base_url.rsplit(":", 1)[1]
    assert tenant.id == f"real-wordpress:tenant:127.0.0.1:{port}"
    assert tenant.name == "Northwind Test Blog" and tenant.url == site.base_url
    assert "wp/v2" in str(tenant.attributes["namespaces"]).split(",")
    assert tenant.attributes["application_passwords_available"] is True
    assert tenant.attributes["rest_url_form"] == "wp-json"
    assert tenant.attributes["two_factor_plugin"] == "Two Factor"
    assert tenant.attributes["users"] == 3
    # WordPress lists authors of published posts to anyone: the admin wrote "Hello world!" at install.
    assert tenant.attributes["public_user_list"] is True and tenant.attributes["public_user_count"] == 1

    accounts = {a.username: a for a in inventory.of(Account)}
    assert {name: (a.email, a.name, a.roles, a.admin, a.account_kind) for name, a in accounts.items()} == {
        "erin": ("erin.walsh@northwind.example", "Erin Walsh", ("administrator",), True, AccountKind.HUMAN),
        "sam": ("sam.editor@northwind.example", "Sam Editor", ("editor",), False, AccountKind.HUMAN),
        "reader": ("reader@mail.example", "Rita Reader", ("subscriber",), False, AccountKind.GUEST),
    }
    assert {name: a.id for name, a in accounts.items()} == {
        login: f"real-wordpress:user:{user_id}" for login, user_id in site.users.items()}
    assert all(a.mfa is TriState.UNKNOWN for a in accounts.values())  # a 2FA plugin is active; enrolment unknown
    assert [name for name, a in accounts.items() if a.attributes["publicly_listed"]] == ["erin"]
    assert all(a.created_at and before - timedelta(minutes=5) < a.created_at <= before for a in accounts.values())

    plugins = {i.attributes["plugin"]: i for i in inventory.of(Integration)}
    expected = {file.removesuffix(".php"): (fields["Plugin Name"], fields["Version"], file in ACTIVATED)
                for file, fields in PLUGIN_STUBS.items()}
    expected["akismet/akismet"] = ("Akismet Anti-Spam", site.akismet_version, False)
    assert {file: (i.name, i.attributes["version"], i.enabled) for file, i in plugins.items()} == expected
    assert plugins["leadin/leadin"].publisher == "HubSpot"

    flows = {f.target: f for f in inventory.of(Flow)}
    assert set(flows) == {"external:app:hubspot", "external:app:mailchimp", "external:app:google-analytics"}
    assert all(f.flow_kind == "plugin" and f.source == tenant.id for f in flows.values())
    assert {s.id: s.vendor for s in inventory.of(System) if s.system_kind.value == "external"} == {
        "external:app:hubspot": "hubspot", "external:app:mailchimp": "mailchimp",
        "external:app:google-analytics": "google_analytics"}

    credentials = {c.name: c for c in inventory.of(Credential)}
    assert {name: (c.fingerprint, c.account) for name, c in credentials.items()} == {
        "stackaudit": (site.uuids["stackaudit"], accounts["erin"].id),
        "Old deploy script": (site.uuids["Old deploy script"], accounts["erin"].id),
        "Editor audit": (site.uuids["Editor audit"], accounts["sam"].id),
    }
    # WordPress recorded the scan's own use of its password, and nothing else was ever used.
    used = credentials["stackaudit"]
    assert used.last_used_at is not None and before - timedelta(minutes=1) < used.last_used_at
    assert used.attributes["last_ip"] == "127.0.0.1"
    assert credentials["Old deploy script"].last_used_at is None

    dumped = inventory.dumps()
    assert not any(p in dumped for passwords in site.passwords.values() for p in passwords.values())
    assert {method for method, _ in site.requests_seen()} == {"GET"}


def test_an_editor_sees_gaps_where_wordpress_refuses(real_wordpress: RealWordPress, host: Any) -> None:
    inventory = scan(real_wordpress, host, "sam", "Editor audit")

    assert inventory.connections[0].status is CoverageStatus.PARTIAL
    assert {g.area for g in inventory.gaps} == {"plugins", "users"}
    assert all(g.error == "PermissionDeniedError" for g in inventory.gaps)
    (account,) = inventory.of(Account)
    assert account.username == "sam" and account.roles == ("editor",)
    assert {c.name for c in inventory.of(Credential)} == {"Editor audit"}


def test_a_wrong_application_password_is_refused(real_wordpress: RealWordPress) -> None:
    with pytest.raises(AuthenticationError):
        run_connector(WordPressConnector, base_url=real_wordpress.base_url,
                      credentials={"username": "erin", "application_password": "aaaa bbbb cccc dddd eeee ffff"})


def test_setup_stays_fast(real_wordpress: RealWordPress) -> None:
    assert real_wordpress.setup_seconds < 60, f"real WordPress took {real_wordpress.setup_seconds}s to set up"
