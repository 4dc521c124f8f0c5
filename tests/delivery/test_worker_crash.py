"""``amtsweg worker`` killed with SIGKILL in the middle of deliveries, 20 times in a row:
in the end every target holds exactly one copy of every submission, and every
citizen got one receipt from the worker through a real SMTP server.

These tests commit for real, on their own tenant, and remove it afterwards: the
worker is a separate process that must see the submissions.
"""

from __future__ import annotations

import os
import secrets
import signal
import string
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from amtsweg.delivery import service as delivery
from amtsweg.formdefs import service as formdefs
from amtsweg.formdefs.models import FormDefinition, FormVersion
from amtsweg.platform.db import db, tenant_scope
from amtsweg.platform.jobs import queue
from amtsweg.platform.outbox import OutboxMessage, OutboxStatus
from amtsweg.submissions import service
from amtsweg.tenants import service as tenants
from tests import servers
from tests.formdefs import builders
from tests.live_server import serving
from tests.peers.cmis import SERVICE_PATH, CmisRepository
from tests.submissions.test_concurrency import _remove_tenant

pytestmark = pytest.mark.long

SUBMISSIONS = 4
KILLS = 20
DEADLINE = 60.0
ANSWERS = {"name": "Erika Mustermann", "email": "erika@example.org"}


@dataclass
class Gate:
    """Serves the DMS, and holds the ``hold_at``-th request until the test lets it through.

    The held request is the worker's delivery in flight: the test kills the worker
    while it waits for the answer, then lets the DMS carry the request out, as a
    DMS does that accepted a document from a client that died since.
    """

    repository: CmisRepository
    seen: int = 0
    hold_at: int | None = None
    changed: threading.Condition = field(default_factory=threading.Condition)
    released: threading.Event = field(default_factory=threading.Event)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        with self.changed:
            self.seen += 1
            held = self.seen == self.hold_at
            self.changed.notify_all()
        if held:
            self.released.wait(DEADLINE)
        answer = self.repository(environ, start_response)
        with self.changed:
            self.changed.notify_all()
        return answer

    def hold(self, ahead: int) -> None:
        with self.changed:
            self.hold_at = self.seen + ahead
            self.released.clear()

    def wait_until_held(self) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: self.seen >= self.hold_at, DEADLINE)

    def release(self) -> None:
        self.hold_at = None
        self.released.set()


@pytest.fixture
def dms() -> Iterator[Gate]:
    repository = CmisRepository()
    port = servers.free_port()
    repository.url = f"http://127.0.0.1:{port}{SERVICE_PATH}"
    gate = Gate(repository)
    with serving(gate, port):
        yield gate
        gate.release()


@pytest.fixture
def crash_site(make_app, settings, app_engine, test_database, dms):
    """A committed tenant with a DMS and a folder target, and submissions waiting for them."""
    repository = dms.repository
    dms_config = {
        "url": repository.repository_url,
        "username": repository.username,
        "password": repository.password,
    }
    targets = {"dms": ("cmis", dms_config), "ablage": ("folder", {})}
    yield from committed_site(make_app, settings, app_engine, test_database, targets)


def committed_site(make_app, settings, app_engine, test_database, targets):
    """A committed tenant with these default ``targets`` (name → kind, config) and
    submissions waiting for them; removed afterwards."""
    if not test_database.is_postgres:
        pytest.skip("the worker is a process of its own and needs PostgreSQL")
    with servers.redis_server() as redis_url:
        if redis_url is None:
            servers.unavailable("Redis")
        settings = replace(settings, redis_url=redis_url)
        app = make_app(settings=settings, db_bind=app_engine)
        slug = f"absturz-{uuid.uuid4().hex[:8]}"
        with app.app_context():
            queue().empty()
            ids = _site(slug, targets)
        try:
            yield app, settings, ids
        finally:
            with app.app_context():
                queue().empty()
            _remove_tenant(app_engine, ids["tenant"], ids["user"])
            _remove_definition(app_engine, ids["definition"])


