"""The citizen's side of paying: choose a method, come back, see the result, pay again."""

from __future__ import annotations

import io
import uuid
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_babel import get_locale, gettext
from markupsafe import Markup

from amtsweg.payment import service
from amtsweg.payment.models import Payment
from amtsweg.payment.providers import banktransfer, sandbox
from amtsweg.platform.db import db
from amtsweg.platform.i18n import money
from amtsweg.platform.limits import submit_limit
from amtsweg.submissions.models import Submission, SubmissionStatus
from amtsweg.submissions.receipts import Transfer
from amtsweg.submissions.views import SubmissionView
from amtsweg.submissions.web import CitizenView
from amtsweg.tenants.models import Tenant
from amtsweg.tenants.web import TenantView

bp = Blueprint("payment", __name__, url_prefix="/t/<slug:tenant_slug>", template_folder="templates")


def _confirmation(tenant: Tenant, submission: Submission) -> Response:
    return redirect(
        url_for("journey.submission", tenant_slug=tenant.slug, reference=submission.reference)
    )


class PayPage(SubmissionView):
    """Choose how to pay the submission's fee, then go to the provider."""

    def get(self) -> Any:
        if self.submission.status is not SubmissionStatus.AWAITING_PAYMENT:
            return _confirmation(self.tenant, self.submission)
        return self._render()

    @submit_limit
    def post(self) -> Any:
        if self.submission.status is not SubmissionStatus.AWAITING_PAYMENT:
            return _confirmation(self.tenant, self.submission)
        choice = request.form.get("provider", "")
        if choice not in {account.provider for account in service.enabled_accounts(self.tenant)}:
            return self._render(choice_missing=True), 422
        try:
            started = service.start_payment(self.tenant, self.submission, choice)
        except service.ProviderDown as down:
            db.session.rollback()  # the submission stays; no half-made payment is kept
            return self._render(provider_down=down.detail), 503
        db.session.commit()
        if started.redirect_url:
            return redirect(started.redirect_url, code=303)
        return _confirmation(self.tenant, self.submission)

    def _render(self, *, choice_missing: bool = False, provider_down: str = "") -> str:
        return render_template(
            "payment/pay.html",
            submission=self.submission,
            accounts=service.enabled_accounts(self.tenant),
            choice_missing=choice_missing,
            provider_down=provider_down,
        )


class PaymentReturn(CitizenView):
    """Where the provider sends the citizen back: the status is read from the provider."""

    def _process_args(self, payment_id: uuid.UUID, **kwargs: Any) -> None:
        super()._process_args(**kwargs)
        self.payment_id = payment_id

    def _check_access(self) -> None:
        super()._check_access()
        payment = service.find_payment(self.payment_id)
        if payment is None:
            abort(404)
        submission = db.session.get(Submission, (self.tenant.id, payment.submission_id))
        if submission is None or submission.user_id != self.user.id:
            abort(404)
        self.payment: Payment = payment
        self.submission = submission

    def get(self) -> Any:
        service.refresh_from_provider(self.tenant, self.payment, source="return")
        db.session.commit()
        db.session.refresh(self.submission)
        if self.payment.status in service.WITH_MONEY or (
            self.submission.status is not SubmissionStatus.AWAITING_PAYMENT
        ):
            return _confirmation(self.tenant, self.submission)
        return render_template(
            "payment/return.html",
            payment=self.payment,
            submission=self.submission,
            waiting=self.payment.status in service.OPEN,
        )


class PaymentTurnedBack(PaymentReturn):
    """Where a provider sends a citizen who turned back on its page (PayPal's cancel address):
    the status is still read from the provider; a payment still open is cancelled."""

    def get(self) -> Any:
        service.abandon(self.tenant, self.payment)
        db.session.commit()
        return super().get()


class GiroCodeImage(SubmissionView):
    """The GiroCode of the submission's open bank-transfer payment, as a PNG."""

    def get(self) -> Response:
        payment, settings = _open_transfer(self.tenant, self.submission)
        if payment is None:
            abort(404)
        response = Response(_girocode_png(payment, settings), mimetype="image/png")
        response.cache_control.private = True
        response.cache_control.no_store = True
        return response


def _open_transfer(tenant: Tenant, submission: Submission) -> tuple[Payment | None, dict[str, Any]]:
    account = service.find_account(tenant, banktransfer.BankTransferProvider.key)
    for payment in service.payments_of(submission):
        is_transfer = payment.provider == banktransfer.BankTransferProvider.key
        if account and is_transfer and payment.status in service.OPEN:
            return payment, dict(account.settings)
    return None, {}


def _girocode_png(payment: Payment, settings: dict[str, Any]) -> bytes:
    code = banktransfer.girocode(settings, payment.amount_cents, payment.kassenzeichen)
    image = io.BytesIO()
    code.save(image, kind="png", scale=6, border=4)
    return image.getvalue()


def girocode_alt(payment: Payment, settings: dict[str, Any]) -> str:
    """The GiroCode in words, for whoever cannot see it (page and receipt alike)."""
    return gettext(
        "GiroCode (QR code for banking apps): %(amount)s to %(holder)s, IBAN %(iban)s, "
        "reference %(kassenzeichen)s",
        amount=money(payment.amount_cents),
        holder=settings["account_holder"],
        iban=settings["iban"],
        kassenzeichen=payment.kassenzeichen,
    )


