"""Fees: integer cents, lines that add up, per-item rules, by-option rules and tenant overrides."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from amtsweg.formdefs.engine import (
    FeeOverrideError,
    FormDefinition,
    catalogue_documents,
    check_fee_overrides,
    compile_definition,
    compute_fee,
)
from amtsweg.formdefs.engine.fees import FeeLine
from amtsweg.formdefs.engine.messages import LocalizedText
from tests.formdefs.builders import TEXT, compiled, field, options, run

DOG_TAX = compile_definition(dict(catalogue_documents())["hundesteuer-anmeldung.json"])
STREET_USE = compile_definition(dict(catalogue_documents())["strassensondernutzung.json"])
DOGS = st.lists(st.fixed_dictionaries({"gefaehrlich": st.booleans()}), max_size=12)
OVERRIDES = st.dictionaries(
    st.sampled_from(["erster_hund", "weitere_hunde", "gefaehrlicher_hund"]), st.integers(0, 100_000)
)


def dogs(*kinds: str) -> dict[str, Any]:
    return {"hunde": [{"gefaehrlich": kind == "dangerous"} for kind in kinds]}


@given(DOGS, OVERRIDES)
def test_the_total_is_the_sum_of_non_negative_integer_lines(items: list, overrides: dict) -> None:
    fee = compute_fee(DOG_TAX, {"hunde": items}, overrides)

    assert fee.total == sum(line.amount for line in fee.lines)
    assert all(type(line.amount) is int and line.amount >= 0 for line in fee.lines)
    assert all(line.amount == line.quantity * line.unit_amount for line in fee.lines)


@given(st.integers(0, 30))
def test_a_per_item_fee_is_linear_in_the_matching_items(count: int) -> None:
    definition = compiled(
        field("items", "group", fields=[field("big", "yesno")]),
        fees=[
            {
                "id": "big",
                "type": "per_item",
                "group": "items",
                "amount": 250,
                "label": TEXT,
                "condition": {"field": "items.big", "op": "is_true"},
            }
        ],
    )
    answers = {"items": [{"big": True}] * count + [{"big": False}] * 3}

    assert compute_fee(definition, answers).total == 250 * count


@pytest.mark.parametrize(
    ("answers", "total"),
    [
        (dogs("normal"), 9600),
        (dogs("normal", "normal"), 9600 + 12000),
        (dogs("normal", "normal", "normal"), 9600 + 2 * 12000),
        (dogs("dangerous"), 60000),
        (dogs("dangerous", "normal"), 60000 + 9600),
        (dogs("normal", "dangerous", "normal"), 9600 + 60000 + 12000),
        ({}, 0),
    ],
)
def test_dog_tax_counts_first_dog_further_dogs_and_dangerous_dogs(
    answers: dict, total: int
) -> None:
    assert compute_fee(DOG_TAX, answers).total == total


def test_by_option_charges_each_chosen_option_with_its_label() -> None:
    fee = compute_fee(STREET_USE, {"arten": ["container", "halteverbot"]})

    assert [(line.rule_id, line.option, line.amount) for line in fee.lines] == [
        ("verwaltungsgebuehr", None, 2500),
        ("pauschale", "container", 3000),
        ("pauschale", "halteverbot", 4000),
    ]
    assert fee.lines[1].label.de == "Pauschale: Container oder Mulde"
    assert fee.total == 9500


def test_a_fee_rule_condition_gates_the_rule() -> None:
    definition = compiled(
        field("express", "yesno"),
        fees=[
            {
                "id": "express",
                "type": "fixed",
                "amount": 1500,
                "label": TEXT,
                "condition": {"field": "express", "op": "is_true"},
            }
        ],
    )

    assert run(definition, {"express": "ja"}).fee.total == 1500
    assert run(definition, {"express": "nein"}).fee.total == 0


@given(DOGS, st.integers(0, 100_000))
def test_an_override_within_bounds_replaces_the_unit_amount(items: list, cents: int) -> None:
    plain = compute_fee(DOG_TAX, {"hunde": items})
    overridden = compute_fee(DOG_TAX, {"hunde": items}, {"weitere_hunde": cents})

    further = sum(
        1 for line in plain.lines if line.rule_id == "weitere_hunde" for _ in range(line.quantity)
    )
    assert overridden.total == plain.total + further * (cents - 12000)


@given(st.one_of(st.integers(100_001, 10**9), st.integers(max_value=-1)))
def test_an_override_outside_bounds_is_rejected(cents: int) -> None:
    with pytest.raises(FeeOverrideError) as raised:
        compute_fee(DOG_TAX, dogs("normal"), {"erster_hund": cents})

    assert raised.value.problems[0].code in {"override_too_large", "override_too_small"}


@pytest.mark.parametrize(
    ("overrides", "code", "english"),
    [
        ({"nope": 100}, "override_unknown_rule", "This form has no fee rule 'nope'."),
        ({"erster_hund": 99.5}, "override_not_cents", "must be a whole number of cents"),
        ({"erster_hund": True}, "override_not_cents", "must be a whole number of cents"),
        ({"erster_hund": 100_001}, "override_too_large", "at most 1000.00 EUR"),
    ],
)
def test_invalid_overrides_are_explained(overrides: dict, code: str, english: str) -> None:
    problems = check_fee_overrides(DOG_TAX, overrides)

    assert [problem.code for problem in problems] == [code]
    assert english in problems[0].message("en")


def test_a_rule_not_marked_overridable_cannot_be_overridden() -> None:
    problems = check_fee_overrides(STREET_USE, {"pauschale": 100})

    assert (
        problems[0].message("de")
        == "Die Gebührenregel „pauschale“ darf nicht überschrieben werden."
    )


def test_the_fee_in_an_evaluation_uses_only_shown_answers() -> None:
    definition = compiled(
        field("paid", "yesno"),
        field(
            "zone", "select", options=options("a", "b"), show_if={"field": "paid", "op": "is_true"}
        ),
        fees=[
            {
                "id": "zone",
                "type": "by_option",
                "field": "zone",
                "amounts": {"a": 700, "b": 900},
                "label": TEXT,
            }
        ],
    )

    assert run(definition, {"paid": True, "zone": "b"}).fee.total == 900
    assert run(definition, {"paid": False, "zone": "b"}).fee.total == 0


LABEL = {"de": "Gebühr", "en": "Fee"}


def fixed_fee(**rule: Any) -> FormDefinition:
    """A form with one fixed fee "gebuehr" of 12.50 EUR, compiled in the test itself."""
    return compiled(
        field("name", "text"),
        fees=[{"id": "gebuehr", "type": "fixed", "amount": 1250, "label": LABEL, **rule}],
    )


def test_a_fixed_fee_is_one_line_of_its_amount() -> None:
    fee = compute_fee(fixed_fee(), {"name": "Erika"})

    assert fee.lines == (FeeLine("gebuehr", LocalizedText("Gebühr", "Fee"), 1, 1250, 1250),)
    assert (fee.total, fee.currency) == (1250, "EUR")


def test_each_chosen_option_is_one_line_labelled_in_both_languages() -> None:
    definition = compiled(
        field("arten", "checkboxes", options=options("mulde", "geruest")),
        fees=[
            {
                "id": "pauschale",
                "type": "by_option",
                "field": "arten",
                "amounts": {"mulde": 3000, "geruest": 4500},
                "label": LABEL,
            }
        ],
    )

    fee = compute_fee(definition, {"arten": ["geruest"]})

    assert fee.lines == (
        FeeLine(
            "pauschale", LocalizedText("Gebühr: GERUEST", "Fee: Geruest"), 1, 4500, 4500, "geruest"
        ),
    )


@pytest.mark.parametrize(("count", "charged"), [(0, 0), (1, 0), (2, 1), (3, 2), (4, 2), (9, 2)])
def test_a_per_item_fee_counts_only_the_items_from_and_to_its_bounds(
    count: int, charged: int
) -> None:
    definition = compiled(
        field("hunde", "group", fields=[field("name", "text")]),
        fees=[
            {
                "id": "weitere",
                "type": "per_item",
                "group": "hunde",
                "amount": 12000,
                "label": LABEL,
                "from_item": 2,
                "to_item": 3,
            }
        ],
    )

    fee = compute_fee(definition, {"hunde": [{"name": "Bello"}] * count})

    assert fee.total == 12000 * charged
    assert [(line.label.de, line.quantity, line.unit_amount) for line in fee.lines] == (
        [("Gebühr", charged, 12000)] if charged else []
    )


def test_a_per_item_condition_may_ask_a_question_of_the_whole_form() -> None:
    definition = compiled(
        field("ermaessigt", "yesno"),
        field("hunde", "group", fields=[field("name", "text")]),
        fees=[
            {
                "id": "je_hund",
                "type": "per_item",
                "group": "hunde",
                "amount": 9600,
                "label": LABEL,
                "condition": {"field": "ermaessigt", "op": "is_false"},
            }
        ],
    )
    two_dogs = [{"name": "Bello"}, {"name": "Rex"}]

    assert compute_fee(definition, {"ermaessigt": False, "hunde": two_dogs}).total == 19200
    assert compute_fee(definition, {"ermaessigt": True, "hunde": two_dogs}).total == 0


@pytest.mark.parametrize("cents", [500, 501, 1999, 2000])
def test_an_override_on_its_bounds_is_taken(cents: int) -> None:
    definition = fixed_fee(overridable=True, min=500, max=2000)

    assert check_fee_overrides(definition, {"gebuehr": cents}) == []
    assert compute_fee(definition, {}, {"gebuehr": cents}).lines[0].unit_amount == cents


@pytest.mark.parametrize(
    ("rule", "cents", "code", "english"),
    [
        ({"min": 500, "max": 2000}, 499, "override_too_small", "at least 5.00 EUR"),
        ({"max": 2000}, -1, "override_too_small", "at least 0.00 EUR"),
        ({"min": 500, "max": 2000}, 2001, "override_too_large", "at most 20.00 EUR"),
        ({"min": 500}, "7,50", "override_not_cents", "a whole number of cents"),
    ],
)
def test_an_override_beyond_its_bounds_names_its_rule_and_the_bound(
    rule: dict, cents: object, code: str, english: str
) -> None:
    problems = check_fee_overrides(fixed_fee(overridable=True, **rule), {"gebuehr": cents})

    assert [(problem.rule_id, problem.code) for problem in problems] == [("gebuehr", code)]
    assert english in problems[0].message("en")


def test_a_rule_is_not_overridable_unless_its_definition_says_so() -> None:
    problems = check_fee_overrides(fixed_fee(), {"gebuehr": 1000})

    assert [problem.code for problem in problems] == ["override_not_allowed"]


def test_a_refused_override_is_explained_in_german_unless_asked_otherwise() -> None:
    with pytest.raises(FeeOverrideError) as raised:
        compute_fee(fixed_fee(overridable=True, max=2000), {}, {"gebuehr": 2001, "nope": 1})

    assert raised.value.problems[0].message() == (
        "Der Betrag für „gebuehr“ darf höchstens 20,00 EUR betragen."
    )
    assert str(raised.value) == (
        "The amount for 'gebuehr' must be at most 20.00 EUR.; This form has no fee rule 'nope'."
    )
