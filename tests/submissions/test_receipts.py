"""The PDF receipt shows what a citizen sent, in their language, archival and accessible.

The PDF/A and PDF/UA checks here are independent of the renderer: pikepdf (QPDF)
reads the file's catalogue, XMP, fonts, content streams and structure tree, pypdf
extracts the text, and the PyPI validators ``pdfua`` and ``outloud`` run their
rules. None of them is veraPDF (no veraPDF build can be installed from PyPI, npm
or Debian), so this is a strong subset of the machine checks, not a conformance
certificate.
"""

from __future__ import annotations

import functools
import io
import itertools
import random
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import outloud
import pdfua
import pikepdf
import pymupdf
import pytest
import segno
from flask_babel import force_locale
from PIL import Image as PILImage
from pypdf import PdfReader
from reportlab.pdfgen.canvas import Canvas

from amtsweg.app import create_app
from amtsweg.platform.config import Settings
from amtsweg.submissions import confirmation
from amtsweg.submissions.receipts import (
    Answer,
    Fee,
    FeeItem,
    FeeKind,
    Letterhead,
    ReceiptData,
    Section,
    Transfer,
    address_lines,
    format_euros,
)
from amtsweg.submissions.receipts import render_receipt as render_with_texts

POINTS_PER_MM = 72 / 25.4


@functools.cache
def catalogue_texts(locale: str) -> dict[str, str]:
    """The receipt's words as the app's translation catalogue has them."""
    app = create_app({"settings": Settings(env="test", database_url="sqlite://")})
    with app.app_context(), force_locale(locale):
        return confirmation.receipt_texts()


def render_receipt(data: ReceiptData) -> bytes:
    """Render as the app does: with the catalogue's words in the receipt's language."""
    return render_with_texts(replace(data, texts=data.texts or catalogue_texts(data.locale)))


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


def girocode_png() -> bytes:
    image = io.BytesIO()
    segno.make("BCD\n002\n1\nSCT\n\nStadtkasse\nDE02120300000000202051\nEUR26").save(
        image, kind="png", scale=4
    )
    return image.getvalue()


TRANSFER = Transfer(
    heading="Per Überweisung bezahlen",
    note="Scannen Sie den GiroCode.",
    girocode=girocode_png(),
    girocode_alt="GiroCode: 26,00 € an Stadtkasse",
    details=(("IBAN", "DE02120300000000202051"), ("Betrag", "26,00 €")),
)


def pages(data: ReceiptData) -> list[str]:
    pdf = render_receipt(data)
    assert pdf.startswith(b"%PDF-")
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def lines(data: ReceiptData) -> list[str]:
    return [line.strip() for page in pages(data) for line in page.splitlines()]


def text_of(data: ReceiptData) -> str:
    return "\n".join(lines(data))


def with_answers(*answers: Answer) -> ReceiptData:
    return replace(RECEIPT, sections=(Section("Angaben", answers), *RECEIPT.sections))


# -- what it shows ------------------------------------------------------------------------------


def test_german_receipt_shows_tenant_reference_time_answers_and_fee() -> None:
    text = lines(RECEIPT)
    for expected in (
        "Gemeinde Musterstadt",
        "Telefon: +49 1234 5678",
        "buergerbuero@musterstadt.example",
        "Eingangsbestätigung",
        "Sperrmüll anmelden",
        "Vorgangsnummer MUS-2026-000123",
        "Eingegangen am 12.03.2026, 14:05 Uhr",
        "Name Jürgen Weiß",
        "Anschrift Heidestraße 17",
        "51147 Köln",
        "Zufahrt frei Ja",
        "1.",
        "2.",
        "Art Kühlschrank",
        "Elektrogerät Nein",
        "• Foto Sofa.jpg",
        "Grundgebühr 10,00 €",
        "Je Gegenstand (\u00d7 2) 16,00 €",
        "Gesamt 26,00 €",
        "Zahlung Bezahlt",
        "Gemeinde Musterstadt · MUS-2026-000123 Seite 1 von 1",
    ):
        assert expected in text, expected


