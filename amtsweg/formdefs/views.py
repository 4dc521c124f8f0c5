"""HTML pages: what a tenant offers, and the association admins' form definitions.

- ``/t/<tenant>/``: the tenant's forms, searchable by topic.
- ``/admin/formdefs/``: every definition and version; a preview of any version.
- ``/admin/formdefs/import``: a FIM XDatenfelder file checked or imported, with its report.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, gettext, lazy_gettext
from werkzeug.datastructures import FileStorage

from amtsweg.formdefs import service, xdf
from amtsweg.formdefs.diff import diff_documents
from amtsweg.formdefs.engine import validate_step
from amtsweg.formdefs.fees import summarise_fee
from amtsweg.formdefs.models import VersionState
from amtsweg.formdefs.rendering import (
    answers_from_formdata,
    apply_action,
    build_step_form,
    read_action,
)
from amtsweg.platform.auth.roles import Role
from amtsweg.platform.db import db
from amtsweg.platform.downloads import attachment
from amtsweg.platform.errors import FieldProblem, Refusal, json_pointer
from amtsweg.platform.euros import parse_euros
from amtsweg.tenants.models import Tenant
from amtsweg.tenants.onboarding import CheckResult
from amtsweg.tenants.web import ProtectedView, TenantAdminView, TenantView

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


class VersionView(AdminView):
    """An association admin's action on one version of a definition."""

    def _process_args(self, definition_slug: str, number: int, **kwargs: Any) -> None:
        super()._process_args(**kwargs)
        try:
            self.definition = service.get_definition(definition_slug)
            self.version = service.get_version(self.definition, number)
        except service.FormNotFoundError:
            abort(404)

    def _done(self, message: str) -> Response:
        flash(message, "success")
        return redirect(url_for(".index"))


class PublishVersion(VersionView):
    def post(self) -> Response:
        service.publish(self.version)
        return self._done(gettext("Version %(number)d is published.", number=self.version.number))


class RetireVersion(VersionView):
    def post(self) -> Response:
        service.retire(self.version)
        return self._done(gettext("Version %(number)d is retired.", number=self.version.number))


class DiscardDraft(VersionView):
    """Asks before a draft is deleted (nothing undoes it), then deletes it."""

    def get(self) -> str:
        if self.version.state is not VersionState.DRAFT:
            abort(404)
        return render_template(
            "formdefs/admin/discard.html",
            definition=self.definition,
            version=self.version,
            only_version=len(self.definition.versions) == 1,
            locale=str(get_locale()),
        )

    def post(self) -> Response:
        number, slug = self.version.number, self.definition.slug
        if service.discard_draft(self.version):
            return self._done(
                gettext("The draft is discarded, and with it the form %(form)s.", form=slug)
            )
        return self._done(
            gettext("Draft version %(number)d of %(form)s is discarded.", number=number, form=slug)
        )


class VersionDocument(VersionView):
    """A version's document as a file: to edit a draft outside, or to hand a form on."""

    def get(self) -> Response:
        document = json.dumps(self.version.document, ensure_ascii=False, indent=2)
        return attachment(document, "application/json", service.document_filename(self.version))


class ReplaceDraft(VersionView):
    """A draft's document replaced by an uploaded file, checked as the API checks it.

    The page carries the draft's digest: a save based on a draft that changed since
    the page was opened (another admin, another tab) is refused, not merged.
    """

    def get(self) -> str:
        if self.version.state is not VersionState.DRAFT:
            abort(404)
        return self._render({})

    def post(self) -> Any:
        if request.form.get("digest") != self.version.digest:
            message = gettext(
                "The draft changed since you opened this page. Download it again and "
                "make your changes there."
            )
            return self._render({"": message}), 409
        try:
            document = _uploaded_json(request.files.get("document"))
            service.update_draft(self.version, document)
        except Refusal as refused:
            db.session.rollback()
            return self._render({"document": refused.detail}, refused.problems), refused.status
        flash(
            gettext(
                "Draft version %(number)d of %(form)s is replaced.",
                number=self.version.number,
                form=self.definition.slug,
            ),
            "success",
        )
        return redirect(url_for(".index"), code=303)

    def _render(self, errors: dict[str, str], problems: Iterable[FieldProblem] = ()) -> str:
        return render_template(
            "formdefs/admin/replace.html",
            definition=self.definition,
            version=self.version,
            errors=errors,
            problems=problems,
            locale=str(get_locale()),
        )


def _uploaded_json(upload: FileStorage | None) -> Any:
    """The uploaded file read as JSON; a refusal saying what is wrong with it."""
    data = upload.read() if upload else b""
    if not data.strip():
        raise service.FormDefError(gettext("Please choose the JSON file of the draft."), status=422)
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError) as error:
        raise service.FormDefError(
            gettext("The file is not JSON: %(error)s", error=error), status=422
        ) from error


