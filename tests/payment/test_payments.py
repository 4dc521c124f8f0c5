"""The payment's life through the services: polling, expiry, refunds, duplicates, outages."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from sqlalchemy import select

from amtsweg.payment import kassenzeichen, service
from amtsweg.payment.models import Payment, PaymentStatus, Refund
from amtsweg.platform.db import db, tenant_scope, utcnow
from amtsweg.platform.errors import Refusal
from amtsweg.submissions.models import Submission
from amtsweg.tenants import service as tenants
from amtsweg.tenants.models import AuditEntry, Tenant
from tests.login import csrf_token, local
from tests.payment.conftest import BIC, FORM, IBAN, WEBHOOK_SECRET, connect_sandbox, offer_fee_form
from tests.payment.helpers import (
    connected,
    paid_in_two_tabs,
    reload,
    sandbox_charge,
    settle_at_provider,
    signed,
    start,
    submit,
    webhook_body,
    webhook_url,
)
from tests.platform.test_bearer_tokens import dev_token


def _submission(tenant, payment) -> Submission:
    with tenant_scope(tenant.id):
        db.session.expire_all()
        return db.session.get_one(Submission, (tenant.id, payment.submission_id))


def _poll(app, tenant, now=None):
    with app.test_request_context(), tenant_scope(tenant.id):
        counts = service.poll_open_payments(tenant, now=now)
        db.session.commit()
    return counts


def test_a_closed_tab_is_settled_by_the_polling_job(app, musterstadt) -> None:
    payment = start(app, musterstadt, submit(app, musterstadt))
    settle_at_provider(musterstadt, payment, "succeeded")
    assert _poll(app, musterstadt) == {"settled": 1, "expired": 0}
    assert reload(musterstadt, payment).status is PaymentStatus.SUCCEEDED
    submission = _submission(musterstadt, payment)
    assert submission.status.value == "paid"
    assert submission.payment == {
        "status": "succeeded",
        "amount_cents": 3070,
        "currency": "EUR",
        "provider": "sandbox",
        "kassenzeichen": payment.kassenzeichen,
    }
    assert _poll(app, musterstadt) == {"settled": 0, "expired": 0}  # nothing open any more
    with tenant_scope(musterstadt.id):
        settled = service.events_of(reload(musterstadt, payment))[-1]
    assert (settled.to_status, settled.source, settled.provider_reference) == (
        PaymentStatus.SUCCEEDED,
        "poll",
        payment.provider_payment_id,
    )


def test_the_polling_job_expires_attempts_after_90_minutes(app, musterstadt) -> None:
    payment = start(app, musterstadt, submit(app, musterstadt))
    assert _poll(app, musterstadt, now=utcnow() + dt.timedelta(minutes=89)) == {
        "settled": 0,
        "expired": 0,
    }
    assert _poll(app, musterstadt, now=utcnow() + dt.timedelta(minutes=91))["expired"] == 1
    assert reload(musterstadt, payment).status is PaymentStatus.EXPIRED
    with tenant_scope(musterstadt.id):  # cancelled at the provider
        assert sandbox_charge(musterstadt, payment).status == "cancelled"
    submission = _submission(musterstadt, payment)
    assert (submission.status.value, submission.payment_status) == ("awaiting_payment", "expired")


def _last_event_source(tenant, payment) -> str:
    with tenant_scope(tenant.id):
        return service.events_of(reload(tenant, payment))[-1].source


def test_the_polling_job_counts_every_payment_it_settles(app, musterstadt) -> None:
    paid = start(app, musterstadt, submit(app, musterstadt))
    failed = start(app, musterstadt, submit(app, musterstadt, "max"))
    settle_at_provider(musterstadt, paid, "succeeded")
    settle_at_provider(musterstadt, failed, "failed")
    assert _poll(app, musterstadt) == {"settled": 2, "expired": 0}
    assert reload(musterstadt, paid).status is PaymentStatus.SUCCEEDED
    assert reload(musterstadt, failed).status is PaymentStatus.FAILED
    assert _last_event_source(musterstadt, paid) == "poll"
    assert _last_event_source(musterstadt, failed) == "poll"


def test_a_failed_attempt_counts_once_in_the_municipalitys_figures(app, musterstadt) -> None:
    """The overview's failed payments: each submission whose attempt failed, no more."""
    failed = start(app, musterstadt, submit(app, musterstadt))
    start(app, musterstadt, submit(app, musterstadt, "max"))  # still open
    settle_at_provider(musterstadt, failed, "failed")
    assert _poll(app, musterstadt) == {"settled": 1, "expired": 0}
    db.session.expire_all()
    assert db.session.get_one(Tenant, musterstadt.id).failed_payments == 1


