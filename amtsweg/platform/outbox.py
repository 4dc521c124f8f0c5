"""The outbox: every message that leaves Amtsweg, sent reliably and exactly once.

A row in ``outbox_messages`` is written in the same transaction as the change
that makes a message due (a submission, a feedback, a delivery to a target);
after the commit a job with the deterministic id ``outbox-<row id>`` goes to
RQ's queue ``outbox``. The row in PostgreSQL is the truth, never Redis: ``status`` (pending →
done | dead), ``attempts``, ``next_attempt_at``, ``last_error``; each try is an
``outbox_attempts`` row with its error. The job claims its row with
``SELECT … FOR UPDATE SKIP LOCKED`` and holds that lock while it talks to the
other system, so two jobs for one row never both send, a final row is never
sent again, and a worker killed mid-send releases the row at once (its
connection drops). A failure whose exception has a true ``permanent``
attribute (:class:`~amtsweg.platform.mail.MailError` for 5xx, a target's
:class:`SendError`) makes the row dead; any other failure is retried after
:data:`BACKOFF`, and after the last step the row is dead too. Dead is a status
people act on: :func:`retry` starts the row afresh.

:func:`sweep` (``amtsweg worker`` runs it every ``AMTSWEG_SWEEP_SECONDS``,
``amtsweg outbox sweep`` once) enqueues every due row whose job is not waiting
in Redis, so a Redis outage, a lost job or a killed worker only delay a message.

Areas register a :class:`Handler` per ``kind`` in their ``init_app``; a handler
does the I/O and may write its own rows, which commit with the outcome.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
import traceback
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from flask import Flask, current_app
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from sqlalchemy import (
    ForeignKeyConstraint,
    Index,
    String,
    Text,
    UniqueConstraint,
    bindparam,
    func,
    insert,
    literal,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql import FromClause, Insert

from amtsweg.platform.db import Base, TenantOwned, db, require_tenant_scope, tenant_scope, utcnow
from amtsweg.platform.jobs import (
    OUTBOX_QUEUE,
    enqueue_after_commit,
    enqueue_now,
    redis_connection,
)
from amtsweg.platform.logs import log_context

log = logging.getLogger(__name__)

# The pause before each retry: 1 min, 5 min, 30 min, 2 h, 12 h, 24 h; then dead.
BACKOFF = tuple(
    dt.timedelta(seconds=s) for s in (60, 5 * 60, 30 * 60, 2 * 3600, 12 * 3600, 24 * 3600)
)
MAX_ATTEMPTS = len(BACKOFF) + 1
ERROR_LIMIT = 2000
WAITING = {JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED}


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    DONE = "done"
    DEAD = "dead"


class SendError(RuntimeError):
    """A message could not be handed over; ``permanent`` means retrying will not help."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class OutboxMessage(TenantOwned, Base):
    """One message to send: ``kind`` names the handler, ``subject_id`` what it is about."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        UniqueConstraint("tenant_id", "kind", "subject_id"),
        Index(None, "tenant_id", "status", "next_attempt_at"),
    )

    kind: Mapped[str] = mapped_column(String(60))
    subject_id: Mapped[uuid.UUID]
    status: Mapped[OutboxStatus] = mapped_column(default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[dt.datetime | None]


class OutboxAttempt(TenantOwned, Base):
    """One try to send a message, and how it ended (``done``, ``retry`` or ``dead``)."""

    __tablename__ = "outbox_attempts"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "message_id"],
            ["outbox_messages.tenant_id", "outbox_messages.id"],
            ondelete="CASCADE",
        ),
        Index(None, "tenant_id", "message_id"),
    )

    message_id: Mapped[uuid.UUID]
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    outcome: Mapped[str] = mapped_column(String(10))
    error: Mapped[str | None] = mapped_column(Text)


@dataclass(frozen=True, slots=True)
class Handler:
    """How one kind of message is sent, and who learns that it went dead.

    ``send(subject_id)`` runs in the tenant's scope inside a savepoint: what it
    wrote stays when it returns and is undone when it raises. ``about(subject_id)``
    names what the message concerns for every log line of the attempt (the tenant's
    slug and, for a submission, its reference), so that an operator reading that a
    message failed knows whose and which; it is empty for a subject erased meanwhile.
    """

    send: Callable[[uuid.UUID], None]
    on_dead: Callable[[uuid.UUID], None] | None = None
    about: Callable[[uuid.UUID], Mapping[str, str]] | None = None


def job_id(message_id: uuid.UUID) -> str:
    return f"outbox-{message_id}"


def register(app: Flask, kind: str, handler: Handler) -> None:
    app.extensions.setdefault("amtsweg.outbox", {})[kind] = handler


def _handler(kind: str) -> Handler:
    return current_app.extensions["amtsweg.outbox"][kind]


# --- writing -----------------------------------------------------------------


def add(tenant_id: uuid.UUID, kind: str, subject_id: uuid.UUID) -> None:
    """Make a message due with the current transaction; its job goes out after the commit.

    One message per (kind, subject): callers add it where the subject is made
    (a second one fails the transaction on the unique constraint). The row is
    written at once, by a statement built once, on the session's connection:
    the unit of work would cost more than the insert.
    """
    require_tenant_scope(tenant_id)
    message_id = uuid.uuid4()
    row = {"tenant_id": tenant_id, "id": message_id, "kind": kind, "subject_id": subject_id}
    db.session.connection().execute(_INSERT_MESSAGE, row)
    send_after_commit(tenant_id, message_id)


#: An INSERT is not given the ORM's tenant criteria: each row names its tenant.
_INSERT_MESSAGE = insert(OutboxMessage)


def insert_messages(kind: str, subjects: FromClause) -> Insert:
    """A statement that makes a message of ``kind`` due for each ``(tenant_id, subject_id)``
    row of ``subjects`` and returns the messages' ids (PostgreSQL; build it once).

    For subjects written by the same statement (a data-modifying CTE): they and
    their messages then cost one round trip. The statement's parameter ``now``
    is when the messages are made and first due. Hand each id returned to
    :func:`send_after_commit`.
    """
    now = bindparam("now", type_=OutboxMessage.created_at.type)
    messages = select(
        subjects.c.tenant_id,
        func.gen_random_uuid(),
        literal(kind),
        subjects.c.subject_id,
        literal(OutboxStatus.PENDING, OutboxMessage.status.type),
        literal(0),
        now,
        now,
    )
    columns = [
        "tenant_id",
        "id",
        "kind",
        "subject_id",
        "status",
        "attempts",
        "next_attempt_at",
        "created_at",
    ]
    return (
        insert(OutboxMessage)
        .from_select(columns, messages, include_defaults=False)
        .returning(OutboxMessage.id)
    )


def send_after_commit(
    tenant_id: uuid.UUID, message_id: uuid.UUID, delay: dt.timedelta | None = None
) -> None:
    """Enqueue the message's job once the current transaction commits (``delay`` later)."""
    enqueue_after_commit(
        send, tenant_id, message_id, job_id=job_id(message_id), delay=delay, queue=OUTBOX_QUEUE
    )


