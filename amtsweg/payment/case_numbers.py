"""What payment adds to a municipality's case numbers (:mod:`amtsweg.submissions.case_numbers`):
the applications paid, and the fees received net of what was given back.

Both count by the month the application came in, as every figure there does. A payment
made twice (two browser tabs) counts once as paid; its second payment adds to the fees
only what was not refunded of it.
"""

from __future__ import annotations

from collections.abc import Iterator

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, select

from amtsweg.payment.models import Payment, PaymentStatus
from amtsweg.platform.db import db
from amtsweg.submissions.case_numbers import Counted, Figure, Period, register_figures
from amtsweg.submissions.models import Submission
from amtsweg.tenants.models import Tenant

PAID = Figure("paid", _l("Paid"))
FEES_RECEIVED = Figure("fees_received", _l("Fees received"), money=True)
#: A payment whose money arrived; a refund shows in ``refunded_cents``.
ARRIVED = (PaymentStatus.SUCCEEDED, PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REFUNDED)


def counted(_tenant: Tenant, period: Period) -> Iterator[Counted]:
    query = (
        select(
            Submission.definition_id,
            Submission.submitted_at,
            Payment.settles_submission,
            Payment.amount_cents - Payment.refunded_cents,
        )
        .join(
            Payment,
            and_(Payment.tenant_id == Submission.tenant_id, Payment.submission_id == Submission.id),
        )
        .where(
            Submission.submitted_at >= period.starts,
            Submission.submitted_at < period.ends,
            Payment.status.in_(ARRIVED),
        )
        .execution_options(yield_per=2000)
    )
    for definition_id, submitted_at, settles, kept_cents in db.session.execute(query):
        yield definition_id, submitted_at, {PAID.key: int(settles), FEES_RECEIVED.key: kept_cents}


def register() -> None:
    register_figures("payment", (PAID, FEES_RECEIVED), counted)
