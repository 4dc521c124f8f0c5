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


# What PayPal says of a capture it holds back (``status_details.reason``) or declines.
PROVIDER_DETAIL_LABELS = {
    "INSTRUMENT_DECLINED": lazy_gettext("payment method declined"),
    "PENDING_REVIEW": lazy_gettext("under review at the provider"),
    "ECHECK": lazy_gettext("paid by eCheck, not cleared yet"),
    "TRANSACTION_APPROVED_AWAITING_FUNDING": lazy_gettext(
        "approved, the payer has yet to send the money"
    ),
    "BUYER_COMPLAINT": lazy_gettext("the payer complained to the provider"),
    "CHARGEBACK": lazy_gettext("taken back by the payer's bank"),
    "REFUNDED": lazy_gettext("refunded"),
    "INTERNATIONAL_WITHDRAWAL": lazy_gettext("to be accepted in the provider's account"),
    "RECEIVING_PREFERENCE_MANDATES_MANUAL_ACTION": lazy_gettext(
        "to be accepted in the provider's account"
    ),
    "UNILATERAL": lazy_gettext("the receiving account does not exist at the provider"),
    "VERIFICATION_REQUIRED": lazy_gettext("the receiving account is not verified"),
    "OTHER": lazy_gettext("no reason given"),
}


def payment_event_detail(detail: str, source: str) -> str:
    """A payment event's detail in words. A refund's is the clerk's own reason; what a
    provider said is looked up, and a word we have no translation for stays the
    provider's."""
    if source == "refund_failed":
        return refund_failure_label(detail)
    if source == "refund":
        return detail
    return str(PROVIDER_DETAIL_LABELS.get(detail, detail))