def find(kind: str, subject_id: uuid.UUID) -> OutboxMessage | None:
    return db.session.scalar(
        select(OutboxMessage).where(
            OutboxMessage.kind == kind, OutboxMessage.subject_id == subject_id
        )
    )


def attempts_of(message: OutboxMessage) -> list[OutboxAttempt]:
    return list(
        db.session.scalars(
            select(OutboxAttempt)
            .where(OutboxAttempt.message_id == message.id)
            .order_by(OutboxAttempt.started_at)
        )
    )


def retry(message: OutboxMessage) -> bool:
    """Start a dead message afresh (attempts reset); ``False`` if it is not dead."""
    require_tenant_scope(message.tenant_id)
    if message.status is not OutboxStatus.DEAD:
        return False
    message.status = OutboxStatus.PENDING
    message.attempts = 0
    message.next_attempt_at = utcnow()
    message.finished_at = None
    send_after_commit(message.tenant_id, message.id)
    return True


# --- the job -----------------------------------------------------------------


def send(tenant_id: uuid.UUID, message_id: uuid.UUID) -> None:
    """Job: one try of one message, if it is due and no other job holds it."""
    with tenant_scope(tenant_id):
        message = db.session.scalar(
            select(OutboxMessage)
            .where(
                OutboxMessage.id == message_id,
                OutboxMessage.status == OutboxStatus.PENDING,
                OutboxMessage.next_attempt_at <= utcnow(),
            )
            .with_for_update(skip_locked=True)
        )
        if message is None:
            db.session.rollback()
            return
        handler = _handler(message.kind)
        about = handler.about(message.subject_id) if handler.about else {}
        with log_context(**about):
            _attempt(message, handler)
            db.session.commit()


