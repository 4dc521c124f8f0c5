"""Jobs of the accessibility pages: mail a feedback message to the tenant."""

from __future__ import annotations

import logging
import uuid

from amtsweg.platform.db import db, utcnow
from amtsweg.platform.mail import compose, mailbox
from amtsweg.tenants import service as tenants
from amtsweg.tenants.models import AccessibilityFeedback, Tenant

log = logging.getLogger(__name__)

SUBJECT = "Rückmeldung zur Barrierefreiheit von Amtsweg ({tenant})"
BODY = """Guten Tag,

über die Erklärung zur Barrierefreiheit ist eine Rückmeldung eingegangen.

Eingegangen am: {created} (UTC)
Name: {name}
E-Mail: {email}
Seite: {page}

Nachricht:
{message}

Nach BITV 2.0 ist eine Rückmeldung zeitnah, spätestens nach einem Monat, zu beantworten.
Wer antworten möchte, antwortet auf diese E-Mail (wenn eine Adresse angegeben wurde).
"""


def send_feedback(tenant_id: uuid.UUID, feedback_id: uuid.UUID) -> None:
    """Job: mail the message to the tenant's contact once; a rerun after success sends nothing."""
    tenant = db.session.get_one(Tenant, tenant_id)
    tenants.enter_tenant(tenant)
    feedback = db.session.get_one(AccessibilityFeedback, (tenant_id, feedback_id))
    if feedback.mailed_at is not None:
        return
    if not tenant.contact_email:
        log.warning("accessibility feedback kept, no contact email", extra={"tenant": tenant.slug})
        return
    message = compose(
        tenant.contact_email,
        SUBJECT.format(tenant=tenant.name),
        BODY.format(
            created=f"{feedback.created_at:%Y-%m-%d %H:%M}",
            name=feedback.name or "(nicht angegeben)",
            email=feedback.email or "(nicht angegeben)",
            page=feedback.page_url or "(nicht angegeben)",
            message=feedback.message,
        ),
        reply_to=feedback.email,
    )
    mailbox().send(message)
    feedback.mailed_at = utcnow()
    db.session.commit()
