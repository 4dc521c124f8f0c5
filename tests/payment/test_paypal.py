"""PayPal (Orders v2) against the PayPal peer: the citizen's journey through HTTP, the
approval page, captures, verified notifications, refunds and the polling job."""

from __future__ import annotations

import re

import pytest
import requests
from sqlalchemy import func, select

from amtsweg.payment import service
from amtsweg.payment.interfaces import PaymentRequest, ProviderRefused, RemoteRefund
from amtsweg.payment.models import Payment, PaymentStatus, WebhookReceipt
from amtsweg.platform.db import db, tenant_scope
from tests import servers
from tests.isolation import assert_other_tenant_gets_404
from tests.login import csrf_token, dev_login, local
from tests.payment.conftest import offer_fee_form
from tests.payment.helpers import connected, recorded_refunds, reload
from tests.payment.test_journey import choose
from tests.peers.paypal import PayPalSandbox, paypal  # noqa: F401
from tests.platform.test_bearer_tokens import dev_token


def connect_paypal(tenant, peer: PayPalSandbox, **changes: str) -> None:
    with tenant_scope(tenant.id):
        service.connect_account(
            tenant,
            "paypal",
            {
                "client_id": peer.client_id,
                "client_secret": peer.client_secret,
                "webhook_id": peer.webhook_id,
                "api_base": peer.url,
                **changes,
            },
        )
        db.session.commit()


@pytest.fixture
def town(musterstadt, paypal):  # noqa: F811
    """Musterstadt with its PayPal account; PayPal's notifications are replayed by the test
    (the peer posts them to a closed port, keeping exactly what it signed)."""
    connect_paypal(musterstadt, paypal)
    paypal.webhook_url = f"http://127.0.0.1:{servers.free_port()}/closed"
    return musterstadt


def to_paypal(client, apply_and_submit) -> tuple[str, str]:
    """Erika submits and chooses PayPal; the pay page URL and PayPal's approval URL."""
    pay_url = local(apply_and_submit().headers["Location"])
    response = choose(client, pay_url, "paypal")
    assert response.status_code == 303, response.get_data(as_text=True)
    return pay_url, response.headers["Location"]


def decide_on_paypal(approval_url: str, decision: str) -> str:
    """What the payer's click on PayPal's approval page does; where PayPal sends them."""
    page = requests.get(approval_url, timeout=10)
    assert page.status_code == 200
    action = re.search(r'action="([^"]+)"', page.text).group(1)
    answer = requests.post(action, data={"decision": decision}, allow_redirects=False, timeout=10)
    assert answer.status_code == 302
    return answer.headers["Location"]


def the_payment(tenant) -> Payment:
    with tenant_scope(tenant.id):
        db.session.expire_all()
        return db.session.scalars(select(Payment).order_by(Payment.created_at.desc())).first()


def replay(client, tenant, sent):
    return client.post(
        f"/api/v1/tenants/{tenant.slug}/payment/webhooks/paypal",
        data=sent.body,
        headers=sent.headers,
    )


def delivered(paypal: PayPalSandbox, event_type: str):  # noqa: F811
    paypal.deliver_events()
    return next(s for s in reversed(paypal.sent_webhooks) if s.event["event_type"] == event_type)


