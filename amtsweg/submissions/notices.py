"""The email that tells a citizen their application's processing status changed.

An outbox message (``platform/outbox.py``) of kind :data:`KIND` about the
:class:`~amtsweg.submissions.models.ProcessingEntry`, written with the entry:
retried after a temporary SMTP failure, dead after a permanent one, sent once.
"""

from __future__ import annotations

import uuid

from flask_babel import force_locale, gettext
from sqlalchemy import select

from amtsweg.platform.db import db
from amtsweg.platform.i18n import mail_locale
from amtsweg.platform.mail import compose, mailbox, stable_message_id
from amtsweg.submissions import labels, service
from amtsweg.submissions.models import ProcessingEntry, Submission
from amtsweg.tenants.models import Tenant

KIND = "mail.processing_status"


def about(entry_id: uuid.UUID) -> dict[str, str]:
    """The notice's tenant and reference, for the log lines of its sending."""
    return service.log_fields(
        db.session.scalar(
            select(ProcessingEntry.submission_id).where(ProcessingEntry.id == entry_id)
        )
    )


def send_status_notice(entry_id: uuid.UUID) -> None:
    """Outbox handler: mail the citizen the new status and the clerk's message (not the
    documents: those wait behind the login on the submission page)."""
    entry = db.session.scalar(select(ProcessingEntry).where(ProcessingEntry.id == entry_id))
    submission = entry and db.session.scalar(
        select(Submission).where(Submission.id == entry.submission_id)
    )
    if submission is None or entry.status is None or not submission.confirmation_email:
        return  # erased meanwhile, or nobody to tell
    tenant = db.session.get_one(Tenant, submission.tenant_id)
    with force_locale(mail_locale(submission.locale)):
        status = labels.processing_label(entry.status)
        subject = gettext(
            "%(reference)s: %(status)s", reference=submission.reference, status=status
        )
        body = gettext(
            "Hello,\n\nthe status of your application %(reference)s at %(tenant)s is now: "
            "%(status)s.\n\n%(message)s\n\nYou find the details and any documents "
            'under "My applications" after logging in.\n\nKind regards\n%(tenant)s\n',
            reference=submission.reference,
            tenant=tenant.name,
            status=status,
            message=entry.message,
        )
    message = compose(submission.confirmation_email, subject, body, reply_to=tenant.contact_email)
    message["Message-ID"] = stable_message_id(f"status.{entry.id}")
    mailbox().send(message)
