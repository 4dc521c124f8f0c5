"""Payment API: providers' notifications (webhooks); accounts, payments, refunds for staff."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Flask, Response, request
from flask_smorest import abort

from amtsweg.payment import onboarding, registry, service
from amtsweg.payment.schemas import (
    BookingCodeSchema,
    ConnectSchema,
    PaymentFilterSchema,
    PaymentSchema,
    ProviderListSchema,
    ProviderSchema,
    RefundRequestSchema,
    RefundSchema,
    ResolutionSchema,
    StatementLineSchema,
    StatementResultSchema,
    TakenUpSchema,
    TestPaymentOutcomeSchema,
    TestPaymentStartedSchema,
)
from amtsweg.platform.api import API_PREFIX, Blueprint, ProblemErrorSchema, register_blueprint
from amtsweg.platform.downloads import attachment
from amtsweg.tenants.access import ADMINS, STAFF
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


SECURED = {"security": [{"bearer": []}]}


@blp.route("/<slug:tenant_slug>/payment/providers")
class Providers(TenantView):
    required_roles = ADMINS

    @blp.response(200, ProviderListSchema)
    @blp.alt_response(401, schema=ProblemErrorSchema, description="No valid access token")
    @blp.alt_response(404, schema=ProblemErrorSchema, description="No such tenant for you")
    @blp.doc(**SECURED)
    def get(self) -> Any:
        """Every provider with the tenant's account (secrets masked), and retired schemes."""
        return {"providers": service.provider_entries(self.tenant), "retired": registry.RETIRED}


class ProviderView(TenantView):
    required_roles = ADMINS

    def _process_args(self, provider_key: str, **kwargs: Any) -> None:
        super()._process_args(**kwargs)
        self.provider_key = provider_key


@blp.route("/<slug:tenant_slug>/payment/providers/<provider_key>")
class Provider(ProviderView):
    @blp.arguments(ConnectSchema)
    @blp.response(200, ProviderSchema)
    @blp.alt_response(422, schema=ProblemErrorSchema, description="A required field is missing")
    @blp.doc(**SECURED)
    def put(self, body: dict[str, Any]) -> Any:
        """Connect the tenant's own account (or change it); secrets are stored encrypted."""
        service.connect_account(
            self.tenant,
            self.provider_key,
            body["values"],
            enabled=body["enabled"],
            actor=self.actor(),
        )
        return next(e for e in service.provider_entries(self.tenant) if e.key == self.provider_key)


class AccountView(ProviderView):
    """A handler for the tenant's account with one provider: 404 without one."""

    def _check_access(self) -> None:
        super()._check_access()
        self.account = service.require_account(self.tenant, self.provider_key)


@blp.route("/<slug:tenant_slug>/payment/providers/<provider_key>/test")
class ProviderTest(AccountView):
    @blp.response(204)
    @blp.alt_response(422, schema=ProblemErrorSchema, description="The provider refused")
    @blp.alt_response(503, schema=ProblemErrorSchema, description="The provider is unreachable")
    @blp.doc(**SECURED)
    def post(self) -> None:
        """Test the connection with the stored credentials."""
        service.check_account(self.tenant, self.account)


@blp.route("/<slug:tenant_slug>/payment/providers/<provider_key>/test-payment")
class TestPayment(AccountView):
    @blp.response(201, TestPaymentStartedSchema)
    @blp.alt_response(404, schema=ProblemErrorSchema, description="No account with it here")
    @blp.alt_response(409, schema=ProblemErrorSchema, description="It has no payment page")
    @blp.alt_response(503, schema=ProblemErrorSchema, description="The provider is unreachable")
    @blp.doc(**SECURED)
    def post(self) -> Any:
        """Start a test payment of 1 €: open ``payment_page`` in a browser and pay there
        (with the provider's test card in its test mode). The provider sends the browser
        back to the payment admin page, which records the outcome; or ask for it with
        ``…/test-payment/result``. A payment that succeeded is refunded at once."""
        page = onboarding.start_test_payment(self.tenant, self.account, self.actor())
        return {"payment_page": page}


