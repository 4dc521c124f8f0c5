"""Answers as a person reads them: one model for the summary page, the receipt and the email."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from babel.dates import format_date
from babel.numbers import format_decimal

from amtsweg.formdefs.engine import Field
from amtsweg.formdefs.engine import FormDefinition as CompiledDefinition
from amtsweg.submissions.receipts import Answer, Fee, FeeItem, FeeKind, Section, address_lines

SILENT_KINDS = frozenset({"info", "declaration"})


def _option_label(field: Field, value: Any, locale: str) -> str:
    for option in field.options:
        if option.value == value:
            return option.label.get(locale)
    return str(value)


def _number(field: Field, value: float, locale: str) -> str:
    """``12,5 m²`` in German, ``12.5 m²`` in English."""
    text = format_decimal(value, locale=locale)
    return f"{text} {field.unit}" if field.unit else text


def _date(value: str, locale: str) -> str:
    return format_date(dt.date.fromisoformat(value), format="long", locale=locale)


_DISPLAY: Mapping[str, Callable[[Field, Any, str], str | Sequence[str]]] = {
    "select": _option_label,
    "radio": _option_label,
    "checkboxes": lambda field, value, locale: tuple(
        _option_label(field, item, locale) for item in value
    ),
    "address": lambda _field, value, _locale: address_lines(value),
    "file": lambda _field, value, _locale: tuple(upload["name"] for upload in value),
    "date": lambda _field, value, locale: _date(value, locale),
    "number": _number,
    "integer": _number,
}


def display_value(field: Field, value: Any, locale: str) -> str | bool | Sequence[str]:
    """One cleaned answer as text (``bool`` for yes/no, lines for addresses and lists)."""
    if (show := _DISPLAY.get(field.kind)) is not None:
        return show(field, value, locale)
    return value if isinstance(value, bool) else str(value)


def _answer(field: Field, value: Any, locale: str) -> Answer:
    label = field.label.get(locale) if field.label else field.id
    if field.kind == "group":
        items = tuple(
            tuple(
                _answer(child, item[child.id], locale)
                for child in field.fields
                if child.id in item and child.kind not in SILENT_KINDS
            )
            for item in value
        )
        return Answer(label, items=items)
    if field.kind == "email":
        return Answer(label, value, link=f"mailto:{value}")
    return Answer(label, display_value(field, value, locale))


def answer_sections(
    definition: CompiledDefinition, cleaned: Mapping[str, Any], locale: str
) -> list[tuple[str, Section]]:
    """(step id, section) for every step with answers, from *cleaned* answers.

    Cleaned answers hold only shown, valid fields, so a submission is printed
    exactly as it was accepted, without evaluating it again.
    """
    sections = []
    for step in definition.steps:
        answers = tuple(
            _answer(field, cleaned[field.id], locale)
            for field in step.fields
            if field.id in cleaned and field.kind not in SILENT_KINDS
        )
        if answers:
            sections.append((step.id, Section(step.title.get(locale), answers)))
    return sections


def fee_of(fee_document: Mapping[str, Any], locale: str) -> Fee:
    """A stored fee (see ``Submission.fee``) for the receipt and pages."""
    if fee_document.get("collection") == "by_notice":
        kind = FeeKind.BY_NOTICE
    else:
        kind = FeeKind.DUE if fee_document["total"] else FeeKind.FREE
    items = tuple(
        FeeItem(line["label"][locale], line["amount"], line["quantity"])
        for line in fee_document["lines"]
    )
    return Fee(kind=kind, items=items, total=fee_document["total"])


def uploaded_names(definition: CompiledDefinition, answers: Mapping[str, Any]) -> tuple[str, ...]:
    """Display names of every uploaded file, in form order."""
    names: list[str] = []
    for field in definition.fields_by_id.values():
        if field.kind == "file" and field.id in answers:
            names += [upload["name"] for upload in answers[field.id]]
    return tuple(names)


def error_step(definition: CompiledDefinition, path: str) -> str | None:
    """The step where the answer at ``path`` (``hunde[1].rasse``) is given."""
    field_id = re.split(r"[.\[]", path, maxsplit=1)[0]
    step = definition.step_of.get(field_id)
    return step.id if step else None


def documents_needed(definition: CompiledDefinition, locale: str) -> list[tuple[str, bool]]:
    """(label, only sometimes) of every document a citizen may have to upload.

    "Only sometimes" when the upload is optional or asked for only after
    certain answers, so the start page can say what to have at hand.
    """

    def walk(fields: Iterable[Field], *, inside_condition: bool) -> Iterator[tuple[str, bool]]:
        for field in fields:
            conditional = inside_condition or field.show_if is not None
            if field.kind == "file" and field.label:
                yield field.label.get(locale), conditional or not field.required
            elif field.kind == "group":
                yield from walk(field.fields, inside_condition=conditional)

    fields = (field for step in definition.steps for field in step.fields)
    return list(walk(fields, inside_condition=False))
