"""The citizen journey: start page → steps → summary → submit → confirmation and receipt."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale, gettext
from werkzeug.exceptions import RequestEntityTooLarge

from amtsweg.formdefs.engine import REFUSED_CHARACTER, AnswerError, Evaluation, Field, Step
from amtsweg.formdefs.fees import summarise_fee
from amtsweg.formdefs.rendering import (
    answers_from_formdata,
    apply_action,
    build_step_form,
    locked_fields,
    read_action,
)
from amtsweg.formdefs.rendering.formdata import MAX_ITEMS
from amtsweg.platform.auth.access import require_principal
from amtsweg.platform.auth.trust import TrustLevel
from amtsweg.platform.downloads import attachment
from amtsweg.platform.errors import Refusal
from amtsweg.platform.limits import step_limit, submit_limit
from amtsweg.submissions import confirmation, files, gdpr, panels, presentation, service
from amtsweg.submissions.models import Draft, ProcessingStatus, Submission, SubmissionStatus
from amtsweg.submissions.web import CitizenView, FormView

bp = Blueprint("journey", __name__, url_prefix="/t/<slug:tenant_slug>", template_folder="templates")


def _locale() -> str:
    return str(get_locale())


class FormStart(FormView):
    """What a citizen should know before starting: needs, fee, duration, privacy."""

    def get(self) -> str:
        return render_template(
            "submissions/start.html",
            form=self.form,
            definition=self.form.definition,
            fee=summarise_fee(self.form.definition, self.form.tenant_form.fee_overrides),
            documents=presentation.documents_needed(self.form.definition, _locale()),
            locale=_locale(),
        )


class StartApplication(FormView, CitizenView):
    """Log in at the form's trust level, then resume the open draft or start one."""

    def get(self) -> Response:
        draft = service.start_draft(self.tenant, self.user, self.form, self.principal.prefill)
        return redirect(_step_url(self.tenant.slug, draft, draft.step))


def _step_url(tenant_slug: str, draft: Draft, step_id: str | None) -> str:
    if step_id is None:
        return url_for("journey.summary", tenant_slug=tenant_slug, draft_id=draft.id)
    return url_for("journey.step", tenant_slug=tenant_slug, draft_id=draft.id, step_id=step_id)


class DraftView(CitizenView):
    """Loads the citizen's own draft; anyone else's, or an expired one, is a 404."""

    def _process_args(self, draft_id: uuid.UUID, **kwargs: Any) -> None:
        super()._process_args(**kwargs)
        self.draft_id = draft_id

    def _check_access(self) -> None:
        super()._check_access()
        found = service.find_draft_and_offer(
            self.user, self.draft_id, for_update=request.method == "POST"
        )
        if found is None:
            abort(404)
        draft, offered = found
        if draft.submitted_at is not None:
            submission = service.submission_of_draft(draft)
            abort(redirect(_confirmation_url(self.tenant.slug, submission)))
        self.draft = draft
        self.definition = service.draft_definition(draft)
        if offered is None:
            abort(404)
        self.form = offered
        level = TrustLevel(self.definition.trust_level)
        if not self.principal.trust_level.satisfies(level):
            require_principal(level)  # asks for a stronger login