@blp.route("/<slug:tenant_slug>/payment/providers/<provider_key>/test-payment/result")
class TestPaymentResult(AccountView):
    @blp.response(200, TestPaymentOutcomeSchema)
    @blp.alt_response(404, schema=ProblemErrorSchema, description="No account with it here")
    @blp.alt_response(409, schema=ProblemErrorSchema, description="No test payment started")
    @blp.alt_response(503, schema=ProblemErrorSchema, description="The provider is unreachable")
    @blp.doc(**SECURED)
    def post(self) -> Any:
        """Read the newest test payment's status from the provider and record it, as the
        return page does; one that succeeded is refunded (once). ``onboarding_passed``
        says whether the checklist's payment item is done now."""
        outcome = onboarding.finish_test_payment(self.tenant, self.account, self.actor())
        return {
            "status": outcome.status.value,
            "refunded": outcome.refunded,
            "onboarding_passed": onboarding.check_test_payment(self.tenant).passed,
        }


@blp.route("/<slug:tenant_slug>/payment/booking-codes/<form_slug>")
class BookingCodes(TenantView):
    required_roles = ADMINS

    def _process_args(self, form_slug: str, **kwargs: Any) -> None:
        super()._process_args(**kwargs)
        self.form_slug = form_slug

    @blp.arguments(BookingCodeSchema)
    @blp.response(200, BookingCodeSchema)
    @blp.doc(**SECURED)
    def put(self, body: dict[str, Any]) -> Any:
        """Haushaltsstelle and Objektnummer for a form's fees (shown in the HKR export)."""
        return service.set_booking_codes(self.tenant, self.form_slug, **body, actor=self.actor())


@blp.route("/<slug:tenant_slug>/payments")
class Payments(TenantView):
    required_roles = STAFF

    @blp.arguments(PaymentFilterSchema, location="query")
    @blp.response(200, PaymentSchema(many=True))
    @blp.doc(**SECURED)
    def get(self, filters: dict[str, Any]) -> Any:
        """The tenant's payments, newest first, filtered by status, provider, reference."""
        return service.payments_for_clerk(
            status=filters.get("status"), provider=filters.get("provider"), query=filters.get("q")
        )


class PaymentResource(TenantView):
    """One of the tenant's payments, for its clerks (404 for any other); the clerk's
    payment pages load theirs the same way."""

    required_roles = STAFF

    def _process_args(self, payment_id: uuid.UUID, **kwargs: Any) -> None:
        super()._process_args(**kwargs)
        self.payment_id = payment_id

    def _check_access(self) -> None:
        super()._check_access()  # a 401 before anything about the payment is told
        payment = service.find_payment(self.payment_id)
        if payment is None:
            abort(404)
        self.payment = payment


@blp.route("/<slug:tenant_slug>/payments/<uuid:payment_id>/refunds")
class Refunds(PaymentResource):
    @blp.response(200, RefundSchema(many=True))
    @blp.doc(**SECURED)
    def get(self) -> Any:
        """The refunds of the payment with their reasons."""
        return service.refunds_of(self.payment)

    @blp.arguments(RefundRequestSchema)
    @blp.response(201, RefundSchema)
    @blp.alt_response(
        409,
        schema=ProblemErrorSchema,
        description="The provider held refunds not recorded here, or said recorded ones "
        "failed: the list is corrected now, this refund was not made",
    )
    @blp.alt_response(422, schema=ProblemErrorSchema, description="More than is left, no reason")
    @blp.alt_response(503, schema=ProblemErrorSchema, description="The provider is unreachable")
    @blp.doc(**SECURED)
    def post(self, body: dict[str, Any]) -> Any:
        """Refund all or part of what is left, with a reason.

        The provider is asked first for the payment's refunds. A refund whose answer
        was lost, retried with the same amount, is recorded without refunding again
        (201). Any other refund the provider holds and this list lacks (one made in
        the provider's dashboard) is recorded, a recorded one the provider says failed
        is marked failed and no longer counted, and this refund is not made (409):
        read the list, and ask again if it is still due."""
        return service.refund(
            self.tenant, self.payment, body["amount_cents"], body["reason"], actor=self.actor()
        )


