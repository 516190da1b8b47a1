"""Reading the export file: the connector's only I/O (its "get").

A CSV with a header row; the columns ``date``, ``merchant``, ``amount``, ``cardholder`` and ``memo`` are
required, ``cardholder_email`` and ``currency`` are read when present. Header names are compared without case,
spaces or hyphens, and the usual spellings of card programmes' exports are accepted (``Transaction Date``,
``Merchant Name``, ``Card Holder``, ``Notes``, …). The delimiter (comma, semicolon or tab) is detected, and a
byte-order mark from a spreadsheet is skipped.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from pathlib import Path

from stackaudit import ConnectorError

REQUIRED = ("date", "merchant", "amount", "cardholder", "memo")
OPTIONAL = ("cardholder_email", "currency")
ALIASES = {
    "transaction_date": "date", "posted_date": "date", "posting_date": "date",
    "merchant_name": "merchant", "payee": "merchant", "vendor": "merchant",
    "card_holder": "cardholder", "cardholder_name": "cardholder", "employee": "cardholder", "user": "cardholder",
    "notes": "memo", "note": "memo", "purpose": "memo",
    "card_holder_email": "cardholder_email", "employee_email": "cardholder_email", "user_email": "cardholder_email",
    "email": "cardholder_email",
}
FIX_COLUMNS = "export with the columns date, merchant, amount, cardholder and memo (or rename them in the header row)"


@dataclasses.dataclass(frozen=True)
class Row:
    """One data row: its line number in the file and its values by column name."""

    line: int
    values: dict[str, str]


@dataclasses.dataclass(frozen=True)
class Export:
    name: str  # the file name, for evidence
    rows: list[Row]


def column(header: str) -> str:
    """``"Transaction Date"`` → ``"date"``; ``"Card-Holder"`` → ``"cardholder"``."""
    key = re.sub(r"[\s\-]+", "_", header.strip().lower().lstrip("\ufeff"))
    return ALIASES.get(key, key)


def read_export(path: Path) -> Export:
    """Every row of the export, or a :class:`ConnectorError` saying what is wrong with the file."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConnectorError(f"expense export {path} not found",
                             fix="set the connection's options.path to the CSV file") from None
    except UnicodeDecodeError:
        raise ConnectorError(f"expense export {path} is not UTF-8 text",
                             fix="export the file again as CSV (UTF-8)") from None
    except OSError as exc:
        raise ConnectorError(f"cannot read expense export {path}: {exc.strerror}",
                             fix="check the file's permissions") from None
    first_line = text.split("\n", 1)[0]
    if not first_line.strip():
        raise ConnectorError(f"expense export {path} has no header row", fix=FIX_COLUMNS)
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(first_line, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    header = [column(h) for h in next(reader)]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise ConnectorError(f"expense export {path.name} has no {', '.join(missing)} column "
                             f"(its columns: {', '.join(header)})", fix=FIX_COLUMNS)
    wanted = [name for name in (*REQUIRED, *OPTIONAL) if name in header]
    rows = []
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue
        by_name = dict(zip(header, cells, strict=False))
        rows.append(Row(reader.line_num, {name: by_name.get(name, "").strip() for name in wanted}))
    return Export(path.name, rows)
