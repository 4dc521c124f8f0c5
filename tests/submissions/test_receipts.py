"""The PDF receipt shows what a citizen sent, in their language, and survives odd input."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from PIL import Image as PILImage
from pypdf import PdfReader

from amtsweg.submissions.receipts import (
    Answer,
    Fee,
    FeeItem,
    FeeKind,
    Letterhead,
    ReceiptData,
    Section,
    address_lines,
    format_euros,
    render_receipt,
)


def coat_of_arms(kind: str) -> bytes:
    image = io.BytesIO()
    PILImage.new("RGB", (40, 50), (11, 83, 148)).save(image, kind)
    return image.getvalue()


RECEIPT = ReceiptData(
    tenant=Letterhead(
        "Gemeinde Musterstadt",
        ("Rathausplatz 1", "12345 Musterstadt"),
        phone="+49 1234 5678",
        email="buergerbuero@musterstadt.example",
        coat_of_arms=coat_of_arms("PNG"),
    ),
    form_title="Sperrmüll anmelden",
    reference="MUS-2026-000123",
    submitted_at=datetime(2026, 3, 12, 13, 5, tzinfo=UTC),  # 14:05 in Berlin (CET)
    sections=(
        Section(
            "Angaben zur Person",
            (
                Answer("Name", "Jürgen Weiß"),
                Answer(
                    "Anschrift",
                    address_lines(
                        {
                            "street": "Heidestraße",
                            "house_number": "17",
                            "zip": "51147",
                            "city": "Köln",
                            "country": "DE",
                        }
                    ),
                ),
                Answer("Bemerkung", "Bitte <b>x</b> & <script>alert(1)</script> beachten"),
                Answer("Zufahrt frei", value=True),
            ),
        ),
        Section(
            "Gegenstände",
            (
                Answer(
                    "Gegenstände",
                    items=(
                        (Answer("Art", "Sofa"), Answer("Elektrogerät", value=False)),
                        (Answer("Art", "Kühlschrank"), Answer("Elektrogerät", value=True)),
                    ),
                ),
            ),
        ),
    ),
    files=("Foto Sofa.jpg",),
    fee=Fee(FeeKind.DUE, (FeeItem("Grundgebühr", 1000), FeeItem("Je Gegenstand", 1600, 2)), 2600),
    payment_status="Bezahlt",
)


def pages(data: ReceiptData) -> list[str]:
    pdf = render_receipt(data)
    assert pdf.startswith(b"%PDF-")
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def lines(data: ReceiptData) -> list[str]:
    return [line.strip() for page in pages(data) for line in page.splitlines()]


def test_german_receipt_shows_tenant_reference_time_answers_and_fee() -> None:
    text = lines(RECEIPT)
    for expected in (
        "Gemeinde Musterstadt",
        "Telefon: +49 1234 5678",
        "Eingangsbestätigung",
        "Sperrmüll anmelden",
        "MUS-2026-000123",
        "12.03.2026, 14:05 Uhr",
        "Jürgen Weiß",
        "Heidestraße 17",
        "51147 Köln",
        "Zufahrt frei",
        "Ja",
        "Nein",
        "1.",
        "Kühlschrank",
        "Je Gegenstand (\u00d7 2)",
        "10,00 €",
        "16,00 €",
        "26,00 €",
        "Bezahlt",
        "Seite 1 von 1",
    ):
        assert expected in text, expected
    assert any(line.endswith("Foto Sofa.jpg") for line in text)  # after a bullet


def test_person_given_markup_is_printed_literally() -> None:
    assert "Bitte <b>x</b> & <script>alert(1)</script> beachten" in lines(RECEIPT)


def test_tenant_texts_are_escaped_too() -> None:
    tenant = replace(RECEIPT.tenant, name="Amt <Nord> & Süd", coat_of_arms=coat_of_arms("JPEG"))
    assert "Amt <Nord> & Süd" in lines(replace(RECEIPT, tenant=tenant))


def test_english_receipt() -> None:
    text = lines(replace(RECEIPT, locale="en", form_title="Bulky waste collection"))
    for expected in (
        "Receipt",
        "Reference number",
        "Mar 12, 2026, 14:05 (German time)",
        "Yes",
        "No",
        "€26.00",
        "Total",
        "Page 1 of 1",
    ):
        assert expected in text, expected


def test_summer_time_is_berlin_time() -> None:
    july = replace(RECEIPT, submitted_at=datetime(2026, 7, 1, 22, 30, tzinfo=UTC))
    assert "02.07.2026, 00:30 Uhr" in lines(july)


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (FeeKind.FREE, "Dieser Antrag ist gebührenfrei."),
        (FeeKind.BY_NOTICE, "Die Gebühr wird später durch Bescheid festgesetzt."),
    ],
)
def test_receipt_without_payment_says_why(kind: FeeKind, expected: str) -> None:
    text = lines(replace(RECEIPT, fee=Fee(kind), payment_status=""))
    assert expected in text
    assert "Gesamt" not in text


def test_long_answers_wrap_and_continue_on_numbered_pages() -> None:
    long_text = "Ein sehr langer Text über die Straßenführung " * 40
    many = tuple(Answer(f"Frage {n}", long_text) for n in range(1, 8))
    receipt = replace(RECEIPT, sections=(Section("Viel Text", many),))
    printed = pages(receipt)
    assert len(printed) >= 2
    assert f"Seite 2 von {len(printed)}" in printed[1]
    assert "Frage 7" in "".join(printed)


def test_euros_are_formatted_from_cents_without_floats() -> None:
    assert format_euros(123456789, "de") == "1.234.567,89 €"
    assert format_euros(123456789, "en") == "€1,234,567.89"
    assert format_euros(5, "de") == "0,05 €"
    assert format_euros(-1999, "en") == "-€19.99"


def test_a_time_without_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        render_receipt(replace(RECEIPT, submitted_at=datetime(2026, 3, 12, 13, 5)))  # noqa: DTZ001


def test_names_beyond_western_european_letters_are_printed() -> None:
    names = "Łukasz Wiśniewski, Şahin Yılmaz, Ольга Петрова, Αλέξανδρος"  # noqa: RUF001 - real names
    first = RECEIPT.sections[0]
    named = replace(first, answers=(Answer("Name", names), *first.answers))
    receipt = replace(RECEIPT, sections=(named, *RECEIPT.sections[1:]))
    assert names in lines(receipt)
