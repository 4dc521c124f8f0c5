"""Checking and normalising the answer to one field, by field type.

Answers arrive as a browser posts them (strings) or as JSON from the API (typed
values); both are accepted. Each cleaner returns the normalised answer, which is
always JSON-ready (dates as ISO strings, IBANs compact, choices in option
order), or raises :class:`InvalidValue` with every violation it found. Blank
answers never reach a cleaner: whether a blank is allowed is the caller's
decision (``required``, ``required_if``, visibility). Repeating groups are
cleaned item by item in :mod:`.evaluate`, since their items have conditions.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from schwifty import IBAN
from schwifty.exceptions import InvalidChecksumDigits, SchwiftyException

from amtsweg.formdefs.engine.messages import Bytes, LocalizedText
from amtsweg.formdefs.engine.model import Field

DEFAULT_MAX_LENGTH = {"text": 500, "textarea": 10_000}
ADDRESS_PART_MAX_LENGTH = 100

_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+")
_PHONE = re.compile(r"\+?[0-9][0-9 ()/-]*")
_PHONE_SEPARATORS = re.compile(r"[ ()/-]")
_INTEGER = re.compile(r"[+-]?\d+")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_GERMAN_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
_GERMAN_ZIP = re.compile(r"\d{5}")
HOUSE_NUMBER = re.compile(r"\d{1,4} ?[a-zA-Z]?(?: ?[-/] ?\d{1,4} ?[a-zA-Z]?)?")
_COUNTRY = re.compile(r"[A-Z]{2}")
_TRUE_WORDS = frozenset({"true", "yes", "ja", "on", "1", "y", "j"})
_FALSE_WORDS = frozenset({"false", "no", "nein", "off", "0", "n"})
_ADDRESS_PARTS = ("street", "house_number", "zip", "city")


@dataclass(frozen=True, slots=True)
class Violation:
    """One thing wrong with an answer; ``subpath`` points into it (``.zip``, ``[1]``)."""

    code: str
    params: Mapping[str, object] = field(default_factory=dict)
    subpath: str = ""
    message: LocalizedText | None = None
    """A message of the definition that replaces the engine's text for ``code``."""


class InvalidValue(Exception):  # noqa: N818 - it is raised for a value, not an error in the code
    def __init__(self, *violations: Violation) -> None:
        super().__init__(*violations)
        self.violations = violations


def is_blank(raw: Any) -> bool:
    """True for an answer that says nothing: None, whitespace, [] or a dict of blanks."""
    if raw is None:
        return True
    if isinstance(raw, str):
        return not raw.strip()
    if isinstance(raw, dict):
        return all(is_blank(value) for value in raw.values())
    return isinstance(raw, list | tuple) and not raw


def clean_value(field: Field, raw: Any, today: date) -> Any:
    """The normalised answer to ``field``; raises :class:`InvalidValue`."""
    return _CLEANERS[field.kind](field, raw, today)


def _fail_if(violations: list[Violation]) -> None:
    if violations:
        raise InvalidValue(*violations)


_KEPT_FORMAT_CHARACTERS = frozenset("\u200c\u200d")  # joiners that scripts and emoji need
_KEPT_CONTROL_CHARACTERS = frozenset("\t\n\r")
NUL = "\x00"
REFUSED_CHARACTER = "nul"
"""The code of the violation for a NUL in an answer."""


def plain_text(text: str) -> str:
    """``text`` without control and format characters, such as the right-to-left
    override U+202E (which makes ``exe.pdf`` read as ``fdp.exe``, or reverses a
    name on a clerk's screen); line breaks, tabs and the zero-width joiners stay.

    NUL stays too, for the cleaners to refuse (code ``nul``): nobody types one,
    PostgreSQL cannot store one, and dropping it silently would change what was
    sent without a word. :func:`without_nul` makes answers storable.
    """
    return "".join(
        character
        for character in text
        if character in _KEPT_CONTROL_CHARACTERS
        or character in _KEPT_FORMAT_CHARACTERS
        or character == NUL
        or unicodedata.category(character) not in {"Cc", "Cf", "Cs"}
    )


def without_nul(answers: Any) -> Any:
    """``answers`` (nested as posted) with every NUL removed from their strings."""
    if isinstance(answers, str):
        return answers.replace(NUL, "")
    if isinstance(answers, Mapping):
        return {key: without_nul(value) for key, value in answers.items()}
    if isinstance(answers, list | tuple):
        return [without_nul(value) for value in answers]
    return answers