def test_summary_paypal_approval_return_confirmation(client, town, paypal, apply_and_submit):  # noqa: F811
    _, approval = to_paypal(client, apply_and_submit)
    order_id = the_payment(town).provider_payment_id
    created = paypal.orders[order_id]
    unit = created["purchase_units"][0]
    assert unit["amount"] == {"currency_code": "EUR", "value": "30.70"}  # the tenant's fee
    assert unit["invoice_id"] == unit["custom_id"] == the_payment(town).kassenzeichen
    assert approval.startswith(f"{paypal.url}/checkoutnow?token={order_id}")

    back = decide_on_paypal(approval, "approve")
    assert back.startswith("http://localhost/t/musterstadt/payments/")
    returned = client.get(local(back))
    assert returned.status_code == 302
    confirmation = client.get(local(returned.headers["Location"])).get_data(as_text=True)
    payment = the_payment(town)
    assert payment.status is PaymentStatus.SUCCEEDED
    assert payment.payer == "Erika Mustermann"
    assert "Eingegangen und bezahlt" in confirmation
    assert payment.kassenzeichen in confirmation
    assert [c["status"] for c in paypal.captures.values()] == ["COMPLETED"]
    posts = [path for method, path in paypal.calls if method == "POST" and "/v2/" in path]
    assert posts == ["/v2/checkout/orders?", f"/v2/checkout/orders/{order_id}/capture?"]


def test_turned_back_on_paypal_then_declined_then_paid(app, client, town, paypal, apply_and_submit):  # noqa: F811
    pay_url, approval = to_paypal(client, apply_and_submit)
    back = client.get(local(decide_on_paypal(approval, "cancel")))
    assert back.status_code == 200
    assert "Die Zahlung ist nicht gelungen" in back.get_data(as_text=True)
    assert the_payment(town).status is PaymentStatus.CANCELLED

    paypal.next_capture_outcome = "DECLINED"
    _, approval = to_paypal_again(client, pay_url)
    declined = client.get(local(decide_on_paypal(approval, "approve")))
    assert "Die Zahlung ist nicht gelungen" in declined.get_data(as_text=True)
    failed = the_payment(town)
    assert failed.status is PaymentStatus.FAILED
    assert paypal.captures == {}  # INSTRUMENT_DECLINED: nothing was taken
    with tenant_scope(town.id):
        last = service.events_of(failed)[-1]
    # The clerk's history says which order failed and why, in PayPal's words.
    assert (last.provider_reference, last.detail) == (
        failed.provider_payment_id,
        "INSTRUMENT_DECLINED",
    )
    assert (
        "→ fehlgeschlagen (bei der Rückkehr vom Zahlungsdienst) \u2013 Zahlungsmittel abgelehnt"
        in clerks_page_of(app, failed)
    )

    _, approval = to_paypal_again(client, pay_url)
    paid = client.get(local(decide_on_paypal(approval, "approve")))
    assert paid.status_code == 302
    with tenant_scope(town.id):
        statuses = sorted(p.status.value for p in db.session.scalars(select(Payment)))
    assert statuses == ["cancelled", "failed", "succeeded"]


def to_paypal_again(client, pay_url: str) -> tuple[str, str]:
    response = choose(client, pay_url, "paypal")
    assert response.status_code == 303
    return pay_url, response.headers["Location"]


def test_paypal_down_at_creation_keeps_the_submission(client, town, paypal, apply_and_submit):  # noqa: F811
    paypal.down = True
    pay_url = local(apply_and_submit().headers["Location"])
    page = client.get(pay_url)
    refused = client.post(pay_url, data={"csrf_token": csrf_token(page), "provider": "paypal"})
    assert refused.status_code == 503
    assert "Der Zahlungsdienst ist gerade nicht erreichbar" in refused.get_data(as_text=True)
    assert the_payment(town) is None
    paypal.down = False
    assert choose(client, pay_url, "paypal").status_code == 303  # the same submission pays later


def test_paypal_failing_on_the_return_leaves_the_payment_open_until_read_again(
    client,
    town,
    paypal,  # noqa: F811
    apply_and_submit,
):
    _, approval = to_paypal(client, apply_and_submit)
    back = local(decide_on_paypal(approval, "approve"))
    paypal.fail_next(1, 503)
    waiting = client.get(back)
    assert waiting.status_code == 200
    assert "Zahlung in Bearbeitung" in waiting.get_data(as_text=True)
    paypal.drop_after_accepting(1)  # PayPal reads the order, the answer is lost on the way
    assert "Zahlung in Bearbeitung" in client.get(back).get_data(as_text=True)
    assert the_payment(town).status is PaymentStatus.PENDING
    paypal.expire_tokens()  # PayPal no longer accepts the cached token: one new token
    done = client.get(back)
    assert done.status_code == 302
    assert the_payment(town).status is PaymentStatus.SUCCEEDED
    assert len(paypal.captures) == 1
    token_calls = [path for method, path in paypal.calls if path.startswith("/v1/oauth2/token")]
    assert len(token_calls) == 2  # the first, cached for every call until it was refused


