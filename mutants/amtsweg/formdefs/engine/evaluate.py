"""Evaluating answers against a compiled definition.

One pass decides, in dependency order, which steps and fields are shown and
cleans the answers of shown fields; conditions see only answers that are shown
and valid. A second pass checks ``required``/``required_if`` (which may look at
any answer, earlier or later), then the cross-field rules; then the fee is
computed from the cleaned answers. Hidden fields are neither validated nor kept.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from amtsweg.formdefs.engine.conditions import Answers
from amtsweg.formdefs.engine.fees import FeeBreakdown, compute_fee
from amtsweg.formdefs.engine.fields import InvalidValue, Violation, clean_value, is_blank
from amtsweg.formdefs.engine.messages import check_locale, render
from amtsweg.formdefs.engine.model import CrossRule, Field, FormDefinition, Step

_ITEM_INDEX = re.compile(r"\[(\d+)\]")
_COMPARISONS: Mapping[str, Callable[[Any, Any], bool]] = {
    "lt": operator.lt,
    "le": operator.le,
    "gt": operator.gt,
    "ge": operator.ge,
    "eq": operator.eq,
    "ne": operator.ne,
}


@dataclass(frozen=True, slots=True)
class AnswerError:
    """An error to show next to a field; ``path`` is like ``dogs[1].breed`` or ``address.zip``."""

    path: str
    code: str
    message: str


@dataclass(frozen=True, slots=True)
class Evaluation:
    visible_steps: tuple[str, ...]
    visible_fields: Mapping[str, tuple[str, ...]]
    """Shown form-level field ids of every shown step."""
    hidden: frozenset[str]
    """Paths of hidden fields, form-level (``register_court``) and per item (``dogs[0].chip``)."""
    errors: tuple[AnswerError, ...]
    cleaned: Mapping[str, Any]
    """Normalised answers of shown, valid fields, JSON-ready, in form order."""
    fee: FeeBreakdown

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(slots=True)
class _Pending:
    """A shown field left blank; whether that is an error is decided once all answers are known."""

    field: Field
    item: Answers | None
    path: str
    root: str


class _Run:
    """The mutable state of one evaluation; never leaves this module."""

    __slots__ = ("blank", "cleaned", "errors", "hidden", "locale", "step_visible", "today")

    def __init__(self, locale: str, today: date) -> None:
        self.locale = locale
        self.today = today
        self.cleaned: dict[str, Any] = {}
        self.errors: dict[str, list[AnswerError]] = {}
        self.hidden: set[str] = set()
        self.blank: list[_Pending] = []
        self.step_visible: dict[str, bool] = {}

    def fail(self, root: str, path: str, violation: Violation) -> None:
        if violation.message is not None:
            message = violation.message.get(self.locale)
        else:
            message = render(violation.code, self.locale, violation.params)
        self.errors.setdefault(root, []).append(
            AnswerError(path + violation.subpath, violation.code, message)
        )

    def shows_step(self, step: Step) -> bool:
        if step.id not in self.step_visible:
            self.step_visible[step.id] = step.show_if is None or step.show_if.holds(self.cleaned)
        return self.step_visible[step.id]


def evaluate(
    definition: FormDefinition,
    answers: Answers,
    *,
    locale: str = "de",
    step: str | None = None,
    today: date,
    fee_overrides: Mapping[str, object] | None = None,
) -> Evaluation:
    """Visibility, errors, cleaned answers and fee for ``answers``.

    With ``step``, only errors of that step's fields (and of rules reported on
    them) are returned; visibility and cleaning still consider every answer,
    because conditions may look at earlier steps. ``today`` anchors relative
    date bounds ("today-18y"): the caller passes the date in the authority's time zone.
    Raises :class:`~.fees.FeeOverrideError` for invalid ``fee_overrides``.
    """
    run = _Run(check_locale(locale), today)
    for field in definition.evaluation_order:
        if run.shows_step(definition.step_of[field.id]) and _shows(field, run.cleaned, None):
            _answer(run, field, answers.get(field.id), None, path=field.id, root=field.id)
        else:
            run.hidden.add(field.id)
    _check_blanks(run)
    for rule in definition.rules:
        _check_rule(run, rule)
    cleaned = {
        field_id: run.cleaned[field_id]
        for field_id in definition.fields_by_id
        if field_id in run.cleaned
    }
    return Evaluation(
        visible_steps=tuple(step.id for step in definition.steps if run.step_visible[step.id]),
        visible_fields={
            step.id: tuple(field.id for field in step.fields if field.id not in run.hidden)
            for step in definition.steps
            if run.step_visible[step.id]
        },
        hidden=frozenset(run.hidden),
        errors=_errors_in_form_order(run, definition, step),
        cleaned=cleaned,
        fee=compute_fee(definition, cleaned, fee_overrides),
    )


def validate_step(
    definition: FormDefinition,
    answers: Answers,
    step: str,
    *,
    locale: str = "de",
    today: date,
) -> Evaluation:
    """:func:`evaluate` for the page of one step, as the journey posts it; KeyError if unknown."""
    return evaluate(definition, answers, locale=locale, step=step, today=today)


def _shows(field: Field, answers: Answers, item: Answers | None) -> bool:
    return field.show_if is None or field.show_if.holds(answers, item)


def _answer(
    run: _Run, field: Field, raw: Any, item: dict[str, Any] | None, *, path: str, root: str
) -> None:
    """Clean ``raw`` into the form's answers (or the group ``item``), or record why not."""
    if not field.has_value:
        return
    if is_blank(raw):
        run.blank.append(_Pending(field, item, path, root))
        return
    try:
        value = (
            _group(run, field, raw, path)
            if field.kind == "group"
            else clean_value(field, raw, run.today)
        )
    except InvalidValue as invalid:
        for violation in invalid.violations:
            run.fail(root, path, violation)
        return
    (run.cleaned if item is None else item)[field.id] = value


