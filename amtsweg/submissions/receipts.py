"""The PDF a citizen gets as receipt, and the same document as the municipality's file copy.

:func:`render_receipt` is a pure function of :class:`ReceiptData` (no database, no
request), so the journey, the job attaching it to the confirmation email, a delivery
to the municipality and a clerk's download all produce the same document. The journey
turns the pinned definition and the answers into display strings (option labels,
formatted dates); this module formats only what is the same for every form: yes/no,
money, the submission time.

Typst (PyPI ``typst``, the compiler in one wheel, no system libraries) lays it out
from ``receipt.typ`` as PDF/A-2a and PDF/UA-1 at once: tagged (headings, tables with
header cells, lists, the coat of arms with alternative text, running footers as
artifacts), with document language and title, and Fira Sans embedded from ``fonts/``
(``make assets``). System fonts are never looked at, so every machine makes the same
bytes. Data reaches the template only as JSON in ``sys.inputs``: what a person typed is
a string value there, never markup or code.

PDF/A forbids a glyph the embedded fonts do not have, so a character outside Fira Sans
(Chinese, emoji) is printed as its code point, ``[U+738B]``; the stored answers keep it.
"""

from __future__ import annotations

import enum
import functools
import json
import re
import threading
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import typst
from babel.dates import format_date
from fontTools.ttLib import TTFont

BERLIN = ZoneInfo("Europe/Berlin")
FONTS = Path(__file__).with_name("fonts")
FONT_FILES = (FONTS / "FiraSans-Regular.ttf", FONTS / "FiraSans-SemiBold.ttf")
TEMPLATE = Path(__file__).with_name("receipt.typ")
# PDF/A-2 level A (archives: self-contained, tagged) and PDF/UA-1 (assistive technology)
# share PDF 1.7; PDF/A-4 would need PDF 2.0, which PDF/UA-1 does not allow.
STANDARDS = ["a-2a", "ua-1"]
# Widths in points as receipt.typ lays the page out (A4, 20 mm margins, answer tables
# with 62 mm labels and 8 pt before the answers, 5 mm indent per level); see _lines.
TEXT_WIDTH = (210 - 2 * 20) / 25.4 * 72
VALUE_WIDTH = TEXT_WIDTH - 62 / 25.4 * 72
LABEL_WIDTH = 62 / 25.4 * 72 - 8
INDENT = 5 / 25.4 * 72

Value = str | bool | Sequence[str]


class FeeKind(enum.StrEnum):
    DUE = "due"  # an amount, with its lines
    FREE = "free"
    BY_NOTICE = "by_notice"  # assessed later by a notice, not paid online


@dataclass(frozen=True, slots=True)
class Letterhead:
    name: str
    address_lines: tuple[str, ...] = ()
    phone: str = ""
    email: str = ""
    coat_of_arms: bytes | None = None  # PNG or JPEG, as checked by tenants.branding


@dataclass(frozen=True, slots=True)
class Answer:
    """One question and its answer; a repeating group has ``items`` instead of a ``value``.

    A ``str`` value may span lines (a text area); a sequence is one line each (an
    address, the chosen checkboxes); ``True``/``False`` print as Ja/Nein or Yes/No.
    """

    label: str
    value: Value = ""
    items: tuple[tuple[Answer, ...], ...] = ()
    #: Where the answer leads (``mailto:`` for an email address): printed as a link over
    #: it, so that a reader's software can follow it and knows it for an address.
    link: str = ""


@dataclass(frozen=True, slots=True)
class Section:
    heading: str
    answers: tuple[Answer, ...]


@dataclass(frozen=True, slots=True)
class FeeItem:
    label: str
    amount: int  # cents
    quantity: int = 1


@dataclass(frozen=True, slots=True)
class Fee:
    kind: FeeKind = FeeKind.FREE
    items: tuple[FeeItem, ...] = ()
    total: int = 0  # cents


@dataclass(frozen=True, slots=True)
class Transfer:
    """How to pay by bank transfer: the GiroCode and the same data as text.

    ``girocode`` is the EPC069-12 QR code as a PNG (whoever owns the account
    makes it); ``girocode_alt`` describes it for screen readers; ``details`` are
    (label, value) rows a person can type into a transfer form instead.
    """

    heading: str
    note: str
    girocode: bytes
    girocode_alt: str
    details: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class ReceiptData:
    tenant: Letterhead
    form_title: str
    reference: str
    submitted_at: datetime  # timezone-aware; printed in Europe/Berlin
    locale: str = "de"
    sections: tuple[Section, ...] = ()
    files: tuple[str, ...] = ()  # display names of the uploaded files
    fee: Fee = field(default_factory=Fee)
    payment_status: str = ""  # e.g. "Bezahlt mit Kreditkarte", as the payment area words it
    cash_reference: str = ""  # Kassenzeichen, when the municipality's cash office assigned one
    transfer: Transfer | None = None  # an open bank-transfer payment: GiroCode and details
    file_copy: bool = False  # the copy for the municipality's file instead of the receipt
    texts: Mapping[str, str] = field(default_factory=dict)  # every key of TEXT_KEYS


