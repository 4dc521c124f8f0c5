"""One step of a form definition as the controls the templates draw.

:func:`build_step_form` turns a compiled step, the answers and the engine's
:class:`~amtsweg.formdefs.engine.Evaluation` of them into a :class:`StepForm`:
a tree of :class:`Control` objects with everything a citizen or a screen reader
needs: label, hints, "(optional)", read-only state, error messages and the ids
that tie them together, each input drawn from the raw strings of the answers
(:mod:`~amtsweg.formdefs.rendering.inputs`), and Flask-WTF's CSRF token when
the app has CSRF on.
The rules stay in the engine: this module never decides whether an answer is valid.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from amtsweg.formdefs.engine import (
    AnswerError,
    Evaluation,
    Field,
    FormDefinition,
    LocalizedText,
    Step,
    prefill,
)
from amtsweg.formdefs.engine.messages import Bytes, format_value
from amtsweg.formdefs.rendering import inputs
from amtsweg.formdefs.rendering.actions import StepAction
from amtsweg.formdefs.rendering.formdata import (
    ADDRESS_PARTS,
    ITEMS_SUFFIX,
    NO,
    YES,
    formdata_from_answers,
    join,
    path_to_name,
)
from amtsweg.platform.forms import Form

CHOICE_KINDS = frozenset({"radio", "yesno", "checkboxes"})
"""Kinds drawn as a fieldset of options; the error summary links to the first option."""
LOCKABLE_KINDS = frozenset({"text", "date", "email", "phone", "address"})
"""Kinds whose inputs can be read-only (a select or radio cannot)."""

_CLAIM_AUTOCOMPLETE = {
    "given_name": "given-name",
    "family_name": "family-name",
    "birthdate": "bday",
    "email": "email",
}
_ADDRESS_AUTOCOMPLETE = {
    "street": "address-line1",
    "zip": "postal-code",
    "city": "address-level2",
    "country": "country",
}
_NARROW_PARTS = frozenset({"house_number", "zip", "country"})


def _address_part_label(part: str) -> str:
    labels = {
        "street": _("Street"),
        "house_number": _("House number"),
        "zip": _("Postcode"),
        "city": _("Town or city"),
        "country": _("Country"),
    }
    return labels[part]


@dataclass(frozen=True, slots=True)
class UploadedFile:
    """A file already given as an answer: shown with a "remove" checkbox that posts
    ``token`` as ``<input name>-remove``, so files are replaced without JavaScript."""

    name: str
    token: str


@dataclass(eq=False)
class Control:
    """One question (or static text) of a step, as the templates draw it.

    ``name`` is the input's name and id; options of a choice are ``name-0``,
    ``name-1`` …; hints are ``name-hint`` and errors ``name-error``.
    """

    kind: str
    name: str
    label: str
    context: str
    """How the error summary names the question: "Rufname (Hund 1)", "Anschrift: Postcode"."""
    hints: tuple[str, ...] = ()
    required: bool = False
    locked: bool = False
    narrow: bool = False
    attrs: dict[str, str] = field(default_factory=dict)
    """Extra input attributes: autocomplete, inputmode, accept …"""
    text: str | None = None
    unit: str | None = None
    uploaded: tuple[UploadedFile, ...] = ()
    parts: list[Control] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    add: StepAction | None = None
    add_label: str = ""
    errors: list[str] = field(default_factory=list)
    input: Any = None
    """The input, from :mod:`~amtsweg.formdefs.rendering.inputs` (None for info texts,
    addresses and groups)."""

    @property
    def optional(self) -> bool:
        return not self.required and self.kind not in {"info", "part"}

    @property
    def is_fieldset(self) -> bool:
        return self.kind in CHOICE_KINDS or self.kind in {"address", "group"}

    @property
    def hint_id(self) -> str | None:
        return join(self.name, "hint") if self.hints else None

    @property
    def error_id(self) -> str | None:
        return join(self.name, "error") if self.errors else None

    @property
    def uploaded_id(self) -> str | None:
        return join(self.name, "uploaded") if self.uploaded else None

    @property
    def unit_id(self) -> str | None:
        return join(self.name, "unit") if self.unit else None

    @property
    def described_by(self) -> str | None:
        ids = [self.hint_id, self.unit_id, self.uploaded_id, self.error_id]
        return " ".join(each for each in ids if each) or None

    @property
    def add_id(self) -> str:
        return join(self.name, "add")

    @property
    def anchor(self) -> str | None:
        """The id of the element the error summary links to (the first input)."""
        if self.kind in CHOICE_KINDS:
            return join(self.name, 0)
        if self.kind == "address":
            return self.parts[0].anchor
        if self.kind == "group":
            firsts = (control.anchor for item in self.items for control in item.controls)
            return next((anchor for anchor in firsts if anchor), self.add_id if self.add else None)
        return None if self.kind == "info" else self.name

    def input_attrs(self, *, describe: bool = True) -> dict[str, Any]:
        """Attributes of the input: ``describe=False`` for options, whose fieldset is described."""
        state = {
            "aria-describedby": self.described_by if describe else None,
            "aria-invalid": "true" if self.errors else None,
            "aria-required": "true" if self.required and describe else None,
            "readonly": True if self.locked else None,
        }
        return {**self.attrs, **{name: value for name, value in state.items() if value}}


@dataclass(eq=False)
class Item:
    """One item of a repeating group: a fieldset with a legend such as "Hund 2"."""

    index: int
    legend: str
    controls: list[Control]
    remove: StepAction | None
    remove_label: str


@dataclass(frozen=True, slots=True)
class SummaryEntry:
    anchor: str | None
    text: str


@dataclass(eq=False)
class StepForm:
    """What the ``formdefs/_step.html`` macros need to draw one step."""

    step: Step
    title: str
    description: str | None
    hidden: list[inputs.TextInput]
    """The groups' hidden item counts, then the CSRF token (if CSRF is on)."""
    controls: list[Control]
    summary: list[SummaryEntry]
    has_files: bool
    has_conditions: bool
    """Some field of the step depends on another answer of the step: offer "update"."""

    @property
    def has_errors(self) -> bool:
        return bool(self.summary)

    def hidden_tag(self) -> Markup:
        return Markup("\n").join(each() for each in self.hidden)


