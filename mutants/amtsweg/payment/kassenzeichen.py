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


from mutmut.mutation.trampoline import wrap_in_trampoline as _mutmut_mutated, MutantDict
mutants_x__digits__mutmut: MutantDict = {}  # type: ignore


@_mutmut_mutated(mutants_x__digits__mutmut)
def _digits(body: str) -> str:
    return "".join(str(int(char, 36)) for char in body)


def x__digits__mutmut_orig(body: str) -> str:
    return "".join(str(int(char, 36)) for char in body)


def x__digits__mutmut_1(body: str) -> str:
    return "".join(None)


def x__digits__mutmut_2(body: str) -> str:
    return "XXXX".join(str(int(char, 36)) for char in body)


def x__digits__mutmut_3(body: str) -> str:
    return "".join(str(None) for char in body)


def x__digits__mutmut_4(body: str) -> str:
    return "".join(str(int(None, 36)) for char in body)


def x__digits__mutmut_5(body: str) -> str:
    return "".join(str(int(char, None)) for char in body)


def x__digits__mutmut_6(body: str) -> str:
    return "".join(str(int(36)) for char in body)


def x__digits__mutmut_7(body: str) -> str:
    return "".join(str(int(char, )) for char in body)


def x__digits__mutmut_8(body: str) -> str:
    return "".join(str(int(char, 37)) for char in body)

mutants_x__digits__mutmut['_mutmut_orig'] = x__digits__mutmut_orig # type: ignore # mutmut generated
mutants_x__digits__mutmut['x__digits__mutmut_1'] = x__digits__mutmut_1 # type: ignore # mutmut generated
mutants_x__digits__mutmut['x__digits__mutmut_2'] = x__digits__mutmut_2 # type: ignore # mutmut generated
mutants_x__digits__mutmut['x__digits__mutmut_3'] = x__digits__mutmut_3 # type: ignore # mutmut generated
mutants_x__digits__mutmut['x__digits__mutmut_4'] = x__digits__mutmut_4 # type: ignore # mutmut generated
mutants_x__digits__mutmut['x__digits__mutmut_5'] = x__digits__mutmut_5 # type: ignore # mutmut generated
mutants_x__digits__mutmut['x__digits__mutmut_6'] = x__digits__mutmut_6 # type: ignore # mutmut generated
mutants_x__digits__mutmut['x__digits__mutmut_7'] = x__digits__mutmut_7 # type: ignore # mutmut generated
mutants_x__digits__mutmut['x__digits__mutmut_8'] = x__digits__mutmut_8 # type: ignore # mutmut generated
mutants_x_check_digit__mutmut: MutantDict = {}  # type: ignore


@_mutmut_mutated(mutants_x_check_digit__mutmut)
def check_digit(body: str) -> int:
    """The Luhn digit for ``body`` (upper-case letters and digits)."""
    if not _ALLOWED.match(body):
        raise ValueError(f"a Kassenzeichen holds only A-Z and 0-9, not {body!r}")
    total = 0
    for position, char in enumerate(reversed(_digits(body))):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += sum(divmod(value, 10))  # the digits of a doubled digit: 14 → 1 + 4
    return (10 - total % 10) % 10


def x_check_digit__mutmut_orig(body: str) -> int:
    """The Luhn digit for ``body`` (upper-case letters and digits)."""
    if not _ALLOWED.match(body):
        raise ValueError(f"a Kassenzeichen holds only A-Z and 0-9, not {body!r}")
    total = 0
    for position, char in enumerate(reversed(_digits(body))):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += sum(divmod(value, 10))  # the digits of a doubled digit: 14 → 1 + 4
    return (10 - total % 10) % 10


def x_check_digit__mutmut_1(body: str) -> int:
    """The Luhn digit for ``body`` (upper-case letters and digits)."""
    if _ALLOWED.match(body):
        raise ValueError(f"a Kassenzeichen holds only A-Z and 0-9, not {body!r}")
    total = 0
    for position, char in enumerate(reversed(_digits(body))):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += sum(divmod(value, 10))  # the digits of a doubled digit: 14 → 1 + 4
    return (10 - total % 10) % 10


def x_check_digit__mutmut_2(body: str) -> int:
    """The Luhn digit for ``body`` (upper-case letters and digits)."""
    if not _ALLOWED.match(None):
        raise ValueError(f"a Kassenzeichen holds only A-Z and 0-9, not {body!r}")
    total = 0
    for position, char in enumerate(reversed(_digits(body))):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += sum(divmod(value, 10))  # the digits of a doubled digit: 14 → 1 + 4
    return (10 - total % 10) % 10


def x_check_digit__mutmut_3(body: str) -> int:
    """The Luhn digit for ``body`` (upper-case letters and digits)."""
    if not _ALLOWED.match(body):
        raise ValueError(None)
    total = 0
    for position, char in enumerate(reversed(_digits(body))):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += sum(divmod(value, 10))  # the digits of a doubled digit: 14 → 1 + 4
    return (10 - total % 10) % 10


def x_check_digit__mutmut_4(body: str) -> int:
    """The Luhn digit for ``body`` (upper-case letters and digits)."""
    if not _ALLOWED.match(body):
        raise ValueError(f"a Kassenzeichen holds only A-Z and 0-9, not {body!r}")
    total = None
    for position, char in enumerate(reversed(_digits(body))):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += sum(divmod(value, 10))  # the digits of a doubled digit: 14 → 1 + 4
    return (10 - total % 10) % 10


def x_check_digit__mutmut_5(body: str) -> int:
    """The Luhn digit for ``body`` (upper-case letters and digits)."""
    if not _ALLOWED.match(body):
        raise ValueError(f"a Kassenzeichen holds only A-Z and 0-9, not {body!r}")
    total = 1
    for position, char in enumerate(reversed(_digits(body))):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += sum(divmod(value, 10))  # the digits of a doubled digit: 14 → 1 + 4
    return (10 - total % 10) % 10


