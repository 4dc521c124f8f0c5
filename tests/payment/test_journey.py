"""Paying the fee through the HTML journey with the sandbox provider (no JavaScript)."""

from __future__ import annotations

import re

from babel.dates import format_date
from sqlalchemy import select

from amtsweg.payment.models import Payment, PaymentEvent
from amtsweg.platform.db import db, tenant_scope
from amtsweg.submissions.service import today
from tests.login import csrf_token, local
from tests.payment.helpers import fail_sandbox_refund
from tests.platform.test_bearer_tokens import dev_token

SUCCEEDS = "4242 4242 4242 4242"
DECLINED = "4000 0000 0000 0002"
CONFIRMATION_STEP = "4000 0000 0000 3220"
LATER_SUCCESS = "4000 0000 0000 0077"


def choose(client, pay_page_url: str, provider: str = "sandbox"):
    page = client.get(pay_page_url)
    assert page.status_code == 200, page.get_data(as_text=True)
    return client.post(pay_page_url, data={"csrf_token": csrf_token(page), "provider": provider})


def pay_with_card(client, checkout_url: str, card: str):
    page = client.get(checkout_url)
    text = page.get_data(as_text=True)
    assert "Testzahlung" in text
    return client.post(
        checkout_url, data={"csrf_token": csrf_token(page), "card": card, "action": "pay"}
    )


def reference_of(pay_url: str) -> str:
    return re.search(r"/submissions/([^/]+)/pay", pay_url).group(1)


def test_the_summary_leads_to_payment_and_a_card_pays_the_fee(
    client, musterstadt, apply_and_submit
):
    submitted = apply_and_submit()
    assert submitted.status_code == 302
    pay_url = local(submitted.headers["Location"])
    assert pay_url.endswith("/pay")
    reference = reference_of(pay_url)
    to_provider = choose(client, pay_url)
    assert to_provider.status_code == 303
    checkout = local(to_provider.headers["Location"])
    assert "/sandbox-payment/" in checkout
    back = pay_with_card(client, checkout, SUCCEEDS)
    assert back.status_code == 303
    returned = client.get(local(back.headers["Location"]))
    assert returned.status_code == 302
    confirmation = client.get(local(returned.headers["Location"])).get_data(as_text=True)
    assert reference in confirmation
    assert "Eingegangen und bezahlt" in confirmation
    with tenant_scope(musterstadt.id):
        payment = db.session.scalars(select(Payment)).one()
    assert payment.amount_cents == 3070  # the tenant's override, computed on the server
    assert payment.kassenzeichen in confirmation
    applications = client.get("/t/musterstadt/applications/").get_data(as_text=True)
    assert payment.kassenzeichen in applications
    assert "bezahlt" in applications


def test_declined_then_paid_from_my_applications(client, musterstadt, apply_and_submit):
    pay_url = local(apply_and_submit().headers["Location"])
    checkout = local(choose(client, pay_url).headers["Location"])
    back = pay_with_card(client, checkout, DECLINED)
    failed = client.get(local(back.headers["Location"]))
    text = failed.get_data(as_text=True)
    assert failed.status_code == 200
    assert "Die Zahlung ist nicht gelungen" in text
    applications = client.get("/t/musterstadt/applications/").get_data(as_text=True)
    assert "Jetzt bezahlen" in applications
    assert "fehlgeschlagen" in applications
    again = local(choose(client, pay_url).headers["Location"])
    assert again != checkout  # a new attempt with a new Kassenzeichen
    back = pay_with_card(client, again, SUCCEEDS)
    done = client.get(local(back.headers["Location"]))
    assert done.status_code == 302
    with tenant_scope(musterstadt.id):
        statuses = sorted(p.status.value for p in db.session.scalars(select(Payment)))
    assert statuses == ["failed", "succeeded"]


def test_the_extra_confirmation_step(client, musterstadt, apply_and_submit):
    pay_url = local(apply_and_submit().headers["Location"])
    checkout = local(choose(client, pay_url).headers["Location"])
    to_confirm = pay_with_card(client, checkout, CONFIRMATION_STEP)
    confirm_url = local(to_confirm.headers["Location"])
    page = client.get(confirm_url)
    assert "3-D Secure" in page.get_data(as_text=True)
    back = client.post(confirm_url, data={"csrf_token": csrf_token(page), "decision": "approve"})
    done = client.get(local(back.headers["Location"]))
    assert done.status_code == 302
    assert "bezahlt" in client.get(local(done.headers["Location"])).get_data(as_text=True)


