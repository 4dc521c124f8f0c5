"""The export for the municipal accounting (HKR): one row per payment that moved money.

Columns are documented in docs/payment.md. Two variants: RFC 4180 CSV
(``,``, UTF-8) and German Excel (``;``, UTF-8 with BOM, decimal comma), so
that a treasury opens it with a double click.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from amtsweg.payment import money
from amtsweg.payment.models import Payment, Refund

TREASURY_ZONE = ZoneInfo("Europe/Berlin")

COLUMNS = (
    "kassenzeichen",
    "haushaltsstelle",
    "objektnummer",
    "betrag",
    "waehrung",
    "buchungsdatum",
    "zahlungsdienst",
    "transaktions_id",
    "zahler",
    "antrag",
    "status",
    "erstattet",
)


@dataclass(frozen=True, slots=True)
class Row:
    payment: Payment
    reference: str
    haushaltsstelle: str
    objektnummer: str
    refunds: tuple[Refund, ...]


def _amount(cents: int, *, excel: bool) -> str:
    return money.decimal_text(cents, "," if excel else ".")


def _values(row: Row, *, excel: bool) -> list[str]:
    payment = row.payment
    booked = (
        payment.succeeded_at.astimezone(TREASURY_ZONE).date().isoformat()
        if payment.succeeded_at
        else ""
    )
    return [
        payment.kassenzeichen,
        row.haushaltsstelle,
        row.objektnummer,
        _amount(payment.amount_cents, excel=excel),
        payment.currency,
        booked,
        payment.provider,
        payment.provider_payment_id or "",
        payment.payer or "",
        row.reference,
        payment.status.value,
        _amount(
            sum(refund.amount_cents for refund in row.refunds if refund.failed_at is None),
            excel=excel,
        ),
    ]


def render(rows: Iterable[Row], *, excel: bool) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";" if excel else ",", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([_safe(value) for value in _values(row, excel=excel)])
    data = buffer.getvalue().encode("utf-8")
    return b"\xef\xbb\xbf" + data if excel else data


def _safe(value: str) -> str:
    """A payer's name like ``=HYPERLINK(...)`` must stay text in a spreadsheet.

    Every cell that starts like a formula is quoted: no amount here is
    negative, so none is changed by it."""
    return "'" + value if value[:1] in {"=", "+", "-", "@", "\t", "\r"} else value
