"""What the submissions API takes and returns."""

from __future__ import annotations

import base64
import binascii
from typing import Any, ClassVar

import marshmallow as ma
from flask import request, url_for

from amtsweg.submissions.clerk import Delivery
from amtsweg.submissions.models import ProcessingStatus, SubmissionStatus

LOCALES = ("de", "en")


class SubmitSchema(ma.Schema):
    answers = ma.fields.Dict(
        keys=ma.fields.String(),
        required=True,
        metadata={"description": "Answers by field id, as the form definition describes them."},
    )
    locale = ma.fields.String(
        load_default="de",
        validate=ma.validate.OneOf(LOCALES),
        metadata={"description": "Language of error messages, receipt and email."},
    )


class FeeLineSchema(ma.Schema):
    rule = ma.fields.String()
    label = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String())
    quantity = ma.fields.Integer()
    unit_amount = ma.fields.Integer(metadata={"description": "cents"})
    amount = ma.fields.Integer(metadata={"description": "cents"})


class FeeSchema(ma.Schema):
    collection = ma.fields.String(metadata={"description": "online or by_notice"})
    currency = ma.fields.String()
    total = ma.fields.Integer(metadata={"description": "cents"})
    lines = ma.fields.List(ma.fields.Nested(FeeLineSchema))


class PaymentSummarySchema(ma.Schema):
    status = ma.fields.String(
        metadata={
            "description": "created, pending, succeeded, failed, cancelled, expired, "
            "partially_refunded or refunded"
        }
    )
    amount_cents = ma.fields.Integer()
    currency = ma.fields.String()
    provider = ma.fields.String()
    kassenzeichen = ma.fields.String()


class SubmissionSchema(ma.Schema):
    reference = ma.fields.String()
    status = ma.fields.Function(lambda submission: submission.status.value)
    submitted_at = ma.fields.AwareDateTime()
    answers = ma.fields.Dict()
    fee = ma.fields.Nested(FeeSchema)
    payment = ma.fields.Nested(PaymentSummarySchema, allow_none=True)


class ClerkListArgsSchema(ma.Schema):
    """Filters, search, order and paging of the clerk's list (HTML and API alike)."""

    class Meta:
        unknown = ma.EXCLUDE

    form = ma.fields.String(
        validate=ma.validate.Length(max=80), metadata={"description": "Form slug"}
    )
    status = ma.fields.Enum(
        SubmissionStatus, by_value=True, metadata={"description": "Technical status"}
    )
    processing = ma.fields.Enum(
        ProcessingStatus, by_value=True, metadata={"description": "Processing status"}
    )
    payment = ma.fields.String(validate=ma.validate.Length(max=40))
    delivery = ma.fields.Enum(Delivery, by_value=True)
    submitted_from = ma.fields.Date(data_key="from")
    submitted_to = ma.fields.Date(data_key="to")
    search = ma.fields.String(
        data_key="q",
        load_default="",
        validate=ma.validate.Length(max=200),
        metadata={"description": "A reference, or the applicant's name from the start of a word"},
    )
    since = ma.fields.AwareDateTime(
        metadata={"description": "Only submissions submitted after this moment"}
    )
    acknowledged = ma.fields.Boolean()
    order = ma.fields.String(
        load_default="newest", validate=ma.validate.OneOf(("newest", "oldest"))
    )
    cursor = ma.fields.String(validate=ma.validate.Length(max=200))


class AuditLogArgsSchema(ma.Schema):
    """Filters and paging of the tenant admin's audit log page."""

    class Meta:
        unknown = ma.EXCLUDE

    person = ma.fields.String(load_default="", validate=ma.validate.Length(max=200))
    action = ma.fields.String(validate=ma.validate.Length(max=100))
    since = ma.fields.Date(data_key="from")
    until = ma.fields.Date(data_key="to")
    cursor = ma.fields.String(validate=ma.validate.Length(max=200))


class CaseNumbersArgsSchema(ma.Schema):
    """The period of the tenant admin's case numbers."""

    class Meta:
        unknown = ma.EXCLUDE

    since = ma.fields.Date(data_key="from")
    until = ma.fields.Date(data_key="to")


class FigureSchema(ma.Schema):
    key = ma.fields.String(metadata={"description": "The key of the figure in `figures`."})
    label = ma.fields.Function(lambda figure: str(figure.label))
    money = ma.fields.Boolean(metadata={"description": "An amount in cents, not a count."})


