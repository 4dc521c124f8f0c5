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