def test_english_receipt() -> None:
    text = lines(replace(RECEIPT, locale="en", form_title="Bulky waste collection"))
    for expected in (
        "Receipt",
        "Bulky waste collection",
        "Reference number MUS-2026-000123",
        "Submitted on Mar 12, 2026, 14:05 (German time)",
        "Question Answer",
        "Zufahrt frei Yes",
        "Elektrogerät No",
        "Uploaded files",
        "Total €26.00",
        "Payment Bezahlt",
        "Gemeinde Musterstadt · MUS-2026-000123 Page 1 of 1",
    ):
        assert expected in text, expected


def test_a_time_with_microseconds_as_stored_is_printed_to_the_minute() -> None:
    stored = replace(RECEIPT, submitted_at=datetime(2026, 3, 12, 13, 5, 59, 999999, tzinfo=UTC))
    assert "Eingegangen am 12.03.2026, 14:05 Uhr" in lines(stored)


def test_summer_time_is_berlin_time() -> None:
    july = replace(RECEIPT, submitted_at=datetime(2026, 7, 1, 22, 30, tzinfo=UTC))
    assert "Eingegangen am 02.07.2026, 00:30 Uhr" in lines(july)


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
    assert not any(line.startswith(("Gesamt", "Zahlung")) for line in text)


def test_a_long_answer_list_continues_on_numbered_pages() -> None:
    long_text = "Ein sehr langer Text über die Straßenführung " * 12
    many = tuple(Answer(f"Frage {n}", f"Antwort {n}: {long_text}") for n in range(1, 61))
    printed = pages(replace(RECEIPT, sections=(Section("Viel Text", many),)))
    total = len(printed)
    assert total >= 3
    for number, page in enumerate(printed, start=1):
        assert f"Seite {number} von {total}" in page
    everything = "".join(printed)
    assert all(f"Frage {n} Antwort {n}:" in everything for n in range(1, 61))
    assert "Frage Antwort" in printed[1]  # the table's header repeats on the next page


def test_the_file_copy_carries_the_kassenzeichen_and_says_what_it_is() -> None:
    copy = replace(RECEIPT, file_copy=True, cash_reference="5.0123.456789.1")
    text = lines(copy)
    assert "Antrag (Exemplar für die Akte)" in text
    assert "Eingangsbestätigung" not in text
    assert "Kassenzeichen 5.0123.456789.1" in text
    assert "Kassenzeichen" not in text_of(RECEIPT)
    english = lines(replace(copy, locale="en"))
    assert "Application (copy for the file)" in english
    assert "Payment reference (Kassenzeichen) 5.0123.456789.1" in english


def test_euros_are_formatted_from_cents_without_floats() -> None:
    assert format_euros(123456789, "de") == "1.234.567,89 €"
    assert format_euros(123456789, "en") == "€1,234,567.89"
    assert format_euros(5, "de") == "0,05 €"
    assert format_euros(-1999, "en") == "-€19.99"


def test_a_time_without_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        render_receipt(replace(RECEIPT, submitted_at=datetime(2026, 3, 12, 13, 5)))  # noqa: DTZ001


def test_the_same_submission_gives_the_same_bytes() -> None:
    """A repeated delivery of the same submission is recognisably the same document."""
    assert render_receipt(RECEIPT) == render_receipt(replace(RECEIPT))
    assert render_receipt(RECEIPT) != render_receipt(replace(RECEIPT, reference="MUS-2026-9"))


# -- what people type -------------------------------------------------------------------------

TYPED = (
    "#set text(red)",
    '#read("/etc/passwd")',
    "#sys.inputs",
    "] * _ $ \\ ` ~ @label <label>",
    "// no comment /* nor this */",
    "<script>alert(1)</script> & <b>x</b>",
    '{"receipt": "x"} = Überschrift',
)


@pytest.mark.parametrize("typed", TYPED)
def test_what_a_person_typed_is_printed_literally(typed: str) -> None:
    printed = lines(with_answers(Answer(typed, typed)))
    assert f"{typed} {typed}" in printed


