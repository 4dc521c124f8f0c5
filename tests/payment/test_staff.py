"""The municipality's side: admins connect and test providers, clerks list, refund, export."""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from amtsweg.payment import service
from amtsweg.payment.interfaces import RemoteRefund
from amtsweg.payment.models import PaymentStatus
from amtsweg.payment.providers import sandbox
from amtsweg.platform.db import db, tenant_scope
from amtsweg.submissions.models import Submission
from amtsweg.tenants.models import AuditEntry
from tests.isolation import assert_other_tenant_gets_404
from tests.login import csrf_token
from tests.payment.conftest import FORM, WEBHOOK_SECRET, connect_sandbox
from tests.payment.helpers import (
    connected,
    fail_sandbox_refund,
    recorded_refunds,
    reload,
    signed,
    start,
    submit,
    webhook_body,
    webhook_url,
)
from tests.platform.test_bearer_tokens import dev_token

API = "/api/v1/tenants/musterstadt"
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def admin(app, musterstadt):
    token = dev_token(app, "--role", "tenant_admin", "--tenant", "musterstadt")
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def clerk(app, musterstadt):
    return {
        "Authorization": f"Bearer {dev_token(app, '--role', 'clerk', '--tenant', 'musterstadt')}"
    }


@pytest.fixture
def paid(app, client, musterstadt):
    payment = start(app, musterstadt, submit(app, musterstadt))
    body = webhook_body(payment, "succeeded")
    assert (
        client.post(webhook_url(musterstadt), data=body, headers=signed(body)).json["outcome"]
        == "changed"
    )
    return payment


def test_admins_see_providers_with_secrets_masked_and_giropay_explained(client, admin) -> None:
    listing = client.get(f"{API}/payment/providers", headers=admin)
    assert listing.status_code == 200
    sandbox = next(p for p in listing.json["providers"] if p["key"] == "sandbox")
    assert sandbox["connected"]
    assert sandbox["enabled"]
    assert sandbox["credentials"] == {"webhook_secret": "••••cdef"}
    assert WEBHOOK_SECRET not in listing.get_data(as_text=True)
    assert sandbox["webhook_url"].endswith("/api/v1/tenants/musterstadt/payment/webhooks/sandbox")
    # What the municipality's IT subscribes the address to at each provider.
    events = {p["key"]: p["notification_events"] for p in listing.json["providers"]}
    assert events["sandbox"] == []  # it posts its own notifications
    assert {"checkout.session.completed", "payment_intent.succeeded", "charge.refunded"} <= set(
        events["stripe"]
    )
    assert {"CHECKOUT.ORDER.APPROVED", "PAYMENT.CAPTURE.REFUNDED"} <= set(events["paypal"])
    assert events["banktransfer"] == []
    assert "31 December 2024" in listing.json["retired"]["giropay"]
    assert "giropay" not in {p["key"] for p in listing.json["providers"]}


def test_admins_connect_and_test_a_provider(client, admin) -> None:
    saved = client.put(
        f"{API}/payment/providers/stripe",
        json={"values": {"secret_key": "sk_test_1234567890abcd", "webhook_secret": "whsec_x"}},
        headers=admin,
    )
    assert saved.status_code == 200, saved.json
    assert saved.json["credentials"]["secret_key"] == "••••abcd"
    missing = client.put(
        f"{API}/payment/providers/banktransfer", json={"values": {}}, headers=admin
    )
    assert missing.status_code == 422
    assert {e["pointer"] for e in missing.json["errors"]} == {"/account_holder", "/iban", "/bic"}
    assert client.post(f"{API}/payment/providers/sandbox/test", headers=admin).status_code == 204


@pytest.mark.parametrize("key", ["giropay", "nope"])
def test_a_provider_that_does_not_exist_is_a_404(client, admin, key) -> None:
    saved = client.put(f"{API}/payment/providers/{key}", json={"values": {}}, headers=admin)
    assert (saved.status_code, saved.content_type) == (404, "application/problem+json")
    assert client.post(f"{API}/payment/providers/{key}/test", headers=admin).status_code == 404
    notified = client.post(f"{API}/payment/webhooks/{key}", data=b"{}")
    assert notified.status_code == 404


def test_clerks_cannot_connect_providers_and_nobody_without_a_token(client, clerk) -> None:
    assert client.get(f"{API}/payment/providers", headers=clerk).status_code == 404
    assert client.get(f"{API}/payment/providers").status_code == 401
    assert (
        client.post(
            f"{API}/payments/00000000-0000-0000-0000-000000000000/refunds", data="not json"
        ).status_code
        == 401
    )


