"""Expenses connector: reading card exports, finding recurring SaaS payments, and the demo's card export."""

from __future__ import annotations

import tomllib
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from stackaudit_expenses import ExpensesConnector, ExpensesDemo, transform
from stackaudit_expenses.merchants import merchant_key, recognise
from stackaudit_expenses.reader import Row, read_export

from stackaudit import ConnectorError, OwnerHint, System, SystemKind
from stackaudit.demo import demo_config_text
from stackaudit.plugins import PluginHost
from stackaudit.testing import assert_complete, gaps, one, records, run_connector, scan_emulated
from stackaudit.testing.pytest_plugin import StartEmulator

HEADER = "date,merchant,amount,cardholder,memo\n"


def monthly(merchant: str, amount: str, cardholder: str, memo: str, *, months: int = 6,
            start: date = date(2025, 12, 5)) -> str:
    return "".join(f"{(start + timedelta(days=30 * n)).isoformat()},{merchant},{amount},{cardholder},{memo}\n"
                   for n in range(months))


def export(tmp_path: Path, body: str, header: str = HEADER, name: str = "card.csv") -> Path:
    path = tmp_path / name
    path.write_text(header + body, encoding="utf-8")
    return path


def scan(path: Path, **options: str) -> list[System]:
    ctx = run_connector(ExpensesConnector, options={"path": str(path), **options})
    assert all(isinstance(r, System) for r in ctx.records)
    return records(ctx, System)


# -- reading the file --------------------------------------------------------------------------------------


def test_headers_are_matched_loosely_and_the_delimiter_detected(tmp_path: Path) -> None:
    path = export(tmp_path, '2026-01-04;ZAPIER.COM/CHARGE;73,50;Chloe Martin;"Zapier; team plan"\n',
                  header="\ufeffTransaction Date;Merchant Name;Amount;Card Holder;Notes\n")
    (row,) = read_export(path).rows
    assert row == Row(2, {"date": "2026-01-04", "merchant": "ZAPIER.COM/CHARGE", "amount": "73,50",
                          "cardholder": "Chloe Martin", "memo": "Zapier; team plan"})


def test_a_missing_column_names_the_columns_needed(tmp_path: Path) -> None:
    path = export(tmp_path, "", header="date,merchant,amount\n")
    with pytest.raises(ConnectorError, match=r"card.csv has no cardholder, memo column \(its columns: date, "
                                             r"merchant, amount\)") as raised:
        read_export(path)
    assert raised.value.fix.startswith("export with the columns date, merchant, amount, cardholder and memo")


def test_a_missing_file_says_which_option_to_fix(tmp_path: Path) -> None:
    with pytest.raises(ConnectorError, match="not found") as raised:
        run_connector(ExpensesConnector, options={"path": str(tmp_path / "nope.csv")})
    assert "options.path" in raised.value.fix
    with pytest.raises(ConnectorError, match="names no export file"):
        run_connector(ExpensesConnector)


@pytest.mark.parametrize(("text", "value"), [
    ("29.00", "29.00"), ("1,234.56", "1234.56"), ("1.234,56", "1234.56"), ("73,50", "73.50"),
    ("-€29,00", "-29.00"), ("(19.99)", "-19.99"), ("$ 1,200", "1200"), ("12", "12"),
])
def test_amounts_in_either_notation(text: str, value: str) -> None:
    assert transform.parse_amount(text) == Decimal(value)


def test_rows_that_cannot_be_read_are_a_coverage_gap_and_the_rest_is_kept(tmp_path: Path) -> None:
    body = monthly("CALENDLY", "12.00", "Dev Patel", "Calendly") + "31/02/2026,HOTJAR,39.00,Farah,x\n" \
        + "2026-03-01,HOTJAR,n/a,Farah,x\n"
    ctx = run_connector(ExpensesConnector, options={"path": str(export(tmp_path, body))})
    (gap,) = gaps(ctx, "rows")
    assert gap.reason == ("2 row(s) of card.csv could not be read: line 8: date '31/02/2026' is not YYYY-MM-DD "
                          "(set options.date_format, e.g. \"%d/%m/%Y\"); line 9: amount 'n/a' is not a number")
    assert one(ctx, System).name == "Calendly"


