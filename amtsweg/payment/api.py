"""Payment API: providers' notifications (webhooks); accounts, payments, refunds for staff."""

from __future__ import annotations

from typing import Any

from flask import Flask, request
from flask_smorest import Blueprint

from amtsweg.payment import service
from amtsweg.platform.api import API_PREFIX, ProblemErrorSchema, register_blueprint
from amtsweg.tenants.web import TenantView

blp = Blueprint(
    "payment_api",
    __name__,
    url_prefix=f"{API_PREFIX}/tenants",
    description="Payments: providers' notifications, accounts, refunds",
)


@blp.route("/<slug:tenant_slug>/payment/webhooks/<provider_key>")
class Webhook(TenantView):
    """A provider's notification. It carries no token: the provider's signature over the
    raw body (checked against this tenant's account secret) is its authentication."""

    def _process_args(self, provider_key: str, **kwargs: Any) -> None:
        super()._process_args(**kwargs)
        self.provider_key = provider_key

    @blp.response(200)
    @blp.alt_response(400, schema=ProblemErrorSchema, description="Forged, stale or malformed")
    @blp.alt_response(404, schema=ProblemErrorSchema, description="No such provider here")
    def post(self) -> Any:
        """Receive one notification; the same event again is answered 200 and ignored."""
        outcome = service.receive_webhook(
            self.tenant, self.provider_key, request.get_data(), request.headers
        )
        return {"outcome": outcome.outcome}


def init_app(app: Flask) -> None:
    with app.app_context():
        register_blueprint(blp)
