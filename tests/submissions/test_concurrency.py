"""Two submits of one draft at the same moment (a double click on two connections).

These tests commit for real, on their own tenant, and remove it afterwards:
the race only exists between separate transactions.
"""

from __future__ import annotations

import secrets
import string
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Engine, func, select, text

from amtsweg.formdefs import service as formdefs
from amtsweg.platform.db import Base, db, tenant_scope
from amtsweg.submissions import service
from amtsweg.submissions.models import Submission
from amtsweg.tenants import service as tenants
from amtsweg.tenants.models import Tenant, User
from tests.submissions.conftest import ERIKA_CLAIMS
from tests.submissions.test_service import FUND_ANSWERS


def _remove_tenant(engine: Engine, tenant_id: uuid.UUID, *user_ids: uuid.UUID) -> None:
    """Delete everything of the tenant, table by table, under its own RLS setting, and
    the users the test logged in."""
    owned = [t for t in reversed(Base.metadata.sorted_tables) if "tenant_id" in t.columns]
    with engine.begin() as connection:
        connection.execute(
            text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(tenant_id)}
        )
        for table in owned:
            connection.execute(table.delete().where(table.c.tenant_id == tenant_id))
        connection.execute(Tenant.__table__.delete().where(Tenant.__table__.c.id == tenant_id))
        connection.execute(User.__table__.delete().where(User.__table__.c.id.in_(user_ids)))


@pytest.fixture
def committed(committing_app, app_engine) -> Iterator[tuple[Flask, dict[str, Any]]]:
    app = committing_app
    slug = f"wettlauf-{uuid.uuid4().hex[:8]}"
    with app.app_context():
        formdefs.load_catalogue()
        prefix = "".join(secrets.choice(string.ascii_uppercase) for _ in range(6))
        branding = tenants.Branding(contact_email="amt@wettlauf.example")
        tenant = tenants.create_tenant(slug, "Gemeinde Wettlauf", prefix, branding)
        definition = formdefs.get_definition("fundsache-verlustmeldung")
        user = tenants.find_or_create_user("https://id.example", f"racer-{slug}", "Racer")
        with tenant_scope(tenant.id):
            formdefs.activate_form(tenant, definition)
            form = formdefs.offered_form(tenant, "fundsache-verlustmeldung")
            draft = service.start_draft(tenant, user, form, ERIKA_CLAIMS)
            draft.answers = FUND_ANSWERS | draft.answers
            db.session.commit()
        ids = {"tenant": tenant.id, "user": user.id, "draft": draft.id, "slug": slug}
    yield app, ids
    _remove_tenant(app_engine, ids["tenant"], ids["user"])


def test_two_simultaneous_submits_create_one_submission(committed) -> None:
    app, ids = committed
    barrier = threading.Barrier(2)
    references: list[str] = []
    errors: list[BaseException] = []

    def submit() -> None:
        try:
            with app.app_context():
                tenant = tenants.get_tenant(ids["slug"])
                with tenant_scope(tenant.id):
                    user = db.session.get_one(User, ids["user"])
                    draft = service.find_draft(user, ids["draft"])
                    form = formdefs.offered_form(tenant, "fundsache-verlustmeldung")
                    barrier.wait(timeout=10)
                    outcome = service.submit_draft(tenant, user, form, draft, locale="de")
                    db.session.commit()
                    references.append(outcome.submission.reference)
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert len(references) == 2
    assert references[0] == references[1]
    with app.app_context(), tenant_scope(ids["tenant"]):
        assert db.session.scalar(select(func.count()).select_from(Submission)) == 1
