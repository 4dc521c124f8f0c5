"""Form steps as a citizen and a screen reader meet them: labels, hints, errors, fieldsets.

Pages are parsed with the standard library's ``html.parser`` into a small tree,
and the assertions read it the way assistive technology does: which label
names an input, what ``aria-describedby`` points at, where the error summary
links go, which fieldset and legend an option sits in.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import pytest
from flask import Flask, render_template_string
from werkzeug.datastructures import MultiDict

from amtsweg.formdefs.engine import FormDefinition, catalogue_documents, compile_definition
from amtsweg.formdefs.engine import validate_step as engine_validate_step
from amtsweg.formdefs.rendering import (
    CONTINUE,
    REFRESH,
    StepAction,
    StepForm,
    answers_from_formdata,
    apply_action,
    build_step_form,
    csrf_valid,
    formdata_from_answers,
    locked_fields,
    path_to_name,
    read_action,
)
from tests.formdefs.builders import TEXT, TODAY, compiled, options
from tests.formdefs.builders import field as field_doc

VOID = frozenset({"input", "br", "img", "meta", "link", "hr"})
CONTROLS = frozenset({"input", "select", "textarea"})
CATALOGUE = {name.removesuffix(".json"): doc for name, doc in catalogue_documents()}
STEPS = [(slug, step["id"]) for slug, doc in CATALOGUE.items() for step in doc["steps"]]


# --- a tiny DOM -------------------------------------------------------------------------------


@dataclass(eq=False)
class Element:
    tag: str
    attrs: dict[str, str]
    parent: Element | None = None
    children: list[Element | str] = field(default_factory=list)

    def __getitem__(self, name: str) -> str:
        return self.attrs[name]

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.attrs.get(name, default)

    @property
    def text(self) -> str:
        parts = (child if isinstance(child, str) else child.text for child in self.children)
        return " ".join(" ".join(parts).split())

    def iter(self) -> Iterator[Element]:
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.iter()

    def find_all(self, tag: str | None = None, **attrs: str) -> list[Element]:
        return [
            element
            for element in self.iter()
            if (tag is None or element.tag == tag)
            and all(element.get(name.rstrip("_")) == value for name, value in attrs.items())
        ]

    def ancestors(self) -> Iterator[Element]:
        node = self.parent
        while node is not None:
            yield node
            node = node.parent


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.current = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {name: value or "" for name, value in attrs}, self.current)
        self.current.children.append(element)
        if tag not in VOID:
            self.current = element

    def handle_endtag(self, tag: str) -> None:
        node: Element | None = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        assert node is not None, f"</{tag}> closes nothing"
        self.current = node.parent or self.root

    def handle_data(self, data: str) -> None:
        self.current.children.append(data)


@dataclass
class Page:
    html: str
    root: Element

    def by_id(self, element_id: str) -> Element:
        found = [element for element in self.root.iter() if element.get("id") == element_id]
        assert len(found) == 1, f"{len(found)} elements with id {element_id!r}"
        return found[0]

    def has_id(self, element_id: str) -> bool:
        return any(element.get("id") == element_id for element in self.root.iter())

    def inputs(self) -> list[Element]:
        return [
            element
            for element in self.root.iter()
            if element.tag in CONTROLS and element.get("type") not in {"hidden", "submit"}
        ]

    def label_of(self, control: Element) -> str:
        labels = self.root.find_all("label", for_=control["id"])
        assert len(labels) == 1, f"{len(labels)} labels for {control['id']!r}"
        return labels[0].text

    def described_by(self, control: Element) -> list[Element]:
        return [self.by_id(ref) for ref in (control.get("aria-describedby") or "").split()]

    def summary_links(self) -> list[Element]:
        summary = self.root.find_all(role="alert")
        return summary[0].find_all("a") if summary else []

    def buttons(self, value_prefix: str = "") -> list[Element]:
        return [
            button
            for button in self.root.find_all("button", name="_action")
            if button["value"].startswith(value_prefix)
            and "amtsweg-default-action" not in button.get("class", "")
        ]


def parse(html: str) -> Page:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return Page(html, builder.root)


def legend_of(element: Element) -> str:
    fieldset = next(node for node in element.ancestors() if node.tag == "fieldset")
    legends = [child for child in fieldset.children if isinstance(child, Element)]
    assert legends, "a fieldset is never empty"
    assert legends[0].tag == "legend", "a fieldset starts with its legend"
    return legends[0].text


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def forms() -> dict[str, FormDefinition]:
    return {slug: compile_definition(doc) for slug, doc in CATALOGUE.items()}


@pytest.fixture
def hunde(forms: dict[str, FormDefinition]) -> FormDefinition:
    return forms["hundesteuer-anmeldung"]


@dataclass
class Rendered:
    form: StepForm
    page: Page


def render(
    app: Flask,
    definition: FormDefinition,
    step: str,
    answers: dict[str, Any] | None = None,
    *,
    show_errors: bool = True,
    locale: str = "de",
    locked: frozenset[str] = frozenset(),
    meta: dict[str, Any] | None = None,
) -> Rendered:
    answers = answers or {}
    headers = {"Accept-Language": locale}
    with app.test_request_context(headers=headers):
        evaluation = engine_validate_step(definition, answers, step, locale=locale, today=TODAY)
        form = build_step_form(
            definition,
            step,
            answers=answers,
            evaluation=evaluation,
            locale=locale,
            errors=evaluation.errors if show_errors else (),
            locked=locked,
            meta=meta,
        )
        html = render_template_string(
            '{% from "formdefs/_step.html" import step_form %}{{ step_form(form) }}', form=form
        )
    return Rendered(form, parse(html))


def post(definition: FormDefinition, step: str, pairs: list[tuple[str, str]], previous=None):
    """What the journey does with a post: answers, then the pressed button's action."""
    formdata = MultiDict(pairs)
    the_step = definition.step(step)
    answers = answers_from_formdata(the_step, formdata, previous)
    action = read_action(the_step, formdata)
    return apply_action(the_step, answers, action), action


