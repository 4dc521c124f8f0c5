"""Benchmark: CPU seconds for the receipt PDF of a realistic submission.

The receipt is that of a Gewerbeanmeldung (business registration) with 41
answers in five steps (a repeating group of three partners among them), two
uploads and a fee, with coat of arms: what the worker renders for the
confirmation email and for delivery. Each document gets its own reference, so no
result comes out of Typst's cache.

Baselines in the same run, same data, same process:
- the previous renderer (reportlab, untagged; ``bench/receipt_reportlab.py``):
  what PDF/A-2a and PDF/UA-1 cost over the receipt Amtsweg made before;
- the simplest PDF/A-2a + PDF/UA-1 document Typst makes (one heading, same
  fonts): the fixed cost of the engine and the standards per document.
Against Open Forms, whose background work costs about 0.85 CPU-seconds per
submission (mostly its PDF), the figure is a documented constant, not measured here.

Run: python -m bench.bench_receipts   (about 15 seconds)
"""

from __future__ import annotations

import io
import itertools
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

import typst
from flask_babel import force_locale
from PIL import Image
from pypdf import PdfReader

from amtsweg.app import create_app
from amtsweg.platform.config import Settings
from amtsweg.submissions import confirmation
from amtsweg.submissions.receipts import (
    STANDARDS,
    Answer,
    Fee,
    FeeItem,
    FeeKind,
    Letterhead,
    ReceiptData,
    Section,
    bundled_fonts,
    render_receipt,
)
from bench.receipt_reportlab import render_receipt as render_reportlab

SECONDS_PER_MEASUREMENT = 4.0
OPEN_FORMS_CPU_SECONDS = 0.85  # per submission, background work, mostly the PDF


def _coat_of_arms() -> bytes:
    image = io.BytesIO()
    Image.new("RGB", (240, 300), (11, 83, 148)).save(image, "PNG")
    return image.getvalue()


def _partner(number: int) -> tuple[Answer, ...]:
    return (
        Answer("Vorname", ("Łukasz", "Ольга", "Şahin")[number]),
        Answer("Familienname", ("Wiśniewski", "Петрова", "Yılmaz")[number]),  # noqa: RUF001
        Answer("Geburtsdatum", f"{12 + number}. März 19{70 + number}"),
        Answer("Staatsangehörigkeit", "deutsch"),
    )


def _catalogue_texts() -> dict[str, str]:
    """The receipt's German words from the app's translation catalogue."""
    app = create_app({"settings": Settings(env="test", database_url="sqlite://")})
    with app.app_context(), force_locale("de"):
        return confirmation.receipt_texts()


GEWERBEANMELDUNG = ReceiptData(
    texts=_catalogue_texts(),
    tenant=Letterhead(
        "Gemeinde Musterstadt",
        ("Rathausplatz 1", "12345 Musterstadt"),
        phone="+49 1234 5678",
        email="gewerbe@musterstadt.example",
        coat_of_arms=_coat_of_arms(),
    ),
    form_title="Gewerbeanmeldung (GewA 1)",
    reference="MUS-2026-000000",
    submitted_at=datetime(2026, 3, 12, 13, 5, tzinfo=UTC),
    sections=(
        Section(
            "Angaben zur Person",
            (
                Answer("Anrede", "Frau"),
                Answer("Vorname", "Erika"),
                Answer("Familienname", "Mustermann"),
                Answer("Geburtsname", "Gabler"),
                Answer("Geburtsdatum", "12. August 1964"),
                Answer("Geburtsort", "Köln"),
                Answer("Staatsangehörigkeit", "deutsch"),
                Answer("Wohnanschrift", ("Heidestraße 17 a", "51147 Köln")),
                Answer("Telefon", "+49 221 123456"),
                Answer("E-Mail", "erika@example.org"),
            ),
        ),
        Section(
            "Betrieb",
            (
                Answer("Rechtsform", "Gesellschaft bürgerlichen Rechts (GbR)"),
                Answer("Name des Betriebs", "Mustermann & Partner Feinkost"),
                Answer("Betriebsstätte", ("Marktstraße 4", "12345 Musterstadt")),
                Answer("Telefon des Betriebs", "+49 1234 98765"),
                Answer("Art des Betriebs", ("Einzelhandel", "Gastronomie")),
                Answer(
                    "Angemeldete Tätigkeit",
                    "Einzelhandel mit Lebensmitteln, Feinkost und Wein; Ausschank von "
                    "Kaffee und alkoholfreien Getränken zum Verzehr an Ort und Stelle; "
                    "Catering für Veranstaltungen bis 50 Personen.",
                ),
                Answer("Beginn der Tätigkeit", "1. April 2026"),
                Answer("Anlass", "Neugründung"),
                Answer("Zahl der Beschäftigten (Vollzeit)", "3"),
                Answer("Zahl der Beschäftigten (Teilzeit)", "2"),
            ),
        ),
        Section(
            "Gesellschafter",
            (Answer("Gesellschafter", items=tuple(_partner(n) for n in range(3))),),
        ),
        Section(
            "Erlaubnisse",
            (
                Answer("Erlaubnispflichtige Tätigkeit", value=True),
                Answer("Erlaubnis erteilt von", "Ordnungsamt Musterstadt"),
                Answer("Datum der Erlaubnis", "3. Februar 2026"),
                Answer("Handwerkskarte", value=False),
                Answer("Eintragung in die Handwerksrolle", value=False),
                Answer("Aufenthaltstitel mit Erlaubnis zur Erwerbstätigkeit", value=False),
            ),
        ),
        Section(
            "Erklärungen",
            (
                Answer("Richtigkeit der Angaben", value=True),
                Answer("Datenschutzhinweise gelesen", value=True),
                Answer("Bemerkung", "Bitte die Eintragung\nzum 1. April vornehmen."),
            ),
        ),
    ),
    files=("Gesellschaftsvertrag.pdf", "Gaststättenerlaubnis.pdf"),
    fee=Fee(FeeKind.DUE, (FeeItem("Gewerbeanmeldung", 2600),), 2600),
    payment_status="Bezahlt mit Kreditkarte",
)


