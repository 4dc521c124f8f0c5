"""Payment methods in words."""

from __future__ import annotations

from flask_babel import lazy_gettext

METHOD_LABELS = {
    "sandbox": lazy_gettext("Card (sandbox test payment)"),
    "stripe": lazy_gettext("Credit or debit card"),
    "banktransfer": lazy_gettext("Bank transfer with GiroCode"),
    "paypal": lazy_gettext("PayPal"),
    "xbezahldienste": lazy_gettext("Online through the state's payment platform"),
}


def payment_method_label(key: str) -> str:
    return str(METHOD_LABELS.get(key, key))


OUTCOME_LABELS = {
    "unmatched": lazy_gettext("no Kassenzeichen found"),
    "partial": lazy_gettext("less than due"),
    "over": lazy_gettext("more than due"),
    "already_paid": lazy_gettext("already paid"),
    "online_payment": lazy_gettext("Kassenzeichen of an online payment"),
    "other_currency": lazy_gettext("in another currency"),
    "matched": lazy_gettext("settled"),
}


def statement_outcome_label(outcome: str) -> str:
    return str(OUTCOME_LABELS.get(outcome, outcome))


# The reasons a provider gives for a refund that gave nothing back: Stripe's
# ``failure_reason`` (and its status where it names none) and PayPal's status.
REFUND_FAILURE_LABELS = {
    "lost_or_stolen_card": lazy_gettext("card reported lost or stolen"),
    "expired_or_canceled_card": lazy_gettext("card expired or cancelled"),
    "charge_for_pending_refund_disputed": lazy_gettext(
        "payment disputed while the refund was pending"
    ),
    "insufficient_funds": lazy_gettext("balance at the provider too low"),
    "declined": lazy_gettext("declined by the card issuer"),
    "merchant_request": lazy_gettext("cancelled at the municipality's request"),
    "unknown": lazy_gettext("no reason given"),
    "failed": lazy_gettext("no reason given"),
    "canceled": lazy_gettext("cancelled at the provider"),
    "cancelled": lazy_gettext("cancelled at the provider"),
}


def refund_failure_label(failure: str) -> str:
    """The clerk's words for a provider's reason. A reason we do not know yet stays as
    the provider wrote it, so that the clerk can still quote it to them; the audit log
    and the API keep the provider's own word in every case."""
    return str(REFUND_FAILURE_LABELS.get(failure.lower(), failure))


# Where a payment's change came from (``PaymentEvent.source``), for its history.
EVENT_SOURCE_LABELS = {
    "start": lazy_gettext("when the payment was started"),
    "return": lazy_gettext("when the citizen came back from the provider"),
    "poll": lazy_gettext("at the regular check with the provider"),
    "webhook": lazy_gettext("by the provider's notification"),
    "refund": lazy_gettext("by a refund"),
    "refund_failed": lazy_gettext("a refund failed at the provider"),
    "statement": lazy_gettext("by the bank statement"),
}


def payment_event_source_label(source: str) -> str:
    return str(EVENT_SOURCE_LABELS.get(source, source))
