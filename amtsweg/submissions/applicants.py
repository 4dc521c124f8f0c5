"""The applicant's name as the clerk's search finds it.

Stored on the submission at submit time, lower case with single spaces, with
a search key from each of its words on (:func:`search_keys`), so a search for
"muster", "mustermann" or "Erika  Mustermann" finds "Erika Mustermann" through
one range of an index instead of reading every submission's answers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Answer ids the catalogue's forms use for the applicant's name, in order of preference.
NAME_PARTS = (("vorname", "nachname"), ("given_name", "family_name"), ("name",))


def normalise_name(text: str) -> str:
    """``"  Erika   MUSTERMANN "`` → ``"erika mustermann"`` (also for search terms)."""
    return " ".join(text.split()).casefold()[:200]


def applicant_name(answers: Mapping[str, Any], login_name: str = "") -> str:
    """The normalised name from the answers, else the name of the login."""
    for parts in NAME_PARTS:
        values = [answers.get(part) for part in parts]
        if all(isinstance(value, str) and value.strip() for value in values):
            return normalise_name(" ".join(values))
    return normalise_name(login_name)


def search_keys(name: str) -> list[str]:
    """``"erika maria mustermann"`` → the name from each word on: ``["erika maria
    mustermann", "maria mustermann", "mustermann"]``; a search term finds the name
    when it is the beginning of one of these."""
    words = name.split(" ") if name else []
    return list(dict.fromkeys(" ".join(words[start:]) for start in range(len(words))))


def prefix_end(prefix: str) -> str:
    """The first string after every string that begins with ``prefix`` (in code point
    order): ``"muster"`` → ``"mustes"``, so ``prefix <= key < prefix_end(prefix)``."""
    following = ord(prefix[-1]) + 1
    if 0xD800 <= following <= 0xDFFF:  # surrogates are no characters of their own
        following = 0xE000
    return prefix[:-1] + chr(min(following, 0x10FFFF))
