"""The payment's arithmetic and state table, exhaustively (mutation-tested, docs/payment.md)."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from amtsweg.payment import money
from amtsweg.payment.models import PaymentStatus as S

EXPECTED_MOVES = {
    (S.CREATED, S.PENDING),
    *((before, S.SUCCEEDED) for before in (S.CREATED, S.PENDING, S.FAILED, S.CANCELLED, S.EXPIRED)),
    *((before, after) for before in (S.CREATED, S.PENDING)
      for after in (S.FAILED, S.CANCELLED, S.EXPIRED)),
    *((before, after) for before in (S.SUCCEEDED, S.PARTIALLY_REFUNDED)
      for after in (S.PARTIALLY_REFUNDED, S.REFUNDED)),
}  # fmt: skip


def test_exactly_these_moves_are_allowed() -> None:
    allowed = {
        (before, after)
        for before, after in itertools.product(S, S)
        if before in money.ALLOWED_FROM.get(after, frozenset())
    }
    assert allowed == EXPECTED_MOVES
    assert set(money.ALLOWED_FROM) == set(S) - {S.CREATED}


def test_status_groups() -> None:
    assert {S.CREATED, S.PENDING} == money.OPEN
    assert {S.FAILED, S.CANCELLED, S.EXPIRED} == money.WITHOUT_MONEY
    assert {S.SUCCEEDED, S.PARTIALLY_REFUNDED, S.REFUNDED} == money.WITH_MONEY
    assert {S.SUCCEEDED, S.PARTIALLY_REFUNDED} == money.REFUNDABLE


@pytest.mark.parametrize("status", list(S))
def test_only_money_received_can_be_refunded(status) -> None:
    left = money.refundable_cents(status, 3070, 1000)
    assert left == (2070 if status in {S.SUCCEEDED, S.PARTIALLY_REFUNDED} else 0)


@pytest.mark.parametrize(
    ("requested", "left", "fits"),
    [(1, 1, True), (0, 5, False), (-1, 5, False), (5, 5, True), (6, 5, False), (4, 5, True),
     (1, 0, False)],
)  # fmt: skip
def test_a_refund_is_at_least_a_cent_and_at_most_what_is_left(requested, left, fits) -> None:
    assert money.refund_fits(requested, left) is fits


def test_the_status_after_a_refund() -> None:
    assert money.status_after_refund(3070, 3070) is S.REFUNDED
    assert money.status_after_refund(3070, 3069) is S.PARTIALLY_REFUNDED
    assert money.status_after_refund(3070, 1) is S.PARTIALLY_REFUNDED
    # after the only refund failed at the provider: nothing is refunded any more
    assert money.status_after_refund(3070, 0) is S.SUCCEEDED


@pytest.mark.parametrize(
    ("cents", "dot", "comma"),
    [(3070, "30.70", "30,70"), (5, "0.05", "0,05"), (0, "0.00", "0,00"), (100, "1.00", "1,00"),
     (-1250, "-12.50", "-12,50"), (123456789, "1234567.89", "1234567,89")],
)  # fmt: skip
def test_cents_as_decimal_text(cents, dot, comma) -> None:
    assert money.decimal_text(cents) == dot
    assert money.decimal_text(cents, ",") == comma


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_decimal_text_round_trips(cents: int) -> None:
    text = money.decimal_text(cents)
    assert int(text.replace(".", "")) == cents
    assert money.cents_of_decimal_text(text) == cents


@pytest.mark.parametrize(
    ("text", "cents"), [("5", 500), ("5.5", 550), ("0.07", 7), ("20.70", 2070)]
)
def test_a_providers_amount_in_cents(text, cents) -> None:
    """A provider's decimal string, with two, one or no decimals."""
    assert money.cents_of_decimal_text(text) == cents


@pytest.mark.parametrize("text", ["0.005", "12.345"])
def test_a_fraction_of_a_cent_is_refused(text) -> None:
    with pytest.raises(ValueError, match=f"^not a whole number of cents: {text}$"):
        money.cents_of_decimal_text(text)