ORDER = PaymentRequest(
    amount_cents=1250,
    currency="EUR",
    kassenzeichen="MUS2026000001",
    description="Antrag",
    return_url="https://amtsweg.example/back",
    idempotency_key="amtsweg-one-payment",
)


def test_a_repeated_create_with_the_same_request_id_makes_one_order(app, town, paypal):  # noqa: F811
    with app.test_request_context(), tenant_scope(town.id):
        account, provider = connected(town, "paypal")
        first = provider.start(account, ORDER)
        again = provider.start(account, ORDER)
    assert first.provider_payment_id == again.provider_payment_id
    assert list(paypal.orders) == [first.provider_payment_id]


def test_an_order_not_yet_captured_has_nothing_to_refund(app, town, paypal):  # noqa: F811
    with app.test_request_context(), tenant_scope(town.id):
        account, provider = connected(town, "paypal")
        order = provider.start(account, ORDER).provider_payment_id
        with pytest.raises(ProviderRefused, match=r"^the PayPal order has no capture to refund$"):
            provider.refund(account, order, 100, "amtsweg-refund-test")
    assert paypal.refunds == {}


def test_a_verified_notification_settles_a_closed_tab_once(client, town, paypal, apply_and_submit):  # noqa: F811
    to_paypal(client, apply_and_submit)
    payment = the_payment(town)
    paypal.approve(payment.provider_payment_id)  # and Erika closes the tab
    approved = delivered(paypal, "CHECKOUT.ORDER.APPROVED")
    assert replay(client, town, approved).json == {"outcome": "changed"}
    for _ in range(3):
        assert replay(client, town, approved).json == {"outcome": "duplicate"}
    completed = delivered(paypal, "PAYMENT.CAPTURE.COMPLETED")
    assert replay(client, town, completed).json == {"outcome": "unchanged"}
    paid = reload(town, payment)
    assert paid.status is PaymentStatus.SUCCEEDED
    assert len(paypal.captures) == 1
    with tenant_scope(town.id):
        assert service.count_events(paid, PaymentStatus.SUCCEEDED) == 1


def test_a_pending_capture_is_settled_by_the_later_notification(
    client,
    town,
    paypal,  # noqa: F811
    apply_and_submit,
):
    paypal.next_capture_outcome = "PENDING"
    _, approval = to_paypal(client, apply_and_submit)
    waiting = client.get(local(decide_on_paypal(approval, "approve")))
    assert "Zahlung in Bearbeitung" in waiting.get_data(as_text=True)
    payment = the_payment(town)
    assert payment.status is PaymentStatus.PENDING
    pending = delivered(paypal, "PAYMENT.CAPTURE.PENDING")
    assert replay(client, town, pending).json == {"outcome": "unchanged"}
    paypal.complete_pending(next(iter(paypal.captures)))
    completed = delivered(paypal, "PAYMENT.CAPTURE.COMPLETED")
    assert replay(client, town, completed).json == {"outcome": "changed"}
    assert reload(town, payment).status is PaymentStatus.SUCCEEDED


