"""The payment's arithmetic and its state table, pure (no database), so that every line
is pinned down by tests/payment/test_money.py and mutation-tested (docs/payment.md)."""

from __future__ import annotations

from collections.abc import Mapping

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


from mutmut.mutation.trampoline import wrap_in_trampoline as _mutmut_mutated, MutantDict
mutants_x_refundable_cents__mutmut: MutantDict = {}  # type: ignore


@_mutmut_mutated(mutants_x_refundable_cents__mutmut)
def refundable_cents(status: PaymentStatus, amount_cents: int, refunded_cents: int) -> int:
    """What can still be given back: nothing unless money came in."""
    if status not in REFUNDABLE:
        return 0
    return amount_cents - refunded_cents


def x_refundable_cents__mutmut_orig(status: PaymentStatus, amount_cents: int, refunded_cents: int) -> int:
    """What can still be given back: nothing unless money came in."""
    if status not in REFUNDABLE:
        return 0
    return amount_cents - refunded_cents


def x_refundable_cents__mutmut_1(status: PaymentStatus, amount_cents: int, refunded_cents: int) -> int:
    """What can still be given back: nothing unless money came in."""
    if status in REFUNDABLE:
        return 0
    return amount_cents - refunded_cents


def x_refundable_cents__mutmut_2(status: PaymentStatus, amount_cents: int, refunded_cents: int) -> int:
    """What can still be given back: nothing unless money came in."""
    if status not in REFUNDABLE:
        return 1
    return amount_cents - refunded_cents


def x_refundable_cents__mutmut_3(status: PaymentStatus, amount_cents: int, refunded_cents: int) -> int:
    """What can still be given back: nothing unless money came in."""
    if status not in REFUNDABLE:
        return 0
    return amount_cents + refunded_cents

mutants_x_refundable_cents__mutmut['_mutmut_orig'] = x_refundable_cents__mutmut_orig # type: ignore # mutmut generated
mutants_x_refundable_cents__mutmut['x_refundable_cents__mutmut_1'] = x_refundable_cents__mutmut_1 # type: ignore # mutmut generated
mutants_x_refundable_cents__mutmut['x_refundable_cents__mutmut_2'] = x_refundable_cents__mutmut_2 # type: ignore # mutmut generated
mutants_x_refundable_cents__mutmut['x_refundable_cents__mutmut_3'] = x_refundable_cents__mutmut_3 # type: ignore # mutmut generated
mutants_x_refund_fits__mutmut: MutantDict = {}  # type: ignore


@_mutmut_mutated(mutants_x_refund_fits__mutmut)
def refund_fits(requested_cents: int, left_cents: int) -> bool:
    """At least one cent, and never more than what is left."""
    return 0 < requested_cents <= left_cents


def x_refund_fits__mutmut_orig(requested_cents: int, left_cents: int) -> bool:
    """At least one cent, and never more than what is left."""
    return 0 < requested_cents <= left_cents


def x_refund_fits__mutmut_1(requested_cents: int, left_cents: int) -> bool:
    """At least one cent, and never more than what is left."""
    return 1 < requested_cents <= left_cents


def x_refund_fits__mutmut_2(requested_cents: int, left_cents: int) -> bool:
    """At least one cent, and never more than what is left."""
    return 0 <= requested_cents <= left_cents


def x_refund_fits__mutmut_3(requested_cents: int, left_cents: int) -> bool:
    """At least one cent, and never more than what is left."""
    return 0 < requested_cents < left_cents

mutants_x_refund_fits__mutmut['_mutmut_orig'] = x_refund_fits__mutmut_orig # type: ignore # mutmut generated
mutants_x_refund_fits__mutmut['x_refund_fits__mutmut_1'] = x_refund_fits__mutmut_1 # type: ignore # mutmut generated
mutants_x_refund_fits__mutmut['x_refund_fits__mutmut_2'] = x_refund_fits__mutmut_2 # type: ignore # mutmut generated
mutants_x_refund_fits__mutmut['x_refund_fits__mutmut_3'] = x_refund_fits__mutmut_3 # type: ignore # mutmut generated
mutants_x_status_after_refund__mutmut: MutantDict = {}  # type: ignore