def test_clerks_filter_refund_and_never_beyond_what_is_left(client, clerk, paid) -> None:
    kassenzeichen, refunds = paid.kassenzeichen, f"{API}/payments/{paid.id}/refunds"
    listed = client.get(f"{API}/payments", query_string={"status": "succeeded"}, headers=clerk)
    assert [p["kassenzeichen"] for p in listed.json] == [kassenzeichen]
    assert (
        client.get(f"{API}/payments", query_string={"status": "failed"}, headers=clerk).json == []
    )
    assert (
        client.get(
            f"{API}/payments", query_string={"status": "nonsense"}, headers=clerk
        ).status_code
        == 422
    )
    too_much = client.post(refunds, json={"amount_cents": 3071, "reason": "Fehler"}, headers=clerk)
    assert too_much.status_code == 422
    assert too_much.json["errors"][0]["pointer"] == "/amount_cents"
    done = client.post(refunds, json={"amount_cents": 1070, "reason": "Ermäßigung"}, headers=clerk)
    assert done.status_code == 201
    listed_refund = client.get(refunds, headers=clerk).json[0]
    assert listed_refund["reason"] == "Ermäßigung"
    assert (done.json["id"], done.json["created_at"]) == (
        listed_refund["id"],
        listed_refund["created_at"],
    )
    assert done.json["id"] is not None
    again = client.post(refunds, json={"amount_cents": 2001, "reason": "Rest"}, headers=clerk)
    assert again.status_code == 422
    state = client.get(f"{API}/payments", headers=clerk).json[0]
    assert (state["status"], state["refunded_cents"]) == ("partially_refunded", 1070)


def test_the_hkr_export_in_both_variants(client, admin, clerk, paid, musterstadt) -> None:
    client.put(
        f"{API}/payment/booking-codes/{FORM}",
        json={"haushaltsstelle": "1.1200.43100", "objektnummer": "PARK-01"},
        headers=admin,
    )
    plain = client.get(f"{API}/payments/export.csv", headers=clerk)
    assert plain.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(plain.get_data(as_text=True))))
    assert len(rows) == 1
    row = rows[0]
    assert row["kassenzeichen"] == paid.kassenzeichen
    assert (row["haushaltsstelle"], row["objektnummer"]) == ("1.1200.43100", "PARK-01")
    assert (row["betrag"], row["waehrung"], row["zahlungsdienst"]) == ("30.70", "EUR", "sandbox")
    assert row["transaktions_id"] == paid.provider_payment_id
    assert row["status"] == "succeeded"
    assert row["erstattet"] == "0.00"
    with tenant_scope(musterstadt.id):
        submission = db.session.get_one(Submission, (musterstadt.id, paid.submission_id))
    assert row["antrag"] == submission.reference
    assert row["buchungsdatum"] == dt.datetime.now(BERLIN).date().isoformat()  # paid today
    excel = client.get(
        f"{API}/payments/export.csv", query_string={"variant": "excel"}, headers=clerk
    )
    assert excel.data.startswith(b"\xef\xbb\xbf")
    lines = excel.data[3:].decode("utf-8").splitlines()
    assert lines[0].split(";")[0] == "kassenzeichen"
    assert ";30,70;EUR;" in lines[1]


def test_clerk_pages_list_and_refund(client, log_in, musterstadt, paid) -> None:
    log_in("clerk-musterstadt")
    page = client.get("/t/musterstadt/clerk/payments/?status=succeeded")
    assert page.status_code == 200
    assert paid.kassenzeichen in page.get_data(as_text=True)
    detail_url = f"/t/musterstadt/clerk/payments/{paid.id}"
    detail = client.get(detail_url)
    token = csrf_token(detail)
    refused = client.post(detail_url, data={"csrf_token": token, "amount": "30,71", "reason": "x"})
    assert refused.status_code == 422
    assert "höchstens 3070 Cent" in refused.get_data(as_text=True)
    done = client.post(
        detail_url, data={"csrf_token": token, "amount": "10,00 €", "reason": "Teil"}
    )
    assert done.status_code == 303
    assert "Teil" in client.get(detail_url).get_data(as_text=True)
    assert client.get("/t/musterstadt/admin/payment/").status_code == 404  # admins only


