"""A step's inputs write the markup WTForms 3 wrote for the same field and strings.

The step page drew its inputs through a WTForms form bound to the answers;
:mod:`amtsweg.formdefs.rendering.inputs` draws them without one. Here both
draw the same inputs from the same posted strings, with whatever characters a
citizen may type, and must agree byte for byte.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict
from wtforms import Form
from wtforms import fields as wtf
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, DateInput

from amtsweg.formdefs.rendering import inputs

TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
VALUES = st.lists(TEXT, max_size=3)
CHOICES = st.lists(st.tuples(TEXT, TEXT), max_size=4, unique_by=lambda pair: pair[0])
ATTRS = st.fixed_dictionaries(
    {"class": TEXT},
    optional={"aria-describedby": TEXT, "aria-invalid": st.just("true"), "readonly": st.booleans()},
)


def bound(unbound: Any, values: list[str]) -> Any:
    """The WTForms field named ``answer``, bound to ``values`` as posted."""
    form_class = type("One", (Form,), {"answer": unbound})
    return form_class(formdata=MultiDict([("answer", value) for value in values]))["answer"]


@given(values=VALUES, attrs=ATTRS)
def test_text_inputs(values: list[str], attrs: dict[str, Any]) -> None:
    for unbound, kind in [
        (wtf.StringField(), "text"),
        (wtf.StringField(widget=DateInput()), "date"),
        (wtf.EmailField(), "email"),
        (wtf.TelField(), "tel"),
        (wtf.HiddenField(), "hidden"),
    ]:
        ours = inputs.TextInput("answer", kind, values)(**attrs)
        assert ours == bound(unbound, values)(**attrs)


@given(values=VALUES, attrs=ATTRS)
def test_textarea_checkbox_and_files(values: list[str], attrs: dict[str, Any]) -> None:
    assert inputs.TextArea("answer", values)(**attrs) == bound(wtf.TextAreaField(), values)(**attrs)
    declaration = wtf.BooleanField(false_values=("", "no"))
    assert inputs.Checkbox("answer", values)(**attrs) == bound(declaration, values)(**attrs)
    assert inputs.Checkbox("answer", values)(value="yes") == bound(declaration, values)(value="yes")
    assert inputs.FileInput("answer", multiple=False)(**attrs) == bound(wtf.FileField(), values)(
        **attrs
    )
    assert inputs.FileInput("answer", multiple=True)(**attrs) == bound(
        wtf.MultipleFileField(), values
    )(**attrs)


@given(choices=CHOICES, values=VALUES, attrs=ATTRS)
def test_select_and_options(
    choices: list[tuple[str, str]], values: list[str], attrs: dict[str, Any]
) -> None:
    wtforms_choices = [SelectChoice(value, label) for value, label in choices]
    select = wtf.SelectField(choices=wtforms_choices, validate_choice=False)
    assert inputs.Select("answer", choices, values)(**attrs) == bound(select, values)(**attrs)
    radios = wtf.RadioField(choices=wtforms_choices, validate_choice=False)
    checkboxes = wtf.SelectMultipleField(
        choices=wtforms_choices, validate_choice=False, option_widget=CheckboxInput()
    )
    for ours, theirs in [
        (inputs.Options("answer", choices, values, multiple=False), bound(radios, values)),
        (inputs.Options("answer", choices, values, multiple=True), bound(checkboxes, values)),
    ]:
        drawn = [(option.id, option.label, option(**attrs)) for option in ours]
        assert drawn == [(option.id, option.label.text, option(**attrs)) for option in theirs]
