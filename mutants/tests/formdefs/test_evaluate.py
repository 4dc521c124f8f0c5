"""Evaluating answers: what is shown, what is kept, what is wrong, step by step."""

from __future__ import annotations

from amtsweg.formdefs.engine import catalogue_documents, compile_definition, prefill, validate_step
from tests.formdefs.builders import TEXT, TODAY, compiled, document, errors, field, options, run

CATALOGUE = {doc["slug"]: compile_definition(doc) for _name, doc in catalogue_documents()}
REGISTERED = ["gmbh", "ug"]


def company_form() -> object:
    return compiled(
        field("legal_form", "select", options=options("sole", "gmbh", "ug"), required=True),
        field(
            "court",
            "text",
            required=True,
            show_if={"field": "legal_form", "op": "in", "value": REGISTERED},
        ),
        field("number", "text", pattern="HRB [0-9]+", show_if={"field": "court", "op": "answered"}),
    )


def test_a_hidden_field_is_not_validated_and_its_answer_is_dropped() -> None:
    evaluation = run(company_form(), {"legal_form": "sole", "court": "", "number": "garbage"})

    assert evaluation.errors == ()
    assert evaluation.cleaned == {"legal_form": "sole"}
    assert evaluation.hidden == {"court", "number"}
    assert evaluation.visible_fields == {"main": ("legal_form",)}


def test_a_shown_field_is_validated() -> None:
    evaluation = run(company_form(), {"legal_form": "gmbh", "court": "", "number": "garbage"})

    assert errors(evaluation) == {"court": "required"}
    assert "number" in evaluation.hidden  # it depends on court, which has no valid answer


def test_visibility_follows_dependencies_not_form_order() -> None:
    definition = compiled(
        field("late", "text", show_if={"field": "trigger", "op": "is_true"}),
        field("trigger", "yesno"),
    )

    assert run(definition, {"trigger": "ja", "late": "x"}).cleaned == {"late": "x", "trigger": True}
    assert run(definition, {"trigger": "nein", "late": "x"}).cleaned == {"trigger": False}


def test_conditions_inside_a_group_read_the_same_item() -> None:
    definition = CATALOGUE["hundesteuer-anmeldung"]
    answers = {
        "hunde": [{"rasse": "sonstige"}, {"rasse": "dackel", "rasse_sonstige": "Dackel-Mix"}]
    }

    evaluation = run(definition, answers)

    assert "hunde[0].rasse_sonstige" not in evaluation.hidden
    assert "hunde[1].rasse_sonstige" in evaluation.hidden
    assert errors(evaluation)["hunde[0].rasse_sonstige"] == "required"
    assert "rasse_sonstige" not in evaluation.cleaned["hunde"][1]


def test_required_if_is_checked_against_the_final_answers() -> None:
    definition = compiled(
        field(
            "reason", "textarea", required_if={"field": "kind", "op": "equals", "value": "other"}
        ),
        field("kind", "radio", options=options("sick", "other")),
    )

    assert errors(run(definition, {"kind": "other"})) == {"reason": "required"}
    assert errors(run(definition, {"kind": "sick"})) == {}


def test_a_cross_field_rule_reports_at_its_field_with_its_message() -> None:
    definition = CATALOGUE["veranstaltung-anzeige"]
    answers = {"beginn": "2025-08-10", "ende": "2025-08-09"}

    evaluation = run(definition, answers, locale="en")

    ende = next(error for error in evaluation.errors if error.path == "ende")
    assert (ende.code, ende.message) == (
        "compare",
        "The last day must not be before the first day.",
    )
    assert "ende" not in errors(run(definition, {**answers, "ende": "2025-08-10"}))


def test_a_cross_field_rule_over_a_group_is_checked_per_item() -> None:
    definition = CATALOGUE["hundesteuer-anmeldung"]
    answers = {
        "hunde": [
            {"geburtsdatum": "2025-01-01", "gehalten_seit": "2025-02-01"},
            {"geburtsdatum": "2025-05-01", "gehalten_seit": "2025-04-01"},
        ]
    }

    found = errors(run(definition, answers))

    assert found.get("hunde[1].gehalten_seit") == "compare"
    assert "hunde[0].gehalten_seit" not in found


def test_a_hidden_step_hides_all_its_fields() -> None:
    steps = [
        {"id": "start", "title": TEXT, "fields": [field("has_dog", "yesno", required=True)]},
        {
            "id": "dog",
            "title": TEXT,
            "show_if": {"field": "has_dog", "op": "is_true"},
            "fields": [field("name", "text", required=True)],
        },
    ]
    definition = compile_definition(document(steps=steps))

    without_dog = run(definition, {"has_dog": "nein", "name": "Bello"})

    assert without_dog.visible_steps == ("start",)
    assert without_dog.cleaned == {"has_dog": False}
    assert without_dog.errors == ()
    assert run(definition, {"has_dog": "ja"}).visible_steps == ("start", "dog")


def test_validate_step_reports_only_that_steps_errors() -> None:
    definition = CATALOGUE["gewerbeanmeldung"]

    evaluation = validate_step(definition, {"rechtsform": "gmbh"}, "betrieb", today=TODAY)

    assert set(errors(evaluation)) == {
        "firmenname",
        "registergericht",
        "registernummer",
        "betriebsstaette",
        "betrieb_art",
        "anlass",
    }


def test_every_catalogue_form_lists_missing_answers_and_computes_a_fee() -> None:
    for definition in CATALOGUE.values():
        evaluation = run(definition, {})

        assert not evaluation.ok, definition.slug
        assert all(error.message for error in evaluation.errors)
        assert evaluation.fee.total >= 0


def test_prefill_fills_blanks_and_locks_locked_fields() -> None:
    definition = CATALOGUE["gewerbeanmeldung"]
    claims = {
        "given_name": "Erika",
        "family_name": "Mustermann",
        "birthdate": "1964-08-12",
        "email": "erika@example.org",
        "address": {
            "street_address": "Heidestraße 17 a",
            "postal_code": "51147",
            "locality": "Köln",
            "country": "Deutschland",
        },
    }

    answers = prefill(definition, claims, {"familienname": "Forged", "email": "own@example.org"})

    assert answers["familienname"] == "Mustermann"  # locked: the claim wins
    assert answers["email"] == "own@example.org"  # not locked: the citizen's answer stays
    assert answers["wohnanschrift"] == {
        "street": "Heidestraße",
        "house_number": "17 a",
        "zip": "51147",
        "city": "Köln",
        "country": "DE",
    }
    assert run(definition, answers).cleaned["geburtsdatum"] == "1964-08-12"


def test_prefill_ignores_a_partial_birthdate() -> None:
    definition = CATALOGUE["gewerbeanmeldung"]

    assert "geburtsdatum" not in prefill(definition, {"birthdate": "0000-08-12"})