# --- what every step of the catalogue must give a screen reader --------------------------------


@pytest.mark.parametrize(("slug", "step"), STEPS)
def test_every_input_has_exactly_one_label_and_a_unique_id(app, forms, slug, step) -> None:
    page = render(app, forms[slug], step).page
    ids = [element["id"] for element in page.root.iter() if element.get("id")]
    assert len(ids) == len(set(ids))
    for control in page.inputs():
        assert page.label_of(control)


@pytest.mark.parametrize(("slug", "step"), STEPS)
def test_error_summary_links_to_inputs_that_exist(app, forms, slug, step) -> None:
    rendered = render(app, forms[slug], step)
    links = rendered.page.summary_links()
    assert len(links) == len(rendered.form.summary)
    for link in links:
        target = rendered.page.by_id(link["href"].removeprefix("#"))
        assert target.tag in {"input", "select", "textarea", "button"}


@pytest.mark.parametrize(("slug", "step"), STEPS)
def test_describedby_points_at_hints_and_errors_that_exist(app, forms, slug, step) -> None:
    page = render(app, forms[slug], step).page
    described = [element for element in page.root.iter() if element.get("aria-describedby")]
    for element in described:
        assert all(target.text for target in page.described_by(element))
    for invalid in page.root.find_all(**{"aria-invalid": "true"}):
        if invalid.get("type") not in {"radio", "checkbox"}:
            assert any("kern-error" in t.get("class", "") for t in page.described_by(invalid))


@pytest.mark.parametrize(("slug", "step"), STEPS)
def test_options_sit_in_a_fieldset_with_a_legend(app, forms, slug, step) -> None:
    page = render(app, forms[slug], step).page
    for option in page.inputs():
        if option.get("type") in {"radio", "checkbox"} and option["id"] != option["name"]:
            assert legend_of(option)


# --- the error summary and messages ------------------------------------------------------------


def test_error_summary_is_an_alert_with_a_heading_that_can_take_focus(app, hunde) -> None:
    page = render(app, hunde, "halter").page
    summary = page.root.find_all(role="alert")[0]
    assert summary["tabindex"] == "-1"
    assert page.by_id(summary["aria-labelledby"]).tag == "h2"
    assert page.by_id(summary["aria-labelledby"]).text == "Es gibt ein Problem"
    assert [link["href"] for link in page.summary_links()] == [
        "#vorname",
        "#nachname",
        "#geburtsdatum",
        "#anschrift-street",
        "#email",
    ]


