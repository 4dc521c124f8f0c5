"""Serve a test's app over real HTTP on 127.0.0.1, for peers that need a browser round trip.

The app's sessions share the test's one database connection (and its outer
transaction), so requests are answered one at a time.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from werkzeug.serving import make_server


class OneAtATime:
    """A WSGI wrapper that answers one request at a time, body included."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        with self.lock:
            body = self.app(environ, start_response)
            try:
                return [b"".join(body)]
            finally:
                if hasattr(body, "close"):  # WSGI: closes the static files the app opened
                    body.close()


@contextmanager
def live_server(app: Flask, port: int) -> Iterator[str]:
    """Serve ``app`` on ``port`` (its settings' ``public_url`` names the same port)."""
    with serving(OneAtATime(app), port) as url:
        yield url


@contextmanager
def serving(wsgi_app: Any, port: int) -> Iterator[str]:
    server = make_server("127.0.0.1", port, wsgi_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        thread.join()