def x_check_digit__mutmut_6(body: str) -> int:
    """The Luhn digit for ``body`` (upper-case letters and digits)."""
    if not _ALLOWED.match(body):
        raise ValueError(f"a Kassenzeichen holds only A-Z and 0-9, not {body!r}")
    total = 0
    for position, char in enumerate(None):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += sum(divmod(value, 10))  # the digits of a doubled digit: 14 → 1 + 4
    return (10 - total % 10) % 10


def x_check_digit__mutmut_7(body: str) -> int:
    """The Luhn digit for ``body`` (upper-case letters and digits)."""
    if not _ALLOWED.match(body):
        raise ValueError(f"a Kassenzeichen holds only A-Z and 0-9, not {body!r}")
    total = 0
    for position, char in enumerate(reversed(None)):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += sum(divmod(value, 10))  # the digits of a doubled digit: 14 → 1 + 4
    return (10 - total % 10) % 10


def x_check_digit__mutmut_8(body: str) -> int:
    """The Luhn digit for ``body`` (upper-case letters and digits)."""
    if not _ALLOWED.match(body):
        raise ValueError(f"a Kassenzeichen holds only A-Z and 0-9, not {body!r}")
    total = 0
    for position, char in enumerate(reversed(_digits(None))):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += sum(divmod(value, 10))  # the digits of a doubled digit: 14 → 1 + 4
    return (10 - total % 10) % 10


def x_check_digit__mutmut_9(body: str) -> int:
    """The Luhn digit for ``body`` (upper-case letters and digits)."""
    if not _ALLOWED.match(body):
        raise ValueError(f"a Kassenzeichen holds only A-Z and 0-9, not {body!r}")
    total = 0
    for position, char in enumerate(reversed(_digits(body))):
        value = None
        total += sum(divmod(value, 10))  # the digits of a doubled digit: 14 → 1 + 4
    return (10 - total % 10) % 10


def x_check_digit__mutmut_10(body: str) -> int:
    """The Luhn digit for ``body`` (upper-case letters and digits)."""
    if not _ALLOWED.match(body):
        raise ValueError(f"a Kassenzeichen holds only A-Z and 0-9, not {body!r}")
    total = 0
    for position, char in enumerate(reversed(_digits(body))):
        value = int(char) / (2 if position % 2 == 0 else 1)
        total += sum(divmod(value, 10))  # the digits of a doubled digit: 14 → 1 + 4
    return (10 - total % 10) % 10


def x_check_digit__mutmut_11(body: str) -> int:
    """The Luhn digit for ``body`` (upper-case letters and digits)."""
    if not _ALLOWED.match(body):
        raise ValueError(f"a Kassenzeichen holds only A-Z and 0-9, not {body!r}")
    total = 0
    for position, char in enumerate(reversed(_digits(body))):
        value = int(None) * (2 if position % 2 == 0 else 1)
        total += sum(divmod(value, 10))  # the digits of a doubled digit: 14 → 1 + 4
    return (10 - total % 10) % 10


def x_check_digit__mutmut_12(body: str) -> int:
    """The Luhn digit for ``body`` (upper-case letters and digits)."""
    if not _ALLOWED.match(body):
        raise ValueError(f"a Kassenzeichen holds only A-Z and 0-9, not {body!r}")
    total = 0
    for position, char in enumerate(reversed(_digits(body))):
        value = int(char) * (2 if (position % 2 == 0) and False else 1)
        total += sum(divmod(value, 10))  # the digits of a doubled digit: 14 → 1 + 4
    return (10 - total % 10) % 10


def x_check_digit__mutmut_13(body: str) -> int:
    """The Luhn digit for ``body`` (upper-case letters and digits)."""
    if not _ALLOWED.match(body):
        raise ValueError(f"a Kassenzeichen holds only A-Z and 0-9, not {body!r}")
    total = 0
    for position, char in enumerate(reversed(_digits(body))):
        value = int(char) * (2 if (position % 2 == 0) or True else 1)
        total += sum(divmod(value, 10))  # the digits of a doubled digit: 14 → 1 + 4
    return (10 - total % 10) % 10


def x_check_digit__mutmut_14(body: str) -> int:
    """The Luhn digit for ``body`` (upper-case letters and digits)."""
    if not _ALLOWED.match(body):
        raise ValueError(f"a Kassenzeichen holds only A-Z and 0-9, not {body!r}")
    total = 0
    for position, char in enumerate(reversed(_digits(body))):
        value = int(char) * (3 if position % 2 == 0 else 1)
        total += sum(divmod(value, 10))  # the digits of a doubled digit: 14 → 1 + 4
    return (10 - total % 10) % 10


def x_check_digit__mutmut_15(body: str) -> int:
    """The Luhn digit for ``body`` (upper-case letters and digits)."""
    if not _ALLOWED.match(body):
        raise ValueError(f"a Kassenzeichen holds only A-Z and 0-9, not {body!r}")
    total = 0
    for position, char in enumerate(reversed(_digits(body))):
        value = int(char) * (2 if position / 2 == 0 else 1)
        total += sum(divmod(value, 10))  # the digits of a doubled digit: 14 → 1 + 4
    return (10 - total % 10) % 10


def x_check_digit__mutmut_16(body: str) -> int:
    """The Luhn digit for ``body`` (upper-case letters and digits)."""
    if not _ALLOWED.match(body):
        raise ValueError(f"a Kassenzeichen holds only A-Z and 0-9, not {body!r}")
    total = 0
    for position, char in enumerate(reversed(_digits(body))):
        value = int(char) * (2 if position % 3 == 0 else 1)
        total += sum(divmod(value, 10))  # the digits of a doubled digit: 14 → 1 + 4
    return (10 - total % 10) % 10


def x_check_digit__mutmut_17(body: str) -> int:
    """The Luhn digit for ``body`` (upper-case letters and digits)."""
    if not _ALLOWED.match(body):
        raise ValueError(f"a Kassenzeichen holds only A-Z and 0-9, not {body!r}")
    total = 0
    for position, char in enumerate(reversed(_digits(body))):
        value = int(char) * (2 if position % 2 != 0 else 1)
        total += sum(divmod(value, 10))  # the digits of a doubled digit: 14 → 1 + 4
    return (10 - total % 10) % 10


