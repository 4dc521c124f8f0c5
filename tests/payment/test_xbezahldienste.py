"""XBezahldienste against the platform peer (ePayBL / pmPayment / epay21 style): the citizen's
journey through HTTP, the status read after a return that carries none, booking data from
the tenant and the form into the platform and the HKR export, both logins, polling."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import re
from decimal import Decimal

import pytest
import requests
from sqlalchemy import select

from amtsweg.payment import service
from amtsweg.payment.interfaces import PaymentRequest
from amtsweg.payment.models import Payment, PaymentStatus
from amtsweg.platform.db import db, tenant_scope
from tests.isolation import assert_other_tenant_gets_404
from tests.login import csrf_token, local
from tests.payment.conftest import FORM, offer_fee_form
from tests.payment.helpers import connected
from tests.payment.test_journey import choose
from tests.peers.xbezahldienste import (  # noqa: F401
    Bezahldienst,
    xbezahldienste,
    xbezahldienste_oauth,
)
from tests.platform.test_bearer_tokens import dev_token

ORIGINATOR, ENDPOINT = "amtsweg-hundesteuer", "09162000"
HAUSHALTSSTELLE, OBJEKTNUMMER = "1.1100.1001", "OBJ-4711"


def connect_platform(tenant, platform: Bezahldienst, **changes: str) -> None:
    login = (
        {"auth": "basic", "username": platform.username, "password": platform.password}
        if platform.auth == "basic"
        else {
            "auth": "oauth2",
            "token_url": platform.token_url,
            "client_id": platform.client_id,
            "client_secret": platform.client_secret,
        }
    )
    with tenant_scope(tenant.id):
        service.connect_account(
            tenant,
            "xbezahldienste",
            {
                "base_url": platform.base_url,
                "originator_id": ORIGINATOR,
                "endpoint_id": ENDPOINT,
                "booking_data": "Mandant=0815; Bewirtschafter=32",
                **login,
                **changes,
            },
        )
        db.session.commit()


def admin(app, slug: str = "musterstadt") -> dict[str, str]:
    token = dev_token(app, "--role", "tenant_admin", "--tenant", slug)
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def town(app, client, musterstadt, xbezahldienste):  # noqa: F811
    """Musterstadt on an epay21-style platform (Basic login) that insists on booking data;
    the form's booking codes are set by the tenant's admin."""
    xbezahldienste.required_booking_data = ("Haushaltsstelle", "Objektnummer", "Mandant")
    connect_platform(musterstadt, xbezahldienste)
    saved = client.put(
        f"/api/v1/tenants/musterstadt/payment/booking-codes/{FORM}",
        json={"haushaltsstelle": HAUSHALTSSTELLE, "objektnummer": OBJEKTNUMMER},
        headers=admin(app),
    )
    assert saved.status_code == 200, saved.json
    return musterstadt


def to_platform(client, pay_url: str) -> str:
    response = choose(client, pay_url, "xbezahldienste")
    assert response.status_code == 303, response.get_data(as_text=True)
    return response.headers["Location"]


def on_pay_page(pay_page: str, outcome: str) -> str:
    """The citizen's choice on the platform's pay page; where the platform sends them back."""
    page = requests.get(pay_page, timeout=10)
    assert page.status_code == 200
    assert "30,70 EUR" in page.text
    action = re.search(r'action="([^"]+)"', page.text).group(1)
    answer = requests.post(
        pay_page.split("/paypage/", maxsplit=1)[0] + action,
        data={"outcome": outcome},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 303
    return answer.headers["Location"]


def payments(tenant) -> list[Payment]:
    with tenant_scope(tenant.id):
        db.session.expire_all()
        return list(db.session.scalars(select(Payment).order_by(Payment.created_at)))


def test_summary_pay_page_return_without_status_confirmation(
    app,
    client,
    town,
    xbezahldienste,  # noqa: F811
    apply_and_submit,
):
    pay_url = local(apply_and_submit().headers["Location"])
    pay_page = to_platform(client, pay_url)
    [payment] = payments(town)
    transaction = xbezahldienste.transactions[payment.provider_payment_id]
    assert pay_page == transaction_redirect_url(xbezahldienste, payment.provider_payment_id)
    sent = transaction["paymentRequest"]
    assert sent["grosAmount"] == Decimal("30.7")  # the tenant's fee, in euros
    assert sent["purpose"] == payment.kassenzeichen
    assert sent["redirectUrl"].endswith(f"/payments/{payment.id}/return")
    assert sent["items"][0]["bookingData"] == {
        "Mandant": "0815",
        "Bewirtschafter": "32",
        "Haushaltsstelle": HAUSHALTSSTELLE,
        "Objektnummer": OBJEKTNUMMER,
    }
    assert sent["requestor"]["name"]

    back = on_pay_page(pay_page, "PAYED")
    assert back == sent["redirectUrl"]  # the platform's return carries no status
    returned = client.get(local(back))
    assert returned.status_code == 302
    confirmation = client.get(local(returned.headers["Location"])).get_data(as_text=True)
    assert "Eingegangen und bezahlt" in confirmation
    assert payment.kassenzeichen in confirmation
    status_reads = [
        path
        for method, path in xbezahldienste.calls
        if method == "GET" and "/paymenttransaction/" in path
    ]
    assert len(status_reads) == 1

    clerk = {
        "Authorization": f"Bearer {dev_token(app, '--role', 'clerk', '--tenant', 'musterstadt')}"
    }
    export = client.get("/api/v1/tenants/musterstadt/payments/export.csv", headers=clerk)
    [row] = list(csv.DictReader(io.StringIO(export.get_data(as_text=True))))
    assert (row["kassenzeichen"], row["haushaltsstelle"], row["objektnummer"]) == (
        payment.kassenzeichen,
        HAUSHALTSSTELLE,
        OBJEKTNUMMER,
    )
    assert (row["zahlungsdienst"], row["transaktions_id"], row["betrag"]) == (
        "xbezahldienste",
        payment.provider_payment_id,
        "30.70",
    )


def test_what_the_platform_receives_field_by_field(
    app,
    musterstadt,
    xbezahldienste,  # noqa: F811
):
    """The payment request as the treasury's platform books it: whole euros as that many
    euros, no tax, one item with the fee, the requestor, and booking keys without a value
    (the account's or the form's) left out."""
    connect_platform(musterstadt, xbezahldienste, booking_data="Mandant=; Bewirtschafter=32")
    request = PaymentRequest(
        amount_cents=2500,
        currency="EUR",
        kassenzeichen="MUS2026000042",
        description="MUS-2026-000042 Hundesteuer",
        return_url="https://amtsweg.example/back",
        idempotency_key="amtsweg-whole-euros",
        booking_data={"Haushaltsstelle": HAUSHALTSSTELLE, "Objektnummer": ""},
        payer_name="Erika Mustermann",
    )
    with app.test_request_context(), tenant_scope(musterstadt.id):
        account, provider = connected(musterstadt, "xbezahldienste")
        started = provider.start(account, request)
        anonymous = provider.start(
            account,
            dataclasses.replace(request, payer_name="", idempotency_key="amtsweg-anonymous"),
        )
    # Without the payer's name there is no requestor rather than one without a name.
    assert (
        "requestor"
        not in xbezahldienste.transactions[anonymous.provider_payment_id]["paymentRequest"]
    )
    sent = dict(xbezahldienste.transactions[started.provider_payment_id]["paymentRequest"])
    assert re.fullmatch(r"[0-9a-f]{32}", sent.pop("requestId"))
    stamp = sent.pop("requestTimestamp")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", stamp)  # UTC, to the ms
    assert abs(dt.datetime.fromisoformat(stamp) - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=1)
    assert sent == {
        "currency": "EUR",
        "grosAmount": 25,
        "purpose": "MUS2026000042",
        "description": "MUS-2026-000042 Hundesteuer",
        "redirectUrl": "https://amtsweg.example/back",
        "items": [
            {
                "id": "gebuehr",
                "reference": "MUS2026000042",
                "description": "MUS-2026-000042 Hundesteuer",
                "quantity": 1,
                "taxRate": 0,
                "singleNetAmount": 25,
                "singleTaxAmount": 0,
                "totalNetAmount": 25,
                "totalTaxAmount": 0,
                "bookingData": {"Bewirtschafter": "32", "Haushaltsstelle": HAUSHALTSSTELLE},
            }
        ],
        "requestor": {"name": "Erika Mustermann", "isOrganization": False},
    }


def transaction_redirect_url(platform: Bezahldienst, transaction_id: str) -> str:
    return f"{platform.url}/paypage/{transaction_id}"


def test_failed_then_cancelled_then_paid_again(
    client,
    town,
    xbezahldienste,  # noqa: F811
    apply_and_submit,
):
    pay_url = local(apply_and_submit().headers["Location"])
    for outcome in ("FAILED", "CANCELED"):
        back = client.get(local(on_pay_page(to_platform(client, pay_url), outcome)))
        assert back.status_code == 200
        assert "Die Zahlung ist nicht gelungen" in back.get_data(as_text=True)
    paid = client.get(local(on_pay_page(to_platform(client, pay_url), "PAYED")))
    assert paid.status_code == 302
    assert [p.status for p in payments(town)] == [
        PaymentStatus.FAILED,
        PaymentStatus.CANCELLED,
        PaymentStatus.SUCCEEDED,
    ]
    assert len({p.kassenzeichen for p in payments(town)}) == 3


def test_platform_down_at_creation_keeps_the_submission(
    client,
    town,
    xbezahldienste,  # noqa: F811
    apply_and_submit,
):
    xbezahldienste.down = True
    pay_url = local(apply_and_submit().headers["Location"])
    page = client.get(pay_url)
    down = client.post(pay_url, data={"csrf_token": csrf_token(page), "provider": "xbezahldienste"})
    assert down.status_code == 503
    assert "Der Zahlungsdienst ist gerade nicht erreichbar" in down.get_data(as_text=True)
    assert payments(town) == []
    xbezahldienste.down = False
    assert to_platform(client, pay_url).startswith(xbezahldienste.url)


def test_a_citizen_who_never_comes_back_is_settled_by_the_polling_job(
    app,
    client,
    town,
    xbezahldienste,  # noqa: F811
    apply_and_submit,
):
    pay_url = local(apply_and_submit().headers["Location"])
    to_platform(client, pay_url)
    [payment] = payments(town)
    waiting = client.get(f"/t/musterstadt/payments/{payment.id}/return")
    assert "Zahlung in Bearbeitung" in waiting.get_data(as_text=True)  # INITIAL: not yet paid
    xbezahldienste.pay(payment.provider_payment_id)  # and the tab is closed
    result = app.test_cli_runner().invoke(args=["payments", "poll"])
    assert result.exit_code == 0, result.output
    assert "musterstadt: 1 settled" in result.output
    assert payments(town)[0].status is PaymentStatus.SUCCEEDED


def test_oauth2_platform_with_one_token_for_several_calls(
    client,
    musterstadt,
    xbezahldienste_oauth,  # noqa: F811
    apply_and_submit,
):
    connect_platform(musterstadt, xbezahldienste_oauth)
    pay_url = local(apply_and_submit().headers["Location"])
    paid = client.get(local(on_pay_page(to_platform(client, pay_url), "PAYED")))
    assert paid.status_code == 302
    assert payments(musterstadt)[0].status is PaymentStatus.SUCCEEDED
    token_calls = [path for _, path in xbezahldienste_oauth.calls if path.startswith("/oauth/")]
    assert len(token_calls) == 1  # POST and GET with the same cached token


def test_admins_test_the_connection_with_the_password_masked(
    app,
    client,
    town,
    xbezahldienste,  # noqa: F811
):
    headers = admin(app)
    listing = client.get("/api/v1/tenants/musterstadt/payment/providers", headers=headers)
    entry = next(p for p in listing.json["providers"] if p["key"] == "xbezahldienste")
    assert entry["credentials"] == {"password": "••••cret"}
    assert entry["settings"]["originator_id"] == ORIGINATOR
    assert entry["webhook_url"] == ""  # XBezahldienste notifies nobody: no address to hand out
    tested = client.post(
        "/api/v1/tenants/musterstadt/payment/providers/xbezahldienste/test", headers=headers
    )
    assert tested.status_code == 204
    connect_platform(town, xbezahldienste, password="falsch")
    refused = client.post(
        "/api/v1/tenants/musterstadt/payment/providers/xbezahldienste/test", headers=headers
    )
    assert refused.status_code == 422
    assert "FORBIDDEN" in refused.json["detail"]


def test_notifications_are_refused_and_another_tenant_sees_nothing(
    client,
    town,
    xbezahldienste,  # noqa: F811
    apply_and_submit,
    create_tenant,
):
    other = create_tenant("nachbarort", "Gemeinde Nachbarort", contact_email="amt@n.example")
    with tenant_scope(other.id):
        offer_fee_form(other)
    connect_platform(other, xbezahldienste)
    to_platform(client, local(apply_and_submit().headers["Location"]))
    [payment] = payments(town)
    posted = client.post(
        "/api/v1/tenants/musterstadt/payment/webhooks/xbezahldienste",
        json={"transactionId": payment.provider_payment_id, "status": "PAYED"},
    )
    assert posted.status_code == 400  # the standard has no notifications: nothing to trust
    assert payments(town)[0].status is PaymentStatus.PENDING
    assert_other_tenant_gets_404(
        client, f"/t/musterstadt/payments/{payment.id}/return", owner=town, other=other
    )