def test_a_refund_the_provider_did_not_answer_leaves_no_refund_behind(
    client, log_in, musterstadt, paid
) -> None:
    """The provider does not answer when asked which refunds it holds, so nothing was
    sent: the clerk reads that nothing was refunded, and nothing is recorded as
    refunded, neither on the page nor in the payment's refunds."""
    connect_sandbox(musterstadt, outage="yes")
    db.session.commit()
    log_in("clerk-musterstadt")
    detail_url = f"/t/musterstadt/clerk/payments/{paid.id}"
    token = csrf_token(client.get(detail_url))
    down = client.post(detail_url, data={"csrf_token": token, "amount": "10,00", "reason": "Teil"})
    assert down.status_code == 503
    assert "es wurde nichts erstattet" in down.get_data(as_text=True)
    assert "Teil" not in down.get_data(as_text=True)
    assert "Teil" not in client.get(detail_url).get_data(as_text=True)
    assert recorded_refunds(musterstadt, paid) == []


def test_a_refund_the_clerk_cannot_know_of_is_shown_before_another_is_made(
    app, client, log_in, musterstadt, paid
) -> None:
    """The provider made a refund our books lack (its answer lost, or made in its own
    dashboard). The clerk's refund is not made on top of it: the page says so, lists
    the refund found, and the next refund the clerk asks for is made."""
    with app.test_request_context(), tenant_scope(musterstadt.id):
        view, provider = connected(musterstadt, "sandbox")
        elsewhere = provider.refund(view, paid.provider_payment_id, 500, "kasse-4711")
        db.session.commit()
    log_in("clerk-musterstadt")
    detail_url = f"/t/musterstadt/clerk/payments/{paid.id}"
    token = csrf_token(client.get(detail_url))
    asked = {"csrf_token": token, "amount": "10,00", "reason": "Teil"}

    found = client.post(detail_url, data=asked)
    assert (found.status_code, found.location) == (303, detail_url)
    page = client.get(detail_url).get_data(as_text=True)
    assert "schon 5,00\xa0€ erstattet" in page
    assert "Die Erstattung über 10,00\xa0€ wurde nicht ausgeführt" in page
    assert f"{service.FOUND_REASON} (beim Zahlungsdienst: {elsewhere})" in page
    assert "Teil" not in page
    assert sandbox_refunded(app, musterstadt, paid) == 500

    assert client.post(detail_url, data=asked).status_code == 303
    assert "Teil" in client.get(detail_url).get_data(as_text=True)
    assert sandbox_refunded(app, musterstadt, paid) == 1500
    assert reload(musterstadt, paid).refunded_cents == 1500


def test_the_clerk_compares_refunds_with_the_provider_and_nothing_is_refunded(
    app, client, log_in, musterstadt, paid
) -> None:
    """Comparing records a refund made at the provider itself (a notification that never
    came) and refunds nothing. A refund made here whose answer was lost is named for
    the clerk's retry, not recorded: the retry records it as the clerk's, once."""
    log_in("clerk-musterstadt")
    detail_url = f"/t/musterstadt/clerk/payments/{paid.id}"
    compare_url = f"{detail_url}/compare-refunds"
    page = client.get(detail_url)
    assert "Mit dem Zahlungsdienst abgleichen" in page.get_data(as_text=True)
    token = csrf_token(page)

    same = client.post(compare_url, data={"csrf_token": token})
    assert (same.status_code, same.location) == (303, detail_url)
    assert "stimmen mit denen des Zahlungsdienstes überein" in client.get(detail_url).get_data(
        as_text=True
    )

    with app.test_request_context(), tenant_scope(musterstadt.id):
        view, provider = connected(musterstadt, "sandbox")
        # The key the clerk's refund of 10 € sends (docs/payment.md, "Refunds"): made at
        # the provider, but its answer never reached us.
        provider.refund(view, paid.provider_payment_id, 1000, f"amtsweg-refund-{paid.id}-0-1000")
        db.session.commit()
    assert client.post(compare_url, data={"csrf_token": token}).status_code == 303
    page = client.get(detail_url).get_data(as_text=True)
    assert "Beim Zahlungsdienst liegt eine hier ausgelöste Erstattung über 10,00\xa0€" in page
    assert recorded_refunds(musterstadt, paid) == []
    retried = client.post(
        detail_url, data={"csrf_token": token, "amount": "10,00", "reason": "Teil"}
    )
    assert retried.status_code == 303
    assert [(r.amount_cents, r.reason) for r in recorded_refunds(musterstadt, paid)] == [
        (1000, "Teil")
    ]
    assert sandbox_refunded(app, musterstadt, paid) == 1000

    with app.test_request_context(), tenant_scope(musterstadt.id):
        view, provider = connected(musterstadt, "sandbox")
        elsewhere = provider.refund(view, paid.provider_payment_id, 500, "kasse-4711")
        db.session.commit()
    assert client.post(compare_url, data={"csrf_token": token}).status_code == 303
    page = client.get(detail_url).get_data(as_text=True)
    assert "Beim Zahlungsdienst war schon 5,00\xa0€ erstattet, das hier fehlte" in page
    assert f"{service.FOUND_REASON} (beim Zahlungsdienst: {elsewhere})" in page
    assert [(r.amount_cents, r.reason) for r in recorded_refunds(musterstadt, paid)] == [
        (1000, "Teil"),
        (500, service.FOUND_REASON),
    ]
    assert sandbox_refunded(app, musterstadt, paid) == 1500  # comparing refunded nothing
    assert reload(musterstadt, paid).refunded_cents == 1500


