"""The emails that tell a citizen a fee was refunded, or that a refund failed.

Outbox messages (``platform/outbox.py``) about a :class:`~amtsweg.payment.models.Refund`:
:data:`MADE` is written with the refund (a clerk's, the duplicate rule's, or one found
at the provider), :data:`FAILED` when the provider names that refund failed. Each is
retried after a temporary SMTP failure, dead after a permanent one, and sent once; a
refund that failed after its first mail gets the second. A first mail still waiting
for its retry when the failure is known is not sent at all: arriving after the
second, it would tell the citizen the opposite of what is true, and the second says
all there is. Like the receipt and the
status notices, they go to the address the citizen gave with the application, in
its language, and only if they gave one. The clerk's reason stays internal.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from flask_babel import force_locale, gettext
from sqlalchemy import select

from amtsweg.payment import labels
from amtsweg.payment.models import Payment, Refund
from amtsweg.platform.db import db
from amtsweg.platform.i18n import mail_locale, money
from amtsweg.platform.mail import compose, mailbox, stable_message_id
from amtsweg.submissions import service as submissions
from amtsweg.submissions.models import Submission
from amtsweg.tenants.models import Tenant

MADE = "mail.refund_made"
FAILED = "mail.refund_failed"


@dataclass(frozen=True, slots=True)
class _Subject:
    refund: Refund
    payment: Payment
    submission: Submission
    tenant: Tenant


def send_refund_made(refund_id: uuid.UUID) -> None:
    """Outbox handler: the amount, and how it comes back (unless it failed meanwhile)."""
    found = _subject(refund_id)
    if found is None or found.refund.failed_at is not None:
        return
    with force_locale(mail_locale(found.submission.locale)):
        subject = gettext(
            "%(reference)s: %(amount)s refunded",
            reference=found.submission.reference,
            amount=money(found.refund.amount_cents),
        )
        how = (
            gettext(
                "The money goes back to what you paid with (%(method)s); depending on the "
                "provider, it may take a few days to reach your account.",
                method=labels.payment_method_label(found.payment.provider),
            )
            if found.refund.provider_refund_id
            else gettext("The municipality's treasury pays it back by bank transfer.")
        )
        words = {
            "tenant": found.tenant.name,
            "amount": money(found.refund.amount_cents),
            "reference": found.submission.reference,
            "how": how,
        }
        news = (
            gettext(
                "you paid the fee for your application %(reference)s twice, so %(tenant)s "
                "has refunded the second payment of %(amount)s. %(how)s",
                **words,
            )
            if found.payment.duplicate
            else gettext(
                "%(tenant)s has refunded %(amount)s of the fee for your application "
                "%(reference)s. %(how)s",
                **words,
            )
        )
        body = _body(found, news)
    _send(found, subject, body, f"refund.{refund_id}")


def send_refund_failed(refund_id: uuid.UUID) -> None:
    """Outbox handler: the refund gave nothing back, and why."""
    found = _subject(refund_id)
    if found is None or found.refund.failed_at is None:
        return
    with force_locale(mail_locale(found.submission.locale)):
        subject = gettext(
            "%(reference)s: refund of %(amount)s not paid out",
            reference=found.submission.reference,
            amount=money(found.refund.amount_cents),
        )
        body = _body(
            found,
            gettext(
                "the refund of %(amount)s for your application %(reference)s could not be "
                "paid out (%(why)s), so you have not received this amount. %(tenant)s sees "
                "this too and answers your questions about it.",
                amount=money(found.refund.amount_cents),
                reference=found.submission.reference,
                why=labels.refund_failure_label(found.refund.failure or ""),
                tenant=found.tenant.name,
            ),
        )
    _send(found, subject, body, f"refund-failed.{refund_id}")


def about(refund_id: uuid.UUID) -> dict[str, str]:
    """The refund's tenant and reference, for the log lines of its mail."""
    payment_id = db.session.scalar(select(Refund.payment_id).where(Refund.id == refund_id))
    return submissions.log_fields(
        payment_id
        and db.session.scalar(select(Payment.submission_id).where(Payment.id == payment_id))
    )


def _subject(refund_id: uuid.UUID) -> _Subject | None:
    """The refund with its payment, application and municipality; None when there is
    nobody to write to (no address given, or the application was erased meanwhile)."""
    refund = db.session.scalar(select(Refund).where(Refund.id == refund_id))
    payment = refund and db.session.scalar(select(Payment).where(Payment.id == refund.payment_id))
    submission = payment and db.session.scalar(
        select(Submission).where(Submission.id == payment.submission_id)
    )
    if submission is None or not submission.confirmation_email:
        return None
    tenant = db.session.get_one(Tenant, submission.tenant_id)
    return _Subject(refund, payment, submission, tenant)


def _body(found: _Subject, news: str) -> str:
    return gettext(
        'Hello,\n\n%(news)s\n\nYou find the details under "My applications" after '
        "logging in.\n\nKind regards\n%(tenant)s\n",
        news=news,
        tenant=found.tenant.name,
    )


def _send(found: _Subject, subject: str, body: str, message_key: str) -> None:
    message = compose(
        found.submission.confirmation_email or "",
        subject,
        body,
        reply_to=found.tenant.contact_email,
    )
    message["Message-ID"] = stable_message_id(message_key)
    mailbox().send(message)
