"""Euros as people type them into a form, read as integer cents.

One reader for every form that asks for an amount (a clerk's refund, a
municipality's fee), so that both accept the same writing: ``12,50``,
``12.50``, ``12,5``, ``12``, ``1.234,50``, ``1 234,50 €``. The amount moves
money, so what could be read two ways is refused rather than guessed:
``1,234`` (English thousands, or three decimals?), ``1.234`` without decimals
(German thousands, or three decimals?), ``12 50``.
"""

from __future__ import annotations

import re

_AMOUNT = re.compile(
    r"(?P<euros>[0-9]+|[0-9]{1,3}(?P<group>[. \u00a0\u202f])[0-9]{3}(?:(?P=group)[0-9]{3})*)"
    r"(?:(?P<mark>[,.])(?P<cents>[0-9]{1,2}))?"
)


def parse_euros(text: str) -> int | None:
    """The cents ``text`` names, or ``None`` if it is not an amount of euros."""
    found = _AMOUNT.fullmatch(text.strip().removeprefix("€").removesuffix("€").strip())
    if found is None or (found["group"] == "." and found["mark"] != ","):
        return None
    euros = re.sub("[^0-9]", "", found["euros"])
    return int(euros) * 100 + int((found["cents"] or "0").ljust(2, "0"))
