"""The receipt as Amtsweg drew it before PDF/A and PDF/UA: reportlab, untagged.

Kept only as the benchmark's baseline (``bench_receipts.py``): the same
:class:`ReceiptData`, the same content and fonts, drawn without tags, output
intent or XMP. Not used by the application.
"""

from __future__ import annotations

import functools
import io
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from amtsweg.submissions.receipts import (
    FONTS,
    Answer,
    FeeKind,
    Letterhead,
    ReceiptData,
    Value,
    format_euros,
    format_submitted_at,
)

MARGIN = 20 * mm
LABEL_WIDTH = 62 * mm
LOGO_HEIGHT = 22 * mm


#: The words of the receipt being drawn (the data's, from the app's catalogue);
#: the baseline draws one receipt at a time.
_WORDS: dict[str, str] = {}


def _text(_locale: str, key: str) -> str:
    return _WORDS[key]


def _markup(text: str) -> str:
    """Person-given text as reportlab paragraph markup: escaped, line breaks kept."""
    return "<br/>".join(escape(line) for line in text.splitlines())


def _value_markup(value: Value, locale: str) -> str:
    if isinstance(value, bool):
        return escape(_text(locale, "yes" if value else "no"))
    if isinstance(value, str):
        return _markup(value)
    return "<br/>".join(_markup(line) for line in value)


GREY = colors.HexColor("#444444")


REGULAR, BOLD = "FiraSans", "FiraSans-SemiBold"


@functools.cache
def _register_fonts() -> None:
    pdfmetrics.registerFont(TTFont(REGULAR, FONTS / "FiraSans-Regular.ttf"))
    pdfmetrics.registerFont(TTFont(BOLD, FONTS / "FiraSans-SemiBold.ttf"))


def _style(name: str, size: float = 10, *, bold: bool = False, **options: Any) -> ParagraphStyle:
    font = BOLD if bold else REGULAR
    return ParagraphStyle(name, fontName=font, fontSize=size, leading=size * 1.3, **options)


BODY = _style("body")
STRONG = _style("strong", bold=True)
SMALL = _style("small", 9)
LABEL = _style("label", textColor=GREY)
TENANT = _style("tenant", 14, bold=True)
TITLE = _style("title", 16, bold=True, spaceBefore=6, spaceAfter=2)
HEADING = _style("heading", 12, bold=True, spaceBefore=10, spaceAfter=4)
_ROWS = TableStyle(
    [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 6),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#cccccc")),
    ]
)


def _rows_table(rows: list[list[Any]], widths: tuple[float, float]) -> Table:
    table = Table(rows, colWidths=widths, hAlign="LEFT")
    table.setStyle(_ROWS)
    return table