def test_a_notification_paypal_cannot_verify_now_is_answered_503_and_taken_later(
    client,
    town,
    paypal,  # noqa: F811
    apply_and_submit,
):
    to_paypal(client, apply_and_submit)
    payment = the_payment(town)
    paypal.approve(payment.provider_payment_id)
    approved = delivered(paypal, "CHECKOUT.ORDER.APPROVED")
    paypal.fail_next(1, 503)
    later = replay(client, town, approved)
    assert later.status_code == 503  # PayPal delivers again
    assert later.json["detail"].startswith(
        "Der Zahlungsdienst ist nicht erreichbar: HTTP 503: SERVICE_UNAVAILABLE"
    )
    assert reload(town, payment).status is PaymentStatus.PENDING
    assert replay(client, town, approved).json == {"outcome": "changed"}
    assert reload(town, payment).status is PaymentStatus.SUCCEEDED


def test_a_forged_paypal_notification_is_refused_and_changes_nothing(
    client,
    town,
    paypal,  # noqa: F811
    apply_and_submit,
):
    to_paypal(client, apply_and_submit)
    payment = the_payment(town)
    paypal.approve(payment.provider_payment_id)
    genuine = delivered(paypal, "CHECKOUT.ORDER.APPROVED")
    forged_body = genuine.body.replace(b"An order has been approved", b"An order was approved")
    forged = type(genuine)(genuine.headers, forged_body, None)
    refused = replay(client, town, forged)
    assert refused.status_code == 400
    assert refused.content_type == "application/problem+json"
    unsigned = type(genuine)({"Content-Type": "application/json"}, genuine.body, None)
    assert replay(client, town, unsigned).status_code == 400
    assert reload(town, payment).status is PaymentStatus.PENDING
    assert paypal.captures == {}  # nothing was acted on
    with tenant_scope(town.id):
        assert db.session.scalar(select(func.count()).select_from(WebhookReceipt)) == 0


def test_the_polling_job_captures_an_order_approved_in_a_closed_tab(
    app,
    client,
    town,
    paypal,  # noqa: F811
    apply_and_submit,
):
    to_paypal(client, apply_and_submit)
    payment = the_payment(town)
    paypal.approve(payment.provider_payment_id)
    result = app.test_cli_runner().invoke(args=["payments", "poll"])
    assert result.exit_code == 0, result.output
    assert "musterstadt: 1 settled" in result.output
    assert reload(town, payment).status is PaymentStatus.SUCCEEDED
    assert len(paypal.captures) == 1


def test_an_order_never_approved_expires_although_paypal_cannot_cancel_it(
    app,
    client,
    town,
    paypal,  # noqa: F811
    apply_and_submit,
):
    """PayPal has no cancel for an order (an unapproved one lapses): the attempt expires
    at its deadline without asking PayPal to cancel, and the citizen can pay again."""
    to_paypal(client, apply_and_submit)
    payment = the_payment(town)
    with app.test_request_context(), tenant_scope(town.id):
        counts = service.poll_open_payments(town, now=reload(town, payment).expires_at)
        db.session.commit()
    assert counts == {"settled": 0, "expired": 1}
    assert reload(town, payment).status is PaymentStatus.EXPIRED
    assert not [path for method, path in paypal.calls if method == "POST" and "cancel" in path]


def paid_with_paypal(app, client, town, apply_and_submit):
    """Erika paid with PayPal; her payment, and the clerk's refund of it through the API."""
    _, approval = to_paypal(client, apply_and_submit)
    client.get(local(decide_on_paypal(approval, "approve")))
    payment = the_payment(town)
    refunds = f"/api/v1/tenants/musterstadt/payments/{payment.id}/refunds"
    clerk = clerk_of(app)

    def refund(cents: int, reason: str = "Zurückgenommen"):
        return client.post(refunds, json={"amount_cents": cents, "reason": reason}, headers=clerk)

    return payment, refund


def clerk_of(app) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {dev_token(app, '--role', 'clerk', '--tenant', 'musterstadt')}"
    }


def clerks_page_of(app, payment: Payment) -> str:
    """The payment's page as the clerk reads it, in a browser of her own (with a CSRF
    token of its own): the citizen's stays logged in as the citizen."""
    with app.app_context():
        browser = app.test_client()
        dev_login(browser, "clerk-musterstadt")
        return browser.get(f"/t/musterstadt/clerk/payments/{payment.id}").get_data(as_text=True)


