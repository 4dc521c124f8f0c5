"""Fill in and send the HTML forms a peer shows, as a browser would."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin

import requests


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms.append({"action": attributes.get("action", ""), "fields": {}})
        elif tag in {"input", "button"} and self.forms and _submitted(attributes):
            self.forms[-1]["fields"][attributes["name"]] = attributes.get("value", "")


def _submitted(attributes: dict[str, str]) -> bool:
    """Named, and not an unchecked box."""
    unchecked = attributes.get("type") in {"checkbox", "radio"} and "checked" not in attributes
    return bool(attributes.get("name")) and not unchecked


def submit_form(
    session: requests.Session, page: requests.Response, index: int = 0, **values: str
) -> requests.Response:
    """Post form number ``index`` of ``page`` with ``values`` filled in; follow redirects."""
    parser = _Forms()
    parser.feed(page.text)
    assert len(parser.forms) > index, f"no form {index} on {page.url}:\n{page.text[:2000]}"
    form = parser.forms[index]
    return session.post(
        urljoin(page.url, form["action"] or page.url), data=form["fields"] | values, timeout=10
    )
