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
