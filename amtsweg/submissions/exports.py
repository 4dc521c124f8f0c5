"""A form's submissions as CSV or XLSX, and one submission as a ZIP — all streamed.

One row generator (:func:`rows`) feeds every table format, as pretix's
``ListExporter.iterate_list`` does: one column per field, a repeating group
flattened into ``group[1].field``, ``group[2].field``… up to the most items
any exported submission has. Rows are read ``yield_per`` batches at a time
and written out at once, so memory stays flat however many there are.

Text that a spreadsheet would run as a formula (starting with ``=``, ``+``,
``-``, ``@``, tab or carriage return) is neutralised with a leading ``'``
(OWASP "CSV injection").
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import tempfile
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from sqlalchemy import func, select
from zipstream import ZIP_STORED, ZipStream

from amtsweg.formdefs import service as formdefs
from amtsweg.formdefs.engine import Field
from amtsweg.formdefs.engine import FormDefinition as CompiledDefinition
from amtsweg.formdefs.models import FormVersion
from amtsweg.platform.db import db
from amtsweg.platform.storage import storage
from amtsweg.submissions import clerk
from amtsweg.submissions.models import Submission, Upload
from amtsweg.submissions.presentation import SILENT_KINDS, display_value
from amtsweg.submissions.service import AUTHORITY_ZONE

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: The table downloads by their address's ending: media type and file suffix.
TABLE_FORMATS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "excel.csv": ("text/csv; charset=utf-8", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
}
CHUNK = 64 * 1024
YES_NO = {"de": ("ja", "nein"), "en": ("yes", "no")}
META_COLUMNS = (
    "reference",
    "submitted_at",
    "status",
    "processing_status",
    "fee_total_cents",
)


def neutralise(value: Any) -> Any:
    """Text a spreadsheet would evaluate gets a leading ``'``; everything else as is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


@dataclass(frozen=True, slots=True)
class Column:
    header: str
    field: Field | None  # None for the submission's own facts
    group: str | None = None
    index: int = 0


def _versions(scope: clerk.ClerkScope, definition_id: uuid.UUID) -> list[CompiledDefinition]:
    """Every version the form's submissions were made with, newest first."""
    ids = db.session.scalars(
        scope.limit(select(Submission.version_id).distinct()).where(
            Submission.definition_id == definition_id
        )
    )
    versions = db.session.scalars(
        select(FormVersion).where(FormVersion.id.in_(list(ids))).order_by(FormVersion.number.desc())
    )
    return [formdefs.compiled(version) for version in versions]


def _group_width(scope: clerk.ClerkScope, definition_id: uuid.UUID, group: str) -> int:
    """The most items any of the form's submissions has in the repeating group."""
    if db.session.get_bind().dialect.name == "postgresql":
        length = func.jsonb_array_length(Submission.answers[group])
    else:
        length = func.json_array_length(Submission.answers, f"$.{group}")
    widest = db.session.scalar(
        scope.limit(select(func.max(length))).where(Submission.definition_id == definition_id)
    )
    return widest or 0


def columns(scope: clerk.ClerkScope, definition_id: uuid.UUID) -> list[Column]:
    """The submission's facts, then every field of every version (newest version's order)."""
    return _meta_columns() + _field_columns(
        _versions(scope, definition_id),
        lambda group: _group_width(scope, definition_id, group),
    )


def _meta_columns() -> list[Column]:
    result = [Column(name, None) for name in META_COLUMNS]
    if clerk.payment_status_column() is not None:
        result.append(Column("payment_status", None))
    return result


def _field_columns(
    definitions: Sequence[CompiledDefinition], group_width: Callable[[str], int]
) -> list[Column]:
    """Each field once, in the first definition's order; a group ``group_width(id)`` times."""
    result: list[Column] = []
    seen: set[str] = set()
    for definition in definitions:
        for step in definition.steps:
            for field in step.fields:
                if field.id in seen or field.kind in SILENT_KINDS:
                    continue
                seen.add(field.id)
                if field.kind != "group":
                    result.append(Column(field.id, field))
                    continue
                for index in range(group_width(field.id)):
                    result += [
                        Column(f"{field.id}[{index + 1}].{child.id}", child, field.id, index)
                        for child in field.fields
                        if child.kind not in SILENT_KINDS
                    ]
    return result


def submission_table(
    submission: Submission, definition: CompiledDefinition, locale: str = "de"
) -> list[list[Any]]:
    """One submission as the header and row the form's export would give it (as many
    columns per group as it has items); delivery attaches it to a mailbox's email."""
    cols = _meta_columns() + _field_columns(
        [definition], lambda group: len(submission.answers.get(group) or [])
    )
    return [[column.header for column in cols], row(submission, cols, locale)]