def test_comparing_names_several_lost_refunds_and_the_next_refund_records_them(
    app, client, log_in, musterstadt, paid
) -> None:
    """Two refunds made here lost their answers (the second one's key names the first as
    refunded, as a retry after a recorded refund would). No single retry is recognised
    then: the page says the next refund records them and is itself not made, and so it
    is."""
    with app.test_request_context(), tenant_scope(musterstadt.id):
        view, provider = connected(musterstadt, "sandbox")
        provider.refund(view, paid.provider_payment_id, 500, f"amtsweg-refund-{paid.id}-0-500")
        provider.refund(view, paid.provider_payment_id, 700, f"amtsweg-refund-{paid.id}-500-700")
        db.session.commit()
    log_in("clerk-musterstadt")
    detail_url = f"/t/musterstadt/clerk/payments/{paid.id}"
    token = csrf_token(client.get(detail_url))
    assert (
        client.post(f"{detail_url}/compare-refunds", data={"csrf_token": token}).status_code == 303
    )
    page = client.get(detail_url).get_data(as_text=True)
    assert (
        "Beim Zahlungsdienst liegen 2 hier ausgelöste Erstattungen, deren Antworten verloren "
        "gingen (zusammen 12,00\xa0€). Die nächste Erstattung, die Sie auslösen, verbucht sie "
        "und wird selbst nicht ausgeführt."
    ) in page
    assert recorded_refunds(musterstadt, paid) == []

    asked = client.post(detail_url, data={"csrf_token": token, "amount": "5,00", "reason": "Teil"})
    assert asked.status_code == 303
    assert [r.amount_cents for r in recorded_refunds(musterstadt, paid)] == [500, 700]
    assert sandbox_refunded(app, musterstadt, paid) == 1200  # the 5 € asked for was not made


def test_comparing_says_when_the_provider_cannot_tell_and_a_payment_without_money_offers_none(
    app, client, log_in, musterstadt, paid
) -> None:
    log_in("clerk-musterstadt")
    unpaid = start(app, musterstadt, submit(app, musterstadt))
    unpaid_url = f"/t/musterstadt/clerk/payments/{unpaid.id}"
    assert "Mit dem Zahlungsdienst abgleichen" not in client.get(unpaid_url).get_data(as_text=True)
    detail_url = f"/t/musterstadt/clerk/payments/{paid.id}"
    token = csrf_token(client.get(detail_url))
    with tenant_scope(musterstadt.id):  # the provider no longer knows the payment
        db.session.delete(sandbox.find_charge(uuid.UUID(paid.provider_payment_id[4:])))
        db.session.commit()
    unknown = client.post(f"{detail_url}/compare-refunds", data={"csrf_token": token})
    assert unknown.status_code == 303
    assert (
        "Der Zahlungsdienst hat es abgelehnt, die Erstattungen der Zahlung zu nennen: "
        "no such charge" in client.get(detail_url).get_data(as_text=True)
    )
    connect_sandbox(musterstadt, outage="yes")
    db.session.commit()
    down = client.post(f"{detail_url}/compare-refunds", data={"csrf_token": token})
    assert down.status_code == 303
    assert "Der Zahlungsdienst hat nicht geantwortet; es wurde nichts erstattet" in client.get(
        detail_url
    ).get_data(as_text=True)
    assert recorded_refunds(musterstadt, paid) == []