def test_refunds_through_the_capture_never_beyond_what_is_left(
    app,
    client,
    town,
    paypal,  # noqa: F811
    apply_and_submit,
):
    payment, refund = paid_with_paypal(app, client, town, apply_and_submit)
    assert refund(1000).status_code == 201
    too_much = refund(2071)
    assert too_much.status_code == 422
    assert too_much.json["errors"][0]["pointer"] == "/amount_cents"
    assert [r["amount"]["value"] for r in paypal.refunds.values()] == ["10.00"]
    assert refund(2070).status_code == 201
    assert reload(town, payment).status is PaymentStatus.REFUNDED
    assert sorted(r["amount"]["value"] for r in paypal.refunds.values()) == ["10.00", "20.70"]
    capture = next(iter(paypal.captures.values()))
    assert capture["status"] == "REFUNDED"


def test_a_refund_whose_answer_was_lost_is_not_made_twice_when_the_clerk_tries_again(
    app,
    client,
    town,
    paypal,  # noqa: F811
    apply_and_submit,
):
    """PayPal carries out the refund but the answer never arrives (a timeout): the clerk
    is told that it may have been made, and trying again with the same amount gets that
    refund back instead of paying the money out a second time."""
    payment, refund = paid_with_paypal(app, client, town, apply_and_submit)
    paypal.drop_after_accepting(1, path="/refund$")

    lost = refund(1000, "Storno")
    assert lost.status_code == 503
    assert "ob erstattet wurde, ist offen" in lost.json["detail"]
    assert [r["amount"]["value"] for r in paypal.refunds.values()] == ["10.00"]
    assert reload(town, payment).refunded_cents == 0

    again = refund(1000, "Storno")
    assert again.status_code == 201
    assert again.json["provider_refund_id"] == next(iter(paypal.refunds))
    assert [r["amount"]["value"] for r in paypal.refunds.values()] == ["10.00"]
    assert reload(town, payment).refunded_cents == 1000

    second = refund(1000, "Noch mehr")
    assert second.status_code == 201
    assert [r["amount"]["value"] for r in paypal.refunds.values()] == ["10.00", "10.00"]
    assert reload(town, payment).refunded_cents == 2000


def test_a_lost_refund_is_not_made_twice_even_after_paypal_forgot_its_request_id(
    app,
    client,
    town,
    paypal,  # noqa: F811
    apply_and_submit,
):
    """PayPal keeps a ``PayPal-Request-Id`` for a limited time only. A clerk who tries
    again after that would have paid the money out twice: the refund PayPal lists
    with our key is recorded instead, with the clerk's reason."""
    payment, refund = paid_with_paypal(app, client, town, apply_and_submit)
    paypal.drop_after_accepting(1, path="/refund$")
    assert refund(1000, "Storno").status_code == 503
    paypal.forget_request_ids()

    again = refund(1000, "Storno")
    assert again.status_code == 201
    made = next(iter(paypal.refunds))
    assert (again.json["provider_refund_id"], again.json["reason"]) == (made, "Storno")
    assert [r["amount"]["value"] for r in paypal.refunds.values()] == ["10.00"]
    assert reload(town, payment).refunded_cents == 1000
    recorded = recorded_refunds(town, payment)
    assert [r.actor_id is not None for r in recorded] == [True]  # the clerk's, as asked


