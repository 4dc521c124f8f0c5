"""What a browser saves a download as."""

from __future__ import annotations

from werkzeug.http import parse_options_header
from werkzeug.test import TestResponse


def saved_name(response: TestResponse) -> str:
    """The file name the browser offers to save, read as browsers read it (``filename*``
    first); the header must be Latin-1, or gunicorn sends a 500 instead."""
    header = response.headers["Content-Disposition"]
    header.encode("latin-1")
    disposition, options = parse_options_header(header)
    assert disposition == "attachment"
    return options["filename"]