@_mutmut_mutated(mutants_x_status_after_refund__mutmut)
def status_after_refund(amount_cents: int, refunded_cents: int) -> PaymentStatus:
    """``refunded_cents`` is the total given back, this refund included."""
    if refunded_cents == amount_cents:
        return PaymentStatus.REFUNDED
    return PaymentStatus.PARTIALLY_REFUNDED


def x_status_after_refund__mutmut_orig(amount_cents: int, refunded_cents: int) -> PaymentStatus:
    """``refunded_cents`` is the total given back, this refund included."""
    if refunded_cents == amount_cents:
        return PaymentStatus.REFUNDED
    return PaymentStatus.PARTIALLY_REFUNDED


def x_status_after_refund__mutmut_1(amount_cents: int, refunded_cents: int) -> PaymentStatus:
    """``refunded_cents`` is the total given back, this refund included."""
    if refunded_cents != amount_cents:
        return PaymentStatus.REFUNDED
    return PaymentStatus.PARTIALLY_REFUNDED

mutants_x_status_after_refund__mutmut['_mutmut_orig'] = x_status_after_refund__mutmut_orig # type: ignore # mutmut generated
mutants_x_status_after_refund__mutmut['x_status_after_refund__mutmut_1'] = x_status_after_refund__mutmut_1 # type: ignore # mutmut generated
mutants_x_decimal_text__mutmut: MutantDict = {}  # type: ignore


@_mutmut_mutated(mutants_x_decimal_text__mutmut)
def decimal_text(cents: int, separator: str = ".") -> str:
    """``3070`` → ``30.70`` (or ``30,70``): integer arithmetic only, never floats."""
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}{separator}{abs(cents) % 100:02d}"


def x_decimal_text__mutmut_orig(cents: int, separator: str = ".") -> str:
    """``3070`` → ``30.70`` (or ``30,70``): integer arithmetic only, never floats."""
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}{separator}{abs(cents) % 100:02d}"


def x_decimal_text__mutmut_1(cents: int, separator: str = "XX.XX") -> str:
    """``3070`` → ``30.70`` (or ``30,70``): integer arithmetic only, never floats."""
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}{separator}{abs(cents) % 100:02d}"


def x_decimal_text__mutmut_2(cents: int, separator: str = ".") -> str:
    """``3070`` → ``30.70`` (or ``30,70``): integer arithmetic only, never floats."""
    sign = None
    return f"{sign}{abs(cents) // 100}{separator}{abs(cents) % 100:02d}"


def x_decimal_text__mutmut_3(cents: int, separator: str = ".") -> str:
    """``3070`` → ``30.70`` (or ``30,70``): integer arithmetic only, never floats."""
    sign = "-" if (cents < 0) and False else ""
    return f"{sign}{abs(cents) // 100}{separator}{abs(cents) % 100:02d}"


def x_decimal_text__mutmut_4(cents: int, separator: str = ".") -> str:
    """``3070`` → ``30.70`` (or ``30,70``): integer arithmetic only, never floats."""
    sign = "-" if (cents < 0) or True else ""
    return f"{sign}{abs(cents) // 100}{separator}{abs(cents) % 100:02d}"


def x_decimal_text__mutmut_5(cents: int, separator: str = ".") -> str:
    """``3070`` → ``30.70`` (or ``30,70``): integer arithmetic only, never floats."""
    sign = "XX-XX" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}{separator}{abs(cents) % 100:02d}"


def x_decimal_text__mutmut_6(cents: int, separator: str = ".") -> str:
    """``3070`` → ``30.70`` (or ``30,70``): integer arithmetic only, never floats."""
    sign = "-" if cents <= 0 else ""
    return f"{sign}{abs(cents) // 100}{separator}{abs(cents) % 100:02d}"