def test_a_lost_refund_retried_with_another_amount_is_recorded_as_found(
    app,
    client,
    town,
    paypal,  # noqa: F811
    apply_and_submit,
):
    """The clerk does not retry the lost 10 € but asks for 5 €: the 10 € PayPal made
    are recorded as they are, and the 5 € are not paid out on top unseen."""
    payment, refund = paid_with_paypal(app, client, town, apply_and_submit)
    paypal.drop_after_accepting(1, path="/refund$")
    assert refund(1000, "Storno").status_code == 503

    other = refund(500, "Storno")
    assert other.status_code == 409
    assert "schon 10,00\xa0€ erstattet" in other.json["detail"]
    assert "Die Erstattung über 5,00\xa0€ wurde nicht ausgeführt" in other.json["detail"]
    assert [r["amount"]["value"] for r in paypal.refunds.values()] == ["10.00"]
    recorded = recorded_refunds(town, payment)
    assert [(r.amount_cents, r.reason) for r in recorded] == [(1000, service.FOUND_REASON)]


def test_a_refund_repeated_with_its_request_id_is_made_once_and_listed_with_its_key(
    app,
    client,
    town,
    paypal,  # noqa: F811
    apply_and_submit,
):
    payment, _refund = paid_with_paypal(app, client, town, apply_and_submit)
    with app.test_request_context(), tenant_scope(town.id):
        account, provider = connected(town, "paypal")
        first = provider.refund(account, payment.provider_payment_id, 500, "amtsweg-refund-x")
        again = provider.refund(account, payment.provider_payment_id, 500, "amtsweg-refund-x")
        listed = provider.refunds(account, payment.provider_payment_id)
    assert again == first
    assert listed == [RemoteRefund(first, 500, "amtsweg-refund-x")]


def test_a_refund_paypal_could_not_complete_is_not_taken_up(
    app,
    client,
    town,
    paypal,  # noqa: F811
    apply_and_submit,
):
    """A failed refund gave nothing back: it is not recorded as money returned, and
    the clerk's refund is made."""
    payment, refund = paid_with_paypal(app, client, town, apply_and_submit)
    with app.test_request_context(), tenant_scope(town.id):
        account, provider = connected(town, "paypal")
        paypal.fail_refund(provider.refund(account, payment.provider_payment_id, 500, "kasse"))

    made = refund(1000, "Ermäßigung")
    assert made.status_code == 201
    recorded = recorded_refunds(town, payment)
    assert [(r.amount_cents, r.reason) for r in recorded] == [(1000, "Ermäßigung")]
    assert reload(town, payment).refunded_cents == 1000


def test_a_refund_that_failed_at_paypal_leaves_the_books_and_is_made_anew(
    app,
    client,
    town,
    paypal,  # noqa: F811
    apply_and_submit,
):
    """PayPal accepted the clerk's refund, then could not complete it (``FAILED``, as when
    the payer's bank returns it). Comparing takes it out of the books, and the clerk's
    next refund of the same amount is a new refund at PayPal with a new request id: the
    old id would only bring back the failed refund."""
    payment, refund = paid_with_paypal(app, client, town, apply_and_submit)
    first = refund(1000, "Storno")
    assert first.status_code == 201
    paypal.fail_refund(first.json["provider_refund_id"])

    comparison = f"/api/v1/tenants/musterstadt/payments/{payment.id}/refunds/comparison"
    compared = client.post(comparison, headers=clerk_of(app)).json
    assert [(r["id"], r["failure"]) for r in compared["failed"]] == [(first.json["id"], "FAILED")]
    assert reload(town, payment).status is PaymentStatus.SUCCEEDED

    again = refund(1000, "Storno")
    assert again.status_code == 201
    assert again.json["provider_refund_id"] != first.json["provider_refund_id"]
    assert sorted(r["status"] for r in paypal.refunds.values()) == ["COMPLETED", "FAILED"]
    assert (reload(town, payment).status, reload(town, payment).refunded_cents) == (
        PaymentStatus.PARTIALLY_REFUNDED,
        1000,
    )
    assert client.post(comparison, headers=clerk_of(app)).json == {  # the new one stands
        "recorded": [],
        "lost": [],
        "failed": [],
    }
    page = clerks_page_of(app, payment)
    assert "fehlgeschlagen (ohne Angabe eines Grundes), nichts wurde zurückgezahlt" in page