def test_an_older_attempt_failing_behind_a_newer_one_is_no_failed_payment(app, musterstadt) -> None:
    """The citizen tried again: what counts is the newest attempt, which is still open."""
    submission = submit(app, musterstadt)
    older = start(app, musterstadt, submission)
    start(app, musterstadt, submission)
    settle_at_provider(musterstadt, older, "failed")
    _poll(app, musterstadt)
    assert reload(musterstadt, older).status is PaymentStatus.FAILED
    db.session.expire_all()
    assert db.session.get_one(Tenant, musterstadt.id).failed_payments == 0


def test_an_attempt_expires_at_its_deadline_not_a_moment_later(app, musterstadt) -> None:
    first = start(app, musterstadt, submit(app, musterstadt))
    second = start(app, musterstadt, submit(app, musterstadt, "max"))
    deadline = max(reload(musterstadt, first).expires_at, reload(musterstadt, second).expires_at)
    assert _poll(app, musterstadt, now=deadline) == {"settled": 0, "expired": 2}
    for payment in (first, second):
        assert reload(musterstadt, payment).status is PaymentStatus.EXPIRED
        assert _last_event_source(musterstadt, payment) == "poll"


def test_an_attempt_the_provider_cannot_cancel_stays_open(app, musterstadt) -> None:
    """Maybe it was paid meanwhile: the next reading decides, not the clock."""
    payment = start(app, musterstadt, submit(app, musterstadt))
    connect_sandbox(musterstadt, outage="yes")
    later = utcnow() + dt.timedelta(minutes=91)
    assert _poll(app, musterstadt, now=later) == {"settled": 0, "expired": 0}
    assert reload(musterstadt, payment).status is PaymentStatus.PENDING
    with tenant_scope(musterstadt.id):
        assert sandbox_charge(musterstadt, payment).status != "cancelled"


def test_impossible_changes_are_refused(app, musterstadt) -> None:
    payment = start(app, musterstadt, submit(app, musterstadt))
    with tenant_scope(musterstadt.id):
        assert not service.transition(payment, PaymentStatus.REFUNDED, source="test")
        assert not service.transition(payment, PaymentStatus.PENDING, source="test")
        assert service.transition(payment, PaymentStatus.FAILED, source="test")
        assert not service.transition(payment, PaymentStatus.CANCELLED, source="test")
        assert not service.transition(payment, PaymentStatus.PARTIALLY_REFUNDED, source="test")
        events = [(e.from_status, e.to_status) for e in service.events_of(payment)]
    assert events == [
        (PaymentStatus.CREATED, PaymentStatus.PENDING),
        (PaymentStatus.PENDING, PaymentStatus.FAILED),
    ]


@pytest.fixture
def paid(app, client, musterstadt):
    payment = start(app, musterstadt, submit(app, musterstadt))
    body = webhook_body(payment, "succeeded")
    client.post(webhook_url(musterstadt), data=body, headers=signed(body))
    settle_at_provider(musterstadt, payment, "succeeded")
    return reload(musterstadt, payment)


