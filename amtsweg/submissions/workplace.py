"""The clerk's workplace in the browser: ``/t/<tenant>/clerk/``.

List, submission page, downloads and exports. Every handler is a
:class:`ClerkView`: a clerk, tenant admin or association admin of the tenant
(404 for anyone else), seeing only the forms of their :class:`~.clerk.ClerkScope`.
Opening a submission, downloading it and exporting a form are recorded in the
tenant's audit log before anything is sent.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import get_locale, gettext, lazy_gettext

from amtsweg.formdefs import service as formdefs
from amtsweg.platform.db import tenant_scope
from amtsweg.platform.downloads import attachment
from amtsweg.platform.errors import Refusal
from amtsweg.platform.storage import storage
from amtsweg.submissions import (
    clerk,
    confirmation,
    document,
    exports,
    labels,
    message_templates,
    panels,
    presentation,
    service,
)
from amtsweg.submissions.models import MessageTemplate, ProcessingStatus, SubmissionStatus
from amtsweg.submissions.schemas import ClerkListArgsSchema
from amtsweg.submissions.web import (
    ClerkFormView,
    ClerkSubmissionView,
    ClerkView,
    TableDownloadView,
    filter_arguments,
)

bp = Blueprint(
    "clerk", __name__, url_prefix="/t/<slug:tenant_slug>/clerk", template_folder="templates"
)


def _locale() -> str:
    return str(get_locale())


class SubmissionList(ClerkView):
    """Filters, search, order and keyset pages of the tenant's submissions."""

    def get(self) -> str:
        args = filter_arguments(ClerkListArgsSchema())
        filters = clerk.list_filter(self.scope, args)
        try:
            page = clerk.page(self.scope, filters, args.get("cursor"))
        except clerk.CursorError:
            raise Refusal(gettext("This page link is no longer valid."), status=400) from None
        forms = clerk.visible_forms(self.scope)
        titles = {form.tenant_form.definition_id: form.definition.title for form in forms}
        query = {key: value for key, value in request.args.items() if key != "cursor" and value}
        return render_template(
            "clerk/list.html",
            page=page,
            forms=forms,
            titles=titles,
            args=request.args,
            query=query,
            choices=_choices(forms, _locale()),
            payment_filter=clerk.payment_status_column() is not None,
            locale=_locale(),
        )


DELIVERY_LABELS = {
    clerk.Delivery.PENDING: lazy_gettext("Not yet forwarded"),
    clerk.Delivery.DELIVERED: lazy_gettext("Forwarded"),
    clerk.Delivery.FAILED: lazy_gettext("Forwarding failed"),
}


def _choices(forms: list[formdefs.OfferedForm], locale: str) -> list[tuple[str, str, list]]:
    """(name, label, options) of the list's select filters."""
    return [
        (
            "form",
            gettext("Form"),
            [(form.slug, form.definition.title.get(locale)) for form in forms],
        ),
        (
            "processing",
            gettext("Processing status"),
            [(status.value, labels.processing_label(status)) for status in ProcessingStatus],
        ),
        (
            "status",
            gettext("Status"),
            [(status.value, labels.status_label(status)) for status in SubmissionStatus],
        ),
        (
            "delivery",
            gettext("Forwarding"),
            [(value.value, str(label)) for value, label in DELIVERY_LABELS.items()],
        ),
    ]


class SubmissionDetail(ClerkSubmissionView):
    """The answers as the citizen saw them, files, panels, history, and who looked."""

    def get(self) -> str:
        clerk.audit(self.scope, clerk.VIEWED, "submission", self.submission.reference)
        template = self._chosen_template()
        if template is None:
            return self._render()
        message = message_templates.filled(template.text, self._placeholder_values())
        return self._render(message=message, status=template.status, template=template)

    def _placeholder_values(self) -> dict[str, str]:
        """What a template's placeholders stand for here, the form in the application's
        language (the one the applicant reads the message in)."""
        return {
            "reference": self.submission.reference,
            "name": self.submission.applicant_name,
            "form": service.form_title(self.submission, self.submission.locale),
            "municipality": self.tenant.name,
        }

    def _chosen_template(self) -> MessageTemplate | None:
        """The text template asked for with ``?template=``, if it is one for this form."""
        try:
            template_id = uuid.UUID(request.args.get("template", ""))
        except ValueError:
            return None
        return message_templates.find_for(self.tenant, template_id, self.submission.definition_id)

    def post(self) -> Any:
        message = request.form.get("message", "")
        try:
            status = ProcessingStatus(request.form.get("status", ""))
        except ValueError:
            return self._render(error=gettext("Please choose a status."), message=message), 422
        result = request.files.get("document")
        try:
            service.set_processing_status(
                self.tenant,
                self.submission,
                status,
                message,
                actor=self.scope.actor,
                actor_name=self.principal.name if self.principal else "",
                document=service.IncomingFile(result.filename or "", result.read())
                if result and result.filename
                else None,
            )
        except Refusal as refused:
            rendered = self._render(error=refused.detail, message=message, status=status)
            return rendered, refused.status
        return redirect(
            url_for(
                "clerk.submission",
                tenant_slug=self.tenant.slug,
                reference=self.submission.reference,
                saved=1,
            )
            + "#processing"
        )

    def _render(
        self,
        error: str | None = None,
        *,
        message: str = "",
        status: ProcessingStatus | None = None,
        template: MessageTemplate | None = None,
    ) -> str:
        """The page; the processing form filled with what was sent or a template gave."""
        locale = _locale()
        definition = service.submission_definition(self.submission)
        return render_template(
            "clerk/submission.html",
            submission=self.submission,
            title=definition.title.get(locale),
            sections=presentation.answer_sections(definition, self.submission.answers, locale),
            fee=presentation.fee_of(self.submission.fee, locale),
            uploads=service.uploads_of(self.submission),
            panels=panels.clerk_panels(self.tenant, self.submission),
            history=service.processing_history(self.submission),
            viewers=clerk.viewers(self.scope, self.submission),
            processing_statuses=list(ProcessingStatus),
            message_templates=message_templates.templates_for(
                self.tenant, self.submission.definition_id
            ),
            chosen_template=template,
            message=message,
            chosen_status=status or self.submission.processing_status,
            error=error,
            saved=request.args.get("saved") == "1",
            labels=labels,
            locale=locale,
        )