def x_check_digit__mutmut_18(body: str) -> int:
    """The Luhn digit for ``body`` (upper-case letters and digits)."""
    if not _ALLOWED.match(body):
        raise ValueError(f"a Kassenzeichen holds only A-Z and 0-9, not {body!r}")
    total = 0
    for position, char in enumerate(reversed(_digits(body))):
        value = int(char) * (2 if position % 2 == 1 else 1)
        total += sum(divmod(value, 10))  # the digits of a doubled digit: 14 → 1 + 4
    return (10 - total % 10) % 10


def x_check_digit__mutmut_19(body: str) -> int:
    """The Luhn digit for ``body`` (upper-case letters and digits)."""
    if not _ALLOWED.match(body):
        raise ValueError(f"a Kassenzeichen holds only A-Z and 0-9, not {body!r}")
    total = 0
    for position, char in enumerate(reversed(_digits(body))):
        value = int(char) * (2 if position % 2 == 0 else 2)
        total += sum(divmod(value, 10))  # the digits of a doubled digit: 14 → 1 + 4
    return (10 - total % 10) % 10


def x_check_digit__mutmut_20(body: str) -> int:
    """The Luhn digit for ``body`` (upper-case letters and digits)."""
    if not _ALLOWED.match(body):
        raise ValueError(f"a Kassenzeichen holds only A-Z and 0-9, not {body!r}")
    total = 0
    for position, char in enumerate(reversed(_digits(body))):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total = sum(divmod(value, 10))  # the digits of a doubled digit: 14 → 1 + 4
    return (10 - total % 10) % 10


def x_check_digit__mutmut_21(body: str) -> int:
    """The Luhn digit for ``body`` (upper-case letters and digits)."""
    if not _ALLOWED.match(body):
        raise ValueError(f"a Kassenzeichen holds only A-Z and 0-9, not {body!r}")
    total = 0
    for position, char in enumerate(reversed(_digits(body))):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total -= sum(divmod(value, 10))  # the digits of a doubled digit: 14 → 1 + 4
    return (10 - total % 10) % 10


def x_check_digit__mutmut_22(body: str) -> int:
    """The Luhn digit for ``body`` (upper-case letters and digits)."""
    if not _ALLOWED.match(body):
        raise ValueError(f"a Kassenzeichen holds only A-Z and 0-9, not {body!r}")
    total = 0
    for position, char in enumerate(reversed(_digits(body))):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += sum(None)  # the digits of a doubled digit: 14 → 1 + 4
    return (10 - total % 10) % 10


def x_check_digit__mutmut_23(body: str) -> int:
    """The Luhn digit for ``body`` (upper-case letters and digits)."""
    if not _ALLOWED.match(body):
        raise ValueError(f"a Kassenzeichen holds only A-Z and 0-9, not {body!r}")
    total = 0
    for position, char in enumerate(reversed(_digits(body))):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += sum(divmod(None, 10))  # the digits of a doubled digit: 14 → 1 + 4
    return (10 - total % 10) % 10


def x_check_digit__mutmut_24(body: str) -> int:
    """The Luhn digit for ``body`` (upper-case letters and digits)."""
    if not _ALLOWED.match(body):
        raise ValueError(f"a Kassenzeichen holds only A-Z and 0-9, not {body!r}")
    total = 0
    for position, char in enumerate(reversed(_digits(body))):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += sum(divmod(value, None))  # the digits of a doubled digit: 14 → 1 + 4
    return (10 - total % 10) % 10


def x_check_digit__mutmut_25(body: str) -> int:
    """The Luhn digit for ``body`` (upper-case letters and digits)."""
    if not _ALLOWED.match(body):
        raise ValueError(f"a Kassenzeichen holds only A-Z and 0-9, not {body!r}")
    total = 0
    for position, char in enumerate(reversed(_digits(body))):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += sum(divmod(10))  # the digits of a doubled digit: 14 → 1 + 4
    return (10 - total % 10) % 10


def x_check_digit__mutmut_26(body: str) -> int:
    """The Luhn digit for ``body`` (upper-case letters and digits)."""
    if not _ALLOWED.match(body):
        raise ValueError(f"a Kassenzeichen holds only A-Z and 0-9, not {body!r}")
    total = 0
    for position, char in enumerate(reversed(_digits(body))):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += sum(divmod(value, ))  # the digits of a doubled digit: 14 → 1 + 4
    return (10 - total % 10) % 10


def x_check_digit__mutmut_27(body: str) -> int:
    """The Luhn digit for ``body`` (upper-case letters and digits)."""
    if not _ALLOWED.match(body):
        raise ValueError(f"a Kassenzeichen holds only A-Z and 0-9, not {body!r}")
    total = 0
    for position, char in enumerate(reversed(_digits(body))):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += sum(divmod(value, 11))  # the digits of a doubled digit: 14 → 1 + 4
    return (10 - total % 10) % 10


def x_check_digit__mutmut_28(body: str) -> int:
    """The Luhn digit for ``body`` (upper-case letters and digits)."""
    if not _ALLOWED.match(body):
        raise ValueError(f"a Kassenzeichen holds only A-Z and 0-9, not {body!r}")
    total = 0
    for position, char in enumerate(reversed(_digits(body))):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += sum(divmod(value, 10))  # the digits of a doubled digit: 14 → 1 + 4
    return (10 - total % 10) / 10


def x_check_digit__mutmut_29(body: str) -> int:
    """The Luhn digit for ``body`` (upper-case letters and digits)."""
    if not _ALLOWED.match(body):
        raise ValueError(f"a Kassenzeichen holds only A-Z and 0-9, not {body!r}")
    total = 0
    for position, char in enumerate(reversed(_digits(body))):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += sum(divmod(value, 10))  # the digits of a doubled digit: 14 → 1 + 4
    return (10 + total % 10) % 10


def x_check_digit__mutmut_30(body: str) -> int:
    """The Luhn digit for ``body`` (upper-case letters and digits)."""
    if not _ALLOWED.match(body):
        raise ValueError(f"a Kassenzeichen holds only A-Z and 0-9, not {body!r}")
    total = 0
    for position, char in enumerate(reversed(_digits(body))):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += sum(divmod(value, 10))  # the digits of a doubled digit: 14 → 1 + 4
    return (11 - total % 10) % 10