def test_a_date_format_option_reads_day_first_dates(tmp_path: Path) -> None:
    body = "".join(f"05/{m:02d}/2026,CALENDLY,12.00,Dev,x\n" for m in range(1, 5))
    (system,) = scan(export(tmp_path, body), date_format="%d/%m/%Y")
    assert system.attributes["first_charge"] == "2026-01-05"


# -- recurring SaaS payments ---------------------------------------------------------------------------------


def test_recurring_saas_payments_become_external_systems_owned_by_the_cardholder(tmp_path: Path) -> None:
    body = (monthly("ZAPIER.COM/CHARGE", "73.50", "Chloe Martin <Chloe.Martin@northwind.example>", "Zapier Pro")
            + monthly("WEWORK 3 DUBLIN", "450.00", "Ana Lima", "hot desks")
            + "2026-01-15,AER LINGUS,389.20,Chloe Martin,flights\n")
    (zapier,) = scan(export(tmp_path, body))
    assert zapier.id == "external:app:zapier"
    assert (zapier.name, zapier.vendor, zapier.domain, zapier.category) == ("Zapier", "zapier", "zapier.com",
                                                                          "automation")
    assert zapier.system_kind is SystemKind.EXTERNAL
    assert zapier.owners == (OwnerHint("cardholder", email="chloe.martin@northwind.example", name="Chloe Martin"),)
    assert dict(zapier.attributes) == {
        "discovered_by": "card payments", "merchant": "ZAPIER.COM/CHARGE", "cadence": "monthly", "charges": 6,
        "first_charge": "2025-12-05", "last_charge": "2026-05-04", "last_amount": 73.5, "yearly_cost": 882.0,
        "currency": "", "still_paid": True,
    }
    (evidence,) = zapier.evidence
    assert (evidence.connection, evidence.source, evidence.object_id) == ("test", "card export card.csv",
                                                                          "lines 2, 3, 4, 5, 6, 7")


def test_an_unknown_merchant_counts_only_when_it_looks_like_software(tmp_path: Path) -> None:
    body = (monthly("SQ *HEADLINR PRO 88213", "15.00", "Chloe", "headline testing subscription")
            + monthly("FREENOW*TAXI DUBLIN", "15.00", "Dev", "taxi")
            + monthly("PIXELWAVE.IO", "9.00", "Dev", "x", start=date(2025, 12, 9)))
    systems = scan(export(tmp_path, body))
    assert [(s.id, s.vendor) for s in systems] == [("external:app:headlinr-pro", ""), ("external:app:pixelwave-io", "")]


def test_one_processor_descriptor_per_charge_is_one_merchant() -> None:
    assert merchant_key("CANVA* I04123987") == merchant_key("CANVA* I09912345") == "CANVA"
    assert recognise("CANVA* I04123987") is not None and recognise("PADDLE.NET* HOTJAR").vendor == "hotjar"  # type: ignore[union-attr]
    assert recognise("ZOOMCAR RENTALS") is None


@pytest.mark.parametrize(("days", "cadence"), [
    ([0, 7, 14, 21], "weekly"), ([0, 31, 59, 90], "monthly"), ([0, 91, 182], "quarterly"), ([0, 365], "annual"),
    ([0, 3, 50, 51], ""), ([0], ""),
])
def test_cadence_is_the_median_interval(days: list[int], cadence: str) -> None:
    assert transform.cadence_of([date(2025, 1, 1) + timedelta(days=d) for d in days]) == cadence


