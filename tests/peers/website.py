"""A municipality's own website: a real HTTP server whose imprint and privacy pages answer.

``/impressum`` and ``/datenschutz`` answer 200, ``/weiter`` redirects to ``/impressum``,
everything else is a 404. The fixture ``municipality_website`` yields its base URL.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class _Pages(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/weiter":
            self.send_response(302)
            self.send_header("Location", "/impressum")
        else:
            self.send_response(200 if self.path in {"/impressum", "/datenschutz"} else 404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def municipality_website() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
