"""Twenty copies of one notification at the same moment, on twenty connections.

Committed for real on a tenant of its own (removed afterwards): the race only
exists between separate transactions.
"""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import func, select

from amtsweg.payment.models import PaymentEvent, PaymentStatus, WebhookReceipt
from amtsweg.platform.db import db, tenant_scope
from amtsweg.platform.signals import payment_succeeded
from amtsweg.tenants import service as tenants
from tests.payment.helpers import (
    committed_fee_tenant,
    remove_fee_form,
    signed,
    start,
    submit,
    webhook_body,
)
from tests.submissions.test_concurrency import _remove_tenant

COPIES = 20


@pytest.fixture
def committed(make_app, app_engine, test_database):
    if not test_database.is_postgres:
        pytest.skip("the race needs PostgreSQL's concurrent transactions")
    app = make_app(db_bind=app_engine)
    slug = f"ansturm-{uuid.uuid4().hex[:8]}"
    with app.app_context():
        tenant = committed_fee_tenant(slug, "Gemeinde Ansturm")
        payment = start(app, tenant, submit(app, tenant, subject=f"citizen-{slug}"))
        ids = {"tenant": tenant.id, "slug": slug, "payment": payment}
    yield app, ids
    with app.app_context():
        user = tenants.find_or_create_user("https://id.example", f"citizen-{slug}")
        db.session.commit()
        user_id = user.id
    _remove_tenant(app_engine, ids["tenant"], user_id)
    remove_fee_form(app_engine)


def test_twenty_concurrent_copies_make_one_transition_and_one_signal(committed) -> None:
    app, ids = committed
    body = webhook_body(ids["payment"], "succeeded", event_id="evt_burst")
    headers = signed(body)
    barrier = threading.Barrier(COPIES)
    statuses: list[int] = []
    outcomes: list[str] = []
    signals: list[dict] = []
    lock = threading.Lock()

    def receiver(_sender, **kwargs):
        with lock:
            signals.append(kwargs)

    def post() -> None:
        client = app.test_client()
        barrier.wait(timeout=20)
        response = client.post(
            f"/api/v1/tenants/{ids['slug']}/payment/webhooks/sandbox", data=body, headers=headers
        )
        with lock:
            statuses.append(response.status_code)
            outcomes.append((response.json or {}).get("outcome", ""))

    payment_succeeded.connect(receiver)
    try:
        threads = [threading.Thread(target=post) for _ in range(COPIES)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        payment_succeeded.disconnect(receiver)
    assert statuses == [200] * COPIES
    assert sorted(outcomes) == ["changed"] + ["duplicate"] * (COPIES - 1)
    assert len(signals) == 1
    with app.app_context(), tenant_scope(ids["tenant"]):
        assert db.session.scalar(select(func.count()).select_from(WebhookReceipt)) == 1
        succeeded = (
            select(func.count())
            .select_from(PaymentEvent)
            .where(PaymentEvent.to_status == PaymentStatus.SUCCEEDED)
        )
        assert db.session.scalar(succeeded) == 1
