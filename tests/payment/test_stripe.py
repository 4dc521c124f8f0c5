"""Stripe through the official SDK against PyPI ``localstripe``, with its signed webhooks.

localstripe has no Checkout Sessions; the fixture adds them
(``tests/peers/localstripe_checkout.py``), so ``start`` creates a real session,
the citizen's payment on Stripe's page is the peer's control, and
``checkout.session.*`` notifications are signed and posted by localstripe. The
first tests here make the PaymentIntent Checkout would make, carrying our
Kassenzeichen, for the ``payment_intent.*`` notifications, signatures and
testing the connection. Committed for real on a tenant of its own, because the
app answers localstripe over HTTP on its own connection.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import json
import secrets
import string
import threading
import time
import uuid

import pytest
import requests
import stripe
from sqlalchemy import select

from amtsweg.payment import service
from amtsweg.payment.interfaces import (
    Observation,
    PaymentRequest,
    ProviderRefused,
    RemoteRefund,
    RemoteStatus,
)
from amtsweg.payment.models import PaymentStatus, WebhookReceipt
from amtsweg.payment.providers import stripe as stripe_provider
from amtsweg.platform.db import db, tenant_scope, utcnow
from amtsweg.platform.errors import Refusal
from amtsweg.platform.signals import payment_succeeded
from amtsweg.submissions.models import Submission
from amtsweg.tenants import service as tenants
from tests import servers
from tests.live_server import live_server
from tests.payment.conftest import offer_fee_form
from tests.payment.helpers import connected, recorded_refunds, reload, remove_fee_form, submit
from tests.peers.localstripe import localstripe, send_webhooks_to
from tests.submissions.test_concurrency import _remove_tenant

SECRET_KEY = "sk_test_amtsweg_musterstadt"
WEBHOOK_SECRET = "whsec_amtsweg_musterstadt_0123456789"


@pytest.fixture(scope="module")
def stripe_api():
    with localstripe() as base:
        yield base


@pytest.fixture
def stripe_town(make_app, settings, app_engine, test_database, stripe_api):
    if not test_database.is_postgres:
        pytest.skip("the app answers localstripe on its own connection")
    port = servers.free_port()
    public = f"http://127.0.0.1:{port}"
    app = make_app(db_bind=app_engine, settings=dataclasses.replace(settings, public_url=public))
    slug = f"karte-{uuid.uuid4().hex[:8]}"
    with app.app_context():
        prefix = "".join(secrets.choice(string.ascii_uppercase) for _ in range(6))
        tenant = tenants.create_tenant(
            slug, "Gemeinde Karte", prefix, tenants.Branding(contact_email="amt@karte.example")
        )
        with app.test_request_context(base_url=public), tenant_scope(tenant.id):
            offer_fee_form(tenant)
            service.connect_account(
                tenant,
                "stripe",
                {
                    "secret_key": SECRET_KEY,
                    "webhook_secret": WEBHOOK_SECRET,
                    "api_base": stripe_api,
                },
            )
            db.session.commit()
    send_webhooks_to(
        stripe_api, f"{public}/api/v1/tenants/{slug}/payment/webhooks/stripe", WEBHOOK_SECRET
    )
    with live_server(app, port), app.app_context():
        yield app, tenant, public
    with app.app_context():
        user = tenants.find_or_create_user("https://id.example", f"citizen-{slug}")
        db.session.commit()
    _remove_tenant(app_engine, tenant.id, user.id)
    remove_fee_form(app_engine)


def _recorded_payment(app, tenant, public):
    """Our payment row as start() leaves it, naming the PaymentIntent Checkout made."""
    submission = submit(app, tenant, subject=f"citizen-{tenant.slug}")
    with app.test_request_context(base_url=public), tenant_scope(tenant.id):
        account = service.find_account(tenant, "stripe")
        provider = service.provider_of(account)
        payment = service._new_payment(tenant, submission, account, provider)
        db.session.commit()
    return payment


def _client(api_base: str) -> stripe.StripeClient:
    return stripe.StripeClient(SECRET_KEY, base_addresses={"api": api_base})


def _checkout_pays(api_base: str, payment, card: str = "pm_card_visa"):
    """What Stripe's Checkout page does when the citizen pays with ``card``."""
    client = _client(api_base)
    intent = client.v1.payment_intents.create(
        {
            "amount": payment.amount_cents,
            "currency": "eur",
            "payment_method": client.v1.payment_methods.create(
                {"type": "card", "card": {"number": "4242424242424242", "exp_month": 12,
                                          "exp_year": 2030, "cvc": "123"}}
            ).id if card == "pm_card_visa" else card,
            "metadata": {"kassenzeichen": payment.kassenzeichen},
        },
        {"idempotency_key": f"checkout-{payment.id}"},
    )  # fmt: skip
    return client.v1.payment_intents.confirm(intent.id)


