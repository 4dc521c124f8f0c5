"""The receipt (PDF) of a submission and the confirmation email that carries it."""

from __future__ import annotations

import logging
import uuid

from amtsweg.formdefs import service as formdefs
from amtsweg.formdefs.models import FormVersion
from amtsweg.platform.db import db, utcnow
from amtsweg.platform.mail import compose, mailbox
from amtsweg.platform.storage import storage
from amtsweg.submissions import presentation
from amtsweg.submissions.models import Submission
from amtsweg.submissions.receipts import Letterhead, ReceiptData, render_receipt
from amtsweg.tenants import service as tenants
from amtsweg.tenants.models import Tenant

log = logging.getLogger(__name__)

EMAIL_TEXT = {
    "de": (
        "Eingangsbestätigung {reference}: {title}",
        (
            "Guten Tag,\n\nIhr Antrag „{title}“ ist bei der {tenant} eingegangen.\n"
            "Ihre Vorgangsnummer: {reference}\n\n"
            "Die Eingangsbestätigung mit Ihren Angaben liegt als PDF bei.\n\n"
            "Mit freundlichen Grüßen\n{tenant}\n"
        ),
    ),
    "en": (
        "Receipt {reference}: {title}",
        (
            "Hello,\n\nyour application “{title}” has reached {tenant}.\n"
            "Your reference number: {reference}\n\n"
            "The receipt with your answers is attached as a PDF.\n\n"
            "Kind regards\n{tenant}\n"
        ),
    ),
}


def _letterhead(tenant: Tenant) -> Letterhead:
    coat_of_arms = None
    if tenant.coat_of_arms_key:
        try:
            coat_of_arms = storage().get(tenant.coat_of_arms_key)
        except KeyError:
            log.warning("coat of arms missing from storage", extra={"tenant": tenant.slug})
    return Letterhead(
        name=tenant.name,
        address_lines=tuple(filter(None, [tenant.contact_address])),
        phone=tenant.contact_phone or "",
        email=tenant.contact_email or "",
        coat_of_arms=coat_of_arms,
    )


def receipt_pdf(tenant: Tenant, submission: Submission, locale: str) -> bytes:
    """The receipt exactly as the submission was accepted, in ``locale``."""
    definition = formdefs.compiled(db.session.get_one(FormVersion, submission.version_id))
    sections = presentation.answer_sections(definition, submission.answers, locale)
    return render_receipt(
        ReceiptData(
            tenant=_letterhead(tenant),
            form_title=definition.title.get(locale),
            reference=submission.reference,
            submitted_at=submission.submitted_at,
            locale=locale,
            sections=tuple(section for _step, section in sections),
            files=presentation.uploaded_names(definition, submission.answers),
            fee=presentation.fee_of(submission.fee, locale),
        )
    )


def send_confirmation(tenant_id: uuid.UUID, submission_id: uuid.UUID) -> None:
    """Job: email the receipt to the citizen once; a rerun after success sends nothing."""
    tenant = db.session.get_one(Tenant, tenant_id)
    tenants.enter_tenant(tenant)
    submission = db.session.get_one(Submission, (tenant_id, submission_id))
    if submission.confirmation_sent_at is not None or not submission.confirmation_email:
        return
    locale = submission.locale
    definition = formdefs.compiled(db.session.get_one(FormVersion, submission.version_id))
    words = {
        "reference": submission.reference,
        "title": definition.title.get(locale),
        "tenant": tenant.name,
    }
    subject, body = (text.format(**words) for text in EMAIL_TEXT[locale])
    message = compose(
        submission.confirmation_email,
        subject,
        body,
        attachments=[
            (
                f"{submission.reference}.pdf",
                "application/pdf",
                receipt_pdf(tenant, submission, locale),
            )
        ],
        reply_to=tenant.contact_email,
    )
    mailbox().send(message)
    submission.confirmation_sent_at = utcnow()
    db.session.commit()
