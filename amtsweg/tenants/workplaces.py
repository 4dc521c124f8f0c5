"""The admins' workplaces in the browser.

- ``/admin/tenants/…``: the association's tenants — overview, create, disable
  and enable, roles, invitations of the first admin.
- ``/t/<tenant>/admin/…``: the tenant admin's onboarding checklist with "go
  live", branding, the accessibility statement and people; other areas add
  pages to the navigation (:func:`amtsweg.tenants.onboarding.register_admin_page`).
- ``/t/<tenant>/invitation/<token>``: where an invited person accepts.

Forms post with a CSRF token; a refusal is shown next to the form (status
422/409) and nothing of the refused input is saved.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext

from amtsweg.platform.auth.access import require_principal
from amtsweg.platform.db import db
from amtsweg.platform.errors import Refusal
from amtsweg.tenants import onboarding, service
from amtsweg.tenants.accessibility import service as accessibility
from amtsweg.tenants.models import Role, User
from amtsweg.tenants.municipality import STATES
from amtsweg.tenants.web import (
    AssociationTenantView,
    ProtectedView,
    TenantAdminView,
    TenantView,
)

association_bp = Blueprint(
    "association_admin", __name__, url_prefix="/admin/tenants", template_folder="templates"
)
tenant_admin_bp = Blueprint(
    "tenant_admin", __name__, url_prefix="/t/<slug:tenant_slug>", template_folder="templates"
)
PAGE_SIZE = 50


def problems_by_field(refusal: Refusal) -> dict[str, str]:
    """A refusal's problems keyed by field name; one without fields under ``""``."""
    found = {problem.pointer.lstrip("/"): problem.detail for problem in refusal.problems}
    return found or {"": refusal.detail}


# --- the association -------------------------------------------------------------------


class AssociationView(ProtectedView):
    required_roles = (Role.ASSOCIATION_ADMIN,)


class TenantOverview(AssociationView):
    """Every tenant at a glance, searchable, 50 a page (keyset: as fast on any page)."""

    def get(self) -> str:
        search = request.args.get("q", "").strip()[:100]
        after = request.args.get("after", "").strip()[:63] or None
        page = service.tenant_overview(search, after, PAGE_SIZE)
        return render_template(
            "tenants/admin/overview.html", page=page, search=search, after=after, states=STATES
        )


class TenantCreate(AssociationView):
    def get(self) -> str:
        return self._render({}, {})

    def post(self) -> Any:
        values = {
            name: request.form.get(name, "").strip()[:254]
            for name in ("name", "slug", "municipality_key", "state", "contact_email")
        }
        try:
            tenant = service.register_municipality(
                service.NewMunicipality(**values), actor=self.actor()
            )
        except Refusal as refused:
            db.session.rollback()
            return self._render(values, problems_by_field(refused)), refused.status
        db.session.commit()
        flash(
            gettext("%(tenant)s was created; invite its first administrator.", tenant=tenant.name),
            "success",
        )
        return redirect(url_for(".tenant", tenant_slug=tenant.slug))

    def _render(self, values: dict[str, str], errors: dict[str, str]) -> str:
        return render_template(
            "tenants/admin/create.html", values=values, errors=errors, states=STATES
        )


class TenantPage(AssociationTenantView):
    """One tenant: its data, checklist progress, people and open invitations."""

    def get(self) -> str:
        return self._render({})

    def _render(self, errors: dict[str, str], email: str = "") -> str:
        return render_template(
            "tenants/admin/tenant.html",
            managed=self.tenant,
            members=service.members(self.tenant),
            invitations=service.open_invitations(self.tenant),
            errors=errors,
            email=email,
            states=STATES,
            role_label=service.role_label,
            now=dt.datetime.now(dt.UTC),
        )


class TenantSwitch(TenantPage):
    """Disable (citizens see a polite notice, data is kept) or enable again."""

    def post(self) -> Response:
        if request.form.get("enabled") == "true":
            service.enable_tenant(self.tenant, actor=self.actor())
            flash(gettext("%(tenant)s is enabled again.", tenant=self.tenant.name), "success")
        else:
            service.disable_tenant(self.tenant, actor=self.actor())
            flash(
                gettext("%(tenant)s is disabled; its data is kept.", tenant=self.tenant.name),
                "success",
            )
        return redirect(url_for(".tenant", tenant_slug=self.tenant.slug))


class TenantInvite(TenantPage):
    """Invite the tenant's (first) administrator by email."""

    def post(self) -> Any:
        email = request.form.get("email", "").strip()[:254]
        try:
            service.invite_and_mail(self.tenant, email, Role.TENANT_ADMIN, actor=self.actor())
        except Refusal as refused:
            db.session.rollback()
            return self._render(problems_by_field(refused), email), refused.status
        flash(gettext("The invitation was sent to %(email)s.", email=email), "success")
        return redirect(url_for(".tenant", tenant_slug=self.tenant.slug))