def x_decimal_text__mutmut_7(cents: int, separator: str = ".") -> str:
    """``3070`` → ``30.70`` (or ``30,70``): integer arithmetic only, never floats."""
    sign = "-" if cents < 1 else ""
    return f"{sign}{abs(cents) // 100}{separator}{abs(cents) % 100:02d}"


def x_decimal_text__mutmut_8(cents: int, separator: str = ".") -> str:
    """``3070`` → ``30.70`` (or ``30,70``): integer arithmetic only, never floats."""
    sign = "-" if cents < 0 else "XXXX"
    return f"{sign}{abs(cents) // 100}{separator}{abs(cents) % 100:02d}"


def x_decimal_text__mutmut_9(cents: int, separator: str = ".") -> str:
    """``3070`` → ``30.70`` (or ``30,70``): integer arithmetic only, never floats."""
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) / 100}{separator}{abs(cents) % 100:02d}"


def x_decimal_text__mutmut_10(cents: int, separator: str = ".") -> str:
    """``3070`` → ``30.70`` (or ``30,70``): integer arithmetic only, never floats."""
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(None) // 100}{separator}{abs(cents) % 100:02d}"


def x_decimal_text__mutmut_11(cents: int, separator: str = ".") -> str:
    """``3070`` → ``30.70`` (or ``30,70``): integer arithmetic only, never floats."""
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 101}{separator}{abs(cents) % 100:02d}"


def x_decimal_text__mutmut_12(cents: int, separator: str = ".") -> str:
    """``3070`` → ``30.70`` (or ``30,70``): integer arithmetic only, never floats."""
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}{separator}{abs(cents) / 100:02d}"


def x_decimal_text__mutmut_13(cents: int, separator: str = ".") -> str:
    """``3070`` → ``30.70`` (or ``30,70``): integer arithmetic only, never floats."""
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}{separator}{abs(None) % 100:02d}"


def x_decimal_text__mutmut_14(cents: int, separator: str = ".") -> str:
    """``3070`` → ``30.70`` (or ``30,70``): integer arithmetic only, never floats."""
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}{separator}{abs(cents) % 101:02d}"

mutants_x_decimal_text__mutmut['_mutmut_orig'] = x_decimal_text__mutmut_orig # type: ignore # mutmut generated
mutants_x_decimal_text__mutmut['x_decimal_text__mutmut_1'] = x_decimal_text__mutmut_1 # type: ignore # mutmut generated
mutants_x_decimal_text__mutmut['x_decimal_text__mutmut_2'] = x_decimal_text__mutmut_2 # type: ignore # mutmut generated
mutants_x_decimal_text__mutmut['x_decimal_text__mutmut_3'] = x_decimal_text__mutmut_3 # type: ignore # mutmut generated
mutants_x_decimal_text__mutmut['x_decimal_text__mutmut_4'] = x_decimal_text__mutmut_4 # type: ignore # mutmut generated
mutants_x_decimal_text__mutmut['x_decimal_text__mutmut_5'] = x_decimal_text__mutmut_5 # type: ignore # mutmut generated
mutants_x_decimal_text__mutmut['x_decimal_text__mutmut_6'] = x_decimal_text__mutmut_6 # type: ignore # mutmut generated
mutants_x_decimal_text__mutmut['x_decimal_text__mutmut_7'] = x_decimal_text__mutmut_7 # type: ignore # mutmut generated
mutants_x_decimal_text__mutmut['x_decimal_text__mutmut_8'] = x_decimal_text__mutmut_8 # type: ignore # mutmut generated
mutants_x_decimal_text__mutmut['x_decimal_text__mutmut_9'] = x_decimal_text__mutmut_9 # type: ignore # mutmut generated
mutants_x_decimal_text__mutmut['x_decimal_text__mutmut_10'] = x_decimal_text__mutmut_10 # type: ignore # mutmut generated
mutants_x_decimal_text__mutmut['x_decimal_text__mutmut_11'] = x_decimal_text__mutmut_11 # type: ignore # mutmut generated
mutants_x_decimal_text__mutmut['x_decimal_text__mutmut_12'] = x_decimal_text__mutmut_12 # type: ignore # mutmut generated
mutants_x_decimal_text__mutmut['x_decimal_text__mutmut_13'] = x_decimal_text__mutmut_13 # type: ignore # mutmut generated
mutants_x_decimal_text__mutmut['x_decimal_text__mutmut_14'] = x_decimal_text__mutmut_14 # type: ignore # mutmut generated
mutants_x_parse_euros__mutmut: MutantDict = {}  # type: ignore


