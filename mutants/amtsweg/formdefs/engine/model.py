"""The compiled, immutable form definition.

:func:`compile_definition` checks a definition document and turns it into a
:class:`FormDefinition`: regexes compiled, code lists resolved into options,
conditions parsed, the order in which visibility is decided precomputed. A
compiled definition is never mutated, so one object per published version can
be cached and shared by every request and worker.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from types import MappingProxyType
from typing import Any

from amtsweg.formdefs.engine.checks import Problem, check_definition
from amtsweg.formdefs.engine.conditions import Condition, FieldRef, parse_condition
from amtsweg.formdefs.engine.dependencies import dependency_order, visibility_graph
from amtsweg.formdefs.engine.fees import FeeRule, parse_fee_rule
from amtsweg.formdefs.engine.messages import LocalizedText

_RELATIVE_DATE = re.compile(r"today(?:([+-]\d+)([dwmy]))?")


class DefinitionError(ValueError):
    """A document that cannot be compiled; ``problems`` says why."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__(
            "; ".join(f"{problem.path or '/'}: {problem.message}" for problem in problems)
        )


@dataclass(frozen=True, slots=True)
class DateBound:
    """An absolute date, or ``today`` shifted by a number of days/weeks/months/years."""

    absolute: date | None
    shift: int = 0
    unit: str = "d"

    @classmethod
    def parse(cls, text: str | None) -> DateBound | None:
        if text is None:
            return None
        relative = _RELATIVE_DATE.fullmatch(text)
        if relative is None:
            return cls(date.fromisoformat(text))
        shift, unit = relative.groups()
        return cls(None, int(shift or 0), unit or "d")

    def resolve(self, today: date) -> date:
        if self.absolute is not None:
            return self.absolute
        if self.unit in "dw":
            return today + timedelta(days=self.shift * (7 if self.unit == "w" else 1))
        months = today.year * 12 + today.month - 1 + self.shift * (12 if self.unit == "y" else 1)
        year, month = divmod(months, 12)
        return _clamped_date(year, month + 1, today.day)


def _clamped_date(year: int, month: int, day: int) -> date:
    """The date, or the last day of the month when the month is shorter (29 Feb -> 28 Feb)."""
    while True:
        try:
            return date(year, month, day)
        except ValueError:
            day -= 1


@dataclass(frozen=True, slots=True)
class Option:
    value: str
    label: LocalizedText


@dataclass(frozen=True, slots=True)
class Field:
    """One field; which of the optional settings apply depends on ``kind``."""

    id: str
    kind: str
    label: LocalizedText | None
    help: LocalizedText | None = None
    text: LocalizedText | None = None
    show_if: Condition | None = None
    required: bool = False
    required_if: Condition | None = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: re.Pattern[str] | None = None
    pattern_message: LocalizedText | None = None
    minimum: float | None = None
    maximum: float | None = None
    unit: str | None = None
    earliest: DateBound | None = None
    latest: DateBound | None = None
    options: tuple[Option, ...] = ()
    option_values: frozenset[str] = frozenset()
    min_selected: int | None = None
    max_selected: int | None = None
    accept: frozenset[str] = frozenset()
    max_size: int | None = None
    max_files: int = 1
    allow_foreign: bool = False
    fields: tuple[Field, ...] = ()
    evaluation_order: tuple[Field, ...] = ()
    min_items: int = 0
    max_items: int | None = None
    item_label: LocalizedText | None = None
    prefill: str | None = None
    prefill_locked: bool = False

    @property
    def has_value(self) -> bool:
        return self.kind != "info"


@dataclass(frozen=True, slots=True)
class Step:
    id: str
    title: LocalizedText
    description: LocalizedText | None
    show_if: Condition | None
    fields: tuple[Field, ...]


@dataclass(frozen=True, slots=True)
class CrossRule:
    id: str
    field: FieldRef
    op: str
    other: FieldRef
    when: Condition | None
    message: LocalizedText


@dataclass(frozen=True, slots=True)
class FormDefinition:
    slug: str
    title: LocalizedText
    description: LocalizedText
    leika_id: str | None
    fim_id: str | None
    trust_level: str
    retention_days: int
    topics: tuple[str, ...]
    processing_time: LocalizedText | None
    privacy_notice: LocalizedText
    declaration: LocalizedText
    steps: tuple[Step, ...]
    rules: tuple[CrossRule, ...]
    fees: tuple[FeeRule, ...]
    fee_collection: str
    """"online": paid in the journey; "by_notice": an estimate, assessed later by notice."""
    evaluation_order: tuple[Field, ...]
    """Form-level fields ordered so that every field comes after those its visibility depends on."""
    step_of: Mapping[str, Step]
    fields_by_id: Mapping[str, Field]

    def step(self, step_id: str) -> Step:
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(f"form {self.slug!r} has no step {step_id!r}")