def _attempt(message: OutboxMessage, handler: Handler) -> None:
    started = utcnow()
    message.attempts += 1
    try:
        with db.session.begin_nested():
            handler.send(message.subject_id)
    except Exception as error:  # noqa: BLE001 - every failure is recorded on the row
        _failed(message, handler, error, started)
        return
    message.status = OutboxStatus.DONE
    message.finished_at = utcnow()
    message.last_error = None
    db.session.add(OutboxAttempt(message_id=message.id, started_at=started, outcome="done"))


def _failed(message: OutboxMessage, handler: Handler, error: Exception, started: dt.datetime):
    text = _describe(error)
    gives_up = getattr(error, "permanent", False) or message.attempts >= MAX_ATTEMPTS
    message.last_error = text
    outcome = "dead" if gives_up else "retry"
    db.session.add(
        OutboxAttempt(message_id=message.id, started_at=started, outcome=outcome, error=text)
    )
    log.warning(
        "outbox message %s failed",
        outcome,
        extra={"kind": message.kind, "message_id": str(message.id), "error": text},
    )
    if gives_up:
        message.status = OutboxStatus.DEAD
        message.finished_at = utcnow()
        if handler.on_dead is not None:
            handler.on_dead(message.subject_id)
        return
    delay = BACKOFF[message.attempts - 1]
    message.next_attempt_at = utcnow() + delay
    send_after_commit(message.tenant_id, message.id, delay)


def _describe(error: Exception) -> str:
    """The error as people read it, with the traceback's last frames for the admins."""
    frames = "".join(traceback.format_exception(error, limit=-3))
    return f"{error}\n\n{frames}"[:ERROR_LIMIT]


# --- the sweeper -------------------------------------------------------------


def sweep(tenant_ids: list[uuid.UUID]) -> int:
    """Enqueue every due message of these tenants whose job is not waiting in Redis.

    Rows a job is sending right now are locked and skipped. Returns how many
    jobs were enqueued.
    """
    enqueued = 0
    for tenant_id in tenant_ids:
        with tenant_scope(tenant_id):
            due = list(
                db.session.scalars(
                    select(OutboxMessage.id)
                    .where(
                        OutboxMessage.status == OutboxStatus.PENDING,
                        OutboxMessage.next_attempt_at <= utcnow(),
                    )
                    .with_for_update(skip_locked=True)
                )
            )
            db.session.rollback()
        for message_id in due:
            if not _waiting_in_redis(job_id(message_id)):
                job = job_id(message_id)
                enqueue_now(send, tenant_id, message_id, job_id=job, queue=OUTBOX_QUEUE)
                enqueued += 1
    return enqueued


def _waiting_in_redis(job: str) -> bool:
    if not current_app.config["AMTSWEG"].redis_url:
        return False
    try:
        return Job.fetch(job, connection=redis_connection()).get_status() in WAITING
    except NoSuchJobError:
        return False


def init_app(app: Flask) -> None:
    app.extensions.setdefault("amtsweg.outbox", {})