def submission_zip_response(scope: clerk.ClerkScope, submission: Any, locale: str) -> Response:
    """The ZIP of one submission, recorded as downloaded; shared by the page and the API."""
    clerk.audit(scope, clerk.DOWNLOADED, "submission", submission.reference)
    archive = exports.submission_zip(
        confirmation.receipt_pdf(scope.tenant, submission, locale),
        document.submission_document(submission),
        service.uploads_of(submission),
        submission.reference,
    )
    name = f"{submission.reference}.zip"
    return attachment(archive, "application/zip", name, length=len(archive))


class SubmissionZip(ClerkSubmissionView):
    def get(self) -> Response:
        return submission_zip_response(self.scope, self.submission, _locale())


class UploadFile(ClerkSubmissionView):
    """One uploaded file of the submission."""

    def _process_args(self, upload_id: uuid.UUID, **kwargs: Any) -> None:
        super()._process_args(**kwargs)
        self.upload_id = upload_id

    def get(self) -> Response:
        upload = next(
            (u for u in service.uploads_of(self.submission) if u.id == self.upload_id), None
        )
        if upload is None:
            abort(404)
        clerk.audit(self.scope, clerk.DOWNLOADED, "submission", self.submission.reference)
        data = storage().get(upload.storage_key)
        return attachment(data, upload.mime, upload.name)


class ProcessingFile(ClerkSubmissionView):
    """A file of the processing history: a result document or the citizen's answer."""

    def _process_args(self, entry_id: uuid.UUID, index: int, **kwargs: Any) -> None:
        super()._process_args(**kwargs)
        self.entry_id, self.index = entry_id, index

    def get(self) -> Response:
        return processing_file_response(self.scope, self.submission, self.entry_id, self.index)


def processing_file_response(
    scope: clerk.ClerkScope, submission: Any, entry_id: uuid.UUID, index: int
) -> Response:
    """A file of the history for staff, recorded as downloaded; the page's and the API's."""
    meta, data = service.processing_file(submission, entry_id, index)
    clerk.audit(scope, clerk.DOWNLOADED, "submission", submission.reference)
    return attachment(data, meta["mime"], meta["name"])


def form_export_response(
    scope: clerk.ClerkScope, definition_id: uuid.UUID, slug: str, kind: str
) -> Response:
    """A form's submissions as a table, streamed after the handler returned.

    The audit entry is committed with the request; the body reads the rows
    later, so it enters the tenant's scope itself.
    """
    clerk.audit(scope, clerk.EXPORTED, "form", slug)
    tenant_id = scope.tenant.id
    mimetype, suffix = exports.TABLE_FORMATS[kind]

    def body() -> Any:
        with tenant_scope(tenant_id):
            yield from exports.table_chunks(exports.rows(scope, definition_id), kind, slug)

    filename = f"{slug}-{exports.export_stamp()}.{suffix}"
    return attachment(stream_with_context(body()), mimetype, filename)


class FormExport(TableDownloadView, ClerkFormView):
    def get(self) -> Response:
        return form_export_response(self.scope, self.definition.id, self.form_slug, self.kind)


bp.add_url_rule("/", view_func=SubmissionList.as_view("index"))
bp.add_url_rule("/submissions/<reference>", view_func=SubmissionDetail.as_view("submission"))
bp.add_url_rule("/submissions/<reference>.zip", view_func=SubmissionZip.as_view("zip"))
bp.add_url_rule(
    "/submissions/<reference>/uploads/<uuid:upload_id>", view_func=UploadFile.as_view("upload")
)
bp.add_url_rule(
    "/submissions/<reference>/history/<uuid:entry_id>/<int:index>",
    view_func=ProcessingFile.as_view("processing_file"),
)
bp.add_url_rule("/forms/<form_slug>/submissions.<kind>", view_func=FormExport.as_view("export"))
