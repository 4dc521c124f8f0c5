"""The receipt (PDF) of a submission and the confirmation email that carries it."""

from __future__ import annotations

import logging
import uuid

from flask_babel import force_locale, gettext

from amtsweg.formdefs import service as formdefs
from amtsweg.formdefs.models import FormVersion
from amtsweg.platform.db import db, tenant_scope
from amtsweg.platform.i18n import mail_locale
from amtsweg.platform.mail import compose, mailbox
from amtsweg.platform.storage import storage
from amtsweg.submissions import presentation, service
from amtsweg.submissions.models import Submission
from amtsweg.submissions.receipts import Letterhead, ReceiptData, render_receipt
from amtsweg.tenants.models import Tenant

log = logging.getLogger(__name__)


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


def receipt_pdf(
    tenant: Tenant,
    submission: Submission,
    locale: str,
    *,
    file_copy: bool = False,
    cash_reference: str = "",
) -> bytes:
    """The receipt exactly as the submission was accepted, in ``locale``.

    Delivery asks for the municipality's ``file_copy``, with the Kassenzeichen
    (``cash_reference``) when payment has one; both stay PDF/A and PDF/UA.
    """
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
            cash_reference=cash_reference,
            file_copy=file_copy,
        )
    )


def send_confirmation(tenant_id: uuid.UUID, submission_id: uuid.UUID) -> None:
    """Job: email the receipt to the citizen once; a rerun after success sends nothing."""
    with tenant_scope(tenant_id):
        tenant = db.session.get_one(Tenant, tenant_id)
        submission = db.session.get_one(Submission, (tenant_id, submission_id))
        if submission.confirmation_sent_at is not None or not submission.confirmation_email:
            return
        locale = mail_locale(submission.locale)
        with force_locale(locale):
            subject, body = _confirmation_text(tenant, submission, locale)
        _send(tenant, submission, subject, body, locale)
        service.mark_confirmation_sent(submission)
        db.session.commit()


def _confirmation_text(tenant: Tenant, submission: Submission, locale: str) -> tuple[str, str]:
    words = {
        "reference": submission.reference,
        "title": formdefs.compiled(
            db.session.get_one(FormVersion, submission.version_id)
        ).title.get(locale),
        "tenant": tenant.name,
    }
    subject = gettext("Receipt %(reference)s: %(title)s", **words)
    body = gettext(
        "Hello,\n\nyour application “%(title)s” has reached %(tenant)s.\n"
        "Your reference number: %(reference)s\n\n"
        "The receipt with your answers is attached as a PDF.\n\n"
        "Kind regards\n%(tenant)s\n",
        **words,
    )
    return subject, body


def _send(tenant: Tenant, submission: Submission, subject: str, body: str, locale: str) -> None:
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