def compile_definition(doc: Mapping[str, Any]) -> FormDefinition:
    """Check ``doc`` and compile it; raises :class:`DefinitionError` listing every problem."""
    problems = check_definition(doc)
    if problems:
        raise DefinitionError(problems)
    graph = visibility_graph(doc)
    codelists = doc.get("codelists", {})
    steps = tuple(_step(step, graph, codelists) for step in doc["steps"])
    fields_by_id = {field.id: field for step in steps for field in step.fields}
    order = dependency_order(graph, list(fields_by_id))
    text = LocalizedText.parse
    return FormDefinition(
        slug=doc["slug"],
        title=text(doc["title"]),
        description=text(doc["description"]),
        leika_id=doc.get("leika_id"),
        fim_id=doc.get("fim_id"),
        trust_level=doc["trust_level"],
        retention_days=doc["retention_days"],
        topics=tuple(doc.get("topics", ())),
        processing_time=text(doc.get("processing_time")),
        privacy_notice=text(doc["privacy_notice"]),
        declaration=text(doc["declaration"]),
        steps=steps,
        rules=tuple(_cross_rule(rule) for rule in doc.get("rules", ())),
        fees=tuple(parse_fee_rule(fee, fields_by_id) for fee in doc.get("fees", ())),
        fee_collection=doc.get("fee_collection", "online"),
        evaluation_order=tuple(fields_by_id[field_id] for field_id in order),
        step_of=MappingProxyType({field.id: step for step in steps for field in step.fields}),
        fields_by_id=MappingProxyType(fields_by_id),
    )


def _options(doc: Mapping[str, Any], codelists: Mapping[str, Any]) -> tuple[Option, ...]:
    raw = doc.get("options") or codelists.get(doc.get("codelist"), ())
    return tuple(Option(option["value"], LocalizedText(**option["label"])) for option in raw)


def _step(
    doc: Mapping[str, Any], graph: Mapping[str, tuple[str, ...]], codelists: Mapping[str, Any]
) -> Step:
    return Step(
        id=doc["id"],
        title=LocalizedText(**doc["title"]),
        description=LocalizedText.parse(doc.get("description")),
        show_if=_condition(doc.get("show_if")),
        fields=tuple(_field(field, graph, codelists) for field in doc["fields"]),
    )


def _condition(doc: Mapping[str, Any] | None) -> Condition | None:
    return None if doc is None else parse_condition(doc)


def _field(
    doc: Mapping[str, Any], graph: Mapping[str, tuple[str, ...]], codelists: Mapping[str, Any]
) -> Field:
    children = tuple(_field(child, graph, codelists) for child in doc.get("fields", ()))
    child_order = dependency_order(graph, [f"{doc['id']}.{child.id}" for child in children])
    by_ref = {f"{doc['id']}.{child.id}": child for child in children}
    is_date = doc["type"] == "date"
    field_options = _options(doc, codelists)
    pattern = doc.get("pattern")
    return Field(
        id=doc["id"],
        kind=doc["type"],
        label=LocalizedText.parse(doc.get("label")),
        help=LocalizedText.parse(doc.get("help")),
        text=LocalizedText.parse(doc.get("text")),
        show_if=_condition(doc.get("show_if")),
        required=doc.get("required", False),
        required_if=_condition(doc.get("required_if")),
        min_length=doc.get("min_length"),
        max_length=doc.get("max_length"),
        pattern=None if pattern is None else re.compile(pattern),
        pattern_message=LocalizedText.parse(doc.get("pattern_message")),
        minimum=None if is_date else doc.get("min"),
        maximum=None if is_date else doc.get("max"),
        unit=doc.get("unit"),
        earliest=DateBound.parse(doc.get("min")) if is_date else None,
        latest=DateBound.parse(doc.get("max")) if is_date else None,
        options=field_options,
        option_values=frozenset(option.value for option in field_options),
        min_selected=doc.get("min_selected"),
        max_selected=doc.get("max_selected"),
        accept=frozenset(doc.get("accept", ())),
        max_size=doc.get("max_size"),
        max_files=doc.get("max_files", 1),
        allow_foreign=doc.get("allow_foreign", False),
        fields=children,
        evaluation_order=tuple(by_ref[ref] for ref in child_order),
        min_items=doc.get("min_items", 0),
        max_items=doc.get("max_items"),
        item_label=LocalizedText.parse(doc.get("item_label")),
        prefill=doc.get("prefill"),
        prefill_locked=doc.get("prefill_locked", False),
    )


def _cross_rule(doc: Mapping[str, Any]) -> CrossRule:
    return CrossRule(
        id=doc["id"],
        field=FieldRef.parse(doc["field"]),
        op=doc["op"],
        other=FieldRef.parse(doc["other"]),
        when=_condition(doc.get("when")),
        message=LocalizedText(**doc["message"]),
    )
