"""Signals between areas, declared in one place so a receiver never imports the sender.

Senders send after the state change, inside the same transaction; receivers
that write rows (an outbox entry, a status) therefore commit or roll back
together with the change. Receivers must not do I/O: they enqueue jobs with
:func:`amtsweg.platform.jobs.enqueue_after_commit`. Payment and delivery add
theirs here (``payment_succeeded``, ``delivery_dead``, ...) as they arrive.
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