def test_the_api_compares_refunds_with_the_provider(app, client, clerk, musterstadt, paid):
    comparison = f"{API}/payments/{paid.id}/refunds/comparison"
    with app.test_request_context(), tenant_scope(musterstadt.id):
        view, provider = connected(musterstadt, "sandbox")
        elsewhere = provider.refund(view, paid.provider_payment_id, 700, "kasse-1")
        lost = provider.refund(
            view, paid.provider_payment_id, 300, f"amtsweg-refund-{paid.id}-0-300"
        )
        db.session.commit()
    answer = client.post(comparison, headers=clerk)
    assert answer.status_code == 200
    assert [
        (r["amount_cents"], r["provider_refund_id"], r["reason"]) for r in answer.json["recorded"]
    ] == [(700, elsewhere, service.FOUND_REASON)]
    assert answer.json["lost"] == [{"provider_refund_id": lost, "amount_cents": 300}]
    again = client.post(comparison, headers=clerk).json
    assert again == {
        "recorded": [],
        "lost": [{"provider_refund_id": lost, "amount_cents": 300}],
        "failed": [],
    }
    assert reload(musterstadt, paid).refunded_cents == 700
    unpaid = start(app, musterstadt, submit(app, musterstadt))
    nothing = client.post(f"{API}/payments/{unpaid.id}/refunds/comparison", headers=clerk)
    assert nothing.json == {"recorded": [], "lost": [], "failed": []}  # no money: none asked

    connect_sandbox(musterstadt, outage="yes")
    db.session.commit()
    down = client.post(comparison, headers=clerk)
    assert down.status_code == 503
    assert down.headers["Content-Type"] == "application/problem+json"


def test_a_refund_that_failed_at_the_provider_no_longer_counts_and_is_made_again(
    client, clerk, log_in, musterstadt, paid
) -> None:
    """A refund the provider carried out fails later (the citizen's card was closed) and
    gives nothing back. Comparing takes it out of the books with the provider's reason:
    the page, the clerk's list, the API and the export say so, and the amount can be
    refunded again, under a new key (the old one would only bring back the failed one)."""
    log_in("clerk-musterstadt")
    detail_url = f"/t/musterstadt/clerk/payments/{paid.id}"
    token = csrf_token(client.get(detail_url))
    for amount, reason in (("10,00", "Teil"), ("20,70", "Rest")):
        made = client.post(
            detail_url, data={"csrf_token": token, "amount": amount, "reason": reason}
        )
        assert made.status_code == 303
    assert reload(musterstadt, paid).status is PaymentStatus.REFUNDED
    rest = recorded_refunds(musterstadt, paid)[1]
    fail_sandbox_refund(musterstadt, paid, rest.provider_refund_id, "expired_or_canceled_card")

    compared = client.post(f"{detail_url}/compare-refunds", data={"csrf_token": token})
    assert compared.status_code == 303
    page = client.get(detail_url).get_data(as_text=True)
    assert (
        "Die Erstattung über 20,70\xa0€ ist beim Zahlungsdienst fehlgeschlagen "
        "(Karte abgelaufen oder gekündigt) und hat nichts zurückgezahlt; sie zählt nicht mehr als "
        "erstattet."
    ) in page
    assert "beim Zahlungsdienst fehlgeschlagen (Karte abgelaufen oder gekündigt), nichts" in page
    assert "Zu erstattender Betrag in Euro (höchstens 20,70\xa0€)" in page
    # The history in words: paid by the provider's notification, two refunds, one failed.
    assert "(durch Benachrichtigung des Zahlungsdienstes)" in page
    assert page.count("(durch eine Erstattung)") == 2
    assert "(Erstattung beim Zahlungsdienst fehlgeschlagen) \u2013 Karte abgelaufen oder" in page
    payment = reload(musterstadt, paid)
    assert (payment.status, payment.refunded_cents) == (PaymentStatus.PARTIALLY_REFUNDED, 1000)
    with tenant_scope(musterstadt.id):
        back = service.events_of(payment)[-1]
        audit = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "payment.refund_failed")
        ).one()
    assert (back.from_status, back.to_status, back.source) == (
        PaymentStatus.REFUNDED,
        PaymentStatus.PARTIALLY_REFUNDED,
        "refund_failed",
    )
    assert (back.provider_reference, back.detail) == (
        rest.provider_refund_id,
        "expired_or_canceled_card",
    )
    assert (audit.object_type, audit.object_id, audit.details) == (
        "payment",
        str(paid.id),
        {"amount_cents": 2070, "failure": "expired_or_canceled_card"},
    )
    listing = client.get("/t/musterstadt/clerk/payments/").get_data(as_text=True)
    assert "Beim Zahlungsdienst fehlgeschlagene Erstattungen" in listing
    assert '<td class="kern-table__cell">Karte abgelaufen oder gekündigt</td>' in listing
    listed = client.get(f"{API}/payments/{paid.id}/refunds", headers=clerk).json
    assert [(r["amount_cents"], r["failure"], bool(r["failed_at"])) for r in listed] == [
        (1000, None, False),
        (2070, "expired_or_canceled_card", True),
    ]
    exported = next(
        csv.DictReader(
            io.StringIO(
                client.get(f"{API}/payments/export.csv", headers=clerk).get_data(as_text=True)
            )
        )
    )
    assert (exported["status"], exported["erstattet"]) == ("partially_refunded", "10.00")

    assert (
        client.post(f"{detail_url}/compare-refunds", data={"csrf_token": token}).status_code == 303
    )
    assert "stimmen mit denen des Zahlungsdienstes überein" in client.get(detail_url).get_data(
        as_text=True
    )
    assert reload(musterstadt, paid).refunded_cents == 1000  # not taken back twice

    again = client.post(detail_url, data={"csrf_token": token, "amount": "20,70", "reason": "Neu"})
    assert again.status_code == 303
    payment = reload(musterstadt, paid)
    assert (payment.status, payment.refunded_cents) == (PaymentStatus.REFUNDED, 3070)
    newest = recorded_refunds(musterstadt, paid)[-1]
    assert (newest.reason, newest.failed_at) == ("Neu", None)
    assert newest.provider_refund_id != rest.provider_refund_id
    with client.application.test_request_context(), tenant_scope(musterstadt.id):
        view, provider = connected(musterstadt, "sandbox")
        keys = [made.key for made in provider.refunds(view, paid.provider_payment_id)]
    # The failed refund's key again, with the number of failed refunds (docs/payment.md).
    assert keys[-2:] == [
        f"amtsweg-refund-{paid.id}-1000-2070",
        f"amtsweg-refund-{paid.id}-1000-2070-1",
    ]
    assert sandbox_refunded(client.application, musterstadt, paid) == 3070


