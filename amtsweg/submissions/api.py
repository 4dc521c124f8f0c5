"""The headless submission API: the same validation and result as the HTML journey."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask, request
from flask_smorest import Blueprint, abort

from amtsweg.platform.api import API_PREFIX, ProblemErrorSchema, register_blueprint
from amtsweg.platform.auth.access import require_principal
from amtsweg.platform.auth.trust import TrustLevel
from amtsweg.platform.limits import submit_limit
from amtsweg.platform.web import problem_response
from amtsweg.submissions import service
from amtsweg.submissions.schemas import SubmissionSchema, SubmitSchema
from amtsweg.submissions.web import FormView
from amtsweg.tenants import service as tenants
from amtsweg.tenants.web import TenantView

blp = Blueprint(
    "submissions_api",
    __name__,
    url_prefix=f"{API_PREFIX}/tenants",
    description="Citizens' submissions",
)

IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9._:-]{1,100}$")


def answer_pointer(path: str) -> str:
    """``hunde[1].rasse`` → ``/answers/hunde/1/rasse`` (a JSON pointer into the request)."""
    return "/answers/" + "/".join(re.findall(r"[^.\[\]]+", path))


class CitizenApiView(TenantView):
    """A citizen's token (not a service account's) at the trust level ``needed``."""

    def _citizen(self, needed: TrustLevel = TrustLevel.NONE) -> Any:
        principal = require_principal(needed)
        if principal.is_service:
            abort(403, message="Service accounts cannot submit applications for citizens.")
        return principal, tenants.find_or_create_user(
            principal.issuer, principal.subject, principal.name
        )


@blp.route("/<slug:tenant_slug>/forms/<form_slug>/submissions")
class Submissions(FormView, CitizenApiView):
    @blp.arguments(SubmitSchema)
    @blp.response(201, SubmissionSchema)
    @blp.alt_response(200, schema=SubmissionSchema, description="Repeated Idempotency-Key")
    @blp.alt_response(401, schema=ProblemErrorSchema, description="No valid citizen token")
    @blp.alt_response(404, schema=ProblemErrorSchema, description="No such form here")
    @blp.alt_response(422, schema=ProblemErrorSchema, description="Answers need attention")
    @blp.alt_response(429, schema=ProblemErrorSchema, description="Too many submissions")
    @blp.doc(
        security=[{"bearer": []}],
        parameters=[
            {
                "in": "header",
                "name": "Idempotency-Key",
                "schema": {"type": "string", "maxLength": 100},
                "description": "Repeating a request with the same key returns the first result.",
            }
        ],
    )
    @submit_limit
    def post(self, body: dict[str, Any]) -> Any:
        """Submit answers to a form; the fee is computed here, never taken from the request."""
        principal, user = self._citizen(TrustLevel(self.form.definition.trust_level))
        key = request.headers.get("Idempotency-Key")
        if key is not None and not IDEMPOTENCY_KEY.match(key):
            abort(400, message="Idempotency-Key: 1 to 100 letters, digits, '.', '_', ':' or '-'.")
        try:
            outcome = service.submit_answers(
                self.tenant,
                user,
                self.form,
                body["answers"],
                locale=body["locale"],
                idempotency_key=key,
                confirmation_email=principal.prefill.get("email"),
            )
        except service.AnswersInvalidError as invalid:
            return _answers_problem(invalid)
        return outcome.submission, 201 if outcome.created else 200


def _answers_problem(invalid: service.AnswersInvalidError) -> Any:
    errors = [
        {"pointer": answer_pointer(error.path), "detail": error.message, "code": error.code}
        for error in invalid.evaluation.errors
    ]
    return problem_response(422, detail=str(invalid), errors=errors)


@blp.route("/<slug:tenant_slug>/submissions/<reference>")
class SubmissionByReference(CitizenApiView):
    def _process_args(self, reference: str, **kwargs: Any) -> None:
        super()._process_args(**kwargs)
        self.reference = reference

    @blp.response(200, SubmissionSchema)
    @blp.alt_response(404, schema=ProblemErrorSchema, description="Not yours, or not here")
    @blp.doc(security=[{"bearer": []}])
    def get(self) -> Any:
        """One of the citizen's own submissions."""
        _principal, user = self._citizen()
        submission = service.find_submission(user, self.reference)
        if submission is None:
            abort(404)
        return submission


def init_app(app: Flask) -> None:
    with app.app_context():
        register_blueprint(blp)