class NewDraft(AdminView):
    """A new draft as a copy of the newest version, to change by file (:class:`ReplaceDraft`)
    or through the API."""

    def _process_args(self, definition_slug: str, **kwargs: Any) -> None:
        super()._process_args(**kwargs)
        self.definition = service.find_definition(definition_slug) or abort(404)

    def post(self) -> Response:
        draft = service.create_draft(self.definition, actor=self.actor())
        flash(gettext("Version %(number)d is a new draft.", number=draft.number), "success")
        return redirect(url_for(".index"))


class VersionChanges(VersionView):
    """What changed from the version before (or from ``?from=N``) to this one."""

    def get(self) -> str:
        previous = request.args.get("from", type=int) or self.version.number - 1
        try:
            earlier = service.get_version(self.definition, previous)
        except service.FormNotFoundError:
            abort(404)
        return render_template(
            "formdefs/admin/changes.html",
            definition=self.definition,
            earlier=earlier,
            version=self.version,
            changes=diff_documents(earlier.document, self.version.document),
            locale=str(get_locale()),
        )


class DefinitionOffers(AdminView):
    """Which tenants offer which version of one definition."""

    def _process_args(self, definition_slug: str, **kwargs: Any) -> None:
        super()._process_args(**kwargs)
        self.definition = service.find_definition(definition_slug) or abort(404)

    def get(self) -> str:
        return render_template(
            "formdefs/admin/offers.html",
            definition=self.definition,
            published=service.published_version(self.definition),
            offers=service.offers(self.definition),
            locale=str(get_locale()),
        )


_BLOCK_OUTCOMES = {
    "stored": lazy_gettext("The Datenfeldgruppe %(block)s is stored as a building block."),
    "replaced": lazy_gettext(
        "The Datenfeldgruppe %(block)s replaces the stored building block of the same version."
    ),
    "unchanged": lazy_gettext(
        "The Datenfeldgruppe %(block)s is stored already, unchanged; nothing was saved."
    ),
}


class XdfImport(AdminView):
    """A FIM XDatenfelder file, checked or imported as ``amtsweg formdefs import-xdf`` does.

    A Stammdatenschema becomes a new definition with a draft version, a Datenfeldgruppe
    a building block. Either way the page shows the import's report in the reader's
    language; "check" saves nothing. Nothing imported reaches citizens before an
    association admin publishes the draft.
    """

    def get(self) -> str:
        return self._render({}, {})

    def post(self) -> Any:
        values = {name: request.form.get(name, "").strip() for name in ("slug", "title_en")}
        upload = request.files.get("file")
        try:
            result = xdf.import_xdf(
                upload.read() if upload else b"",
                slug=values["slug"] or None,
                title_en=values["title_en"] or None,
                blocks=service.building_block_source,
            )
        except xdf.XdfImportError as refused:
            field = "slug" if values["slug"] and "slug" in refused.values else "file"
            return self._render(values, {field: refused.localized(gettext)}), refused.status
        if request.form.get("action") != "import":
            return self._render(values, {}, result=result)
        try:
            saved = self._save(result)
        except service.FormDefError as refused:
            db.session.rollback()
            return self._render(values, {"slug": refused.detail}, result=result), refused.status
        return self._render(values, {}, result=result, saved=saved)

    def _save(self, result: xdf.ImportResult | xdf.BlockImport) -> str:
        """What was saved, in a sentence."""
        if isinstance(result, xdf.BlockImport):
            _block, outcome = service.save_building_block(result)
            block = f"{result.fim_id} {result.fim_version} ({result.name})"
            return str(_BLOCK_OUTCOMES[outcome]) % {"block": block}
        version = service.create_definition(result.document, self.actor())
        return gettext(
            "The Stammdatenschema is imported: %(slug)s, version %(number)d, as a draft.",
            slug=version.definition.slug,
            number=version.number,
        )

    def _render(
        self,
        values: dict[str, str],
        errors: dict[str, str],
        *,
        result: xdf.ImportResult | xdf.BlockImport | None = None,
        saved: str = "",
    ) -> str:
        return render_template(
            "formdefs/admin/import.html",
            values=values,
            errors=errors,
            result=result,
            saved=saved,
            definition=service.find_definition(result.document["slug"])
            if isinstance(result, xdf.ImportResult)
            else None,
            blocks=service.list_building_blocks(),
            translate=gettext,
            max_megabytes=xdf.MAX_BYTES // 1_000_000,
        )