@_mutmut_mutated(mutants_x_parse_euros__mutmut)
def parse_euros(text: str) -> int | None:
    """``12,50`` / ``12.50`` / ``12`` euros → cents; ``None`` for anything else."""
    cleaned = text.strip().replace(".", ",")
    euros, comma, cents = cleaned.partition(",")
    if not euros.isdigit() or (comma and not cents.isdigit()) or len(cents) > 2:
        return None
    return int(euros) * 100 + int(cents.ljust(2, "0"))


def x_parse_euros__mutmut_orig(text: str) -> int | None:
    """``12,50`` / ``12.50`` / ``12`` euros → cents; ``None`` for anything else."""
    cleaned = text.strip().replace(".", ",")
    euros, comma, cents = cleaned.partition(",")
    if not euros.isdigit() or (comma and not cents.isdigit()) or len(cents) > 2:
        return None
    return int(euros) * 100 + int(cents.ljust(2, "0"))


def x_parse_euros__mutmut_1(text: str) -> int | None:
    """``12,50`` / ``12.50`` / ``12`` euros → cents; ``None`` for anything else."""
    cleaned = None
    euros, comma, cents = cleaned.partition(",")
    if not euros.isdigit() or (comma and not cents.isdigit()) or len(cents) > 2:
        return None
    return int(euros) * 100 + int(cents.ljust(2, "0"))


def x_parse_euros__mutmut_2(text: str) -> int | None:
    """``12,50`` / ``12.50`` / ``12`` euros → cents; ``None`` for anything else."""
    cleaned = text.strip().replace(None, ",")
    euros, comma, cents = cleaned.partition(",")
    if not euros.isdigit() or (comma and not cents.isdigit()) or len(cents) > 2:
        return None
    return int(euros) * 100 + int(cents.ljust(2, "0"))


def x_parse_euros__mutmut_3(text: str) -> int | None:
    """``12,50`` / ``12.50`` / ``12`` euros → cents; ``None`` for anything else."""
    cleaned = text.strip().replace(".", None)
    euros, comma, cents = cleaned.partition(",")
    if not euros.isdigit() or (comma and not cents.isdigit()) or len(cents) > 2:
        return None
    return int(euros) * 100 + int(cents.ljust(2, "0"))


def x_parse_euros__mutmut_4(text: str) -> int | None:
    """``12,50`` / ``12.50`` / ``12`` euros → cents; ``None`` for anything else."""
    cleaned = text.strip().replace(",")
    euros, comma, cents = cleaned.partition(",")
    if not euros.isdigit() or (comma and not cents.isdigit()) or len(cents) > 2:
        return None
    return int(euros) * 100 + int(cents.ljust(2, "0"))


def x_parse_euros__mutmut_5(text: str) -> int | None:
    """``12,50`` / ``12.50`` / ``12`` euros → cents; ``None`` for anything else."""
    cleaned = text.strip().replace(".", )
    euros, comma, cents = cleaned.partition(",")
    if not euros.isdigit() or (comma and not cents.isdigit()) or len(cents) > 2:
        return None
    return int(euros) * 100 + int(cents.ljust(2, "0"))