def test_tenant_texts_are_printed_literally_too() -> None:
    tenant = replace(RECEIPT.tenant, name="Amt <Nord> & #Süd *", coat_of_arms=coat_of_arms("JPEG"))
    assert "Amt <Nord> & #Süd *" in lines(replace(RECEIPT, tenant=tenant))


def test_an_email_address_answered_is_a_link_to_write_to_it() -> None:
    """Screen readers announce it as a link and the reader's software can follow it;
    outloud (LNK-010) asks for that of any address printed as text."""
    address = Answer("E-Mail", "erika@example.org", link="mailto:erika@example.org")
    pdf = render_receipt(with_answers(address))
    assert_archival_and_accessible(pdf, language="de")
    links = [
        str(annotation.A.URI)
        for page in pikepdf.open(io.BytesIO(pdf)).pages
        for annotation in page.get("/Annots", [])
        if annotation.Subtype == "/Link" and "/A" in annotation
    ]
    assert "mailto:erika@example.org" in links
    assert "/Link" in {tag.name for tag in structure(pdf)}


def test_a_typed_heading_does_not_become_a_heading() -> None:
    tags = structure(render_receipt(with_answers(Answer("Name", "= Chef\n== Unterchef"))))
    assert [tag.name for tag in tags if tag.name.startswith("/H")] == ["/H1"] + ["/H2"] * 5


def test_a_run_without_breaks_is_cut_to_fit_its_column() -> None:
    label, run = "Grundstücksverkehrsgenehmigungszuständigkeit", "W" * 100 + "@" * 60
    pdf = render_receipt(replace(with_answers(Answer(label, run)), files=(f"{run}.pdf",)))
    document = pymupdf.open(stream=pdf, filetype="pdf")
    words = [word for page in document for word in page.get_text("words")]
    margin, label_column = 20 * POINTS_PER_MM - 0.5, 62 * POINTS_PER_MM  # 0.5 pt for rounding
    assert max(word[2] for word in words) <= document[0].rect.width - margin
    labels = [word for word in words if word[4] in label]
    assert max(word[2] for word in labels) <= margin + label_column
    text = "".join(text_of(with_answers(Answer(label, run))).split())
    assert label + run in text


def test_names_beyond_western_european_letters_are_printed() -> None:
    names = "Łukasz Wiśniewski, Şahin Yılmaz, Ольга Петрова, Αλέξανδρος"  # noqa: RUF001 - real names
    assert f"Name {names}" in lines(with_answers(Answer("Name", names)))


def test_letters_the_font_lacks_are_printed_as_code_points() -> None:
    """PDF/A forbids missing glyphs; the receipt names the character instead of failing."""
    text = lines(with_answers(Answer("Name", "王芳 😀"), Answer("Ort", "Ko\u0308ln")))
    assert "Name [U+738B][U+82B3] [U+1F600]" in text
    assert "Ort Köln" in text  # a decomposed ö is composed, not replaced


# -- archival and accessible, checked independently -------------------------------------------


@dataclass(frozen=True)
class Tag:
    name: str
    text: str  # /Alt, where given
    depth: int


def _kids(element: pikepdf.Dictionary) -> Iterator[pikepdf.Object]:
    kids = element.get("/K")
    if kids is None:
        return
    yield from kids if isinstance(kids, pikepdf.Array) else [kids]


def structure(pdf: bytes) -> list[Tag]:
    """The structure tree in reading order, with role-mapped types resolved to standard ones."""
    document = pikepdf.open(io.BytesIO(pdf))
    root = document.Root.StructTreeRoot
    role_map = root.get("/RoleMap", pikepdf.Dictionary())
    tags: list[Tag] = []

    def walk(element: pikepdf.Dictionary, depth: int) -> None:
        for kid in _kids(element):
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                name = str(kid.S)
                while name in role_map:
                    name = str(role_map[name])
                tags.append(Tag(name, str(kid.get("/Alt", "")), depth))
                walk(kid, depth + 1)

    walk(root, 0)
    return tags