def x_check_digit__mutmut_31(body: str) -> int:
    """The Luhn digit for ``body`` (upper-case letters and digits)."""
    if not _ALLOWED.match(body):
        raise ValueError(f"a Kassenzeichen holds only A-Z and 0-9, not {body!r}")
    total = 0
    for position, char in enumerate(reversed(_digits(body))):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += sum(divmod(value, 10))  # the digits of a doubled digit: 14 → 1 + 4
    return (10 - total / 10) % 10


def x_check_digit__mutmut_32(body: str) -> int:
    """The Luhn digit for ``body`` (upper-case letters and digits)."""
    if not _ALLOWED.match(body):
        raise ValueError(f"a Kassenzeichen holds only A-Z and 0-9, not {body!r}")
    total = 0
    for position, char in enumerate(reversed(_digits(body))):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += sum(divmod(value, 10))  # the digits of a doubled digit: 14 → 1 + 4
    return (10 - total % 11) % 10


def x_check_digit__mutmut_33(body: str) -> int:
    """The Luhn digit for ``body`` (upper-case letters and digits)."""
    if not _ALLOWED.match(body):
        raise ValueError(f"a Kassenzeichen holds only A-Z and 0-9, not {body!r}")
    total = 0
    for position, char in enumerate(reversed(_digits(body))):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += sum(divmod(value, 10))  # the digits of a doubled digit: 14 → 1 + 4
    return (10 - total % 10) % 11

mutants_x_check_digit__mutmut['_mutmut_orig'] = x_check_digit__mutmut_orig # type: ignore # mutmut generated
mutants_x_check_digit__mutmut['x_check_digit__mutmut_1'] = x_check_digit__mutmut_1 # type: ignore # mutmut generated
mutants_x_check_digit__mutmut['x_check_digit__mutmut_2'] = x_check_digit__mutmut_2 # type: ignore # mutmut generated
mutants_x_check_digit__mutmut['x_check_digit__mutmut_3'] = x_check_digit__mutmut_3 # type: ignore # mutmut generated
mutants_x_check_digit__mutmut['x_check_digit__mutmut_4'] = x_check_digit__mutmut_4 # type: ignore # mutmut generated
mutants_x_check_digit__mutmut['x_check_digit__mutmut_5'] = x_check_digit__mutmut_5 # type: ignore # mutmut generated
mutants_x_check_digit__mutmut['x_check_digit__mutmut_6'] = x_check_digit__mutmut_6 # type: ignore # mutmut generated
mutants_x_check_digit__mutmut['x_check_digit__mutmut_7'] = x_check_digit__mutmut_7 # type: ignore # mutmut generated
mutants_x_check_digit__mutmut['x_check_digit__mutmut_8'] = x_check_digit__mutmut_8 # type: ignore # mutmut generated
mutants_x_check_digit__mutmut['x_check_digit__mutmut_9'] = x_check_digit__mutmut_9 # type: ignore # mutmut generated
mutants_x_check_digit__mutmut['x_check_digit__mutmut_10'] = x_check_digit__mutmut_10 # type: ignore # mutmut generated
mutants_x_check_digit__mutmut['x_check_digit__mutmut_11'] = x_check_digit__mutmut_11 # type: ignore # mutmut generated
mutants_x_check_digit__mutmut['x_check_digit__mutmut_12'] = x_check_digit__mutmut_12 # type: ignore # mutmut generated
mutants_x_check_digit__mutmut['x_check_digit__mutmut_13'] = x_check_digit__mutmut_13 # type: ignore # mutmut generated
mutants_x_check_digit__mutmut['x_check_digit__mutmut_14'] = x_check_digit__mutmut_14 # type: ignore # mutmut generated
mutants_x_check_digit__mutmut['x_check_digit__mutmut_15'] = x_check_digit__mutmut_15 # type: ignore # mutmut generated
mutants_x_check_digit__mutmut['x_check_digit__mutmut_16'] = x_check_digit__mutmut_16 # type: ignore # mutmut generated
mutants_x_check_digit__mutmut['x_check_digit__mutmut_17'] = x_check_digit__mutmut_17 # type: ignore # mutmut generated
mutants_x_check_digit__mutmut['x_check_digit__mutmut_18'] = x_check_digit__mutmut_18 # type: ignore # mutmut generated
mutants_x_check_digit__mutmut['x_check_digit__mutmut_19'] = x_check_digit__mutmut_19 # type: ignore # mutmut generated
mutants_x_check_digit__mutmut['x_check_digit__mutmut_20'] = x_check_digit__mutmut_20 # type: ignore # mutmut generated
mutants_x_check_digit__mutmut['x_check_digit__mutmut_21'] = x_check_digit__mutmut_21 # type: ignore # mutmut generated
mutants_x_check_digit__mutmut['x_check_digit__mutmut_22'] = x_check_digit__mutmut_22 # type: ignore # mutmut generated
mutants_x_check_digit__mutmut['x_check_digit__mutmut_23'] = x_check_digit__mutmut_23 # type: ignore # mutmut generated
mutants_x_check_digit__mutmut['x_check_digit__mutmut_24'] = x_check_digit__mutmut_24 # type: ignore # mutmut generated
mutants_x_check_digit__mutmut['x_check_digit__mutmut_25'] = x_check_digit__mutmut_25 # type: ignore # mutmut generated
mutants_x_check_digit__mutmut['x_check_digit__mutmut_26'] = x_check_digit__mutmut_26 # type: ignore # mutmut generated
mutants_x_check_digit__mutmut['x_check_digit__mutmut_27'] = x_check_digit__mutmut_27 # type: ignore # mutmut generated
mutants_x_check_digit__mutmut['x_check_digit__mutmut_28'] = x_check_digit__mutmut_28 # type: ignore # mutmut generated
mutants_x_check_digit__mutmut['x_check_digit__mutmut_29'] = x_check_digit__mutmut_29 # type: ignore # mutmut generated
mutants_x_check_digit__mutmut['x_check_digit__mutmut_30'] = x_check_digit__mutmut_30 # type: ignore # mutmut generated
mutants_x_check_digit__mutmut['x_check_digit__mutmut_31'] = x_check_digit__mutmut_31 # type: ignore # mutmut generated
mutants_x_check_digit__mutmut['x_check_digit__mutmut_32'] = x_check_digit__mutmut_32 # type: ignore # mutmut generated
mutants_x_check_digit__mutmut['x_check_digit__mutmut_33'] = x_check_digit__mutmut_33 # type: ignore # mutmut generated
mutants_x_compose__mutmut: MutantDict = {}  # type: ignore


