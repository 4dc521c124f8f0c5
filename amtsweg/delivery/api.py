"""The delivery API: a tenant's targets (tenant admins), each submission's deliveries
(clerks and tenant admins), a test delivery and re-delivering a dead one.

``/api/v1/tenants/<slug>/delivery/kinds`` lists the kinds and their settings;
``…/delivery/targets[/<name>]`` lists, reads, creates or changes (PUT) and
removes targets; ``…/targets/<name>/test`` sends a sample submission now;
``…/delivery/submissions/<reference>`` shows where a submission went, each
attempt and its error; ``…/submissions/<reference>/<target>/redeliver`` sends
a dead delivery again. Refusals are problem documents (``platform/errors.py``).
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from amtsweg.delivery import service
from amtsweg.delivery.models import Target
from amtsweg.delivery.schemas import (
    DeliveryStateSchema,
    TargetInputSchema,
    TargetKindSchema,
    TargetSchema,
    TargetTestSchema,
)
from amtsweg.delivery.targets import offered_kinds
from amtsweg.platform.api import API_PREFIX, Blueprint, ProblemErrorSchema, register_blueprint
from amtsweg.submissions.models import Submission
from amtsweg.tenants import service as tenants
from amtsweg.tenants.access import ADMINS, STAFF
from amtsweg.tenants.models import User
from amtsweg.tenants.web import TenantView

blp = Blueprint(
    "delivery_api",
    __name__,
    url_prefix=f"{API_PREFIX}/tenants",
    description="Where a tenant's submissions are delivered, and how each delivery went",
)
SECURITY = [{"bearer": []}]


def documented(*statuses: int) -> Any:
    descriptions = {
        401: "No valid access token",
        404: "No such tenant, target or submission for you",
        409: "Not possible in the current state",
        422: "The target is not valid",
    }

    def decorate(func: Any) -> Any:
        for status in (401, 404, *statuses):
            func = blp.alt_response(
                status, schema=ProblemErrorSchema, description=descriptions[status]
            )(func)
        return blp.doc(security=SECURITY)(func)

    return decorate


class DeliveryResource(TenantView):
    def _actor(self) -> User | None:
        if self.principal is None:
            return None
        return tenants.find_or_create_user(self.principal.issuer, self.principal.subject)


@blp.route("/<slug:tenant_slug>/delivery/kinds")
class Kinds(DeliveryResource):
    required_roles = ADMINS

    @blp.response(200, TargetKindSchema(many=True))
    @documented()
    def get(self) -> list[Any]:
        """The kinds of target and the settings each needs."""
        return list(offered_kinds().values())


@blp.route("/<slug:tenant_slug>/delivery/targets")
class Targets(DeliveryResource):
    required_roles = ADMINS

    @blp.response(200, TargetSchema(many=True))
    @documented()
    def get(self) -> list[Target]:
        """The tenant's targets; secrets are masked."""
        return service.targets(self.tenant)


class TargetResource(DeliveryResource):
    required_roles = ADMINS
    name: str

    def _process_args(self, name: str, **kwargs: Any) -> None:
        super()._process_args(**kwargs)
        self.name = name


@blp.route("/<slug:tenant_slug>/delivery/targets/<name>")
class TargetByName(TargetResource):
    @blp.response(200, TargetSchema)
    @documented()
    def get(self) -> Target:
        """One target; secrets are masked."""
        return service.get_target(self.tenant, self.name)

    @blp.arguments(TargetInputSchema)
    @blp.response(200, TargetSchema)
    @documented(422)
    def put(self, given: dict[str, Any]) -> Target:
        """Create or change the target (audited without its settings)."""
        return service.save_target(
            self.tenant,
            self.name,
            given["kind"],
            given["config"],
            default=given["default"],
            enabled=given["enabled"],
            actor=self._actor(),
        )

    @blp.response(204)
    @documented(409)
    def delete(self) -> None:
        """Remove a target nothing was delivered to yet (otherwise disable it)."""
        service.delete_target(
            self.tenant, service.get_target(self.tenant, self.name), self._actor()
        )


@blp.route("/<slug:tenant_slug>/delivery/targets/<name>/test", methods=["POST"])
class TestTarget(TargetResource):
    @blp.response(200, TargetTestSchema)
    @documented()
    def post(self) -> dict[str, Any]:
        """Send a sample submission to the target now and say whether it arrived."""
        target = service.get_target(self.tenant, self.name)
        error = service.send_test_delivery(self.tenant, target, self._actor())
        return {"ok": error is None, "error": error}


class SubmissionResource(DeliveryResource):
    required_roles = STAFF
    submission: Submission

    def _process_args(self, reference: str, **kwargs: Any) -> None:
        super()._process_args(**kwargs)
        self.submission = service.find_submission(self.tenant, reference)


@blp.route("/<slug:tenant_slug>/delivery/submissions/<reference>")
class SubmissionDeliveries(SubmissionResource):
    @blp.response(200, DeliveryStateSchema(many=True))
    @documented()
    def get(self) -> list[service.DeliveryState]:
        """Where the submission goes, how each delivery stands, every attempt with its error."""
        return service.deliveries_of(self.submission)


@blp.route(
    "/<slug:tenant_slug>/delivery/submissions/<reference>/<target>/redeliver", methods=["POST"]
)
class Redeliver(SubmissionResource):
    def _process_args(self, target: str, **kwargs: Any) -> None:
        super()._process_args(**kwargs)
        self.state = service.delivery_for(self.submission, target)

    @blp.response(202, DeliveryStateSchema)
    @documented(409)
    def post(self) -> service.DeliveryState:
        """Send a dead delivery again, attempts reset (audited)."""
        service.redeliver(self.tenant, self.state, self._actor())
        return self.state


def init_app(app: Flask) -> None:
    with app.app_context():
        register_blueprint(blp)
