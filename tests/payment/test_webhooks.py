"""Providers' notifications: verified from the raw body, applied once, only in their tenant."""

from __future__ import annotations

import json
import time
import uuid

import pytest

from amtsweg.payment import service
from amtsweg.payment.models import PaymentStatus
from amtsweg.platform.db import db, tenant_scope
from amtsweg.platform.signals import payment_succeeded
from tests.payment.conftest import connect_sandbox, offer_fee_form
from tests.payment.helpers import reload, signed, start, submit, webhook_body, webhook_url


@pytest.fixture
def succeeded_signals():
    received = []

    def receiver(_sender, **kwargs):
        received.append(kwargs)

    payment_succeeded.connect(receiver)
    yield received
    payment_succeeded.disconnect(receiver)


@pytest.fixture
def payment(app, musterstadt):
    return start(app, musterstadt, submit(app, musterstadt))


@pytest.mark.parametrize(
    ("headers_for", "why"),
    [
        (lambda body: signed(body, secret="whsec_someone_else_entirely"), "forged"),
        (lambda body: signed(body, at=int(time.time()) - 301), "stale"),
        (lambda body: signed(body, at=int(time.time()) + 301), "from the future"),
        (lambda _body: {"Content-Type": "application/json"}, "unsigned"),
        (lambda body: signed(body + b" "), "body changed after signing"),
    ],
)
def test_a_forged_or_stale_webhook_is_a_400_and_changes_nothing(
    client, musterstadt, payment, headers_for, why
) -> None:
    body = webhook_body(payment, "succeeded")
    headers = headers_for(body)
    if why == "body changed after signing":
        body += b" "
        headers = signed(body[:-1])
    response = client.post(webhook_url(musterstadt), data=body, headers=headers)
    assert response.status_code == 400, why
    assert response.mimetype == "application/problem+json"
    assert reload(musterstadt, payment).status is PaymentStatus.PENDING
    with tenant_scope(musterstadt.id):
        assert [e.to_status for e in service.events_of(payment)] == [PaymentStatus.PENDING]


def test_the_same_webhook_fifty_times_makes_one_transition(
    client, musterstadt, payment, succeeded_signals
) -> None:
    body = webhook_body(payment, "succeeded", event_id="evt_once")
    outcomes = [
        client.post(webhook_url(musterstadt), data=body, headers=signed(body)).json["outcome"]
        for _ in range(50)
    ]
    assert outcomes == ["changed"] + ["duplicate"] * 49
    paid = reload(musterstadt, payment)
    assert paid.status is PaymentStatus.SUCCEEDED
    with tenant_scope(musterstadt.id):
        assert service.count_events(paid, PaymentStatus.SUCCEEDED) == 1
    assert len(succeeded_signals) == 1
    assert succeeded_signals[0]["summary"]["status"] == "succeeded"


def test_different_events_with_the_same_news_change_it_once(
    client, musterstadt, payment, succeeded_signals
) -> None:
    for _ in range(3):
        body = webhook_body(payment, "succeeded")  # a new event id each time
        assert (
            client.post(webhook_url(musterstadt), data=body, headers=signed(body)).status_code
            == 200
        )
    assert len(succeeded_signals) == 1


def test_a_success_before_its_pending_ends_right(client, musterstadt, payment) -> None:
    success = webhook_body(payment, "succeeded")
    pending = webhook_body(payment, "open")
    client.post(webhook_url(musterstadt), data=success, headers=signed(success))
    late = client.post(webhook_url(musterstadt), data=pending, headers=signed(pending))
    assert late.json["outcome"] == "unchanged"
    assert reload(musterstadt, payment).status is PaymentStatus.SUCCEEDED


def test_a_later_success_wins_over_an_earlier_failure(client, musterstadt, payment) -> None:
    failure = webhook_body(payment, "declined")
    success = webhook_body(payment, "succeeded")
    client.post(webhook_url(musterstadt), data=failure, headers=signed(failure))
    assert reload(musterstadt, payment).status is PaymentStatus.FAILED
    client.post(webhook_url(musterstadt), data=success, headers=signed(success))
    assert reload(musterstadt, payment).status is PaymentStatus.SUCCEEDED
    page_status = _submission_status(musterstadt, payment)
    assert page_status == ("paid", "succeeded")