class StepPage(DraftView):
    """One step: shown, posted, re-shown with errors, or left for the next step.

    A 422 for refused characters keeps the answers the step could take (and the
    uploads it received): the citizen loses nothing but what was refused."""

    keeps_writes_on_error = True

    def _process_args(self, step_id: str, **kwargs: Any) -> None:
        super()._process_args(**kwargs)
        self.step_id = step_id

    def _step(self, evaluation: Evaluation) -> Step:
        if self.step_id not in evaluation.visible_steps:
            abort(404)
        return self.definition.step(self.step_id)

    def get(self) -> str:
        evaluation = service.evaluate_draft(self.draft, _locale())
        return self._render(self._step(evaluation), self.draft.answers, evaluation, show=False)

    @step_limit
    def post(self) -> Any:
        step = self._step(service.evaluate_draft(self.draft, _locale()))
        _refuse_oversized_step_post(step)
        changed_elsewhere = _changed_elsewhere(self.draft)
        answers = answers_from_formdata(step, request.form, previous=self.draft.answers)
        upload_errors = files.receive(
            self.draft,
            self.definition,
            step,
            files=request.files,
            form=request.form,
            answers=answers,
            locale=_locale(),
        )
        action = read_action(step, request.form)
        answers = apply_action(step, answers, action)
        evaluation = service.save_step(
            self.draft, step.id, answers, self.principal.prefill, _locale()
        )
        if action.shows_errors and evaluation.ok and not upload_errors and not changed_elsewhere:
            return redirect(self._next_url(evaluation))
        refused = _refused_characters(evaluation)
        page = self._render(
            step,
            self.draft.answers,
            evaluation,
            show=action.shows_errors,
            extra=(*upload_errors, *(() if action.shows_errors else refused)),
            changed_elsewhere=gettext(
                "We saved what you sent from this page on top of it. "
                "Please check the answers below before you continue."
            )
            if changed_elsewhere
            else "",
        )
        return page, 422 if refused else 200

    def _next_url(self, evaluation: Evaluation) -> str:
        visible = list(evaluation.visible_steps)
        later = visible[visible.index(self.step_id) + 1 :]
        if request.args.get("return") == "summary" or not later:
            return _step_url(self.tenant.slug, self.draft, None)
        return _step_url(self.tenant.slug, self.draft, later[0])

    def _render(
        self,
        step: Step,
        answers: dict[str, Any],
        evaluation: Evaluation,
        *,
        show: bool,
        extra: tuple[Any, ...] = (),
        changed_elsewhere: str = "",
    ) -> str:
        locale = _locale()
        step_form = build_step_form(
            self.definition,
            step.id,
            answers=answers,
            evaluation=evaluation,
            locale=locale,
            errors=(*evaluation.errors, *extra) if show else extra,
            locked=locked_fields(self.definition, self.principal.prefill),
        )
        visible = list(evaluation.visible_steps)
        return render_template(
            "submissions/step.html",
            definition=self.definition,
            step=step,
            step_form=step_form,
            position=visible.index(step.id) + 1,
            steps=[self.definition.step(step_id) for step_id in visible],
            draft=self.draft,
            locale=locale,
            previous=visible[visible.index(step.id) - 1] if visible.index(step.id) else None,
            changed_elsewhere=changed_elsewhere,
        )


def _refused_characters(evaluation: Evaluation) -> tuple[AnswerError, ...]:
    """The answers sent with a NUL (saved without it): said on every post, refreshing too,
    since the citizen must see that what was saved differs from what was sent."""
    return tuple(error for error in evaluation.errors if error.code == REFUSED_CHARACTER)


REVISION = "_revision"
"""The hidden input with the draft's revision the page was drawn from."""
TEXT_ALLOWANCE = 1024 * 1024
"""What a step's typed answers may take in a post, besides its files."""


def _changed_elsewhere(draft: Draft) -> bool:
    """Whether the posted page was drawn from an older revision than the draft's now."""
    return request.form.get(REVISION) not in {None, str(draft.revision)}


def _refuse_oversized_step_post(step: Step) -> None:
    """413 before the body is read when it is larger than the step's files may be."""
    if request.content_length is not None and request.content_length > _step_post_bound(step):
        raise RequestEntityTooLarge


def _step_post_bound(step: Step) -> int:
    quota = current_app.config["AMTSWEG"].draft_upload_quota_bytes
    return min(_files_bound(step.fields, quota), quota) + TEXT_ALLOWANCE


def _files_bound(fields: Iterable[Field], quota: int) -> int:
    bound = 0
    for field in fields:
        if field.kind == "file":
            bound += (field.max_size or quota) * field.max_files
        elif field.kind == "group":
            bound += (field.max_items or MAX_ITEMS) * _files_bound(field.fields, quota)
    return bound