def test_a_signed_webhook_from_stripe_settles_the_payment(stripe_town, stripe_api) -> None:
    app, tenant, public = stripe_town
    payment = _recorded_payment(app, tenant, public)
    arrived = threading.Event()
    tenant_id = tenant.id  # read here: the receiver runs in the server's thread

    def receiver(_sender, **kwargs):
        if kwargs["tenant_id"] == tenant_id:
            arrived.set()

    payment_succeeded.connect(receiver)
    try:
        intent = _checkout_pays(stripe_api, payment)
        assert intent.status == "succeeded"
        assert arrived.wait(timeout=30), "localstripe's webhook did not arrive"
    finally:
        payment_succeeded.disconnect(receiver)
    # The signal comes inside the webhook's transaction: its row lock makes us wait for the commit.
    with tenant_scope(tenant_id):
        service.lock(payment)
        db.session.commit()
    paid = reload(tenant, payment)
    assert paid.status is PaymentStatus.SUCCEEDED
    with tenant_scope(tenant.id):
        submission = db.session.get_one(Submission, (tenant.id, paid.submission_id))
        assert submission.status.value == "paid"
        events = [(e.to_status, e.source) for e in service.events_of(paid)]
    assert events == [(PaymentStatus.SUCCEEDED, "webhook")]