@_mutmut_mutated(mutants_x_compose__mutmut)
def compose(pattern: str, *, prefix: str, year: int, number: int) -> str:
    body = pattern.format(prefix=prefix, year=year, number=number).upper()
    return f"{body}{check_digit(body)}"


def x_compose__mutmut_orig(pattern: str, *, prefix: str, year: int, number: int) -> str:
    body = pattern.format(prefix=prefix, year=year, number=number).upper()
    return f"{body}{check_digit(body)}"


def x_compose__mutmut_1(pattern: str, *, prefix: str, year: int, number: int) -> str:
    body = None
    return f"{body}{check_digit(body)}"


def x_compose__mutmut_2(pattern: str, *, prefix: str, year: int, number: int) -> str:
    body = pattern.format(prefix=prefix, year=year, number=number).lower()
    return f"{body}{check_digit(body)}"


def x_compose__mutmut_3(pattern: str, *, prefix: str, year: int, number: int) -> str:
    body = pattern.format(prefix=None, year=year, number=number).upper()
    return f"{body}{check_digit(body)}"


def x_compose__mutmut_4(pattern: str, *, prefix: str, year: int, number: int) -> str:
    body = pattern.format(prefix=prefix, year=None, number=number).upper()
    return f"{body}{check_digit(body)}"


def x_compose__mutmut_5(pattern: str, *, prefix: str, year: int, number: int) -> str:
    body = pattern.format(prefix=prefix, year=year, number=None).upper()
    return f"{body}{check_digit(body)}"


def x_compose__mutmut_6(pattern: str, *, prefix: str, year: int, number: int) -> str:
    body = pattern.format(year=year, number=number).upper()
    return f"{body}{check_digit(body)}"


def x_compose__mutmut_7(pattern: str, *, prefix: str, year: int, number: int) -> str:
    body = pattern.format(prefix=prefix, number=number).upper()
    return f"{body}{check_digit(body)}"


def x_compose__mutmut_8(pattern: str, *, prefix: str, year: int, number: int) -> str:
    body = pattern.format(prefix=prefix, year=year, ).upper()
    return f"{body}{check_digit(body)}"


def x_compose__mutmut_9(pattern: str, *, prefix: str, year: int, number: int) -> str:
    body = pattern.format(prefix=prefix, year=year, number=number).upper()
    return f"{body}{check_digit(None)}"

mutants_x_compose__mutmut['_mutmut_orig'] = x_compose__mutmut_orig # type: ignore # mutmut generated
mutants_x_compose__mutmut['x_compose__mutmut_1'] = x_compose__mutmut_1 # type: ignore # mutmut generated
mutants_x_compose__mutmut['x_compose__mutmut_2'] = x_compose__mutmut_2 # type: ignore # mutmut generated
mutants_x_compose__mutmut['x_compose__mutmut_3'] = x_compose__mutmut_3 # type: ignore # mutmut generated
mutants_x_compose__mutmut['x_compose__mutmut_4'] = x_compose__mutmut_4 # type: ignore # mutmut generated
mutants_x_compose__mutmut['x_compose__mutmut_5'] = x_compose__mutmut_5 # type: ignore # mutmut generated
mutants_x_compose__mutmut['x_compose__mutmut_6'] = x_compose__mutmut_6 # type: ignore # mutmut generated
mutants_x_compose__mutmut['x_compose__mutmut_7'] = x_compose__mutmut_7 # type: ignore # mutmut generated
mutants_x_compose__mutmut['x_compose__mutmut_8'] = x_compose__mutmut_8 # type: ignore # mutmut generated
mutants_x_compose__mutmut['x_compose__mutmut_9'] = x_compose__mutmut_9 # type: ignore # mutmut generated
mutants_x_is_valid__mutmut: MutantDict = {}  # type: ignore


@_mutmut_mutated(mutants_x_is_valid__mutmut)
def is_valid(kassenzeichen: str) -> bool:
    """True when the last digit is the check digit of the rest."""
    candidate = kassenzeichen.strip().upper()
    if len(candidate) < 2 or not _ALLOWED.match(candidate) or not candidate[-1].isdigit():
        return False
    return check_digit(candidate[:-1]) == int(candidate[-1])


def x_is_valid__mutmut_orig(kassenzeichen: str) -> bool:
    """True when the last digit is the check digit of the rest."""
    candidate = kassenzeichen.strip().upper()
    if len(candidate) < 2 or not _ALLOWED.match(candidate) or not candidate[-1].isdigit():
        return False
    return check_digit(candidate[:-1]) == int(candidate[-1])


def x_is_valid__mutmut_1(kassenzeichen: str) -> bool:
    """True when the last digit is the check digit of the rest."""
    candidate = None
    if len(candidate) < 2 or not _ALLOWED.match(candidate) or not candidate[-1].isdigit():
        return False
    return check_digit(candidate[:-1]) == int(candidate[-1])


def x_is_valid__mutmut_2(kassenzeichen: str) -> bool:
    """True when the last digit is the check digit of the rest."""
    candidate = kassenzeichen.strip().lower()
    if len(candidate) < 2 or not _ALLOWED.match(candidate) or not candidate[-1].isdigit():
        return False
    return check_digit(candidate[:-1]) == int(candidate[-1])