@blp.route("/<slug:tenant_slug>/payments/<uuid:payment_id>/refunds/comparison")
class RefundsComparison(PaymentResource):
    @blp.response(200, TakenUpSchema)
    @blp.alt_response(503, schema=ProblemErrorSchema, description="The provider is unreachable")
    @blp.doc(**SECURED)
    def post(self) -> Any:
        """Compare the payment's refunds with those its provider holds, refunding nothing.

        Refunds made at the provider itself (in its dashboard, say) and missing here are
        recorded (``recorded``). A refund made here whose answer was lost is listed in
        ``lost`` and not recorded: refunding the same amount again records it without
        paying it out a second time. A recorded refund that failed at the provider (a
        closed card, say) is marked failed and no longer counted (``failed``): the
        payment can be refunded again. The provider's notifications about refunds do
        the same by themselves; this is for a notification that never came."""
        return service.take_up_refunds(self.tenant, self.payment)


@blp.route("/<slug:tenant_slug>/payments/export.csv")
class Export(TenantView):
    required_roles = STAFF

    @blp.response(200, content_type="text/csv")
    @blp.doc(
        **SECURED,
        parameters=[{"in": "query", "name": "variant", "schema": {"enum": ["csv", "excel"]}}],
    )
    def get(self) -> Response:
        """The HKR export (docs/payment.md); ``variant=excel``: ``;`` and a UTF-8 BOM."""
        return export_response(self.tenant, excel=request.args.get("variant") == "excel")


@blp.route("/<slug:tenant_slug>/payment/statements")
class Statements(TenantView):
    required_roles = STAFF

    @blp.response(200, StatementResultSchema)
    @blp.alt_response(400, schema=ProblemErrorSchema, description="Not a camt.053 statement")
    @blp.doc(
        **SECURED,
        requestBody={"content": {"application/xml": {"schema": {"type": "string"}}}},
    )
    def post(self) -> Any:
        """Import a camt.053 bank statement (the XML as the body): settles bank transfers."""
        return service.import_statement(self.tenant, request.get_data(), actor=self.actor())


@blp.route("/<slug:tenant_slug>/payment/statement-lines")
class StatementLines(TenantView):
    required_roles = STAFF

    @blp.response(200, StatementLineSchema(many=True))
    @blp.doc(**SECURED)
    def get(self) -> Any:
        """Credits a statement could not settle alone, not yet cleared: partial, over,
        unmatched, repeated, for an online payment, in another currency."""
        return service.lines_for_clerk()


@blp.route("/<slug:tenant_slug>/payment/statement-lines/<uuid:line_id>/resolution")
class StatementLineResolution(TenantView):
    required_roles = STAFF

    def _process_args(self, line_id: uuid.UUID, **kwargs: Any) -> None:
        super()._process_args(**kwargs)
        self.line_id = line_id

    @blp.arguments(ResolutionSchema)
    @blp.response(200, StatementLineSchema)
    @blp.alt_response(404, schema=ProblemErrorSchema, description="No such credit to clear")
    @blp.alt_response(409, schema=ProblemErrorSchema, description="Cleared already")
    @blp.alt_response(422, schema=ProblemErrorSchema, description="No note, or too long")
    @blp.doc(**SECURED)
    def post(self, body: dict[str, Any]) -> Any:
        """Clear a waiting credit with a note of what was done (on the audit log)."""
        return service.resolve_line(
            self.tenant, self.line_id, body["resolution"], actor=self.actor()
        )


def export_response(tenant: Any, *, excel: bool) -> Response:
    data = service.hkr_export(tenant, excel=excel)
    name = f"hkr-{tenant.slug}{'-excel' if excel else ''}.csv"
    return attachment(data, "text/csv", name)


def init_app(app: Flask) -> None:
    with app.app_context():
        register_blueprint(blp)