def test_refunds_never_exceed_what_is_left(app, musterstadt, paid) -> None:
    with app.test_request_context(), tenant_scope(musterstadt.id):
        with pytest.raises(Refusal) as too_much:
            service.refund(musterstadt, paid, 3071, "Zu viel")
        assert too_much.value.problems[0].pointer == "/amount_cents"
        service.refund(musterstadt, paid, 1000, "Teilweise zurück")
        db.session.commit()
        assert paid.status is PaymentStatus.PARTIALLY_REFUNDED
        with pytest.raises(Refusal) as too_much:
            service.refund(musterstadt, paid, 2071, "Rest plus ein Cent")
        left = "Es können höchstens 2070 Cent erstattet werden."
        assert too_much.value.detail == left
        assert [(p.pointer, p.detail) for p in too_much.value.problems] == [("/amount_cents", left)]
        with pytest.raises(Refusal):
            service.refund(musterstadt, paid, 0, "Nichts")
        with pytest.raises(Refusal) as no_reason:
            service.refund(musterstadt, paid, 100, "   ")
        why = "Bitte geben Sie einen Grund an."
        assert no_reason.value.detail == why
        assert [(p.pointer, p.detail) for p in no_reason.value.problems] == [("/reason", why)]
        service.refund(musterstadt, paid, 2070, "Rest")
        db.session.commit()
        assert (paid.status, paid.refunded_cents) == (PaymentStatus.REFUNDED, 3070)
        assert sandbox_charge(musterstadt, paid).refunded_cents == 3070
        reasons = [r.reason for r in service.refunds_of(paid)]
    assert reasons == ["Teilweise zurück", "Rest"]
    assert _submission(musterstadt, paid).payment_status == "refunded"


def test_a_second_success_from_another_tab_is_refunded_automatically(app, client, musterstadt):
    submission = submit(app, musterstadt)
    first, second = paid_in_two_tabs(app, client, musterstadt, submission)
    first, second = reload(musterstadt, first), reload(musterstadt, second)
    assert first.status is PaymentStatus.SUCCEEDED
    assert first.settles_submission
    assert second.status is PaymentStatus.REFUNDED
    assert second.duplicate
    assert not second.settles_submission
    with tenant_scope(musterstadt.id):
        refund = db.session.scalars(select(Refund)).one()
        assert (refund.payment_id, refund.amount_cents) == (second.id, 3070)
        assert "Doppelte Zahlung" in refund.reason
    submission = _submission(musterstadt, first)
    assert (submission.status.value, submission.payment_status) == ("paid", "succeeded")


def test_a_second_success_already_partly_refunded_at_the_provider_is_left_to_a_clerk(
    app, client, musterstadt, caplog
):
    """The treasury gave part of the second payment back at the provider before our
    job ran: the job records that refund, refunds nothing on top, and says so in the
    log; the rest of the duplicate waits for a clerk."""
    submission = submit(app, musterstadt)
    first, second = start(app, musterstadt, submission), start(app, musterstadt, submission)
    with app.test_request_context(), tenant_scope(musterstadt.id):
        view, provider = connected(musterstadt, "sandbox")
        for payment in (first, second):
            settle_at_provider(musterstadt, payment, "succeeded")
        elsewhere = provider.refund(view, second.provider_payment_id, 500, "kasse-4711")
        db.session.commit()
    for payment in (first, second):
        body = webhook_body(payment, "succeeded")
        assert (
            client.post(webhook_url(musterstadt), data=body, headers=signed(body)).json["outcome"]
            == "changed"
        )

    second = reload(musterstadt, second)
    assert (second.status, second.refunded_cents) == (PaymentStatus.PARTIALLY_REFUNDED, 500)
    with tenant_scope(musterstadt.id):
        assert [
            (r.amount_cents, r.reason, r.provider_refund_id) for r in service.refunds_of(second)
        ] == [(500, service.FOUND_REASON, elsewhere)]
        assert sandbox_charge(musterstadt, second).refunded_cents == 500
    assert f"duplicate payment {second.id}: the provider held refunds" in caplog.messages


