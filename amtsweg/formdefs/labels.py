"""Words people read for a definition's keys: topics, login trust levels, version states."""

from __future__ import annotations

from typing import Any

from flask_babel import get_locale, lazy_gettext

TOPICS = {
    "abfall": ("Abfall", "Waste"),
    "baum": ("Bäume", "Trees"),
    "bauen": ("Bauen", "Building"),
    "entsorgung": ("Entsorgung", "Disposal"),
    "familie": ("Familie", "Family"),
    "fundbuero": ("Fundbüro", "Lost and found"),
    "gewerbe": ("Gewerbe", "Business"),
    "grundstueck": ("Grundstück", "Property"),
    "hund": ("Hund", "Dogs"),
    "kfz": ("Kfz", "Vehicles"),
    "kinder": ("Kinder", "Children"),
    "kita": ("Kita", "Daycare"),
    "kultur": ("Kultur", "Culture"),
    "ordnung": ("Öffentliche Ordnung", "Public order"),
    "parken": ("Parken", "Parking"),
    "selbststaendigkeit": ("Selbstständigkeit", "Self-employment"),
    "sperrmuell": ("Sperrmüll", "Bulky waste"),
    "steuern": ("Steuern", "Taxes"),
    "strasse": ("Straße", "Roads"),
    "tiere": ("Tiere", "Animals"),
    "umwelt": ("Umwelt", "Environment"),
    "veranstaltung": ("Veranstaltungen", "Events"),
    "verkehr": ("Verkehr", "Traffic"),
    "verlust": ("Verlust", "Loss"),
    "wirtschaft": ("Wirtschaft", "Economy"),
}

TRUST_LEVELS = {
    "none": lazy_gettext("Citizen account, any level"),
    "basic": lazy_gettext("Citizen account (basic level)"),
    "substantial": lazy_gettext(
        "Citizen account with a substantial level, e.g. ELSTER certificate"
    ),
    "high": lazy_gettext("Citizen account with the online ID card (high level)"),
}


def topic_label(key: str) -> str:
    german, english = TOPICS.get(key, (key, key))
    return english if str(get_locale()) == "en" else german


def trust_level_label(level: str) -> str:
    return str(TRUST_LEVELS.get(level, level))


VERSION_STATES = {
    "draft": lazy_gettext("Draft"),
    "published": lazy_gettext("Published"),
    "retired": lazy_gettext("Retired"),
}


def version_state_label(state: str) -> str:
    return str(VERSION_STATES.get(str(state), state))


CHANGE_KINDS = {
    ("added", "step"): lazy_gettext("Step added"),
    ("removed", "step"): lazy_gettext("Step removed"),
    ("changed", "step"): lazy_gettext("Step changed"),
    ("added", "field"): lazy_gettext("Field added"),
    ("removed", "field"): lazy_gettext("Field removed"),
    ("changed", "field"): lazy_gettext("Field changed"),
    ("changed", "rule"): lazy_gettext("Rule changed"),
    ("added", "fee"): lazy_gettext("Fee added"),
    ("removed", "fee"): lazy_gettext("Fee removed"),
    ("changed", "fee"): lazy_gettext("Fee changed"),
    ("changed", "setting"): lazy_gettext("Setting changed"),
}


def change_label(change: Any) -> str:
    """A :class:`~amtsweg.formdefs.diff.Change` in words: "Field added", "Fee changed"."""
    return str(CHANGE_KINDS.get((change.kind, change.area), change.kind))