def locked_fields(definition: FormDefinition, claims: Mapping[str, Any]) -> frozenset[str]:
    """Ids of the fields shown read-only: locked to a login claim the citizen has."""
    from_claims = prefill(definition, claims, {})
    return frozenset(
        field.id
        for field in definition.fields_by_id.values()
        if field.prefill_locked and field.id in from_claims
    )


def build_step_form(
    definition: FormDefinition,
    step_id: str,
    *,
    answers: Mapping[str, Any],
    evaluation: Evaluation,
    locale: str,
    errors: Sequence[AnswerError] = (),
    locked: Collection[str] = frozenset(),
    meta: Mapping[str, Any] | None = None,
) -> StepForm:
    """The step ``step_id`` showing ``answers``, laid out as ``evaluation`` decided.

    ``evaluation`` must be the engine's evaluation of these ``answers`` (it says
    which fields are shown); ``errors`` are the ones to show, usually
    ``evaluation.errors`` after "continue" and none after any other button.
    ``locked`` names fields drawn read-only (see :func:`locked_fields`).
    ``meta`` is a Flask-WTF form's: ``{"csrf": False}`` leaves the CSRF token out.
    """
    step = definition.step(step_id)
    formdata = formdata_from_answers(step, _with_initial_items(step, answers))
    builder = _Builder(locale, evaluation, answers, frozenset(locked), formdata)
    visible = set(evaluation.visible_fields.get(step.id, ()))
    controls = [builder.control(field) for field in step.fields if field.id in visible]
    return StepForm(
        step=step,
        title=step.title.get(locale),
        description=None if step.description is None else step.description.get(locale),
        hidden=[*builder.hidden, *_csrf_input(meta or {})],
        controls=controls,
        summary=builder.attach_errors(errors, controls),
        has_files=builder.has_files,
        has_conditions=_has_conditions(step),
    )


def _csrf_input(meta: Mapping[str, Any]) -> list[inputs.TextInput]:
    """The CSRF token's hidden input, as a Flask-WTF form draws it, if CSRF is on.

    Binding a form just for the token cost more than the rest of building the
    step. The token is Flask-WTF's own (the one :func:`csrf_valid` checks), and
    CSRF is on where a Flask-WTF form has it on: ``meta["csrf"]``, else the app's
    ``WTF_CSRF_ENABLED``.
    """
    config = current_app.config
    if not meta.get("csrf", config.get("WTF_CSRF_ENABLED", True)):
        return []
    name = config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    return [inputs.TextInput(name, "hidden", [generate_csrf()])]


class _CsrfOnly(Form):
    """A form of nothing but the CSRF token."""


def csrf_valid(formdata: Mapping[str, Any], meta: Mapping[str, Any] | None = None) -> bool:
    """Whether a post carries a valid CSRF token; always true when CSRF is off."""
    return _CsrfOnly(formdata=formdata, meta=dict(meta or {})).validate()


def _with_initial_items(step: Step, answers: Mapping[str, Any]) -> Mapping[str, Any]:
    """A group never answered starts with ``min_items`` empty items to fill in."""
    initial = {
        field.id: [{} for _ in range(field.min_items)]
        for field in step.fields
        if field.kind == "group" and not isinstance(answers.get(field.id), list)
    }
    return {**answers, **initial} if initial else answers