def _marked_content_ids(document: pikepdf.Pdf) -> set[tuple[int, int]]:
    """(page, MCID) of the marked content the structure tree points at."""
    pages = {page.objgen: number for number, page in enumerate(document.pages)}
    found: set[tuple[int, int]] = set()

    def walk(element: pikepdf.Dictionary, page: int | None) -> None:
        if "/Pg" in element:
            page = pages[element.Pg.objgen]
        for kid in _kids(element):
            if isinstance(kid, int):
                assert page is not None
                found.add((page, int(kid)))
            elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
                found.add((pages[kid.Pg.objgen] if "/Pg" in kid else page, int(kid.MCID)))
            elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                walk(kid, page)

    walk(document.Root.StructTreeRoot, None)
    return found


PAINTING = {"Tj", "TJ", "'", '"', "Do", "f", "f*", "F", "B", "B*", "b", "b*", "S", "s", "sh"}


def _unmarked_painting(document: pikepdf.Pdf) -> tuple[list[str], set[tuple[int, int]]]:
    """Painting operators outside marked content, and the MCIDs the pages use."""
    loose, used = [], set()
    for number, page in enumerate(document.pages):
        stack: list[str] = []
        for operands, operator in pikepdf.parse_content_stream(page):
            name = str(operator)
            if name in {"BMC", "BDC"}:
                stack.append(str(operands[0]))
                properties = operands[1] if name == "BDC" else None
                if isinstance(properties, pikepdf.Dictionary) and "/MCID" in properties:
                    used.add((number, int(properties.MCID)))
            elif name == "EMC":
                stack.pop()
            elif name in PAINTING and not stack:
                loose.append(f"page {number + 1}: {name}")
    return loose, used


def assert_archival_and_accessible(pdf: bytes, *, language: str) -> None:
    """PDF/A-2a and PDF/UA-1 as far as checks outside the renderer can tell."""
    assert pdf.startswith(b"%PDF-1.7")
    document = pikepdf.open(io.BytesIO(pdf))
    catalog = document.Root
    with document.open_metadata() as xmp:
        assert xmp["pdfaid:part"] == "2"
        assert xmp["pdfaid:conformance"] == "A"
        assert xmp["pdfuaid:part"] == "1"
        title = xmp["dc:title"]
    assert title
    assert str(document.docinfo.Title) == title
    assert catalog.ViewerPreferences.DisplayDocTitle
    assert catalog.MarkInfo.Marked
    assert str(catalog.Lang) == language
    (intent,) = catalog.OutputIntents
    assert intent.S == "/GTS_PDFA1"
    assert intent.DestOutputProfile.read_bytes()[36:40] == b"acsp"  # an ICC profile
    assert "/Encrypt" not in document.trailer

    for page in document.pages:
        assert page.get("/Tabs") == "/S"  # tab order follows the structure
        for font in page.Resources.Font.values():
            assert str(font.BaseFont).split("+")[-1] in {"FiraSans-Regular", "FiraSans-SemiBold"}
            descriptor = (font.DescendantFonts[0] if "/DescendantFonts" in font else font).get(
                "/FontDescriptor"
            )
            assert descriptor is not None
            assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor.keys())

    loose, used = _unmarked_painting(document)
    assert loose == [], "content neither tagged nor an artifact"
    assert used == _marked_content_ids(document), "tagged content and structure tree disagree"

    tags = structure(pdf)
    standard = {
        "/Document", "/Part", "/Art", "/Sect", "/Div", "/P", "/H1", "/H2", "/H3", "/H4", "/H5",
        "/H6", "/L", "/LI", "/Lbl", "/LBody", "/Table", "/THead", "/TBody", "/TFoot", "/TR",
        "/TH", "/TD", "/Span", "/Link", "/Figure", "/Caption", "/NonStruct", "/Private",
        "/Quote", "/Note", "/Reference", "/Code", "/Form", "/Annot", "/BlockQuote", "/TOC",
        "/TOCI", "/Index", "/BibEntry", "/Formula", "/Ruby", "/Warichu", "/RB", "/RT", "/RP",
        "/WT", "/WP",
    }  # fmt: skip
    assert {tag.name for tag in tags} <= standard
    headings = [int(tag.name[2]) for tag in tags if tag.name.startswith("/H")]
    assert headings[0] == 1
    assert headings.count(1) == 1
    assert all(later - earlier <= 1 for earlier, later in itertools.pairwise(headings))
    assert all(tag.text for tag in tags if tag.name == "/Figure"), "a figure without Alt"
    tables = [index for index, tag in enumerate(tags) if tag.name == "/Table"]
    for start in tables:
        inside = [tag for tag in tags[start + 1 :] if tag.depth > tags[start].depth]
        assert any(tag.name == "/TH" for tag in inside), "a table without header cells"

    with tempfile.TemporaryDirectory() as folder:  # two validators from PyPI, more pairs of eyes
        path = Path(folder) / "receipt.pdf"
        path.write_bytes(pdf)
        assert pdfua.validate(str(path)).findings == ()
        result = outloud.check(str(path))
    assert result.error is None
    reported = [f for f in result.findings if f.severity != "info"]
    assert [f"{f.rule}: {f.message}" for f in reported] == []
    assert [run.rule for run in result.runs if run.status == "crashed"] == []


