"""The HKR export as the treasury opens it: every column, both variants, no formulas."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from amtsweg.payment.export import COLUMNS, Row, render
from amtsweg.payment.models import Payment, PaymentStatus, Refund

PAID_AT = dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC)  # 1 January 2027 in Berlin


def row(**payment: object) -> Row:
    paid = Payment(
        kassenzeichen="MUS-2026-000042-3",
        amount_cents=123450,
        currency="EUR",
        succeeded_at=PAID_AT,
        provider="stripe",
        provider_payment_id="pi_3Q",
        payer="Jürgen Müller",
        status=PaymentStatus.PARTIALLY_REFUNDED,
    )
    for name, value in payment.items():
        setattr(paid, name, value)
    refunds = (Refund(amount_cents=1000), Refund(amount_cents=5))
    return Row(paid, "MUS-2026-000042", "1.1200.43100", "PARK-01", refunds)


def read(data: bytes, *, excel: bool) -> list[dict[str, str]]:
    text = data.decode("utf-8-sig" if excel else "utf-8")
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";" if excel else ","))


def test_the_plain_variant_is_rfc_4180_csv_with_every_column() -> None:
    data = render([row()], excel=False)

    assert data.startswith(b"kassenzeichen,haushaltsstelle,")
    assert data.count(b"\r\n") == 2
    assert read(data, excel=False) == [
        {
            "kassenzeichen": "MUS-2026-000042-3",
            "haushaltsstelle": "1.1200.43100",
            "objektnummer": "PARK-01",
            "betrag": "1234.50",
            "waehrung": "EUR",
            "buchungsdatum": "2027-01-01",
            "zahlungsdienst": "stripe",
            "transaktions_id": "pi_3Q",
            "zahler": "Jürgen Müller",
            "antrag": "MUS-2026-000042",
            "status": "partially_refunded",
            "erstattet": "10.05",
        }
    ]


def test_the_excel_variant_has_semicolons_decimal_commas_and_a_byte_order_mark() -> None:
    data = render([row()], excel=True)

    assert data.startswith("\ufeffkassenzeichen;".encode())
    assert data.count(b"\r\n") == 2
    (exported,) = read(data, excel=True)
    assert (exported["betrag"], exported["erstattet"]) == ("1234,50", "10,05")
    assert exported["zahler"] == "Jürgen Müller"


def test_what_a_payment_does_not_know_stays_empty() -> None:
    (exported,) = read(
        render([row(succeeded_at=None, provider_payment_id=None, payer=None)], excel=False),
        excel=False,
    )

    assert (exported["buchungsdatum"], exported["transaktions_id"], exported["zahler"]) == (
        "",
        "",
        "",
    )


def test_without_payments_only_the_header_is_exported() -> None:
    assert render([], excel=False) == (",".join(COLUMNS) + "\r\n").encode()


@pytest.mark.parametrize("payer", ["=HYPERLINK(\"http://x\")", "+49 1", "-2+3", "@SUM(A1)",
                                   "\tx", "\rx"])  # fmt: skip
@pytest.mark.parametrize("excel", [False, True])
def test_a_payer_s_name_never_becomes_a_formula(payer: str, excel: bool) -> None:
    (exported,) = read(render([row(payer=payer)], excel=excel), excel=excel)

    assert exported["zahler"] == "'" + payer
    assert exported["kassenzeichen"] == "MUS-2026-000042-3"
