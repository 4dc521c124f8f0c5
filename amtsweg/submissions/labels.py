"""How submission facts read on pages: times and statuses in words."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from babel import dates
from flask_babel import format_datetime, get_locale, lazy_gettext, to_user_timezone

from amtsweg.submissions.models import ProcessingStatus, SubmissionStatus

STATUS_LABELS = {
    SubmissionStatus.SUBMITTED: lazy_gettext("Received"),
    SubmissionStatus.AWAITING_PAYMENT: lazy_gettext("Received, payment outstanding"),
    SubmissionStatus.PAID: lazy_gettext("Received and paid"),
    SubmissionStatus.DELIVERED: lazy_gettext("Forwarded to the office in charge"),
    SubmissionStatus.DELIVERY_FAILED: lazy_gettext("Received; forwarding is delayed"),
}

PROCESSING_LABELS = {
    ProcessingStatus.RECEIVED: lazy_gettext("Received"),
    ProcessingStatus.IN_PROGRESS: lazy_gettext("In progress"),
    ProcessingStatus.MORE_INFORMATION_NEEDED: lazy_gettext("More information needed"),
    ProcessingStatus.APPROVED: lazy_gettext("Approved"),
    ProcessingStatus.REJECTED: lazy_gettext("Rejected"),
    ProcessingStatus.COMPLETED: lazy_gettext("Completed"),
}


PAYMENT_STATUS_LABELS = {
    "created": lazy_gettext("not yet paid"),
    "pending": lazy_gettext("in progress"),
    "succeeded": lazy_gettext("paid"),
    "failed": lazy_gettext("failed"),
    "cancelled": lazy_gettext("cancelled"),
    "expired": lazy_gettext("expired"),
    "partially_refunded": lazy_gettext("paid, partly refunded"),
    "refunded": lazy_gettext("refunded"),
}


def payment_status_label(status: str | None) -> str:
    return str(PAYMENT_STATUS_LABELS.get(status or "created", status))


def submitted_at(moment: dt.datetime) -> str:
    """Date and time in the authority's zone (Flask-Babel's default time zone)."""
    return format_datetime(moment, format="medium")


def date_only(moment: dt.datetime) -> str:
    """The day in the authority's zone in words, as Flask-Babel's ``format_date(moment,
    "long")`` writes it ("5. Januar 2027"); each day once per language, since writing it
    cost a step page more than any other of its words."""
    return _long_date(to_user_timezone(moment).date(), str(get_locale()))


@lru_cache(maxsize=1024)
def _long_date(day: dt.date, locale: str) -> str:
    return dates.format_date(day, format="long", locale=locale)


def status_label(status: SubmissionStatus) -> str:
    return str(STATUS_LABELS[status])


def processing_label(status: ProcessingStatus) -> str:
    return str(PROCESSING_LABELS[status])
