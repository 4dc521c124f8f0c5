"""The tenants API: the audit log and the branding of a tenant."""

from __future__ import annotations

from typing import Any

from flask import Flask, request
from flask_babel import gettext
from flask_smorest import Page

from amtsweg.platform.api import API_PREFIX, Blueprint, ProblemErrorSchema, register_blueprint
from amtsweg.platform.errors import NotFound
from amtsweg.tenants import onboarding, service
from amtsweg.tenants.access import ADMINS, STAFF
from amtsweg.tenants.models import AuditEntry, Role
from amtsweg.tenants.schemas import (
    AuditEntrySchema,
    BrandingSchema,
    ChecklistSchema,
    EnabledSchema,
    InvitationRequestSchema,
    InvitationSchema,
    NewTenantSchema,
    OverviewPageSchema,
    OverviewQuerySchema,
    TenantSummarySchema,
)
from amtsweg.tenants.web import AssociationTenantView, ProtectedView, TenantAdminView, TenantView

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
    required_roles = STAFF

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
    required_roles = ADMINS

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
    required_roles = ADMINS

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


# --- the association's workplace and the checklist ------------------------------------

admin_blp = Blueprint(
    "association_admin_api",
    __name__,
    url_prefix=f"{API_PREFIX}/admin/tenants",
    description="The association's tenants (association admins)",
)


@admin_blp.route("")
class TenantOverview(ProtectedView):
    required_roles = (Role.ASSOCIATION_ADMIN,)

    @admin_blp.arguments(OverviewQuerySchema, location="query")
    @admin_blp.response(200, OverviewPageSchema)
    @admin_blp.alt_response(401, schema=ProblemErrorSchema, description="No valid access token")
    @admin_blp.doc(security=[{"bearer": []}])
    def get(self, query: dict[str, Any]) -> Any:
        """Tenants in slug order, searched by name, address or key; keyset paged by ``after``."""
        return service.tenant_overview(query["q"], query["after"], query["limit"])

    @admin_blp.arguments(NewTenantSchema)
    @admin_blp.response(201, TenantSummarySchema)
    @admin_blp.alt_response(422, schema=ProblemErrorSchema, description="Each problem, by field")
    @admin_blp.doc(security=[{"bearer": []}])
    def post(self, new: dict[str, Any]) -> Any:
        """Create a tenant in preview; the official key must match the state."""
        return service.register_municipality(service.NewMunicipality(**new), actor=self.actor())


@admin_blp.route("/<slug:tenant_slug>/enabled")
class TenantEnabled(AssociationTenantView):
    @admin_blp.arguments(EnabledSchema)
    @admin_blp.response(200, TenantSummarySchema)
    @admin_blp.doc(security=[{"bearer": []}])
    def put(self, change: dict[str, Any]) -> Any:
        """Disable (citizens see a notice, data is kept) or enable the tenant."""
        switch = service.enable_tenant if change["enabled"] else service.disable_tenant
        switch(self.tenant, actor=self.actor())
        return self.tenant


@admin_blp.route("/<slug:tenant_slug>/invitations")
class TenantInvitations(AssociationTenantView):
    @admin_blp.arguments(InvitationRequestSchema)
    @admin_blp.response(201, InvitationSchema)
    @admin_blp.alt_response(422, schema=ProblemErrorSchema, description="Not an email address")
    @admin_blp.alt_response(
        503,
        schema=ProblemErrorSchema,
        description="The mail server did not take the invitation; none was kept",
    )
    @admin_blp.doc(security=[{"bearer": []}])
    def post(self, invitation: dict[str, Any]) -> Any:
        """Mail an invitation: a link for one person, once, within 7 days. It is mailed
        before the answer, so a mail server that does not take it is reported here."""
        role = Role(invitation["role"])
        return service.invite_and_mail(self.tenant, invitation["email"], role, actor=self.actor())


@blp.route("/<slug:tenant_slug>/onboarding")
class Checklist(TenantAdminView):
    @blp.response(200, ChecklistSchema)
    @blp.doc(security=[{"bearer": []}])
    def get(self) -> Any:
        """The onboarding checklist, each item checked now."""
        return {"live": self.tenant.is_live, "items": onboarding.run_checklist(self.tenant)}


@blp.route("/<slug:tenant_slug>/go-live")
class GoLive(TenantAdminView):
    @blp.response(200, ChecklistSchema)
    @blp.alt_response(409, schema=ProblemErrorSchema, description="Required items are missing")
    @blp.doc(security=[{"bearer": []}])
    def post(self) -> Any:
        """Go live: citizens can submit from now on. Refused while a required item fails."""
        onboarding.go_live(self.tenant, actor=self.actor())
        return {"live": True, "items": onboarding.run_checklist(self.tenant)}


@blp.route("/<slug:tenant_slug>/members/<uuid:user_id>/<role>")
class Member(TenantAdminView):
    def _process_args(self, user_id: Any, role: str, **kwargs: Any) -> None:
        super()._process_args(**kwargs)
        self.user_id, self.role = user_id, role

    @blp.response(204)
    @blp.alt_response(409, schema=ProblemErrorSchema, description="The last tenant admin")
    @blp.doc(security=[{"bearer": []}])
    def delete(self) -> None:
        """Take a role from someone; the last tenant admin keeps theirs."""
        user = service.get_user(self.user_id)
        try:
            role = Role(self.role)
        except ValueError:
            raise NotFound(gettext("There is no such role.")) from None
        service.revoke_role(self.tenant, user, role, actor=self.actor())


def init_app(app: Flask) -> None:
    with app.app_context():
        register_blueprint(blp)
        register_blueprint(admin_blp)
