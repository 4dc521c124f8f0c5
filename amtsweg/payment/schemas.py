"""What the payment API takes and returns."""

from __future__ import annotations

import marshmallow as ma


class ConfigFieldSchema(ma.Schema):
    name = ma.fields.String()
    label = ma.fields.String()
    secret = ma.fields.Boolean()
    required = ma.fields.Boolean()
    multiline = ma.fields.Boolean()


class ProviderSchema(ma.Schema):
    key = ma.fields.String()
    label = ma.fields.String()
    config_fields = ma.fields.List(ma.fields.Nested(ConfigFieldSchema))
    connected = ma.fields.Boolean()
    enabled = ma.fields.Boolean()
    settings = ma.fields.Dict(metadata={"description": "Settings that are not secret"})
    credentials = ma.fields.Dict(metadata={"description": "Secrets, masked (••••abcd)"})
    webhook_url = ma.fields.String(
        metadata={"description": "Give this address to the provider (empty: it notifies nobody)"}
    )
    notification_events = ma.fields.List(
        ma.fields.String(),
        metadata={"description": "The events to subscribe that address to at the provider"},
    )


class ProviderListSchema(ma.Schema):
    providers = ma.fields.List(ma.fields.Nested(ProviderSchema))
    retired = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.String(),
        metadata={"description": "Schemes that no longer exist (giropay), and why"},
    )


class ConnectSchema(ma.Schema):
    values = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.String(),
        required=True,
        metadata={"description": "Config field values; an empty secret keeps the stored one"},
    )
    enabled = ma.fields.Boolean(load_default=True)


class BookingCodeSchema(ma.Schema):
    form_slug = ma.fields.String(dump_only=True)
    haushaltsstelle = ma.fields.String(required=True, validate=ma.validate.Length(max=60))
    objektnummer = ma.fields.String(required=True, validate=ma.validate.Length(max=60))


class PaymentFilterSchema(ma.Schema):
    status = ma.fields.String(
        validate=ma.validate.OneOf(
            ["created", "pending", "succeeded", "failed", "cancelled", "expired",
             "partially_refunded", "refunded"]
        )
    )  # fmt: skip
    provider = ma.fields.String()
    q = ma.fields.String(metadata={"description": "A submission reference or Kassenzeichen"})


class PaymentSchema(ma.Schema):
    id = ma.fields.UUID(attribute="payment.id")
    reference = ma.fields.String(metadata={"description": "The submission's reference"})
    form = ma.fields.String(attribute="form_slug")
    status = ma.fields.Function(lambda row: row.payment.status.value)
    amount_cents = ma.fields.Integer(attribute="payment.amount_cents")
    refunded_cents = ma.fields.Integer(attribute="payment.refunded_cents")
    currency = ma.fields.String(attribute="payment.currency")
    provider = ma.fields.String(attribute="payment.provider")
    provider_payment_id = ma.fields.String(attribute="payment.provider_payment_id")
    kassenzeichen = ma.fields.String(attribute="payment.kassenzeichen")
    duplicate = ma.fields.Boolean(attribute="payment.duplicate")
    created_at = ma.fields.AwareDateTime(attribute="payment.created_at")
    succeeded_at = ma.fields.AwareDateTime(attribute="payment.succeeded_at")


class RefundRequestSchema(ma.Schema):
    amount_cents = ma.fields.Integer(required=True, strict=True)
    reason = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=500))


class RefundSchema(ma.Schema):
    id = ma.fields.UUID()
    amount_cents = ma.fields.Integer()
    reason = ma.fields.String()
    provider_refund_id = ma.fields.String()
    created_at = ma.fields.AwareDateTime()
    failed_at = ma.fields.AwareDateTime(
        metadata={
            "description": "When the provider said the refund failed or was cancelled; it "
            "then gave nothing back and no longer counts in refunded_cents"
        }
    )
    failure = ma.fields.String(metadata={"description": "The provider's reason for the failure"})


class RemoteRefundSchema(ma.Schema):
    provider_refund_id = ma.fields.String()
    amount_cents = ma.fields.Integer()


class TakenUpSchema(ma.Schema):
    recorded = ma.fields.List(
        ma.fields.Nested(RefundSchema),
        metadata={"description": "Refunds made at the provider and missing here, recorded now"},
    )
    lost = ma.fields.List(
        ma.fields.Nested(RemoteRefundSchema),
        metadata={
            "description": "Refunds made here whose answer was lost, not recorded: refund "
            "the same amount again to record one"
        },
    )
    failed = ma.fields.List(
        ma.fields.Nested(RefundSchema),
        metadata={
            "description": "Refunds recorded here that failed at the provider, no longer "
            "counted as refunded now"
        },
    )


class TestPaymentStartedSchema(ma.Schema):
    payment_page = ma.fields.Url(metadata={"description": "Where to pay the test payment"})


class TestPaymentOutcomeSchema(ma.Schema):
    status = ma.fields.String(
        metadata={"description": "pending, succeeded, failed or cancelled, from the provider"}
    )
    refunded = ma.fields.Boolean(metadata={"description": "Given back at once"})
    onboarding_passed = ma.fields.Boolean(
        metadata={"description": "Whether the checklist's payment item passes now"}
    )


class ResolutionSchema(ma.Schema):
    resolution = ma.fields.String(
        required=True, metadata={"description": "What was done about the credit (500 at most)"}
    )


class StatementResultSchema(ma.Schema):
    matched = ma.fields.Integer()
    for_clerk = ma.fields.Integer()
    known = ma.fields.Integer()


class StatementLineSchema(ma.Schema):
    id = ma.fields.UUID()
    entry_reference = ma.fields.String()
    booking_date = ma.fields.Date()
    amount_cents = ma.fields.Integer()
    currency = ma.fields.String()
    remittance = ma.fields.String()
    debtor = ma.fields.String()
    outcome = ma.fields.String(
        metadata={
            "description": "unmatched, partial, over, already_paid, online_payment "
            "(names a payment made online) or other_currency"
        }
    )
    payment_id = ma.fields.UUID(
        allow_none=True, metadata={"description": "The payment its Kassenzeichen names"}
    )
    kassenzeichen = ma.fields.Function(
        lambda line: line.payment.kassenzeichen if line.payment else None, allow_none=True
    )
    resolved_at = ma.fields.AwareDateTime(allow_none=True)
    resolution = ma.fields.String(metadata={"description": "What the clerk did about it"})