def receipt_transfer(tenant: Tenant, submission: Submission) -> Transfer | None:
    """The GiroCode and transfer data for the receipt while a bank transfer is open,
    worded in the language the receipt is made in."""
    payment, settings = _open_transfer(tenant, submission)
    if payment is None:
        return None
    return Transfer(
        heading=gettext("Pay by bank transfer"),
        note=gettext(
            "Scan the GiroCode with your banking app, or type the details below. Please use "
            "exactly this amount and the Kassenzeichen as reference, so that we can match "
            "your payment."
        ),
        girocode=_girocode_png(payment, settings),
        girocode_alt=girocode_alt(payment, settings),
        details=(
            (gettext("Recipient"), settings["account_holder"]),
            ("IBAN", settings["iban"]),
            ("BIC", settings["bic"]),
            (gettext("Amount"), money(payment.amount_cents)),
            (gettext("Reference"), payment.kassenzeichen),
        ),
    )


def _resumable(payment: Payment) -> bool:
    """Whether the citizen can go back to the provider's page of an open payment: one
    whose tab was closed would otherwise wait for its expiry before paying again."""
    return urlsplit(payment.redirect_url or "").scheme in {"https", "http"}


def citizen_panel(tenant: Tenant, submission: Submission) -> Markup:
    """Payment status, Kassenzeichen, refunds, GiroCode and "pay again" on the submission
    page. A refund that failed at the provider is named too: the citizen would otherwise
    see the payment turn from "refunded" back to "paid" without a word."""
    if submission.fee_total == 0 or submission.fee.get("collection") != "online":
        return Markup("")
    transfer, settings = _open_transfer(tenant, submission)
    latest = service.payments_of(submission)
    can_pay = submission.status is SubmissionStatus.AWAITING_PAYMENT and not any(
        payment.status in service.OPEN for payment in latest
    )
    unfinished = next((p for p in latest if p.status in service.OPEN and _resumable(p)), None)
    return Markup(  # noqa: S704 - a rendered template; Jinja escaped every value in it
        render_template(
            "payment/_panel.html",
            submission=submission,
            transfer=transfer,
            bank=settings,
            girocode_alt=girocode_alt(transfer, settings) if transfer else "",
            refunds=service.refunds_of_submission(submission),
            can_pay=can_pay,
            unfinished=unfinished,
            locale=str(get_locale()),
        )
    )


def clerk_panel(tenant: Tenant, submission: Submission) -> Markup:
    """The submission's payments on the clerk's page, each linked to its detail."""
    return Markup(  # noqa: S704 - a rendered template; Jinja escaped every value in it
        render_template(
            "payment/_clerk_panel.html",
            tenant=tenant,
            payments=service.payments_of(submission),
        )
    )


bp.add_url_rule("/submissions/<reference>/pay", view_func=PayPage.as_view("pay"))
bp.add_url_rule("/payments/<uuid:payment_id>/return", view_func=PaymentReturn.as_view("return"))
bp.add_url_rule(
    "/payments/<uuid:payment_id>/turned-back", view_func=PaymentTurnedBack.as_view("turned_back")
)
bp.add_url_rule(
    "/submissions/<reference>/girocode.png", view_func=GiroCodeImage.as_view("girocode")
)


# --- the sandbox's hosted page (a test provider served by this app) -------------------

sandbox_bp = Blueprint(
    "sandbox",
    __name__,
    url_prefix="/t/<slug:tenant_slug>/sandbox-payment",
    template_folder="templates",
)


class SandboxChargeView(TenantView):
    """The sandbox provider's page for one charge; its id is the only key, as at a provider."""

    def _process_args(self, charge_id: uuid.UUID, **kwargs: Any) -> None:
        super()._process_args(**kwargs)
        charge = sandbox.find_charge(charge_id)
        if charge is None:
            abort(404)
        self.charge = charge

    def _back(self) -> Response:
        return redirect(self.charge.return_url, code=303)

    def _render(self, step: str = "card", error: str = "", card: str = "") -> str:
        return render_template(
            "payment/sandbox_checkout.html", charge=self.charge, step=step, error=error, card=card
        )


class SandboxCheckout(SandboxChargeView):
    def get(self) -> Any:
        if self.charge.status == "requires_action":
            return self._render("confirm")
        if self.charge.status != "open":
            return self._back()
        return self._render()

    def post(self) -> Any:
        if self.charge.status != "open":
            return self._back()
        if request.form.get("action") == "cancel":
            sandbox.abandon(self.charge)
            return self._back()
        card = request.form.get("card", "")
        try:
            status = sandbox.pay(self.charge, card)
        except sandbox.UnknownCardError:
            return self._render(
                error=gettext("This is not one of the test card numbers."), card=card
            ), 422
        if status == "requires_action":
            return redirect(
                url_for(".confirm", tenant_slug=self.tenant.slug, charge_id=self.charge.id),
                code=303,
            )
        return self._back()


class SandboxConfirm(SandboxChargeView):
    def get(self) -> Any:
        if self.charge.status != "requires_action":
            return self._back()
        return self._render("confirm")

    def post(self) -> Any:
        if self.charge.status == "requires_action":
            sandbox.confirm(self.charge, approved=request.form.get("decision") == "approve")
        return self._back()


sandbox_bp.add_url_rule("/<uuid:charge_id>", view_func=SandboxCheckout.as_view("checkout"))
sandbox_bp.add_url_rule("/<uuid:charge_id>/confirm", view_func=SandboxConfirm.as_view("confirm"))
