"""The expenses connector: reads the export (get), finds the recurring SaaS payments (transform), hands the
discovered systems to the scan."""

from __future__ import annotations

from pathlib import Path

from stackaudit import Connector, ConnectorError, CredentialSpec, Option, ScanContext
from stackaudit_expenses import reader, transform


class ExpensesConnector(Connector):
    id = "expenses"
    title = "Expense / corporate-card export"
    vendor = "expenses"
    category = "finance"
    description = ("Recurring SaaS payments in an expense or corporate-card export (CSV): the tools people pay "
                   "for on company cards, whether or not anyone connected them to single sign-on.")
    collects = (
        "recurring payments to SaaS products (weekly, monthly, quarterly, annual), as discovered external systems",
        "the product's vendor and domain when the card descriptor is recognised",
        "every cardholder who paid, as an owner hint; cadence, yearly cost, first and last charge",
    )
    permissions = (
        "no API access: export the card programme's or expense tool's transactions as CSV with the columns "
        "date, merchant, amount, cardholder and memo (cardholder_email and currency are read when present)",
    )
    default_base_url = ""  # a local file, not an HTTP API
    credentials = CredentialSpec(fields=(), combinations=())  # none needed
    options = {
        "path": Option("the CSV export to read (relative paths are taken from the working directory)"),
        "date_format": Option("how dates are written, as for strptime; empty: ISO 8601 (2026-05-04)", default=""),
        "currency": Option("the currency of the amounts when the export has no currency column", default=""),
    }

    def collect(self, ctx: ScanContext) -> None:
        path = ctx.options.get("path")
        if not path:
            raise ConnectorError(f"connection {ctx.connection!r} names no export file",
                                 fix='add options = { path = "card-export.csv" } to the connection')
        export = reader.read_export(Path(path))
        paid, problems = transform.charges(export.rows, date_format=ctx.options["date_format"],
                                           currency=ctx.options["currency"])
        if problems:
            listed = "; ".join(problems[:transform.MAX_PROBLEMS_LISTED])
            more = len(problems) - transform.MAX_PROBLEMS_LISTED
            ctx.gap("rows", f"{len(problems)} row(s) of {export.name} could not be read: {listed}"
                    + (f"; and {more} more" if more > 0 else ""))
        for subscription in transform.subscriptions(paid):
            ctx.add(transform.system(ctx.connection, subscription, source=export.name))
