"""The tenant admin's pages for the clerk's area: which forms each clerk works on, and
how long the municipality keeps each form's submissions.

- ``/t/<tenant>/admin/clerks``: every clerk (by membership) with all forms or only
  some (:func:`amtsweg.tenants.service.grant_role` with ``form_slugs``); a
  limited clerk then sees only those forms' submissions (:class:`~.clerk.ClerkScope`).
- ``/t/<tenant>/admin/retention``: per offered form, the definition's period and
  the tenant's shorter one (:func:`amtsweg.formdefs.service.shorten_retention`,
  which refuses anything longer than the definition's).
- ``/t/<tenant>/admin/message-templates``: the texts clerks start a message to the
  applicant from (:mod:`~.message_templates`), listed, added, changed and deleted.

All are :class:`~amtsweg.tenants.web.TenantAdminView` pages: 404 for anyone
but the tenant's admins and the association's.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext

from amtsweg.formdefs import service as formdefs
from amtsweg.platform.db import db
from amtsweg.platform.errors import Refusal
from amtsweg.platform.i18n import current_locale
from amtsweg.submissions import labels, message_templates
from amtsweg.submissions.models import MessageTemplate, ProcessingStatus
from amtsweg.tenants import service as tenants
from amtsweg.tenants.models import Role, User
from amtsweg.tenants.web import TenantAdminView

bp = Blueprint(
    "clerk_settings",
    __name__,
    url_prefix="/t/<slug:tenant_slug>/admin",
    template_folder="templates",
)


# --- which forms a clerk works on --------------------------------------------------------


class ClerkFormsPage(TenantAdminView):
    """Every clerk of the tenant, each with all forms or a chosen few."""

    def get(self) -> Any:
        return self._render({})

    def _render(self, errors: dict[str, str], status: int = 200) -> Any:
        clerks = [
            (membership, person)
            for membership, person in tenants.members(self.tenant)
            if membership.role is Role.CLERK
        ]
        page = self.render(
            "clerk/settings_clerks.html",
            clerks=clerks,
            forms=formdefs.offered_forms(self.tenant),
            errors=errors,
        )
        return page, status


class ClerkFormsSave(ClerkFormsPage):
    """All forms, or only the ticked ones (at least one, each offered here)."""

    def _process_args(self, user_id: uuid.UUID, **kwargs: Any) -> None:
        super()._process_args(**kwargs)
        self.user_id = user_id

    def post(self) -> Any:
        person = self._clerk()
        chosen = None
        if request.form.get("scope") == "some":
            chosen = request.form.getlist("forms")
            offered = {form.slug for form in formdefs.offered_forms(self.tenant)}
            if not chosen or not set(chosen) <= offered:
                message = gettext("Choose at least one of the forms offered here.")
                db.session.rollback()
                return self._render({str(person.id): message}, 422)
        tenants.grant_role(self.tenant, person, Role.CLERK, form_slugs=chosen, actor=self.actor())
        flash(
            gettext("%(name)s now works on the forms chosen.", name=person.display_name)
            if chosen
            else gettext("%(name)s now works on all forms.", name=person.display_name),
            "success",
        )
        return redirect(url_for(".clerks", tenant_slug=self.tenant.slug), code=303)

    def _clerk(self) -> User:
        """The person, if a clerk of this tenant by membership; anyone else is a 404."""
        if Role.CLERK not in tenants.roles_of(self.tenant, self.user_id):
            abort(404)
        return tenants.get_user(self.user_id)


# --- how long submissions are kept --------------------------------------------------------


class RetentionPage(TenantAdminView):
    """Per offered form: the definition's period, and the tenant's shorter one if any."""

    def get(self) -> Any:
        return self._render({}, {})

    def _render(self, values: dict[str, str], errors: dict[str, str], status: int = 200) -> Any:
        page = self.render(
            "clerk/settings_retention.html",
            forms=formdefs.offered_forms(self.tenant),
            values=values,
            errors=errors,
        )
        return page, status


class RetentionSave(RetentionPage):
    """A shorter period in days, or empty for the definition's own."""

    def _process_args(self, form_slug: str, **kwargs: Any) -> None:
        super()._process_args(**kwargs)
        try:
            self.form = formdefs.offered_form(self.tenant, form_slug)
        except formdefs.FormNotFoundError:
            abort(404)

    def post(self) -> Any:
        given = request.form.get("days", "").strip()
        slug = self.form.slug
        if given and not given.isdecimal():
            return self._refuse(given, gettext("Please enter a number of days."))
        days = int(given) if given else None
        definition = formdefs.get_definition(slug)
        try:
            formdefs.shorten_retention(self.tenant, definition, days, actor=self.actor())
        except Refusal as refused:
            return self._refuse(given, refused.detail)
        flash(self._confirmation(days), "success")
        return redirect(url_for(".retention", tenant_slug=self.tenant.slug), code=303)

    def _refuse(self, given: str, message: str) -> Any:
        db.session.rollback()
        return self._render({self.form.slug: given}, {self.form.slug: message}, 422)

    def _confirmation(self, days: int | None) -> str:
        title = self.form.definition.title.get(current_locale())
        if days is None:
            return gettext("%(form)s: submissions are kept as long as the form says.", form=title)
        return gettext("%(form)s: submissions are kept for %(days)d days.", form=title, days=days)


