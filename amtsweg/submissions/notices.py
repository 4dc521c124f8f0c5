"""The email that tells a citizen their application's processing status changed."""

from __future__ import annotations

import uuid

from flask_babel import force_locale, gettext

from amtsweg.platform.db import db, tenant_scope
from amtsweg.platform.mail import compose, mailbox
from amtsweg.submissions import labels
from amtsweg.submissions.models import ProcessingEntry, Submission
from amtsweg.tenants.models import Tenant


def send_status_notice(tenant_id: uuid.UUID, submission_id: uuid.UUID, entry_id: uuid.UUID) -> None:
    """Job: mail the citizen the new status and the clerk's message (not the documents:
    those wait behind the login on the submission page)."""
    with tenant_scope(tenant_id):
        tenant = db.session.get_one(Tenant, tenant_id)
        submission = db.session.get(Submission, (tenant_id, submission_id))
        entry = db.session.get(ProcessingEntry, (tenant_id, entry_id))
        if submission is None or entry is None or entry.status is None:
            return  # erased meanwhile
        if not submission.confirmation_email:
            return
        with force_locale(submission.locale):
            subject = gettext(
                "%(reference)s: %(status)s",
                reference=submission.reference,
                status=labels.processing_label(entry.status),
            )
            body = gettext(
                "Hello,\n\nthe status of your application %(reference)s at %(tenant)s is now: "
                "%(status)s.\n\n%(message)s\n\nYou find the details and any documents "
                'under "My applications" after logging in.\n\nKind regards\n%(tenant)s\n',
                reference=submission.reference,
                tenant=tenant.name,
                status=labels.processing_label(entry.status),
                message=entry.message,
            )
        mailbox().send(
            compose(submission.confirmation_email, subject, body, reply_to=tenant.contact_email)
        )