def x_parse_euros__mutmut_6(text: str) -> int | None:
    """``12,50`` / ``12.50`` / ``12`` euros → cents; ``None`` for anything else."""
    cleaned = text.strip().replace("XX.XX", ",")
    euros, comma, cents = cleaned.partition(",")
    if not euros.isdigit() or (comma and not cents.isdigit()) or len(cents) > 2:
        return None
    return int(euros) * 100 + int(cents.ljust(2, "0"))


def x_parse_euros__mutmut_7(text: str) -> int | None:
    """``12,50`` / ``12.50`` / ``12`` euros → cents; ``None`` for anything else."""
    cleaned = text.strip().replace(".", "XX,XX")
    euros, comma, cents = cleaned.partition(",")
    if not euros.isdigit() or (comma and not cents.isdigit()) or len(cents) > 2:
        return None
    return int(euros) * 100 + int(cents.ljust(2, "0"))


def x_parse_euros__mutmut_8(text: str) -> int | None:
    """``12,50`` / ``12.50`` / ``12`` euros → cents; ``None`` for anything else."""
    cleaned = text.strip().replace(".", ",")
    euros, comma, cents = None
    if not euros.isdigit() or (comma and not cents.isdigit()) or len(cents) > 2:
        return None
    return int(euros) * 100 + int(cents.ljust(2, "0"))


def x_parse_euros__mutmut_9(text: str) -> int | None:
    """``12,50`` / ``12.50`` / ``12`` euros → cents; ``None`` for anything else."""
    cleaned = text.strip().replace(".", ",")
    euros, comma, cents = cleaned.partition(None)
    if not euros.isdigit() or (comma and not cents.isdigit()) or len(cents) > 2:
        return None
    return int(euros) * 100 + int(cents.ljust(2, "0"))


def x_parse_euros__mutmut_10(text: str) -> int | None:
    """``12,50`` / ``12.50`` / ``12`` euros → cents; ``None`` for anything else."""
    cleaned = text.strip().replace(".", ",")
    euros, comma, cents = cleaned.rpartition(",")
    if not euros.isdigit() or (comma and not cents.isdigit()) or len(cents) > 2:
        return None
    return int(euros) * 100 + int(cents.ljust(2, "0"))


def x_parse_euros__mutmut_11(text: str) -> int | None:
    """``12,50`` / ``12.50`` / ``12`` euros → cents; ``None`` for anything else."""
    cleaned = text.strip().replace(".", ",")
    euros, comma, cents = cleaned.partition("XX,XX")
    if not euros.isdigit() or (comma and not cents.isdigit()) or len(cents) > 2:
        return None
    return int(euros) * 100 + int(cents.ljust(2, "0"))


def x_parse_euros__mutmut_12(text: str) -> int | None:
    """``12,50`` / ``12.50`` / ``12`` euros → cents; ``None`` for anything else."""
    cleaned = text.strip().replace(".", ",")
    euros, comma, cents = cleaned.partition(",")
    if not euros.isdigit() or (comma and not cents.isdigit()) and len(cents) > 2:
        return None
    return int(euros) * 100 + int(cents.ljust(2, "0"))


def x_parse_euros__mutmut_13(text: str) -> int | None:
    """``12,50`` / ``12.50`` / ``12`` euros → cents; ``None`` for anything else."""
    cleaned = text.strip().replace(".", ",")
    euros, comma, cents = cleaned.partition(",")
    if not euros.isdigit() and (comma and not cents.isdigit()) or len(cents) > 2:
        return None
    return int(euros) * 100 + int(cents.ljust(2, "0"))


def x_parse_euros__mutmut_14(text: str) -> int | None:
    """``12,50`` / ``12.50`` / ``12`` euros → cents; ``None`` for anything else."""
    cleaned = text.strip().replace(".", ",")
    euros, comma, cents = cleaned.partition(",")
    if euros.isdigit() or (comma and not cents.isdigit()) or len(cents) > 2:
        return None
    return int(euros) * 100 + int(cents.ljust(2, "0"))


