"""Reading vendor JSON defensively (stackaudit.vendor_data) and URLs that cannot be parsed."""

from __future__ import annotations

import pytest

from stackaudit.redaction import redact_url, strip_url
from stackaudit.vendor_data import as_mapping, as_mappings, as_strings, split_url


@pytest.mark.parametrize("value", [None, [], [1], "text", 3, 2.5, True])
def test_anything_but_an_object_reads_as_an_empty_object(value: object) -> None:
    assert as_mapping(value) == {}
    assert as_mapping({"a": 1}) == {"a": 1}


def test_lists_keep_only_the_items_of_the_expected_type() -> None:
    assert as_mappings([{"a": 1}, "x", None, [2], {"b": 2}]) == [{"a": 1}, {"b": 2}]
    assert as_mappings({"a": 1}) == [] and as_mappings("ab") == [] and as_mappings(None) == []
    assert as_strings(["a", 1, None, "b", {"c": 1}]) == ["a", "b"]
    assert as_strings("ab") == []


@pytest.mark.parametrize("url", ["https://[::1/x", "https://host.example:port/x", "http://host.example:99999/", 7])
def test_a_url_that_cannot_be_parsed_has_no_host_and_strips_to_nothing(url: object) -> None:
    assert split_url(url).hostname is None
    if isinstance(url, str):
        assert strip_url(url) == ""
        assert isinstance(redact_url(url), str)  # never raises: error messages quote such URLs


def test_a_good_url_is_split_as_usual() -> None:
    parts = split_url("https://user:pw@Hooks.Example.com:8443/p?q=1")
    assert (parts.hostname, parts.port, parts.path) == ("hooks.example.com", 8443, "/p")
    assert strip_url("https://user:pw@Hooks.Example.com:8443/p?q=1") == "https://hooks.example.com:8443/p"
