"""The Amtlicher Gemeindeschlüssel (official municipality key) and the German states.

The key has eight digits: two for the state (01 Schleswig-Holstein … 16
Thüringen), one for the administrative region, two for the district and three
for the municipality. We check what can be checked without Destatis' list:
the form, and that the state prefix exists and matches the chosen state.
"""

from __future__ import annotations

import re

from flask_babel import gettext

STATES = {
    "01": "Schleswig-Holstein",
    "02": "Hamburg",
    "03": "Niedersachsen",
    "04": "Bremen",
    "05": "Nordrhein-Westfalen",
    "06": "Hessen",
    "07": "Rheinland-Pfalz",
    "08": "Baden-Württemberg",
    "09": "Bayern",
    "10": "Saarland",
    "11": "Berlin",
    "12": "Brandenburg",
    "13": "Mecklenburg-Vorpommern",
    "14": "Sachsen",
    "15": "Sachsen-Anhalt",
    "16": "Thüringen",
}
_KEY = re.compile(r"^[0-9]{8}$")


def normalise_key(value: str) -> str:
    """The key as people write it (``05 3 15 000``) without its spaces."""
    return "".join(value.split())


def key_problem(key: str, state: str) -> str | None:
    """What is wrong with ``key`` for a municipality in ``state``; ``None`` if nothing."""
    if not _KEY.match(key):
        return gettext(
            "The official municipality key has exactly 8 digits, for example 05315000 "
            "for Köln; %(key)r is not of that form.",
            key=key,
        )
    prefix = key[:2]
    if prefix not in STATES:
        return gettext(
            "An official municipality key begins with its state's number 01 to 16; "
            "%(prefix)s is no state.",
            prefix=prefix,
        )
    if state in STATES and prefix != state:
        return gettext(
            "%(key)s is a key in %(key_state)s (%(prefix)s), but the state chosen is "
            "%(state_name)s (%(state)s): correct the key or the state.",
            key=key,
            key_state=STATES[prefix],
            prefix=prefix,
            state_name=STATES[state],
            state=state,
        )
    return None


def state_problem(state: str) -> str | None:
    if state not in STATES:
        return gettext("Choose the state the municipality belongs to.")
    return None
