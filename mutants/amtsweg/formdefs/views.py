"""HTML pages: what a tenant offers, and the association admins' form definitions.

- ``/t/<tenant>/``: the tenant's forms, searchable by topic.
- ``/admin/formdefs/``: every definition and version; a preview of any version.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, render_template, request
from flask_babel import get_locale

from amtsweg.formdefs import service
from amtsweg.formdefs.engine import validate_step
from amtsweg.formdefs.fees import summarise_fee
from amtsweg.formdefs.rendering import (
    answers_from_formdata,
    apply_action,
    build_step_form,
    read_action,
)
from amtsweg.platform.auth.roles import Role
from amtsweg.tenants.web import ProtectedView, TenantView

bp = Blueprint("forms", __name__, url_prefix="/t/<slug:tenant_slug>", template_folder="templates")


def _matches(form: service.OfferedForm, query: str, topic: str, locale: str) -> bool:
    definition = form.definition
    if topic and topic not in definition.topics:
        return False
    if not query:
        return True
    haystack = " ".join(
        [definition.title.get(locale), definition.description.get(locale), *definition.topics]
    ).casefold()
    return all(word in haystack for word in query.casefold().split())


class TenantHome(TenantView):
    """The tenant's start page: its forms, searchable and filterable by topic."""

    def get(self) -> str:
        locale = str(get_locale())
        offered = service.offered_forms(self.tenant)
        query = request.args.get("q", "").strip()[:100]
        topic = request.args.get("topic", "").strip()[:50]
        shown = sorted(
            (form for form in offered if _matches(form, query, topic, locale)),
            key=lambda form: form.definition.title.get(locale).casefold(),
        )
        topics = sorted({t for form in offered for t in form.definition.topics})
        return render_template(
            "formdefs/index.html",
            forms=[(form, self._fee(form)) for form in shown],
            offered_count=len(offered),
            topics=topics,
            query=query,
            topic=topic,
            locale=locale,
        )

    @staticmethod
    def _fee(form: service.OfferedForm) -> Any:
        return summarise_fee(form.definition, form.tenant_form.fee_overrides)


bp.add_url_rule("/", view_func=TenantHome.as_view("index"))


# --- the association's admin pages ------------------------------------------------

admin_bp = Blueprint(
    "formdefs_admin", __name__, url_prefix="/admin/formdefs", template_folder="templates"
)
AUTHORITY_ZONE = ZoneInfo("Europe/Berlin")


class AdminView(ProtectedView):
    """Association admins only: nobody is sent to the login, anyone else gets 403."""

    required_roles = (Role.ASSOCIATION_ADMIN,)


class DefinitionsPage(AdminView):
    """Every definition of the catalogue, its versions, their states and dates."""

    def get(self) -> str:
        return render_template(
            "formdefs/admin/index.html",
            definitions=service.list_definitions(),
            locale=str(get_locale()),
        )


class VersionPreview(AdminView):
    """One step of any version, drawn exactly as the journey draws it; nothing is saved.

    The form posts back here: the answers are checked and shown again with
    the engine's messages, then forgotten.
    """

    def _process_args(self, definition_slug: str, number: int, **kwargs: Any) -> None:
        super()._process_args(**kwargs)
        try:
            self.version = service.get_version(service.get_definition(definition_slug), number)
        except service.FormNotFoundError:
            abort(404)
        self.definition = service.compiled(self.version)
        step_ids = [step.id for step in self.definition.steps]
        self.step_id = request.args.get("step") or step_ids[0]
        if self.step_id not in step_ids:
            abort(404)

    def get(self) -> str:
        return self._render({}, show_errors=False)

    def post(self) -> str:
        step = self.definition.step(self.step_id)
        action = read_action(step, request.form)
        answers = apply_action(step, answers_from_formdata(step, request.form, {}), action)
        return self._render(answers, show_errors=action.shows_errors)

    def _render(self, answers: dict[str, Any], *, show_errors: bool) -> str:
        locale = str(get_locale())
        today = dt.datetime.now(AUTHORITY_ZONE).date()
        evaluation = validate_step(
            self.definition, answers, self.step_id, locale=locale, today=today
        )
        steps = list(self.definition.steps)
        position = [step.id for step in steps].index(self.step_id)
        return render_template(
            "formdefs/admin/preview.html",
            version=self.version,
            definition=self.definition,
            step=steps[position],
            steps=steps,
            position=position + 1,
            next_step=steps[position + 1] if position + 1 < len(steps) else None,
            shown_to_citizens=self.step_id in evaluation.visible_steps,
            checked=show_errors and evaluation.ok,
            step_form=build_step_form(
                self.definition,
                self.step_id,
                answers=answers,
                evaluation=evaluation,
                locale=locale,
                errors=evaluation.errors if show_errors else (),
            ),
            locale=locale,
        )


admin_bp.add_url_rule("/", view_func=DefinitionsPage.as_view("index"))
admin_bp.add_url_rule(
    "/<definition_slug>/versions/<int:number>/preview",
    view_func=VersionPreview.as_view("preview"),
)