def _has_conditions(step: Step) -> bool:
    ids = {field.id for field in step.fields}
    return any(
        ref.group in ids or ref.name in ids
        for field in _all_fields(step.fields)
        for condition in (field.show_if, field.required_if)
        if condition is not None
        for ref in condition.references()
    )


def _all_fields(fields: Sequence[Field]) -> Iterator[Field]:
    for each in fields:
        yield each
        yield from _all_fields(each.fields)


class _Builder:
    """Walks the shown fields once, collecting controls and their WTForms fields."""

    def __init__(
        self,
        locale: str,
        evaluation: Evaluation,
        answers: Mapping[str, Any],
        locked: frozenset[str],
        formdata: MultiDict[str, str],
    ) -> None:
        self.locale = locale
        self.evaluation = evaluation
        self.answers = answers
        self.locked = locked
        self.formdata = formdata
        self.hidden: list[inputs.TextInput] = []
        self.by_name: dict[str, Control] = {}
        self.has_files = False

    def text(self, text: LocalizedText | None) -> str:
        return "" if text is None else text.get(self.locale)

    def control(
        self, field: Field, *, name: str | None = None, item: Mapping[str, Any] | None = None
    ) -> Control:
        name = name or field.id
        label = self.text(field.label)
        control = Control(
            kind=field.kind,
            name=name,
            label=label,
            context=label,
            hints=_hints(
                self.text(field.help), self.text(field.text) if field.kind == "declaration" else ""
            ),
            required=self._required(field, item),
            locked=field.id in self.locked and item is None and field.kind in LOCKABLE_KINDS,
            text=self.text(field.text) if field.kind == "info" else None,
            unit=field.unit if field.kind in {"number", "integer"} else None,
        )
        if control.locked:
            control.hints = (*control.hints, _("Taken from your citizen account; change it there."))
        self.by_name[name] = control
        if field.kind == "address":
            control.parts = [self._address_part(control, part) for part in _parts(field)]
        elif field.kind == "group":
            self._group(field, control)
        elif field.kind != "info":
            self._input(field, control)
        return control

    def _required(self, field: Field, item: Mapping[str, Any] | None) -> bool:
        if field.kind == "declaration":
            return True
        if field.kind == "group" and field.min_items:
            return True
        if field.kind == "checkboxes" and field.min_selected:
            return True
        return field.required or (
            field.required_if is not None and field.required_if.holds(self.evaluation.cleaned, item)
        )

    def _input(self, field: Field, control: Control) -> None:
        control.input, control.attrs = _input(
            field, control.name, self.formdata.getlist(control.name), self.locale
        )
        if field.prefill in _CLAIM_AUTOCOMPLETE and field.kind in LOCKABLE_KINDS:
            control.attrs["autocomplete"] = _CLAIM_AUTOCOMPLETE[field.prefill]
        if field.kind == "file":
            self.has_files = True
            control.hints = (*control.hints, _file_hint(field, self.locale))
            control.uploaded = _uploaded_files(self._answer(control.name))

    def _address_part(self, address: Control, part: str) -> Control:
        name = join(address.name, part)
        label = _address_part_label(part)
        control = Control(
            kind="part",
            name=name,
            label=label,
            context=f"{address.label}: {label}",
            hints=(_("Two-letter code, for example DE or AT."),) if part == "country" else (),
            required=address.required and part != "country",
            locked=address.locked,
            narrow=part in _NARROW_PARTS,
            attrs={"autocomplete": _ADDRESS_AUTOCOMPLETE[part]}
            if part in _ADDRESS_AUTOCOMPLETE
            else {},
            input=inputs.TextInput(name, "text", self.formdata.getlist(name)),
        )
        self.by_name[name] = control
        return control

    def _group(self, group: Field, control: Control) -> None:
        answered = self.answers.get(group.id)
        count = len(answered) if isinstance(answered, list) else group.min_items
        evaluated = min(count, group.max_items or count) if isinstance(answered, list) else 0
        items = join(group.id, ITEMS_SUFFIX)
        self.hidden.append(inputs.TextInput(items, "hidden", self.formdata.getlist(items)))
        noun = self.text(group.item_label) or control.label
        control.items = [
            self._item(group, noun, index, count, evaluated=index < evaluated)
            for index in range(count)
        ]
        if group.max_items is None or count < group.max_items:
            control.add = StepAction("add", group.id)
            control.add_label = _("Add %(item)s", item=noun)

    def _item(self, group: Field, noun: str, index: int, count: int, *, evaluated: bool) -> Item:
        """Item ``index``; a field with a condition shows only once the engine saw the item."""
        legend = f"{noun} {index + 1}"
        cleaned_items = self.evaluation.cleaned.get(group.id)
        cleaned = cleaned_items[index] if _has_index(cleaned_items, index) else {}
        controls = []
        for child in group.fields:
            path = f"{group.id}[{index}].{child.id}"
            if path in self.evaluation.hidden or (child.show_if is not None and not evaluated):
                continue
            child_control = self.control(child, name=join(group.id, index, child.id), item=cleaned)
            child_control.context = f"{child_control.label} ({legend})"
            controls.append(child_control)
        removable = count > group.min_items
        return Item(
            index=index,
            legend=legend,
            controls=controls,
            remove=StepAction("remove", group.id, index) if removable else None,
            remove_label=_("Remove %(item)s", item=legend),
        )

    def _answer(self, name: str) -> Any:
        """The answer behind an input name (``hunde-0-erlaubnis``), or None."""
        value: Any = self.answers
        for part in name.split("-"):
            if isinstance(value, list) and part.isdigit() and int(part) < len(value):
                value = value[int(part)]
            elif isinstance(value, Mapping):
                value = value.get(part)
            else:
                return None
        return value

    def attach_errors(
        self, errors: Sequence[AnswerError], controls: Sequence[Control]
    ) -> list[SummaryEntry]:
        """Give each error to the control it is about; the error summary's entries, in order."""
        summary = []
        for error in errors:
            owner = self._owner(path_to_name(error.path))
            if owner is None:
                first = next((c.anchor for c in controls if c.anchor), None)
                summary.append(SummaryEntry(first, error.message))
                continue
            owner.errors.append(error.message)
            summary.append(SummaryEntry(owner.anchor, f"{owner.context}: {error.message}"))
        return summary

    def _owner(self, name: str) -> Control | None:
        """The control named ``name``, or else the nearest one containing it."""
        parts = name.split("-")
        for end in range(len(parts), 0, -1):
            control = self.by_name.get("-".join(parts[:end]))
            if control is not None:
                return control
        return None


