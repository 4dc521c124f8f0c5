"""Small definition documents for tests, so each test shows only what matters to it."""

from __future__ import annotations

from datetime import date
from typing import Any

from amtsweg.formdefs.engine import Evaluation, FormDefinition, compile_definition, evaluate

TEXT = {"de": "Text", "en": "Text"}
TODAY = date(2025, 6, 15)


def field(field_id: str, kind: str, **settings: Any) -> dict[str, Any]:
    return {"id": field_id, "type": kind, "label": TEXT, **settings}


def options(*values: str) -> list[dict[str, Any]]:
    return [
        {"value": value, "label": {"de": value.upper(), "en": value.title()}} for value in values
    ]


def document(*fields: dict[str, Any], steps: list | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "schema_version": 1,
        "slug": "test-form",
        "title": TEXT,
        "description": TEXT,
        "trust_level": "none",
        "retention_days": 30,
        "privacy_notice": TEXT,
        "declaration": TEXT,
        "steps": steps or [{"id": "main", "title": TEXT, "fields": list(fields)}],
        **extra,
    }


def compiled(*fields: dict[str, Any], **extra: Any) -> FormDefinition:
    return compile_definition(document(*fields, **extra))


def run(definition: FormDefinition, answers: dict[str, Any], locale: str = "de") -> Evaluation:
    return evaluate(definition, answers, locale=locale, today=TODAY)


def errors(evaluation: Evaluation) -> dict[str, str]:
    return {error.path: error.code for error in evaluation.errors}