def test_an_error_in_an_address_part_is_shown_at_that_part(app, hunde) -> None:
    address = {"street": "Hauptstraße", "house_number": "1", "zip": "123", "city": "Musterstadt"}
    rendered = render(app, hunde, "halter", {"anschrift": address})
    page = rendered.page
    zip_input = page.by_id("anschrift-zip")
    assert zip_input["aria-invalid"] == "true"
    assert "fünf Ziffern" in page.by_id("anschrift-zip-error").text
    assert "#anschrift-zip" in [link["href"] for link in page.summary_links()]
    assert page.label_of(zip_input) == "Postleitzahl"
    assert legend_of(zip_input) == "Anschrift"
    assert page.by_id("anschrift-street").get("aria-invalid") is None


def test_an_error_in_a_group_item_names_the_item(app, hunde) -> None:
    items = [{"name": "Bello", "rasse": "dackel", "gefaehrlich": "no"}, {"name": "Rex"}]
    page = render(app, hunde, "hunde", {"hunde": items}).page
    texts = {link["href"]: link.text for link in page.summary_links()}
    assert texts["#hunde-1-rasse"] == "Rasse (Hund 2): Bitte füllen Sie dieses Feld aus."
    assert "#hunde-0-name" not in texts


def test_a_group_with_too_few_items_links_to_the_add_button(app, hunde) -> None:
    page = render(app, hunde, "hunde", {"hunde": []}).page
    assert [link["href"] for link in page.summary_links()] == ["#hunde-add"]
    assert "mindestens 1" in page.by_id("hunde-error").text
    assert legend_of(page.by_id("hunde-add")) == "Angemeldete Hunde"


def test_without_errors_there_is_no_summary_and_nothing_is_invalid(app, hunde) -> None:
    rendered = render(app, hunde, "halter", show_errors=False)
    assert not rendered.form.has_errors
    assert rendered.page.root.find_all(role="alert") == []
    assert rendered.page.root.find_all(**{"aria-invalid": "true"}) == []


# --- fieldsets, legends, labels ----------------------------------------------------------------


def test_address_parts_sit_in_a_fieldset_named_by_the_question(app, forms) -> None:
    page = render(app, forms["gewerbeanmeldung"], "inhaber", show_errors=False).page
    parts = ["street", "house_number", "zip", "city", "country"]
    for part in parts:
        assert legend_of(page.by_id(f"wohnanschrift-{part}")) == "Wohnanschrift"
    autocomplete = {part: page.by_id(f"wohnanschrift-{part}").get("autocomplete") for part in parts}
    assert autocomplete == {
        "street": "address-line1",
        "house_number": None,
        "zip": "postal-code",
        "city": "address-level2",
        "country": "country",
    }


def test_a_german_only_address_has_no_country_input(app, hunde) -> None:
    page = render(app, hunde, "halter", show_errors=False).page
    assert not page.has_id("anschrift-country")


def test_yes_no_questions_are_radio_buttons_in_a_fieldset(app, hunde) -> None:
    page = render(app, hunde, "zahlung", show_errors=False).page
    yes, no = page.by_id("lastschrift-0"), page.by_id("lastschrift-1")
    assert (yes["type"], yes["value"], page.label_of(yes)) == ("radio", "yes", "Ja")
    assert (no["value"], page.label_of(no)) == ("no", "Nein")
    assert legend_of(yes).startswith("Möchten Sie der Gemeinde ein SEPA-Lastschriftmandat")


def test_group_items_are_fieldsets_with_numbered_legends(app, hunde) -> None:
    page = render(app, hunde, "hunde", {"hunde": [{}, {}]}, show_errors=False).page
    assert legend_of(page.by_id("hunde-0-name")) == "Hund 1"
    assert legend_of(page.by_id("hunde-1-name")) == "Hund 2"
    assert page.label_of(page.by_id("hunde-1-name")) == "Rufname"