def test_a_refund_asked_for_after_one_failed_unseen_is_not_made(
    app, client, clerk, musterstadt, paid
) -> None:
    """20 € were refunded, that refund failed, and the treasury then gave the whole fee
    back in the provider's dashboard. A clerk who asks for 5 € now learns both, and
    nothing more is paid out. The books first lose the failed refund, then take up the
    one found, and the payment's history tells it in that order."""
    refunds = f"{API}/payments/{paid.id}/refunds"
    made = client.post(refunds, json={"amount_cents": 2000, "reason": "Teil"}, headers=clerk)
    assert made.status_code == 201
    fail_sandbox_refund(musterstadt, paid, made.json["provider_refund_id"], "lost_or_stolen_card")
    with app.test_request_context(), tenant_scope(musterstadt.id):
        view, provider = connected(musterstadt, "sandbox")
        elsewhere = provider.refund(view, paid.provider_payment_id, 3070, "kasse-4711")
        db.session.commit()

    asked = client.post(refunds, json={"amount_cents": 500, "reason": "Noch"}, headers=clerk)
    assert asked.status_code == 409
    assert asked.json["detail"] == (
        "Die Erstattung über 20,00\xa0€ ist beim Zahlungsdienst fehlgeschlagen "
        "(Karte als verloren oder gestohlen gemeldet) und hat nichts zurückgezahlt; sie zählt "
        "nicht mehr als erstattet. Bitte erstatten Sie erneut oder per Überweisung. Beim "
        "Zahlungsdienst war schon 30,70\xa0€ erstattet, das hier fehlte; es ist jetzt verbucht. "
        "Die Erstattung über 5,00\xa0€ wurde nicht ausgeführt: Bitte prüfen Sie, ob sie noch "
        "nötig ist."
    )
    payment = reload(musterstadt, paid)
    assert (payment.status, payment.refunded_cents) == (PaymentStatus.REFUNDED, 3070)
    assert [
        (r.amount_cents, r.provider_refund_id, r.failure)
        for r in recorded_refunds(musterstadt, paid)
    ] == [
        (2000, made.json["provider_refund_id"], "lost_or_stolen_card"),
        (3070, elsewhere, None),
    ]
    with tenant_scope(musterstadt.id):
        history = [(e.to_status, e.source) for e in service.events_of(payment)][-2:]
    assert history == [
        (PaymentStatus.SUCCEEDED, "refund_failed"),
        (PaymentStatus.REFUNDED, "refund"),
    ]
    assert sandbox_refunded(app, musterstadt, paid) == 3070


