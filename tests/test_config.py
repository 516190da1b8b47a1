"""stackaudit.toml validation: every error names the file, the line, the key and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from stackaudit.config import STARTER_CONFIG, load_config
from stackaudit.errors import ConfigError
from stackaudit.model import DataCategory


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "stackaudit.toml"
    path.write_text(text)
    return path


GOOD = """
[organization]
name = "Northwind"
email_domains = ["@Northwind.example"]

[[connection]]
name = "sf"
connector = "salesforce"
base_url = "https://northwind.my.salesforce.com"
options = { api_version = "61.0" }
rate_limit = { requests = 10, per_seconds = 1 }

[[system]]
id = "salesforce"
vendor = "salesforce"
owner = "ana@northwind.example"
data = ["pii", "contact"]
system_of_record = ["contact"]

[policy]
stale_credential_days = 30
max_admin_share = 1

[[waiver]]
finding = "security-admin-without-mfa"
reason = "break-glass account"
expires = "2027-01-31"
"""


def test_a_valid_config_loads_with_types(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD))
    assert config.organization == "Northwind"
    assert config.email_domains == ("northwind.example",)
    (connection,) = config.connections
    assert connection.options == {"api_version": "61.0"}
    assert connection.rate_limit is not None and connection.rate_limit.per_seconds == 1.0
    (system,) = config.systems
    assert system.name == "salesforce"  # defaults to the id
    assert system.data == (DataCategory.PII, DataCategory.CONTACT)
    assert config.policy.stale_credential_days == 30
    assert config.policy.max_admin_share == 1.0
    assert config.waivers[0].expires == "2027-01-31"


def test_the_starter_config_is_valid(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, STARTER_CONFIG.format(organization="Example")))
    assert [c.connector for c in config.connections] == ["salesforce"]


@pytest.mark.parametrize(("text", "line", "key", "fix"), [
    ('[[connection]]\nname = "a"\n', 1, "connection[0]", 'add connector = "…"'),
    ('[[connection]]\nname = "a"\nconnector = "x"\nbase_url = "example.com"\n', 4, "connection[0].base_url",
     "https://host"),
    ('[[connection]]\nname = "a"\nconnector = "x"\n[[connection]]\nname = "a"\nconnector = "y"\n', 5,
     "connection[1].name", "unique name"),
    ('[organization]\nname = "x"\nemail_domain = ["a.example"]\n', 3, "organization.email_domain", "email_domains"),
    ('[[system]]\nid = "x"\nvendor = "v"\ndata = ["pii", "secrets"]\n', 4, "system[0].data", "contact"),
    ('[[system]]\nid = "x"\nvendor = "v"\nowner = "ana"\n', 4, "system[0].owner", "email"),
    ('[policy]\nstale_credential_days = "ninety"\n', 2, "policy.stale_credential_days", "= 90"),
    ('[policy]\ninactive_user_days = -1\n', 2, "policy.inactive_user_days", ">= 0"),
    ('[[waiver]]\nfinding = "x"\nreason = "y"\nexpires = "next year"\n', 4, "waiver[0].expires", "YYYY-MM-DD"),
    ('[[connection]]\nname = "a b"\nconnector = "x"\n', 2, "connection[0].name", "letters, digits"),
])
def test_invalid_configs_name_the_line_key_and_fix(tmp_path: Path, text: str, line: int, key: str, fix: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    error = raised.value
    assert error.line == line
    assert key in error.key
    assert fix in error.fix
    assert str(path) in str(error)
    assert "\n" not in str(error)


def test_toml_syntax_errors_point_at_the_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as raised:
        load_config(write(tmp_path, '[organization]\nname = Northwind\n'))
    assert raised.value.line == 2
    assert "invalid TOML" in str(raised.value)


def test_missing_file_says_how_to_create_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as raised:
        load_config(tmp_path / "nope.toml")
    assert "stackaudit init" in raised.value.fix
