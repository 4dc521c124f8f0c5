"""Benchmark: deliveries per second of one worker, against RQ no-op jobs in the same run.

One RQ worker of the kind ``amtsweg worker`` runs (forking a work horse per job)
works off a queue of deliveries of found-item reports: first to a local SMTP
server (aiosmtpd, the ``mailbox`` target: the message with PDF and
submission.json), then to the CMIS browser-binding peer (``cmis``: look the
folder up, create it, list it, create the PDF and the JSON). The baseline is
the same worker working off as many jobs that do nothing, so the ratio is
what a delivery costs beyond RQ's own price of a job: loading the submission,
drawing the PDF, the outbox row lock and attempt record, and the protocol.

The submissions are made beforehand with Redis out of reach (their outbox rows
wait, as in an outage); one sweep then enqueues the deliveries.

Run: python -m bench.bench_delivery   (about a minute; PostgreSQL and Redis needed)
"""

from __future__ import annotations

import os
import secrets
import string
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from rq import Queue
from sqlalchemy import update

from amtsweg.app import create_app
from amtsweg.delivery import service as delivery
from amtsweg.formdefs import service as formdefs
from amtsweg.platform import migrations, outbox
from amtsweg.platform.config import Settings
from amtsweg.platform.db import db, tenant_scope
from amtsweg.platform.jobs import OUTBOX_QUEUE, Worker, redis_connection
from amtsweg.submissions import confirmation
from amtsweg.submissions import service as submissions
from amtsweg.tenants import service as tenants
from tests import servers
from tests.peers.cmis import running_cmis_repository
from tests.peers.smtp import running_smtp_server

JOBS = 60
BENCH_REDIS_DB = int(os.environ.get("AMTSWEG_BENCH_REDIS_DB", "14"))  # as bench/run.py
OWNER, APP = "amtsweg_bench_owner", "amtsweg_bench_app"
ANSWERS = {
    "kategorie": "sonstiges",
    "beschreibung": "Schwarzer Regenschirm mit Holzgriff",
    "verlustort": "Bushaltestelle Rathaus",
    "name": "Erika Mustermann",
    "email": "erika@example.org",
}


def noop() -> None:
    """The baseline job."""


def work_off(queue: Queue, count: int) -> float:
    """Jobs per second of one forking worker emptying ``queue`` of ``count`` jobs."""
    started = time.perf_counter()
    Worker([queue], connection=queue.connection).work(burst=True, logging_level="ERROR")
    return count / (time.perf_counter() - started)


def baseline(queue: Queue) -> float:
    for _ in range(JOBS):
        queue.enqueue("bench.bench_delivery.noop")
    return work_off(queue, JOBS)


def submissions_waiting(kind: str, config: dict, settings: Settings) -> None:
    """A tenant with one ``kind`` target and JOBS submissions whose deliveries wait."""
    outage = replace(settings, redis_url=f"redis://127.0.0.1:{servers.free_port()}/0")
    with create_app({"settings": outage}).app_context():
        prefix = "".join(secrets.choice(string.ascii_uppercase) for _ in range(6))
        tenant = tenants.create_tenant(f"bench-{kind}", f"Gemeinde {kind}", prefix)
        user = tenants.find_or_create_user("https://id.example", f"bench-{kind}", "Erika")
        db.session.commit()
        with tenant_scope(tenant.id):
            formdefs.activate_form(tenant, formdefs.get_definition("fundsache-verlustmeldung"))
            delivery.save_target(tenant, kind, kind, config, default=True)
            form = formdefs.offered_form(tenant, "fundsache-verlustmeldung")
            answers = ANSWERS | {"verlustdatum": submissions.today().isoformat()}
            for _ in range(JOBS):
                submissions.submit_answers(tenant, user, form, answers, locale="de")
            # Only deliveries are measured: the receipts count as sent.
            db.session.execute(
                update(outbox.OutboxMessage)
                .where(outbox.OutboxMessage.kind == confirmation.KIND)
                .values(status=outbox.OutboxStatus.DONE)
            )
            db.session.commit()
            tenant_id = tenant.id
    return tenant_id


def measure(kind: str, config: dict, settings: Settings, queue: Queue) -> float:
    tenant_id = submissions_waiting(kind, config, settings)
    with create_app({"settings": settings}).app_context():
        enqueued = outbox.sweep([tenant_id])
        assert enqueued == JOBS, enqueued
        rate = work_off(queue, JOBS)
        with tenant_scope(tenant_id):
            states = {m.status for m in db.session.query(outbox.OutboxMessage)}
        assert states == {outbox.OutboxStatus.DONE}, states
    return rate


def main() -> None:
    with (
        servers.postgres_server() as admin_url,
        servers.redis_server() as redis_url,
        tempfile.TemporaryDirectory() as workdir,
        running_smtp_server() as smtp,
        running_cmis_repository() as dms,
    ):
        if admin_url is None or redis_url is None:
            sys.exit("PostgreSQL and Redis are needed: set DATABASE_URL/REDIS_URL or run them")
        queue_url = redis_url.rsplit("/", 1)[0] + f"/{BENCH_REDIS_DB}"
        with servers.scratch_database(admin_url, OWNER, APP) as (owner_url, app_url):
            settings = Settings(
                env="development",
                database_url=app_url,
                database_owner_url=owner_url,
                database_app_role=APP,
                redis_url=queue_url,
                smtp_url=smtp.url,
                storage_dir=Path(workdir) / "files",
                log_level="ERROR",
            )
            app = create_app({"settings": settings})
            with app.app_context():
                migrations.upgrade()
                formdefs.load_catalogue()
                db.session.commit()
                # Deliveries go to the outbox queue; the no-op baseline runs there too.
                queue = Queue(OUTBOX_QUEUE, connection=redis_connection())
                queue.empty()
                noops = baseline(queue)
                mailbox = measure("mailbox", {"address": "amt@bench.example"}, settings, queue)
                cmis = measure(
                    "cmis",
                    {"url": dms.repository_url, "username": dms.username, "password": dms.password},
                    settings,
                    queue,
                )
                queue.connection.flushdb()
    print(f"RQ no-op jobs, one worker:          {noops:7.1f}/s")
    print(f"deliveries to SMTP (mailbox):       {mailbox:7.1f}/s  ratio {mailbox / noops:.2f}")
    print(f"deliveries to CMIS peer (cmis):     {cmis:7.1f}/s  ratio {cmis / noops:.2f}")


if __name__ == "__main__":
    os.environ.setdefault("AMTSWEG_LOG_LEVEL", "ERROR")
    main()
