"""Euros as a clerk or a municipality's admin types them: read exactly, or refused."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from amtsweg.platform.euros import parse_euros


@pytest.mark.parametrize(
    ("text", "cents"),
    [("12,50", 1250), ("12.50", 1250), ("12", 1200), (" 7,5 ", 750), ("0,01", 1), ("30,7", 3070),
     ("12,05", 1205), ("0", 0), ("26,50 €", 2650), ("€ 26,50", 2650), ("26,50€", 2650),
     ("1.234,50", 123450), ("1.234.567,00", 123456700), ("1 026,00 €", 102600),
     ("1\u00a0026", 102600), ("1\u202f026,5", 102650), ("1 234.50", 123450)],
)  # fmt: skip
def test_euros_are_read_as_people_write_them(text: str, cents: int) -> None:
    assert parse_euros(text) == cents


@pytest.mark.parametrize(
    "text",
    ["", " ", "€", "12,", ",50", "-1", "+1", "1,234", "1.234", "1.234.567", "12 50", "1 23,00",
     "1.2.3", "1.234.5", "1,234.50", "26,505", "26,5,0", "a", "1,x", "12,50 EUR", "1 234,5x",
     "١٢", "1.234 567,00", "12€50"],
)  # fmt: skip
def test_what_could_be_read_two_ways_or_is_no_amount_is_refused(text: str) -> None:
    assert parse_euros(text) is None


@given(st.integers(min_value=0, max_value=10**11))
def test_every_amount_as_germans_write_it_is_read_back(cents: int) -> None:
    euros = f"{cents // 100:,}".replace(",", ".")

    assert parse_euros(f"{euros},{cents % 100:02d} €") == cents
    assert parse_euros(f"{cents // 100}.{cents % 100:02d}") == cents
