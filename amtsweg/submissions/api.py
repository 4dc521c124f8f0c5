"""The headless submission API: the same validation and result as the HTML journey."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from flask import Flask, Response, request
from flask_babel import gettext

from amtsweg.platform.api import API_PREFIX, Blueprint, ProblemErrorSchema, register_blueprint
from amtsweg.platform.auth.access import require_principal
from amtsweg.platform.errors import NotFound, Refusal
from amtsweg.platform.i18n import current_locale
from amtsweg.platform.limits import submit_limit
from amtsweg.submissions import case_numbers, clerk, document, service
from amtsweg.submissions.schemas import (
    CaseNumbersArgsSchema,
    CaseNumbersSchema,
    ClerkListArgsSchema,
    ClerkSubmissionDetailSchema,
    ClerkSubmissionPageSchema,
    ClerkSubmissionSchema,
    ExportArgsSchema,
    ProcessingEntrySchema,
    ProcessingStatusSchema,
    SubmissionSchema,
    SubmitSchema,
)
from amtsweg.submissions.web import (
    CitizenView,
    ClerkFormView,
    ClerkSubmissionView,
    ClerkView,
    FormView,
)
from amtsweg.submissions.workplace import (
    form_export_response,
    processing_file_response,
    submission_zip_response,
)
from amtsweg.tenants import login
from amtsweg.tenants.access import ADMINS, STAFF, tenant_roles
from amtsweg.tenants.web import TenantView

blp = Blueprint(
    "submissions_api",
    __name__,
    url_prefix=f"{API_PREFIX}/tenants",
    description="Citizens' submissions",
)

clerk_blp = Blueprint(
    "clerk_api",
    __name__,
    url_prefix=f"{API_PREFIX}/tenants",
    description="The municipality's submissions, for clerks and specialist software",
)

schemas_blp = Blueprint(
    "submission_schemas",
    __name__,
    url_prefix=f"{API_PREFIX}/schemas",
    description="JSON Schemas of the documents delivered to municipalities (public)",
)

IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9._:-]{1,100}$")


@blp.route("/<slug:tenant_slug>/forms/<form_slug>/submissions")
class Submissions(FormView, CitizenView):
    @blp.arguments(SubmitSchema)
    @blp.response(201, SubmissionSchema)
    @blp.alt_response(200, schema=SubmissionSchema, description="Repeated Idempotency-Key")
    @blp.alt_response(401, schema=ProblemErrorSchema, description="No valid citizen token")
    @blp.alt_response(404, schema=ProblemErrorSchema, description="No such form here")
    @blp.alt_response(
        409, schema=ProblemErrorSchema, description="Idempotency-Key used for another request"
    )
    @blp.alt_response(422, schema=ProblemErrorSchema, description="Answers need attention")
    @blp.alt_response(429, schema=ProblemErrorSchema, description="Too many submissions")
    @blp.doc(
        security=[{"bearer": []}],
        parameters=[
            {
                "in": "header",
                "name": "Idempotency-Key",
                "schema": {"type": "string", "maxLength": 100},
                "description": "Repeating a request with the same key returns the first "
                "result; the key with a different form or body is refused with 409.",
            }
        ],
    )
    @submit_limit
    def post(self, body: dict[str, Any]) -> Any:
        """Submit answers to a form; the fee is computed here, never taken from the request."""
        key = request.headers.get("Idempotency-Key")
        if key is not None and not IDEMPOTENCY_KEY.match(key):
            raise Refusal(
                gettext("Idempotency-Key: 1 to 100 letters, digits, '.', '_', ':' or '-'."),
                status=400,
            )
        outcome = service.submit_answers(
            self.tenant,
            self.user,
            self.form,
            body["answers"],
            locale=body["locale"],
            idempotency_key=key,
            confirmation_email=self.principal.prefill.get("email"),
        )
        return outcome.submission, 201 if outcome.created else 200


@blp.route("/<slug:tenant_slug>/submissions/<reference>")
class SubmissionByReference(TenantView):
    """One resource for both who may read a submission: the citizen who sent it, and
    the municipality's clerks (people or specialist software), chosen by the caller's
    role in the tenant; everyone else gets 404."""

    def _process_args(self, reference: str, **kwargs: Any) -> None:
        super()._process_args(**kwargs)
        self.reference = reference

    def _check_access(self) -> None:
        super()._check_access()
        principal = require_principal()
        if tenant_roles(principal, self.tenant) & set(STAFF):
            self.scope: clerk.ClerkScope | None = clerk.clerk_scope(self.tenant, principal)
            submission = clerk.find(self.scope, self.reference)
        elif principal.is_service:
            self.scope, submission = None, None  # software without the role sees nothing
        else:
            self.scope = None
            submission = service.find_submission(login.person_of(principal), self.reference)
        if submission is None:
            raise NotFound(gettext("You have no submission with this reference here."))
        self.submission = submission

    @blp.response(200)
    @blp.alt_response(401, schema=ProblemErrorSchema, description="No valid token")
    @blp.alt_response(404, schema=ProblemErrorSchema, description="Not yours, or not here")
    @blp.doc(
        security=[{"bearer": []}],
        responses={
            "200": {
                "description": "For the citizen who sent it: SubmissionSchema. For clerks: "
                "ClerkSubmissionDetail, with submission.json as `document`.",
                "content": {
                    "application/json": {
                        "schema": {
                            "oneOf": [
                                {"$ref": "#/components/schemas/Submission"},
                                {"$ref": "#/components/schemas/ClerkSubmissionDetail"},
                            ]
                        }
                    }
                },
            }
        },
    )
    def get(self) -> Any:
        """A citizen's own submission, or, for the tenant's clerks, the submission with
        its document and processing history (recorded in the audit log)."""
        if self.scope is None:
            return SubmissionSchema().dump(self.submission)
        clerk.audit(self.scope, clerk.VIEWED, "submission", self.submission.reference)
        return ClerkSubmissionDetailSchema().dump(
            {
                "submission": self.submission,
                "document": document.submission_document(self.submission),
                "history": service.processing_history(self.submission),
            }
        )


@clerk_blp.route("/<slug:tenant_slug>/submissions")
class ClerkSubmissions(ClerkView):
    @clerk_blp.arguments(ClerkListArgsSchema, location="query")
    @clerk_blp.response(200, ClerkSubmissionPageSchema)
    @clerk_blp.alt_response(400, schema=ProblemErrorSchema, description="A bad cursor")
    @clerk_blp.alt_response(401, schema=ProblemErrorSchema, description="No valid token")
    @clerk_blp.alt_response(404, schema=ProblemErrorSchema, description="Not a clerk here")
    @clerk_blp.doc(security=[{"bearer": []}])
    def get(self, args: dict[str, Any]) -> Any:
        """The tenant's submissions, newest first (``order=oldest`` for oldest first).

        Specialist software fetching new submissions asks with ``since`` (or
        ``acknowledged=false``) and ``order=oldest``, follows ``next_cursor``
        until it is null, and acknowledges each submission it has stored.
        """
        filters = clerk.list_filter(self.scope, args)
        try:
            return clerk.page(self.scope, filters, args.get("cursor"))
        except clerk.CursorError:
            raise Refusal(gettext("The cursor is not one this API gave out."), status=400) from None


@clerk_blp.route("/<slug:tenant_slug>/submissions/<reference>.zip")
class ClerkSubmissionZip(ClerkSubmissionView):
    @clerk_blp.response(200, {"type": "string", "format": "binary"}, content_type="application/zip")
    @clerk_blp.alt_response(404, schema=ProblemErrorSchema, description="Not here for you")
    @clerk_blp.doc(security=[{"bearer": []}])
    def get(self) -> Response:
        """The receipt PDF, ``submission.json`` and the uploads as one ZIP (streamed)."""
        return submission_zip_response(self.scope, self.submission, "de")


@clerk_blp.route("/<slug:tenant_slug>/forms/<form_slug>/submissions.csv")
class ClerkFormExport(ClerkFormView):
    @clerk_blp.arguments(ExportArgsSchema, location="query")
    @clerk_blp.response(200, {"type": "string"}, content_type="text/csv")
    @clerk_blp.alt_response(404, schema=ProblemErrorSchema, description="Not here for you")
    @clerk_blp.doc(security=[{"bearer": []}])
    def get(self, args: dict[str, Any]) -> Response:
        """Every submission of the form, one column per field (streamed);
        ``excel=true`` for German Excel (``;`` and a byte order mark)."""
        kind = "excel.csv" if args["excel"] else "csv"
        return form_export_response(self.scope, self.definition.id, self.form_slug, kind)


@clerk_blp.route("/<slug:tenant_slug>/submissions/<reference>/acknowledge")
class Acknowledge(ClerkSubmissionView):
    @clerk_blp.response(200, ClerkSubmissionSchema)
    @clerk_blp.alt_response(404, schema=ProblemErrorSchema, description="Not here for you")
    @clerk_blp.doc(security=[{"bearer": []}])
    def post(self) -> Any:
        """Confirm the submission is stored in the specialist software (repeatable)."""
        assert self.principal is not None
        service.acknowledge(self.tenant, self.submission, client=self.principal.subject)
        return self.submission


@clerk_blp.route("/<slug:tenant_slug>/submissions/<reference>/processing")
class Processing(ClerkSubmissionView):
    @clerk_blp.arguments(ProcessingStatusSchema)
    @clerk_blp.response(201, ProcessingEntrySchema)
    @clerk_blp.alt_response(404, schema=ProblemErrorSchema, description="Not here for you")
    @clerk_blp.alt_response(422, schema=ProblemErrorSchema, description="A message is needed")
    @clerk_blp.doc(security=[{"bearer": []}])
    def post(self, body: dict[str, Any]) -> Any:
        """Set the processing status; the citizen sees it with the message and is mailed."""
        assert self.principal is not None
        sent = body["document"]
        return service.set_processing_status(
            self.tenant,
            self.submission,
            body["status"],
            body["message"],
            actor=self.scope.actor,
            actor_name=self.principal.name,
            document=sent and service.IncomingFile(sent["filename"], sent["content"]),
        )


@clerk_blp.route("/<slug:tenant_slug>/submissions/<reference>/history/<uuid:entry_id>/<int:index>")
class ClerkProcessingFile(ClerkSubmissionView):
    def _process_args(self, entry_id: uuid.UUID, index: int, **kwargs: Any) -> None:
        super()._process_args(**kwargs)
        self.entry_id, self.index = entry_id, index

    @clerk_blp.response(200, {"type": "string", "format": "binary"}, content_type="application/pdf")
    @clerk_blp.alt_response(404, schema=ProblemErrorSchema, description="Not here for you")
    @clerk_blp.doc(security=[{"bearer": []}])
    def get(self) -> Response:
        """A file of the processing history (``attachments[].href``): a result document or
        a file the applicant sent with an answer (PDF, JPEG or PNG)."""
        return processing_file_response(self.scope, self.submission, self.entry_id, self.index)


@clerk_blp.route("/<slug:tenant_slug>/case-numbers")
class CaseNumbers(TenantView):
    required_roles = ADMINS

    @clerk_blp.arguments(CaseNumbersArgsSchema, location="query")
    @clerk_blp.response(200, CaseNumbersSchema)
    @clerk_blp.alt_response(400, schema=ProblemErrorSchema, description="A period that cannot be")
    @clerk_blp.alt_response(401, schema=ProblemErrorSchema, description="No valid access token")
    @clerk_blp.alt_response(404, schema=ProblemErrorSchema, description="No such tenant for you")
    @clerk_blp.doc(security=[{"bearer": []}])
    def get(self, args: dict[str, Any]) -> Any:
        """Case numbers per form and month, for a period of days (the year so far unless
        given): as the tenant admin's page and its downloads count them (tenant admins)."""
        period = case_numbers.Period.chosen(args.get("since"), args.get("until"))
        numbers = case_numbers.case_numbers(self.tenant, period)
        lines = list(case_numbers.lines(numbers, current_locale()))
        return {"period": period, "figures": numbers.figures, "lines": lines}


@schemas_blp.route(f"/{document.SCHEMA_NAME}")
@schemas_blp.response(200, {"type": "object"}, description="JSON Schema (2020-12)")
def submission_schema() -> Response:
    """The JSON Schema of ``submission.json``, which every delivery target receives."""
    response = Response(
        json.dumps(document.schema(), ensure_ascii=False), mimetype="application/schema+json"
    )
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response


def init_app(app: Flask) -> None:
    with app.app_context():
        register_blueprint(blp)
        register_blueprint(clerk_blp)
        register_blueprint(schemas_blp)