def _group(run: _Run, group: Field, raw: Any, path: str) -> list[dict[str, Any]]:
    if not isinstance(raw, list | tuple) or not all(isinstance(item, Mapping) for item in raw):
        raise InvalidValue(Violation("type"))
    if len(raw) < group.min_items:
        run.fail(group.id, path, Violation("too_few_items", {"min": group.min_items}))
    if group.max_items is not None and len(raw) > group.max_items:
        run.fail(group.id, path, Violation("too_many_items", {"max": group.max_items}))
        raw = raw[: group.max_items]
    return [
        _group_item(run, group, raw_item, f"{path}[{index}]") for index, raw_item in enumerate(raw)
    ]


def _group_item(run: _Run, group: Field, raw_item: Mapping[str, Any], path: str) -> dict[str, Any]:
    item: dict[str, Any] = {}
    for child in group.evaluation_order:
        child_path = f"{path}.{child.id}"
        if _shows(child, run.cleaned, item):
            _answer(run, child, raw_item.get(child.id), item, path=child_path, root=group.id)
        else:
            run.hidden.add(child_path)
    return {child.id: item[child.id] for child in group.fields if child.id in item}


def _check_blanks(run: _Run) -> None:
    for pending in run.blank:
        field = pending.field
        if field.kind == "declaration":
            run.fail(pending.root, pending.path, Violation("declaration"))
        elif field.kind == "group" and (
            field.min_items or _is_required(field, run.cleaned, pending.item)
        ):
            run.fail(
                pending.root,
                pending.path,
                Violation("too_few_items", {"min": max(field.min_items, 1)}),
            )
        elif field.kind != "group" and _is_required(field, run.cleaned, pending.item):
            run.fail(pending.root, pending.path, Violation("required"))


def _is_required(field: Field, answers: Answers, item: Answers | None) -> bool:
    return field.required or (
        field.required_if is not None and field.required_if.holds(answers, item)
    )


def _check_rule(run: _Run, rule: CrossRule) -> None:
    group = rule.field.group
    if group is None:
        scopes: list[tuple[Answers | None, str]] = [(None, rule.field.name)]
    else:
        items = run.cleaned.get(group) or ()
        scopes = [(item, f"{group}[{index}].{rule.field.name}") for index, item in enumerate(items)]
    for item, path in scopes:
        value = rule.field.read(run.cleaned, item)
        other = rule.other.read(run.cleaned, item)
        if (
            value is None
            or other is None
            or (rule.when is not None and not rule.when.holds(run.cleaned, item))
        ):
            continue
        if not _COMPARISONS[rule.op](value, other):
            run.fail(group or rule.field.name, path, Violation("compare", message=rule.message))


def _errors_in_form_order(
    run: _Run, definition: FormDefinition, step: str | None
) -> tuple[AnswerError, ...]:
    steps = definition.steps if step is None else (definition.step(step),)
    return tuple(
        error for each in steps for field in each.fields for error in run.errors.get(field.id, ())
    )
