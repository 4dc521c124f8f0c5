"""What the submissions API takes and returns."""

from __future__ import annotations

import marshmallow as ma

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
