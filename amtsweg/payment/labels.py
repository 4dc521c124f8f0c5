"""Payment methods in words."""

from __future__ import annotations

from flask_babel import lazy_gettext

METHOD_LABELS = {
    "sandbox": lazy_gettext("Card (sandbox test payment)"),
    "stripe": lazy_gettext("Credit or debit card"),
    "banktransfer": lazy_gettext("Bank transfer with GiroCode"),
}


def payment_method_label(key: str) -> str:
    return str(METHOD_LABELS.get(key, key))
