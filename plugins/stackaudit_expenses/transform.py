"""Export rows in, discovered systems out. Pure: no I/O, no clock ("still paid" is judged against the
export's own last date, so a re-read of the same file gives the same records).

1. :func:`charges` parses each row (date, amount with either decimal mark, cardholder) and says which rows it
   could not read;
2. :func:`subscriptions` groups charges by merchant and keeps the recurring ones: at least two charges a
   week, a month, a quarter or a year apart (the median interval decides), or one charge a recognised SaaS
   product's memo calls annual;
3. only SaaS becomes a system: a recognised product, or a merchant whose descriptor or memos say software;
4. :func:`system` turns a subscription into an external :class:`~stackaudit.System` with the product's vendor
   and domain when recognised, and every cardholder as an owner hint.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
import statistics
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from stackaudit import Evidence, OwnerHint, System, SystemKind, external_id
from stackaudit_expenses.merchants import Product, display_name, looks_like_saas, merchant_key, recognise, words
from stackaudit_expenses.reader import Row

# Median days between charges → cadence, and how long after the last charge a subscription still counts as paid.
CADENCES = (("weekly", 5, 9, 7), ("monthly", 25, 35, 31), ("quarterly", 80, 100, 92), ("annual", 350, 380, 366))
GRACE_DAYS = 10
ANNUAL_WORDS = frozenset({"ANNUAL", "YEARLY", "YEAR", "ANNUALLY"})
MAX_PROBLEMS_LISTED = 5
_EMAIL = re.compile(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+")


@dataclasses.dataclass(frozen=True)
class Charge:
    line: int
    day: date
    merchant: str  # the descriptor as the statement shows it
    amount: Decimal  # positive: money paid
    currency: str
    cardholder: str
    cardholder_email: str
    memo: str


@dataclasses.dataclass(frozen=True)
class Subscription:
    key: str
    product: Product | None
    charges: tuple[Charge, ...]  # oldest first
    cadence: str
    still_paid: bool

    @property
    def name(self) -> str:
        return self.product.name if self.product else display_name(self.key)


def parse_amount(text: str) -> Decimal:
    """``"1,234.56"``, ``"1.234,56"``, ``"-€29,00"``, ``"(19.99)"`` → Decimal; ValueError if not a number."""
    raw = text.strip()
    negative = raw.startswith("-") or (raw.startswith("(") and raw.endswith(")")) or raw.endswith("-")
    digits = re.sub(r"[^0-9.,]", "", raw)
    if not re.search(r"\d", digits):
        raise ValueError(f"amount {text!r} is not a number")
    if "," in digits and "." in digits:
        decimal_mark = "," if digits.rfind(",") > digits.rfind(".") else "."
    elif "," in digits:
        decimal_mark = "," if re.search(r",\d{1,2}$", digits) else ""
    else:
        decimal_mark = "." if re.search(r"\.\d{1,2}$", digits) or digits.count(".") == 1 else ""
    thousands = {",", "."} - {decimal_mark}
    cleaned = "".join(c for c in digits if c not in thousands).replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"amount {text!r} is not a number") from None
    return -value if negative else value


def parse_date(text: str, date_format: str) -> date:
    """A row's date: ISO 8601 unless ``date_format`` (strptime) says otherwise."""
    value = text.strip()
    try:
        if date_format:
            return datetime.strptime(value, date_format).date()
        return datetime.fromisoformat(value).date()
    except ValueError:
        expected = date_format or "YYYY-MM-DD"
        raise ValueError(f"date {text!r} is not {expected} (set options.date_format, e.g. \"%d/%m/%Y\")") from None


def cardholder_of(name: str, email: str) -> tuple[str, str]:
    """(name, email) from the cardholder columns: ``"Dev Patel <dev@x>"``, an email alone, or a name alone."""
    found = _EMAIL.search(email) or _EMAIL.search(name)
    address = found.group(0).lower() if found else ""
    person = re.sub(r"<[^>]*>", "", name).strip()
    return ("" if person.lower() == address else person), address