def x_parse_euros__mutmut_15(text: str) -> int | None:
    """``12,50`` / ``12.50`` / ``12`` euros → cents; ``None`` for anything else."""
    cleaned = text.strip().replace(".", ",")
    euros, comma, cents = cleaned.partition(",")
    if not euros.isdigit() or (comma or not cents.isdigit()) or len(cents) > 2:
        return None
    return int(euros) * 100 + int(cents.ljust(2, "0"))


def x_parse_euros__mutmut_16(text: str) -> int | None:
    """``12,50`` / ``12.50`` / ``12`` euros → cents; ``None`` for anything else."""
    cleaned = text.strip().replace(".", ",")
    euros, comma, cents = cleaned.partition(",")
    if not euros.isdigit() or (comma and cents.isdigit()) or len(cents) > 2:
        return None
    return int(euros) * 100 + int(cents.ljust(2, "0"))


def x_parse_euros__mutmut_17(text: str) -> int | None:
    """``12,50`` / ``12.50`` / ``12`` euros → cents; ``None`` for anything else."""
    cleaned = text.strip().replace(".", ",")
    euros, comma, cents = cleaned.partition(",")
    if not euros.isdigit() or (comma and not cents.isdigit()) or len(cents) >= 2:
        return None
    return int(euros) * 100 + int(cents.ljust(2, "0"))


def x_parse_euros__mutmut_18(text: str) -> int | None:
    """``12,50`` / ``12.50`` / ``12`` euros → cents; ``None`` for anything else."""
    cleaned = text.strip().replace(".", ",")
    euros, comma, cents = cleaned.partition(",")
    if not euros.isdigit() or (comma and not cents.isdigit()) or len(cents) > 3:
        return None
    return int(euros) * 100 + int(cents.ljust(2, "0"))


def x_parse_euros__mutmut_19(text: str) -> int | None:
    """``12,50`` / ``12.50`` / ``12`` euros → cents; ``None`` for anything else."""
    cleaned = text.strip().replace(".", ",")
    euros, comma, cents = cleaned.partition(",")
    if not euros.isdigit() or (comma and not cents.isdigit()) or len(cents) > 2:
        return None
    return int(euros) * 100 - int(cents.ljust(2, "0"))


def x_parse_euros__mutmut_20(text: str) -> int | None:
    """``12,50`` / ``12.50`` / ``12`` euros → cents; ``None`` for anything else."""
    cleaned = text.strip().replace(".", ",")
    euros, comma, cents = cleaned.partition(",")
    if not euros.isdigit() or (comma and not cents.isdigit()) or len(cents) > 2:
        return None
    return int(euros) / 100 + int(cents.ljust(2, "0"))


def x_parse_euros__mutmut_21(text: str) -> int | None:
    """``12,50`` / ``12.50`` / ``12`` euros → cents; ``None`` for anything else."""
    cleaned = text.strip().replace(".", ",")
    euros, comma, cents = cleaned.partition(",")
    if not euros.isdigit() or (comma and not cents.isdigit()) or len(cents) > 2:
        return None
    return int(None) * 100 + int(cents.ljust(2, "0"))


def x_parse_euros__mutmut_22(text: str) -> int | None:
    """``12,50`` / ``12.50`` / ``12`` euros → cents; ``None`` for anything else."""
    cleaned = text.strip().replace(".", ",")
    euros, comma, cents = cleaned.partition(",")
    if not euros.isdigit() or (comma and not cents.isdigit()) or len(cents) > 2:
        return None
    return int(euros) * 101 + int(cents.ljust(2, "0"))


def x_parse_euros__mutmut_23(text: str) -> int | None:
    """``12,50`` / ``12.50`` / ``12`` euros → cents; ``None`` for anything else."""
    cleaned = text.strip().replace(".", ",")
    euros, comma, cents = cleaned.partition(",")
    if not euros.isdigit() or (comma and not cents.isdigit()) or len(cents) > 2:
        return None
    return int(euros) * 100 + int(None)


