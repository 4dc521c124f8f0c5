"""Two returns from one test payment at the same moment, each its own transaction.

Committed for real on a tenant of its own (removed afterwards, with the admin
the development login created): the race only exists between separate
transactions.
"""

from __future__ import annotations

import threading
import time
import uuid

import pytest
from sqlalchemy import func, select

from amtsweg.payment.providers.sandbox import SandboxProvider
from amtsweg.platform.db import db, tenant_scope
from amtsweg.platform.devidp import dev_issuer
from amtsweg.tenants.models import AuditEntry, User
from tests.login import csrf_token, dev_login, local
from tests.payment.helpers import committed_fee_tenant, remove_fee_form
from tests.submissions.test_concurrency import _remove_tenant

GERMAN = {"Accept-Language": "de"}
SUCCEEDS = "4242 4242 4242 4242"
REFUNDED = "Die Testzahlung war erfolgreich und wurde erstattet."
REFUND_THERE = "konnte nicht automatisch erstattet werden"
#: Longer than the two requests take to pass each other without the account's lock.
STATUS_DELAY_SECONDS = 0.5


@pytest.fixture
def committed(committing_app, app_engine, settings):
    app = committing_app
    slug = f"doppelt-{uuid.uuid4().hex[:8]}"
    with app.app_context():
        tenant_id = committed_fee_tenant(slug, "Gemeinde Doppelt", live=False).id
    yield app, slug, tenant_id
    with app.app_context():
        issuer = dev_issuer(settings)
        users = db.session.scalars(select(User.id).where(User.issuer == issuer)).all()
    _remove_tenant(app_engine, tenant_id, *users)
    remove_fee_form(app_engine)


def _admin(app, slug: str):
    client = app.test_client()
    dev_login(client, "association-admin", next_url=f"/t/{slug}/admin/")
    return client


def _pay_test_payment(client, admin: str) -> None:
    """Start a test payment and pay it on the sandbox's page, without coming back yet."""
    page = client.get(admin)
    started = client.post(f"{admin}sandbox/test-payment", data={"csrf_token": csrf_token(page)})
    checkout_url = local(started.headers["Location"])
    checkout = client.get(checkout_url)
    paid = client.post(checkout_url, data={"csrf_token": csrf_token(checkout), "card": SUCCEEDS})
    assert paid.status_code in {302, 303}


def test_two_returns_at_once_refund_the_test_payment_once(committed, monkeypatch) -> None:
    """Two tabs of the admin come back from the sandbox at the same moment.

    Reading the status from the sandbox is slowed down on purpose, so that
    without the account's lock both requests have surely looked for a recorded
    refund before either has committed one: both would ask for a refund. With
    the lock the second request waits for the first to commit, then finds its
    refund recorded and asks the provider nothing; both are told it was refunded.
    """
    app, slug, tenant_id = committed
    admin = f"/t/{slug}/admin/payment/"
    tabs = [_admin(app, slug), _admin(app, slug)]
    _pay_test_payment(tabs[0], admin)

    refunds: list[str] = []
    fetch_status, refund = SandboxProvider.fetch_status, SandboxProvider.refund

    def slow_fetch_status(self, account, provider_payment_id):
        time.sleep(STATUS_DELAY_SECONDS)
        return fetch_status(self, account, provider_payment_id)

    def counted_refund(self, account, provider_payment_id, amount_cents, idempotency_key):
        refunds.append(provider_payment_id)
        return refund(self, account, provider_payment_id, amount_cents, idempotency_key)

    monkeypatch.setattr(SandboxProvider, "fetch_status", slow_fetch_status)
    monkeypatch.setattr(SandboxProvider, "refund", counted_refund)
    barrier = threading.Barrier(len(tabs))
    said: list[str] = []
    errors: list[BaseException] = []

    def come_back(client) -> None:
        try:
            barrier.wait(timeout=20)
            back = client.get(f"{admin}sandbox/test-payment/return", headers=GERMAN)
            assert back.status_code == 303
            shown = client.get(back.headers["Location"], headers=GERMAN)
            said.append(shown.get_data(as_text=True))
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=come_back, args=(tab,)) for tab in tabs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert len(refunds) == 1, "the provider is asked for one refund"
    assert len(said) == 2
    assert all(REFUNDED in page and REFUND_THERE not in page for page in said)
    with app.app_context(), tenant_scope(tenant_id):
        recorded = select(func.count()).where(AuditEntry.action == "payment.test_refunded")
        assert db.session.scalar(recorded) == 1
