"""Jobs of the accessibility pages: mail a feedback message to the tenant."""

from __future__ import annotations

import logging
import uuid

from flask_babel import force_locale, gettext

from amtsweg.platform.db import db, tenant_scope
from amtsweg.platform.i18n import DEFAULT_LOCALE
from amtsweg.platform.mail import compose, mailbox
from amtsweg.tenants.accessibility import service
from amtsweg.tenants.models import AccessibilityFeedback, Tenant

log = logging.getLogger(__name__)


def send_feedback(tenant_id: uuid.UUID, feedback_id: uuid.UUID) -> None:
    """Job: mail the message to the tenant's contact once; a rerun after success sends nothing.

    The municipality's staff read it in German, whatever language the sender used.
    """
    with tenant_scope(tenant_id):
        tenant = db.session.get_one(Tenant, tenant_id)
        feedback = db.session.get_one(AccessibilityFeedback, (tenant_id, feedback_id))
        if feedback.mailed_at is not None:
            return
        if not tenant.contact_email:
            log.warning(
                "accessibility feedback kept, no contact email", extra={"tenant": tenant.slug}
            )
            return
        with force_locale(DEFAULT_LOCALE):
            subject, body = _feedback_text(tenant, feedback)
        mailbox().send(compose(tenant.contact_email, subject, body, reply_to=feedback.email))
        service.mark_feedback_mailed(feedback)
        db.session.commit()


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
