"""The payment item of the onboarding checklist, and the test payment a tenant admin makes.

The item passes when an enabled provider account's newest test payment
succeeded. A test payment goes through the provider's own payment page,
as a citizen's would: the admin starts it on the payment admin page, pays
there with a test card (the sandbox's, or the provider's test mode), and
comes back to ``…/test-payment/return``, where the status is read from the
provider, never from the return address. It belongs to no submission, so it
is not a row of ``payments``; its start and outcome are audit entries of the
account (the provider's id, the status: no personal data).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Flask, abort, flash, redirect, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from amtsweg.formdefs import service as formdefs
from amtsweg.formdefs.fees import FeeKind, summarise_fee
from amtsweg.payment import registry, service
from amtsweg.payment.interfaces import (
    Capability,
    PaymentRequest,
    ProviderRefused,
    ProviderUnavailable,
    RemoteStatus,
)
from amtsweg.payment.models import ProviderAccount
from amtsweg.payment.providers.sandbox import SandboxProvider
from amtsweg.platform.db import utcnow
from amtsweg.platform.errors import Conflict
from amtsweg.tenants import onboarding
from amtsweg.tenants import service as tenants
from amtsweg.tenants.access import ADMINS
from amtsweg.tenants.models import Tenant, User
from amtsweg.tenants.onboarding import CheckResult
from amtsweg.tenants.web import TenantView

log = logging.getLogger(__name__)

ADMIN_PAGE = "payment_staff.admin"
TEST_AMOUNT_CENTS = 100
TEST_CURRENCY = "EUR"
ONLINE_FEES = frozenset({FeeKind.FIXED, FeeKind.FROM})


def register(app: Flask) -> None:
    app.register_blueprint(bp)
    onboarding.register_admin_page("payment", _l("Payments"), ADMIN_PAGE)
    onboarding.register_check(
        "payment",
        _l("A payment provider and a test payment that succeeded"),
        check_test_payment,
    )


def testable(provider_key: str) -> bool:
    """Providers with a payment page the admin can be sent to (not bank transfer)."""
    return Capability.REDIRECT in registry.provider(provider_key).capabilities


# --- the check ---------------------------------------------------------------------------


def check_test_payment(tenant: Tenant) -> CheckResult:
    """Passes at once for a tenant whose offered forms take no fee online (free forms, fees
    assessed by notice), and for bank transfer alone, which has no test mode: its IBAN was
    checked when it was saved, and the money arrives with the bank statement."""
    if not collects_fees_online(tenant):
        return CheckResult.ok()
    enabled = service.enabled_accounts(tenant)
    if not enabled:
        return CheckResult.missing(
            gettext("Connect a payment provider so that citizens can pay fees online."),
            ADMIN_PAGE,
        )
    if not any(testable(account.provider) for account in enabled):
        return CheckResult.ok()
    if any(test_succeeded(tenant, account) for account in enabled):
        return CheckResult.ok()
    todo = gettext(
        "Make a test payment with a provider that citizens are offered and complete "
        "it on the provider's page in its test mode."
    )
    if registry.offered(SandboxProvider.key):
        todo += " " + gettext("The sandbox's test card is 4242 4242 4242 4242.")
    return CheckResult.missing(todo, ADMIN_PAGE)


def collects_fees_online(tenant: Tenant) -> bool:
    return any(
        summarise_fee(form.definition, form.tenant_form.fee_overrides).kind in ONLINE_FEES
        for form in formdefs.offered_forms(tenant)
    )


def test_succeeded(tenant: Tenant, account: ProviderAccount) -> bool:
    latest = tenants.latest_record(
        tenant, "payment_account", account.provider, actions=("payment.tested",)
    )
    return latest is not None and latest.details.get("status") == RemoteStatus.SUCCEEDED.value


# --- the test payment --------------------------------------------------------------------


def start_test_payment(tenant: Tenant, account: ProviderAccount, actor: User | None) -> str:
    """Create a test payment at the provider; the address of its payment page."""
    if not testable(account.provider):
        raise Conflict(gettext("This provider has no payment page to make a test payment on."))
    return_url = url_for(
        "payment_test.finish",
        tenant_slug=tenant.slug,
        provider_key=account.provider,
        _external=True,
    )
    request = PaymentRequest(
        amount_cents=TEST_AMOUNT_CENTS,
        currency=TEST_CURRENCY,
        kassenzeichen=f"TEST-{utcnow():%Y%m%d%H%M%S}",
        description="Testzahlung (Amtsweg)",
        return_url=return_url,
        idempotency_key=uuid.uuid4().hex,
        cancel_url=return_url,
    )
    with _provider_errors():
        started = service.provider_of(account).start(service.account_view(tenant, account), request)
    tenants.record(
        tenant,
        "payment.test_started",
        "payment_account",
        account.provider,
        details={"payment": started.provider_payment_id},
        actor=actor,
    )
    if not started.redirect_url:
        raise Conflict(gettext("The provider did not name a payment page."))
    return started.redirect_url


@dataclass(frozen=True)
class TestOutcome:
    status: RemoteStatus
    #: Given back at once (:func:`_refund_test_payment`); ``False`` when it could not be.
    refunded: bool = False


def finish_test_payment(
    tenant: Tenant, account: ProviderAccount, actor: User | None
) -> TestOutcome:
    """Read the newest test payment's status from the provider and record it; give it back
    when it succeeded.

    The account is locked first: two returns at the same moment (two tabs, a
    reload) are handled one after the other, so the second finds the first's
    refund recorded instead of asking the provider for another one.
    """
    service.lock_account(account)
    started = tenants.latest_record(
        tenant, "payment_account", account.provider, actions=("payment.test_started",)
    )
    if started is None:
        raise Conflict(gettext("No test payment was started with this provider."))
    payment_id = started.details["payment"]
    with _provider_errors():
        observation = service.provider_of(account).fetch_status(
            service.account_view(tenant, account), payment_id
        )
    tenants.record(
        tenant,
        "payment.tested",
        "payment_account",
        account.provider,
        details={"payment": payment_id, "status": observation.status.value},
        actor=actor,
    )
    if observation.status is not RemoteStatus.SUCCEEDED:
        return TestOutcome(observation.status)
    return TestOutcome(observation.status, _refund_test_payment(tenant, account, payment_id, actor))


def _refund_test_payment(
    tenant: Tenant, account: ProviderAccount, payment_id: str, actor: User | None
) -> bool:
    """Give a test payment that succeeded back, once; whether it has been.

    With the provider's live credentials the admin paid a real euro with their
    own card, and nothing else would return it. Coming back to the return
    address again finds the refund recorded and asks the provider nothing.
    """
    provider = service.provider_of(account)
    if Capability.REFUND not in provider.capabilities:
        return False
    done = tenants.latest_record(
        tenant, "payment_account", account.provider, actions=("payment.test_refunded",)
    )
    if done is not None and done.details.get("payment") == payment_id:
        return True
    try:
        with _provider_errors():
            refund_id = provider.refund(
                service.account_view(tenant, account),
                payment_id,
                TEST_AMOUNT_CENTS,
                f"test-refund-{payment_id}",
            )
    except (service.ProviderDown, service.PaymentRefused):
        log.warning("the test payment could not be refunded", extra={"provider": account.provider})
        return False
    tenants.record(
        tenant,
        "payment.test_refunded",
        "payment_account",
        account.provider,
        details={"payment": payment_id, "refund": refund_id},
        actor=actor,
    )
    return True


@contextmanager
def _provider_errors() -> Iterator[None]:
    """Turn a provider's failure into the words an admin can act on (as checking does)."""
    try:
        yield
    except ProviderUnavailable as error:
        raise service.ProviderDown(
            gettext("The provider cannot be reached: %(error)s", error=error)
        ) from error
    except ProviderRefused as error:
        raise service.PaymentRefused(
            gettext("The provider refused: %(error)s", error=error)
        ) from error


