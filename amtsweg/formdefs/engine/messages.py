"""Localized texts: the bilingual strings of a definition and the engine's own messages.

Every message the engine shows a citizen exists in German and English. A message
is chosen by a stable ``code`` (tests and the web layer match on the code, never
on the wording) and filled with parameters formatted for the locale: dates as
``31.12.2025`` in German, byte sizes as ``2,5 MB``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

LOCALES = ("de", "en")


@dataclass(frozen=True, slots=True)
class LocalizedText:
    """A text given in German and English, as every text of a definition is."""

    de: str
    en: str

    @classmethod
    def parse(cls, doc: Mapping[str, str] | None) -> LocalizedText | None:
        return None if doc is None else cls(de=doc["de"], en=doc["en"])

    def get(self, locale: str) -> str:
        return self.en if locale == "en" else self.de


_MESSAGES: Mapping[str, LocalizedText] = {
    code: LocalizedText(de, en)
    for code, de, en in (
        ("required", "Bitte füllen Sie dieses Feld aus.", "Please fill in this field."),
        ("type", "Diese Angabe hat ein ungültiges Format.", "This value has an invalid format."),
        (
            "too_short",
            "Bitte geben Sie mindestens {min} Zeichen ein.",
            "Please enter at least {min} characters.",
        ),
        (
            "too_long",
            "Bitte geben Sie höchstens {max} Zeichen ein.",
            "Please enter at most {max} characters.",
        ),
        (
            "pattern",
            "Die Eingabe hat nicht das erwartete Format.",
            "The value does not have the expected format.",
        ),
        (
            "nul",
            (
                "Diese Angabe enthält ein Nullzeichen (NUL), das nicht gespeichert werden "
                "kann. Bitte prüfen Sie die Angabe und senden Sie sie ohne dieses Zeichen erneut."
            ),
            (
                "This answer contains a null character (NUL), which cannot be stored. "
                "Please check the answer and send it again without it."
            ),
        ),
        ("not_a_number", "Bitte geben Sie eine Zahl ein.", "Please enter a number."),
        ("not_an_integer", "Bitte geben Sie eine ganze Zahl ein.", "Please enter a whole number."),
        ("too_small", "Der Wert muss mindestens {min} sein.", "The value must be at least {min}."),
        ("too_large", "Der Wert darf höchstens {max} sein.", "The value must be at most {max}."),
        (
            "date_format",
            "Bitte geben Sie ein gültiges Datum ein (TT.MM.JJJJ).",
            "Please enter a valid date (YYYY-MM-DD).",
        ),
        (
            "date_too_early",
            "Das Datum darf nicht vor dem {min} liegen.",
            "The date must not be before {min}.",
        ),
        (
            "date_too_late",
            "Das Datum darf nicht nach dem {max} liegen.",
            "The date must not be after {max}.",
        ),
        (
            "email",
            "Bitte geben Sie eine gültige E-Mail-Adresse ein.",
            "Please enter a valid email address.",
        ),
        (
            "phone",
            "Bitte geben Sie eine gültige Telefonnummer ein.",
            "Please enter a valid phone number.",
        ),
        (
            "zip",
            "Die Postleitzahl muss aus genau fünf Ziffern bestehen.",
            "The postcode must consist of exactly five digits.",
        ),
        (
            "house_number",
            "Bitte geben Sie eine gültige Hausnummer ein.",
            "Please enter a valid house number.",
        ),
        (
            "country",
            "Bitte geben Sie eine Anschrift in Deutschland an.",
            "Please enter an address in Germany.",
        ),
        (
            "iban_checksum",
            "Die Prüfziffer der IBAN stimmt nicht. Bitte prüfen Sie die Eingabe.",
            "The IBAN check digits are wrong. Please check your entry.",
        ),
        ("iban_format", "Dies ist keine gültige IBAN.", "This is not a valid IBAN."),
        (
            "not_an_option",
            "Bitte wählen Sie eine der angebotenen Möglichkeiten.",
            "Please choose one of the options offered.",
        ),
        (
            "too_few_selected",
            "Bitte wählen Sie mindestens {min} Möglichkeiten.",
            "Please choose at least {min} options.",
        ),
        (
            "too_many_selected",
            "Bitte wählen Sie höchstens {max} Möglichkeiten.",
            "Please choose at most {max} options.",
        ),
        ("yesno", "Bitte wählen Sie Ja oder Nein.", "Please choose yes or no."),
        (
            "file_metadata",
            "Die hochgeladene Datei ist unvollständig. Bitte laden Sie sie erneut hoch.",
            "The uploaded file is incomplete. Please upload it again.",
        ),
        (
            "file_type",
            "Dateien vom Typ {mime} sind nicht erlaubt. Erlaubt: {accept}.",
            "Files of type {mime} are not allowed. Allowed: {accept}.",
        ),
        (
            "file_too_large",
            "Die Datei ist größer als {max_size}.",
            "The file is larger than {max_size}.",
        ),
        (
            "too_many_files",
            "Bitte laden Sie höchstens {max} Dateien hoch.",
            "Please upload at most {max} files.",
        ),
        (
            "too_few_items",
            "Bitte geben Sie mindestens {min} Einträge an.",
            "Please add at least {min} entries.",
        ),
        (
            "too_many_items",
            "Bitte geben Sie höchstens {max} Einträge an.",
            "Please add at most {max} entries.",
        ),
        (
            "declaration",
            "Bitte bestätigen Sie diese Erklärung.",
            "Please confirm this declaration.",
        ),
        (
            "compare",
            "Diese Angabe passt nicht zu einer anderen Angabe.",
            "This value does not match another value.",
        ),
        (
            "override_unknown_rule",
            "Die Gebührenregel „{rule}“ gibt es in diesem Formular nicht.",
            "This form has no fee rule '{rule}'.",
        ),
        (
            "override_not_allowed",
            "Die Gebührenregel „{rule}“ darf nicht überschrieben werden.",
            "The fee rule '{rule}' may not be overridden.",
        ),
        (
            "override_not_cents",
            "Der Betrag für „{rule}“ muss eine ganze Zahl in Cent sein.",
            "The amount for '{rule}' must be a whole number of cents.",
        ),
        (
            "override_too_small",
            "Der Betrag für „{rule}“ muss mindestens {min} betragen.",
            "The amount for '{rule}' must be at least {min}.",
        ),
        (
            "override_too_large",
            "Der Betrag für „{rule}“ darf höchstens {max} betragen.",
            "The amount for '{rule}' must be at most {max}.",
        ),
    )
}


@dataclass(frozen=True, slots=True)
class Cents:
    """An amount of money, formatted as euros in messages."""

    value: int


@dataclass(frozen=True, slots=True)
class Bytes:
    """A file size, formatted as kB/MB in messages."""

    value: int


def check_locale(locale: str) -> str:
    if locale not in LOCALES:
        raise ValueError(f"unsupported locale {locale!r}; expected one of {LOCALES}")
    return locale


def render(code: str, locale: str, params: Mapping[str, object] | None = None) -> str:
    """The message for ``code`` in ``locale``, with ``params`` formatted for that locale."""
    template = _MESSAGES[code].get(locale)
    if not params:
        return template
    return template.format(**{name: format_value(value, locale) for name, value in params.items()})


def format_value(value: object, locale: str) -> str:
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y") if locale == "de" else value.isoformat()
    if isinstance(value, Cents):
        return _decimal(value.value / 100, locale, digits=2) + " EUR"
    if isinstance(value, Bytes):
        return _bytes(value.value, locale)
    if isinstance(value, float):
        return _decimal(value, locale, digits=None)
    if isinstance(value, list | tuple | frozenset):
        return ", ".join(sorted(str(item) for item in value))
    return str(value)


def _decimal(number: float, locale: str, *, digits: int | None) -> str:
    text = f"{number:.{digits}f}" if digits is not None else f"{number:g}"
    return text.replace(".", ",") if locale == "de" else text


def _bytes(size: int, locale: str) -> str:
    for unit, factor in (("MB", 1_000_000), ("kB", 1_000)):
        if size >= factor:
            return _decimal(round(size / factor, 1), locale, digits=None) + " " + unit
    return f"{size} B"
