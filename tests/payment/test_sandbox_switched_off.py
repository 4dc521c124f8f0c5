"""Without ``AMTSWEG_SANDBOX_PAYMENTS`` (always so in production) the sandbox's test cards pay
nothing: nobody can connect it or pay with it, and an account saved earlier is ignored."""

from __future__ import annotations

import dataclasses

import pytest

from amtsweg.payment import service
from amtsweg.payment.service import PaymentStatus
from amtsweg.platform.db import db, tenant_scope
from amtsweg.tenants import service as tenants
from tests.login import csrf_token, local
from tests.payment.conftest import offer_fee_form
from tests.payment.helpers import reload, signed, start, submit, webhook_body, webhook_url
from tests.platform.test_bearer_tokens import dev_token

API = "/api/v1/tenants/musterstadt/payment"


@pytest.fixture
def client(make_app, settings, musterstadt):
    """Musterstadt connected the sandbox while it was on; now the installation runs without."""
    switched_off = dataclasses.replace(settings, sandbox_payments=False)
    return make_app(settings=switched_off).test_client()


@pytest.fixture
def admin(app, musterstadt):
    token = dev_token(app, "--role", "tenant_admin", "--tenant", "musterstadt")
    return {"Authorization": f"Bearer {token}"}


def test_citizens_are_offered_only_the_other_providers(client, apply_and_submit) -> None:
    pay_url = local(apply_and_submit().headers["Location"])
    page = client.get(pay_url)
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'value="banktransfer"' in text
    assert 'value="sandbox"' not in text
    chosen = client.post(pay_url, data={"csrf_token": csrf_token(page), "provider": "sandbox"})
    assert chosen.status_code == 422
    assert "/sandbox-payment/" not in chosen.headers.get("Location", "")


def test_its_payment_page_and_notifications_are_gone(app, client, musterstadt) -> None:
    payment = start(app, musterstadt, submit(app, musterstadt))  # started while it was on
    checkout = client.get(local(payment.redirect_url))
    assert checkout.status_code == 404
    body = webhook_body(payment, "succeeded")
    notified = client.post(webhook_url(musterstadt), data=body, headers=signed(body))
    assert notified.status_code == 404
    assert notified.content_type == "application/problem+json"
    assert reload(musterstadt, payment).status is PaymentStatus.PENDING


def test_admins_can_neither_see_nor_connect_nor_test_it(client, admin) -> None:
    listed = client.get(f"{API}/providers", headers=admin)
    assert listed.status_code == 200
    assert {p["key"] for p in listed.json["providers"]} == {
        "stripe",
        "paypal",
        "xbezahldienste",
        "banktransfer",
    }
    values = {"values": {"webhook_secret": "whsec_0123456789abcdef"}}
    assert client.put(f"{API}/providers/sandbox", json=values, headers=admin).status_code == 404
    assert client.post(f"{API}/providers/sandbox/test", headers=admin).status_code == 404
    tested = client.post(f"{API}/providers/sandbox/test-payment", headers=admin)
    assert tested.status_code == 404
    stripe = {"values": {"secret_key": "sk_test_1234567890abcd", "webhook_secret": "whsec_x"}}
    assert client.put(f"{API}/providers/stripe", json=stripe, headers=admin).status_code == 200


def test_the_checklist_sends_nobody_looking_for_it(app, client, log_in) -> None:
    tenant = tenants.create_tenant("kleinheim", "Gemeinde Kleinheim", "KLH", live=False)
    with tenant_scope(tenant.id):
        offer_fee_form(tenant)
        stripe = {"secret_key": "sk_test_1234567890abcd", "webhook_secret": "whsec_x"}
        service.connect_account(tenant, "stripe", stripe)
    db.session.commit()
    log_in("association-admin", next_url="/t/kleinheim/admin/")
    page = client.get("/t/kleinheim/admin/", headers={"Accept-Language": "de"})
    text = page.get_data(as_text=True)
    assert "Machen Sie eine Testzahlung" in text
    assert "Sandbox" not in text
    assert "4242" not in text