def test_a_single_annual_charge_of_a_known_product_is_a_subscription(tmp_path: Path) -> None:
    body = ("2025-09-02,CANVA* I04123987,110.00,Dev Patel,Canva Pro annual plan\n"
            "2025-10-02,DROPBOX,11.99,Dev Patel,one month trial\n"
            "2026-05-30,AER LINGUS,99.00,Dev Patel,flight\n")
    (canva,) = scan(export(tmp_path, body))
    assert (canva.name, canva.attributes["cadence"], canva.attributes["still_paid"]) == ("Canva", "annual", True)


def test_a_subscription_no_longer_charged_says_so(tmp_path: Path) -> None:
    body = monthly("CALENDLY", "12.00", "Dev", "x", months=3) + "2026-05-30,AER LINGUS,99.00,Dev,flight\n"
    (calendly,) = scan(export(tmp_path, body))
    assert calendly.attributes["last_charge"] == "2026-02-03"
    assert calendly.attributes["still_paid"] is False


def test_refunds_are_not_payments_whichever_sign_the_export_uses(tmp_path: Path) -> None:
    charges = monthly("HOTJAR LTD", "-39.00", "Farah", "x") + "2026-02-06,HOTJAR LTD,39.00,Farah,refund\n"
    (hotjar,) = scan(export(tmp_path, charges))
    assert (hotjar.attributes["charges"], hotjar.attributes["last_amount"]) == (6, 39.0)


def test_every_payer_is_an_owner_hint_latest_first(tmp_path: Path) -> None:
    body = monthly("NOTION LABS", "8.00", "Erin Walsh", "x", months=3) + monthly(
        "NOTION LABS", "8.00", "dev.patel@northwind.example", "x", months=3, start=date(2026, 3, 5))
    (notion,) = scan(export(tmp_path, body))
    assert notion.owners == (OwnerHint("cardholder", email="dev.patel@northwind.example"),
                             OwnerHint("cardholder", name="Erin Walsh"))


# -- the plugin and the demo ---------------------------------------------------------------------------------


def test_registered_as_a_connector_needing_no_credentials(plugin_host: PluginHost) -> None:
    assert plugin_host.connectors().owner("expenses") == "expenses"
    assert not plugin_host.connectors().get("expenses").credentials.required
    assert isinstance(plugin_host.emulators().get("expenses"), ExpensesDemo)


def test_demo_card_export_is_scanned_as_part_of_the_demo(emulator: StartEmulator, plugin_host: PluginHost) -> None:
    running = emulator(ExpensesDemo())
    connection = tomllib.loads(demo_config_text(running))["connection"][0]
    assert connection["name"] == "northwind-expenses" and "base_url" not in connection
    assert Path(connection["options"]["path"]).name == "northwind-card-export.csv"

    inventory = scan_emulated(running, "northwind-expenses", plugin_host.connectors())

    assert_complete(inventory)
    owners = {s.name: [o.email for o in s.owners] for s in records(inventory, System)}
    assert owners == {
        "Zapier": ["chloe.martin@northwind.example"], "Headlinr Pro": ["chloe.martin@northwind.example"],
        "Calendly": ["dev.patel@northwind.example"], "Typeform": ["dev.patel@northwind.example"],
        "Canva": ["dev.patel@northwind.example"], "Hotjar": ["farah.haddad@northwind.example"],
        "Mailchimp": ["gus.novak@northwind.example"],
    }
    assert all(s.system_kind is SystemKind.EXTERNAL and s.attributes["still_paid"] for s in records(inventory, System))
    assert records(inventory, System, name="Wework 3 Dublin") == []


def test_clean_demo_export_pays_only_for_sanctioned_systems(emulator: StartEmulator, plugin_host: PluginHost) -> None:
    running = emulator(ExpensesDemo(), clean=True)

    inventory = scan_emulated(running, "northwind-expenses", plugin_host.connectors())

    assert_complete(inventory)
    assert {(s.vendor, s.owners[0].email) for s in records(inventory, System)} == {
        ("hubspot", "chloe.martin@northwind.example"), ("mailchimp", "chloe.martin@northwind.example"),
        ("contentful", "erin.walsh@northwind.example"), ("netlify", "erin.walsh@northwind.example"),
    }