# --- pages -------------------------------------------------------------------------------

bp = Blueprint(
    "payment_test",
    __name__,
    url_prefix="/t/<slug:tenant_slug>/admin/payment/<provider_key>/test-payment",
)


class TestPaymentView(TenantView):
    required_roles = ADMINS

    def _process_args(self, provider_key: str, **kwargs: Any) -> None:
        super()._process_args(**kwargs)
        if not registry.offered(provider_key):
            abort(404)
        self.provider_key = provider_key

    def _check_access(self) -> None:
        super()._check_access()
        self.account = service.require_account(self.tenant, self.provider_key)


class StartTestPayment(TestPaymentView):
    def post(self) -> Response:
        return redirect(start_test_payment(self.tenant, self.account, self.actor()), code=303)


class FinishTestPayment(TestPaymentView):
    def get(self) -> Response:
        outcome = finish_test_payment(self.tenant, self.account, self.actor())
        flash(*_said(outcome))
        return redirect(url_for(ADMIN_PAGE, tenant_slug=self.tenant.slug), code=303)


def _said(outcome: TestOutcome) -> tuple[str, str]:
    """What the admin is told about their test payment, and how (a flash category)."""
    if outcome.status is RemoteStatus.SUCCEEDED and outcome.refunded:
        return gettext("The test payment succeeded and has been refunded."), "success"
    if outcome.status is RemoteStatus.SUCCEEDED:
        return (
            gettext(
                "The test payment succeeded. It could not be refunded automatically: if it "
                "was paid with a real card, refund it at the provider."
            ),
            "warning",
        )
    if outcome.status is RemoteStatus.PENDING:
        return (
            gettext(
                "The test payment is not finished at the provider. Make another one "
                "and complete it on the provider's page."
            ),
            "danger",
        )
    return (
        gettext(
            "The test payment did not succeed (declined or cancelled). Make "
            "another one with a test card that succeeds."
        ),
        "danger",
    )


bp.add_url_rule("", view_func=StartTestPayment.as_view("start"), methods=["POST"])
bp.add_url_rule("/return", view_func=FinishTestPayment.as_view("finish"))
