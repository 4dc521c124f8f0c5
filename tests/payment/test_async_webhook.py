"""A pending card payment that the provider confirms later, while the citizen waits.

With ``REDIS_URL`` the sandbox's late answer and its webhook are a job in the
real queue (Redis database of this run): the citizen comes back to "payment in
progress", a worker then runs the job, the signed webhook settles the payment,
and "check again" shows it paid.
"""

from __future__ import annotations

import dataclasses

import pytest
from rq import Queue

from amtsweg.platform.db import db, tenant_scope
from amtsweg.platform.jobs import QUEUE_NAME, redis_connection
from amtsweg.tenants import service as tenants
from tests import servers
from tests.login import csrf_token, dev_login, local
from tests.payment.conftest import connect_sandbox, offer_fee_form
from tests.payment.test_journey import LATER_SUCCESS, choose, pay_with_card
from tests.submissions.html_forms import step_values
from tests.workers import SimpleWorker


@pytest.fixture
def queued_app(make_app, settings):
    """The app with jobs in Redis (REDIS_URL's database, or a local server's)."""
    with servers.redis_server() as redis_url:
        if redis_url is None:
            servers.unavailable("Redis")
        app = make_app(settings=dataclasses.replace(settings, redis_url=redis_url))
        with app.app_context():
            queue = Queue(QUEUE_NAME, connection=redis_connection())
            queue.empty()
            yield app
            queue.empty()


def test_the_citizen_waits_and_the_webhook_settles_the_payment(queued_app) -> None:
    tenant = tenants.create_tenant(
        "musterstadt", "Gemeinde Musterstadt", "MUS", tenants.Branding(contact_email="a@m.example")
    )
    with tenant_scope(tenant.id):
        offer_fee_form(tenant)
    connect_sandbox(tenant)
    db.session.commit()
    client = queued_app.test_client()
    dev_login(client, "erika")
    started = client.get("/t/musterstadt/forms/parkausweis-gebuehr/apply")
    step = client.get(local(started.headers["Location"]))
    url, values = step_values(step.get_data(as_text=True))
    values.setlist("kennzeichen", ["M-AB 7"])
    values.setlist("_action", ["continue"])
    summary_url = local(client.post(url, data=values).headers["Location"])
    summary = client.get(summary_url)
    submitted = client.post(
        summary_url, data={"csrf_token": csrf_token(summary), "declaration": "yes"}
    )
    pay_url = local(submitted.headers["Location"])
    checkout = local(choose(client, pay_url).headers["Location"])
    back = local(pay_with_card(client, checkout, LATER_SUCCESS).headers["Location"])

    waiting = client.get(back)
    assert waiting.status_code == 200
    assert "Zahlung in Bearbeitung" in waiting.get_data(as_text=True)

    queue = Queue(QUEUE_NAME, connection=redis_connection())
    assert queue.count >= 1
    SimpleWorker([queue], connection=redis_connection()).work(burst=True)

    checked = client.get(back)
    assert checked.status_code == 302  # paid: on to the confirmation
    confirmation = client.get(local(checked.headers["Location"])).get_data(as_text=True)
    assert "Eingegangen und bezahlt" in confirmation