def _answers(data: ReceiptData) -> int:
    def count(answer: Answer) -> int:
        return 1 + sum(count(inner) for item in answer.items for inner in item)

    return sum(count(answer) for section in data.sections for answer in section.answers)


ONE_LINE = b"""#set document(title: sys.inputs.title)
#set text(font: "Fira Sans", lang: "de")
= #sys.inputs.title
"""


def _one_line_typst() -> Callable[[str], bytes]:
    """The simplest PDF/A-2a + PDF/UA-1 document: one heading, the receipt's fonts."""
    compiler = typst.Compiler(font_paths=bundled_fonts())

    def render(reference: str) -> bytes:
        return compiler.compile(
            ONE_LINE, format="pdf", sys_inputs={"title": reference}, pdf_standards=STANDARDS
        )

    return render


def measure(render: Callable[[str], bytes], seconds: float) -> tuple[float, float]:
    """(CPU seconds, wall seconds) per document."""
    numbers = itertools.count(1)
    for _ in range(5):  # warm-up: fonts read, code paths hot
        render(f"MUS-2026-W{next(numbers):05d}")
    documents = 0
    cpu, wall = time.process_time(), time.perf_counter()
    while time.perf_counter() - wall < seconds:
        render(f"MUS-2026-{next(numbers):06d}")
        documents += 1
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return cpu / documents, wall / documents


def main() -> None:
    data = GEWERBEANMELDUNG
    ours = measure(
        lambda ref: render_receipt(replace(data, reference=ref)), SECONDS_PER_MEASUREMENT
    )
    old = measure(
        lambda ref: render_reportlab(replace(data, reference=ref)), SECONDS_PER_MEASUREMENT
    )
    minimal = measure(_one_line_typst(), SECONDS_PER_MEASUREMENT)
    pages = len(PdfReader(io.BytesIO(render_receipt(data))).pages)
    print(
        f"receipt of a Gewerbeanmeldung, {_answers(data)} answers, {pages} pages,"
        " PDF/A-2a + PDF/UA-1 (Typst)"
    )
    print(f"  ours:                    {ours[0] * 1000:6.1f} ms CPU, {ours[1] * 1000:6.1f} ms wall")
    print(
        f"  reportlab, untagged:     {old[0] * 1000:6.1f} ms CPU, {old[1] * 1000:6.1f} ms wall"
        f"  | ratio (ours/baseline CPU) {ours[0] / old[0]:.2f}"
    )
    print(
        f"  one-line Typst PDF/A-UA: {minimal[0] * 1000:6.1f} ms CPU,"
        f" {minimal[1] * 1000:6.1f} ms wall  | ratio {ours[0] / minimal[0]:.2f}"
    )
    print(
        f"  Open Forms (constant):   {OPEN_FORMS_CPU_SECONDS * 1000:6.0f} ms CPU"
        f"  | ours is {OPEN_FORMS_CPU_SECONDS / ours[0]:.0f}x less CPU"
    )


if __name__ == "__main__":
    main()