class SummaryPage(DraftView):
    """Every answer with a change link, the fee, the declaration, and submit."""

    def get(self) -> str:
        return self._render(declaration_missing=False)

    @submit_limit
    def post(self) -> Any:
        if _changed_elsewhere(self.draft):
            notice = gettext(
                "Nothing was submitted. Please check the answers below and submit again."
            )
            return self._render(declaration_missing=False, changed_elsewhere=notice), 409
        if request.form.get("declaration") != "yes":
            return self._render(declaration_missing=True), 422
        try:
            outcome = service.submit_draft(
                self.tenant,
                self.user,
                self.form,
                self.draft,
                locale=_locale(),
                confirmation_email=self.principal.prefill.get("email"),
            )
        except service.AnswersInvalidError:
            return self._render(declaration_missing=False), 422
        return redirect(_after_submit_url(self.tenant.slug, outcome.submission))

    def _render(self, *, declaration_missing: bool, changed_elsewhere: str = "") -> str:
        locale = _locale()
        evaluation = service.evaluate_draft(self.draft, locale, self.form)
        return render_template(
            "submissions/summary.html",
            definition=self.definition,
            draft=self.draft,
            problems=[
                (error.message, presentation.error_step(self.definition, error.path))
                for error in evaluation.errors
            ],
            sections=presentation.answer_sections(self.definition, evaluation.cleaned, locale),
            fee=presentation.fee_of(service.fee_document(evaluation, self.definition), locale),
            declaration_missing=declaration_missing,
            changed_elsewhere=changed_elsewhere,
            locale=locale,
        )


PAY_ENDPOINT = "payment.pay"


def _after_submit_url(tenant_slug: str, submission: Submission) -> str:
    """To the payment when a fee is due online (the submission exists already, so
    nothing is lost if the payment fails), else to the confirmation."""
    due = submission.status is SubmissionStatus.AWAITING_PAYMENT
    if due and PAY_ENDPOINT in current_app.view_functions:
        return url_for(PAY_ENDPOINT, tenant_slug=tenant_slug, reference=submission.reference)
    return _confirmation_url(tenant_slug, submission)


def _confirmation_url(tenant_slug: str, submission: Submission) -> str:
    return url_for("journey.submission", tenant_slug=tenant_slug, reference=submission.reference)


class SubmissionView(CitizenView):
    """Loads the citizen's own submission by its reference; anyone else's is a 404."""

    def _process_args(self, reference: str, **kwargs: Any) -> None:
        super()._process_args(**kwargs)
        self.reference = reference

    def _check_access(self) -> None:
        super()._check_access()
        submission = service.find_submission(self.user, self.reference)
        if submission is None:
            abort(404)
        self.submission = submission


class SubmissionPage(SubmissionView):
    """The confirmation right after submitting, and the status page later: the
    municipality's processing history, and the answer form when it asks for more."""

    def get(self) -> str:
        return self._render()

    def _render(self, error: str | None = None) -> str:
        return render_template(
            "submissions/submission.html",
            submission=self.submission,
            title=service.form_title(self.submission, _locale()),
            fee=presentation.fee_of(self.submission.fee, _locale()),
            panels=panels.citizen_panels(self.tenant, self.submission),
            history=service.processing_history(self.submission),
            asks_for_more=self.submission.processing_status
            is ProcessingStatus.MORE_INFORMATION_NEEDED,
            error=error,
            answered=request.args.get("answered") == "1",
            locale=_locale(),
        )


