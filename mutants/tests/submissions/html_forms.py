"""Read a step's form as a browser would send it: every value it currently shows."""

from __future__ import annotations

from html.parser import HTMLParser

from werkzeug.datastructures import MultiDict


class StepFormValues(HTMLParser):
    """The values of the form with class ``amtsweg-step`` (inputs, selects, text areas)."""

    def __init__(self) -> None:
        super().__init__()
        self.values: MultiDict[str, str] = MultiDict()
        self.action = ""
        self._inside = False
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {name: value or "" for name, value in attrs}
        if tag == "form" and "amtsweg-step" in a.get("class", ""):
            self._inside, self.action = True, a.get("action", "")
        elif not self._inside:
            return
        elif tag == "input" and a.get("name") and a.get("type") not in {"file", "submit"}:
            if a.get("type") in {"checkbox", "radio"} and "checked" not in a:
                return
            self.values.add(a["name"], a.get("value", "on"))
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and "selected" in a:
            self.values.add(self._select, a.get("value", ""))
        elif tag == "textarea":
            self._textarea = a.get("name")
            self.values.add(self._textarea, "")

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.values.setlist(self._textarea, [self.values[self._textarea] + data])

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def step_values(html: str) -> tuple[str, MultiDict[str, str]]:
    """(action, values) of the step form in ``html``."""
    parser = StepFormValues()
    parser.feed(html)
    assert parser.action or parser.values, "the page has no step form"
    return parser.action.replace("&amp;", "&"), parser.values
