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