def x_parse_euros__mutmut_24(text: str) -> int | None:
    """``12,50`` / ``12.50`` / ``12`` euros → cents; ``None`` for anything else."""
    cleaned = text.strip().replace(".", ",")
    euros, comma, cents = cleaned.partition(",")
    if not euros.isdigit() or (comma and not cents.isdigit()) or len(cents) > 2:
        return None
    return int(euros) * 100 + int(cents.ljust(None, "0"))


def x_parse_euros__mutmut_25(text: str) -> int | None:
    """``12,50`` / ``12.50`` / ``12`` euros → cents; ``None`` for anything else."""
    cleaned = text.strip().replace(".", ",")
    euros, comma, cents = cleaned.partition(",")
    if not euros.isdigit() or (comma and not cents.isdigit()) or len(cents) > 2:
        return None
    return int(euros) * 100 + int(cents.ljust(2, None))


def x_parse_euros__mutmut_26(text: str) -> int | None:
    """``12,50`` / ``12.50`` / ``12`` euros → cents; ``None`` for anything else."""
    cleaned = text.strip().replace(".", ",")
    euros, comma, cents = cleaned.partition(",")
    if not euros.isdigit() or (comma and not cents.isdigit()) or len(cents) > 2:
        return None
    return int(euros) * 100 + int(cents.ljust("0"))


def x_parse_euros__mutmut_27(text: str) -> int | None:
    """``12,50`` / ``12.50`` / ``12`` euros → cents; ``None`` for anything else."""
    cleaned = text.strip().replace(".", ",")
    euros, comma, cents = cleaned.partition(",")
    if not euros.isdigit() or (comma and not cents.isdigit()) or len(cents) > 2:
        return None
    return int(euros) * 100 + int(cents.ljust(2, ))


def x_parse_euros__mutmut_28(text: str) -> int | None:
    """``12,50`` / ``12.50`` / ``12`` euros → cents; ``None`` for anything else."""
    cleaned = text.strip().replace(".", ",")
    euros, comma, cents = cleaned.partition(",")
    if not euros.isdigit() or (comma and not cents.isdigit()) or len(cents) > 2:
        return None
    return int(euros) * 100 + int(cents.rjust(2, "0"))


def x_parse_euros__mutmut_29(text: str) -> int | None:
    """``12,50`` / ``12.50`` / ``12`` euros → cents; ``None`` for anything else."""
    cleaned = text.strip().replace(".", ",")
    euros, comma, cents = cleaned.partition(",")
    if not euros.isdigit() or (comma and not cents.isdigit()) or len(cents) > 2:
        return None
    return int(euros) * 100 + int(cents.ljust(3, "0"))


def x_parse_euros__mutmut_30(text: str) -> int | None:
    """``12,50`` / ``12.50`` / ``12`` euros → cents; ``None`` for anything else."""
    cleaned = text.strip().replace(".", ",")
    euros, comma, cents = cleaned.partition(",")
    if not euros.isdigit() or (comma and not cents.isdigit()) or len(cents) > 2:
        return None
    return int(euros) * 100 + int(cents.ljust(2, "XX0XX"))

