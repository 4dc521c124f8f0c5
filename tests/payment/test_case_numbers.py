"""What payment adds to the tenant admin's case numbers: applications paid, once each, and
the fees received net of every refund."""

from __future__ import annotations

import csv
import io

from amtsweg.submissions.service import today
from tests.payment.conftest import FEE_CENTS, FORM
from tests.payment.helpers import paid_in_two_tabs, signed, start, submit, webhook_body, webhook_url
from tests.platform.test_bearer_tokens import dev_token

PAGE = "/t/musterstadt/admin/case-numbers"


def paid_by_card(app, client, tenant):
    payment = start(app, tenant, submit(app, tenant))
    body = webhook_body(payment, "succeeded")
    assert client.post(webhook_url(tenant), data=body, headers=signed(body)).status_code == 200
    return payment


def refund(app, client, payment, cents: int) -> None:
    answer = client.post(
        f"/api/v1/tenants/musterstadt/payments/{payment.id}/refunds",
        json={"amount_cents": cents, "reason": "Ermäßigung"},
        headers={"Authorization": f"Bearer {dev_token(app, '--role', 'clerk')}"},
    )
    assert answer.status_code == 201, answer.json


def test_fees_count_net_of_refunds_and_a_double_payment_once(app, client, log_in, musterstadt):
    paid_by_card(app, client, musterstadt)
    paid_in_two_tabs(app, client, musterstadt, submit(app, musterstadt, "max"))
    partly_refunded = paid_by_card(app, client, musterstadt)
    refund(app, client, partly_refunded, 500)
    given_back = paid_by_card(app, client, musterstadt)
    refund(app, client, given_back, FEE_CENTS)
    start(app, musterstadt, submit(app, musterstadt, "lena"))  # started, never paid

    log_in("admin-musterstadt")
    table = client.get(f"{PAGE}.csv")
    assert table.status_code == 200
    month = f"{today():%Y-%m}"
    [row] = [
        row
        for row in csv.DictReader(io.StringIO(table.data.decode()))
        if (row["form"], row["month"]) == (FORM, month)
    ]
    # Paid: every application whose fee arrived once, even if it was given back later.
    assert (row["received"], row["paid"]) == ("5", "4")
    # The second payment from the other tab was refunded in full, and so was the fourth
    # application's fee; the third's in part.
    assert row["fees_received_cents"] == str(3 * FEE_CENTS - 500)
    page = client.get(PAGE, headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert "Gebühren eingenommen" in page
    assert "87,10\xa0€" in page  # three fees of 30,70 € less 5,00 €
