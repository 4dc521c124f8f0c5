"""``mailbox``: the submission as an email to the municipality's functional mailbox.

Sent through the platform's mail server (``AMTSWEG_SMTP_URL``). The subject
names reference and form; the text is the readable summary; attached are the
PDF, ``submission.json``, the uploads and, where the tenant asks for them,
the answers as CSV (German Excel's dialect: ``;`` and a byte order mark) and
XLSX, flattened and formula-neutralised as the clerk's export
(``submissions/exports.py``). A message that would be larger than
``max_bytes`` carries the PDF and the JSON only, and a link where logged-in
staff fetch the uploads. The Message-ID is the delivery's id, the same on
every try, so a mail program shows a duplicate after a crash as one message.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from flask_babel import lazy_gettext as _l

from amtsweg.delivery.interfaces import ConfigField, File, Parcel
from amtsweg.delivery.targets.fields import check_fields
from amtsweg.platform.errors import FieldProblem
from amtsweg.platform.mail import MailError, compose, mailbox, stable_message_id
from amtsweg.platform.outbox import SendError
from amtsweg.submissions import exports

DEFAULT_MAX_BYTES = 10_000_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEXT = """Neuer Antrag {reference}: {title}
Eingegangen am {submitted:%d.%m.%Y um %H:%M} (UTC)
Antragsteller/in: {applicant}
{kassenzeichen}
{summary}
{files}"""


@dataclass(frozen=True, slots=True)
class MailboxTarget:
    kind: ClassVar[str] = "mailbox"
    label: ClassVar[str] = _l("Functional mailbox (email)")
    config_fields: ClassVar[tuple[ConfigField, ...]] = (
        ConfigField("address", _l("Email address"), "email"),
        ConfigField(
            "attach_csv", _l("Attach the answers as CSV"), "flag", required=False, default=False
        ),
        ConfigField(
            "attach_xlsx",
            _l("Attach the answers as an Excel workbook (XLSX)"),
            "flag",
            required=False,
            default=False,
        ),
        ConfigField(
            "max_bytes",
            _l("Largest message in bytes"),
            "integer",
            required=False,
            default=DEFAULT_MAX_BYTES,
        ),
    )

    address: str
    max_bytes: int = DEFAULT_MAX_BYTES
    attach_csv: bool = False
    attach_xlsx: bool = False

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> MailboxTarget:
        return cls(
            config["address"],
            int(config.get("max_bytes") or DEFAULT_MAX_BYTES),
            attach_csv=bool(config.get("attach_csv")),
            attach_xlsx=bool(config.get("attach_xlsx")),
        )

    @classmethod
    def check_config(cls, config: Mapping[str, Any]) -> list[FieldProblem]:
        return check_fields(cls.config_fields, config)

    def deliver(self, parcel: Parcel) -> None:
        tables = self._tables(parcel)
        attached = (*parcel.files, *tables)
        linked: tuple[File, ...] = ()
        if sum(len(file.content) for file in attached) > self.max_bytes:
            attached, linked = (parcel.pdf, parcel.document_file, *tables), parcel.uploads
        message = compose(
            self.address,
            f"{parcel.reference}: {parcel.form_title}",
            _text(parcel, linked),
            attachments=[(file.name, file.mime, file.content) for file in attached],
        )
        message["Message-ID"] = stable_message_id(f"delivery.{parcel.delivery_id}")
        try:
            mailbox().send(message)
        except MailError as error:
            raise SendError(str(error), permanent=error.permanent) from error

    def _tables(self, parcel: Parcel) -> tuple[File, ...]:
        """The answers as the spreadsheet files the tenant asked for."""
        tables = []
        if self.attach_csv:
            content = b"".join(exports.csv_chunks(iter(parcel.table), excel=True))
            tables.append(File(f"{parcel.reference}.csv", "text/csv", content))
        if self.attach_xlsx:
            content = b"".join(exports.xlsx_chunks(iter(parcel.table), parcel.reference))
            tables.append(File(f"{parcel.reference}.xlsx", XLSX, content))
        return tuple(tables)


def _text(parcel: Parcel, linked: tuple[File, ...]) -> str:
    files = ""
    if linked:
        names = "\n".join(f"- {file.name}" for file in linked)
        files = (
            "\nDiese Dateien waren zu groß für die E-Mail; angemeldet abrufbar unter\n"
            f"{parcel.files_url}\n{names}\n"
        )
    return TEXT.format(
        reference=parcel.reference,
        title=parcel.form_title,
        submitted=parcel.submitted_at,
        applicant=parcel.applicant or "(nicht angegeben)",
        kassenzeichen=f"Kassenzeichen: {parcel.kassenzeichen}\n" if parcel.kassenzeichen else "",
        summary=parcel.summary,
        files=files,
    )
