"""Stripe through the official SDK against PyPI ``localstripe``, with its signed webhooks.

localstripe has no Checkout Sessions, so the session a real start creates is
replaced here by what Checkout does on Stripe's side: a PaymentIntent with our
Kassenzeichen in its metadata, confirmed with a test card. Everything after
that (the webhook localstripe signs and posts, reading the status, refunds with
Idempotency-Key, cancelling, testing the connection) runs against localstripe.
Committed for real on a tenant of its own, because the app answers localstripe
over HTTP on its own connection.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import secrets
import string
import threading
import time
import uuid

import pytest
import stripe

from amtsweg.payment import service
from amtsweg.payment.models import PaymentStatus
from amtsweg.platform.db import db, tenant_scope
from amtsweg.platform.errors import Refusal
from amtsweg.platform.signals import payment_succeeded
from amtsweg.submissions.models import Submission
from amtsweg.tenants import service as tenants
from tests import servers
from tests.live_server import live_server
from tests.payment.conftest import offer_fee_form
from tests.payment.helpers import reload, remove_fee_form, submit
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


def test_status_refunds_and_their_limits_against_stripe(stripe_town, stripe_api) -> None:
    app, tenant, public = stripe_town
    payment = _recorded_payment(app, tenant, public)
    intent = _checkout_pays(stripe_api, payment)
    with app.test_request_context(base_url=public), tenant_scope(tenant.id):
        account = service.find_account(tenant, "stripe")
        view = service.account_view(tenant, account)
        provider = service.provider_of(account)
        assert provider.fetch_status(view, intent.id).status.value == "succeeded"
        payment = reload(tenant, payment)
        payment.provider_payment_id = intent.id
        service.transition(payment, PaymentStatus.SUCCEEDED, source="return")
        refund = service.refund(tenant, payment, 1000, "Teilweise zurück")
        assert refund.provider_refund_id.startswith("re_")
        with pytest.raises(Refusal):
            service.refund(tenant, payment, payment.amount_cents, "Alles noch einmal")
        db.session.commit()
    refunds = _client(stripe_api).v1.refunds.list({"payment_intent": intent.id})
    assert [r.amount for r in refunds.data] == [1000]


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