def _letterhead(tenant: Letterhead, locale: str, width: float) -> Table:
    contact = [_markup(line) for line in tenant.address_lines]
    if tenant.phone:
        contact.append(f"{_text(locale, 'phone')}: {_markup(tenant.phone)}")
    if tenant.email:
        contact.append(_markup(tenant.email))
    text = [Paragraph(_markup(tenant.name), TENANT), Paragraph("<br/>".join(contact), SMALL)]
    logo: Flowable | str = ""
    if tenant.coat_of_arms:
        logo = Image(
            io.BytesIO(tenant.coat_of_arms),
            kind="proportional",
            width=LOGO_HEIGHT,
            height=LOGO_HEIGHT,
        )
        logo.hAlign = "RIGHT"
    table = Table([[text, logo]], colWidths=(width - LOGO_HEIGHT, LOGO_HEIGHT), hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("LINEBELOW", (0, 0), (-1, -1), 1, colors.black),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    return table


def _answer_rows(answer: Answer, locale: str, indent: str = "") -> list[list[Any]]:
    """Rows of (label, value); a group's items follow as numbered sub-rows, so pages can break."""
    label = Paragraph(indent + _markup(answer.label), LABEL)
    if not answer.items:
        return [[label, Paragraph(_value_markup(answer.value, locale), BODY)]]
    rows = [[label, ""]]
    for number, item in enumerate(answer.items, start=1):
        rows.append([Paragraph(f"{indent}&nbsp;&nbsp;<b>{number}.</b>", BODY), ""])
        for inner in item:
            rows += _answer_rows(inner, locale, indent + "&nbsp;" * 6)
    return rows


def _sections(data: ReceiptData, width: float) -> list[Flowable]:
    flowables: list[Flowable] = []
    for section in data.sections:
        rows = [row for answer in section.answers for row in _answer_rows(answer, data.locale)]
        heading = Paragraph(_markup(section.heading), HEADING)
        if rows:
            table = _rows_table(rows, (LABEL_WIDTH, width - LABEL_WIDTH))
            flowables += [heading, table]
    return flowables


def _facts(data: ReceiptData, width: float) -> Table:
    rows = [
        [_text(data.locale, "reference"), Paragraph(f"<b>{escape(data.reference)}</b>", BODY)],
        [
            _text(data.locale, "submitted"),
            Paragraph(
                escape(
                    format_submitted_at(data.submitted_at, data.locale, _text(data.locale, "time"))
                ),
                BODY,
            ),
        ],
    ]
    if data.payment_status:
        rows.append([_text(data.locale, "payment"), Paragraph(_markup(data.payment_status), BODY)])
    styled = [[Paragraph(escape(label), LABEL), value] for label, value in rows]
    return _rows_table(styled, (LABEL_WIDTH, width - LABEL_WIDTH))


def _files(data: ReceiptData) -> list[Flowable]:
    if not data.files:
        return []
    items = "<br/>".join(f"•&nbsp;{_markup(name)}" for name in data.files)
    return [Paragraph(escape(_text(data.locale, "files")), HEADING), Paragraph(items, BODY)]


def _fee(data: ReceiptData, width: float) -> list[Flowable]:
    locale, fee = data.locale, data.fee
    heading = Paragraph(escape(_text(locale, "fee")), HEADING)
    if fee.kind != FeeKind.DUE:
        return [KeepTogether([heading, Paragraph(escape(_text(locale, fee.kind.value)), BODY)])]
    rows = [
        [
            Paragraph(
                _markup(item.label) + (f" (\u00d7 {item.quantity})" if item.quantity != 1 else ""),
                BODY,
            ),
            format_euros(item.amount, locale),
        ]
        for item in fee.items
    ]
    rows.append(
        [Paragraph(escape(_text(locale, "total")), STRONG), format_euros(fee.total, locale)]
    )
    table = _rows_table(rows, (width - 40 * mm, 40 * mm))
    table.setStyle(
        TableStyle(
            [
                ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                ("FONTNAME", (1, -1), (1, -1), BOLD),
                ("LINEABOVE", (0, -1), (-1, -1), 1, colors.black),
            ]
        )
    )
    return [KeepTogether([heading, table])]


def _numbered_canvas(data: ReceiptData) -> type[Canvas]:
    """A canvas that prints "page X of Y" once it knows Y: pages are kept until ``save``."""
    footer_left = f"{data.tenant.name} · {data.reference}"
    template = _text(data.locale, "page")

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 - reportlab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            for page_number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                self.setFont(REGULAR, 8)
                self.setFillColor(GREY)
                self.drawString(MARGIN, 12 * mm, footer_left)
                self.drawRightString(
                    A4[0] - MARGIN,
                    12 * mm,
                    template.format(page=page_number, pages=len(self._pages)),
                )
                super().showPage()
            super().save()

    return NumberedCanvas


def render_receipt(data: ReceiptData) -> bytes:
    """The receipt as untagged PDF bytes (A4), as Amtsweg drew it before PDF/A."""
    _WORDS.clear()
    _WORDS.update(data.texts)
    _register_fonts()
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + 5 * mm,
        title=f"{_text(data.locale, 'title')} {data.reference}",
        author=data.tenant.name,
        lang=data.locale,
    )
    width = document.width
    story: list[Flowable] = [
        _letterhead(data.tenant, data.locale, width),
        Spacer(1, 6 * mm),
        Paragraph(escape(_text(data.locale, "title")), TITLE),
        Paragraph(_markup(data.form_title), HEADING),
        _facts(data, width),
        *_sections(data, width),
        *_files(data),
        *_fee(data, width),
    ]
    document.build(story, canvasmaker=_numbered_canvas(data))
    return buffer.getvalue()
