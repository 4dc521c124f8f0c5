"""What the tenants API returns."""

from __future__ import annotations

import marshmallow as ma


class AuditEntrySchema(ma.Schema):
    id = ma.fields.UUID()
    created_at = ma.fields.AwareDateTime()
    actor_id = ma.fields.UUID(allow_none=True)
    action = ma.fields.String()
    object_type = ma.fields.String()
    object_id = ma.fields.String()
    details = ma.fields.Dict()


class BrandingSchema(ma.Schema):
    """A tenant's branding; every field optional on update, empty text clears it."""

    name = ma.fields.String(dump_only=True)
    colour = ma.fields.String(metadata={"description": "#rrggbb; white text must stay readable"})
    contact_email = ma.fields.String(allow_none=True)
    contact_phone = ma.fields.String(allow_none=True)
    contact_address = ma.fields.String(allow_none=True)
    imprint_url = ma.fields.String(allow_none=True)
    privacy_url = ma.fields.String(allow_none=True)
    has_coat_of_arms = ma.fields.Function(lambda tenant: bool(tenant.coat_of_arms_key))


class TenantSummarySchema(ma.Schema):
    """One tenant as the association's overview shows it."""

    slug = ma.fields.String()
    name = ma.fields.String()
    municipality_key = ma.fields.String(allow_none=True)
    state = ma.fields.String(allow_none=True)
    enabled = ma.fields.Boolean()
    live_since = ma.fields.AwareDateTime(allow_none=True)
    onboarding_passed = ma.fields.Integer(allow_none=True)
    onboarding_total = ma.fields.Integer(allow_none=True)
    last_submission_at = ma.fields.AwareDateTime(allow_none=True)
    dead_deliveries = ma.fields.Integer()
    failed_payments = ma.fields.Integer()


class OverviewQuerySchema(ma.Schema):
    q = ma.fields.String(load_default="", validate=ma.validate.Length(max=100))
    after = ma.fields.String(load_default=None, validate=ma.validate.Length(max=63))
    limit = ma.fields.Integer(load_default=50, validate=ma.validate.Range(min=1, max=200))


class OverviewPageSchema(ma.Schema):
    tenants = ma.fields.List(ma.fields.Nested(TenantSummarySchema))
    next_after = ma.fields.String(
        allow_none=True, metadata={"description": "Pass as ?after= for the next page; null: last"}
    )


class NewTenantSchema(ma.Schema):
    name = ma.fields.String(required=True)
    slug = ma.fields.String(required=True)
    municipality_key = ma.fields.String(
        required=True, metadata={"description": "Amtlicher Gemeindeschlüssel, 8 digits"}
    )
    state = ma.fields.String(required=True, metadata={"description": "01 to 16"})
    contact_email = ma.fields.String(load_default="")


class EnabledSchema(ma.Schema):
    enabled = ma.fields.Boolean(required=True)


class InvitationRequestSchema(ma.Schema):
    email = ma.fields.String(required=True)
    role = ma.fields.String(
        load_default="tenant_admin", validate=ma.validate.OneOf(["tenant_admin", "clerk"])
    )


class InvitationSchema(ma.Schema):
    id = ma.fields.UUID()
    email = ma.fields.String()
    role = ma.fields.Function(lambda invitation: invitation.role.value)
    expires_at = ma.fields.AwareDateTime()


class CheckSchema(ma.Schema):
    key = ma.fields.Function(lambda item: item.check.key)
    label = ma.fields.Function(lambda item: str(item.check.label))
    required = ma.fields.Function(lambda item: item.check.required)
    passed = ma.fields.Function(lambda item: item.result.passed)
    detail = ma.fields.Function(lambda item: item.result.detail)


class ChecklistSchema(ma.Schema):
    live = ma.fields.Boolean()
    items = ma.fields.List(ma.fields.Nested(CheckSchema))
