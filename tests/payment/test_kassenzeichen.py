"""The Kassenzeichen: pattern, Luhn check digit, unique per tenant."""

from __future__ import annotations

import itertools
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from amtsweg.payment import kassenzeichen, service
from amtsweg.platform.db import tenant_scope


def test_the_check_digit_is_luhns() -> None:
    assert kassenzeichen.check_digit("7992739871") == 3  # the textbook example
    assert kassenzeichen.check_digit("0") == 0
    assert kassenzeichen.check_digit("1") == 8
    assert kassenzeichen.check_digit("5") == 9
    assert kassenzeichen.check_digit("A") == 9  # A=10: digits 1,0 → 2+0 → 8 … doubled
    assert kassenzeichen.compose(
        "{prefix}{year}{number:06d}", prefix="MUS", year=2026, number=42
    ) == ("MUS2026000042" + str(kassenzeichen.check_digit("MUS2026000042")))


@given(st.text(alphabet=string.digits + string.ascii_uppercase, min_size=1, max_size=20))
def test_every_single_wrong_character_is_caught(body: str) -> None:
    valid = body + str(kassenzeichen.check_digit(body))
    assert kassenzeichen.is_valid(valid)
    for position, wrong in itertools.product(range(len(valid)), string.digits):
        if wrong != valid[position] and valid[position].isdigit():
            typo = valid[:position] + wrong + valid[position + 1 :]
            assert not kassenzeichen.is_valid(typo), typo


def test_only_letters_and_digits_have_a_check_digit() -> None:
    with pytest.raises(ValueError, match="only A-Z and 0-9"):
        kassenzeichen.check_digit("MUS-1")


def test_a_transfer_names_its_kassenzeichen_anywhere_in_its_text() -> None:
    six = "ABCD1" + str(kassenzeichen.check_digit("ABCD1"))
    five = "ABC1" + str(kassenzeichen.check_digit("ABC1"))
    letters = "ABCDEF" + str(kassenzeichen.check_digit("ABCDEF"))
    assert kassenzeichen.find_in(f"Gebühr {six}, danke") == [six]
    assert kassenzeichen.find_in(f"Gebühr {five}") == []  # too short to be one of ours
    assert kassenzeichen.find_in(f"Gebühr {letters}") == []  # ours always hold a number


def test_malformed_values_are_not_kassenzeichen() -> None:
    assert not kassenzeichen.is_valid("")
    assert not kassenzeichen.is_valid("7")
    assert not kassenzeichen.is_valid("MUS-2026")
    assert not kassenzeichen.is_valid("MUS2026X")
    value = kassenzeichen.compose("{prefix}{year}{number:06d}", prefix="MUS", year=2026, number=7)
    assert kassenzeichen.find_in(f"Gebuehr Kassenzeichen {value.lower()} danke") == [value]
    assert kassenzeichen.find_in(f"Gebuehr {value[:-1]}{(int(value[-1]) + 1) % 10}") == []


def test_numbers_count_up_per_tenant(app, musterstadt, create_tenant) -> None:
    other = create_tenant("nachbarort", "Gemeinde Nachbarort", contact_email="a@n.example")
    with tenant_scope(musterstadt.id):
        first, second = (
            service.next_kassenzeichen(musterstadt),
            service.next_kassenzeichen(musterstadt),
        )
    with tenant_scope(other.id):
        theirs = service.next_kassenzeichen(other)
    assert first[:-1].endswith("000001")
    assert second[:-1].endswith("000002")
    assert first.startswith(musterstadt.reference_prefix)
    assert theirs.startswith(other.reference_prefix)
    assert theirs[:-1].endswith("000001")
    assert all(kassenzeichen.is_valid(value) for value in (first, second, theirs))