def test_optional_questions_say_so_in_text_and_required_ones_are_marked(app, hunde) -> None:
    page = render(app, hunde, "halter", show_errors=False).page
    assert page.label_of(page.by_id("telefon")) == "Telefon (für Rückfragen) (optional)"
    assert page.by_id("telefon").get("aria-required") is None
    assert page.label_of(page.by_id("email")) == "E-Mail"
    assert page.by_id("email")["aria-required"] == "true"
    assert "nicht mit „(optional)“ gekennzeichnet" in page.html


def test_input_types_and_autocomplete_follow_the_field_type(app, hunde) -> None:
    page = render(app, hunde, "halter", show_errors=False).page
    kinds = {name: page.by_id(name).get("type") for name in ("email", "telefon", "geburtsdatum")}
    assert kinds == {"email": "email", "telefon": "tel", "geburtsdatum": "date"}
    assert page.by_id("email")["autocomplete"] == "email"
    assert page.by_id("geburtsdatum")["autocomplete"] == "bday"
    assert page.by_id("vorname")["autocomplete"] == "given-name"


def test_every_kind_of_field_renders_with_kern_classes(app) -> None:
    definition = compiled(
        field_doc("notiz", "info", text={"de": "Bitte lesen.", "en": "Please read."}),
        field_doc("flaeche", "number", unit="m²", required=True),
        field_doc("anzahl", "integer"),
        field_doc("text", "textarea", help={"de": "Kurz bitte.", "en": "Briefly."}),
        field_doc("konto", "iban"),
        field_doc("farben", "checkboxes", options=options("rot", "blau")),
        field_doc("groesse", "radio", options=options("s", "m")),
        field_doc("art", "select", options=options("a", "b")),
        field_doc("okay", "declaration"),
    )
    answers = {"flaeche": "12,5", "farben": ["blau"], "art": "b", "okay": True}
    page = render(app, definition, "main", answers, show_errors=False).page
    assert "Bitte lesen." in page.root.find_all(class_="kern-alert kern-alert--info")[0].text
    assert page.by_id("flaeche")["inputmode"] == "decimal"
    assert page.by_id("flaeche-unit").text == "m²"
    assert page.by_id("flaeche")["aria-describedby"] == "flaeche-unit"
    assert page.by_id("anzahl")["inputmode"] == "numeric"
    assert page.by_id("text").tag == "textarea"
    assert page.by_id("text")["aria-describedby"] == "text-hint"
    assert page.by_id("konto")["autocomplete"] == "off"
    assert page.by_id("farben-1").get("checked") == ""
    assert page.by_id("farben-0").get("checked") is None
    assert page.by_id("farben-0")["class"] == "kern-form-check__checkbox"
    assert page.by_id("groesse-0")["class"] == "kern-form-check__radio"
    assert page.by_id("art")["class"] == "kern-form-input__select"
    selected = page.by_id("art").find_all("option", value="b")[0]
    assert selected.get("selected") == ""
    assert page.by_id("okay")["type"] == "checkbox"
    assert page.by_id("okay").get("checked") == ""
    assert page.label_of(page.by_id("okay")) == "Text"


def test_labels_and_ui_texts_follow_the_locale(app, hunde) -> None:
    page = render(app, hunde, "halter", locale="en").page
    assert page.label_of(page.by_id("nachname")) == "Family name"
    assert page.label_of(page.by_id("anschrift-zip")) == "Postcode"
    assert page.by_id(page.root.find_all(role="alert")[0]["aria-labelledby"]).text == (
        "There is a problem"
    )
    assert page.by_id("nachname-error").text == "Error: Please fill in this field."


# --- visibility, locking, escaping, files --------------------------------------------------------


def test_hidden_fields_are_not_rendered(app, hunde) -> None:
    without = render(app, hunde, "zahlung", {"lastschrift": "no"}).page
    assert not without.has_id("kontoinhaber")
    assert not without.has_id("iban")
    with_mandate = render(app, hunde, "zahlung", {"lastschrift": "yes"}).page
    assert with_mandate.by_id("iban")["autocomplete"] == "off"
    assert with_mandate.by_id("kontoinhaber")


