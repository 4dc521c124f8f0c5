"""Mapping one XDatenfelder datenfeld to the type and settings of one of our fields.

Each ``feldart``/``datentyp`` pair has a method; what it cannot carry over (a limit that
means nothing for the type, a pattern Python cannot run, a code list that is not in the
file) is written into the report instead of being dropped silently.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from amtsweg.formdefs.engine import translatable
from amtsweg.formdefs.xdf.reading import Element, XdfField
from amtsweg.formdefs.xdf.report import ImportReport, ReportLine

TEXTAREA_FROM = 200  # a text longer than this gets a textarea
FILE_ACCEPT = ["application/pdf", "image/jpeg", "image/png"]
FILE_MAX_SIZE = 10_000_000
_OPTION = re.compile(r"[^A-Za-z0-9_-]")
_MEDIA_TYPE = re.compile(r"^[a-z]+/[a-z0-9.+-]+$")
_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_TIME_PATTERN = "([01][0-9]|2[0-3]):[0-5][0-9]"
_NOT_A_NUMBER = {
    "integer": translatable("%(limit)s %(value)r is not an integer; ignored"),
    "number": translatable("%(limit)s %(value)r is not a number; ignored"),
}
# By whether the datenfeld gave a maxSize.
_FILE_SIZE_SET = {
    False: translatable("maximum file size set to %(megabytes)d MB; check it"),
    True: translatable(
        "maximum file size set to %(megabytes)d MB (maxSize %(given)s not imported); check it"
    ),
}
# By whether the select names a code list.
_SELECT_WITHOUT_VALUES = {
    False: translatable(
        "select with no values and no code list: the values are not in the file, so it is "
        "imported as a text field; add the values as options or a code list"
    ),
    True: translatable(
        "select with code list %(codelist)s: the values are not in the file, so it is "
        "imported as a text field; add the values as options or a code list"
    ),
}


class FieldMapper:
    """Field settings from datenfelder, reporting as it goes."""

    def __init__(self, report: ImportReport) -> None:
        self.report = report
        self.copied_texts = 0

    def text(self, de: str) -> dict[str, str]:
        """A localized text whose English is a copy of the German (counted for the report)."""
        self.copied_texts += 1
        return {"de": de, "en": de}

    def note(self, item: Element, text: str, **values: object) -> None:
        self.report.warnings.append(ReportLine(item.path, item.ident, text, values))

    def unsupported(self, item: Element, text: str, **values: object) -> None:
        self.report.unsupported.append(ReportLine(item.path, item.ident, text, values))

    def imported(self, item: Element, text: str, **values: object) -> None:
        self.report.imported.append(ReportLine(item.path, item.ident, text, values))

    def settings(self, item: XdfField) -> dict[str, Any] | None:
        """The type and type settings of a datenfeld, or None when it is left out."""
        if item.feldart == "input":
            return self.input_settings(item)
        if item.feldart == "select":
            return self.select_settings(item)
        if item.feldart == "label":
            return self.label_settings(item)
        if item.feldart == "locked":
            return self.locked_settings(item)
        if item.feldart == "hidden":
            self.unsupported(
                item,
                translatable("hidden field left out (it carries no question for citizens)"),
            )
            return None
        self.unsupported(
            item,
            translatable("feldart %(feldart)r is not supported; field left out"),
            feldart=item.feldart,
        )
        return None

    def input_settings(self, item: XdfField) -> dict[str, Any] | None:
        by_type = {
            "text": self.text_settings,
            "text_latin": self.text_settings,
            "date": self.date_settings,
            "bool": self.yesno_settings,
            "num": self.number_settings,
            "num_int": self.number_settings,
            "num_currency": self.number_settings,
            "file": self.file_settings,
            "time": self.time_settings,
            "datetime": self.time_settings,
        }
        if (settings := by_type.get(item.datentyp)) is None:
            self.unsupported(
                item,
                translatable("datentyp %(datentyp)r is not supported; field left out"),
                datentyp=item.datentyp,
            )
            return None
        return settings(item)

    def yesno_settings(self, item: XdfField) -> dict[str, Any]:
        return self.unused_limits(item, item.limits, {"type": "yesno"})

    def unused_limits(
        self, item: XdfField, limits: dict[str, str], settings: dict[str, Any]
    ) -> dict[str, Any]:
        """``settings``, after reporting the praezisierung entries they could not use."""
        for name, value in limits.items():
            self.note(
                item,
                translatable("praezisierung %(name)s=%(value)r has no meaning here; ignored"),
                name=name,
                value=value,
            )
        return settings

    def text_settings(self, item: XdfField) -> dict[str, Any]:
        limits = dict(item.limits)
        low = _integer(limits.pop("minLength", None))
        high = _integer(limits.pop("maxLength", None))
        settings: dict[str, Any] = {
            "type": "textarea" if high is not None and high > TEXTAREA_FROM else "text"
        }
        if low is not None and low > 0 and (high is None or low <= high):
            settings["min_length"] = low
        if high is not None and high >= 1:
            settings["max_length"] = high
        if (pattern := limits.pop("pattern", None)) is not None:
            settings.update(self.pattern(item, pattern))
        if item.datentyp == "text_latin":
            self.note(
                item, translatable("text_latin (DIN 91379 characters) is checked as ordinary text")
            )
        return self.unused_limits(item, limits, settings)

    def pattern(self, item: XdfField, pattern: str) -> dict[str, Any]:
        try:
            re.compile(pattern)
        except re.error as error:
            self.unsupported(
                item,
                translatable(
                    "pattern %(pattern)r is not a Python regular expression (%(error)s); dropped"
                ),
                pattern=pattern,
                error=error,
            )
            return {}
        return {"pattern": pattern}

    def date_settings(self, item: XdfField) -> dict[str, Any]:
        limits = dict(item.limits)
        settings: dict[str, Any] = {"type": "date"}
        for xdf_name, name in (("minValue", "min"), ("maxValue", "max")):
            value = limits.pop(xdf_name, None)
            if value is not None and _ISO_DATE.match(value):
                settings[name] = value
            elif value is not None:
                self.note(
                    item,
                    translatable("%(limit)s %(value)r is not an ISO date; ignored"),
                    limit=xdf_name,
                    value=value,
                )
        if settings.get("min", "") > settings.get("max", "9999"):
            self.note(item, translatable("minValue is after maxValue; both ignored"))
            settings = {"type": "date"}
        return self.unused_limits(item, limits, settings)

    def number_settings(self, item: XdfField) -> dict[str, Any]:
        limits = dict(item.limits)
        kind = "integer" if item.datentyp == "num_int" else "number"
        settings: dict[str, Any] = {"type": kind}
        if item.datentyp == "num_currency":
            settings["unit"] = "EUR"
        for xdf_name, name in (("minValue", "min"), ("maxValue", "max")):
            if (value := limits.pop(xdf_name, None)) is None:
                continue
            number = _number(value, integer=kind == "integer")
            if number is None:
                self.note(item, _NOT_A_NUMBER[kind], limit=xdf_name, value=value)
            else:
                settings[name] = number
        if "min" in settings and "max" in settings and settings["min"] > settings["max"]:
            self.note(item, translatable("minValue is greater than maxValue; both ignored"))
            del settings["min"], settings["max"]
        return self.unused_limits(item, limits, settings)

    def file_settings(self, item: XdfField) -> dict[str, Any]:
        accept = [media for media in item.media_types if _MEDIA_TYPE.match(media)]
        if not accept:
            accept = FILE_ACCEPT
            self.note(
                item,
                translatable("no media types given; accepting %(types)s"),
                types=", ".join(FILE_ACCEPT),
            )
        self.note(
            item,
            _FILE_SIZE_SET[bool(item.max_size)],
            megabytes=FILE_MAX_SIZE // 1_000_000,
            given=item.max_size,
        )
        settings = {
            "type": "file",
            "accept": list(dict.fromkeys(accept)),
            "max_size": FILE_MAX_SIZE,
        }
        return self.unused_limits(item, item.limits, settings)

    def time_settings(self, item: XdfField) -> dict[str, Any]:
        if item.datentyp == "time":
            self.unsupported(
                item, translatable("datentyp time imported as a text field checked for HH:MM")
            )
            return {
                "type": "text",
                "max_length": 5,
                "pattern": _TIME_PATTERN,
                "pattern_message": {
                    "de": "Bitte geben Sie eine Uhrzeit wie 08:30 an.",
                    "en": "Please enter a time like 08:30.",
                },
            }
        self.unsupported(item, translatable("datentyp datetime imported as a plain text field"))
        return {"type": "text", "max_length": 40}

    def select_settings(self, item: XdfField) -> dict[str, Any] | None:
        if item.values:
            return {"type": "select", "options": self.options(item)}
        if item.datentyp == "bool":
            return {"type": "yesno"}
        self.unsupported(item, _SELECT_WITHOUT_VALUES[bool(item.codelist)], codelist=item.codelist)
        return {"type": "text", "max_length": 200}

    def options(self, item: XdfField) -> list[dict[str, Any]]:
        options: list[dict[str, Any]] = []
        seen: set[str] = set()
        for code, name in item.values:
            value = _OPTION.sub("_", code)[:64] or f"wert_{len(options) + 1}"
            if value in seen:
                self.note(item, translatable("duplicate value %(code)r left out"), code=code)
                continue
            if value != code:
                self.note(
                    item, translatable("value %(code)r stored as %(value)r"), code=code, value=value
                )
            seen.add(value)
            options.append({"value": value, "label": self.text(name or code)})
        return options

    def label_settings(self, item: XdfField) -> dict[str, Any] | None:
        text = item.content or item.help or item.label
        return {"type": "info", "text": self.text(text)}

    def locked_settings(self, item: XdfField) -> dict[str, Any] | None:
        if not item.content:
            self.unsupported(item, translatable("locked field without a value left out"))
            return None
        self.unsupported(
            item, translatable("locked field imported as an information text showing its value")
        )
        return {"type": "info", "text": self.text(f"{item.label}: {item.content}")}


def _integer(text: str | None) -> int | None:
    number = _number(text, integer=True) if text is not None else None
    return int(number) if number is not None else None


def _number(text: str, *, integer: bool) -> int | float | None:
    try:
        value = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        return None
    if not value.is_finite():
        return None
    if integer:
        return int(value) if value == value.to_integral_value() else None
    return int(value) if value == value.to_integral_value() else float(value)
