"""Mail a feedback message from the accessibility statement to the tenant.

An outbox message (``platform/outbox.py``) of kind :data:`KIND`, written with
the feedback: retried after a temporary SMTP failure, dead after a permanent
one, sent once.
"""

from __future__ import annotations

import logging
import uuid

from flask_babel import force_locale, gettext
from sqlalchemy import select

from amtsweg.platform.db import db
from amtsweg.platform.i18n import DEFAULT_LOCALE
from amtsweg.platform.mail import MailError, compose, mailbox, stable_message_id
from amtsweg.tenants.accessibility import service
from amtsweg.tenants.models import AccessibilityFeedback, Tenant

log = logging.getLogger(__name__)


KIND = "mail.accessibility_feedback"


def about(feedback_id: uuid.UUID) -> dict[str, str]:
    """The message's tenant, for the log lines of its sending (it names no submission)."""
    tenant_id = db.session.scalar(
        select(AccessibilityFeedback.tenant_id).where(AccessibilityFeedback.id == feedback_id)
    )
    return {"tenant": db.session.get_one(Tenant, tenant_id).slug} if tenant_id else {}


def send_feedback(feedback_id: uuid.UUID) -> None:
    """Outbox handler: mail the message to the tenant's contact (raises :class:`MailError`).

    The municipality's staff read it in German, whatever language the sender used.
    """
    feedback = db.session.scalars(
        select(AccessibilityFeedback).where(AccessibilityFeedback.id == feedback_id)
    ).one()
    tenant = db.session.get_one(Tenant, feedback.tenant_id)
    if feedback.mailed_at is not None:
        return
    if not tenant.contact_email:
        # Kept, and dead in the outbox: an admin sets the address and sends it again.
        raise MailError("The municipality has no contact email.", permanent=True)
    with force_locale(DEFAULT_LOCALE):
        subject, body = _feedback_text(tenant, feedback)
    message = compose(tenant.contact_email, subject, body, reply_to=feedback.email)
    message["Message-ID"] = stable_message_id(f"feedback.{feedback.id}")
    mailbox().send(message)
    service.mark_feedback_mailed(feedback)


def _feedback_text(tenant: Tenant, feedback: AccessibilityFeedback) -> tuple[str, str]:
    missing = gettext("(not given)")
    subject = gettext("Accessibility feedback on Amtsweg (%(tenant)s)", tenant=tenant.name)
    body = gettext(
        "Hello,\n\nfeedback has arrived through the accessibility statement.\n\n"
        "Received: %(created)s (UTC)\nName: %(name)s\nEmail: %(email)s\nPage: %(page)s\n\n"
        "Message:\n%(message)s\n\n"
        "Under BITV 2.0 feedback is to be answered promptly, at the latest after one month.\n"
        "To answer, reply to this email (if an address was given).\n",
        created=f"{feedback.created_at:%Y-%m-%d %H:%M}",
        name=feedback.name or missing,
        email=feedback.email or missing,
        page=feedback.page_url or missing,
        message=feedback.message,
    )
    return subject, body