admin_bp.add_url_rule("/", view_func=DefinitionsPage.as_view("index"))
admin_bp.add_url_rule("/import", view_func=XdfImport.as_view("import_xdf"))
admin_bp.add_url_rule(
    "/<definition_slug>/versions/<int:number>/publish",
    view_func=PublishVersion.as_view("publish"),
    methods=["POST"],
)
admin_bp.add_url_rule(
    "/<definition_slug>/versions/<int:number>/retire",
    view_func=RetireVersion.as_view("retire"),
    methods=["POST"],
)
admin_bp.add_url_rule(
    "/<definition_slug>/versions/<int:number>/document.json",
    view_func=VersionDocument.as_view("document"),
)
admin_bp.add_url_rule(
    "/<definition_slug>/versions/<int:number>/replace",
    view_func=ReplaceDraft.as_view("replace"),
)
admin_bp.add_url_rule(
    "/<definition_slug>/versions/<int:number>/discard",
    view_func=DiscardDraft.as_view("discard"),
)
admin_bp.add_url_rule("/<definition_slug>/tenants", view_func=DefinitionOffers.as_view("offers"))
admin_bp.add_url_rule(
    "/<definition_slug>/drafts", view_func=NewDraft.as_view("new_draft"), methods=["POST"]
)
admin_bp.add_url_rule(
    "/<definition_slug>/versions/<int:number>/changes",
    view_func=VersionChanges.as_view("changes"),
)
admin_bp.add_url_rule(
    "/<definition_slug>/versions/<int:number>/preview",
    view_func=VersionPreview.as_view("preview"),
)


# --- the tenant admin's forms ---------------------------------------------------------


class OfferedFormsPage(TenantAdminView):
    """Which catalogue forms the tenant offers, their fees within bounds, a note."""

    def get(self) -> str:
        return self._render({}, {})

    def post(self) -> Any:
        definition = service.find_definition(request.form.get("definition", ""))
        if definition is None:
            abort(404)
        if request.form.get("action") == "withdraw":
            service.deactivate_form(self.tenant, definition, actor=self.actor())
            flash(gettext("The form is withdrawn."), "success")
            return redirect(url_for(".forms", tenant_slug=self.tenant.slug))
        overrides, problems = self._overrides(definition)
        try:
            if problems:
                raise service.FormDefError(
                    gettext("The fee overrides do not fit the form's fee rules."),
                    problems=problems,
                    status=422,
                )
            service.activate_form(
                self.tenant,
                definition,
                overrides,
                actor=self.actor(),
                start_note=request.form.get("start_note", "")[:5000],
            )
        except Refusal as refused:
            db.session.rollback()
            errors = {p.pointer.rsplit("/", 1)[-1]: p.detail for p in refused.problems}
            return self._render({definition.slug: errors or {"": refused.detail}}, request.form), (
                refused.status
            )
        flash(gettext("The form is offered as set."), "success")
        return redirect(url_for(".forms", tenant_slug=self.tenant.slug))

    def _overrides(self, definition: Any) -> tuple[dict[str, int], list[FieldProblem]]:
        version = service.published_version(definition)
        if version is None:
            return {}, []
        overrides: dict[str, int] = {}
        problems = []
        for rule in service.compiled(version).fees:
            raw = request.form.get(f"fee-{rule.id}", "")
            if not rule.overridable or not raw.strip():
                continue
            cents = parse_euros(raw)
            if cents is None:
                detail = gettext("Enter the fee in euros, e.g. 26,50.")
                problems.append(FieldProblem(json_pointer("fee_overrides", rule.id), detail))
            else:
                overrides[rule.id] = cents
        return overrides, problems

    def _render(self, errors: dict[str, dict[str, str]], posted: Any) -> str:
        offered = service.tenant_forms(self.tenant)
        rows = [
            (definition, service.compiled(version), offered.get(definition.id))
            for definition, version in service.offerable_definitions()
        ]
        return self.render(
            "formdefs/admin/tenant_forms.html",
            rows=rows,
            errors=errors,
            posted=posted,
            locale=str(get_locale()),
        )


tenant_admin_bp = Blueprint(
    "formdefs_tenant_admin",
    __name__,
    url_prefix="/t/<slug:tenant_slug>/admin",
    template_folder="templates",
)
tenant_admin_bp.add_url_rule("/forms", view_func=OfferedFormsPage.as_view("forms"))


def check_forms_offered(tenant: Tenant) -> CheckResult:
    """The onboarding checklist's item: citizens find at least one form."""
    if not service.offered_forms(tenant):
        return CheckResult.missing(
            gettext("Offer at least one form of the catalogue."), "formdefs_tenant_admin.forms"
        )
    return CheckResult.ok()