def test_hidden_fields_of_a_group_item_are_not_rendered(app, hunde) -> None:
    items = [{"rasse": "dackel"}, {"rasse": "sonstige", "gefaehrlich": "yes"}]
    page = render(app, hunde, "hunde", {"hunde": items}, show_errors=False).page
    assert not page.has_id("hunde-0-rasse_sonstige")
    assert not page.has_id("hunde-0-erlaubnis")
    assert page.label_of(page.by_id("hunde-1-rasse_sonstige")) == "Rasse (Bezeichnung)"
    assert page.by_id("hunde-1-erlaubnis")["type"] == "file"


def test_a_step_with_conditions_offers_to_update_the_questions(app, hunde) -> None:
    assert render(app, hunde, "zahlung", show_errors=False).page.buttons("refresh")
    assert not render(app, hunde, "halter", show_errors=False).page.buttons("refresh")


def test_locked_fields_are_read_only_and_say_why(app, hunde) -> None:
    claims = {"given_name": "Anna", "family_name": "Muster"}
    locked = locked_fields(hunde, claims)
    assert locked == {"vorname", "nachname"}
    page = render(app, hunde, "halter", {"vorname": "Anna"}, locked=locked).page
    vorname = page.by_id("vorname")
    assert "readonly" in vorname.attrs
    assert vorname["value"] == "Anna"
    assert "Bürgerkonto" in page.described_by(vorname)[0].text
    assert "readonly" not in page.by_id("email").attrs


def test_a_locked_field_without_its_claim_stays_editable(hunde) -> None:
    assert locked_fields(hunde, {"email": "a@example.org"}) == frozenset()


def test_answers_with_markup_are_shown_as_inert_text(app, hunde) -> None:
    script = '<script>alert("x")</script>'
    page = render(app, hunde, "hunde", {"hunde": [{"name": script}]}).page
    assert page.root.find_all("script") == []
    assert page.by_id("hunde-0-name")["value"] == script
    assert "&lt;script&gt;" in page.html


def test_file_inputs_list_uploads_and_make_the_form_multipart(app, hunde) -> None:
    upload = {"name": "erlaubnis.pdf", "mime": "application/pdf", "size": 100, "token": "t"}
    items = [{"name": "Rex", "gefaehrlich": "yes", "erlaubnis": [upload]}]
    page = render(app, hunde, "hunde", {"hunde": items}, show_errors=False).page
    file_input = page.by_id("hunde-0-erlaubnis")
    assert file_input["accept"] == "application/pdf,image/jpeg,image/png"
    described = " ".join(target.text for target in page.described_by(file_input))
    assert "erlaubnis.pdf" in described
    assert "10 MB" in described
    assert page.root.find_all("form")[0]["enctype"] == "multipart/form-data"


# --- buttons: add, remove, continue ------------------------------------------------------------


def test_add_and_remove_buttons_change_the_number_of_items(app, hunde) -> None:
    first = render(app, hunde, "hunde", show_errors=False)
    assert [b["value"] for b in first.page.buttons("add")] == ["add:hunde"]
    assert first.page.buttons("remove") == []  # one item is the minimum

    answers, action = post(
        hunde,
        "hunde",
        [("hunde-items", "1"), ("hunde-0-name", "Bello"), ("_action", "add:hunde")],
    )
    assert action == StepAction("add", "hunde")
    assert not action.shows_errors
    second = render(app, hunde, "hunde", answers, show_errors=False).page
    assert second.by_id("hunde-0-name")["value"] == "Bello"
    assert legend_of(second.by_id("hunde-1-name")) == "Hund 2"
    assert [b["value"] for b in second.buttons("remove")] == ["remove:hunde:0", "remove:hunde:1"]
    assert second.buttons("remove")[0].text == "Hund 1 entfernen"

    answers, _ = post(
        hunde,
        "hunde",
        [
            ("hunde-items", "2"),
            ("hunde-0-name", "Bello"),
            ("hunde-1-name", "Rex"),
            ("_action", "remove:hunde:0"),
        ],
    )
    third = render(app, hunde, "hunde", answers, show_errors=False).page
    assert third.by_id("hunde-0-name")["value"] == "Rex"
    assert not third.has_id("hunde-1-name")


def test_no_add_button_once_the_group_is_full(app, hunde) -> None:
    page = render(app, hunde, "hunde", {"hunde": [{}] * 10}, show_errors=False).page
    assert page.buttons("add") == []
    answers = apply_action(hunde.step("hunde"), {"hunde": [{}] * 10}, StepAction("add", "hunde"))
    assert len(answers["hunde"]) == 10


