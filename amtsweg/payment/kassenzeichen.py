"""Kassenzeichen: the reference under which the municipal treasury books a payment.

Format: the configured pattern (``AMTSWEG_KASSENZEICHEN_PATTERN``, default
``{prefix}{year}{number:06d}``, e.g. ``MUS2026000042``) followed by one check
digit. The check digit is the Luhn (mod 10) digit computed over the pattern's
result with every letter replaced by its number A=10 … Z=35 (as ISIN does):
from the right, every second digit is doubled (9 subtracted when above 9),
all digits are summed, and the check digit is ``(10 - sum % 10) % 10``. It
catches every single wrong character and almost every swap of neighbours, so
a mistyped Kassenzeichen on a bank transfer is recognised as unknown instead
of settling someone else's fee.
"""

from __future__ import annotations

import re

_ALLOWED = re.compile(r"^[A-Z0-9]+$")


def _digits(body: str) -> str:
    return "".join(str(int(char, 36)) for char in body)


def check_digit(body: str) -> int:
    """The Luhn digit for ``body`` (upper-case letters and digits)."""
    if not _ALLOWED.match(body):
        raise ValueError(f"a Kassenzeichen holds only A-Z and 0-9, not {body!r}")
    total = 0
    for position, char in enumerate(reversed(_digits(body))):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += sum(divmod(value, 10))  # the digits of a doubled digit: 14 → 1 + 4
    return (10 - total % 10) % 10


def compose(pattern: str, *, prefix: str, year: int, number: int) -> str:
    body = pattern.format(prefix=prefix, year=year, number=number).upper()
    return f"{body}{check_digit(body)}"


def is_valid(kassenzeichen: str) -> bool:
    """True when the last digit is the check digit of the rest."""
    candidate = kassenzeichen.strip().upper()
    if len(candidate) < 2 or not _ALLOWED.match(candidate) or not candidate[-1].isdigit():
        return False
    return check_digit(candidate[:-1]) == int(candidate[-1])


def find_in(text: str) -> list[str]:
    """Every well-formed Kassenzeichen inside a transfer's remittance text."""
    words = re.findall(r"[A-Za-z0-9]+", text)
    return [
        word.upper()
        for word in words
        if len(word) >= 6 and any(char.isdigit() for char in word[:-1]) and is_valid(word)
    ]
