"""The tenants API: the audit log and the branding of a tenant."""

from __future__ import annotations

from typing import Any

from flask import Flask, request
from flask_smorest import Page

from amtsweg.platform.api import API_PREFIX, Blueprint, ProblemErrorSchema, register_blueprint
from amtsweg.tenants import service
from amtsweg.tenants.models import AuditEntry, Role
from amtsweg.tenants.schemas import AuditEntrySchema, BrandingSchema
from amtsweg.tenants.web import TenantView

blp = Blueprint(
    "tenants_api", __name__, url_prefix=f"{API_PREFIX}/tenants", description="Member municipalities"
)


class AuditLogPage(Page):
    """A page of the audit log, counted and fetched by the service."""

    def __init__(self, tenant: Any, page_params: Any) -> None:
        self._items, self._total = service.audit_entries(
            tenant, page_params.first_item, page_params.page_size
        )
        super().__init__(tenant, page_params)

    @property
    def items(self) -> list[AuditEntry]:
        return self._items

    @property
    def item_count(self) -> int:
        return self._total


@blp.route("/<slug:tenant_slug>/audit-log")
class AuditLog(TenantView):
    required_roles = (Role.TENANT_ADMIN, Role.CLERK, Role.ASSOCIATION_ADMIN)

    @blp.response(200, AuditEntrySchema(many=True))
    @blp.paginate(AuditLogPage)
    @blp.alt_response(401, schema=ProblemErrorSchema, description="No valid access token")
    @blp.alt_response(404, schema=ProblemErrorSchema, description="No such tenant for you")
    @blp.doc(security=[{"bearer": []}])
    def get(self) -> Any:
        """The tenant's audit entries, newest first (tenant admins and clerks)."""
        return self.tenant


@blp.route("/<slug:tenant_slug>/branding")
class Branding(TenantView):
    required_roles = (Role.TENANT_ADMIN, Role.ASSOCIATION_ADMIN)

    @blp.response(200, BrandingSchema)
    @blp.doc(security=[{"bearer": []}])
    def get(self) -> Any:
        """The tenant's name, colour, contact, imprint and privacy links."""
        return self.tenant

    @blp.arguments(BrandingSchema)
    @blp.response(200, BrandingSchema)
    @blp.alt_response(422, schema=ProblemErrorSchema, description="A value breaks the pages")
    @blp.doc(security=[{"bearer": []}])
    def patch(self, changes: dict[str, Any]) -> Any:
        """Change the branding; colours must give white text AA contrast."""
        service.update_branding(self.tenant, service.Branding(**changes), actor=self.actor())
        return self.tenant


@blp.route("/<slug:tenant_slug>/branding/coat-of-arms")
class CoatOfArms(TenantView):
    required_roles = (Role.TENANT_ADMIN, Role.ASSOCIATION_ADMIN)

    @blp.response(204)
    @blp.alt_response(422, schema=ProblemErrorSchema, description="Not a PNG, JPEG or WebP")
    @blp.doc(
        security=[{"bearer": []}],
        requestBody={
            "content": {
                kind: {"schema": {"type": "string", "format": "binary"}}
                for kind in ("image/png", "image/jpeg", "image/webp")
            }
        },
    )
    def put(self) -> None:
        """Upload the coat of arms (the image itself as the body, at most 1 MB)."""
        service.set_coat_of_arms(self.tenant, request.get_data(), actor=self.actor())


def init_app(app: Flask) -> None:
    with app.app_context():
        register_blueprint(blp)
