"""The status email to the citizen goes through the outbox: retried on 4xx, dead on 5xx, once."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from sqlalchemy import select

from amtsweg.platform.db import db
from amtsweg.platform.outbox import OutboxMessage, OutboxStatus, attempts_of
from amtsweg.submissions import notices
from tests.clerk.test_processing import post_status
from tests.delivery.conftest import sweep, time_passes
from tests.platform.test_job_logs import json_log_lines

STATUS_SUBJECT = "{reference}: Weitere Angaben nötig"


@pytest.fixture
def settings(settings, smtp_server):
    return replace(settings, smtp_url=smtp_server.url)


def _ask_for_more(client, reference: str) -> None:
    asked = post_status(
        client,
        reference,
        status="more_information_needed",
        message="Bitte schicken Sie ein Foto des Schirms.",
    )
    assert asked.status_code == 302


def _status_mails(smtp_server, reference: str) -> list:
    subject = STATUS_SUBJECT.format(reference=reference)
    return [mail for mail in smtp_server.messages if mail["Subject"] == subject]


def _status_message() -> OutboxMessage:
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == notices.KIND)).one()


def test_a_busy_mail_server_gets_the_status_mail_again_later_and_only_once(
    app, client, log_in, submit, smtp_server
) -> None:
    reference = submit()
    smtp_server.wait_for(1)  # the receipt
    log_in("clerk-musterstadt")
    smtp_server.reply_next("451 4.3.0 Mailbox busy, try later")

    _ask_for_more(client, reference)

    assert _status_mails(smtp_server, reference) == []
    message = _status_message()
    assert (message.status, message.attempts) == (OutboxStatus.PENDING, 1)
    time_passes()
    sweep(app)
    [mail] = smtp_server.wait_for(2)[1:]
    assert mail["Subject"] == STATUS_SUBJECT.format(reference=reference)
    assert mail["To"] == "erika.mustermann@example.org"  # her login's address
    assert "Bitte schicken Sie ein Foto des Schirms." in mail.get_body().get_content()
    db.session.refresh(message)
    assert [a.outcome for a in attempts_of(message)] == ["retry", "done"]
    time_passes()
    sweep(app)
    assert len(_status_mails(smtp_server, reference)) == 1


def test_a_refused_status_mail_is_dead_and_not_sent_again(
    app, client, log_in, submit, smtp_server
) -> None:
    reference = submit()
    smtp_server.wait_for(1)
    log_in("clerk-musterstadt")
    smtp_server.reply_next("550 5.1.1 No such mailbox")

    _ask_for_more(client, reference)
    time_passes()
    sweep(app)

    message = _status_message()
    assert (message.status, message.attempts) == (OutboxStatus.DEAD, 1)
    assert "550" in message.last_error
    assert _status_mails(smtp_server, reference) == []


def test_the_log_lines_of_a_failed_attempt_name_the_tenant_and_the_reference(
    app, client, log_in, submit, smtp_server
) -> None:
    """An operator reading that a message failed sees whose and which, never the text."""
    reference = submit()
    smtp_server.wait_for(1)
    log_in("clerk-musterstadt")
    smtp_server.reply_next("451 4.3.0 Mailbox busy, try later")

    with json_log_lines() as lines:
        _ask_for_more(client, reference)

    (failed,) = [line for line in lines if line["message"] == "outbox message retry failed"]
    assert (failed["kind"], failed["tenant"], failed["reference"]) == (
        notices.KIND,
        "musterstadt",
        reference,
    )
    assert "Foto des Schirms" not in json.dumps(lines)
