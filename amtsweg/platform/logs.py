"""Structured JSON logs, one line per event, each with the request id.

Only the path of a request is logged, never its query string, body, cookies
or headers: they may hold personal data or secrets. Inside a job, every line
also carries the job's id and whatever the job adds with :func:`log_context`
(the tenant's slug, a submission's reference): never a person's data.
"""

from __future__ import annotations

import logging
import re
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from flask import Flask, Response, g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter

REQUEST_ID_HEADER = "X-Request-Id"
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

access_log = logging.getLogger("amtsweg.access")
_context: ContextVar[dict[str, str]] = ContextVar("amtsweg_log_context", default={})  # noqa: B039 - never mutated, only replaced


@contextmanager
def log_context(**fields: str) -> Iterator[None]:
    """Add ``fields`` to every log line written inside the block (and blocks within)."""
    token = _context.set({**_context.get(), **fields})
    try:
        yield
    finally:
        _context.reset(token)


class RequestIdFilter(logging.Filter):
    """Stamps each line with the request id and the fields of :func:`log_context`."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        for name, value in _context.get().items():
            setattr(record, name, value)
        return True


def json_formatter() -> JsonFormatter:
    """One JSON object per line: time, level, logger, message, request id, extra fields."""
    return JsonFormatter(
        "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
        rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
    )


def configure_logging(level: str) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(json_formatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Werkzeug's own access line carries the query string; ours does not.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)


def _start_request() -> None:
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = incoming if _VALID_REQUEST_ID.match(incoming) else secrets.token_hex(8)
    g.request_started = time.perf_counter()


def _finish_request(response: Response) -> Response:
    response.headers[REQUEST_ID_HEADER] = g.get("request_id", "")
    duration_ms = (time.perf_counter() - g.get("request_started", time.perf_counter())) * 1000
    access_log.info(
        "request",
        extra={
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": round(duration_ms, 1),
        },
    )
    return response


def init_app(app: Flask) -> None:
    app.before_request(_start_request)
    app.after_request(_finish_request)