def test_a_refund_made_in_paypal_itself_is_recorded_and_the_clerks_is_not_made(
    app,
    client,
    town,
    paypal,  # noqa: F811
    apply_and_submit,
):
    """The treasury gave 5 € back in PayPal's own dashboard. The clerk's 10 € refund is
    not made on top of it unseen: the 5 € are recorded, the clerk is told, and asks
    again."""
    payment, refund = paid_with_paypal(app, client, town, apply_and_submit)
    with app.test_request_context(), tenant_scope(town.id):
        view, provider = connected(town, "paypal")
        elsewhere = provider.refund(view, payment.provider_payment_id, 500, "kasse-4711")

    refused = refund(1000, "Ermäßigung")
    assert refused.status_code == 409
    assert refused.json["detail"] == (
        "Beim Zahlungsdienst war schon 5,00\xa0€ erstattet, das hier fehlte; es ist jetzt "
        "verbucht. Die Erstattung über 10,00\xa0€ wurde nicht ausgeführt: Bitte prüfen Sie, "
        "ob sie noch nötig ist."
    )
    assert [r["amount"]["value"] for r in paypal.refunds.values()] == ["5.00"]
    listed = client.get(
        f"/api/v1/tenants/musterstadt/payments/{payment.id}/refunds", headers=clerk_of(app)
    ).json
    assert [(r["amount_cents"], r["provider_refund_id"], r["reason"]) for r in listed] == [
        (500, elsewhere, service.FOUND_REASON)
    ]
    assert reload(town, payment).status is PaymentStatus.PARTIALLY_REFUNDED
    assert reload(town, payment).refunded_cents == 500

    assert refund(1000, "Ermäßigung").status_code == 201
    assert sorted(r["amount"]["value"] for r in paypal.refunds.values()) == ["10.00", "5.00"]
    assert reload(town, payment).refunded_cents == 1500


def test_paypals_refund_notification_records_a_refund_made_in_its_dashboard(
    app,
    client,
    town,
    paypal,  # noqa: F811
    apply_and_submit,
):
    """The treasury gives 5 € back in PayPal's dashboard. PayPal's
    ``PAYMENT.CAPTURE.REFUNDED`` puts it in the payment's refunds at once (and so in
    the HKR export), and the clerk's next refund is then made without a conflict."""
    payment, refund = paid_with_paypal(app, client, town, apply_and_submit)
    with app.test_request_context(), tenant_scope(town.id):
        view, provider = connected(town, "paypal")
        elsewhere = provider.refund(view, payment.provider_payment_id, 500, "kasse-4711")
    notified = delivered(paypal, "PAYMENT.CAPTURE.REFUNDED")
    assert notified.event["resource"]["id"] == elsewhere

    assert replay(client, town, notified).json == {"outcome": "changed"}
    assert [
        (r.amount_cents, r.provider_refund_id, r.reason, r.actor_id)
        for r in recorded_refunds(town, payment)
    ] == [(500, elsewhere, service.FOUND_REASON, None)]
    assert reload(town, payment).status is PaymentStatus.PARTIALLY_REFUNDED
    assert replay(client, town, notified).json == {"outcome": "duplicate"}

    assert refund(1000, "Ermäßigung").status_code == 201
    # PayPal notifies about the clerk's refund too; it is in our books already.
    assert replay(client, town, delivered(paypal, "PAYMENT.CAPTURE.REFUNDED")).json == {
        "outcome": "unchanged"
    }
    assert reload(town, payment).refunded_cents == 1500
    assert len(recorded_refunds(town, payment)) == 2


