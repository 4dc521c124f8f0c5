"""What every target kind's settings have in common, checked in one place."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext

from amtsweg.delivery.interfaces import ConfigField
from amtsweg.platform.errors import FieldProblem, json_pointer

_EMAIL = re.compile(r"^[^@\s,]+@[^@\s,]+\.[^@\s,]+$")
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def check_fields(fields: tuple[ConfigField, ...], config: Mapping[str, Any]) -> list[FieldProblem]:
    """Required fields present, types right, web addresses HTTPS (plain HTTP to this machine
    outside production only, for test peers)."""
    problems = []
    for spec in fields:
        value = config.get(spec.name)
        pointer = json_pointer("config", spec.name)
        if value in (None, ""):
            if spec.required:
                problems.append(
                    FieldProblem(pointer, gettext("Please fill in this field."), "required")
                )
            continue
        if problem := _field_problem(spec, value):
            problems.append(FieldProblem(pointer, problem, "invalid"))
    unknown = set(config) - {spec.name for spec in fields}
    problems.extend(
        FieldProblem(json_pointer("config", name), gettext("Unknown setting."), "unknown")
        for name in sorted(unknown)
    )
    return problems


def _field_problem(spec: ConfigField, value: Any) -> str | None:
    if spec.kind == "flag":
        return None if isinstance(value, bool) else gettext("Please answer yes or no.")
    if spec.kind == "integer":
        return (
            None
            if isinstance(value, int) and value > 0
            else gettext("Please enter a whole number above zero.")
        )
    if not isinstance(value, str):
        return gettext("Please enter text.")
    if spec.kind == "email" and not _EMAIL.match(value):
        return gettext("Please enter one email address like name@example.org.")
    if spec.kind == "url":
        return _url_problem(value)
    return None


def _url_problem(value: str) -> str | None:
    parts = urlsplit(value)
    if not parts.hostname:
        return gettext("Please enter a web address.")
    if parts.scheme == "https":
        return None
    local = parts.hostname in LOCAL_HOSTS and not current_app.config["AMTSWEG"].is_production
    if parts.scheme == "http" and local:
        return None
    return gettext("The address must start with https://.")
