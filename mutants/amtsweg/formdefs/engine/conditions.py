"""Conditions over answers: ``show_if``, ``required_if``, rule ``when`` and fee ``condition``.

A condition is JSON: ``{"all": [...]}``, ``{"any": [...]}``, ``{"not": c}`` or a leaf
``{"field": ref, "op": op, "value": v}``.

References: ``"x"`` names the form-level field ``x``; ``"dogs.breed"`` names the
field ``breed`` *of the same item* of the repeating group ``dogs``, and is only
meaningful where an item is in scope (a field inside the group, a cross-field
rule over the group, a ``per_item`` fee rule over the group).

Leaves read *cleaned* answers. A field that is hidden, unanswered or invalid has
no answer, so every leaf except ``not_equals``, ``not_in`` and ``not_answered``
is false for it, and the ``count_*`` leaves count zero items.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

Answers = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class FieldRef:
    group: str | None
    name: str

    @classmethod
    def parse(cls, text: str) -> FieldRef:
        group, _, name = text.rpartition(".")
        return cls(group or None, name)

    def read(self, answers: Answers, item: Answers | None) -> Any:
        source = answers if self.group is None else item
        return None if source is None else source.get(self.name)

    def __str__(self) -> str:
        return self.name if self.group is None else f"{self.group}.{self.name}"


class Condition(Protocol):
    def holds(self, answers: Answers, item: Answers | None = None) -> bool: ...

    def references(self) -> Iterator[FieldRef]: ...


@dataclass(frozen=True, slots=True)
class AllOf:
    conditions: tuple[Condition, ...]

    def holds(self, answers: Answers, item: Answers | None = None) -> bool:
        return all(condition.holds(answers, item) for condition in self.conditions)

    def references(self) -> Iterator[FieldRef]:
        for condition in self.conditions:
            yield from condition.references()


@dataclass(frozen=True, slots=True)
class AnyOf:
    conditions: tuple[Condition, ...]

    def holds(self, answers: Answers, item: Answers | None = None) -> bool:
        return any(condition.holds(answers, item) for condition in self.conditions)

    def references(self) -> Iterator[FieldRef]:
        for condition in self.conditions:
            yield from condition.references()


@dataclass(frozen=True, slots=True)
class Not:
    condition: Condition

    def holds(self, answers: Answers, item: Answers | None = None) -> bool:
        return not self.condition.holds(answers, item)

    def references(self) -> Iterator[FieldRef]:
        return self.condition.references()


def _answered(actual: Any, _expected: Any) -> bool:
    return actual is not None


def _ordered(compare: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    return lambda actual, expected: actual is not None and compare(actual, expected)


def _counted(compare: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    return lambda actual, expected: compare(len(actual or ()), expected)


_POSITIVE_TESTS: Mapping[str, Callable[[Any, Any], bool]] = {
    "equals": lambda actual, expected: actual is not None and actual == expected,
    "in": lambda actual, expected: actual is not None and actual in expected,
    "is_true": lambda actual, _expected: actual is True,
    "is_false": lambda actual, _expected: actual is False,
    "answered": _answered,
    "contains": lambda actual, expected: expected in (actual or ()),
    "gt": _ordered(operator.gt),
    "ge": _ordered(operator.ge),
    "lt": _ordered(operator.lt),
    "le": _ordered(operator.le),
    "count_gt": _counted(operator.gt),
    "count_ge": _counted(operator.ge),
    "count_lt": _counted(operator.lt),
    "count_le": _counted(operator.le),
    "count_eq": _counted(operator.eq),
}
# The negative operators are exact negations, so "not_equals" holds for an unanswered field.
_NEGATIONS = {"not_equals": "equals", "not_in": "in", "not_answered": "answered"}

OPERATORS = frozenset(_POSITIVE_TESTS) | frozenset(_NEGATIONS)
OPERATORS_WITHOUT_VALUE = frozenset({"is_true", "is_false", "answered", "not_answered"})


@dataclass(frozen=True, slots=True)
class Leaf:
    ref: FieldRef
    op: str
    value: Any
    test: Callable[[Any, Any], bool]

    def holds(self, answers: Answers, item: Answers | None = None) -> bool:
        return self.test(self.ref.read(answers, item), self.value)

    def references(self) -> Iterator[FieldRef]:
        yield self.ref


def parse_condition(doc: Mapping[str, Any]) -> Condition:
    """Compile a condition document (already valid against the schema)."""
    if "all" in doc:
        return AllOf(tuple(parse_condition(part) for part in doc["all"]))
    if "any" in doc:
        return AnyOf(tuple(parse_condition(part) for part in doc["any"]))
    if "not" in doc:
        return Not(parse_condition(doc["not"]))
    return _parse_leaf(doc)


def _parse_leaf(doc: Mapping[str, Any]) -> Condition:
    ref = FieldRef.parse(doc["field"])
    op = doc["op"]
    value = doc.get("value")
    if isinstance(value, list):
        value = tuple(value)
    if op in _NEGATIONS:
        positive = _NEGATIONS[op]
        return Not(Leaf(ref, positive, value, _POSITIVE_TESTS[positive]))
    return Leaf(ref, op, value, _POSITIVE_TESTS[op])