def _string(raw: Any) -> str:
    if not isinstance(raw, str):
        raise InvalidValue(Violation("type"))
    if NUL in raw:
        raise InvalidValue(Violation(REFUSED_CHARACTER))
    return plain_text(raw).strip()


def _text(field: Field, raw: Any, _today: date) -> str:
    value = _string(raw).replace("\r\n", "\n")
    violations = []
    max_length = field.max_length or DEFAULT_MAX_LENGTH[field.kind]
    if len(value) > max_length:
        violations.append(Violation("too_long", {"max": max_length}))
    if field.min_length is not None and len(value) < field.min_length:
        violations.append(Violation("too_short", {"min": field.min_length}))
    if field.pattern is not None and not field.pattern.fullmatch(value):
        violations.append(Violation("pattern", message=field.pattern_message))
    _fail_if(violations)
    return value


def _email(_field: Field, raw: Any, _today: date) -> str:
    value = _string(raw)
    if len(value) > 254 or not _EMAIL.fullmatch(value):
        raise InvalidValue(Violation("email"))
    local, _, domain = value.rpartition("@")
    return f"{local}@{domain.lower()}"


def _phone(_field: Field, raw: Any, _today: date) -> str:
    value = _string(raw).replace("(0)", "")
    compact = _PHONE_SEPARATORS.sub("", value)
    if not _PHONE.fullmatch(value) or not 5 <= len(compact.lstrip("+")) <= 15:
        raise InvalidValue(Violation("phone"))
    return compact


def _in_range(field: Field, value: float) -> float:
    violations = []
    if field.minimum is not None and value < field.minimum:
        violations.append(Violation("too_small", {"min": field.minimum}))
    if field.maximum is not None and value > field.maximum:
        violations.append(Violation("too_large", {"max": field.maximum}))
    _fail_if(violations)
    return value


def _number(field: Field, raw: Any, _today: date) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise InvalidValue(Violation("not_a_number"))
    try:
        value = float(raw.strip().replace(",", ".")) if isinstance(raw, str) else float(raw)
    except (ValueError, OverflowError):  # OverflowError: an integer beyond any float
        raise InvalidValue(Violation("not_a_number")) from None
    if not math.isfinite(value):
        raise InvalidValue(Violation("not_a_number"))
    return _in_range(field, int(value) if value.is_integer() else value)


def _integer(field: Field, raw: Any, _today: date) -> int:
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, str) and _INTEGER.fullmatch(raw.strip()):
        raw = int(raw)
    if not isinstance(raw, int) or isinstance(raw, bool):
        raise InvalidValue(Violation("not_an_integer"))
    return int(_in_range(field, raw))