def test_enter_in_a_text_box_continues_rather_than_removing_an_item(app, hunde) -> None:
    page = render(app, hunde, "hunde", {"hunde": [{}, {}]}, show_errors=False).page
    first_button = page.root.find_all("button")[0]
    assert first_button["value"] == "continue"
    assert first_button["tabindex"] == "-1"


@pytest.mark.parametrize(
    ("posted", "expected"),
    [
        ("", CONTINUE),
        ("continue", CONTINUE),
        ("refresh", REFRESH),
        ("add:hunde", StepAction("add", "hunde")),
        ("remove:hunde:3", StepAction("remove", "hunde", 3)),
        ("remove:hunde:x", CONTINUE),
        ("add:nosuchgroup", CONTINUE),
        ("remove:halter:0", CONTINUE),
        ("drop:hunde", CONTINUE),
    ],
)
def test_reading_the_pressed_button(hunde, posted, expected) -> None:
    assert read_action(hunde.step("hunde"), MultiDict({"_action": posted})) == expected


def test_removing_an_item_that_does_not_exist_changes_nothing(hunde) -> None:
    step = hunde.step("hunde")
    answers = {"hunde": [{"name": "Rex"}]}
    assert apply_action(step, answers, StepAction("remove", "hunde", 5)) == answers
    assert apply_action(step, answers, CONTINUE) == answers


# --- posted data ⇄ answers ---------------------------------------------------------------------


GEWERBE_POST = [
    ("familienname", "Muster"),
    ("vornamen", "Erika"),
    ("geburtsname", ""),
    ("geburtsdatum", "1980-02-29"),
    ("geburtsort", "Köln, Deutschland"),
    ("staatsangehoerigkeit", "AT"),
    ("wohnanschrift-street", "Hauptstraße"),
    ("wohnanschrift-house_number", "5a"),
    ("wohnanschrift-zip", "1010"),
    ("wohnanschrift-city", "Wien"),
    ("wohnanschrift-country", "AT"),
    ("telefon", "0221 12345"),
    ("email", "erika@example.org"),
]


def test_posted_data_becomes_answers_and_back(forms) -> None:
    step = forms["gewerbeanmeldung"].step("inhaber")
    answers = answers_from_formdata(step, MultiDict(GEWERBE_POST))
    assert answers["wohnanschrift"] == {
        "street": "Hauptstraße",
        "house_number": "5a",
        "zip": "1010",
        "city": "Wien",
        "country": "AT",
    }
    assert answers["aufenthaltstitel"] is None  # a file: kept from earlier answers, here none
    assert answers["geburtsname"] == ""
    assert sorted(formdata_from_answers(step, answers).items(multi=True)) == sorted(GEWERBE_POST)


def test_group_items_become_a_list_of_answers_and_back(hunde) -> None:
    posted = [
        ("hunde-items", "2"),
        ("hunde-0-name", "Bello"),
        ("hunde-0-rasse", "dackel"),
        ("hunde-0-gefaehrlich", "no"),
        ("hunde-1-name", "Rex"),
        ("hunde-1-rasse", "sonstige"),
        ("hunde-1-rasse_sonstige", "Pudelmix"),
        ("hunde-1-geburtsdatum", "2020-05-01"),
    ]
    step = hunde.step("hunde")
    answers = answers_from_formdata(step, MultiDict([*posted, ("_action", "continue")]))
    assert answers["hunde"][0]["rasse"] == "dackel"
    assert answers["hunde"][1]["rasse_sonstige"] == "Pudelmix"
    assert answers["hunde"][0]["geburtsdatum"] is None
    assert sorted(formdata_from_answers(step, answers).items(multi=True)) == sorted(posted)


