"""Conditions: algebraic laws and agreement with a plain reference interpreter."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from amtsweg.formdefs.engine.conditions import parse_condition

CHOICES = ["x", "y", "z"]

LEAVES = st.one_of(
    st.builds(
        lambda op: {"field": "flag", "op": op},
        st.sampled_from(["is_true", "is_false", "answered", "not_answered"]),
    ),
    st.builds(
        lambda op, value: {"field": "count", "op": op, "value": value},
        st.sampled_from(["equals", "not_equals", "gt", "ge", "lt", "le"]),
        st.integers(-3, 3),
    ),
    st.builds(
        lambda op, value: {"field": "choice", "op": op, "value": value},
        st.sampled_from(["equals", "not_equals"]),
        st.sampled_from(CHOICES),
    ),
    st.builds(
        lambda op, values: {"field": "choice", "op": op, "value": values},
        st.sampled_from(["in", "not_in"]),
        st.lists(st.sampled_from(CHOICES), max_size=3),
    ),
    st.builds(
        lambda value: {"field": "tags", "op": "contains", "value": value}, st.sampled_from(CHOICES)
    ),
    st.builds(
        lambda op, value: {"field": "items", "op": op, "value": value},
        st.sampled_from(["count_gt", "count_ge", "count_lt", "count_le", "count_eq"]),
        st.integers(0, 3),
    ),
    st.builds(lambda value: {"field": "items.size", "op": "ge", "value": value}, st.integers(0, 5)),
)
CONDITIONS = st.recursive(
    LEAVES,
    lambda inner: st.one_of(
        st.builds(lambda parts: {"all": parts}, st.lists(inner, max_size=3)),
        st.builds(lambda parts: {"any": parts}, st.lists(inner, max_size=3)),
        st.builds(lambda part: {"not": part}, inner),
    ),
    max_leaves=8,
)
ANSWERS = st.fixed_dictionaries(
    {},
    optional={
        "flag": st.booleans(),
        "count": st.integers(-3, 3),
        "choice": st.sampled_from(CHOICES),
        "tags": st.lists(st.sampled_from(CHOICES), unique=True),
        "items": st.lists(st.fixed_dictionaries({"size": st.integers(0, 5)}), max_size=4),
    },
)
ITEM = st.none() | st.fixed_dictionaries({}, optional={"size": st.integers(0, 5)})

COMPARE = {
    "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
    "eq": lambda a, b: a == b,
}


def reference(
    condition: dict[str, Any], answers: dict[str, Any], item: dict[str, Any] | None
) -> bool:
    """The documented semantics, written as plainly as possible."""
    if "all" in condition:
        return all(reference(part, answers, item) for part in condition["all"])
    if "any" in condition:
        return any(reference(part, answers, item) for part in condition["any"])
    if "not" in condition:
        return not reference(condition["not"], answers, item)
    return reference_leaf(condition, answers, item)


def reference_leaf(
    leaf: dict[str, Any], answers: dict[str, Any], item: dict[str, Any] | None
) -> bool:
    group, _, name = leaf["field"].rpartition(".")
    value = (item or {}).get(name) if group else answers.get(name)
    op, expected = leaf["op"], leaf.get("value")
    if op.startswith("not_"):
        return not reference_leaf({**leaf, "op": op.removeprefix("not_")}, answers, item)
    if op.startswith("count_"):
        return COMPARE[op.removeprefix("count_")](len(value or []), expected)
    tests = {
        "is_true": lambda: value is True,
        "is_false": lambda: value is False,
        "answered": lambda: True,
        "equals": lambda: value == expected,
        "in": lambda: value in expected,
        "contains": lambda: expected in value,
    }
    return value is not None and tests.get(op, lambda: COMPARE[op](value, expected))()


@given(CONDITIONS, ANSWERS, ITEM)
def test_conditions_agree_with_the_reference_interpreter(
    condition: dict, answers: dict, item: dict | None
) -> None:
    assert parse_condition(condition).holds(answers, item) == reference(condition, answers, item)


@given(CONDITIONS, ANSWERS)
def test_double_negation_changes_nothing(condition: dict, answers: dict) -> None:
    assert parse_condition({"not": {"not": condition}}).holds(answers) == parse_condition(
        condition
    ).holds(answers)


@given(st.lists(CONDITIONS, max_size=4), ANSWERS)
def test_de_morgan(conditions: list, answers: dict) -> None:
    negated = [{"not": condition} for condition in conditions]

    assert parse_condition({"not": {"all": conditions}}).holds(answers) == parse_condition(
        {"any": negated}
    ).holds(answers)
    assert parse_condition({"not": {"any": conditions}}).holds(answers) == parse_condition(
        {"all": negated}
    ).holds(answers)


@given(ANSWERS)
def test_empty_all_holds_and_empty_any_does_not(answers: dict) -> None:
    assert parse_condition({"all": []}).holds(answers)
    assert not parse_condition({"any": []}).holds(answers)


@given(CONDITIONS, ANSWERS)
def test_a_condition_and_its_negation_never_both_hold(condition: dict, answers: dict) -> None:
    assert parse_condition(condition).holds(answers) != parse_condition({"not": condition}).holds(
        answers
    )


def test_an_unanswered_field_is_not_equal_to_anything() -> None:
    assert not parse_condition({"field": "choice", "op": "equals", "value": "x"}).holds({})
    assert parse_condition({"field": "choice", "op": "not_equals", "value": "x"}).holds({})
    assert not parse_condition({"field": "count", "op": "lt", "value": 5}).holds({})