def test_a_pending_card_is_settled_by_the_providers_webhook(client, musterstadt, apply_and_submit):
    pay_url = local(apply_and_submit().headers["Location"])
    checkout = local(choose(client, pay_url).headers["Location"])
    back = pay_with_card(client, checkout, LATER_SUCCESS)
    done = client.get(local(back.headers["Location"]))
    assert done.status_code == 302  # the webhook came before the citizen did
    with tenant_scope(musterstadt.id):
        events = db.session.scalars(select(PaymentEvent).order_by(PaymentEvent.created_at))
        sources = [(e.to_status.value, e.source) for e in events]
    assert ("succeeded", "webhook") in sources


def test_the_citizens_payment_pages_are_404_for_another_tenant(
    client, musterstadt, create_tenant, apply_and_submit
):
    from tests.isolation import assert_other_tenant_gets_404

    other = create_tenant("nachbarort", "Gemeinde Nachbarort", contact_email="a@n.example")
    pay_url = local(apply_and_submit().headers["Location"])
    assert_other_tenant_gets_404(client, pay_url, owner=musterstadt, other=other)
    page = client.get(pay_url)
    chosen = client.post(pay_url, data={"csrf_token": csrf_token(page), "provider": "banktransfer"})
    confirmation = local(chosen.headers["Location"])
    assert_other_tenant_gets_404(
        client, f"{confirmation}/girocode.png", owner=musterstadt, other=other
    )
    with tenant_scope(musterstadt.id):
        payment = db.session.scalars(select(Payment)).one()
    return_url = f"/t/musterstadt/payments/{payment.id}/return"
    assert_other_tenant_gets_404(client, return_url, owner=musterstadt, other=other)


def test_a_citizen_who_closed_the_payment_tab_continues_where_they_left(
    client, musterstadt, apply_and_submit
):
    """An open attempt blocks a second one (no paying twice), so its page must be
    reachable again: the submission page links back to the provider's page."""
    pay_url = local(apply_and_submit().headers["Location"])
    checkout = choose(client, pay_url).headers["Location"]
    submission_url = pay_url.removesuffix("/pay")

    waiting = client.get(submission_url).get_data(as_text=True)
    assert "Ihre Zahlung ist noch nicht abgeschlossen." in waiting
    assert f'href="{checkout}"><span class="kern-label">Zahlung fortsetzen' in waiting
    assert "Jetzt bezahlen" not in waiting

    back = pay_with_card(client, local(checkout), SUCCEEDS)
    client.get(local(back.headers["Location"]))
    paid = client.get(submission_url).get_data(as_text=True)
    assert "Eingegangen und bezahlt" in paid
    assert "Zahlung fortsetzen" not in paid


def test_erika_reads_what_was_refunded_and_what_failed_to_be(
    app, client, musterstadt, apply_and_submit
):
    """The clerk gives the fee back in two parts, and the second fails at the provider (her
    card was closed). Her payment reads "teilweise erstattet" again, and her application
    says why: it lists both refunds, the failed one with the reason, and not the clerk's
    own note on them."""
    submitted = apply_and_submit()
    pay_url = local(submitted.headers["Location"])
    reference = reference_of(pay_url)
    to_provider = choose(client, pay_url)
    pay_with_card(client, local(to_provider.headers["Location"]), SUCCEEDS)
    with tenant_scope(musterstadt.id):
        payment = db.session.scalars(select(Payment)).one()
    clerk = {"Authorization": f"Bearer {dev_token(app, '--role', 'clerk')}"}
    refunds = f"/api/v1/tenants/musterstadt/payments/{payment.id}/refunds"
    made = [
        client.post(refunds, json={"amount_cents": cents, "reason": note}, headers=clerk)
        for cents, note in ((1000, "Teil laut Bescheid"), (2070, "Rest laut Bescheid"))
    ]
    assert [answer.status_code for answer in made] == [201, 201]
    fail_sandbox_refund(
        musterstadt, payment, made[1].json["provider_refund_id"], "expired_or_canceled_card"
    )
    assert client.post(f"{refunds}/comparison", headers=clerk).json["failed"]

    page = client.get(f"/t/musterstadt/submissions/{reference}").get_data(as_text=True)
    day = format_date(today(), format="long", locale="de")
    assert '>Stand der Zahlung</dt><dd class="kern-description-list-item__value">bezahlt, ' in page
    assert "teilweise erstattet</dd>" in page
    assert f"<li>Erstattung über 10,00\xa0€ am {day}</li>" in page
    assert (
        f"<li>Erstattung über 20,70\xa0€ am {day}: konnte nicht ausgezahlt werden (Karte "
        "abgelaufen oder gekündigt), Sie haben diesen Betrag also nicht erhalten. Die Gemeinde "
        "sieht das ebenfalls.</li>"
    ) in page
    assert "laut Bescheid" not in page