@pytest.mark.parametrize(
    "receipt",
    [
        RECEIPT,
        replace(RECEIPT, locale="en"),
        replace(RECEIPT, file_copy=True, cash_reference="5.0123.456789.1"),
        replace(RECEIPT, tenant=replace(RECEIPT.tenant, coat_of_arms=None), fee=Fee()),
        replace(RECEIPT, transfer=TRANSFER),
    ],
    ids=["german", "english", "file-copy", "plain", "bank-transfer"],
)
def test_the_receipt_is_archival_and_accessible(receipt: ReceiptData) -> None:
    assert_archival_and_accessible(render_receipt(receipt), language=receipt.locale)


def test_a_receipt_of_many_pages_is_archival_and_accessible() -> None:
    words = ["Hof", "Weg", "Tor", "Dach", "Zaun", "Haus", "Baum", "Bach", "Feld", "Wald", "Mühle"]
    many = tuple(
        Answer(f"Frage {n}", " ".join(random.Random(n).choices(words, k=30))) for n in range(1, 80)
    )
    assert_archival_and_accessible(
        render_receipt(replace(RECEIPT, sections=(Section("Viel Text", many),))), language="de"
    )


def test_headings_tables_and_the_coat_of_arms_are_tagged() -> None:
    tags = structure(render_receipt(RECEIPT))
    names = [tag.name for tag in tags]
    assert [name for name in names if name.startswith("/H")] == ["/H1", "/H2", "/H2", "/H2", "/H2"]
    assert names.count("/Table") == 3  # two steps of answers and the fee
    assert names.count("/TH") == 6
    (figure,) = [tag for tag in tags if tag.name == "/Figure"]
    assert figure.text == "Wappen: Gemeinde Musterstadt"
    english = structure(render_receipt(replace(RECEIPT, locale="en")))
    assert [tag.text for tag in english if tag.name == "/Figure"] == [
        "Coat of arms: Gemeinde Musterstadt"
    ]


def test_a_bank_transfer_prints_its_girocode_as_a_described_figure_and_its_data_as_text():
    pdf = render_receipt(replace(RECEIPT, transfer=TRANSFER))
    figures = [tag.text for tag in structure(pdf) if tag.name == "/Figure"]
    assert figures == ["Wappen: Gemeinde Musterstadt", "GiroCode: 26,00 € an Stadtkasse"]
    text = [line.strip() for page in PdfReader(io.BytesIO(pdf)).pages
            for line in page.extract_text().splitlines()]  # fmt: skip
    assert text[text.index("Per Überweisung bezahlen") :][:4] == [
        "Per Überweisung bezahlen",
        "Scannen Sie den GiroCode.",
        "IBAN DE02120300000000202051",
        "Betrag 26,00 €",
    ]


def test_the_checks_see_untagged_content() -> None:
    """The content check can fail: a plain reportlab PDF (like the old receipt) fails it."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    canvas.drawString(72, 720, "Eingangsbestätigung")
    canvas.save()
    loose, used = _unmarked_painting(pikepdf.open(io.BytesIO(buffer.getvalue())))
    assert loose == ["page 1: Tj"]
    assert used == set()