def _site(slug: str, targets: dict[str, tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """Its own small form, so the association's catalogue stays as the other tests expect."""
    version = formdefs.create_definition(
        builders.document(
            builders.field("name", "text", required=True),
            builders.field("email", "email", required=True),
            slug=slug,
        )
    )
    formdefs.publish(version)
    prefix = "".join(secrets.choice(string.ascii_uppercase) for _ in range(6))
    tenant = tenants.create_tenant(slug, "Gemeinde Absturz", prefix)
    user = tenants.find_or_create_user("https://id.example", f"crash-{slug}", "Erika")
    db.session.commit()
    with tenant_scope(tenant.id):
        formdefs.activate_form(tenant, version.definition)
        for name, (kind, config) in targets.items():
            delivery.save_target(tenant, name, kind, config, default=True)
        db.session.commit()
        form = formdefs.offered_form(tenant, slug)
        references = [
            service.submit_answers(tenant, user, form, ANSWERS, locale="de").submission.reference
            for _ in range(SUBMISSIONS)
        ]
        # Committing with Redis set puts the jobs into the queue; no worker runs yet.
        db.session.commit()
    return {
        "tenant": tenant.id,
        "user": user.id,
        "slug": slug,
        "definition": version.definition.id,
        "references": references,
    }


def _remove_definition(engine: Engine, definition_id: uuid.UUID) -> None:
    with engine.begin() as connection:
        for table in (FormVersion.__table__, FormDefinition.__table__):
            column = table.c.definition_id if table is FormVersion.__table__ else table.c.id
            connection.execute(table.delete().where(column == definition_id))


def start_worker(settings, test_database) -> subprocess.Popen:
    env = {
        **os.environ,
        "AMTSWEG_ENV": "test",
        "DATABASE_URL": test_database.app_url,
        "REDIS_URL": settings.redis_url,
        "AMTSWEG_STORAGE_DIR": str(settings.storage_dir),
        "AMTSWEG_DELIVERIES_DIR": str(settings.deliveries_dir),
        "AMTSWEG_SMTP_URL": settings.smtp_url,
        "AMTSWEG_SWEEP_SECONDS": "1",
        "AMTSWEG_LOG_LEVEL": "ERROR",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "amtsweg.cli", "worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def kill_with_children(process: subprocess.Popen) -> None:
    """SIGKILL the worker and its work horse (RQ forks one per job, in its own group)."""
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
    horses = [int(pid) for pid in children.read_text().split()] if children.exists() else []
    for pid in horses:
        os.kill(pid, signal.SIGKILL)
    process.kill()
    process.wait()


def pending(app, tenant_id) -> int:
    with app.app_context(), tenant_scope(tenant_id):
        return len(
            db.session.scalars(
                select(OutboxMessage).where(OutboxMessage.status != OutboxStatus.DONE)
            ).all()
        )


def test_twenty_kills_in_the_middle_of_deliveries_leave_exactly_one_copy(
    crash_site, dms, test_database, smtp_server
) -> None:
    app, settings, ids = crash_site
    for kill in range(KILLS):
        dms.hold(ahead=1 + kill % 3)
        worker = start_worker(settings, test_database)
        try:
            assert dms.wait_until_held(), f"kill {kill}: the worker never reached the DMS"
        finally:
            kill_with_children(worker)
        dms.release()  # the DMS carries out what the dead worker sent

    worker = start_worker(settings, test_database)
    try:
        with dms.changed:
            done = dms.changed.wait_for(lambda: pending(app, ids["tenant"]) == 0, DEADLINE)
        assert done, "the deliveries were not finished after the last kill"
    finally:
        worker.terminate()
        worker.wait()

    documents = dms.repository.documents()
    names = sorted((doc.properties["amtsweg:reference"], doc.name) for doc in documents)
    expected = sorted(
        (reference, name)
        for reference in ids["references"]
        for name in (f"{reference}.pdf", "submission.json")
    )
    assert names == expected
    folders = settings.deliveries_dir / ids["slug"]
    assert sorted(path.name for path in folders.iterdir()) == sorted(ids["references"])
    receipts = smtp_server.wait_for(SUBMISSIONS)
    assert len(smtp_server.messages) == SUBMISSIONS
    assert {mail["Subject"].split()[1].rstrip(":") for mail in receipts} == set(ids["references"])