def x_is_valid__mutmut_3(kassenzeichen: str) -> bool:
    """True when the last digit is the check digit of the rest."""
    candidate = kassenzeichen.strip().upper()
    if len(candidate) < 2 or not _ALLOWED.match(candidate) and not candidate[-1].isdigit():
        return False
    return check_digit(candidate[:-1]) == int(candidate[-1])


def x_is_valid__mutmut_4(kassenzeichen: str) -> bool:
    """True when the last digit is the check digit of the rest."""
    candidate = kassenzeichen.strip().upper()
    if len(candidate) < 2 and not _ALLOWED.match(candidate) or not candidate[-1].isdigit():
        return False
    return check_digit(candidate[:-1]) == int(candidate[-1])


def x_is_valid__mutmut_5(kassenzeichen: str) -> bool:
    """True when the last digit is the check digit of the rest."""
    candidate = kassenzeichen.strip().upper()
    if len(candidate) <= 2 or not _ALLOWED.match(candidate) or not candidate[-1].isdigit():
        return False
    return check_digit(candidate[:-1]) == int(candidate[-1])


def x_is_valid__mutmut_6(kassenzeichen: str) -> bool:
    """True when the last digit is the check digit of the rest."""
    candidate = kassenzeichen.strip().upper()
    if len(candidate) < 3 or not _ALLOWED.match(candidate) or not candidate[-1].isdigit():
        return False
    return check_digit(candidate[:-1]) == int(candidate[-1])


def x_is_valid__mutmut_7(kassenzeichen: str) -> bool:
    """True when the last digit is the check digit of the rest."""
    candidate = kassenzeichen.strip().upper()
    if len(candidate) < 2 or _ALLOWED.match(candidate) or not candidate[-1].isdigit():
        return False
    return check_digit(candidate[:-1]) == int(candidate[-1])


def x_is_valid__mutmut_8(kassenzeichen: str) -> bool:
    """True when the last digit is the check digit of the rest."""
    candidate = kassenzeichen.strip().upper()
    if len(candidate) < 2 or not _ALLOWED.match(None) or not candidate[-1].isdigit():
        return False
    return check_digit(candidate[:-1]) == int(candidate[-1])


def x_is_valid__mutmut_9(kassenzeichen: str) -> bool:
    """True when the last digit is the check digit of the rest."""
    candidate = kassenzeichen.strip().upper()
    if len(candidate) < 2 or not _ALLOWED.match(candidate) or candidate[-1].isdigit():
        return False
    return check_digit(candidate[:-1]) == int(candidate[-1])


def x_is_valid__mutmut_10(kassenzeichen: str) -> bool:
    """True when the last digit is the check digit of the rest."""
    candidate = kassenzeichen.strip().upper()
    if len(candidate) < 2 or not _ALLOWED.match(candidate) or not candidate[+1].isdigit():
        return False
    return check_digit(candidate[:-1]) == int(candidate[-1])


def x_is_valid__mutmut_11(kassenzeichen: str) -> bool:
    """True when the last digit is the check digit of the rest."""
    candidate = kassenzeichen.strip().upper()
    if len(candidate) < 2 or not _ALLOWED.match(candidate) or not candidate[-2].isdigit():
        return False
    return check_digit(candidate[:-1]) == int(candidate[-1])


def x_is_valid__mutmut_12(kassenzeichen: str) -> bool:
    """True when the last digit is the check digit of the rest."""
    candidate = kassenzeichen.strip().upper()
    if len(candidate) < 2 or not _ALLOWED.match(candidate) or not candidate[-1].isdigit():
        return True
    return check_digit(candidate[:-1]) == int(candidate[-1])


def x_is_valid__mutmut_13(kassenzeichen: str) -> bool:
    """True when the last digit is the check digit of the rest."""
    candidate = kassenzeichen.strip().upper()
    if len(candidate) < 2 or not _ALLOWED.match(candidate) or not candidate[-1].isdigit():
        return False
    return check_digit(None) == int(candidate[-1])


def x_is_valid__mutmut_14(kassenzeichen: str) -> bool:
    """True when the last digit is the check digit of the rest."""
    candidate = kassenzeichen.strip().upper()
    if len(candidate) < 2 or not _ALLOWED.match(candidate) or not candidate[-1].isdigit():
        return False
    return check_digit(candidate[:+1]) == int(candidate[-1])


def x_is_valid__mutmut_15(kassenzeichen: str) -> bool:
    """True when the last digit is the check digit of the rest."""
    candidate = kassenzeichen.strip().upper()
    if len(candidate) < 2 or not _ALLOWED.match(candidate) or not candidate[-1].isdigit():
        return False
    return check_digit(candidate[:-2]) == int(candidate[-1])


def x_is_valid__mutmut_16(kassenzeichen: str) -> bool:
    """True when the last digit is the check digit of the rest."""
    candidate = kassenzeichen.strip().upper()
    if len(candidate) < 2 or not _ALLOWED.match(candidate) or not candidate[-1].isdigit():
        return False
    return check_digit(candidate[:-1]) != int(candidate[-1])


def x_is_valid__mutmut_17(kassenzeichen: str) -> bool:
    """True when the last digit is the check digit of the rest."""
    candidate = kassenzeichen.strip().upper()
    if len(candidate) < 2 or not _ALLOWED.match(candidate) or not candidate[-1].isdigit():
        return False
    return check_digit(candidate[:-1]) == int(None)


def x_is_valid__mutmut_18(kassenzeichen: str) -> bool:
    """True when the last digit is the check digit of the rest."""
    candidate = kassenzeichen.strip().upper()
    if len(candidate) < 2 or not _ALLOWED.match(candidate) or not candidate[-1].isdigit():
        return False
    return check_digit(candidate[:-1]) == int(candidate[+1])


def x_is_valid__mutmut_19(kassenzeichen: str) -> bool:
    """True when the last digit is the check digit of the rest."""
    candidate = kassenzeichen.strip().upper()
    if len(candidate) < 2 or not _ALLOWED.match(candidate) or not candidate[-1].isdigit():
        return False
    return check_digit(candidate[:-1]) == int(candidate[-2])

