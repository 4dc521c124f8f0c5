"""Files handed out for download, named in any alphabet.

A header must be Latin-1 (gunicorn answers a 500 for anything else), and browsers read
a plain ``filename`` in it differently. So a name that is not ASCII goes out twice, as
RFC 6266 and werkzeug's ``send_file`` do it: ``filename*`` in UTF-8 for every browser of
the last decade, and an ASCII approximation in ``filename`` for the rest. Citizens'
files carry names such as "Łódź Meldebescheinigung.pdf"; the clerk downloading one
must get it, by that name.
"""

from __future__ import annotations

import unicodedata
from typing import Any
from urllib.parse import quote

from werkzeug.wrappers import Response


def attachment(body: Any, mimetype: str, filename: str, *, length: int | None = None) -> Response:
    """``body`` as a file to save under ``filename``, never kept by a cache; ``length``
    for a body streamed in chunks whose size is known, so the browser shows progress."""
    response = Response(body, mimetype=mimetype)
    if length is not None:
        response.content_length = length
    response.headers.set("Content-Disposition", "attachment", **_names(filename))
    response.cache_control.private = True
    response.cache_control.no_store = True
    return response


def _names(filename: str) -> dict[str, str]:
    if filename.isascii():
        return {"filename": filename}
    fallback = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    return {"filename": fallback, "filename*": "UTF-8''" + quote(filename, safe="!#$&+^`|~")}