def test_a_refund_keeps_who_why_the_providers_id_an_event_and_an_audit_entry(
    app, musterstadt, paid
) -> None:
    clerk = tenants.find_or_create_user("https://id.example", "clerk-musterstadt", "Clara")
    long_reason = "Ermäßigung " + "x" * 600
    with app.test_request_context(), tenant_scope(musterstadt.id):
        first = service.refund(musterstadt, paid, 1000, long_reason, actor=clerk)
        second = service.refund(musterstadt, paid, 500, "  Rest der Ermäßigung  ")
        db.session.commit()
        refunds = service.refunds_of(paid)
        events = [
            (e.from_status, e.to_status, e.source, e.provider_reference, e.detail)
            for e in service.events_of(paid)
        ]
        audit = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "payment.refunded")
        ).all()
    assert [(r.id, r.tenant_id, r.amount_cents, r.actor_id) for r in refunds] == [
        (first.id, musterstadt.id, 1000, clerk.id),
        (second.id, musterstadt.id, 500, None),
    ]
    assert first.reason == long_reason[:500]
    assert second.reason == "Rest der Ermäßigung"
    # Each refund goes to the provider with a key of its own (a retry would reuse it).
    assert first.provider_refund_id != second.provider_refund_id
    assert first.provider_refund_id.startswith("sbx_re_")
    assert events[-2:] == [
        (
            PaymentStatus.SUCCEEDED,
            PaymentStatus.PARTIALLY_REFUNDED,
            "refund",
            first.provider_refund_id,
            long_reason[:500],
        ),
        (
            PaymentStatus.PARTIALLY_REFUNDED,
            PaymentStatus.PARTIALLY_REFUNDED,
            "refund",
            second.provider_refund_id,
            "Rest der Ermäßigung",
        ),
    ]
    assert [(a.actor_id, a.object_type, a.object_id, a.details) for a in audit] == [
        (clerk.id, "payment", str(paid.id), {"amount_cents": 1000}),
        (None, "payment", str(paid.id), {"amount_cents": 500}),
    ]


def test_a_settled_transfer_is_refunded_by_the_treasury_not_a_provider(app, musterstadt):
    """Bank transfers have no refund at a provider: the refund is recorded for the HKR
    export and the treasury pays back by transfer."""
    transfer = start(app, musterstadt, submit(app, musterstadt), provider="banktransfer")
    with app.test_request_context(), tenant_scope(musterstadt.id):
        payment = reload(musterstadt, transfer)
        service.transition(payment, PaymentStatus.SUCCEEDED, source="statement")
        clerk = tenants.find_or_create_user("https://id.example", "clerk-musterstadt", "Clara")
        refund = service.refund(musterstadt, payment, 3070, "Antrag zurückgenommen", actor=clerk)
        db.session.commit()
    assert (refund.provider_refund_id, refund.actor_id) == (None, clerk.id)
    assert reload(musterstadt, transfer).status is PaymentStatus.REFUNDED


def test_a_refund_the_provider_cannot_make_says_so_and_keeps_nothing(app, musterstadt, paid):
    with tenant_scope(musterstadt.id):
        sandbox_charge(musterstadt, paid).refunded_cents = 3000  # given back on the provider's side
        db.session.commit()
    with app.test_request_context(), tenant_scope(musterstadt.id):
        with pytest.raises(Refusal) as refused:
            service.refund(musterstadt, reload(musterstadt, paid), 100, "Teil")
        db.session.rollback()
    assert refused.value.detail == (
        "Der Zahlungsdienst hat die Erstattung abgelehnt: refund exceeds the charge"
    )
    connect_sandbox(musterstadt, outage="yes")
    with app.test_request_context(), tenant_scope(musterstadt.id):
        with pytest.raises(service.ProviderDown) as down:
            service.refund(musterstadt, reload(musterstadt, paid), 100, "Teil")
        db.session.rollback()
        assert service.refunds_of(paid) == []
    assert down.value.detail == (
        "Der Zahlungsdienst hat nicht geantwortet; es wurde nichts erstattet. Bitte "
        "versuchen Sie es später noch einmal."
    )
    assert reload(musterstadt, paid).refunded_cents == 0


def test_the_duplicate_refund_job_leaves_the_settling_payment_alone(app, musterstadt, paid):
    """The job refunds only a duplicate success: run for the payment that settles the
    submission (a stray or repeated job), it gives nothing back."""
    with tenant_scope(musterstadt.id):
        assert service.refundable_cents(reload(musterstadt, paid)) == paid.amount_cents
    service.refund_duplicate_job(musterstadt.id, paid.id)
    kept = reload(musterstadt, paid)
    assert (kept.status, kept.refunded_cents) == (PaymentStatus.SUCCEEDED, 0)
    with tenant_scope(musterstadt.id):
        assert service.refunds_of(kept) == []