mutants_x_is_valid__mutmut['_mutmut_orig'] = x_is_valid__mutmut_orig # type: ignore # mutmut generated
mutants_x_is_valid__mutmut['x_is_valid__mutmut_1'] = x_is_valid__mutmut_1 # type: ignore # mutmut generated
mutants_x_is_valid__mutmut['x_is_valid__mutmut_2'] = x_is_valid__mutmut_2 # type: ignore # mutmut generated
mutants_x_is_valid__mutmut['x_is_valid__mutmut_3'] = x_is_valid__mutmut_3 # type: ignore # mutmut generated
mutants_x_is_valid__mutmut['x_is_valid__mutmut_4'] = x_is_valid__mutmut_4 # type: ignore # mutmut generated
mutants_x_is_valid__mutmut['x_is_valid__mutmut_5'] = x_is_valid__mutmut_5 # type: ignore # mutmut generated
mutants_x_is_valid__mutmut['x_is_valid__mutmut_6'] = x_is_valid__mutmut_6 # type: ignore # mutmut generated
mutants_x_is_valid__mutmut['x_is_valid__mutmut_7'] = x_is_valid__mutmut_7 # type: ignore # mutmut generated
mutants_x_is_valid__mutmut['x_is_valid__mutmut_8'] = x_is_valid__mutmut_8 # type: ignore # mutmut generated
mutants_x_is_valid__mutmut['x_is_valid__mutmut_9'] = x_is_valid__mutmut_9 # type: ignore # mutmut generated
mutants_x_is_valid__mutmut['x_is_valid__mutmut_10'] = x_is_valid__mutmut_10 # type: ignore # mutmut generated
mutants_x_is_valid__mutmut['x_is_valid__mutmut_11'] = x_is_valid__mutmut_11 # type: ignore # mutmut generated
mutants_x_is_valid__mutmut['x_is_valid__mutmut_12'] = x_is_valid__mutmut_12 # type: ignore # mutmut generated
mutants_x_is_valid__mutmut['x_is_valid__mutmut_13'] = x_is_valid__mutmut_13 # type: ignore # mutmut generated
mutants_x_is_valid__mutmut['x_is_valid__mutmut_14'] = x_is_valid__mutmut_14 # type: ignore # mutmut generated
mutants_x_is_valid__mutmut['x_is_valid__mutmut_15'] = x_is_valid__mutmut_15 # type: ignore # mutmut generated
mutants_x_is_valid__mutmut['x_is_valid__mutmut_16'] = x_is_valid__mutmut_16 # type: ignore # mutmut generated
mutants_x_is_valid__mutmut['x_is_valid__mutmut_17'] = x_is_valid__mutmut_17 # type: ignore # mutmut generated
mutants_x_is_valid__mutmut['x_is_valid__mutmut_18'] = x_is_valid__mutmut_18 # type: ignore # mutmut generated
mutants_x_is_valid__mutmut['x_is_valid__mutmut_19'] = x_is_valid__mutmut_19 # type: ignore # mutmut generated
mutants_x_find_in__mutmut: MutantDict = {}  # type: ignore


@_mutmut_mutated(mutants_x_find_in__mutmut)
def find_in(text: str) -> list[str]:
    """Every well-formed Kassenzeichen inside a transfer's remittance text."""
    words = re.findall(r"[A-Za-z0-9]+", text)
    return [
        word.upper()
        for word in words
        if len(word) >= 6 and any(char.isdigit() for char in word[:-1]) and is_valid(word)
    ]


def x_find_in__mutmut_orig(text: str) -> list[str]:
    """Every well-formed Kassenzeichen inside a transfer's remittance text."""
    words = re.findall(r"[A-Za-z0-9]+", text)
    return [
        word.upper()
        for word in words
        if len(word) >= 6 and any(char.isdigit() for char in word[:-1]) and is_valid(word)
    ]


def x_find_in__mutmut_1(text: str) -> list[str]:
    """Every well-formed Kassenzeichen inside a transfer's remittance text."""
    words = None
    return [
        word.upper()
        for word in words
        if len(word) >= 6 and any(char.isdigit() for char in word[:-1]) and is_valid(word)
    ]


def x_find_in__mutmut_2(text: str) -> list[str]:
    """Every well-formed Kassenzeichen inside a transfer's remittance text."""
    words = re.findall(None, text)
    return [
        word.upper()
        for word in words
        if len(word) >= 6 and any(char.isdigit() for char in word[:-1]) and is_valid(word)
    ]


def x_find_in__mutmut_3(text: str) -> list[str]:
    """Every well-formed Kassenzeichen inside a transfer's remittance text."""
    words = re.findall(r"[A-Za-z0-9]+", None)
    return [
        word.upper()
        for word in words
        if len(word) >= 6 and any(char.isdigit() for char in word[:-1]) and is_valid(word)
    ]


def x_find_in__mutmut_4(text: str) -> list[str]:
    """Every well-formed Kassenzeichen inside a transfer's remittance text."""
    words = re.findall(text)
    return [
        word.upper()
        for word in words
        if len(word) >= 6 and any(char.isdigit() for char in word[:-1]) and is_valid(word)
    ]


def x_find_in__mutmut_5(text: str) -> list[str]:
    """Every well-formed Kassenzeichen inside a transfer's remittance text."""
    words = re.findall(r"[A-Za-z0-9]+", )
    return [
        word.upper()
        for word in words
        if len(word) >= 6 and any(char.isdigit() for char in word[:-1]) and is_valid(word)
    ]


def x_find_in__mutmut_6(text: str) -> list[str]:
    """Every well-formed Kassenzeichen inside a transfer's remittance text."""
    words = re.findall(r"XX[A-Za-z0-9]+XX", text)
    return [
        word.upper()
        for word in words
        if len(word) >= 6 and any(char.isdigit() for char in word[:-1]) and is_valid(word)
    ]


def x_find_in__mutmut_7(text: str) -> list[str]:
    """Every well-formed Kassenzeichen inside a transfer's remittance text."""
    words = re.findall(r"[a-za-z0-9]+", text)
    return [
        word.upper()
        for word in words
        if len(word) >= 6 and any(char.isdigit() for char in word[:-1]) and is_valid(word)
    ]


