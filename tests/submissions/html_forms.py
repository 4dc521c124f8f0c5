"""Read a step's form as a browser would send it: every value it currently shows."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict

from tests.html import form_fields, forms


def step_values(html: str) -> tuple[str, MultiDict[str, str]]:
    """(action, values) of the step form (class ``amtsweg-step``) in ``html``."""
    steps = [form for form in forms(html) if "amtsweg-step" in form.get("class", "").split()]
    assert steps, "the page has no step form"
    return steps[0].get("action", ""), form_fields(steps[0])