#: The words a receipt prints besides what was answered, in the receipt's language.
#: The caller supplies them (from the translation catalogue); ``{tenant}``,
#: ``{page}``, ``{pages}``, ``{date}`` and ``{time}`` are filled in here.
TEXT_KEYS = (
    "title",
    "file_copy",
    "coat_of_arms",
    "question",
    "answer",
    "item",
    "amount",
    "cash_reference",
    "reference",
    "submitted",
    "files",
    "fee",
    "total",
    "free",
    "by_notice",
    "payment",
    "yes",
    "no",
    "page",
    "phone",
    "time",
)


# -- formatting ------------------------------------------------------------------------------


def format_euros(cents: int, locale: str) -> str:
    """``2600`` → ``26,00 €`` (de) or ``€26.00`` (en), in integer arithmetic."""
    sign = "-" if cents < 0 else ""
    euros, rest = divmod(abs(cents), 100)
    grouped = f"{euros:,}"
    if locale == "de":
        return f"{sign}{grouped.replace(',', '.')},{rest:02d} €"
    return f"{sign}€{grouped}.{rest:02d}"


def format_submitted_at(moment: datetime, locale: str, pattern: str) -> str:
    """The moment in Europe/Berlin through ``pattern`` (``{date}, {time} Uhr``)."""
    if moment.tzinfo is None:
        raise ValueError("submitted_at must be timezone-aware")
    local = moment.astimezone(BERLIN)
    day = format_date(local.date(), format="medium", locale=locale)
    return pattern.format(date=day, time=f"{local:%H:%M}")


def address_lines(address: Mapping[str, str]) -> tuple[str, ...]:
    """A cleaned address answer as printed: street line, postcode and city, foreign country."""
    lines = [
        f"{address.get('street', '')} {address.get('house_number', '')}".strip(),
        f"{address.get('zip', '')} {address.get('city', '')}".strip(),
    ]
    if (country := address.get("country", "DE")) != "DE":
        lines.append(country)
    return tuple(line for line in lines if line)


# -- what the template gets -------------------------------------------------------------------


def _metrics(path: Path) -> dict[int, float]:
    """Advance width in points at the receipt's 10 pt of every code point the font has."""
    with TTFont(path) as font:
        scale = 10 / font["head"].unitsPerEm
        advances = font["hmtx"]
        return {point: advances[glyph][0] * scale for point, glyph in font.getBestCmap().items()}


@functools.cache
def _widths() -> Mapping[int, float]:
    """Code points that every embedded font can draw, with their widest advance."""
    regular, bold = (_metrics(path) for path in FONT_FILES)
    return {point: max(width, bold[point]) for point, width in regular.items() if point in bold}


_UNITS = re.compile(r"\[U\+[0-9A-F]{4,6}\]|.", re.DOTALL)


def _printable(text: str) -> str:
    """``text`` in composed form, with what the fonts cannot draw as its code point."""
    widths = _widths()
    return "".join(
        char if ord(char) in widths else f"[U+{ord(char):04X}]"
        for char in unicodedata.normalize("NFC", text.replace("\t", " "))
    )


def _pieces(word: str, room: float) -> Iterator[str]:
    """``word`` cut into pieces no wider than ``room`` points, never inside ``[U+…]``."""
    widths, piece, used = _widths(), "", 0.0
    for unit in _UNITS.findall(word):
        width = sum(widths.get(ord(char), 0.0) for char in unit)
        if piece and used + width > room:
            yield piece
            piece, used = "", 0.0
        piece, used = piece + unit, used + width
    yield piece


def _lines(text: str, room: float = VALUE_WIDTH) -> list[str]:
    """Printable display lines of ``text`` for a column ``room`` points wide.

    Typst breaks lines at spaces, hyphens and slashes; a longer run without any (a
    pasted token, a long compound word) would run off the page, so it is cut here.
    """
    lines = []
    for line in text.splitlines():
        words = ("\n".join(_pieces(word, room)) for word in _printable(line).split(" "))
        lines += " ".join(words).split("\n")
    return lines


def _value_lines(value: Value, texts: Mapping[str, str]) -> list[str]:
    if isinstance(value, bool):
        return [texts["yes" if value else "no"]]
    if isinstance(value, str):
        return _lines(value)
    return [line for item in value for line in _lines(item)]


def _answer_rows(
    answer: Answer, texts: Mapping[str, str], depth: int = 0
) -> Iterator[dict[str, Any]]:
    """Rows of the answer table; a group's items follow as numbered, indented rows."""
    label = _lines(answer.label, LABEL_WIDTH - depth * INDENT)
    if not answer.items:
        yield {
            "label": label,
            "number": "",
            "depth": depth,
            "lines": _value_lines(answer.value, texts),
            "link": answer.link,
        }
        return
    yield {"label": label, "number": "", "depth": depth, "lines": [], "link": ""}
    for number, item in enumerate(answer.items, start=1):
        yield {"label": [], "number": f"{number}.", "depth": depth + 1, "lines": [], "link": ""}
        for inner in item:
            yield from _answer_rows(inner, texts, depth + 2)