class TenantRevoke(TenantPage):
    """Take a role from someone (never the last tenant admin's)."""

    def post(self) -> Any:
        user = _member(request.form.get("user", ""))
        role = _role(request.form.get("role", ""))
        try:
            service.revoke_role(self.tenant, user, role, actor=self.actor())
        except Refusal as refused:
            db.session.rollback()
            return self._render({"": refused.detail}), refused.status
        flash(gettext("The role was taken back."), "success")
        return redirect(url_for(".tenant", tenant_slug=self.tenant.slug))


def _member(user_id: str) -> User:
    try:
        return service.get_user(uuid.UUID(user_id))
    except ValueError:
        abort(404)


def _role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        abort(404)


association_bp.add_url_rule("/", view_func=TenantOverview.as_view("overview"))
association_bp.add_url_rule("/new", view_func=TenantCreate.as_view("create"))
association_bp.add_url_rule("/<slug:tenant_slug>/", view_func=TenantPage.as_view("tenant"))
association_bp.add_url_rule(
    "/<slug:tenant_slug>/enabled", view_func=TenantSwitch.as_view("switch"), methods=["POST"]
)
association_bp.add_url_rule(
    "/<slug:tenant_slug>/invitations", view_func=TenantInvite.as_view("invite"), methods=["POST"]
)
association_bp.add_url_rule(
    "/<slug:tenant_slug>/roles/revoke", view_func=TenantRevoke.as_view("revoke"), methods=["POST"]
)


# --- the tenant admin ------------------------------------------------------------------


class ChecklistPage(TenantAdminView):
    """What is still missing before the tenant can go live; each item checked now."""

    def get(self) -> str:
        return self._render("")

    def _render(self, refusal: str) -> str:
        items = onboarding.run_checklist(self.tenant)
        return self.render(
            "tenants/admin/checklist.html",
            items=items,
            ready=all(item.result.passed for item in items if item.check.required),
            refusal=refusal,
        )


class GoLive(ChecklistPage):
    def post(self) -> Any:
        try:
            onboarding.go_live(self.tenant, actor=self.actor())
        except Refusal as refused:
            db.session.rollback()
            return self._render(refused.detail), refused.status
        flash(
            gettext("%(tenant)s is live: citizens can apply now.", tenant=self.tenant.name),
            "success",
        )
        return redirect(url_for(".checklist", tenant_slug=self.tenant.slug))


class BrandingPage(TenantAdminView):
    """Colour, contact, imprint and privacy links, coat of arms."""

    FIELDS = (
        "colour",
        "contact_email",
        "contact_phone",
        "contact_address",
        "imprint_url",
        "privacy_url",
    )

    def get(self) -> str:
        values = {name: getattr(self.tenant, name) or "" for name in self.FIELDS}
        return self._render(values, {})

    def post(self) -> Any:
        values = {name: request.form.get(name, "")[:500] for name in self.FIELDS}
        upload = request.files.get("coat_of_arms")
        try:
            service.update_branding(self.tenant, service.Branding(**values), actor=self.actor())
            if upload and upload.filename:
                service.set_coat_of_arms(self.tenant, upload.read(), actor=self.actor())
        except Refusal as refused:
            db.session.rollback()
            return self._render(values, problems_by_field(refused)), refused.status
        flash(gettext("The branding was saved."), "success")
        return redirect(url_for(".branding", tenant_slug=self.tenant.slug))

    def _render(self, values: dict[str, str], errors: dict[str, str]) -> str:
        return self.render("tenants/admin/branding.html", values=values, errors=errors)