def _stripe_signature(body: bytes, secret: str, at: int) -> str:
    mac = hmac.new(secret.encode(), f"{at}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={at},v1={mac}"


@pytest.mark.parametrize(
    ("secret", "age"), [("whsec_forged_by_someone_else", 0), (WEBHOOK_SECRET, 301)]
)
def test_forged_or_stale_stripe_notifications_are_refused(stripe_town, secret, age) -> None:
    app, tenant, public = stripe_town
    payment = _recorded_payment(app, tenant, public)
    body = json.dumps(
        {
            "id": "evt_forged",
            "object": "event",
            "type": "payment_intent.succeeded",
            "data": {"object": {"id": "pi_x", "object": "payment_intent",
                                "metadata": {"kassenzeichen": payment.kassenzeichen}}},
        }
    ).encode()  # fmt: skip
    response = app.test_client().post(
        f"/api/v1/tenants/{tenant.slug}/payment/webhooks/stripe",
        data=body,
        headers={"Stripe-Signature": _stripe_signature(body, secret, int(time.time()) - age)},
    )
    assert response.status_code == 400
    assert "the Stripe notification is not genuine" in response.json["detail"]
    assert reload(tenant, payment).status is PaymentStatus.CREATED


def test_stripe_down_at_creation_is_a_clear_refusal(stripe_town) -> None:
    app, tenant, public = stripe_town
    submission = submit(app, tenant, subject=f"citizen-{tenant.slug}")
    with app.test_request_context(base_url=public), tenant_scope(tenant.id):
        service.connect_account(
            tenant, "stripe", {"api_base": f"http://127.0.0.1:{servers.free_port()}"}
        )
        with pytest.raises(service.ProviderDown) as down:
            service.start_payment(tenant, submission, "stripe")
        assert submission.reference in down.value.detail
        with pytest.raises(service.ProviderDown):
            service.check_account(tenant, service.find_account(tenant, "stripe"))
        db.session.rollback()


def test_testing_the_connection_reaches_stripe(stripe_town) -> None:
    app, tenant, public = stripe_town
    with app.test_request_context(base_url=public), tenant_scope(tenant.id):
        service.check_account(tenant, service.find_account(tenant, "stripe"))


# --- Checkout Sessions (localstripe with tests/peers/localstripe_checkout.py) -------------


def _started(app, tenant, public):
    """The citizen chose card payment: our start() created a Checkout Session."""
    submission = submit(app, tenant, subject=f"citizen-{tenant.slug}")
    with app.test_request_context(base_url=public), tenant_scope(tenant.id):
        started = service.start_payment(tenant, submission, "stripe")
        db.session.commit()
    return started


def _customer_pays(api_base: str, session_id: str, card: str = "4242424242424242"):
    """What the citizen does on Stripe's hosted Checkout page (the peer's control)."""
    answer = requests.post(
        f"{api_base}/v1/checkout/sessions/{session_id}/_pay",
        data={"card": card},
        headers={"Authorization": f"Bearer {SECRET_KEY}"},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def _received(stripe_api: str, tenant, event_type: str, subject_id: str) -> str:
    """The id of localstripe's signed ``event_type`` about ``subject_id``, once our webhook
    endpoint has recorded it (it posts about a second after the change)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        events = _client(stripe_api).v1.events.list({"type": event_type})
        for event in events.data:
            if event.data.object.id != subject_id:
                continue
            with tenant_scope(tenant.id):
                received = db.session.scalar(
                    select(WebhookReceipt).where(WebhookReceipt.event_id == event.id)
                )
                db.session.rollback()  # see the webhook's commit on the next look
            if received:
                return event.id
        threading.Event().wait(0.2)
    raise AssertionError(f"{event_type} about {subject_id} was not received")


def _observed(app, tenant, public, session_id: str) -> Observation:
    """What our provider reads from Stripe about the session."""
    with app.test_request_context(base_url=public), tenant_scope(tenant.id):
        account, provider = connected(tenant, "stripe")
        return provider.fetch_status(account, session_id)


def _notified(
    app, tenant, event_type: str, subject: dict, *, event_id: str = "", status: int = 200
) -> dict:
    """Our webhook's answer to a notification signed with the account's secret."""
    body = json.dumps(
        {"id": event_id or f"evt_{uuid.uuid4().hex}", "object": "event", "type": event_type,
         "data": {"object": subject}}
    ).encode()  # fmt: skip
    answer = app.test_client().post(
        f"/api/v1/tenants/{tenant.slug}/payment/webhooks/stripe",
        data=body,
        headers={"Stripe-Signature": _stripe_signature(body, WEBHOOK_SECRET, int(time.time()))},
    )
    assert answer.status_code == status, answer.get_data(as_text=True)
    return answer.json


def _refresh(app, tenant, public, payment):
    with app.test_request_context(base_url=public), tenant_scope(tenant.id):
        payment = service.refresh_from_provider(tenant, reload(tenant, payment), source="return")
        db.session.commit()
        return payment.status


def test_checkout_session_created_read_paid_and_its_signed_completion_settles(
    stripe_town, stripe_api
) -> None:
    app, tenant, public = stripe_town
    started = _started(app, tenant, public)
    payment = started.payment
    session_id = payment.provider_payment_id
    assert session_id.startswith("cs_test_")
    assert started.redirect_url == f"https://checkout.stripe.com/c/pay/{session_id}"
    session = _client(stripe_api).v1.checkout.sessions.retrieve(session_id)
    assert (session.status, session.payment_status, session.payment_intent) == (
        "open",
        "unpaid",
        None,
    )
    assert (session.amount_total, session.currency) == (payment.amount_cents, "eur")
    assert session.client_reference_id == payment.kassenzeichen
    assert session.payment_method_types == ["card"]
    assert session.success_url == session.cancel_url
    assert session.success_url.endswith(f"/payments/{payment.id}/return")
    assert _observed(app, tenant, public, session_id) == Observation(
        session_id, RemoteStatus.PENDING
    )
    assert _refresh(app, tenant, public, payment) is PaymentStatus.PENDING  # open, unpaid

    paid = _customer_pays(stripe_api, session_id)
    assert (paid["status"], paid["payment_status"]) == ("complete", "paid")
    intent = _client(stripe_api).v1.payment_intents.retrieve(paid["payment_intent"])
    assert intent.metadata["kassenzeichen"] == payment.kassenzeichen
    assert payment.kassenzeichen in intent.description  # on the municipality's statement
    assert _observed(app, tenant, public, session_id) == Observation(
        session_id, RemoteStatus.SUCCEEDED
    )
    _received(stripe_api, tenant, "checkout.session.completed", session_id)
    _received(stripe_api, tenant, "payment_intent.succeeded", intent.id)
    settled = reload(tenant, payment)
    assert settled.status is PaymentStatus.SUCCEEDED
    with tenant_scope(tenant.id):
        events = [(e.to_status, e.source) for e in service.events_of(settled)]
        submission = db.session.get_one(Submission, (tenant.id, settled.submission_id))
        assert submission.status.value == "paid"
    # Two notifications about one payment (the session's and its PaymentIntent's): one change.
    assert events == [(PaymentStatus.PENDING, "start"), (PaymentStatus.SUCCEEDED, "webhook")]
    assert _refresh(app, tenant, public, payment) is PaymentStatus.SUCCEEDED  # read via the PI


def test_a_paid_session_is_refunded_in_part_never_beyond_what_is_left_and_never_twice(
    stripe_town, stripe_api
) -> None:
    app, tenant, public = stripe_town
    payment = _started(app, tenant, public).payment
    session_id = payment.provider_payment_id
    with app.test_request_context(base_url=public), tenant_scope(tenant.id):
        view, provider = connected(tenant, "stripe")
        with pytest.raises(ProviderRefused, match=r"^the Checkout Session has no payment yet$"):
            provider.refund(view, session_id, 1000, f"amtsweg-{uuid.uuid4()}")
    paid = _customer_pays(stripe_api, session_id)
    assert _refresh(app, tenant, public, payment) is PaymentStatus.SUCCEEDED
    with app.test_request_context(base_url=public), tenant_scope(tenant.id):
        refund = service.refund(tenant, reload(tenant, payment), 1000, "Teilweise zurück")
        assert refund.provider_refund_id.startswith("re_")
        with pytest.raises(Refusal):
            service.refund(tenant, reload(tenant, payment), payment.amount_cents, "Alles")
        db.session.commit()
        # A call retried with its key (the answer was lost) gets its refund back, not another.
        key = f"amtsweg-{uuid.uuid4()}"
        first = provider.refund(view, session_id, 500, key)
        assert provider.refund(view, session_id, 500, key) == first
    refunds = _client(stripe_api).v1.refunds.list({"payment_intent": paid["payment_intent"]})
    assert sorted((r.id, r.amount) for r in refunds.data) == sorted(
        [(refund.provider_refund_id, 1000), (first, 500)]
    )


def _paid_and_a_refund_answer_lost(stripe_town, stripe_api, monkeypatch):
    """A payment Stripe settled, and the clerk's refund of 10 € that Stripe made but
    whose answer never came back (the clerk read that it may or may not be made)."""
    app, tenant, public = stripe_town
    payment = _started(app, tenant, public).payment
    paid = _customer_pays(stripe_api, payment.provider_payment_id)
    assert _refresh(app, tenant, public, payment) is PaymentStatus.SUCCEEDED
    answer = stripe.RequestsClient.request

    def lose_the_refunds_answer(self, method, url, headers, post_data=None):
        got = answer(self, method, url, headers, post_data)
        if (method, url) == ("post", f"{stripe_api}/v1/refunds"):
            raise stripe.APIConnectionError("the connection broke before the answer came")
        return got

    with app.test_request_context(base_url=public), tenant_scope(tenant.id):
        monkeypatch.setattr(stripe.RequestsClient, "request", lose_the_refunds_answer)
        with pytest.raises(service.ProviderDown):
            service.refund(tenant, reload(tenant, payment), 1000, "Teilweise zurück")
        db.session.rollback()
        monkeypatch.undo()
    return payment, paid


def _fail_at_stripe(stripe_api: str, tenant, refund_id: str, reason: str) -> None:
    """The peer fails a refund Stripe made, as a card issuer does, and its signed
    ``refund.failed`` is recorded by our webhook."""
    failed = requests.post(
        f"{stripe_api}/v1/refunds/{refund_id}/_fail",
        data={"failure_reason": reason},
        headers={"Authorization": f"Bearer {SECRET_KEY}"},
        timeout=10,
    )
    assert failed.status_code == 200, failed.text
    _received(stripe_api, tenant, "refund.failed", refund_id)


def test_refunds_stripe_holds_and_our_books_lack_are_recorded_never_made_again(
    stripe_town, stripe_api, monkeypatch
) -> None:
    """Stripe made a refund but its answer was lost: the clerk's retry finds it by the
    key in its metadata and records it as the clerk's, whether or not Stripe still
    knows the key. A refund made in Stripe's dashboard is recorded as found there, and
    the refund asked for is refused, not paid out on top of it."""
    app, tenant, public = stripe_town
    payment, paid = _paid_and_a_refund_answer_lost(stripe_town, stripe_api, monkeypatch)
    with app.test_request_context(base_url=public), tenant_scope(tenant.id):
        made = service.refund(tenant, reload(tenant, payment), 1000, "Teilweise zurück")
        db.session.commit()
    listed = _client(stripe_api).v1.refunds.list({"payment_intent": paid["payment_intent"]})
    assert [(r.id, r.amount) for r in listed.data] == [(made.provider_refund_id, 1000)]
    assert made.reason == "Teilweise zurück"

    _client(stripe_api).v1.refunds.create({"payment_intent": paid["payment_intent"], "amount": 70})
    with app.test_request_context(base_url=public), tenant_scope(tenant.id):
        with pytest.raises(service.RefundsFoundAtProvider, match="0,70"):
            service.refund(tenant, reload(tenant, payment), 500, "Noch etwas")
        db.session.commit()
        recorded = service.refunds_of(reload(tenant, payment))
    assert [(r.amount_cents, r.reason) for r in recorded] == [
        (1000, "Teilweise zurück"),
        (70, service.FOUND_REASON),
    ]
    listed = _client(stripe_api).v1.refunds.list({"payment_intent": paid["payment_intent"]})
    assert sorted(r.amount for r in listed.data) == [70, 1000]


def test_stripes_refund_notifications_record_a_refund_made_in_its_dashboard(
    stripe_town, stripe_api, monkeypatch
) -> None:
    """The treasury gives 0,70 € back in Stripe's dashboard, and Stripe sends
    ``charge.refunded``. The refund is then in the payment's list at once, and the
    clerk's next refund is made without a conflict. While Stripe cannot be asked
    which refunds it holds, the notification is answered 503 and nothing of it is
    kept, so that Stripe's own retry of it records the refund."""
    app, tenant, public = stripe_town
    payment = _started(app, tenant, public).payment
    paid = _customer_pays(stripe_api, payment.provider_payment_id)
    assert _refresh(app, tenant, public, payment) is PaymentStatus.SUCCEEDED
    client = _client(stripe_api)
    elsewhere = client.v1.refunds.create({"payment_intent": paid["payment_intent"], "amount": 70})
    intent = client.v1.payment_intents.retrieve(paid["payment_intent"])
    charge = intent.to_dict()["latest_charge"]  # localstripe expands it: what the event carries
    assert (charge["payment_intent"], charge["amount_refunded"]) == (intent.id, 70)
    assert charge["metadata"] == {}  # no Kassenzeichen on the charge: it is read from the intent
    answer = stripe.RequestsClient.request

    def refunds_unreachable(self, method, url, headers, post_data=None):
        if (method, url.split("?")[0]) == ("get", f"{stripe_api}/v1/refunds"):
            raise stripe.APIConnectionError("Stripe did not answer")
        return answer(self, method, url, headers, post_data)

    monkeypatch.setattr(stripe.RequestsClient, "request", refunds_unreachable)
    down = _notified(app, tenant, "charge.refunded", charge, event_id="evt_refunded", status=503)
    assert down["status"] == 503
    assert recorded_refunds(tenant, payment) == []
    monkeypatch.undo()

    assert _notified(app, tenant, "charge.refunded", charge, event_id="evt_refunded") == {
        "outcome": "changed"
    }
    assert [(r.amount_cents, r.provider_refund_id, r.reason, r.actor_id)
            for r in recorded_refunds(tenant, payment)] == [
        (70, elsewhere.id, service.FOUND_REASON, None)
    ]  # fmt: skip
    assert reload(tenant, payment).status is PaymentStatus.PARTIALLY_REFUNDED
    # The same refund's other notification finds it recorded.
    assert _notified(app, tenant, "refund.created", elsewhere.to_dict()) == {"outcome": "unchanged"}

    with app.test_request_context(base_url=public), tenant_scope(tenant.id):
        made = service.refund(tenant, reload(tenant, payment), 500, "Ermäßigung")
        db.session.commit()
    assert made.provider_refund_id.startswith("re_")
    assert reload(tenant, payment).refunded_cents == 570
    # A refund of a PaymentIntent this account does not know is not ours.
    stranger = {"id": "re_stranger", "object": "refund", "payment_intent": "pi_stranger"}
    assert _notified(app, tenant, "refund.created", stranger) == {"outcome": "ignored"}


def test_a_refund_that_fails_at_stripe_no_longer_counts_once_stripe_says_so(
    stripe_town, stripe_api
) -> None:
    """Stripe made the clerk's refund of the whole fee, then the card issuer could not
    take it (the card was cancelled): Stripe marks it failed and sends a signed
    ``refund.failed``. The refund then no longer counts, with Stripe's reason, and the
    clerk's next refund of the same amount is a new refund at Stripe, not the failed
    one brought back by its old idempotency key."""
    app, tenant, public = stripe_town
    payment = _started(app, tenant, public).payment
    paid = _customer_pays(stripe_api, payment.provider_payment_id)
    assert _refresh(app, tenant, public, payment) is PaymentStatus.SUCCEEDED
    with app.test_request_context(base_url=public), tenant_scope(tenant.id):
        made = service.refund(tenant, reload(tenant, payment), payment.amount_cents, "Storno")
        db.session.commit()
    assert reload(tenant, payment).status is PaymentStatus.REFUNDED

    _fail_at_stripe(stripe_api, tenant, made.provider_refund_id, "expired_or_canceled_card")
    assert (reload(tenant, payment).status, reload(tenant, payment).refunded_cents) == (
        PaymentStatus.SUCCEEDED,
        0,
    )
    [recorded] = recorded_refunds(tenant, payment)
    assert (recorded.failure, recorded.failed_at is not None) == ("expired_or_canceled_card", True)

    with app.test_request_context(base_url=public), tenant_scope(tenant.id):
        again = service.refund(tenant, reload(tenant, payment), payment.amount_cents, "Storno")
        db.session.commit()
    assert again.provider_refund_id != made.provider_refund_id
    listed = _client(stripe_api).v1.refunds.list({"payment_intent": paid["payment_intent"]})
    assert sorted(r.status for r in listed.data) == ["failed", "succeeded"]
    assert reload(tenant, payment).status is PaymentStatus.REFUNDED


def test_a_refund_whose_answer_was_lost_and_which_then_failed_is_made_anew(
    stripe_town, stripe_api, monkeypatch
) -> None:
    """Stripe made the clerk's refund, but its answer was lost; before the clerk tried
    again, the refund failed (the card was cancelled), and so did one the treasury
    tried in Stripe's dashboard. The retry must not bring the failed refund back by
    its old key and book it as paid out: it is a new refund at Stripe, under the key
    that counts the two failures Stripe holds, and it stands when compared."""
    app, tenant, public = stripe_town
    payment, paid = _paid_and_a_refund_answer_lost(stripe_town, stripe_api, monkeypatch)
    [lost] = _client(stripe_api).v1.refunds.list({"payment_intent": paid["payment_intent"]}).data
    dashboard = _client(stripe_api).v1.refunds.create(
        {"payment_intent": paid["payment_intent"], "amount": 70}
    )
    for refund in (lost, dashboard):
        _fail_at_stripe(stripe_api, tenant, refund.id, "lost_or_stolen_card")
    # Only the dashboard's refund was recorded (when it stood) and taken out again.
    assert [
        (r.provider_refund_id, bool(r.failed_at)) for r in recorded_refunds(tenant, payment)
    ] == [(dashboard.id, True)]

    with app.test_request_context(base_url=public), tenant_scope(tenant.id):
        made = service.refund(tenant, reload(tenant, payment), 1000, "Teilweise zurück")
        db.session.commit()
    assert made.provider_refund_id != lost.id
    listed = _client(stripe_api).v1.refunds.list({"payment_intent": paid["payment_intent"]})
    assert sorted(
        (r.id, r.status, r.metadata.to_dict().get("amtsweg_refund_key", "")) for r in listed.data
    ) == sorted(
        [
            (lost.id, "failed", f"amtsweg-refund-{payment.id}-0-1000"),
            (dashboard.id, "failed", ""),
            (made.provider_refund_id, "succeeded", f"amtsweg-refund-{payment.id}-0-1000-2"),
        ]
    )
    with app.test_request_context(base_url=public), tenant_scope(tenant.id):
        taken = service.take_up_refunds(tenant, reload(tenant, payment))
        db.session.commit()
    assert (taken.recorded, taken.lost, taken.failed) == ([], [], [])
    assert (reload(tenant, payment).status, reload(tenant, payment).refunded_cents) == (
        PaymentStatus.PARTIALLY_REFUNDED,
        1000,
    )


def test_a_cancelled_refund_gave_nothing_back_and_says_so() -> None:
    """Stripe cancels a refund that waited for an action nobody took; it carries no
    ``failure_reason`` (docs.stripe.com/api/refunds/object), and the peer cannot make
    one, so the refund is read as Stripe lists it."""
    listed = {"id": "re_1", "amount": 500, "status": "canceled", "metadata": {}}
    assert stripe_provider._remote_refund(listed) == RemoteRefund("re_1", 500, None, "canceled")


def test_notifications_about_one_refund_at_the_same_moment_record_it_once(
    stripe_town, stripe_api
) -> None:
    """Stripe sends several events about one dashboard refund (``charge.refunded``,
    ``refund.created``, ``refund.updated``, …), which may arrive together: each takes the
    payment's row lock before it reads Stripe's refunds, so the refund is recorded once."""
    app, tenant, public = stripe_town
    payment = _started(app, tenant, public).payment
    paid = _customer_pays(stripe_api, payment.provider_payment_id)
    assert _refresh(app, tenant, public, payment) is PaymentStatus.SUCCEEDED
    refund = _client(stripe_api).v1.refunds.create(
        {"payment_intent": paid["payment_intent"], "amount": 250}
    )
    copies = 6
    barrier = threading.Barrier(copies)
    outcomes: list[str] = []

    def notify(number: int) -> None:
        barrier.wait(timeout=20)
        outcome = _notified(
            app, tenant, "refund.updated", refund.to_dict(), event_id=f"evt_{number}"
        )
        outcomes.append(outcome["outcome"])

    threads = [threading.Thread(target=notify, args=(number,)) for number in range(copies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["changed"] + ["unchanged"] * (copies - 1)
    assert [(r.amount_cents, r.provider_refund_id) for r in recorded_refunds(tenant, payment)] == [
        (250, refund.id)
    ]
    assert reload(tenant, payment).refunded_cents == 250


def test_a_retried_create_reuses_the_session_and_a_reused_key_is_refused(stripe_town) -> None:
    """start() sends an Idempotency-Key: a retry (a timeout, a second click) gets the same
    session back, never a second charge; the key with other parameters is refused."""
    app, tenant, public = stripe_town
    request = PaymentRequest(
        amount_cents=3070,
        currency="EUR",
        kassenzeichen="KARTE20260000017",
        description="MUS-2026-000001 KARTE20260000017",
        return_url=f"{public}/back",
        idempotency_key=f"amtsweg-{uuid.uuid4()}",
    )
    with app.test_request_context(base_url=public), tenant_scope(tenant.id):
        view, provider = connected(tenant, "stripe")
        first = provider.start(view, request)
        again = provider.start(view, request)
        with pytest.raises(ProviderRefused, match="same parameters they were first used with"):
            provider.start(view, dataclasses.replace(request, amount_cents=1))
        other = provider.start(
            view, dataclasses.replace(request, idempotency_key=f"amtsweg-{uuid.uuid4()}")
        )
    assert again == first
    assert other.provider_payment_id != first.provider_payment_id


def test_a_declined_card_then_another_card_on_the_same_session(stripe_town, stripe_api) -> None:
    app, tenant, public = stripe_town
    payment = _started(app, tenant, public).payment
    session_id = payment.provider_payment_id
    declined = _customer_pays(stripe_api, session_id, card="4000000000000341")
    assert (declined["status"], declined["payment_status"]) == ("open", "unpaid")
    assert _refresh(app, tenant, public, payment) is PaymentStatus.FAILED
    _customer_pays(stripe_api, session_id)
    _received(stripe_api, tenant, "checkout.session.completed", session_id)
    assert reload(tenant, payment).status is PaymentStatus.SUCCEEDED  # a later success wins


def test_an_abandoned_session_is_expired_at_stripe_and_its_notification_changes_nothing(
    stripe_town, stripe_api
) -> None:
    app, tenant, public = stripe_town
    payment = _started(app, tenant, public).payment
    session_id = payment.provider_payment_id
    with app.test_request_context(base_url=public), tenant_scope(tenant.id):
        later = utcnow() + dt.timedelta(minutes=91)
        assert service.poll_open_payments(tenant, now=later) == {"settled": 0, "expired": 1}
    assert _client(stripe_api).v1.checkout.sessions.retrieve(session_id).status == "expired"
    _received(stripe_api, tenant, "checkout.session.expired", session_id)
    expired = reload(tenant, payment)
    assert expired.status is PaymentStatus.EXPIRED
    with tenant_scope(tenant.id):
        assert service.count_events(expired, PaymentStatus.CANCELLED) == 0
    with pytest.raises(stripe.InvalidRequestError, match="status of expired"):
        _client(stripe_api).v1.checkout.sessions.expire(session_id)


def test_a_session_stripe_expired_by_itself_reads_as_cancelled(stripe_town, stripe_api) -> None:
    """Stripe ends an unpaid session after its ``expires_at`` (24 hours)."""
    app, tenant, public = stripe_town
    session_id = _started(app, tenant, public).payment.provider_payment_id
    _client(stripe_api).v1.checkout.sessions.expire(session_id)  # as Stripe's own expiry
    assert _observed(app, tenant, public, session_id) == Observation(
        session_id, RemoteStatus.CANCELLED
    )


def test_a_completed_session_settles_only_when_stripe_says_it_is_paid(stripe_town) -> None:
    """``checkout.session.completed`` also comes for a payment still on its way (a delayed
    method): only ``payment_status: paid`` settles."""
    app, tenant, public = stripe_town
    payment = _started(app, tenant, public).payment
    session = {"id": payment.provider_payment_id, "object": "checkout.session",
               "status": "complete", "payment_status": "unpaid"}  # fmt: skip
    assert _notified(app, tenant, "checkout.session.completed", session) == {"outcome": "unchanged"}
    assert reload(tenant, payment).status is PaymentStatus.PENDING
    paid = {**session, "payment_status": "paid"}
    assert _notified(app, tenant, "checkout.session.completed", paid) == {"outcome": "changed"}
    assert reload(tenant, payment).status is PaymentStatus.SUCCEEDED


def test_a_genuine_notification_we_do_not_act_on_is_answered_ignored(stripe_town) -> None:
    """Stripe sends every event type the endpoint was set up for; the others change nothing
    and are acknowledged, so that Stripe does not deliver them again and again."""
    app, tenant, public = stripe_town
    payment = _recorded_payment(app, tenant, public)
    body = json.dumps(
        {
            "id": "evt_customer",
            "object": "event",
            "type": "customer.created",
            "data": {"object": {"id": "cus_x", "object": "customer"}},
        }
    ).encode()
    response = app.test_client().post(
        f"/api/v1/tenants/{tenant.slug}/payment/webhooks/stripe",
        data=body,
        headers={"Stripe-Signature": _stripe_signature(body, WEBHOOK_SECRET, int(time.time()))},
    )
    assert response.status_code == 200
    assert response.json == {"outcome": "ignored"}
    assert reload(tenant, payment).status is PaymentStatus.CREATED