def x_find_in__mutmut_8(text: str) -> list[str]:
    """Every well-formed Kassenzeichen inside a transfer's remittance text."""
    words = re.findall(r"[A-ZA-Z0-9]+", text)
    return [
        word.upper()
        for word in words
        if len(word) >= 6 and any(char.isdigit() for char in word[:-1]) and is_valid(word)
    ]


def x_find_in__mutmut_9(text: str) -> list[str]:
    """Every well-formed Kassenzeichen inside a transfer's remittance text."""
    words = re.findall(r"[A-Za-z0-9]+", text)
    return [
        word.lower()
        for word in words
        if len(word) >= 6 and any(char.isdigit() for char in word[:-1]) and is_valid(word)
    ]


def x_find_in__mutmut_10(text: str) -> list[str]:
    """Every well-formed Kassenzeichen inside a transfer's remittance text."""
    words = re.findall(r"[A-Za-z0-9]+", text)
    return [
        word.upper()
        for word in words
        if len(word) >= 6 and any(char.isdigit() for char in word[:-1]) or is_valid(word)
    ]


def x_find_in__mutmut_11(text: str) -> list[str]:
    """Every well-formed Kassenzeichen inside a transfer's remittance text."""
    words = re.findall(r"[A-Za-z0-9]+", text)
    return [
        word.upper()
        for word in words
        if len(word) >= 6 or any(char.isdigit() for char in word[:-1]) and is_valid(word)
    ]


def x_find_in__mutmut_12(text: str) -> list[str]:
    """Every well-formed Kassenzeichen inside a transfer's remittance text."""
    words = re.findall(r"[A-Za-z0-9]+", text)
    return [
        word.upper()
        for word in words
        if len(word) > 6 and any(char.isdigit() for char in word[:-1]) and is_valid(word)
    ]


def x_find_in__mutmut_13(text: str) -> list[str]:
    """Every well-formed Kassenzeichen inside a transfer's remittance text."""
    words = re.findall(r"[A-Za-z0-9]+", text)
    return [
        word.upper()
        for word in words
        if len(word) >= 7 and any(char.isdigit() for char in word[:-1]) and is_valid(word)
    ]


def x_find_in__mutmut_14(text: str) -> list[str]:
    """Every well-formed Kassenzeichen inside a transfer's remittance text."""
    words = re.findall(r"[A-Za-z0-9]+", text)
    return [
        word.upper()
        for word in words
        if len(word) >= 6 and any(None) and is_valid(word)
    ]


def x_find_in__mutmut_15(text: str) -> list[str]:
    """Every well-formed Kassenzeichen inside a transfer's remittance text."""
    words = re.findall(r"[A-Za-z0-9]+", text)
    return [
        word.upper()
        for word in words
        if len(word) >= 6 and any(char.isdigit() for char in word[:+1]) and is_valid(word)
    ]


def x_find_in__mutmut_16(text: str) -> list[str]:
    """Every well-formed Kassenzeichen inside a transfer's remittance text."""
    words = re.findall(r"[A-Za-z0-9]+", text)
    return [
        word.upper()
        for word in words
        if len(word) >= 6 and any(char.isdigit() for char in word[:-2]) and is_valid(word)
    ]


def x_find_in__mutmut_17(text: str) -> list[str]:
    """Every well-formed Kassenzeichen inside a transfer's remittance text."""
    words = re.findall(r"[A-Za-z0-9]+", text)
    return [
        word.upper()
        for word in words
        if len(word) >= 6 and any(char.isdigit() for char in word[:-1]) and is_valid(None)
    ]

mutants_x_find_in__mutmut['_mutmut_orig'] = x_find_in__mutmut_orig # type: ignore # mutmut generated
mutants_x_find_in__mutmut['x_find_in__mutmut_1'] = x_find_in__mutmut_1 # type: ignore # mutmut generated
mutants_x_find_in__mutmut['x_find_in__mutmut_2'] = x_find_in__mutmut_2 # type: ignore # mutmut generated
mutants_x_find_in__mutmut['x_find_in__mutmut_3'] = x_find_in__mutmut_3 # type: ignore # mutmut generated
mutants_x_find_in__mutmut['x_find_in__mutmut_4'] = x_find_in__mutmut_4 # type: ignore # mutmut generated
mutants_x_find_in__mutmut['x_find_in__mutmut_5'] = x_find_in__mutmut_5 # type: ignore # mutmut generated
mutants_x_find_in__mutmut['x_find_in__mutmut_6'] = x_find_in__mutmut_6 # type: ignore # mutmut generated
mutants_x_find_in__mutmut['x_find_in__mutmut_7'] = x_find_in__mutmut_7 # type: ignore # mutmut generated
mutants_x_find_in__mutmut['x_find_in__mutmut_8'] = x_find_in__mutmut_8 # type: ignore # mutmut generated
mutants_x_find_in__mutmut['x_find_in__mutmut_9'] = x_find_in__mutmut_9 # type: ignore # mutmut generated
mutants_x_find_in__mutmut['x_find_in__mutmut_10'] = x_find_in__mutmut_10 # type: ignore # mutmut generated
mutants_x_find_in__mutmut['x_find_in__mutmut_11'] = x_find_in__mutmut_11 # type: ignore # mutmut generated
mutants_x_find_in__mutmut['x_find_in__mutmut_12'] = x_find_in__mutmut_12 # type: ignore # mutmut generated
mutants_x_find_in__mutmut['x_find_in__mutmut_13'] = x_find_in__mutmut_13 # type: ignore # mutmut generated
mutants_x_find_in__mutmut['x_find_in__mutmut_14'] = x_find_in__mutmut_14 # type: ignore # mutmut generated
mutants_x_find_in__mutmut['x_find_in__mutmut_15'] = x_find_in__mutmut_15 # type: ignore # mutmut generated
mutants_x_find_in__mutmut['x_find_in__mutmut_16'] = x_find_in__mutmut_16 # type: ignore # mutmut generated
mutants_x_find_in__mutmut['x_find_in__mutmut_17'] = x_find_in__mutmut_17 # type: ignore # mutmut generated
