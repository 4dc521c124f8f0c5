"""Benchmark: evaluating answers against a compiled form definition.

Builds (in code) a definition of 60 form-level fields in three steps, with
show_if conditions and a repeating group of 20 items, and evaluates one set of
valid answers repeatedly. The baseline, measured in the same run on the same
answers, is jsonschema (Draft 2020-12, validator built once) checking a plain
JSON Schema with the same types, bounds, options, patterns, required fields and
conditional requirements (if/then). The baseline only says yes or no; the engine
also cleans and normalises the answers, decides visibility, localizes messages
and computes the fee, so the ratio is a "what does the extra work cost" figure.

Run: python bench/bench_formdefs.py   (about 10 seconds)
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from typing import Any

from jsonschema import Draft202012Validator

from amtsweg.formdefs.engine import compile_definition, evaluate

SECONDS_PER_MEASUREMENT = 4.0
TODAY = date(2025, 6, 15)
TEXT = {"de": "Feld", "en": "Field"}
CHOICES = [{"value": value, "label": TEXT} for value in ("a", "b", "c", "d")]
GROUP_ITEMS = 20

# kind -> (field settings, a valid answer, the equivalent plain JSON Schema)
KINDS: dict[str, tuple[dict[str, Any], Any, dict[str, Any]]] = {
    "text": ({"max_length": 100}, "Mustermann", {"type": "string", "maxLength": 100}),
    "integer": ({"min": 0, "max": 1000}, "42", {"type": "string", "pattern": "^[0-9]+$"}),
    "number": ({"min": 0, "max": 100}, "12,5", {"type": "string", "pattern": "^[0-9]+(,[0-9]+)?$"}),
    "date": (
        {"min": "today-100y", "max": "today"},
        "1980-05-17",
        {"type": "string", "format": "date"},
    ),
    "email": ({}, "erika@example.org", {"type": "string", "pattern": "^[^@ ]+@[^@ ]+\\.[^@ ]+$"}),
    "select": ({"options": CHOICES}, "b", {"enum": ["a", "b", "c", "d"]}),
    "yesno": ({}, "ja", {"enum": ["ja", "nein"]}),
    "checkboxes": (
        {"options": CHOICES},
        ["a", "c"],
        {"type": "array", "items": {"enum": ["a", "b", "c", "d"]}},
    ),
    "address": (
        {},
        {"street": "Hauptstraße", "house_number": "12a", "zip": "10115", "city": "Berlin"},
        {
            "type": "object",
            "required": ["street", "house_number", "zip", "city"],
            "properties": {"zip": {"type": "string", "pattern": "^[0-9]{5}$"}},
        },
    ),
    "iban": ({}, "DE89 3704 0044 0532 0130 00", {"type": "string", "pattern": "^[A-Z]{2}[0-9 ]+$"}),
}
KIND_CYCLE = list(KINDS)
ITEM_KINDS = ["text", "select", "date", "yesno", "integer"]


def build() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """(definition document, answers, equivalent JSON Schema)."""
    steps, answers = [], {}
    properties: dict[str, Any] = {}
    required: list[str] = []
    conditionals: list[dict[str, Any]] = []
    for step_index in range(3):
        fields = []
        for position in range(20 if step_index < 2 else 19):
            number = step_index * 20 + position
            kind = KIND_CYCLE[number % len(KIND_CYCLE)]
            settings, answer, schema = KINDS[kind]
            spec = {"id": f"f{number}", "type": kind, "label": TEXT, "required": True, **settings}
            if number % 10 > 6:  # the last three of every ten depend on the yes/no question f?6
                trigger = f"f{number - number % 10 + 6}"
                spec["show_if"] = {"field": trigger, "op": "is_true"}
                conditionals.append(
                    {
                        "if": {"properties": {trigger: {"const": "ja"}}},
                        "then": {"required": [spec["id"]]},
                    }
                )
            fields.append(spec)
            answers[spec["id"]] = answer
            properties[spec["id"]] = schema
            if "show_if" not in spec:
                required.append(spec["id"])
        steps.append({"id": f"s{step_index}", "title": TEXT, "fields": fields})
    group, group_answer, group_schema = _group()
    steps[-1]["fields"].append(group)
    answers["items"] = group_answer
    properties["items"] = group_schema
    document = {
        "schema_version": 1,
        "slug": "bench",
        "title": TEXT,
        "description": TEXT,
        "trust_level": "none",
        "retention_days": 30,
        "privacy_notice": TEXT,
        "declaration": TEXT,
        "steps": steps,
        "fees": [
            {"id": "base", "type": "fixed", "amount": 2600, "label": TEXT},
            {"id": "per_item", "type": "per_item", "group": "items", "amount": 150, "label": TEXT},
        ],
    }
    schema = {
        "type": "object",
        "properties": properties,
        "required": required,
        "allOf": conditionals,
    }
    return document, answers, schema


def _group() -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, Any]]:
    children = [
        {"id": f"c{index}", "type": kind, "label": TEXT, "required": True, **KINDS[kind][0]}
        for index, kind in enumerate(ITEM_KINDS)
    ]
    children.append(
        {
            "id": "detail",
            "type": "text",
            "label": TEXT,
            "required": True,
            "show_if": {"field": "items.c3", "op": "is_true"},
        }
    )
    item_answer = {child["id"]: KINDS[child["type"]][1] for child in children}
    item_schema = {
        "type": "object",
        "properties": {child["id"]: KINDS[child["type"]][2] for child in children},
        "required": [child["id"] for child in children],
    }
    group = {
        "id": "items",
        "type": "group",
        "label": TEXT,
        "min_items": 1,
        "max_items": 50,
        "fields": children,
    }
    schema = {"type": "array", "minItems": 1, "maxItems": 50, "items": item_schema}
    return group, [dict(item_answer) for _ in range(GROUP_ITEMS)], schema


def rate(run: Callable[[], object]) -> float:
    """Calls per second over SECONDS_PER_MEASUREMENT, after a short warm-up."""
    for _ in range(20):
        run()
    calls, started = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < SECONDS_PER_MEASUREMENT:
        for _ in range(50):
            run()
        calls += 50
    return calls / elapsed


def main() -> None:
    document, answers, schema = build()
    definition = compile_definition(document)
    result = evaluate(definition, answers, today=TODAY)
    validator = Draft202012Validator(schema)
    assert result.ok, result.errors
    assert validator.is_valid(answers)
    field_count = sum(len(step.fields) for step in definition.steps)
    conditions = sum(
        1 for step in document["steps"] for spec in step["fields"] if "show_if" in spec
    )
    print(
        f"definition: {field_count} form-level fields ({conditions} with show_if),"
        f" one group of {GROUP_ITEMS} items x 6 fields"
    )

    engine = rate(lambda: evaluate(definition, answers, today=TODAY))
    baseline = rate(lambda: validator.is_valid(answers))

    print(f"engine evaluate (visibility, cleaning, messages, fee): {engine:10.0f} evaluations/s")
    print(f"baseline jsonschema is_valid on an equivalent schema:  {baseline:10.0f} validations/s")
    print(f"ratio engine / baseline: {engine / baseline:.2f}x")


if __name__ == "__main__":
    main()