def charges(rows: Iterable[Row], *, date_format: str = "", currency: str = "") -> tuple[list[Charge], list[str]]:
    """The payments in the rows (refunds and zero amounts left out), and a note per row that could not be read.

    Card programmes disagree on the sign of a payment; the sign most rows carry is taken as "paid".
    """
    parsed: list[tuple[Row, date, Decimal]] = []
    problems: list[str] = []
    for row in rows:
        values = row.values
        try:
            if not values["merchant"]:
                raise ValueError("no merchant")
            parsed.append((row, parse_date(values["date"], date_format), parse_amount(values["amount"])))
        except ValueError as exc:
            problems.append(f"line {row.line}: {exc}")
    negatives = sum(1 for _, _, amount in parsed if amount < 0)
    sign = -1 if negatives > len(parsed) / 2 else 1
    out = []
    for row, day, amount in parsed:
        paid = amount * sign
        if paid <= 0:
            continue
        name, email = cardholder_of(row.values["cardholder"], row.values.get("cardholder_email", ""))
        out.append(Charge(line=row.line, day=day, merchant=row.values["merchant"], amount=paid,
                          currency=(row.values.get("currency") or currency).upper(), cardholder=name,
                          cardholder_email=email, memo=row.values["memo"]))
    return out, problems


def cadence_of(days: list[date]) -> str:
    """weekly / monthly / quarterly / annual from the median interval between distinct charge dates, or ""."""
    distinct = sorted(set(days))
    if len(distinct) < 2:
        return ""
    median = statistics.median((b - a).days for a, b in itertools.pairwise(distinct))
    for name, low, high, _period in CADENCES:
        if low <= median <= high:
            return name
    return ""


def subscriptions(paid: Iterable[Charge]) -> list[Subscription]:
    """The recurring SaaS payments among the charges, by name."""
    paid = sorted(paid, key=lambda c: (c.day, c.line))
    if not paid:
        return []
    export_end = paid[-1].day
    groups: dict[str, list[Charge]] = {}
    products: dict[str, Product | None] = {}
    for charge in paid:
        product = recognise(charge.merchant)
        key = product.name.upper() if product else merchant_key(charge.merchant)
        groups.setdefault(key, []).append(charge)
        products[key] = product
    out = []
    for key, group in groups.items():
        product = products[key]
        cadence = cadence_of([c.day for c in group])
        if not cadence and product is not None and len(group) == 1 and ANNUAL_WORDS & set(words(group[0].memo)):
            cadence = "annual"
        if not cadence:
            continue
        if product is None and not looks_like_saas(group[0].merchant, [c.memo for c in group]):
            continue
        period = next(p for name, _low, _high, p in CADENCES if name == cadence)
        still_paid = group[-1].day + timedelta(days=period + GRACE_DAYS) >= export_end
        out.append(Subscription(key, product, tuple(group), cadence, still_paid))
    return sorted(out, key=lambda s: s.name)


def _money(value: Decimal) -> float:
    return float(value.quantize(Decimal("0.01")))


def system(connection: str, subscription: Subscription, *, source: str) -> System:
    """The discovered system a subscription stands for: external, owned by whoever pays for it."""
    product = subscription.product
    group = subscription.charges
    owners: dict[tuple[str, str], OwnerHint] = {}
    for charge in reversed(group):  # the latest payer first
        owners.setdefault((charge.cardholder_email, charge.cardholder),
                          OwnerHint("cardholder", email=charge.cardholder_email, name=charge.cardholder))
    periods_per_year = {"weekly": 52, "monthly": 12, "quarterly": 4, "annual": 1}[subscription.cadence]
    currencies = sorted({c.currency for c in group if c.currency})
    lines = ", ".join(str(c.line) for c in group)
    return System(
        id=external_id(name=subscription.name),
        evidence=(Evidence(connection, f"card export {source}", f"lines {lines}"),),
        name=subscription.name,
        vendor=product.vendor if product else "",
        system_kind=SystemKind.EXTERNAL,
        category=product.category if product else "",
        domain=product.domain if product else "",
        owners=tuple(owners.values()),
        attributes={
            "discovered_by": "card payments",
            "merchant": group[-1].merchant,
            "cadence": subscription.cadence,
            "charges": len(group),
            "first_charge": group[0].day.isoformat(),
            "last_charge": group[-1].day.isoformat(),
            "last_amount": _money(group[-1].amount),
            "yearly_cost": _money(group[-1].amount * periods_per_year),
            "currency": "/".join(currencies),
            "still_paid": subscription.still_paid,
        },
    )
