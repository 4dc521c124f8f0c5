"""Rendering one step of a form definition as an accessible, server-rendered form.

Typical use in a view (GET shows, POST reads and re-shows or moves on)::

    answers = answers_from_formdata(step, request.form, previous=draft_answers)
    action = read_action(step, request.form)
    answers = apply_action(step, answers, action)
    evaluation = validate_step(definition, answers, step.id, locale=locale, today=today)
    if action.shows_errors and evaluation.ok:
        ...  # save, go to the next step
    form = build_step_form(
        definition, step.id, answers=answers, evaluation=evaluation, locale=locale,
        errors=evaluation.errors if action.shows_errors else (),
    )
    render_template("...", step_form=form)  # {{ step_form_macro(step_form) }}

See "Rendering form steps" in docs/architecture.md.
"""

from amtsweg.formdefs.rendering.actions import (
    ACTION,
    CONTINUE,
    REFRESH,
    StepAction,
    apply_action,
    read_action,
)
from amtsweg.formdefs.rendering.formdata import (
    answers_from_formdata,
    formdata_from_answers,
    path_to_name,
)
from amtsweg.formdefs.rendering.stepform import (
    Control,
    Item,
    StepForm,
    SummaryEntry,
    build_step_form,
    csrf_valid,
    locked_fields,
)

__all__ = [
    "ACTION",
    "CONTINUE",
    "REFRESH",
    "Control",
    "Item",
    "StepAction",
    "StepForm",
    "SummaryEntry",
    "answers_from_formdata",
    "apply_action",
    "build_step_form",
    "csrf_valid",
    "formdata_from_answers",
    "locked_fields",
    "path_to_name",
    "read_action",
]