def _parse_date(raw: Any) -> date:
    if isinstance(raw, date):
        return raw
    text = _string(raw)
    german = _GERMAN_DATE.fullmatch(text)
    try:
        if german:
            day, month, year = map(int, german.groups())
            return date(year, month, day)
        if _ISO_DATE.fullmatch(text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise InvalidValue(Violation("date_format"))


def _date(field: Field, raw: Any, today: date) -> str:
    value = _parse_date(raw)
    if field.earliest is not None and value < (earliest := field.earliest.resolve(today)):
        raise InvalidValue(Violation("date_too_early", {"min": earliest}))
    if field.latest is not None and value > (latest := field.latest.resolve(today)):
        raise InvalidValue(Violation("date_too_late", {"max": latest}))
    return value.isoformat()


def _address(field: Field, raw: Any, _today: date) -> dict[str, str]:
    if not isinstance(raw, Mapping):
        raise InvalidValue(Violation("type"))
    parts = {name: raw.get(name) or "" for name in (*_ADDRESS_PARTS, "country")}
    if not all(isinstance(part, str) for part in parts.values()):
        raise InvalidValue(Violation("type"))
    _fail_if(
        [
            Violation(REFUSED_CHARACTER, subpath=f".{name}")
            for name, part in parts.items()
            if NUL in part
        ]
    )
    value = {name: plain_text(part).strip() for name, part in parts.items()}
    value["country"] = value["country"].upper() or "DE"
    violations = [
        Violation("required", subpath=f".{name}") for name in _ADDRESS_PARTS if not value[name]
    ]
    violations.extend(
        Violation("too_long", {"max": ADDRESS_PART_MAX_LENGTH}, subpath=f".{name}")
        for name, part in value.items()
        if len(part) > ADDRESS_PART_MAX_LENGTH
    )
    violations.extend(_address_format_violations(field, value))
    _fail_if(violations)
    return value


def _address_format_violations(field: Field, value: Mapping[str, str]) -> list[Violation]:
    violations = []
    if value["house_number"] and not HOUSE_NUMBER.fullmatch(value["house_number"]):
        violations.append(Violation("house_number", subpath=".house_number"))
    if value["country"] != "DE" and not field.allow_foreign:
        violations.append(Violation("country", subpath=".country"))
    elif not _COUNTRY.fullmatch(value["country"]):
        violations.append(Violation("type", subpath=".country"))
    if value["zip"] and value["country"] == "DE" and not _GERMAN_ZIP.fullmatch(value["zip"]):
        violations.append(Violation("zip", subpath=".zip"))
    return violations


def _iban(_field: Field, raw: Any, _today: date) -> str:
    try:
        return IBAN(_string(raw)).compact
    except InvalidChecksumDigits:
        raise InvalidValue(Violation("iban_checksum")) from None
    except SchwiftyException:
        raise InvalidValue(Violation("iban_format")) from None


def _choice(field: Field, raw: Any, _today: date) -> str:
    if not isinstance(raw, str) or raw not in field.option_values:
        raise InvalidValue(Violation("not_an_option"))
    return raw


def _checkboxes(field: Field, raw: Any, _today: date) -> list[str]:
    chosen = [raw] if isinstance(raw, str) else raw
    if not isinstance(chosen, list | tuple) or not all(isinstance(value, str) for value in chosen):
        raise InvalidValue(Violation("type"))
    if not set(chosen) <= field.option_values:
        raise InvalidValue(Violation("not_an_option"))
    value = [option.value for option in field.options if option.value in chosen]
    if field.min_selected is not None and len(value) < field.min_selected:
        raise InvalidValue(Violation("too_few_selected", {"min": field.min_selected}))
    if field.max_selected is not None and len(value) > field.max_selected:
        raise InvalidValue(Violation("too_many_selected", {"max": field.max_selected}))
    return value


def _boolean(raw: Any) -> bool | None:
    if isinstance(raw, bool):
        return raw
    word = raw.strip().lower() if isinstance(raw, str) else None
    return True if word in _TRUE_WORDS else False if word in _FALSE_WORDS else None


def _yesno(_field: Field, raw: Any, _today: date) -> bool:
    value = _boolean(raw)
    if value is None:
        raise InvalidValue(Violation("yesno"))
    return value


def _declaration(_field: Field, raw: Any, _today: date) -> bool:
    if _boolean(raw) is not True:
        raise InvalidValue(Violation("declaration"))
    return True


def _files(field: Field, raw: Any, _today: date) -> list[dict[str, Any]]:
    files = [raw] if isinstance(raw, Mapping) else raw
    if not isinstance(files, list | tuple):
        raise InvalidValue(Violation("type"))
    violations = (
        [Violation("too_many_files", {"max": field.max_files})]
        if len(files) > field.max_files
        else []
    )
    cleaned = []
    for index, upload in enumerate(files):
        problem = _file_violation(field, upload)
        if problem is None:
            cleaned.append({key: upload[key] for key in ("name", "mime", "size", "token")})
        else:
            violations.append(Violation(problem.code, problem.params, subpath=f"[{index}]"))
    _fail_if(violations)
    return cleaned


def _file_violation(field: Field, upload: Any) -> Violation | None:
    if not (
        isinstance(upload, Mapping)
        and all(
            isinstance(upload.get(key), str) and upload[key] for key in ("name", "mime", "token")
        )
        and isinstance(upload.get("size"), int)
        and not isinstance(upload["size"], bool)
        and upload["size"] >= 0
    ):
        return Violation("file_metadata")
    if upload["mime"] not in field.accept:
        return Violation("file_type", {"mime": upload["mime"], "accept": field.accept})
    if field.max_size is not None and upload["size"] > field.max_size:
        return Violation("file_too_large", {"max_size": Bytes(field.max_size)})
    return None


_CLEANERS: Mapping[str, Callable[[Field, Any, date], Any]] = {
    "text": _text,
    "textarea": _text,
    "number": _number,
    "integer": _integer,
    "date": _date,
    "email": _email,
    "phone": _phone,
    "address": _address,
    "iban": _iban,
    "select": _choice,
    "radio": _choice,
    "checkboxes": _checkboxes,
    "yesno": _yesno,
    "declaration": _declaration,
    "file": _files,
}
