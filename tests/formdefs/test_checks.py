"""Definition checks: the catalogue is clean, and each kind of mistake is named at its JSON path."""

from __future__ import annotations

import copy
import json
from importlib import resources
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from amtsweg.formdefs.engine import (
    DefinitionError,
    catalogue_documents,
    check_definition,
    checks,
    compile_definition,
)
from tests.formdefs.builders import document, field, options

CATALOGUE = dict(catalogue_documents())


def problems(doc: dict[str, Any]) -> dict[str, str]:
    return {problem.path: problem.message for problem in check_definition(doc)}


def test_the_catalogue_has_at_least_eight_forms_named_after_their_slug() -> None:
    assert len(CATALOGUE) >= 8
    assert all(name == f"{doc['slug']}.json" for name, doc in CATALOGUE.items())


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_every_catalogue_form_passes_the_checks_and_compiles(name: str) -> None:
    assert check_definition(CATALOGUE[name]) == []
    assert compile_definition(CATALOGUE[name]).slug == CATALOGUE[name]["slug"]


def test_an_unknown_field_type_is_named_at_its_type() -> None:
    doc = document(field("a", "text"), field("b", "colour"))

    assert '"colour" is not one of' in problems(doc)["/steps/0/fields/1/type"]


@pytest.mark.parametrize("amount", [96.0, 30.7, "3070"])
def test_a_fee_amount_that_is_not_integer_cents_is_refused(amount: object) -> None:
    doc = document(
        field("a", "text"),
        fees=[{"id": "f", "type": "fixed", "label": field("", "")["label"], "amount": amount}],
    )

    assert 'is not of type "integer"' in problems(doc)["/fees/0/amount"]
    assert set(problems(doc)) == {"/fees/0/amount"}


def test_a_condition_on_a_missing_field_is_named_at_the_reference() -> None:
    doc = document(
        field("a", "yesno"),
        field(
            "b",
            "text",
            show_if={"all": [{"field": "a", "op": "is_true"}, {"field": "nope", "op": "answered"}]},
        ),
    )

    assert problems(doc) == {"/steps/0/fields/1/show_if/all/1/field": "unknown field 'nope'"}


def test_a_cycle_of_conditions_is_found() -> None:
    doc = document(
        field("a", "yesno", show_if={"field": "b", "op": "is_true"}),
        field("b", "yesno", show_if={"not": {"field": "a", "op": "is_false"}}),
    )

    assert problems(doc) == {
        "/steps/0/fields/0/show_if": "the conditions form a cycle: a -> b -> a"
    }
    with pytest.raises(DefinitionError, match="cycle"):
        compile_definition(doc)


def test_a_field_shown_only_if_it_is_answered_is_a_cycle() -> None:
    doc = document(field("a", "text", show_if={"field": "a", "op": "answered"}))

    assert "cycle: a -> a" in problems(doc)["/steps/0/fields/0/show_if"]


def test_a_by_option_rule_naming_an_unknown_option_is_named_at_the_amount() -> None:
    doc = document(
        field("zone", "select", options=options("a", "b")),
        fees=[
            {
                "id": "f",
                "type": "by_option",
                "field": "zone",
                "label": field("", "")["label"],
                "amounts": {"a": 100, "c": 200},
            }
        ],
    )

    assert problems(doc) == {"/fees/0/amounts/c": "'c' is not an option of 'zone'"}


def test_an_unknown_code_list_is_named() -> None:
    doc = document(field("breed", "select", codelist="breeds"), codelists={"races": options("x")})

    assert problems(doc) == {"/steps/0/fields/0/codelist": "unknown code list 'breeds'"}


def test_a_regex_that_does_not_compile_is_named() -> None:
    doc = document(field("plate", "text", pattern="[A-Z"))

    assert problems(doc)["/steps/0/fields/0/pattern"].startswith(
        "the regular expression does not compile"
    )


def test_duplicate_field_ids_are_named_at_the_second_one() -> None:
    doc = document(field("a", "text"), field("a", "integer"))

    assert problems(doc) == {"/steps/0/fields/1/id": "duplicate field id 'a'"}


