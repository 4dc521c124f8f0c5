"""The receipt (PDF) of a submission and the confirmation email that carries it.

The email is an outbox message (``platform/outbox.py``) of kind
:data:`KIND`, written with the submission: retried after a temporary SMTP
failure, dead after a permanent one, sent once.
"""

from __future__ import annotations

import logging
import uuid

from flask_babel import force_locale, gettext, pgettext
from sqlalchemy import select

from amtsweg.formdefs import service as formdefs
from amtsweg.formdefs.models import FormVersion
from amtsweg.platform.db import db
from amtsweg.platform.i18n import mail_locale
from amtsweg.platform.mail import compose, mailbox, stable_message_id
from amtsweg.platform.storage import storage
from amtsweg.submissions import panels, presentation, service
from amtsweg.submissions.models import Submission
from amtsweg.submissions.receipts import Letterhead, ReceiptData, render_receipt
from amtsweg.tenants.models import Tenant

log = logging.getLogger(__name__)

KIND = "mail.confirmation"


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

    Delivery asks for the municipality's ``file_copy``. Both print the
    Kassenzeichen (``cash_reference``, else the one of the submission's
    payment); the citizen's receipt also the GiroCode and transfer data while a
    bank transfer is open. Both stay PDF/A and PDF/UA.
    """
    locale = mail_locale(locale)
    definition = formdefs.compiled(db.session.get_one(FormVersion, submission.version_id))
    sections = presentation.answer_sections(definition, submission.answers, locale)
    with force_locale(locale):
        texts = receipt_texts()
        transfer = None if file_copy else panels.receipt_transfer(tenant, submission)
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
            cash_reference=cash_reference or (submission.payment or {}).get("kassenzeichen", ""),
            transfer=transfer,
            file_copy=file_copy,
            texts=texts,
        )
    )


def receipt_texts() -> dict[str, str]:
    """The words a receipt prints, in the current language (see ``receipts.TEXT_KEYS``)."""
    return {
        "title": pgettext("receipt", "Receipt"),
        "file_copy": pgettext("receipt", "Application (copy for the file)"),
        "coat_of_arms": pgettext("receipt", "Coat of arms: {tenant}"),
        "question": pgettext("receipt", "Question"),
        "answer": pgettext("receipt", "Answer"),
        "item": pgettext("receipt", "Item"),
        "amount": pgettext("receipt", "Amount"),
        "cash_reference": pgettext("receipt", "Payment reference (Kassenzeichen)"),
        "reference": pgettext("receipt", "Reference number"),
        "submitted": pgettext("receipt", "Submitted on"),
        "files": pgettext("receipt", "Uploaded files"),
        "fee": pgettext("receipt", "Fee"),
        "total": pgettext("receipt", "Total"),
        "free": pgettext("receipt", "This application is free of charge."),
        "by_notice": pgettext("receipt", "The fee will be assessed later by notice."),
        "payment": pgettext("receipt", "Payment"),
        "yes": pgettext("receipt", "Yes"),
        "no": pgettext("receipt", "No"),
        "page": pgettext("receipt", "Page {page} of {pages}"),
        "phone": pgettext("receipt", "Phone"),
        "time": pgettext("receipt", "{date}, {time} (German time)"),
    }


def send_confirmation(submission_id: uuid.UUID) -> None:
    """Outbox handler: email the receipt to the citizen (raises :class:`MailError`)."""
    submission = db.session.scalars(select(Submission).where(Submission.id == submission_id)).one()
    tenant = db.session.get_one(Tenant, submission.tenant_id)
    if submission.confirmation_sent_at is not None or not submission.confirmation_email:
        return
    locale = mail_locale(submission.locale)
    with force_locale(locale):
        subject, body = _confirmation_text(tenant, submission, locale)
    _send(tenant, submission, subject, body, locale)
    service.mark_confirmation_sent(submission)


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
    message["Message-ID"] = stable_message_id(f"receipt.{submission.id}")
    mailbox().send(message)
