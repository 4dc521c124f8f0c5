"""Fill in and send the HTML forms a peer shows, as a browser would."""

from __future__ import annotations

from urllib.parse import urljoin

import requests

from tests.html import form_fields, forms


def submit_form(
    session: requests.Session, page: requests.Response, index: int = 0, **values: str
) -> requests.Response:
    """Post form number ``index`` of ``page`` with ``values`` filled in; follow redirects."""
    found = forms(page.text)
    assert len(found) > index, f"no form {index} on {page.url}:\n{page.text[:2000]}"
    form = found[index]
    fields = form_fields(form, buttons=True).to_dict() | values
    return session.post(urljoin(page.url, form.get("action") or page.url), data=fields, timeout=10)