def test_an_item_reference_outside_its_group_is_refused() -> None:
    doc = document(
        field("dogs", "group", fields=[field("dangerous", "yesno")]),
        field(
            "permit",
            "file",
            accept=["application/pdf"],
            max_size=1000,
            show_if={"field": "dogs.dangerous", "op": "is_true"},
        ),
    )

    assert "only that group's fields may use it" in problems(doc)["/steps/0/fields/1/show_if/field"]


def test_a_step_may_not_depend_on_its_own_or_later_answers() -> None:
    first = {"id": "one", "title": field("", "")["label"], "fields": [field("a", "yesno")]}
    second = {
        "id": "two",
        "title": first["title"],
        "show_if": {"field": "c", "op": "is_true"},
        "fields": [field("b", "text")],
    }
    third = {"id": "three", "title": first["title"], "fields": [field("c", "yesno")]}

    found = problems(document(steps=[first, second, third]))

    assert found == {"/steps/1/show_if/field": "a step may only depend on fields of earlier steps"}


def test_an_operator_that_does_not_fit_the_field_type_is_named() -> None:
    doc = document(
        field("name", "text"), field("b", "text", show_if={"field": "name", "op": "gt", "value": 3})
    )

    assert problems(doc) == {"/steps/0/fields/1/show_if/op": "'gt' cannot be used on a text field"}


def test_a_condition_value_that_is_no_option_is_named() -> None:
    doc = document(
        field("zone", "radio", options=options("a", "b")),
        field("b", "text", show_if={"field": "zone", "op": "in", "value": ["a", "z"]}),
    )

    assert problems(doc) == {"/steps/0/fields/1/show_if/value": "'z' is not an option of 'zone'"}


def test_an_override_range_upside_down_is_named() -> None:
    label = field("", "")["label"]
    doc = document(
        field("a", "text"),
        fees=[
            {
                "id": "f",
                "type": "fixed",
                "label": label,
                "amount": 1,
                "overridable": True,
                "min": 500,
                "max": 100,
            }
        ],
    )

    assert problems(doc) == {"/fees/0/min": "min is greater than max"}


def test_a_document_that_is_not_an_object_is_a_problem_not_a_crash() -> None:
    assert problems([1, 2]) == {"": "a form definition must be a JSON object"}  # type: ignore[arg-type]


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=10,
)


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix]
    items = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else ()
    )
    for key, child in items:
        found.extend(_paths(child, (*prefix, key)))
    return found


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(sorted(CATALOGUE)), st.data())
def test_checks_report_and_never_raise_for_a_damaged_catalogue_form(
    name: str, data: st.DataObject
) -> None:
    doc = copy.deepcopy(CATALOGUE[name])
    path = data.draw(st.sampled_from(_paths(doc)[1:]))
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = data.draw(JSON)

    found = check_definition(doc)

    assert all(problem.path.startswith("/") or problem.path == "" for problem in found)


def test_every_keyword_of_the_schema_that_can_fail_has_words_to_translate() -> None:
    """A schema error is worded by its keyword: one without words would reach a German
    admin as jsonschema's English."""
    schema = json.loads(
        resources.files("amtsweg.formdefs").joinpath("definition.schema.json").read_text("utf-8")
    )
    annotations = {"$schema", "$id", "$ref", "title", "description"}
    applicators = {"properties", "$defs", "items", "not", "if", "then", "propertyNames"}
    applicators |= {"allOf", "oneOf"}

    def subschemas(key: str, value: Any) -> list[Any]:
        if key in {"properties", "$defs"}:
            return list(value.values())
        return value if key in {"allOf", "oneOf"} else [value]

    def keywords(node: Any) -> set[str]:
        """The keywords of ``node`` and of every subschema in it."""
        found = set(node) if isinstance(node, dict) else set()
        for key in applicators & found:
            for subschema in subschemas(key, node[key]):
                found |= keywords(subschema)
        return found

    can_fail = keywords(schema) - annotations - applicators | {"not", "oneOf"}
    assert can_fail <= set(checks._SCHEMA_TEXTS)