def test_a_provider_down_at_creation_keeps_the_submission(
    app, client, musterstadt, apply_and_submit, caplog
):
    connect_sandbox(musterstadt, outage="yes")
    db.session.commit()
    pay_url = local(apply_and_submit().headers["Location"])
    page = client.get(pay_url)
    response = client.post(pay_url, data={"csrf_token": csrf_token(page), "provider": "sandbox"})
    assert response.status_code == 503
    # The operator's log names the provider and the failure.
    [logged] = [r for r in caplog.records if r.name == "amtsweg.payment.service"]
    assert (logged.getMessage(), logged.levelname) == (
        "payment provider failed at start",
        "WARNING",
    )
    assert (logged.provider, logged.error) == ("sandbox", "ProviderUnavailable")
    text = response.get_data(as_text=True)
    assert "Der Zahlungsdienst ist gerade nicht erreichbar" in text
    reference = pay_url.split("/")[-2]
    assert reference in text
    with tenant_scope(musterstadt.id):
        assert db.session.scalars(select(Payment)).all() == []  # no half-made payment
        submission = db.session.scalars(select(Submission)).one()
    assert submission.status.value == "awaiting_payment"
    applications = client.get("/t/musterstadt/applications/").get_data(as_text=True)
    assert reference in applications
    assert "Jetzt bezahlen" in applications


def test_the_api_shows_the_payment(app, client, musterstadt) -> None:
    headers = {"Authorization": f"Bearer {dev_token(app, '--role', 'citizen')}"}
    created = client.post(
        f"/api/v1/tenants/musterstadt/forms/{FORM}/submissions",
        json={"answers": {"kennzeichen": "M-AB 1"}},
        headers=headers,
    )
    assert created.status_code == 201, created.json
    assert created.json["payment"] is None
    reference = created.json["reference"]
    with tenant_scope(musterstadt.id):
        submission = db.session.scalars(select(Submission)).one()
    payment = start(app, musterstadt, submission)
    body = webhook_body(payment, "succeeded")
    client.post(webhook_url(musterstadt), data=body, headers=signed(body))
    fetched = client.get(f"/api/v1/tenants/musterstadt/submissions/{reference}", headers=headers)
    assert fetched.json["status"] == "paid"
    assert fetched.json["payment"] == {
        "status": "succeeded",
        "amount_cents": 3070,
        "currency": "EUR",
        "provider": "sandbox",
        "kassenzeichen": payment.kassenzeichen,
    }


def test_the_amount_is_the_servers_not_the_browsers(client, musterstadt, apply_and_submit):
    pay_url = local(apply_and_submit().headers["Location"])
    page = client.get(pay_url)
    client.post(
        pay_url,
        data={"csrf_token": csrf_token(page), "provider": "sandbox", "amount_cents": "1"},
    )
    with tenant_scope(musterstadt.id):
        assert db.session.scalars(select(Payment.amount_cents)).one() == 3070


def test_secrets_are_encrypted_and_shown_masked(app, musterstadt) -> None:
    from amtsweg.payment.models import ProviderAccount

    with tenant_scope(musterstadt.id):
        account = service.find_account(musterstadt, "sandbox")
        stored = db.session.scalar(
            select(ProviderAccount.credentials).where(ProviderAccount.id == account.id)
        )
        assert WEBHOOK_SECRET not in stored
        assert service.masked_credentials(account) == {"webhook_secret": "••••cdef"}


def test_kassenzeichen_count_from_one_per_tenant_and_year_in_berlin_time(
    app, musterstadt, create_tenant
) -> None:
    """The treasury books by Kassenzeichen: no gap, none twice, and the year is the one
    the municipality is in (23:59 on New Year's Eve in Berlin is still the old year)."""
    nachbarort = create_tenant("nachbarort", "Gemeinde Nachbarort", contact_email="a@n.example")
    with tenant_scope(nachbarort.id):
        offer_fee_form(nachbarort)
    connect_sandbox(nachbarort)
    db.session.commit()
    new_years_eve = dt.datetime(2026, 12, 31, 22, 59, tzinfo=dt.UTC)
    with time_machine.travel(new_years_eve, tick=False):
        first, second = (start(app, musterstadt, submit(app, musterstadt, who)) for who in "ab")
        elsewhere = start(app, nachbarort, submit(app, nachbarort))
    with time_machine.travel(new_years_eve + dt.timedelta(minutes=1), tick=False):
        new_year = start(app, musterstadt, submit(app, musterstadt, "c"))

    def expected(prefix: str, year: int, number: int) -> str:
        return kassenzeichen.compose(
            "{prefix}{year}{number:06d}", prefix=prefix, year=year, number=number
        )

    assert [p.kassenzeichen for p in (first, second, elsewhere, new_year)] == [
        expected(musterstadt.reference_prefix, 2026, 1),
        expected(musterstadt.reference_prefix, 2026, 2),
        expected(nachbarort.reference_prefix, 2026, 1),
        expected(musterstadt.reference_prefix, 2027, 1),
    ]


