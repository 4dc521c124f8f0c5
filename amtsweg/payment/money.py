"""The payment's arithmetic and its state table, pure (no database), so that every line
is pinned down by tests/payment/test_money.py and mutation-tested (docs/payment.md)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from amtsweg.payment.models import PaymentStatus

OPEN = frozenset({PaymentStatus.CREATED, PaymentStatus.PENDING})
WITHOUT_MONEY = frozenset({PaymentStatus.FAILED, PaymentStatus.CANCELLED, PaymentStatus.EXPIRED})
WITH_MONEY = frozenset(
    {PaymentStatus.SUCCEEDED, PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REFUNDED}
)
REFUNDABLE = frozenset({PaymentStatus.SUCCEEDED, PaymentStatus.PARTIALLY_REFUNDED})

# Which statuses each status may be reached from. A success may follow a
# failure, cancellation or expiry: providers report a late capture after a
# declined first try or after our expiry, and the money is then real.
ALLOWED_FROM: Mapping[PaymentStatus, frozenset[PaymentStatus]] = {
    PaymentStatus.PENDING: frozenset({PaymentStatus.CREATED}),
    PaymentStatus.SUCCEEDED: OPEN | WITHOUT_MONEY,
    PaymentStatus.FAILED: OPEN,
    PaymentStatus.CANCELLED: OPEN,
    PaymentStatus.EXPIRED: OPEN,
    PaymentStatus.PARTIALLY_REFUNDED: REFUNDABLE,
    PaymentStatus.REFUNDED: REFUNDABLE,
}


def refundable_cents(status: PaymentStatus, amount_cents: int, refunded_cents: int) -> int:
    """What can still be given back: nothing unless money came in."""
    if status not in REFUNDABLE:
        return 0
    return amount_cents - refunded_cents


def refund_fits(requested_cents: int, left_cents: int) -> bool:
    """At least one cent, and never more than what is left."""
    return 0 < requested_cents <= left_cents


def status_after_refund(amount_cents: int, refunded_cents: int) -> PaymentStatus:
    """``refunded_cents`` is the total given back, this refund included (or, after a
    refund that failed at the provider, without it: nothing left refunded is a payment
    that succeeded)."""
    if refunded_cents == amount_cents:
        return PaymentStatus.REFUNDED
    if refunded_cents == 0:
        return PaymentStatus.SUCCEEDED
    return PaymentStatus.PARTIALLY_REFUNDED


def decimal_text(cents: int, separator: str = ".") -> str:
    """``3070`` → ``30.70`` (or ``30,70``): integer arithmetic only, never floats."""
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}{separator}{abs(cents) % 100:02d}"


def cents_of_decimal_text(text: str) -> int:
    """``30.70`` → ``3070`` (a provider's amount); a fraction of a cent is refused."""
    cents = Decimal(text).scaleb(2)
    if cents != cents.to_integral_value():
        raise ValueError(f"not a whole number of cents: {text}")
    return int(cents)