class AnswerRequest(SubmissionPage):
    """The citizen's answer to "more information needed": a message and files, no JavaScript."""

    def post(self) -> Any:
        files = [
            service.IncomingFile(item.filename or "", item.read())
            for item in request.files.getlist("files")
            if item.filename
        ]
        try:
            service.answer_request(
                self.tenant,
                self.submission,
                self.user,
                message=request.form.get("message", ""),
                files=files,
                locale=_locale(),
            )
        except Refusal as refused:
            return self._render(error=refused.detail), refused.status
        return redirect(
            url_for(
                "journey.submission",
                tenant_slug=self.tenant.slug,
                reference=self.submission.reference,
                answered=1,
            )
            + "#processing"
        )


class ProcessingFile(SubmissionView):
    """A file of the history: the municipality's result document or the citizen's own."""

    def _process_args(self, entry_id: uuid.UUID, index: int, **kwargs: Any) -> None:
        super()._process_args(**kwargs)
        self.entry_id, self.index = entry_id, index

    def get(self) -> Response:
        meta, data = service.retrieve_document(
            self.tenant, self.submission, self.user, self.entry_id, self.index
        )
        return attachment(data, meta["mime"], meta["name"])


class ReceiptDownload(SubmissionView):
    def get(self) -> Response:
        pdf = confirmation.receipt_pdf(self.tenant, self.submission, _locale())
        return attachment(pdf, "application/pdf", f"{self.submission.reference}.pdf")


class MyApplications(CitizenView):
    """The citizen's drafts and submissions in this municipality."""

    def get(self) -> str:
        drafts, submissions = service.applications_of(self.user)
        locale = _locale()
        return render_template(
            "submissions/applications.html",
            drafts=[(draft, service.draft_definition(draft)) for draft in drafts],
            submissions=[(s, service.form_title(s, locale)) for s in submissions],
            can_pay=PAY_ENDPOINT in current_app.view_functions,
            locale=locale,
        )


class MyData(CitizenView):
    """Everything this municipality holds about the citizen, as one ZIP to keep or take
    elsewhere (Art. 15 and 20 GDPR): ``my-data.json``, what ``amtsweg gdpr export`` gives
    for it, with every file it names (``gdpr.person_archive``)."""

    def get(self) -> Response:
        archive = gdpr.person_archive(self.tenant, self.user, _locale())
        name = f"amtsweg-{self.tenant.slug}-my-data.zip"
        return attachment(archive, "application/zip", name, length=len(archive))


class UploadDownload(DraftView):
    """A citizen's own upload, back to them (e.g. to check what they sent)."""

    def _process_args(self, upload_id: uuid.UUID, **kwargs: Any) -> None:
        super()._process_args(**kwargs)
        self.upload_id = upload_id

    def get(self) -> Response:
        upload, data = files.load(self.draft, self.upload_id)
        return attachment(data, upload.mime, upload.name)


bp.add_url_rule("/forms/<form_slug>/", view_func=FormStart.as_view("start"))
bp.add_url_rule("/forms/<form_slug>/apply", view_func=StartApplication.as_view("apply"))
bp.add_url_rule("/applications/<uuid:draft_id>/steps/<step_id>", view_func=StepPage.as_view("step"))
bp.add_url_rule("/applications/<uuid:draft_id>/summary", view_func=SummaryPage.as_view("summary"))
bp.add_url_rule(
    "/applications/<uuid:draft_id>/uploads/<uuid:upload_id>",
    view_func=UploadDownload.as_view("upload"),
)
bp.add_url_rule("/applications/", view_func=MyApplications.as_view("applications"))
bp.add_url_rule("/applications/my-data.zip", view_func=MyData.as_view("my_data"))
bp.add_url_rule("/submissions/<reference>", view_func=SubmissionPage.as_view("submission"))
bp.add_url_rule(
    "/submissions/<reference>/receipt.pdf", view_func=ReceiptDownload.as_view("receipt")
)
bp.add_url_rule(
    "/submissions/<reference>/answer", view_func=AnswerRequest.as_view("answer"), methods=["POST"]
)
bp.add_url_rule(
    "/submissions/<reference>/history/<uuid:entry_id>/<int:index>",
    view_func=ProcessingFile.as_view("processing_file"),
)
