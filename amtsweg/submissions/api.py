"""The headless submission API: the same validation and result as the HTML journey."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask, request
from flask_babel import gettext

from amtsweg.platform.api import API_PREFIX, Blueprint, ProblemErrorSchema, register_blueprint
from amtsweg.platform.errors import NotFound, Refusal
from amtsweg.platform.limits import submit_limit
from amtsweg.submissions import service
from amtsweg.submissions.schemas import SubmissionSchema, SubmitSchema
from amtsweg.submissions.web import CitizenView, FormView

blp = Blueprint(
    "submissions_api",
    __name__,
    url_prefix=f"{API_PREFIX}/tenants",
    description="Citizens' submissions",
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
class SubmissionByReference(CitizenView):
    def _process_args(self, reference: str, **kwargs: Any) -> None:
        super()._process_args(**kwargs)
        self.reference = reference

    @blp.response(200, SubmissionSchema)
    @blp.alt_response(404, schema=ProblemErrorSchema, description="Not yours, or not here")
    @blp.doc(security=[{"bearer": []}])
    def get(self) -> Any:
        """One of the citizen's own submissions."""
        submission = service.find_submission(self.user, self.reference)
        if submission is None:
            raise NotFound(gettext("You have no submission with this reference here."))
        return submission


def init_app(app: Flask) -> None:
    with app.app_context():
        register_blueprint(blp)