# --- the clerks' text templates ------------------------------------------------------------


class MessageTemplatesPage(TenantAdminView):
    """Every text template, with its form and status."""

    def get(self) -> str:
        locale = current_locale()
        titles = {
            form.tenant_form.definition_id: form.definition.title.get(locale)
            for form in formdefs.offered_forms(self.tenant)
        }
        return self.render(
            "clerk/settings_message_templates.html",
            templates=message_templates.templates(self.tenant),
            titles=titles,
        )


class MessageTemplateForm(TenantAdminView):
    """A new text template (``template`` is ``None``), or one to change or delete."""

    template: MessageTemplate | None = None

    def get(self) -> Any:
        return self._render(None, {})

    def post(self) -> Any:
        given = message_templates.TemplateInput(
            **{name: request.form.get(name, "") for name in ("title", "text", "status", "form")}
        )
        try:
            saved = message_templates.save(self.tenant, given, self.template, actor=self.actor())
        except Refusal as refused:
            db.session.rollback()
            errors = {problem.pointer.lstrip("/"): problem.detail for problem in refused.problems}
            return self._render(request.form, errors, 422)
        flash(gettext("Text template “%(title)s” saved.", title=saved.title), "success")
        return redirect(url_for(".message_templates", tenant_slug=self.tenant.slug), code=303)

    def _render(self, values: Any, errors: dict[str, str], status: int = 200) -> Any:
        """The form, with ``values`` as sent, or (``None``) the template's own."""
        locale = current_locale()
        choices = message_templates.form_choices(self.tenant, self.template)
        if values is None:
            values = self._values(choices)
        page = self.render(
            "clerk/settings_message_template.html",
            message_template=self.template,
            values=values,
            errors=errors,
            statuses=[(state.value, labels.processing_label(state)) for state in ProcessingStatus],
            forms=[(slug, _form_label(choice, locale)) for slug, choice in choices.items()],
        )
        return page, status

    def _values(self, choices: dict[str, message_templates.FormChoice]) -> dict[str, str]:
        if self.template is None:
            return {}
        form = next(
            (
                slug
                for slug, choice in choices.items()
                if choice.definition_id == self.template.definition_id
            ),
            "",
        )
        status = self.template.status.value if self.template.status else ""
        return {
            "title": self.template.title,
            "text": self.template.text,
            "status": status,
            "form": form,
        }


def _form_label(choice: message_templates.FormChoice, locale: str) -> str:
    title = choice.title.get(locale)
    return title if choice.offered else gettext("%(form)s (no longer offered)", form=title)


class MessageTemplateEdit(MessageTemplateForm):
    def _process_args(self, template_id: uuid.UUID, **kwargs: Any) -> None:
        super()._process_args(**kwargs)
        self.template = message_templates.find(self.tenant, template_id)
        if self.template is None:
            abort(404)


class MessageTemplateDelete(MessageTemplateEdit):
    def post(self) -> Any:
        assert self.template is not None  # found in _process_args
        message_templates.delete(self.tenant, self.template, actor=self.actor())
        flash(gettext("Text template “%(title)s” deleted.", title=self.template.title), "success")
        return redirect(url_for(".message_templates", tenant_slug=self.tenant.slug), code=303)


bp.add_url_rule("/clerks", view_func=ClerkFormsPage.as_view("clerks"))
bp.add_url_rule(
    "/clerks/<uuid:user_id>", view_func=ClerkFormsSave.as_view("clerk_forms"), methods=["POST"]
)
bp.add_url_rule("/retention", view_func=RetentionPage.as_view("retention"))
bp.add_url_rule(
    "/retention/<form_slug>", view_func=RetentionSave.as_view("retention_save"), methods=["POST"]
)
bp.add_url_rule("/message-templates", view_func=MessageTemplatesPage.as_view("message_templates"))
bp.add_url_rule(
    "/message-templates/new",
    view_func=MessageTemplateForm.as_view("message_template_new"),
    methods=["GET", "POST"],
)
bp.add_url_rule(
    "/message-templates/<uuid:template_id>",
    view_func=MessageTemplateEdit.as_view("message_template"),
    methods=["GET", "POST"],
)
bp.add_url_rule(
    "/message-templates/<uuid:template_id>/delete",
    view_func=MessageTemplateDelete.as_view("message_template_delete"),
    methods=["POST"],
)
