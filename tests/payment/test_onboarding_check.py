"""Payment's item on the onboarding checklist: a provider and a test payment that succeeded.

The tenant admin connects the sandbox on the payment page, makes a test
payment, pays it on the sandbox's hosted page with a test card and comes
back; the checklist then reads the outcome the provider reported. A tenant
whose forms take no fee online needs no provider at all.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import select

from amtsweg.formdefs import service as formdefs
from amtsweg.payment.models import SandboxCharge
from amtsweg.platform.db import db, tenant_scope
from amtsweg.tenants import service as tenants
from tests.login import csrf_token, local
from tests.payment.conftest import WEBHOOK_SECRET, offer_fee_form
from tests.platform.test_bearer_tokens import dev_token

GERMAN = {"Accept-Language": "de"}
ADMIN = "/t/kleinheim/admin/payment/"
SUCCEEDS, DECLINED = "4242 4242 4242 4242", "4000 0000 0000 0002"
BANK_ACCOUNT = {
    "account_holder": "Gemeindekasse Kleinheim",
    "iban": "DE02120300000000202051",
    "bic": "BYLADEM1001",
}


@pytest.fixture
def admin_pages(app, client, log_in):
    """Kleinheim, not live yet, offering a form whose fee is paid online."""
    tenant = tenants.create_tenant("kleinheim", "Gemeinde Kleinheim", "KLH", live=False)
    with tenant_scope(tenant.id):
        offer_fee_form(tenant)
    db.session.commit()
    log_in("association-admin", next_url="/t/kleinheim/admin/")
    return client


def _payment_item(client) -> str:
    page = client.get("/t/kleinheim/admin/", headers=GERMAN).get_data(as_text=True)
    start = page.rfind("<li", 0, page.index("Zahlungsdienst und eine erfolgreiche Testzahlung"))
    return page[start : page.index("</li>", start)]


def _connect_sandbox(client) -> None:
    page = client.get(ADMIN)
    saved = client.post(
        f"{ADMIN}sandbox",
        data={"csrf_token": csrf_token(page), "webhook_secret": WEBHOOK_SECRET, "enabled": "yes"},
    )
    assert saved.status_code == 303


def _test_payment(client, card: str) -> str:
    """Start a test payment, pay it on the hosted page, come back; the message shown."""
    page = client.get(ADMIN)
    started = client.post(f"{ADMIN}sandbox/test-payment", data={"csrf_token": csrf_token(page)})
    assert started.status_code == 303
    checkout_url = local(started.headers["Location"])
    checkout = client.get(checkout_url)
    assert "1,00" in checkout.get_data(as_text=True)
    paid = client.post(checkout_url, data={"csrf_token": csrf_token(checkout), "card": card})
    back = client.get(local(paid.headers["Location"]), headers=GERMAN)
    assert back.status_code == 303
    return client.get(back.headers["Location"], headers=GERMAN).get_data(as_text=True)


def test_the_item_passes_only_after_a_test_payment_that_succeeded(admin_pages) -> None:
    client = admin_pages
    assert "Binden Sie einen Zahlungsanbieter an" in _payment_item(client)

    _connect_sandbox(client)
    assert "Machen Sie eine Testzahlung" in _payment_item(client)
    assert "Die Testkarte der Sandbox ist 4242 4242 4242 4242." in _payment_item(client)

    declined = _test_payment(client, DECLINED)
    assert "Die Testzahlung war nicht erfolgreich" in declined
    assert "kern-alert--danger" in declined  # shown as the failure it is
    assert "Machen Sie eine Testzahlung" in _payment_item(client)

    assert "Die Testzahlung war erfolgreich" in _test_payment(client, SUCCEEDS)
    assert "Erledigt:" in _payment_item(client)

    assert "Die Testzahlung war nicht erfolgreich" in _test_payment(client, DECLINED)
    assert "Machen Sie eine Testzahlung" in _payment_item(client)


@contextmanager
def _newest_charge(app) -> Iterator[SandboxCharge]:
    """The sandbox's record of Kleinheim's newest charge, saved when the block ends."""
    with app.app_context(), tenant_scope(tenants.find_tenant("kleinheim").id):
        newest = select(SandboxCharge).order_by(SandboxCharge.created_at.desc()).limit(1)
        yield db.session.scalar(newest)
        db.session.commit()


def test_a_test_payment_that_succeeded_is_refunded_once(app, admin_pages) -> None:
    """With live credentials the admin's euro was real: it is given back at once, and coming
    back to the return address again does not refund it twice."""
    client = admin_pages
    _connect_sandbox(client)
    said = _test_payment(client, SUCCEEDS)
    assert "Die Testzahlung war erfolgreich und wurde erstattet." in said
    with _newest_charge(app) as charge:
        assert (charge.status, charge.refunded_cents) == ("succeeded", 100)

    again = client.get(f"{ADMIN}sandbox/test-payment/return", headers=GERMAN)
    shown = client.get(again.headers["Location"], headers=GERMAN).get_data(as_text=True)
    assert "Die Testzahlung war erfolgreich und wurde erstattet." in shown
    with _newest_charge(app) as charge:
        assert charge.refunded_cents == 100
    assert "Erledigt:" in _payment_item(client)
    audit = client.get("/t/kleinheim/admin/audit-log", headers=GERMAN).get_data(as_text=True)
    cells = audit[audit.index("<tbody") :]
    assert cells.count(">Testzahlung erstattet</td>") == 1
    assert ">Testzahlung begonnen</td>" in cells


def test_a_test_payment_the_provider_will_not_refund_is_said_to_need_refunding_there(
    app, admin_pages
) -> None:
    """Refunded at the provider already, before the admin came back: the payment still
    passes the check, and the admin is told to look at the provider."""
    client = admin_pages
    _connect_sandbox(client)
    page = client.get(ADMIN)
    started = client.post(f"{ADMIN}sandbox/test-payment", data={"csrf_token": csrf_token(page)})
    checkout_url = local(started.headers["Location"])
    checkout = client.get(checkout_url)
    client.post(checkout_url, data={"csrf_token": csrf_token(checkout), "card": SUCCEEDS})
    with _newest_charge(app) as charge:
        charge.refunded_cents = charge.amount_cents
    back = client.get(f"{ADMIN}sandbox/test-payment/return", headers=GERMAN)
    said = client.get(back.headers["Location"], headers=GERMAN).get_data(as_text=True)
    assert "konnte nicht automatisch erstattet werden" in said
    assert "kern-alert--warning" in said
    assert "Erledigt:" in _payment_item(client)


def test_going_live_needs_the_test_payment(admin_pages) -> None:
    client = admin_pages
    _connect_sandbox(client)
    page = client.get("/t/kleinheim/admin/")
    refused = client.post(
        "/t/kleinheim/admin/go-live", data={"csrf_token": csrf_token(page)}, headers=GERMAN
    )
    assert refused.status_code == 409
    assert "erfolgreiche Testzahlung" in refused.get_data(as_text=True)


def test_a_provider_without_a_payment_page_offers_no_test_payment(admin_pages) -> None:
    client = admin_pages
    page = client.get(ADMIN)
    assert "Binden Sie einen Zahlungsanbieter an" in _payment_item(client)
    client.post(
        f"{ADMIN}banktransfer",
        data={"csrf_token": csrf_token(page), **BANK_ACCOUNT, "enabled": "yes"},
    )
    text = client.get(ADMIN).get_data(as_text=True)
    assert "banktransfer/test-payment" not in text
    refused = client.post(
        f"{ADMIN}banktransfer/test-payment", data={"csrf_token": csrf_token(page)}
    )
    assert refused.status_code == 409
    assert "Erledigt:" in _payment_item(client), "bank transfer alone has no test mode to pass"


def test_a_tenant_whose_forms_take_no_fee_online_needs_no_provider(admin_pages) -> None:
    tenant = tenants.find_tenant("kleinheim")
    with tenant_scope(tenant.id):
        formdefs.deactivate_form(tenant, formdefs.get_definition("parkausweis-gebuehr"))
    db.session.commit()
    assert "Erledigt:" in _payment_item(admin_pages)


def test_the_payment_page_is_in_the_tenant_admins_navigation(admin_pages) -> None:
    page = admin_pages.get("/t/kleinheim/admin/", headers=GERMAN)
    assert 'href="/t/kleinheim/admin/payment/"' in page.get_data(as_text=True)


def test_a_provider_that_cannot_be_reached_is_named_and_nothing_is_recorded(
    admin_pages,
) -> None:
    client = admin_pages
    page = client.get(ADMIN)
    client.post(
        f"{ADMIN}sandbox",
        data={
            "csrf_token": csrf_token(page),
            "webhook_secret": WEBHOOK_SECRET,
            "outage": "yes",
            "enabled": "yes",
        },
    )
    down = client.post(
        f"{ADMIN}sandbox/test-payment", data={"csrf_token": csrf_token(page)}, headers=GERMAN
    )
    assert down.status_code == 503
    assert "Der Zahlungsdienst ist nicht erreichbar" in down.get_data(as_text=True)
    assert "Machen Sie eine Testzahlung" in _payment_item(client)


def _token(app, role: str) -> dict[str, str]:
    token = dev_token(app, "--role", role, "--tenant", "kleinheim")
    return {"Authorization": f"Bearer {token}"}


def test_an_admin_makes_the_test_payment_through_the_api(app, admin_pages) -> None:
    """The payment page is opened in a browser; the result is asked for through the API,
    is refunded once, and passes the checklist's item only when it succeeded."""
    client = admin_pages
    _connect_sandbox(client)
    admin = _token(app, "tenant_admin") | {"Accept-Language": "de"}
    api = "/api/v1/tenants/kleinheim/payment/providers"

    def pay(card: str) -> None:
        started = client.post(f"{api}/sandbox/test-payment", headers=admin)
        assert started.status_code == 201
        checkout_url = local(started.json["payment_page"])
        checkout = client.get(checkout_url)
        client.post(checkout_url, data={"csrf_token": csrf_token(checkout), "card": card})

    too_early = client.post(f"{api}/sandbox/test-payment/result", headers=admin)
    pay(DECLINED)
    declined = client.post(f"{api}/sandbox/test-payment/result", headers=admin)
    pay(SUCCEEDS)
    succeeded = client.post(f"{api}/sandbox/test-payment/result", headers=admin)
    asked_again = client.post(f"{api}/sandbox/test-payment/result", headers=admin)

    assert (too_early.status_code, too_early.json["detail"]) == (
        409,
        "Mit diesem Zahlungsdienst wurde keine Testzahlung begonnen.",
    )
    assert declined.json == {"status": "failed", "refunded": False, "onboarding_passed": False}
    assert succeeded.json == {"status": "succeeded", "refunded": True, "onboarding_passed": True}
    assert asked_again.json == succeeded.json
    with _newest_charge(app) as charge:
        assert (charge.status, charge.refunded_cents) == ("succeeded", 100)
    assert "Erledigt:" in _payment_item(client)


def test_the_api_offers_no_test_payment_without_a_payment_page_or_to_a_clerk(
    app, admin_pages
) -> None:
    client = admin_pages
    _connect_sandbox(client)
    api = "/api/v1/tenants/kleinheim/payment/providers"

    admin = _token(app, "tenant_admin")
    connected = client.put(
        f"{api}/banktransfer", json={"values": BANK_ACCOUNT, "enabled": True}, headers=admin
    )
    assert connected.status_code == 200
    transfer = client.post(f"{api}/banktransfer/test-payment", headers=admin)
    unknown = client.post(f"{api}/giropay/test-payment", headers=admin)
    clerk = client.post(f"{api}/sandbox/test-payment", headers=_token(app, "clerk"))
    assert (transfer.status_code, transfer.mimetype) == (409, "application/problem+json")
    assert unknown.status_code == 404
    assert clerk.status_code == 404
