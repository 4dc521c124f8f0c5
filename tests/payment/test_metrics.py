"""What Prometheus reads about payments and deliveries, counted across many tenants at once.

Each scrape asks the database a fixed number of questions however many
tenants there are; tenant isolation for the app role stays as it was.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import event, select, text, update

from amtsweg.delivery import service as delivery
from amtsweg.delivery.models import Delivery
from amtsweg.payment.models import Payment, PaymentStatus
from amtsweg.platform.db import db, tenant_scope, utcnow
from amtsweg.platform.outbox import OutboxMessage, OutboxStatus
from amtsweg.tenants.models import Tenant
from tests.payment.conftest import connect_sandbox, offer_fee_form
from tests.payment.helpers import start, submit


@pytest.fixture
def municipality(app, create_tenant):
    """A tenant offering the fee form, with the sandbox and bank transfer connected."""

    def make(slug: str) -> Tenant:
        tenant = create_tenant(slug)
        with tenant_scope(tenant.id):
            offer_fee_form(tenant)
        connect_sandbox(tenant)
        db.session.commit()
        return tenant

    return make


def pay(app, tenant: Tenant, status: PaymentStatus, *, overdue: dt.timedelta | None = None):
    """A payment of a new submission, put into ``status`` (and ``overdue`` past its deadline)."""
    payment = start(app, tenant, submit(app, tenant))
    with tenant_scope(tenant.id):
        values = {"status": status}
        if overdue is not None:
            values["expires_at"] = utcnow() - overdue
        db.session.execute(update(Payment).where(Payment.id == payment.id).values(**values))
        db.session.commit()


def deliveries(app, tenant: Tenant, target: str, outcomes: list[OutboxStatus]) -> None:
    """Deliveries of new submissions to ``target`` that ended in ``outcomes``."""
    with tenant_scope(tenant.id):
        target_row = delivery.save_target(tenant, target, "folder", {})
        for outcome in outcomes:
            submission = submit(app, tenant)
            row = Delivery(
                id=uuid.uuid4(),
                tenant_id=tenant.id,
                submission_id=submission.id,
                target_id=target_row.id,
                created_at=utcnow(),
            )
            db.session.add(row)
            db.session.add(
                OutboxMessage(
                    id=uuid.uuid4(),
                    tenant_id=tenant.id,
                    kind="delivery",
                    subject_id=row.id,
                    status=outcome,
                )
            )
        db.session.commit()


def scrape(client) -> dict[tuple[str, tuple], float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(response.get_data(as_text=True))
        for s in family.samples
        if s.name.startswith(("amtsweg_payments", "amtsweg_deliver", "amtsweg_outbox"))
    }


def key(name: str, **labels: str) -> tuple[str, tuple]:
    return name, tuple(sorted(labels.items()))


@pytest.fixture
def statements(connection) -> Iterator[list[str]]:
    """Every SQL statement sent while the test runs (from the point it asks for this)."""
    sent: list[str] = []

    def record(_conn, _cursor, statement: str, *_args) -> None:
        if not statement.startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO")):
            sent.append(statement)

    event.listen(connection, "before_cursor_execute", record)
    yield sent
    event.remove(connection, "before_cursor_execute", record)


def test_payments_are_counted_per_provider_and_state_over_all_tenants(
    app, client, municipality
) -> None:
    first, second, third = (municipality(slug) for slug in ("aach", "baar", "celle"))
    pay(app, first, PaymentStatus.SUCCEEDED)
    pay(app, second, PaymentStatus.SUCCEEDED)
    pay(app, third, PaymentStatus.FAILED)
    pay(app, third, PaymentStatus.PENDING)

    samples = scrape(client)

    assert samples[key("amtsweg_payments", provider="sandbox", state="succeeded")] == 2
    assert samples[key("amtsweg_payments", provider="sandbox", state="failed")] == 1
    assert samples[key("amtsweg_payments", provider="sandbox", state="pending")] == 1
    assert not any(name == "amtsweg_payments_stuck" for name, _ in samples)


def test_open_payments_long_past_their_deadline_are_stuck_per_tenant(
    app, client, municipality
) -> None:
    first, second = municipality("aach"), municipality("baar")
    pay(app, first, PaymentStatus.PENDING, overdue=dt.timedelta(hours=2))
    pay(app, first, PaymentStatus.CREATED, overdue=dt.timedelta(minutes=20))
    # Just past its deadline: the poll job has not had its chance yet.
    pay(app, second, PaymentStatus.PENDING, overdue=dt.timedelta(minutes=5))
    # Long past, but final: nothing to do.
    pay(app, second, PaymentStatus.FAILED, overdue=dt.timedelta(hours=2))

    samples = scrape(client)

    stuck = {labels: value for (name, labels), value in samples.items() if "stuck" in name}
    assert stuck == {(("provider", "sandbox"), ("tenant", "aach")): 2}


def test_deliveries_are_counted_by_kind_and_dead_ones_by_tenant_and_target(
    app, client, municipality
) -> None:
    first, second = municipality("aach"), municipality("baar")
    deliveries(app, first, "ablage", [OutboxStatus.DONE, OutboxStatus.DONE, OutboxStatus.DEAD])
    deliveries(app, second, "akte", [OutboxStatus.DONE, OutboxStatus.PENDING])
    deliveries(app, second, "postfach", [OutboxStatus.DEAD])

    samples = scrape(client)

    assert samples[key("amtsweg_deliveries_total", kind="folder", outcome="done")] == 3
    assert samples[key("amtsweg_deliveries_total", kind="folder", outcome="dead")] == 2
    dead = {labels: v for (name, labels), v in samples.items() if name == "amtsweg_deliveries_dead"}
    assert dead == {
        (("kind", "folder"), ("target", "ablage"), ("tenant", "aach")): 1,
        (("kind", "folder"), ("target", "postfach"), ("tenant", "baar")): 1,
    }
    assert samples[key("amtsweg_outbox_dead", kind="delivery")] == 2


def test_a_scrape_asks_the_same_number_of_questions_with_more_tenants(
    app, client, municipality, statements
) -> None:
    for slug in ("aach", "baar"):
        tenant = municipality(slug)
        pay(app, tenant, PaymentStatus.PENDING, overdue=dt.timedelta(hours=1))
        deliveries(app, tenant, "ablage", [OutboxStatus.DEAD])
    statements.clear()
    scrape(client)
    two_tenants = list(statements)
    for slug in ("celle", "dahn", "erbach", "fulda"):
        tenant = municipality(slug)
        pay(app, tenant, PaymentStatus.PENDING, overdue=dt.timedelta(hours=1))
        deliveries(app, tenant, "ablage", [OutboxStatus.DEAD])
    statements.clear()
    samples = scrape(client)

    assert 0 < len(statements) == len(two_tenants)
    assert sum(v for (name, _), v in samples.items() if name == "amtsweg_payments_stuck") == 6


def test_the_app_role_stays_inside_its_tenant_even_when_it_claims_the_metrics_setting(
    app, municipality
) -> None:
    first, second = municipality("aach"), municipality("baar")
    pay(app, first, PaymentStatus.PENDING)
    pay(app, second, PaymentStatus.PENDING)
    with tenant_scope(first.id):
        db.session.execute(text("SELECT set_config('app.metrics', 'on', true)"))
        seen = set(db.session.scalars(select(Payment.tenant_id)))
    assert seen == {first.id}
    db.session.rollback()