def test_posting_keeps_other_steps_and_earlier_uploads(hunde) -> None:
    upload = {"name": "a.pdf", "mime": "application/pdf", "size": 1, "token": "t"}
    previous = {"vorname": "Anna", "hunde": [{"name": "Rex", "erlaubnis": [upload]}]}
    posted = MultiDict([("hunde-items", "1"), ("hunde-0-name", "Rex II")])
    answers = answers_from_formdata(hunde.step("hunde"), posted, previous)
    assert answers["vorname"] == "Anna"
    assert answers["hunde"][0] == {
        "name": "Rex II",
        "rasse": None,
        "rasse_sonstige": None,
        "geburtsdatum": None,
        "gehalten_seit": None,
        "gefaehrlich": None,
        "erlaubnis": [upload],
        "chipnummer": None,
    }
    assert previous["hunde"][0]["name"] == "Rex"


@pytest.mark.parametrize("count", ["-3", "x", "", "1000"])
def test_a_forged_item_count_is_bounded(hunde, count) -> None:
    posted = MultiDict([("hunde-items", count)])
    items = answers_from_formdata(hunde.step("hunde"), posted)["hunde"]
    assert len(items) == (10 if count == "1000" else 0)


def test_cleaned_answers_show_as_a_browser_would_post_them(hunde) -> None:
    step = hunde.step("zahlung")
    answers = {"lastschrift": True, "kontoinhaber": "Anna", "bestaetigung": True}
    assert formdata_from_answers(step, answers) == MultiDict(
        [("lastschrift", "yes"), ("kontoinhaber", "Anna"), ("bestaetigung", "yes")]
    )
    assert formdata_from_answers(step, {"lastschrift": False, "bestaetigung": False}) == MultiDict(
        [("lastschrift", "no")]
    )


def test_a_typed_german_date_shows_in_the_date_input(hunde) -> None:
    step = hunde.step("halter")
    assert formdata_from_answers(step, {"geburtsdatum": "1.2.1990"})["geburtsdatum"] == (
        "1990-02-01"
    )
    assert formdata_from_answers(step, {"geburtsdatum": "31.02.1990"})["geburtsdatum"] == (
        "31.02.1990"
    )


def test_posted_answers_are_what_the_engine_validates(app, hunde) -> None:
    """One set of rules: the engine cleans the strings the form posts."""
    posted = MultiDict(
        [
            ("lastschrift", "yes"),
            ("kontoinhaber", "Anna Muster"),
            ("iban", "DE89 3704 0044 0532 0130 00"),
            ("bestaetigung", "yes"),
        ]
    )
    answers = answers_from_formdata(hunde.step("zahlung"), posted)
    evaluation = engine_validate_step(hunde, answers, "zahlung", today=TODAY)
    assert evaluation.ok
    assert evaluation.cleaned["iban"] == "DE89370400440532013000"
    assert evaluation.cleaned["bestaetigung"] is True


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("email", "email"),
        ("anschrift.zip", "anschrift-zip"),
        ("hunde[1].rasse", "hunde-1-rasse"),
        ("hunde[0].erlaubnis[2]", "hunde-0-erlaubnis-2"),
    ],
)
def test_error_paths_name_inputs(path, name) -> None:
    assert path_to_name(path) == name


# --- CSRF --------------------------------------------------------------------------------------


def test_the_form_carries_a_csrf_token_that_a_post_must_return(app, hunde) -> None:
    with app.test_request_context():
        evaluation = engine_validate_step(hunde, {}, "halter", today=TODAY)
        form = build_step_form(hunde, "halter", answers={}, evaluation=evaluation, locale="de")
        html = render_template_string(
            '{% from "formdefs/_step.html" import step_form %}{{ step_form(form) }}', form=form
        )
        token = parse(html).by_id("csrf_token")["value"]
        assert csrf_valid(MultiDict([("csrf_token", token)]))
        assert not csrf_valid(MultiDict([("csrf_token", "forged")]))
        assert not csrf_valid(MultiDict())
        assert csrf_valid(MultiDict(), meta={"csrf": False})


def test_csrf_can_be_switched_off(app, hunde) -> None:
    page = render(app, hunde, "halter", meta={"csrf": False}).page
    assert not page.has_id("csrf_token")


def test_a_minimal_definition_renders_its_fields_in_order(app) -> None:
    definition = compiled(field_doc("a", "text"), field_doc("b", "email", label=TEXT))
    page = render(app, definition, "main", show_errors=False).page
    assert [control["id"] for control in page.inputs()] == ["a", "b"]
