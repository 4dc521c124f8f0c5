"""Twenty copies of one notification at the same moment, on twenty connections.

Committed for real on a tenant of its own (removed afterwards): the race only
exists between separate transactions.
"""

from __future__ import annotations

import threading
import time
import uuid

import pytest
from sqlalchemy import func, select, text

from amtsweg.payment import service
from amtsweg.payment.models import PaymentEvent, PaymentStatus, StatementLine, WebhookReceipt
from amtsweg.platform.db import db, tenant_scope
from amtsweg.platform.errors import Conflict
from amtsweg.platform.signals import payment_succeeded
from amtsweg.tenants import service as tenants
from amtsweg.tenants.models import AuditEntry, Tenant
from tests.payment.helpers import (
    committed_fee_tenant,
    reload,
    remove_fee_form,
    signed,
    start,
    statement,
    submit,
    webhook_body,
)
from tests.platform.test_bearer_tokens import dev_token
from tests.submissions.test_concurrency import _remove_tenant

COPIES = 20


@pytest.fixture
def committed(committing_app, app_engine):
    app = committing_app
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


CLERKS = 8


def _waiting_for_a_lock(engine, count: int) -> bool:
    """True once ``count`` other transactions of the database wait for a row lock."""
    query = text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with engine.connect() as connection:
            if connection.scalar(query) >= count:
                return True
        time.sleep(0.05)
    return False


def _waiting_credit(app, ids) -> uuid.UUID:
    """A transfer of 10 € for the payment's Kassenzeichen, imported and committed."""
    with app.app_context(), tenant_scope(ids["tenant"]):
        tenant = db.session.get_one(Tenant, ids["tenant"])
        kassenzeichen = reload(tenant, ids["payment"]).kassenzeichen
        service.import_statement(tenant, statement(("E1", "10.00", kassenzeichen, "Erika")))
        line_id = db.session.scalars(select(StatementLine.id)).one()
        db.session.commit()
    return line_id


def test_eight_clerks_clearing_one_credit_at_once_clear_it_once(committed, app_engine) -> None:
    """The credit's row lock orders them: the first note stands, every other clerk is
    told it was cleared already, and the audit log has one entry.

    The test holds the row itself until all eight wait, so that each of them would
    have read the credit as still waiting if clearing did not take the lock first.
    """
    app, ids = committed
    line_id = _waiting_credit(app, ids)
    clerk = {
        "Authorization": f"Bearer {dev_token(app, '--role', 'clerk', '--tenant', ids['slug'])}"
    }
    api = f"/api/v1/tenants/{ids['slug']}/payment"
    # The clerk has worked here before (so that no request waits for another's first sight).
    assert app.test_client().post(f"{api}/statements", data=statement(), headers=clerk).json
    url = f"{api}/statement-lines/{line_id}/resolution"
    answers: list[tuple[int, str]] = []
    lock = threading.Lock()

    def clear(note: str) -> None:
        response = app.test_client().post(url, json={"resolution": note}, headers=clerk)
        with lock:
            answers.append((response.status_code, note))

    threads = [threading.Thread(target=clear, args=(f"Vermerk {n}",)) for n in range(CLERKS)]
    with app_engine.connect() as holder:
        holder.execute(
            text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(ids["tenant"])}
        )
        holder.execute(
            select(StatementLine.id).where(StatementLine.id == line_id).with_for_update()
        )
        for thread in threads:
            thread.start()
        assert _waiting_for_a_lock(app_engine, CLERKS), "the clerks never reached the credit"
        holder.rollback()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(status for status, _note in answers) == [200] + [409] * (CLERKS - 1)
    winner = next(note for status, note in answers if status == 200)
    with app.app_context(), tenant_scope(ids["tenant"]):
        line = db.session.get_one(StatementLine, (ids["tenant"], line_id))
        audits = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "payment.statement_line_resolved")
        ).all()
        assert line.resolution == winner
    assert len(audits) == 1


def test_a_credit_cleared_while_the_clerks_page_was_open_is_not_cleared_again(
    committed, app_engine
) -> None:
    """The clerk's page has the credit loaded as still waiting; a colleague clears it
    before the form is sent. Clearing reads the line again under its lock and refuses,
    instead of writing over the colleague's note with what the page still believed."""
    app, ids = committed
    line_id = _waiting_credit(app, ids)
    with app.app_context(), tenant_scope(ids["tenant"]):
        tenant = db.session.get_one(Tenant, ids["tenant"])
        page = service.find_line(line_id)  # the page as it was loaded, kept by the view
        assert page.resolved_at is None
        with app_engine.begin() as colleague:
            colleague.execute(
                text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(ids["tenant"])}
            )
            colleague.execute(
                StatementLine.__table__.update()
                .where(StatementLine.__table__.c.id == line_id)
                .values(resolved_at=func.now(), resolution="Restbetrag angefordert")
            )
        with pytest.raises(Conflict):
            service.resolve_line(tenant, line_id, "Überzahlung zurücküberwiesen")
        db.session.rollback()
        assert page.resolution == "Restbetrag angefordert"
