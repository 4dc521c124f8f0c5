"""The payment's life through the services: polling, expiry, refunds, duplicates, outages."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from amtsweg.payment import service
from amtsweg.payment.models import Payment, PaymentStatus, Refund, SandboxCharge
from amtsweg.platform.db import db, tenant_scope, utcnow
from amtsweg.platform.errors import Refusal
from amtsweg.submissions.models import Submission
from tests.login import csrf_token, local
from tests.payment.conftest import FORM, WEBHOOK_SECRET, connect_sandbox
from tests.payment.helpers import reload, signed, start, submit, webhook_body, webhook_url
from tests.platform.test_bearer_tokens import dev_token


def _charge(tenant, payment) -> SandboxCharge:
    charge_id = payment.provider_payment_id.removeprefix("sbx_")
    return db.session.scalars(select(SandboxCharge).where(SandboxCharge.id == charge_id)).one()


def _settle_at_provider(tenant, payment, status: str) -> None:
    """What happens at the provider while the citizen's tab is closed."""
    with tenant_scope(tenant.id):
        _charge(tenant, payment).status = status
        db.session.commit()


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
    _settle_at_provider(musterstadt, payment, "succeeded")
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


def test_the_polling_job_expires_attempts_after_90_minutes(app, musterstadt) -> None:
    payment = start(app, musterstadt, submit(app, musterstadt))
    assert _poll(app, musterstadt, now=utcnow() + dt.timedelta(minutes=89)) == {
        "settled": 0,
        "expired": 0,
    }
    assert _poll(app, musterstadt, now=utcnow() + dt.timedelta(minutes=91))["expired"] == 1
    assert reload(musterstadt, payment).status is PaymentStatus.EXPIRED
    with tenant_scope(musterstadt.id):
        assert _charge(musterstadt, payment).status == "cancelled"  # cancelled at the provider
    submission = _submission(musterstadt, payment)
    assert (submission.status.value, submission.payment_status) == ("awaiting_payment", "expired")


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
    _settle_at_provider(musterstadt, payment, "succeeded")
    return reload(musterstadt, payment)


def test_refunds_never_exceed_what_is_left(app, musterstadt, paid) -> None:
    with app.test_request_context(), tenant_scope(musterstadt.id):
        with pytest.raises(Refusal) as too_much:
            service.refund(musterstadt, paid, 3071, "Zu viel")
        assert too_much.value.problems[0].pointer == "/amount_cents"
        service.refund(musterstadt, paid, 1000, "Teilweise zurück")
        db.session.commit()
        assert paid.status is PaymentStatus.PARTIALLY_REFUNDED
        with pytest.raises(Refusal):
            service.refund(musterstadt, paid, 2071, "Rest plus ein Cent")
        with pytest.raises(Refusal):
            service.refund(musterstadt, paid, 0, "Nichts")
        with pytest.raises(Refusal):
            service.refund(musterstadt, paid, 100, "   ")
        service.refund(musterstadt, paid, 2070, "Rest")
        db.session.commit()
        assert (paid.status, paid.refunded_cents) == (PaymentStatus.REFUNDED, 3070)
        assert _charge(musterstadt, paid).refunded_cents == 3070  # given back at the provider
        reasons = [r.reason for r in service.refunds_of(paid)]
    assert reasons == ["Teilweise zurück", "Rest"]
    assert _submission(musterstadt, paid).payment_status == "refunded"


def test_a_second_success_from_another_tab_is_refunded_automatically(app, client, musterstadt):
    submission = submit(app, musterstadt)
    first = start(app, musterstadt, submission)
    second = start(app, musterstadt, submission)  # the same application, a second tab
    for payment in (first, second):
        _settle_at_provider(musterstadt, payment, "succeeded")
        body = webhook_body(payment, "succeeded")
        assert (
            client.post(webhook_url(musterstadt), data=body, headers=signed(body)).status_code
            == 200
        )
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


def test_a_provider_down_at_creation_keeps_the_submission(
    app, client, musterstadt, apply_and_submit
):
    connect_sandbox(musterstadt, outage="yes")
    db.session.commit()
    pay_url = local(apply_and_submit().headers["Location"])
    page = client.get(pay_url)
    response = client.post(pay_url, data={"csrf_token": csrf_token(page), "provider": "sandbox"})
    assert response.status_code == 503
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