class AccessibilityPage(TenantAdminView):
    """The tenant's part of the accessibility statement, and the date of its review."""

    FIELDS = ("limitations", "reviewed_on", "enforcement_body_name", "enforcement_body_url")

    def get(self) -> str:
        tenant = self.tenant
        values = {
            "limitations": tenant.accessibility_limitations or "",
            "reviewed_on": tenant.accessibility_reviewed_on.isoformat()
            if tenant.accessibility_reviewed_on
            else "",
            "enforcement_body_name": tenant.enforcement_body_name or "",
            "enforcement_body_url": tenant.enforcement_body_url or "",
        }
        return self._render(values, {})

    def post(self) -> Any:
        values = {name: request.form.get(name, "")[:5000] for name in self.FIELDS}
        try:
            reviewed = (
                dt.date.fromisoformat(values["reviewed_on"]) if values["reviewed_on"] else None
            )
        except ValueError:
            error = gettext("Enter the date of the review as a date, e.g. 2026-11-28.")
            return self._render(values, {"reviewed_on": error}), 422
        if reviewed is not None and reviewed > dt.datetime.now(dt.UTC).date():
            error = gettext("The review cannot lie in the future; enter the day it was done.")
            return self._render(values, {"reviewed_on": error}), 422
        settings = accessibility.AccessibilitySettings(
            limitations=values["limitations"],
            reviewed_on=reviewed,
            enforcement_body_name=values["enforcement_body_name"],
            enforcement_body_url=values["enforcement_body_url"],
        )
        try:
            accessibility.update_settings(self.tenant, settings)
        except Refusal as refused:
            db.session.rollback()
            return self._render(values, problems_by_field(refused)), refused.status
        flash(gettext("The accessibility statement settings were saved."), "success")
        return redirect(url_for(".accessibility", tenant_slug=self.tenant.slug))

    def _render(self, values: dict[str, str], errors: dict[str, str]) -> str:
        return self.render("tenants/admin/accessibility.html", values=values, errors=errors)


class PeoplePage(TenantAdminView):
    """Who works here, open invitations, and inviting clerks and admins."""

    def get(self) -> str:
        return self._render({})

    def post(self) -> Any:
        email = request.form.get("email", "").strip()[:254]
        role = Role.TENANT_ADMIN if request.form.get("role") == "tenant_admin" else Role.CLERK
        try:
            service.invite_and_mail(self.tenant, email, role, actor=self.actor())
        except Refusal as refused:
            db.session.rollback()
            return self._render(problems_by_field(refused), email), refused.status
        flash(gettext("The invitation was sent to %(email)s.", email=email), "success")
        return redirect(url_for(".people", tenant_slug=self.tenant.slug))

    def _render(self, errors: dict[str, str], email: str = "") -> str:
        return self.render(
            "tenants/admin/people.html",
            members=service.members(self.tenant),
            invitations=service.open_invitations(self.tenant),
            errors=errors,
            email=email,
            role_label=service.role_label,
            now=dt.datetime.now(dt.UTC),
        )


class PeopleRevoke(PeoplePage):
    def post(self) -> Any:
        user = _member(request.form.get("user", ""))
        role = _role(request.form.get("role", ""))
        try:
            service.revoke_role(self.tenant, user, role, actor=self.actor())
        except Refusal as refused:
            db.session.rollback()
            return self._render({"": refused.detail}), refused.status
        flash(gettext("The role was taken back."), "success")
        return redirect(url_for(".people", tenant_slug=self.tenant.slug))


class InvitationPage(TenantView):
    """Accept an invitation: log in, then the link is bound to that login, then accept."""

    def _process_args(self, token: str, **kwargs: Any) -> None:
        super()._process_args(**kwargs)
        self.token = token

    def _check_access(self) -> None:
        super()._check_access()
        self.principal = require_principal()

    def get(self) -> str:
        invitation = service.open_invitation(self.tenant, self.token, self._person())
        return render_template(
            "tenants/admin/invitation.html",
            invitation=invitation,
            role=service.role_label(invitation.role),
        )

    def post(self) -> Response:
        invitation = service.accept_invitation(self.tenant, self.token, self._person())
        flash(
            gettext(
                "Welcome: you are %(role)s of %(tenant)s now.",
                role=service.role_label(invitation.role),
                tenant=self.tenant.name,
            ),
            "success",
        )
        target = ".checklist" if invitation.role is Role.TENANT_ADMIN else "forms.index"
        return redirect(url_for(target, tenant_slug=self.tenant.slug))

    def _person(self) -> User:
        person = self.actor()
        assert person is not None  # _check_access required a principal
        return person


tenant_admin_bp.add_url_rule("/admin/", view_func=ChecklistPage.as_view("checklist"))
tenant_admin_bp.add_url_rule(
    "/admin/go-live", view_func=GoLive.as_view("go_live"), methods=["POST"]
)
tenant_admin_bp.add_url_rule("/admin/branding", view_func=BrandingPage.as_view("branding"))
tenant_admin_bp.add_url_rule(
    "/admin/accessibility", view_func=AccessibilityPage.as_view("accessibility")
)
tenant_admin_bp.add_url_rule("/admin/people", view_func=PeoplePage.as_view("people"))
tenant_admin_bp.add_url_rule(
    "/admin/people/revoke", view_func=PeopleRevoke.as_view("people_revoke"), methods=["POST"]
)
tenant_admin_bp.add_url_rule("/invitation/<token>", view_func=InvitationPage.as_view("invitation"))