class CaseNumberLineSchema(ma.Schema):
    form = ma.fields.String()
    title = ma.fields.String()
    month = ma.fields.String(metadata={"example": "2026-01"})
    figures = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    median_days_to_decision = ma.fields.Float(allow_none=True)


class CaseNumbersSchema(ma.Schema):
    """Per form and month: the applications that came in then, and what became of them."""

    since = ma.fields.Date(data_key="from", attribute="period.first")
    until = ma.fields.Date(data_key="to", attribute="period.last")
    figures = ma.fields.List(ma.fields.Nested(FigureSchema))
    lines = ma.fields.List(ma.fields.Nested(CaseNumberLineSchema))


class ProcessingEntrySchema(ma.Schema):
    id = ma.fields.UUID()
    created_at = ma.fields.AwareDateTime()
    status = ma.fields.Function(lambda entry: entry.status.value if entry.status else None)
    message = ma.fields.String()
    from_citizen = ma.fields.Boolean()
    files = ma.fields.Function(
        lambda entry: [file["name"] for file in entry.files],
        metadata={"description": "The files' names, as in ``attachments``."},
    )
    attachments = ma.fields.Method(
        "_attachments",
        metadata={
            "description": "Each file with its type, size and ``href`` to download it; a "
            "document the municipality sent has ``retrieved_at`` once the applicant has "
            "downloaded it (it counts as notified the day after, § 41 (2a) VwVfG)."
        },
    )

    def _attachments(self, entry: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": file["name"],
                "mime": file["mime"],
                "size": file["size"],
                "retrieved_at": file.get("retrieved_at"),
                "href": url_for(
                    "clerk_api.ClerkProcessingFile",
                    **_submission_in_url(),
                    entry_id=entry.id,
                    index=index,
                ),
            }
            for index, file in enumerate(entry.files)
        ]


def _submission_in_url() -> dict[str, str]:
    """The tenant and the reference of the clerk API request being answered: a history is
    dumped only under ``/tenants/<tenant_slug>/submissions/<reference>``."""
    arguments = request.view_args or {}
    return {"tenant_slug": arguments["tenant_slug"], "reference": arguments["reference"]}


class ClerkSubmissionSchema(ma.Schema):
    """A submission as the municipality sees it: ``submission.json`` plus its processing."""

    reference = ma.fields.String()
    status = ma.fields.Function(lambda submission: submission.status.value)
    processing_status = ma.fields.Function(lambda submission: submission.processing_status.value)
    submitted_at = ma.fields.AwareDateTime()
    acknowledged_at = ma.fields.AwareDateTime(allow_none=True)


class ClerkSubmissionPageSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(ClerkSubmissionSchema))
    next_cursor = ma.fields.String(
        allow_none=True, metadata={"description": "Pass as ?cursor= for the next page"}
    )


class Base64(ma.fields.String):
    """Bytes sent as base64 text in JSON (RFC 4648, with padding)."""

    default_error_messages: ClassVar[dict[str, str]] = {"invalid": "Not base64 (RFC 4648)."}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bytes:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return base64.b64decode(text, validate=True)
        except binascii.Error as error:
            raise self.make_error("invalid") from error


class ResultDocumentSchema(ma.Schema):
    filename = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=255))
    content = Base64(required=True, metadata={"description": "The PDF, base64-encoded."})


class ProcessingStatusSchema(ma.Schema):
    status = ma.fields.Enum(ProcessingStatus, by_value=True, required=True)
    message = ma.fields.String(load_default="", validate=ma.validate.Length(max=5000))
    document = ma.fields.Nested(
        ResultDocumentSchema,
        load_default=None,
        metadata={
            "description": "A result document for the applicant (e.g. the notice), a PDF of "
            "at most 10 MB; checked as the clerk's page checks it."
        },
    )


class ClerkSubmissionDetailSchema(ma.Schema):
    """``GET …/submissions/<reference>`` for clerks."""

    class Meta:
        ordered = True

    reference = ma.fields.Function(lambda data: data["submission"].reference)
    processing_status = ma.fields.Function(lambda data: data["submission"].processing_status.value)
    acknowledged_at = ma.fields.Function(
        lambda data: (
            data["submission"].acknowledged_at.isoformat()
            if data["submission"].acknowledged_at
            else None
        )
    )
    document = ma.fields.Dict(metadata={"description": "submission.json (see /api/v1/schemas/)"})
    history = ma.fields.List(ma.fields.Nested(ProcessingEntrySchema))


class ExportArgsSchema(ma.Schema):
    excel = ma.fields.Boolean(
        load_default=False, metadata={"description": "German Excel: ';' and a byte order mark"}
    )