def test_a_refund_notified_before_the_clerk_retries_is_left_to_the_retry(
    app,
    client,
    town,
    paypal,  # noqa: F811
    apply_and_submit,
):
    """The answer to the clerk's refund was lost, and PayPal's notification of it comes
    first. It carries this payment's own key, so it is not recorded as found: the
    clerk's retry of the same amount records it as the clerk's, and nothing is paid
    out twice (recorded now, the retry would have sent another key)."""
    payment, refund = paid_with_paypal(app, client, town, apply_and_submit)
    paypal.drop_after_accepting(1, path="/refund$")
    assert refund(1000, "Storno").status_code == 503

    notified = delivered(paypal, "PAYMENT.CAPTURE.REFUNDED")
    assert replay(client, town, notified).json == {"outcome": "unchanged"}
    assert recorded_refunds(town, payment) == []

    again = refund(1000, "Storno")
    assert again.status_code == 201
    assert [r["amount"]["value"] for r in paypal.refunds.values()] == ["10.00"]
    assert [(r.amount_cents, r.reason) for r in recorded_refunds(town, payment)] == [
        (1000, "Storno")
    ]


def test_a_refund_notification_about_a_capture_paypal_does_not_know_is_ignored(
    client,
    town,
    paypal,  # noqa: F811
):
    """Signed and genuine, but about a capture of another PayPal account: nothing is read
    or recorded, and PayPal is told it arrived."""
    sent = paypal.send_event(
        {
            "id": "WH-ELSEWHERE",
            "event_type": "PAYMENT.CAPTURE.REFUNDED",
            "resource_type": "refund",
            "resource": {
                "id": "1REFUNDELSEWHERE",
                "links": [{"href": f"{paypal.url}/v2/payments/captures/9UNKNOWN", "rel": "up"}],
            },
        }
    )
    assert replay(client, town, sent).json == {"outcome": "ignored"}
    no_capture = paypal.send_event(
        {"id": "WH-NO-CAPTURE", "event_type": "PAYMENT.CAPTURE.REFUNDED", "resource": {}}
    )
    refused = replay(client, town, no_capture)
    assert refused.status_code == 400
    assert refused.json["detail"] == "the PayPal notification names no capture"


def test_admins_test_the_paypal_connection_and_see_the_secret_masked(
    client,
    town,
    paypal,  # noqa: F811
    log_in,
):
    log_in("admin-musterstadt")
    page = client.get("/t/musterstadt/admin/payment/")
    text = page.get_data(as_text=True)
    assert "••••cret" in text
    assert paypal.client_secret not in text
    tested = client.post(
        "/t/musterstadt/admin/payment/paypal/test", data={"csrf_token": csrf_token(page)}
    )
    assert "Die Verbindung funktioniert" in client.get(tested.headers["Location"]).get_data(
        as_text=True
    )
    connect_paypal(town, paypal, client_secret="wrong-secret")
    page = client.get("/t/musterstadt/admin/payment/")
    tested = client.post(
        "/t/musterstadt/admin/payment/paypal/test", data={"csrf_token": csrf_token(page)}
    )
    assert "invalid_client" in client.get(tested.headers["Location"]).get_data(as_text=True)


def test_another_tenants_paypal_notification_and_pages_are_refused(
    client,
    town,
    paypal,  # noqa: F811
    apply_and_submit,
    create_tenant,
):
    other = create_tenant("nachbarort", "Gemeinde Nachbarort", contact_email="amt@n.example")
    with tenant_scope(other.id):
        offer_fee_form(other)
    connect_paypal(other, paypal, webhook_id="WEBHOOK-OF-NACHBARORT")
    to_paypal(client, apply_and_submit)
    payment = the_payment(town)
    paypal.approve(payment.provider_payment_id)
    approved = delivered(paypal, "CHECKOUT.ORDER.APPROVED")
    assert replay(client, other, approved).status_code == 400  # not for Nachbarort's webhook
    assert reload(town, payment).status is PaymentStatus.PENDING
    assert_other_tenant_gets_404(
        client, f"/t/musterstadt/payments/{payment.id}/turned-back", owner=town, other=other
    )