def test_the_api_names_refunds_that_failed_when_comparing(client, clerk, musterstadt, paid) -> None:
    refunds = f"{API}/payments/{paid.id}/refunds"
    made = client.post(refunds, json={"amount_cents": 1000, "reason": "Teil"}, headers=clerk)
    wordy = "declined by the issuer " * 30  # kept as far as it fits
    fail_sandbox_refund(musterstadt, paid, made.json["provider_refund_id"], wordy)

    compared = client.post(f"{refunds}/comparison", headers=clerk).json
    assert (compared["recorded"], compared["lost"]) == ([], [])
    [failed] = compared["failed"]
    assert (failed["id"], failed["amount_cents"], failed["failure"]) == (
        made.json["id"],
        1000,
        wordy[:500],
    )
    assert failed["failed_at"]
    assert client.post(f"{refunds}/comparison", headers=clerk).json["failed"] == []
    payment = reload(musterstadt, paid)
    assert (payment.status, payment.refunded_cents) == (PaymentStatus.SUCCEEDED, 0)
    assert payment.settles_submission  # still the payment that pays the submission
    with tenant_scope(musterstadt.id):  # what "Meine Anträge" shows the citizen
        submission = db.session.get_one(
            Submission, (musterstadt.id, paid.submission_id), populate_existing=True
        )
        assert (submission.payment_status, submission.payment["status"]) == (
            "succeeded",
            "succeeded",
        )


def test_several_refunds_that_failed_are_named_together(
    client, clerk, log_in, musterstadt, paid
) -> None:
    refunds = f"{API}/payments/{paid.id}/refunds"
    made = [
        client.post(refunds, json={"amount_cents": cents, "reason": "Teil"}, headers=clerk).json
        for cents in (1000, 500)
    ]
    # A reason we have no words for yet stays the provider's own.
    for refund, why in zip(made, ("declined", "refund_bounced"), strict=True):
        fail_sandbox_refund(musterstadt, paid, refund["provider_refund_id"], why)
    log_in("clerk-musterstadt")
    detail_url = f"/t/musterstadt/clerk/payments/{paid.id}"
    token = csrf_token(client.get(detail_url))
    client.get("/lang/en")  # the clerk chose English
    with client.application.app_context():  # a fresh one: the language is cached per context
        compared = client.post(f"{detail_url}/compare-refunds", data={"csrf_token": token})
        assert compared.status_code == 303
        assert (
            "2 refunds failed at the provider (together €15.00: declined by the card issuer, "
            "refund_bounced) and gave nothing back; they no longer count as refunded. Please "
            "refund again, or by bank transfer."
        ) in client.get(detail_url).get_data(as_text=True)
    assert reload(musterstadt, paid).status is PaymentStatus.SUCCEEDED


def test_the_periodic_comparison_finds_a_failed_refund_no_clerk_looked_for(  # noqa: PLR0917
    app, client, clerk, musterstadt, paid, caplog
) -> None:
    """A provider may not say that a refund failed (PayPal does not), and no clerk may
    compare: ``amtsweg payments compare-refunds``, which the worker runs four times a
    day, takes it out of the books, and records a refund made in the dashboard. A
    provider that does not answer is asked again the next time; a refund older than 30
    days is no longer asked about."""
    second = start(app, musterstadt, submit(app, musterstadt))
    body = webhook_body(second, "succeeded")
    assert client.post(webhook_url(musterstadt), data=body, headers=signed(body)).status_code == 200
    for payment in (paid, second):
        made = client.post(
            f"{API}/payments/{payment.id}/refunds",
            json={"amount_cents": 1000, "reason": "Teil"},
            headers=clerk,
        )
        fail_sandbox_refund(musterstadt, payment, made.json["provider_refund_id"], "unknown")
        with app.test_request_context(), tenant_scope(musterstadt.id):
            view, provider = connected(musterstadt, "sandbox")
            provider.refund(view, payment.provider_payment_id, 300, f"kasse-{payment.id}")
            db.session.commit()

    def compare() -> str:
        result = app.test_cli_runner().invoke(args=["payments", "compare-refunds"])
        assert result.exit_code == 0, result.output
        return result.output

    connect_sandbox(musterstadt, outage="yes")
    db.session.commit()
    assert "musterstadt: 0 failed, 0 found, 2 not answered" in compare()
    left = [r.getMessage() for r in caplog.records if r.name == service.__name__]
    unanswered = "Der Zahlungsdienst hat nicht geantwortet; es wurde nichts erstattet."
    told = f"refunds of payment {paid.id} not compared: {unanswered} Bitte versuchen"
    assert [message for message in left if message.startswith(told)] != []
    assert reload(musterstadt, paid).refunded_cents == 1000
    connect_sandbox(musterstadt)
    db.session.commit()
    assert "musterstadt: 2 failed, 2 found, 0 not answered" in compare()
    for compared in (reload(musterstadt, paid), reload(musterstadt, second)):
        assert (compared.status, compared.refunded_cents) == (PaymentStatus.PARTIALLY_REFUNDED, 300)
    assert "musterstadt: 0 failed, 0 found, 0 not answered" in compare()

    older = client.post(
        f"{API}/payments/{paid.id}/refunds",
        json={"amount_cents": 500, "reason": "Alt"},
        headers=clerk,
    )
    fail_sandbox_refund(musterstadt, paid, older.json["provider_refund_id"], "unknown")
    with tenant_scope(musterstadt.id):  # all of the payment's refunds a month old
        for record in service.refunds_of(reload(musterstadt, paid)):
            record.created_at -= dt.timedelta(days=31)
        db.session.commit()
    assert "musterstadt: 0 failed, 0 found, 0 not answered" in compare()
    assert reload(musterstadt, paid).refunded_cents == 800


