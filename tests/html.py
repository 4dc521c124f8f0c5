"""Read HTML as a browser does, with one parser for every test: lxml's.

``parse`` gives the document; ``form_fields`` what a form would send as it stands
(checked boxes, selected options, text areas; no file inputs), which is what
"filling in and sending" a page means in the tests.
"""

from __future__ import annotations

import lxml.html
from lxml.html import FormElement, HtmlElement
from werkzeug.datastructures import MultiDict


def parse(html: str) -> HtmlElement:
    return lxml.html.document_fromstring(html)


def forms(html: str) -> list[FormElement]:
    return parse(html).forms


def form_fields(form: FormElement, *, buttons: bool = False) -> MultiDict[str, str]:
    """The fields ``form`` sends as it stands; with ``buttons``, every named button too."""
    fields: MultiDict[str, str] = MultiDict(form.form_values())
    if buttons:
        for button in form.xpath(".//button[@name] | .//input[@type='submit'][@name]"):
            fields.add(button.get("name"), button.get("value", ""))
    return fields
