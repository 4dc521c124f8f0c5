"""The applicant's name as the clerk's search finds it.

Stored on the submission at submit time as written (single spaces), for the
clerk's list, with a search key from each of its words on
(:func:`search_keys`), so a search for "muster", "mustermann" or "Erika
Mustermann" finds "Erika Mustermann" through one range of an index instead of
reading every submission's answers.

Keys and search terms are spelled alike (:func:`search_form`): umlauts as the
German transcription writes them without (ä → ae, ß → ss), other letters
without their accents. A clerk typing "Mueller" finds the citizen account's
"Müller", "Müller" finds the "Mueller" a citizen typed, and "Celik" finds
"Çelik" (and "Yildiz" the Turkish spelling with a dotless i).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

_WORD_SEPARATOR = re.compile("[ -]")
# Letters written out by German transcription, and letters NFKD does not decompose.
_WRITTEN_OUT = str.maketrans(
    {
        "ä": "ae",
        "ö": "oe",
        "ü": "ue",
        "\u0131": "i",  # the dotless i
        "ø": "o",
        "æ": "ae",
        "œ": "oe",
        "ł": "l",
        "đ": "d",
    }
)

# Answer ids the catalogue's forms use for the applicant's name, in order of preference.
NAME_PARTS = (("vorname", "nachname"), ("given_name", "family_name"), ("name",))


def single_spaced(text: str) -> str:
    """``"  Hans   Großmann "`` → ``"Hans Großmann"``: as written, at most 200 characters."""
    return " ".join(text.split())[:200]


def applicant_name(answers: Mapping[str, Any], login_name: str = "") -> str:
    """The name from the answers, else the name of the login; as written, since "Großmann"
    and "Grossmann" are two names, and "von der Heide" is not "Von Der Heide"."""
    for parts in NAME_PARTS:
        values = [answers.get(part) for part in parts]
        if all(isinstance(value, str) and value.strip() for value in values):
            return single_spaced(" ".join(values))
    return single_spaced(login_name)


def search_form(text: str) -> str:
    """``" Jörg  MÜLLER-Çelik"`` → ``"joerg mueller-celik"``: how keys and terms compare."""
    written_out = single_spaced(text).casefold().translate(_WRITTEN_OUT)
    decomposed = unicodedata.normalize("NFKD", written_out)
    # Writing out can lengthen a name; a key holds 200 characters.
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))[:200]


def search_keys(name: str) -> list[str]:
    """``"Erika Meier-Müller"`` → the name from each word on, in :func:`search_form`:
    ``["erika meier-mueller", "meier-mueller", "mueller"]`` (a double name's second
    part is a word too); a search term finds the name when its search form begins
    one of these."""
    name = search_form(name)
    later = [separator.end() for separator in _WORD_SEPARATOR.finditer(name)]
    starts = [0, *(start for start in later if name[start : start + 1].isalnum())]
    return list(dict.fromkeys(name[start:] for start in starts if name))


def prefix_end(prefix: str) -> str:
    """The first string after every string that begins with ``prefix`` (in code point
    order): ``"muster"`` → ``"mustes"``, so ``prefix <= key < prefix_end(prefix)``."""
    following = ord(prefix[-1]) + 1
    if 0xD800 <= following <= 0xDFFF:  # surrogates are no characters of their own
        following = 0xE000
    return prefix[:-1] + chr(min(following, 0x10FFFF))