def _cell(field: Field, value: Any, locale: str) -> Any:
    if value is None:
        return ""
    if field.kind in {"integer", "number"} and isinstance(value, int | float):
        return value
    shown = display_value(field, value, locale)
    if isinstance(shown, bool):
        return YES_NO[locale][0 if shown else 1]
    if isinstance(shown, str):
        return shown
    return ", ".join(shown)


def _meta(submission: Submission, name: str) -> Any:
    if name == "submitted_at":
        return submission.submitted_at.astimezone(AUTHORITY_ZONE).isoformat(timespec="seconds")
    if name == "fee_total_cents":
        return submission.fee_total
    value = getattr(submission, name)
    return getattr(value, "value", value) or ""


def row(submission: Submission, cols: Sequence[Column], locale: str) -> list[Any]:
    cells = []
    for column in cols:
        if column.field is None:
            cells.append(_meta(submission, column.header))
            continue
        if column.group is None:
            value = submission.answers.get(column.field.id)
        else:
            items = submission.answers.get(column.group) or []
            item = items[column.index] if column.index < len(items) else {}
            value = item.get(column.field.id)
        cells.append(neutralise(_cell(column.field, value, locale)))
    return cells


def rows(
    scope: clerk.ClerkScope, definition_id: uuid.UUID, locale: str = "de"
) -> Iterator[list[Any]]:
    """The header, then one row per submission of the form, oldest first."""
    cols = columns(scope, definition_id)
    yield [column.header for column in cols]
    filters = clerk.ListFilter(form=definition_id, oldest_first=True)
    for submission in clerk.stream(scope, filters):
        yield row(submission, cols, locale)


def table_chunks(table: Iterator[list[Any]], kind: str, title: str) -> Iterator[bytes]:
    """``table`` written as the download ``kind`` (a key of :data:`TABLE_FORMATS`)."""
    if kind == "xlsx":
        return xlsx_chunks(table, title)
    return csv_chunks(table, excel=kind == "excel.csv")


def csv_chunks(table: Iterator[list[Any]], *, excel: bool = False) -> Iterator[bytes]:
    """CSV in UTF-8; ``excel``: German Excel's dialect (``;`` and a byte order mark)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";" if excel else ",", lineterminator="\r\n")
    if excel:
        yield "\ufeff".encode()
    for cells in table:
        writer.writerow(cells)
        yield buffer.getvalue().encode()
        buffer.seek(0)
        buffer.truncate()


def xlsx_chunks(table: Iterator[list[Any]], title: str) -> Iterator[bytes]:
    """XLSX written row by row (openpyxl's write-only mode keeps rows on disk, not in memory)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31] or "Export")
    for cells in table:
        sheet.append(cells)
    with tempfile.TemporaryFile() as spool:
        workbook.save(spool)
        spool.seek(0)
        while chunk := spool.read(CHUNK):
            yield chunk


def submission_zip(
    pdf: bytes, document: dict[str, Any] | None, uploads: Sequence[Upload], reference: str
) -> ZipStream:
    """The receipt, ``submission.json`` and every upload; sized, so the download shows progress.

    Uploads are read from storage only while the ZIP is being sent.
    """
    archive = ZipStream(compress_type=ZIP_STORED, sized=True)
    archive.add(pdf, f"{reference}.pdf")
    if document is not None:
        archive.add(json.dumps(document, ensure_ascii=False, indent=2).encode(), "submission.json")
    names: set[str] = set()
    for upload in uploads:
        add_stored(archive, names, f"uploads/{upload.name}", upload.storage_key, upload.size)
    return archive


def add_stored(archive: ZipStream, taken: set[str], name: str, key: str, size: int) -> None:
    """A stored file into ``archive`` under ``name``, numbered if ``taken`` has it already;
    read from storage only while the ZIP is being sent."""
    archive.add(_stored(key), _unique(name, taken), size=size)


def _unique(name: str, taken: set[str]) -> str:
    stem, dot, suffix = name.rpartition(".")
    candidate, number = name, 1
    while candidate in taken:
        number += 1
        candidate = f"{stem} ({number}).{suffix}" if dot else f"{name} ({number})"
    taken.add(candidate)
    return candidate


def _stored(key: str) -> Iterator[bytes]:
    yield storage().get(key)


def export_stamp() -> str:
    return dt.datetime.now(AUTHORITY_ZONE).strftime("%Y%m%d-%H%M")
