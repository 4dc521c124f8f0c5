"""The inputs of a step, drawn as WTForms 3 draws them, without a WTForms form per request.

Building and binding a WTForms form class for the shown fields of a step, and
its widgets' ``html_params``, cost a citizen's step page more CPU than the rest
of drawing the step. These inputs take the strings a browser would post for one
input (see :func:`~amtsweg.formdefs.rendering.formdata.formdata_from_answers`)
and write the same markup WTForms wrote: ``id`` and ``name`` from the input's
name, the attributes sorted by name, ``True`` as a bare attribute and ``False``
as none. The templates call an input with the attributes of the moment
(``class``, ``aria-describedby`` …) and iterate the options of a choice.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

Choice = tuple[str, str]
"""An option's value and label."""


def attributes(attrs: Mapping[str, Any]) -> str:
    """``name="value"`` pairs sorted by name, as WTForms' ``html_params`` writes them."""
    return " ".join(
        name if value is True else f'{name}="{escape(value)}"'
        for name, value in sorted(attrs.items())
        if value is not False
    )


def _drawn(html: str) -> Markup:
    return Markup(html)  # noqa: S704 - every value in it went through attributes() or escape()


def _input(name: str, defaults: Mapping[str, Any], attrs: Mapping[str, Any]) -> Markup:
    """``<input>`` with the template's ``attrs`` over ``defaults``; its name is always ``name``."""
    return _drawn(f"<input {attributes({**defaults, **attrs, 'name': name})}>")


@dataclass(frozen=True, slots=True)
class TextInput:
    """``<input>`` of a type that shows its value: text, date, email, tel, hidden."""

    name: str
    type: str
    values: Sequence[str]

    def __call__(self, **attrs: Any) -> Markup:
        value = self.values[0] if self.values else ""
        return _input(self.name, {"id": self.name, "type": self.type, "value": value}, attrs)


@dataclass(frozen=True, slots=True)
class Checkbox:
    """A declaration's checkbox: checked unless the answer is missing, empty or "no"."""

    name: str
    values: Sequence[str]

    def __call__(self, **attrs: Any) -> Markup:
        checked = bool(self.values) and self.values[0] not in ("", "no")
        value = self.values[0] if self.values else "y"
        defaults = {"id": self.name, "type": "checkbox", "value": value, "checked": checked}
        return _input(self.name, defaults, attrs)


@dataclass(frozen=True, slots=True)
class FileInput:
    """``<input type="file">``: a browser never gets a value for it."""

    name: str
    multiple: bool

    def __call__(self, **attrs: Any) -> Markup:
        drawn = {"id": self.name, "type": "file", **attrs, "value": False}
        if self.multiple:
            drawn["multiple"] = True
        return _input(self.name, drawn, {})


@dataclass(frozen=True, slots=True)
class TextArea:
    name: str
    values: Sequence[str]

    def __call__(self, **attrs: Any) -> Markup:
        value = self.values[0] if self.values else ""
        drawn = attributes({"id": self.name, **attrs, "name": self.name})
        return _drawn(f"<textarea {drawn}>\r\n{escape(value)}</textarea>")


@dataclass(frozen=True, slots=True)
class Select:
    """``<select>`` with the saved value's option selected."""

    name: str
    choices: Sequence[Choice]
    values: Sequence[str]

    def __call__(self, **attrs: Any) -> Markup:
        chosen = self.values[0] if self.values else None
        options = "".join(
            f"<option {attributes({'value': value, 'selected': value == chosen})}>"
            f"{escape(label or value)}</option>"
            for value, label in self.choices
        )
        drawn = attributes({"id": self.name, **attrs, "name": self.name})
        return _drawn(f"<select {drawn}>{options}</select>")


@dataclass(frozen=True, slots=True)
class Option:
    """One radio button or checkbox of a choice, with the id ``<name>-<index>``."""

    name: str
    id: str
    type: str
    value: str
    label: str
    checked: bool

    def __call__(self, **attrs: Any) -> Markup:
        defaults = {"id": self.id, "type": self.type, "value": self.value, "checked": self.checked}
        return _input(self.name, defaults, attrs)


@dataclass(frozen=True, slots=True)
class Options:
    """The radio buttons (``multiple=False``) or checkboxes of a choice, to iterate."""

    name: str
    choices: Sequence[Choice]
    values: Sequence[str]
    multiple: bool

    def __iter__(self) -> Iterator[Option]:
        kind = "checkbox" if self.multiple else "radio"
        chosen = set(self.values) if self.multiple else set(self.values[:1])
        for index, (value, label) in enumerate(self.choices):
            yield Option(
                self.name, f"{self.name}-{index}", kind, value, label or value, value in chosen
            )