def test_a_payment_starts_only_for_a_fee_outstanding_and_a_method_offered(
    app, musterstadt, paid
) -> None:
    outstanding = submit(app, musterstadt, "max")
    with app.test_request_context(), tenant_scope(musterstadt.id):
        service.connect_account(
            musterstadt,
            "banktransfer",
            {"iban": IBAN, "bic": BIC, "account_holder": "Kasse"},
            enabled=False,
        )
        settled = db.session.get_one(Submission, (musterstadt.id, paid.submission_id))
        refusals = []
        for submission, method in [(settled, "sandbox"), (outstanding, "banktransfer"),
                                   (outstanding, "stripe")]:  # fmt: skip
            with pytest.raises(Refusal) as refused:
                service.start_payment(musterstadt, submission, method)
            refusals.append((refused.value.status, str(refused.value)))
        started = db.session.scalars(select(Payment).where(Payment.id != paid.id)).all()

    assert refusals == [
        (409, "Für diesen Antrag ist keine Gebühr offen."),
        (404, "Diese Zahlungsart wird hier nicht angeboten."),
        (404, "Diese Zahlungsart wird hier nicht angeboten."),
    ]
    assert started == []


def test_a_transfer_has_thirty_days_and_a_card_payment_ninety_minutes(app, musterstadt) -> None:
    """A transfer takes days to arrive; an unfinished card payment is expired sooner."""
    now = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(now, tick=False):
        transfer = start(app, musterstadt, submit(app, musterstadt, "a"), provider="banktransfer")
        card = start(app, musterstadt, submit(app, musterstadt, "b"))

    assert reload(musterstadt, transfer).expires_at == now + dt.timedelta(days=30)
    assert reload(musterstadt, card).expires_at == now + dt.timedelta(minutes=90)


def test_the_start_is_on_the_payments_history_with_the_providers_id(app, musterstadt) -> None:
    """The clerk's history begins with the provider's answer to the start, under the id
    the provider gave the payment (what support at the provider asks for)."""
    payment = start(app, musterstadt, submit(app, musterstadt))
    with tenant_scope(musterstadt.id):
        started = reload(musterstadt, payment)
        history = [
            (e.from_status, e.to_status, e.source, e.provider_reference)
            for e in service.events_of(started)
        ]
    assert started.provider_payment_id.startswith("sbx_")
    assert history == [
        (PaymentStatus.CREATED, PaymentStatus.PENDING, "start", started.provider_payment_id)
    ]


def test_turning_back_cancels_an_open_payment_but_not_one_paid_meanwhile(app, musterstadt) -> None:
    """The provider's cancel address: an open payment is cancelled there and here, so the
    citizen can pay again at once; one the provider reports paid stays paid. Both are
    on the history as read on the citizen's return."""
    open_one = start(app, musterstadt, submit(app, musterstadt, "a"))
    paid_meanwhile = start(app, musterstadt, submit(app, musterstadt, "b"))
    settle_at_provider(musterstadt, paid_meanwhile, "succeeded")

    with app.test_request_context(), tenant_scope(musterstadt.id):
        for payment in (open_one, paid_meanwhile):
            service.abandon(musterstadt, reload(musterstadt, payment))
        db.session.commit()
        outcome = {
            name: (
                reload(musterstadt, payment).status,
                sandbox_charge(musterstadt, payment).status,
                [(e.to_status, e.source) for e in service.events_of(payment)][-1],
            )
            for name, payment in (("open", open_one), ("paid", paid_meanwhile))
        }

    assert outcome == {
        "open": (PaymentStatus.CANCELLED, "cancelled", (PaymentStatus.CANCELLED, "return")),
        "paid": (PaymentStatus.SUCCEEDED, "succeeded", (PaymentStatus.SUCCEEDED, "return")),
    }
