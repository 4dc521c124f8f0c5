"""Serve a test's app over real HTTP on 127.0.0.1, for peers that need a browser round trip.

The app's sessions share the test's one database connection (and its outer
transaction), so requests are answered one at a time.
"""

from __future__ import annotations

import html
import socket
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response


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
def serving(wsgi_app: Any, port: int, ssl_context: Any = None) -> Iterator[str]:
    """Serve ``wsgi_app`` on 127.0.0.1 (HTTPS with ``ssl_context``); yields its base URL."""
    server = make_server("127.0.0.1", port, wsgi_app, threaded=True, ssl_context=ssl_context)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"{'https' if ssl_context else 'http'}://127.0.0.1:{port}"
    finally:
        server.shutdown()
        thread.join()


def html_page(title: str, body: str, status: int = 200) -> Response:
    """A peer's minimal German HTML page (a heading and ``body``, which must be escaped)."""
    document = (
        '<!doctype html><html lang="de"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head><body><main>"
        f"<h1>{html.escape(title)}</h1>{body}</main></body></html>"
    )
    return Response(document, status=status, mimetype="text/html")


def hang_up(request: Request) -> None:
    """Close the client's connection: the work is done, the answer never arrives."""
    connection: socket.socket = request.environ["werkzeug.socket"]
    connection.shutdown(socket.SHUT_RDWR)
