"""Outgoing mail through the outbox: retried on 4xx and timeouts, dead on 5xx, sent once."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from amtsweg.delivery import service as delivery
from amtsweg.platform.db import db, utcnow
from amtsweg.platform.outbox import BACKOFF, OutboxMessage, OutboxStatus, attempts_of
from amtsweg.submissions import confirmation
from amtsweg.tenants.accessibility import service as accessibility
from amtsweg.tenants.accessibility import tasks as feedback_mail
from tests.delivery.conftest import submit, sweep, time_passes


def _message(kind: str) -> OutboxMessage:
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)).one()


def test_the_receipt_goes_out_once_after_the_commit(app, musterstadt, erika, smtp_server):
    submission = submit(musterstadt, erika)

    [mail] = smtp_server.wait_for(1)
    assert (
        mail["Subject"]
        == f"Eingangsbestätigung {submission.reference}: Verlust einer Sache melden (Fundbüro)"
    )
    message = _message(confirmation.KIND)
    assert (message.status, message.attempts) == (OutboxStatus.DONE, 1)
    sweep(app)
    time_passes()
    sweep(app)
    assert len(smtp_server.messages) == 1


def test_a_busy_mail_server_gets_the_receipt_again_later(app, musterstadt, erika, smtp_server):
    smtp_server.reply_next("451 4.3.0 Mailbox busy, try later")
    before = utcnow()

    submission = submit(musterstadt, erika)

    message = _message(confirmation.KIND)
    assert (message.status, message.attempts) == (OutboxStatus.PENDING, 1)
    assert "451" in message.last_error
    pause = message.next_attempt_at - before
    assert BACKOFF[0] <= pause < BACKOFF[0] + dt.timedelta(seconds=30)
    assert smtp_server.messages == []
    sweep(app)  # not due yet: nothing happens
    assert smtp_server.messages == []

    time_passes()
    sweep(app)

    [mail] = smtp_server.wait_for(1)
    assert submission.reference in mail["Subject"]
    db.session.refresh(message)
    assert (message.status, message.attempts, message.last_error) == (OutboxStatus.DONE, 2, None)
    history = attempts_of(message)
    assert [attempt.outcome for attempt in history] == ["retry", "done"]
    assert "451" in history[0].error


def test_a_refused_receipt_is_dead_at_once_and_never_retried(app, musterstadt, erika, smtp_server):
    smtp_server.reply_next("554 5.7.1 Message rejected")

    submit(musterstadt, erika)
    time_passes()
    sweep(app)

    message = _message(confirmation.KIND)
    assert (message.status, message.attempts) == (OutboxStatus.DEAD, 1)
    assert "554" in message.last_error
    assert smtp_server.messages == []


def test_after_the_last_pause_a_message_is_dead(app, musterstadt, erika, smtp_server):
    smtp_server.reply_next("421 4.7.0 Too many connections", count=len(BACKOFF) + 1)
    submit(musterstadt, erika)
    message = _message(confirmation.KIND)
    pauses = []
    for _retry in BACKOFF:
        db.session.refresh(message)
        pauses.append(round((message.next_attempt_at - utcnow()).total_seconds() / 60))
        time_passes()
        sweep(app)

    db.session.refresh(message)
    assert pauses == [1, 5, 30, 120, 720, 1440]
    assert (message.status, message.attempts) == (OutboxStatus.DEAD, len(BACKOFF) + 1)
    assert [a.outcome for a in attempts_of(message)] == ["retry"] * len(BACKOFF) + ["dead"]
    assert smtp_server.messages == []


def test_accessibility_feedback_uses_the_same_outbox(app, musterstadt, smtp_server):
    smtp_server.reply_next("450 4.2.1 Mailbox unavailable")
    accessibility.record_feedback(
        musterstadt,
        name="Max",
        email="max@example.org",
        message="Der Kontrast im Kopf ist zu schwach.",
        page_url="https://amtsweg.example/t/musterstadt/",
        locale="de",
    )
    db.session.commit()
    assert _message(feedback_mail.KIND).status is OutboxStatus.PENDING

    time_passes()
    sweep(app)

    [mail] = smtp_server.wait_for(1)
    assert "Kontrast" in mail.get_body().get_content()
    assert mail["To"] == "rat@m.example"
    assert _message(feedback_mail.KIND).status is OutboxStatus.DONE


def test_every_kind_of_message_names_whose_and_which_in_its_log_lines(app, musterstadt, erika):
    delivery.save_target(musterstadt, "ablage", "folder", {}, default=True)
    db.session.commit()
    submission = submit(musterstadt, erika)
    handlers = app.extensions["amtsweg.outbox"]
    assert [kind for kind, handler in handlers.items() if handler.about is None] == []
    messages = db.session.scalars(select(OutboxMessage)).all()
    assert {message.kind for message in messages} == {confirmation.KIND, "delivery"}
    for message in messages:
        assert handlers[message.kind].about(message.subject_id) == {
            "tenant": "musterstadt",
            "reference": submission.reference,
        }
