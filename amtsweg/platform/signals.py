"""Signals between areas, declared in one place so a receiver never imports the sender.

Senders send after the state change, inside the same transaction; receivers
that write rows (an outbox entry, a status) therefore commit or roll back
together with the change. Receivers must not do I/O: they enqueue jobs with
:func:`amtsweg.platform.jobs.enqueue_after_commit`. Payment and delivery
never import each other or submissions' internals: they send these, and
submissions (and each other) connect in their ``init_app``.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

submission_created = _signals.signal(
    "submission-created",
    doc="""A citizen's submission was created (HTML journey or API).

    Sender: the :class:`~amtsweg.submissions.models.Submission`.
    Kwargs: ``tenant`` (the :class:`~amtsweg.tenants.models.Tenant`).
    Delivery connects to write its outbox row; payment to open a payment when a
    fee is due online.
    """,
)

# --- payment → submissions, delivery -------------------------------------------------
# Payment sends these from its one state-change function, inside the transaction of
# the change. Kwargs of all three: ``tenant_id``, ``submission_id`` (UUIDs) and
# ``summary``, a dict ``{"status", "amount_cents", "currency", "provider",
# "kassenzeichen"}`` that submissions keeps on the submission (for the citizen, the
# clerk's list and ``GET …/submissions/<reference>``) without importing payment.

payment_changed = _signals.signal(
    "payment-changed",
    doc="""A payment of a submission changed its status (any change, final or not).

    Sender: the payment area (``None``). Submissions stores ``summary``.
    """,
)

payment_succeeded = _signals.signal(
    "payment-succeeded",
    doc="""A submission's fee is paid (sent once per submission, after ``payment_changed``).

    Sender: the payment area (``None``). Submissions moves the submission on;
    delivery starts delivering a form that waits for its payment.
    """,
)

payment_failed = _signals.signal(
    "payment-failed",
    doc="""A payment attempt ended without money (failed, cancelled or expired).

    Sender: the payment area (``None``). The submission stays awaiting payment;
    the citizen can pay again.
    """,
)

# --- delivery → submissions ----------------------------------------------------------
# Kwargs: ``tenant_id``, ``submission_id`` and ``target`` (the target's name).

delivery_succeeded = _signals.signal(
    "delivery-succeeded",
    doc="""A submission reached one of its delivery targets.

    Sender: the delivery area (``None``). Kwarg ``all_delivered`` is true when
    every target of the submission has it now.
    """,
)

delivery_dead = _signals.signal(
    "delivery-dead",
    doc="""A delivery gave up after its retries; a clerk or admin must act.

    Sender: the delivery area (``None``).
    """,
)

# --- submissions → payment, delivery -------------------------------------------------

submission_erased = _signals.signal(
    "submission-erased",
    doc="""A submission is being deleted: its retention period ended, or a person's data
    were erased on request (``amtsweg gdpr erase``).

    Sender: the submissions area (``None``), inside the transaction that deletes the
    submission, before its row goes. Kwargs: ``tenant_id``, ``submission_id`` (UUIDs).
    Payment deletes the personal data of its payments (keeping what bookkeeping law
    requires, without the person), delivery its copies and outbox rows. Receivers
    delete files with :func:`amtsweg.platform.storage.delete_after_commit`.
    """,
)