def sandbox_refunded(app, tenant, payment) -> int:
    """What the sandbox itself says it gave back of ``payment``, refund by refund."""
    with app.test_request_context(), tenant_scope(tenant.id):
        view, provider = connected(tenant, "sandbox")
        return sum(
            made.amount_cents
            for made in provider.refunds(view, payment.provider_payment_id)
            if made.failure is None
        )


def test_the_sandbox_refunds_once_per_key_and_lists_each_refund(app, musterstadt, paid) -> None:
    with app.test_request_context(), tenant_scope(musterstadt.id):
        view, provider = connected(musterstadt, "sandbox")
        first = provider.refund(view, paid.provider_payment_id, 500, "key-1")
        assert provider.refund(view, paid.provider_payment_id, 500, "key-1") == first
        second = provider.refund(view, paid.provider_payment_id, 700, "key-2")
        assert provider.refunds(view, paid.provider_payment_id) == [
            RemoteRefund(first, 500, "key-1"),
            RemoteRefund(second, 700, "key-2"),
        ]
        assert first != second


def test_admin_page_shows_masked_secrets(client, log_in, musterstadt) -> None:
    log_in("admin-musterstadt")
    page = client.get("/t/musterstadt/admin/payment/")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "••••cdef" in text
    assert WEBHOOK_SECRET not in text
    assert "31. Dezember 2024" in text
    assert "Geheimer Schlüssel (sk_…) des Kontos der Gemeinde" in text  # German first
    assert "Kontoinhaber" in text
    assert (
        "Ereignisse, die dorthin gesendet werden sollen: <code>charge.refund.updated</code>, "
        "<code>charge.refunded</code>, <code>checkout.session.async_payment_failed</code>"
    ) in text


NO_LINE = uuid.UUID(int=1)  # fixed: pytest-xdist's workers must collect the same ids
STAFF_ENDPOINTS = [
    ("/payment/providers", "GET", {}),
    ("/payment/providers/sandbox", "PUT", {"json": {"values": {}}}),
    ("/payment/providers/sandbox/test", "POST", {}),
    (
        f"/payment/booking-codes/{FORM}",
        "PUT",
        {"json": {"haushaltsstelle": "1", "objektnummer": "2"}},
    ),
    ("/payments", "GET", {}),
    ("/payments/export.csv", "GET", {}),
    ("/payment/statements", "POST", {"data": b"<x/>"}),
    ("/payment/statement-lines", "GET", {}),
    (f"/payments/{NO_LINE}/refunds/comparison", "POST", {}),
    (f"/payment/statement-lines/{NO_LINE}/resolution", "POST", {"json": {"resolution": "x"}}),
    ("/payment/providers/sandbox/test-payment", "POST", {}),
    ("/payment/providers/sandbox/test-payment/result", "POST", {}),
]


@pytest.fixture
def their_admin(app, musterstadt, nachbarort):
    token = dev_token(app, "--role", "tenant_admin", "--tenant", nachbarort.slug)
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize(("path", "method", "extra"), STAFF_ENDPOINTS)
def test_staff_endpoints_answer_401_then_404_for_another_tenants_staff(
    client, their_admin, path, method, extra
) -> None:
    response = client.open(f"{API}{path}", method=method, headers=their_admin, **extra)
    assert response.status_code == 404
    assert client.open(f"{API}{path}", method=method, **extra).status_code == 401


def test_a_payment_is_a_404_under_another_tenant_even_for_an_association_admin(
    client, app, paid, musterstadt, nachbarort
) -> None:
    everywhere = {"Authorization": f"Bearer {dev_token(app, '--role', 'admin')}"}
    assert_other_tenant_gets_404(
        client, f"{API}/payments/{paid.id}/refunds", owner=musterstadt, other=nachbarort,
        headers=everywhere,
    )  # fmt: skip


def test_clerk_pages_are_404_for_another_tenant(
    client, log_in, paid, musterstadt, nachbarort
) -> None:
    log_in("association-admin")
    assert_other_tenant_gets_404(
        client, f"/t/musterstadt/clerk/payments/{paid.id}", owner=musterstadt, other=nachbarort
    )
