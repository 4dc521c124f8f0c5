"""What a citizen sees for bad input in each field type, in German and English."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from amtsweg.formdefs.engine import evaluate
from tests.formdefs.builders import compiled, errors, field, options, run

PDF = {"name": "schein.pdf", "mime": "application/pdf", "size": 120_000, "token": "t1"}
UPLOAD = {"accept": ["application/pdf", "image/png"], "max_size": 2_500_000, "max_files": 2}
GOOD_ADDRESS = {"street": "Hauptstraße", "house_number": "12a", "zip": "10115", "city": "Berlin"}

BAD_INPUT = [
    # (field, answer, error path, code, German text, English text)
    (field("x", "text"), 42, "x", "type", "ungültiges Format", "invalid format"),
    (
        field("x", "text", max_length=5),
        "Müller-Lüdenscheidt",
        "x",
        "too_long",
        "höchstens 5 Zeichen",
        "at most 5 characters",
    ),
    (
        field("x", "textarea", min_length=10),
        "kurz",
        "x",
        "too_short",
        "mindestens 10 Zeichen",
        "at least 10 characters",
    ),
    (
        field(
            "x",
            "text",
            pattern="[A-Z]{2}",
            pattern_message={"de": "Zwei Großbuchstaben.", "en": "Two capitals."},
        ),
        "ab",
        "x",
        "pattern",
        "Zwei Großbuchstaben.",
        "Two capitals.",
    ),
    (field("x", "number"), "zwölf", "x", "not_a_number", "eine Zahl", "a number"),
    (field("x", "number", max=5), "5,5", "x", "too_large", "höchstens 5 sein", "at most 5."),
    (field("x", "integer"), "3.5", "x", "not_an_integer", "ganze Zahl", "whole number"),
    (field("x", "integer", min=1), 0, "x", "too_small", "mindestens 1 sein", "at least 1."),
    (field("x", "integer"), True, "x", "not_an_integer", "ganze Zahl", "whole number"),
    (field("x", "date"), "31.02.2025", "x", "date_format", "gültiges Datum", "valid date"),
    (field("x", "date"), "gestern", "x", "date_format", "gültiges Datum", "valid date"),
    (
        field("x", "date", max="today-18y"),
        "2010-01-01",
        "x",
        "date_too_late",
        "nach dem 15.06.2007",
        "after 2007-06-15",
    ),
    (
        field("x", "date", min="2025-07-01"),
        "2025-06-30",
        "x",
        "date_too_early",
        "vor dem 01.07.2025",
        "before 2025-07-01",
    ),
    (field("x", "email"), "erika.mustermann@", "x", "email", "E-Mail-Adresse", "email address"),
    (
        field("x", "email"),
        "erika mustermann@example.org",
        "x",
        "email",
        "E-Mail-Adresse",
        "email address",
    ),
    (field("x", "phone"), "0176 abc", "x", "phone", "Telefonnummer", "phone number"),
    (
        field("x", "address"),
        {**GOOD_ADDRESS, "zip": "1011"},
        "x.zip",
        "zip",
        "fünf Ziffern",
        "five digits",
    ),
    (
        field("x", "address"),
        {**GOOD_ADDRESS, "zip": "D-10115"},
        "x.zip",
        "zip",
        "fünf Ziffern",
        "five digits",
    ),
    (
        field("x", "address"),
        {**GOOD_ADDRESS, "city": ""},
        "x.city",
        "required",
        "füllen Sie",
        "fill in",
    ),
    (
        field("x", "address"),
        {**GOOD_ADDRESS, "house_number": "zwölf"},
        "x.house_number",
        "house_number",
        "Hausnummer",
        "house number",
    ),
    (
        field("x", "address"),
        {**GOOD_ADDRESS, "country": "AT"},
        "x.country",
        "country",
        "Deutschland",
        "Germany",
    ),
    (
        field("x", "address"),
        "Hauptstraße 12, 10115 Berlin",
        "x",
        "type",
        "ungültiges Format",
        "invalid format",
    ),
    (
        field("x", "iban"),
        "DE89 3704 0044 0532 0130 01",
        "x",
        "iban_checksum",
        "Prüfziffer",
        "check digits",
    ),
    (field("x", "iban"), "DE89 3704", "x", "iban_format", "keine gültige IBAN", "not a valid IBAN"),
    (
        field("x", "select", options=options("a", "b")),
        "c",
        "x",
        "not_an_option",
        "angebotenen",
        "options offered",
    ),
    (
        field("x", "radio", options=options("a", "b")),
        ["a"],
        "x",
        "not_an_option",
        "angebotenen",
        "options offered",
    ),
    (
        field("x", "checkboxes", options=options("a", "b", "c"), max_selected=2),
        ["a", "b", "c"],
        "x",
        "too_many_selected",
        "höchstens 2",
        "at most 2",
    ),
    (
        field("x", "checkboxes", options=options("a", "b")),
        ["a", "z"],
        "x",
        "not_an_option",
        "angebotenen",
        "options offered",
    ),
    (field("x", "yesno"), "vielleicht", "x", "yesno", "Ja oder Nein", "yes or no"),
    (field("x", "declaration"), "no", "x", "declaration", "bestätigen", "confirm"),
    (
        field("x", "file", **UPLOAD),
        [{**PDF, "mime": "application/zip"}],
        "x[0]",
        "file_type",
        "application/zip",
        "application/zip",
    ),
    (
        field("x", "file", **UPLOAD),
        [{**PDF, "size": 3_000_000}],
        "x[0]",
        "file_too_large",
        "2,5 MB",
        "2.5 MB",
    ),
    (
        field("x", "file", **UPLOAD),
        [PDF, PDF, PDF],
        "x",
        "too_many_files",
        "höchstens 2 Dateien",
        "at most 2 files",
    ),
    (
        field("x", "file", **UPLOAD),
        [{"name": "a.pdf", "mime": "application/pdf"}],
        "x[0]",
        "file_metadata",
        "unvollständig",
        "incomplete",
    ),
    (
        field("x", "group", fields=[field("n", "text")], min_items=2),
        [{"n": "a"}],
        "x",
        "too_few_items",
        "mindestens 2 Einträge",
        "at least 2 entries",
    ),
    (
        field("x", "group", fields=[field("n", "text")], max_items=1),
        [{"n": "a"}, {"n": "b"}],
        "x",
        "too_many_items",
        "höchstens 1 Einträge",
        "at most 1 entries",
    ),
    (
        field("x", "group", fields=[field("n", "integer")]),
        [{"n": "x"}],
        "x[0].n",
        "not_an_integer",
        "ganze Zahl",
        "whole number",
    ),
]


@pytest.mark.parametrize(
    ("spec", "answer", "path", "code", "texts"),
    [(spec, answer, path, code, texts) for spec, answer, path, code, *texts in BAD_INPUT],
)
def test_bad_input_is_reported_at_its_path_in_both_languages(
    spec: dict[str, Any], answer: Any, path: str, code: str, texts: list[str]
) -> None:
    german, english = texts
    definition = compiled(spec)

    in_german = run(definition, {"x": answer}, locale="de")
    in_english = run(definition, {"x": answer}, locale="en")

    assert errors(in_german).get(path) == code
    assert german in next(error.message for error in in_german.errors if error.path == path)
    assert english in next(error.message for error in in_english.errors if error.path == path)
    if spec["type"] != "group":  # a group keeps its valid items, so counts and fees still work
        assert "x" not in in_german.cleaned


GOOD_INPUT = [
    (field("x", "text"), "  Erika  ", "Erika"),
    (field("x", "number"), "2,5", 2.5),
    (field("x", "number"), "3", 3),
    (field("x", "integer"), " 42 ", 42),
    (field("x", "date", max="today"), "24.12.2024", "2024-12-24"),
    (field("x", "email"), "Erika@Example.ORG", "Erika@example.org"),
    (field("x", "phone"), "+49 (0) 30 / 123 456-7", "+49301234567"),
    (field("x", "address"), {**GOOD_ADDRESS, "zip": " 10115 "}, {**GOOD_ADDRESS, "country": "DE"}),
    (
        field("x", "address", allow_foreign=True),
        {**GOOD_ADDRESS, "zip": "1010", "country": "at"},
        {**GOOD_ADDRESS, "zip": "1010", "country": "AT"},
    ),
    (field("x", "iban"), "de89 3704 0044 0532 0130 00", "DE89370400440532013000"),
    (field("x", "checkboxes", options=options("a", "b", "c")), ["c", "a"], ["a", "c"]),
    (field("x", "yesno"), "nein", False),
    (field("x", "declaration"), "on", True),
    (field("x", "file", **UPLOAD), PDF, [PDF]),
]


@pytest.mark.parametrize(("spec", "answer", "cleaned"), GOOD_INPUT)
def test_good_input_is_normalised(spec: dict[str, Any], answer: Any, cleaned: Any) -> None:
    evaluation = run(compiled(spec), {"x": answer})

    assert evaluation.errors == ()
    assert evaluation.cleaned == {"x": cleaned}


@pytest.mark.parametrize("blank", [None, "", "   ", [], {"street": "", "zip": ""}])
def test_a_blank_required_field_asks_to_be_filled_in(blank: Any) -> None:
    definition = compiled(field("x", "address", required=True))

    assert errors(run(definition, {"x": blank})) == {"x": "required"}
    assert (
        run(definition, {"x": blank}, locale="en").errors[0].message == "Please fill in this field."
    )


def test_a_blank_optional_field_is_no_error_and_no_answer() -> None:
    evaluation = run(compiled(field("x", "text")), {"x": "  "})

    assert evaluation.errors == ()
    assert evaluation.cleaned == {}


def test_an_unticked_declaration_is_always_an_error() -> None:
    assert errors(run(compiled(field("ok", "declaration")), {})) == {"ok": "declaration"}


def test_an_empty_group_with_minimum_items_says_how_many_are_needed() -> None:
    definition = compiled(field("dogs", "group", fields=[field("name", "text")], min_items=1))

    evaluation = run(definition, {"dogs": []}, locale="en")

    assert errors(evaluation) == {"dogs": "too_few_items"}
    assert evaluation.errors[0].message == "Please add at least 1 entries."


def test_date_bounds_in_years_keep_the_day_on_leap_days() -> None:
    definition = compiled(field("born", "date", max="today-18y"))

    on_leap_day = evaluate(definition, {"born": "2006-02-28"}, today=date(2024, 2, 29))
    a_day_late = evaluate(definition, {"born": "2006-03-01"}, today=date(2024, 2, 29))

    assert on_leap_day.errors == ()
    assert errors(a_day_late) == {"born": "date_too_late"}


def test_unknown_locale_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported locale"):
        run(compiled(field("x", "text")), {}, locale="fr")