def _facts(data: ReceiptData) -> list[dict[str, Any]]:
    texts = data.texts
    submitted = format_submitted_at(data.submitted_at, data.locale, texts["time"])
    facts = [
        (texts["reference"], data.reference, True),
        (texts["submitted"], submitted, False),
        (texts["payment"], data.payment_status, False),
        (texts["cash_reference"], data.cash_reference, False),
    ]
    return [
        {"label": label, "value": _printable(value), "strong": strong}
        for label, value, strong in facts
        if value
    ]


def _fee(fee: Fee, locale: str, texts: Mapping[str, str]) -> dict[str, Any]:
    if fee.kind != FeeKind.DUE:
        return {"note": texts[fee.kind.value], "items": [], "total": ""}
    items = [
        {
            "label": _printable(item.label)
            + (f" (\u00d7 {item.quantity})" if item.quantity != 1 else ""),
            "amount": format_euros(item.amount, locale),
        }
        for item in fee.items
    ]
    return {"note": "", "items": items, "total": format_euros(fee.total, locale)}


def _contact(tenant: Letterhead, texts: Mapping[str, str]) -> list[str]:
    contact = [_printable(line) for line in tenant.address_lines]
    if tenant.phone:
        contact.append(f"{texts['phone']}: {_printable(tenant.phone)}")
    return contact


def _transfer(transfer: Transfer | None) -> dict[str, Any] | None:
    if transfer is None:
        return None
    return {
        "heading": _printable(transfer.heading),
        "note": _printable(transfer.note),
        "alt": _printable(transfer.girocode_alt),
        "details": [
            {"label": _printable(label), "value": _printable(value)}
            for label, value in transfer.details
        ],
    }


def _template_inputs(data: ReceiptData) -> dict[str, Any]:
    """Everything the template shows, worded and formatted, as JSON-ready values."""
    locale, texts = data.locale, data.texts
    heading = texts["file_copy" if data.file_copy else "title"]
    tenant = _printable(data.tenant.name)
    form_title = _printable(data.form_title)
    return {
        "lang": locale,
        "title": f"{heading} {data.reference}: {form_title}",
        "heading": heading,
        "form_title": form_title,
        "texts": dict(data.texts),
        "tenant": {
            "name": tenant,
            "contact": _contact(data.tenant, texts),
            "email": _printable(data.tenant.email),
            "logo_alt": texts["coat_of_arms"].format(tenant=tenant),
        },
        "facts": _facts(data),
        "sections": [
            {
                "heading": _printable(section.heading),
                "rows": [row for answer in section.answers for row in _answer_rows(answer, texts)],
            }
            for section in data.sections
            if section.answers
        ],
        "files": [_lines(name, TEXT_WIDTH - INDENT) for name in data.files],
        "fee": _fee(data.fee, locale, texts),
        "transfer": _transfer(data.transfer),
        "footer": f"{tenant} · {_printable(data.reference)}",
    }


def _image_input(image: bytes) -> str:
    """An image as Typst reads bytes from text: a JSON array of its byte values."""
    return json.dumps(list(image))


@functools.lru_cache(maxsize=8)
def _coat_of_arms_input(image: bytes) -> str:
    """A tenant's coat of arms is the same on every receipt, so both its encoding and
    Typst's decoding of it (memoised on the input) are done once, not per receipt."""
    return _image_input(image)


# -- rendering --------------------------------------------------------------------------------


@functools.cache
def bundled_fonts() -> typst.Fonts:
    """Only the bundled fonts, read once.

    No system fonts (every machine makes the same document) and none of Typst's
    own, so nothing but Fira Sans can end up embedded.
    """
    return typst.Fonts(
        include_system_fonts=False, include_embedded_fonts=False, font_paths=[str(FONTS)]
    )


@functools.cache
def _compiler() -> tuple[typst.Compiler, threading.Lock]:
    """One compiler for the process, used by one thread at a time."""
    compiler = typst.Compiler(TEMPLATE, root=TEMPLATE.parent, font_paths=bundled_fonts())
    return compiler, threading.Lock()


def render_receipt(data: ReceiptData) -> bytes:
    """The receipt (or with ``file_copy`` the file copy) as PDF/A-2a and PDF/UA-1 bytes, A4.

    The PDF's dates are the submission time, so the same submission always gives
    the same bytes (a repeated delivery is recognisably the same document).
    """
    if missing := [key for key in TEXT_KEYS if key not in data.texts]:
        raise ValueError(f"receipt texts missing: {', '.join(missing)}")
    if data.submitted_at.tzinfo is None:
        raise ValueError("submitted_at must be timezone-aware")
    inputs = {"receipt": json.dumps(_template_inputs(data), ensure_ascii=False)}
    if data.tenant.coat_of_arms:
        inputs["coat_of_arms"] = _coat_of_arms_input(data.tenant.coat_of_arms)
    if data.transfer:
        inputs["girocode"] = _image_input(data.transfer.girocode)
    compiler, lock = _compiler()
    with lock:
        return compiler.compile(
            format="pdf",
            sys_inputs=inputs,
            pdf_standards=STANDARDS,
            timestamp=data.submitted_at.astimezone(UTC).replace(microsecond=0),
        )