def _hints(*texts: str) -> tuple[str, ...]:
    return tuple(text for text in texts if text)


def _parts(field: Field) -> tuple[str, ...]:
    return ADDRESS_PARTS if field.allow_foreign else ADDRESS_PARTS[:-1]


def _has_index(items: Any, index: int) -> bool:
    return isinstance(items, list) and index < len(items) and isinstance(items[index], Mapping)


def _uploaded_files(answer: Any) -> tuple[UploadedFile, ...]:
    files = [answer] if isinstance(answer, Mapping) else answer
    if not isinstance(files, list | tuple):
        return ()
    return tuple(
        UploadedFile(str(each["name"]), str(each.get("token", "")))
        for each in files
        if isinstance(each, Mapping) and "name" in each
    )


def _file_hint(field: Field, locale: str) -> str:
    types = ", ".join(sorted(mime.rpartition("/")[2].upper() for mime in field.accept))
    hint = _("Allowed file types: %(types)s.", types=types)
    if field.max_size is not None:
        size = format_value(Bytes(field.max_size), locale)
        hint += " " + _("At most %(size)s per file.", size=size)
    if field.max_files > 1:
        hint += " " + _("Up to %(count)d files.", count=field.max_files)
    return hint


def _choices(field: Field, locale: str) -> list[inputs.Choice]:
    if field.kind == "yesno":
        return [(YES, _("Yes")), (NO, _("No"))]
    return [(option.value, option.label.get(locale)) for option in field.options]


def _input(field: Field, name: str, values: list[str], locale: str) -> tuple[Any, dict[str, str]]:
    """The input that draws ``field`` showing ``values``, and extra attributes of it.

    No input coerces or validates: the post is read by
    :func:`~amtsweg.formdefs.rendering.formdata.answers_from_formdata` and the
    engine checks it.
    """
    kind = field.kind
    if kind == "select":
        choices = [("", _("Please choose")), *_choices(field, locale)]
        return inputs.Select(name, choices, values), {}
    if kind in {"radio", "yesno", "checkboxes"}:
        multiple = kind == "checkboxes"
        return inputs.Options(name, _choices(field, locale), values, multiple), {}
    if kind == "file":
        accept = ",".join(sorted(field.accept))
        return inputs.FileInput(name, field.max_files > 1), {"accept": accept}
    if kind == "textarea":
        return inputs.TextArea(name, values), {}
    if kind == "declaration":
        return inputs.Checkbox(name, values), {"value": "yes"}
    input_type, attrs = _TEXT_INPUTS[kind]
    return inputs.TextInput(name, input_type, values), dict(attrs)


_TEXT_INPUTS: Mapping[str, tuple[str, Mapping[str, str]]] = {
    "text": ("text", {}),
    "number": ("text", {"inputmode": "decimal"}),
    "integer": ("text", {"inputmode": "numeric"}),
    "date": ("date", {}),
    "email": ("email", {"autocomplete": "email", "spellcheck": "false"}),
    "phone": ("tel", {"autocomplete": "tel"}),
    "iban": (
        "text",
        {"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"},
    ),
}
