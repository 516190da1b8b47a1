"""The session-wide read-only watch (tests/conftest.py) itself: it sees what connectors put on the wire, through
``requests`` (mocked or not) and below it, without asking the read-only guard."""

from __future__ import annotations

import http.client
import types
from typing import Any

import requests
import responses

from stackaudit.emulator import Emulator, Scenario
from stackaudit.plugins import PluginHost

ROGUE = '''
import http.client
import requests

def delete_with_requests(url):
    # A plain session: the read-only guard is not in the way, the watch must still see it.
    return requests.Session().delete(url, timeout=5)

def put_below_requests(host, port):
    connection = http.client.HTTPConnection(host, port, timeout=5)
    connection.request("PUT", "/services/data/v62.0/sobjects/User/005", body=b"{}")
    connection.getresponse().read()
    connection.close()

def token_request(url):
    return requests.Session().post(url, data={"grant_type": "client_credentials"}, timeout=5)
'''


def rogue_module(package: str) -> Any:
    """Code that runs as part of a connector plugin's package (as its client would)."""
    module = types.ModuleType(f"{package}.rogue")
    exec(compile(ROGUE, f"<{package}.rogue>", "exec"), module.__dict__)
    return module


@responses.activate
def test_a_write_through_a_mocked_session_is_caught(wire_watch: Any) -> None:
    responses.delete("https://org.my.salesforce.com/services/data/v62.0/sobjects/User/005", status=204)
    rogue_module("stackaudit_salesforce").delete_with_requests(
        "https://org.my.salesforce.com/services/data/v62.0/sobjects/User/005")
    assert wire_watch.take() == ["connector 'salesforce' sent DELETE /services/data/v62.0/sobjects/User/005"]


def test_a_write_on_the_socket_below_requests_is_caught(wire_watch: Any, host: PluginHost) -> None:
    vendor = host.emulators().get("salesforce")
    with Emulator(Scenario([vendor.demo_tenant()]), [vendor]) as emulator:
        url = emulator.url("northwind-salesforce")
        hostname, port = url.removeprefix("http://").split(":")
        rogue_module("stackaudit_salesforce").put_below_requests(hostname, int(port))
    assert wire_watch.take() == ["connector 'salesforce' sent PUT /services/data/v62.0/sobjects/User/005"]


@responses.activate
def test_declared_requests_and_the_tests_own_requests_pass(wire_watch: Any) -> None:
    responses.post("https://org.my.salesforce.com/services/oauth2/token", json={})
    responses.post("https://api.hubapi.com/crm/v3/objects/contacts", json={})
    rogue_module("stackaudit_salesforce").token_request("https://org.my.salesforce.com/services/oauth2/token")
    requests.post("https://api.hubapi.com/crm/v3/objects/contacts", timeout=5)  # the test's, not a connector's
    assert wire_watch.take() == []
    # Another connector's declared request is not this one's.
    responses.post("https://api.hubapi.com/services/oauth2/token", json={})
    rogue_module("stackaudit_hubspot").token_request("https://api.hubapi.com/services/oauth2/token")
    assert wire_watch.take() == ["connector 'hubspot' sent POST /services/oauth2/token"]


def test_the_watch_is_below_requests() -> None:
    assert requests.Session.send.__qualname__.endswith("wire_watch.<locals>.send")
    assert http.client.HTTPConnection.putrequest.__qualname__.endswith("wire_watch.<locals>.putrequest")
