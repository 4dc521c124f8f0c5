"""What the API tells a caller about itself."""

from __future__ import annotations

import marshmallow as ma

from amtsweg.platform.auth.roles import Role
from amtsweg.platform.auth.trust import TrustLevel


class RoleGrantSchema(ma.Schema):
    role = ma.fields.Enum(Role, by_value=True)
    tenant = ma.fields.String(
        allow_none=True, metadata={"description": "Tenant slug; none for association admins"}
    )


class PrincipalSchema(ma.Schema):
    issuer = ma.fields.String()
    subject = ma.fields.String()
    name = ma.fields.String()
    kind = ma.fields.Function(lambda p: "service" if p.is_service else "person")
    trust_level = ma.fields.Enum(TrustLevel, by_value=True)
    roles = ma.fields.List(ma.fields.Nested(RoleGrantSchema), attribute="sorted_grants")
