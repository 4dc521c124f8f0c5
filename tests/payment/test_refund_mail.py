"""The citizen learns by email when a fee is refunded, and when a refund failed.

Through the outbox to a real SMTP peer (aiosmtpd): once each, in the application's
language, with the municipality as Reply-To, never with the clerk's own reason.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from amtsweg.payment import refund_notices, service
from amtsweg.platform.db import db, tenant_scope
from amtsweg.platform.outbox import OutboxMessage
from amtsweg.submissions.models import Submission
from tests.delivery.conftest import sweep, time_passes
from tests.payment.helpers import (
    fail_sandbox_refund,
    paid_in_two_tabs,
    signed,
    start,
    statement,
    submit,
    webhook_body,
    webhook_url,
)
from tests.platform.test_bearer_tokens import dev_token

ERIKA = "erika@example.org"


@pytest.fixture
def settings(settings, smtp_server):
    return replace(settings, smtp_url=smtp_server.url)


@pytest.fixture
def clerk(app, musterstadt):
    return {"Authorization": f"Bearer {dev_token(app, '--role', 'clerk')}"}


def paid_by_card(app, client, tenant, **submitted):
    payment = start(app, tenant, submit(app, tenant, confirmation_email=ERIKA, **submitted))
    body = webhook_body(payment, "succeeded")
    assert client.post(webhook_url(tenant), data=body, headers=signed(body)).status_code == 200
    return payment


def refund(client, clerk, payment, cents: int, reason: str = "Antrag zurückgenommen"):
    answer = client.post(
        f"/api/v1/tenants/musterstadt/payments/{payment.id}/refunds",
        json={"amount_cents": cents, "reason": reason},
        headers=clerk,
    )
    assert answer.status_code == 201, answer.json
    return answer.json


def reference_of(tenant, payment) -> str:
    with tenant_scope(tenant.id):
        return db.session.scalar(
            select(Submission.reference).where(Submission.id == payment.submission_id)
        )


def text_of(mail) -> str:
    return mail.get_body().get_content().replace("\r\n", "\n")


def mails_about(smtp_server, reference: str) -> list:
    return [mail for mail in smtp_server.messages if mail["Subject"].startswith(reference)]


@pytest.mark.sqlite
def test_a_refund_and_its_failure_are_each_mailed_once(
    app, client, clerk, musterstadt, smtp_server
) -> None:
    payment = paid_by_card(app, client, musterstadt)
    reference = reference_of(musterstadt, payment)
    smtp_server.wait_for(1)  # the receipt

    made = refund(client, clerk, payment, 1000, reason="laut Bescheid vom 3.12.")

    [mail] = smtp_server.wait_for(2)[1:]
    assert mail["Subject"] == f"{reference}: 10,00\xa0€ erstattet"
    assert mail["To"] == ERIKA
    assert mail["Reply-To"] == "rat@m.example"
    text = text_of(mail)
    assert text.startswith("Guten Tag,\n\nGemeinde Musterstadt hat Ihnen 10,00\xa0€ der Gebühr")
    assert f"für Ihren Antrag {reference} erstattet." in text
    assert "Das Geld geht an das Zahlungsmittel zurück, mit dem Sie bezahlt haben (Karte" in text
    assert "laut Bescheid" not in text

    fail_sandbox_refund(musterstadt, payment, made["provider_refund_id"], "lost_or_stolen_card")
    compared = client.post(
        f"/api/v1/tenants/musterstadt/payments/{payment.id}/refunds/comparison", headers=clerk
    )
    assert compared.json["failed"]

    [failed] = smtp_server.wait_for(3)[2:]
    assert failed["Subject"] == f"{reference}: Erstattung über 10,00\xa0€ nicht ausgezahlt"
    body = text_of(failed)
    assert (
        f"die Erstattung über 10,00\xa0€ zu Ihrem Antrag {reference} konnte nicht ausgezahlt "
        "werden (Karte als verloren oder gestohlen gemeldet), Sie haben diesen Betrag also "
        "nicht erhalten. Gemeinde Musterstadt sieht das ebenfalls und beantwortet Ihre Fragen "
        "dazu.\n\n"
    ) in body
    with tenant_scope(musterstadt.id):
        time_passes()
    sweep(app)
    assert len(mails_about(smtp_server, reference)) == 2  # the receipt's subject is another


def test_the_mail_speaks_the_language_of_the_application(
    app, client, clerk, musterstadt, smtp_server
) -> None:
    payment = paid_by_card(app, client, musterstadt, locale="en")
    reference = reference_of(musterstadt, payment)
    smtp_server.wait_for(1)

    refund(client, clerk, payment, 3070)

    [mail] = smtp_server.wait_for(2)[1:]
    assert mail["Subject"] == f"{reference}: €30.70 refunded"
    assert (
        f"Gemeinde Musterstadt has refunded €30.70 of the fee for your application {reference}."
        in text_of(mail)
    )


def test_a_second_payment_from_another_tab_comes_back_with_the_reason(
    app, client, musterstadt, smtp_server
) -> None:
    submission = submit(app, musterstadt, confirmation_email=ERIKA)
    paid_in_two_tabs(app, client, musterstadt, submission)

    [mail] = [mail for mail in smtp_server.wait_for(2) if "erstattet" in mail["Subject"]]
    assert (
        f"Sie haben die Gebühr für Ihren Antrag {submission.reference} zweimal bezahlt, daher "
        "hat Gemeinde Musterstadt Ihnen die zweite Zahlung über 30,70\xa0€ erstattet."
    ) in text_of(mail)


def test_a_transfer_paid_back_by_the_treasury_says_so(
    app, client, clerk, musterstadt, smtp_server
) -> None:
    transfer = start(
        app, musterstadt, submit(app, musterstadt, confirmation_email=ERIKA), "banktransfer"
    )
    with tenant_scope(musterstadt.id):
        service.import_statement(
            musterstadt, statement(("E1", "30.70", transfer.kassenzeichen, "Erika"))
        )
        db.session.commit()
    smtp_server.wait_for(1)

    refund(client, clerk, transfer, 3070)

    [mail] = smtp_server.wait_for(2)[1:]
    body = text_of(mail)
    assert "Die Kasse der Gemeinde zahlt den Betrag per Überweisung zurück." in body
    assert "Zahlungsmittel" not in body


def test_nobody_is_written_to_without_an_address(app, client, clerk, musterstadt) -> None:
    payment = start(app, musterstadt, submit(app, musterstadt))
    body = webhook_body(payment, "succeeded")
    client.post(webhook_url(musterstadt), data=body, headers=signed(body))

    refund(client, clerk, payment, 500)

    with tenant_scope(musterstadt.id):
        message = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == refund_notices.MADE)
        ).one()
    assert message.status.value == "done"  # handled: there was nobody to tell


def test_each_refund_is_a_mail_of_its_own(app, client, clerk, musterstadt, smtp_server) -> None:
    payment = paid_by_card(app, client, musterstadt)
    reference = reference_of(musterstadt, payment)
    smtp_server.wait_for(1)

    refund(client, clerk, payment, 100)
    refund(client, clerk, payment, 200)

    smtp_server.wait_for(3)
    assert [mail["Subject"] for mail in mails_about(smtp_server, reference)] == [
        f"{reference}: 1,00\xa0€ erstattet",
        f"{reference}: 2,00\xa0€ erstattet",
    ]


def test_a_refund_that_failed_before_its_mail_went_out_is_told_only_as_failed(
    app, client, clerk, musterstadt, smtp_server
) -> None:
    payment = paid_by_card(app, client, musterstadt)
    reference = reference_of(musterstadt, payment)
    smtp_server.wait_for(1)
    smtp_server.reply_next("451 4.3.0 Mailbox busy, try later")
    made = refund(client, clerk, payment, 1000)
    assert mails_about(smtp_server, reference) == []  # turned away, to be tried again

    fail_sandbox_refund(
        musterstadt, payment, made["provider_refund_id"], "expired_or_canceled_card"
    )
    client.post(
        f"/api/v1/tenants/musterstadt/payments/{payment.id}/refunds/comparison", headers=clerk
    )
    with tenant_scope(musterstadt.id):
        time_passes()
    sweep(app)  # the first mail's retry is due now

    [failed] = mails_about(smtp_server, reference)
    assert failed["Subject"] == f"{reference}: Erstattung über 10,00\xa0€ nicht ausgezahlt"
    with tenant_scope(musterstadt.id):
        first = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == refund_notices.MADE)
        ).one()
        assert (first.status.value, first.attempts) == ("done", 2)
