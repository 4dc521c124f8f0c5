"""Pages for the municipality: admins connect and test providers, clerks see and refund
payments, import bank statements and download the HKR export."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext

from amtsweg.payment import api, onboarding, registry, service
from amtsweg.payment.interfaces import RemoteRefund
from amtsweg.platform import i18n
from amtsweg.platform.errors import Refusal
from amtsweg.platform.euros import parse_euros
from amtsweg.tenants.access import ADMINS, STAFF
from amtsweg.tenants.web import TenantView

bp = Blueprint(
    "payment_staff", __name__, url_prefix="/t/<slug:tenant_slug>", template_folder="templates"
)


class AdminView(TenantView):
    required_roles = ADMINS


class ProviderAdmin(AdminView):
    """Every provider: connect (secrets masked), enable, test; retired schemes explained."""

    def get(self) -> str:
        return render_template(
            "payment/admin.html",
            entries=service.provider_entries(self.tenant),
            retired=registry.RETIRED,
            testable=onboarding.testable,
        )


class ProviderSave(AdminView):
    def _process_args(self, provider_key: str, **kwargs: Any) -> None:
        super()._process_args(**kwargs)
        if not registry.offered(provider_key):
            abort(404)
        self.provider_key = provider_key

    def post(self) -> Response:
        values = {key: value for key, value in request.form.items() if key != "csrf_token"}
        try:
            service.connect_account(
                self.tenant,
                self.provider_key,
                values,
                enabled=request.form.get("enabled") == "yes",
                actor=self.actor(),
            )
        except Refusal as refused:
            flash(refused.detail + " " + " ".join(p.detail for p in refused.problems), "danger")
            return redirect(url_for(".admin", tenant_slug=self.tenant.slug), code=303)
        flash(gettext("The settings are saved."), "success")
        return redirect(url_for(".admin", tenant_slug=self.tenant.slug), code=303)


class ProviderCheck(ProviderSave):
    def post(self) -> Response:
        account = service.require_account(self.tenant, self.provider_key)
        try:
            service.check_account(self.tenant, account)
        except Refusal as refused:
            flash(refused.detail, "danger")
        else:
            flash(gettext("The connection works."), "success")
        return redirect(url_for(".admin", tenant_slug=self.tenant.slug), code=303)


class ClerkView(TenantView):
    required_roles = STAFF


class PaymentList(ClerkView):
    """Payments with filters, the statement lines waiting for a clerk, the exports."""

    def get(self) -> str:
        status = request.args.get("status") or None
        if status and status not in {s.value for s in service.PaymentStatus}:
            status = None
        provider = request.args.get("provider") or None
        return render_template(
            "payment/clerk_list.html",
            rows=service.payments_for_clerk(
                status=status, provider=provider, query=request.args.get("q")
            ),
            failed=service.failed_refunds(),
            lines=service.lines_for_clerk(),
            resolved=service.resolved_lines(),
            statuses=[s.value for s in service.PaymentStatus],
            providers=registry.provider_keys(),
            chosen={"status": status, "provider": provider, "q": request.args.get("q", "")},
        )


class PaymentDetail(api.PaymentResource):
    """One payment: its events, its refunds, and a refund form (never more than is left)."""

    def get(self) -> str:
        return self._render()

    def post(self) -> Any:
        try:
            amount = _cents(request.form.get("amount", ""))
            service.refund(
                self.tenant,
                self.payment,
                amount,
                request.form.get("reason", ""),
                actor=self.actor(),
            )
        except service.RefundsFoundAtProvider as found:
            # Recorded now and listed on the page: the clerk reads them before asking again.
            flash(found.detail, "warning")
            return redirect(request.path, code=303)
        except Refusal as refused:
            return self._render(error=refused.detail), refused.status
        flash(gettext("The refund is recorded."), "success")
        return redirect(request.path, code=303)

    def _render(self, error: str = "") -> str:
        return render_template(
            "payment/clerk_detail.html",
            payment=self.payment,
            events=service.events_of(self.payment),
            refunds=service.refunds_of(self.payment),
            left=service.refundable_cents(self.payment),
            comparable=service.can_take_up_refunds(self.payment),
            error=error,
        )


class RefundsCompared(api.PaymentResource):
    """The clerk compares the payment's refunds with its provider's: those made there
    (in its dashboard, say) and missing here are recorded."""

    def post(self) -> Response:
        try:
            taken = service.take_up_refunds(self.tenant, self.payment)
        except Refusal as refused:  # the provider did not answer, or refused to
            flash(refused.detail, "danger")
        else:
            for message, category in _compared(taken):
                flash(message, category)
        return redirect(
            url_for(".payment", tenant_slug=self.tenant.slug, payment_id=self.payment.id), code=303
        )


def _compared(taken: service.TakenUp) -> list[tuple[str, str]]:
    """What the clerk reads after comparing, most important first."""
    said = []
    if taken.failed:
        said.append((service.failed_at_provider(taken.failed), "danger"))
    if taken.lost:
        said.append((_lost_refunds(taken.lost), "warning"))
    if taken.recorded:
        found = sum(refund.amount_cents for refund in taken.recorded)
        said.append((service.found_at_provider(found), "warning"))
    return said or [(gettext("The refunds recorded here match the provider's."), "success")]


def _lost_refunds(lost: list[RemoteRefund]) -> str:
    return ngettext(
        "The provider holds a refund of %(lost)s made here whose answer was lost. Please "
        "refund the same amount again: it is then recorded, not made a second time.",
        "The provider holds %(num)d refunds made here whose answers were lost (together "
        "%(lost)s). The next refund you ask for records them and is itself not made.",
        len(lost),
        lost=i18n.money(sum(refund.amount_cents for refund in lost)),
    )


def _cents(text: str) -> int:
    cents = parse_euros(text)
    if cents is None:
        raise service.PaymentRefused(gettext("Please enter an amount in euros, e.g. 12,50."))
    return cents


class ExportDownload(ClerkView):
    def get(self) -> Response:
        return api.export_response(self.tenant, excel=request.args.get("variant") == "excel")


class StatementUpload(ClerkView):
    def post(self) -> Response:
        upload = request.files.get("statement")
        try:
            result = service.import_statement(
                self.tenant, upload.read() if upload else b"", actor=self.actor()
            )
        except Refusal as refused:
            flash(refused.detail, "danger")
        else:
            flash(
                gettext(
                    "%(matched)s transfers settled, %(for_clerk)s for a clerk, "
                    "%(known)s imported before.",
                    matched=result.matched,
                    for_clerk=result.for_clerk,
                    known=result.known,
                ),
                "success",
            )
        return redirect(url_for(".payments", tenant_slug=self.tenant.slug), code=303)


class StatementLineDetail(ClerkView):
    """One credit waiting for a clerk: what the bank sent, the payment it names, and
    the form to clear it with a note of what was done."""

    def _process_args(self, line_id: uuid.UUID, **kwargs: Any) -> None:
        super()._process_args(**kwargs)
        self.line_id = line_id

    def _check_access(self) -> None:
        super()._check_access()
        line = service.find_line(self.line_id)
        if line is None:
            abort(404)
        self.line = line

    def get(self) -> str:
        return self._render()

    def post(self) -> Any:
        try:
            service.resolve_line(
                self.tenant, self.line.id, request.form.get("resolution", ""), actor=self.actor()
            )
        except Refusal as refused:
            return self._render(error=refused.detail), refused.status
        flash(gettext("The credit is cleared."), "success")
        return redirect(url_for(".payments", tenant_slug=self.tenant.slug), code=303)

    def _render(self, error: str = "") -> str:
        return render_template(
            "payment/clerk_line.html",
            line=self.line,
            error=error,
            resolution=request.form.get("resolution", ""),
            limit=service.RESOLUTION_LENGTH,
        )


bp.add_url_rule("/admin/payment/", view_func=ProviderAdmin.as_view("admin"))
bp.add_url_rule("/admin/payment/<provider_key>", view_func=ProviderSave.as_view("save"))
bp.add_url_rule("/admin/payment/<provider_key>/test", view_func=ProviderCheck.as_view("check"))
bp.add_url_rule("/clerk/payments/", view_func=PaymentList.as_view("payments"))
bp.add_url_rule("/clerk/payments/<uuid:payment_id>", view_func=PaymentDetail.as_view("payment"))
bp.add_url_rule(
    "/clerk/payments/<uuid:payment_id>/compare-refunds",
    view_func=RefundsCompared.as_view("compare_refunds"),
)
bp.add_url_rule("/clerk/payments/export.csv", view_func=ExportDownload.as_view("export"))
bp.add_url_rule("/clerk/payments/statements", view_func=StatementUpload.as_view("statements"))
bp.add_url_rule(
    "/clerk/payments/statement-lines/<uuid:line_id>",
    view_func=StatementLineDetail.as_view("statement_line"),
)