def _submission_status(tenant, payment):
    from amtsweg.submissions.models import Submission

    with tenant_scope(tenant.id):
        db.session.expire_all()
        submission = db.session.get_one(Submission, (tenant.id, payment.submission_id))
        return submission.status.value, submission.payment_status


def test_tenant_a_webhook_cannot_touch_tenant_b_payment(
    app, client, musterstadt, create_tenant, payment
) -> None:
    other = create_tenant("nachbarort", "Gemeinde Nachbarort", contact_email="amt@n.example")
    with tenant_scope(other.id):
        offer_fee_form(other)
    connect_sandbox(other, secret="whsec_nachbarort_0123456789")
    db.session.commit()
    body = webhook_body(payment, "succeeded")
    # Correctly signed for the other tenant's account, about musterstadt's payment:
    response = client.post(
        webhook_url(other), data=body, headers=signed(body, secret="whsec_nachbarort_0123456789")
    )
    assert response.status_code == 200
    assert response.json["outcome"] == "unknown_payment"
    assert reload(musterstadt, payment).status is PaymentStatus.PENDING
    # And musterstadt's secret is no key to the other tenant's address:
    refused = client.post(webhook_url(other), data=body, headers=signed(body))
    assert refused.status_code == 400


def test_one_providers_notification_cannot_settle_another_providers_payment(
    app, client, musterstadt
) -> None:
    """A bank transfer is named by its Kassenzeichen, which the citizen reads on the
    confirmation: a notification that passes the sandbox's check (a test provider's
    secret is no strong lock) naming it must not mark money as arrived."""
    transfer = start(app, musterstadt, submit(app, musterstadt), provider="banktransfer")
    body = webhook_body(transfer, "succeeded")
    response = client.post(webhook_url(musterstadt), data=body, headers=signed(body))
    assert response.status_code == 200
    assert response.json["outcome"] == "unknown_payment"
    assert reload(musterstadt, transfer).status is PaymentStatus.PENDING


def test_a_webhook_for_a_provider_the_tenant_has_not_connected_is_a_404(client, musterstadt):
    response = client.post(
        f"/api/v1/tenants/{musterstadt.slug}/payment/webhooks/stripe", data=b"{}"
    )
    assert response.status_code == 404


def test_each_notification_is_answered_with_what_it_did(client, musterstadt, payment) -> None:
    """The provider's delivery log shows why a notification changed nothing."""

    def notify(body: bytes) -> dict:
        response = client.post(webhook_url(musterstadt), data=body, headers=signed(body))
        assert response.status_code == 200
        return response.json

    news = webhook_body(payment, "succeeded", "evt_first")
    assert notify(news) == {"outcome": "changed"}
    with tenant_scope(musterstadt.id):
        assert service.events_of(payment)[-1].source == "webhook"
    assert notify(news) == {"outcome": "duplicate"}
    assert notify(webhook_body(payment, "succeeded", "evt_again")) == {"outcome": "unchanged"}
    stranger = json.dumps(
        {
            "id": "evt_stranger",
            "type": "charge.succeeded",
            "data": {"id": f"sbx_{uuid.uuid4()}", "status": "succeeded"},
        }
    ).encode()
    assert notify(stranger) == {"outcome": "unknown_payment"}


def test_a_refused_notification_says_why(client, musterstadt, payment) -> None:
    body = b'{"id": "evt_broken"}'
    response = client.post(webhook_url(musterstadt), data=body, headers=signed(body))
    assert response.status_code == 400
    assert response.json["detail"] == "the notification is not a sandbox event"
    unknown = client.post(f"/api/v1/tenants/{musterstadt.slug}/payment/webhooks/stripe", data=b"{}")
    assert unknown.status_code == 404
    assert unknown.json["detail"] == "Diesen Zahlungsdienst gibt es hier nicht."