mutants_x_parse_euros__mutmut['_mutmut_orig'] = x_parse_euros__mutmut_orig # type: ignore # mutmut generated
mutants_x_parse_euros__mutmut['x_parse_euros__mutmut_1'] = x_parse_euros__mutmut_1 # type: ignore # mutmut generated
mutants_x_parse_euros__mutmut['x_parse_euros__mutmut_2'] = x_parse_euros__mutmut_2 # type: ignore # mutmut generated
mutants_x_parse_euros__mutmut['x_parse_euros__mutmut_3'] = x_parse_euros__mutmut_3 # type: ignore # mutmut generated
mutants_x_parse_euros__mutmut['x_parse_euros__mutmut_4'] = x_parse_euros__mutmut_4 # type: ignore # mutmut generated
mutants_x_parse_euros__mutmut['x_parse_euros__mutmut_5'] = x_parse_euros__mutmut_5 # type: ignore # mutmut generated
mutants_x_parse_euros__mutmut['x_parse_euros__mutmut_6'] = x_parse_euros__mutmut_6 # type: ignore # mutmut generated
mutants_x_parse_euros__mutmut['x_parse_euros__mutmut_7'] = x_parse_euros__mutmut_7 # type: ignore # mutmut generated
mutants_x_parse_euros__mutmut['x_parse_euros__mutmut_8'] = x_parse_euros__mutmut_8 # type: ignore # mutmut generated
mutants_x_parse_euros__mutmut['x_parse_euros__mutmut_9'] = x_parse_euros__mutmut_9 # type: ignore # mutmut generated
mutants_x_parse_euros__mutmut['x_parse_euros__mutmut_10'] = x_parse_euros__mutmut_10 # type: ignore # mutmut generated
mutants_x_parse_euros__mutmut['x_parse_euros__mutmut_11'] = x_parse_euros__mutmut_11 # type: ignore # mutmut generated
mutants_x_parse_euros__mutmut['x_parse_euros__mutmut_12'] = x_parse_euros__mutmut_12 # type: ignore # mutmut generated
mutants_x_parse_euros__mutmut['x_parse_euros__mutmut_13'] = x_parse_euros__mutmut_13 # type: ignore # mutmut generated
mutants_x_parse_euros__mutmut['x_parse_euros__mutmut_14'] = x_parse_euros__mutmut_14 # type: ignore # mutmut generated
mutants_x_parse_euros__mutmut['x_parse_euros__mutmut_15'] = x_parse_euros__mutmut_15 # type: ignore # mutmut generated
mutants_x_parse_euros__mutmut['x_parse_euros__mutmut_16'] = x_parse_euros__mutmut_16 # type: ignore # mutmut generated
mutants_x_parse_euros__mutmut['x_parse_euros__mutmut_17'] = x_parse_euros__mutmut_17 # type: ignore # mutmut generated
mutants_x_parse_euros__mutmut['x_parse_euros__mutmut_18'] = x_parse_euros__mutmut_18 # type: ignore # mutmut generated
mutants_x_parse_euros__mutmut['x_parse_euros__mutmut_19'] = x_parse_euros__mutmut_19 # type: ignore # mutmut generated
mutants_x_parse_euros__mutmut['x_parse_euros__mutmut_20'] = x_parse_euros__mutmut_20 # type: ignore # mutmut generated
mutants_x_parse_euros__mutmut['x_parse_euros__mutmut_21'] = x_parse_euros__mutmut_21 # type: ignore # mutmut generated
mutants_x_parse_euros__mutmut['x_parse_euros__mutmut_22'] = x_parse_euros__mutmut_22 # type: ignore # mutmut generated
mutants_x_parse_euros__mutmut['x_parse_euros__mutmut_23'] = x_parse_euros__mutmut_23 # type: ignore # mutmut generated
mutants_x_parse_euros__mutmut['x_parse_euros__mutmut_24'] = x_parse_euros__mutmut_24 # type: ignore # mutmut generated
mutants_x_parse_euros__mutmut['x_parse_euros__mutmut_25'] = x_parse_euros__mutmut_25 # type: ignore # mutmut generated
mutants_x_parse_euros__mutmut['x_parse_euros__mutmut_26'] = x_parse_euros__mutmut_26 # type: ignore # mutmut generated
mutants_x_parse_euros__mutmut['x_parse_euros__mutmut_27'] = x_parse_euros__mutmut_27 # type: ignore # mutmut generated
mutants_x_parse_euros__mutmut['x_parse_euros__mutmut_28'] = x_parse_euros__mutmut_28 # type: ignore # mutmut generated
mutants_x_parse_euros__mutmut['x_parse_euros__mutmut_29'] = x_parse_euros__mutmut_29 # type: ignore # mutmut generated
mutants_x_parse_euros__mutmut['x_parse_euros__mutmut_30'] = x_parse_euros__mutmut_30 # type: ignore # mutmut generated
