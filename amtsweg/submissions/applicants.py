"""The applicant's name as the clerk's search finds it.

Stored on the submission at submit time, lower case with single spaces, so a
search for "mustermann" or "Erika  Mustermann" finds "Erika Mustermann"
through an index instead of reading every submission's answers.
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
