"""The web shell every area's views stand on.

- :class:`RequestHandler`: Indico's load → check access → process chain.
- Errors: an HTML page for people, an RFC 9457 problem document for the API;
  never a bare 500 page with a traceback.
- Security headers on every response.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any, ClassVar
from urllib.parse import urlsplit

from flask import Flask, Response, after_this_request, current_app, render_template, request
from flask.views import MethodView
from flask_babel import gettext
from sqlalchemy.exc import DataError
from werkzeug.exceptions import (
    BadRequest,
    HTTPException,
    InternalServerError,
    MethodNotAllowed,
    RequestEntityTooLarge,
)
from werkzeug.middleware.proxy_fix import ProxyFix

from amtsweg.platform.api import pointer_errors
from amtsweg.platform.config import Settings
from amtsweg.platform.db import db
from amtsweg.platform.errors import Refusal

log = logging.getLogger(__name__)

PROBLEM_TYPE = "application/problem+json"
API_PREFIX = "/api/"


class RequestHandler(MethodView):
    """Load the objects named in the URL, check access, then process.

    Subclasses override the three steps and call ``super()`` to stack them,
    so a handler for a child object first loads its parent. Anything that
    does not belong to what was loaded is reported as 404, never 403, so the
    existence of another tenant's objects does not leak. The session is
    committed when processing answers with success (below 400) and rolled back
    otherwise, as Warehouse's transaction manager vetoes the commit of an error
    answer: a page that shows a refusal never keeps what a service wrote before
    it refused. A handler that must keep its writes on an error answer (the step
    page keeps the answers it could take beside a 422) sets
    ``keeps_writes_on_error = True``; a raised :class:`Refusal` keeps them when
    it says so (``keeps_writes``: refunds found at a provider and recorded).

    ``HEAD`` is answered by ``get`` (the server drops the body). Handlers of
    pages with personal data set ``personal_data = True``: their answers are
    sent with ``Cache-Control: no-store``, so neither a shared cache nor the
    back button after logging out shows them again.
    """

    personal_data: ClassVar[bool] = False
    keeps_writes_on_error: ClassVar[bool] = False

    def dispatch_request(self, **kwargs: Any) -> Any:
        if self.personal_data:
            after_this_request(_not_to_be_stored)
        self._process_args(**kwargs)
        self._check_access()
        try:
            response = current_app.make_response(self._process())
        except Refusal as refusal:
            _end_transaction(keep=refusal.keeps_writes)
            raise
        except BaseException:
            db.session.rollback()
            raise
        _end_transaction(keep=response.status_code < 400 or self.keeps_writes_on_error)
        return response

    def _process_args(self, **kwargs: Any) -> None:
        """Load what the URL names; ``abort(404)`` when it does not exist."""

    def _check_access(self) -> None:
        """``abort(403)`` or redirect to the login when access is denied."""

    def _process(self) -> Any:
        method = getattr(self, request.method.lower(), None)
        if method is None and request.method == "HEAD":
            method = getattr(self, "get", None)
        if method is None:
            raise MethodNotAllowed
        return method()


def _end_transaction(*, keep: bool) -> None:
    if keep:
        db.session.commit()
    else:
        db.session.rollback()


NOT_TO_BE_STORED = "no-store, private"


def _not_to_be_stored(response: Response) -> Response:
    """``no-store, private``: written as it stands unless the view set a ``Cache-Control``
    of its own (parsing and writing it back costs on every page with personal data)."""
    if "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = NOT_TO_BE_STORED
        return response
    response.cache_control.no_store = True
    response.cache_control.private = True
    return response


def wants_problem_document() -> bool:
    return request.path.startswith(API_PREFIX) or (
        request.accept_mimetypes.best_match(["text/html", "application/json", PROBLEM_TYPE])
        in {"application/json", PROBLEM_TYPE}
    )


ERROR_TITLES = {
    400: lambda: gettext("The request could not be understood"),
    401: lambda: gettext("Login required"),
    403: lambda: gettext("Access denied"),
    404: lambda: gettext("Page not found"),
    405: lambda: gettext("This action is not allowed here"),
    409: lambda: gettext("Conflict"),
    412: lambda: gettext("Changed in the meantime"),
    413: lambda: gettext("The upload is too large"),
    415: lambda: gettext("Unsupported file type"),
    422: lambda: gettext("The input is not valid"),
    428: lambda: gettext("A version check is needed"),
    429: lambda: gettext("Too many requests"),
    500: lambda: gettext("Something went wrong on our side"),
    503: lambda: gettext("The service is temporarily unavailable"),
}


def problem_response(status: int, detail: str = "", errors: Any = None, **extra: Any) -> Response:
    """An RFC 9457 problem document."""
    title = ERROR_TITLES.get(status, ERROR_TITLES[500])()
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    body.update(extra)
    return Response(
        json.dumps(body, ensure_ascii=False, default=str), status=status, mimetype=PROBLEM_TYPE
    )


def handle_http_exception(error: HTTPException) -> Response:
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    detail = data.get("message") or (error.description if status != 500 else "")
    if wants_problem_document():
        errors = data.get("errors") or data.get("messages")
        response = problem_response(
            status, detail=detail or "", errors=pointer_errors(errors) if errors else None
        )
    else:
        response = Response(_error_page(status), status=status)
    for name, value in error.get_headers():
        if name.lower() not in {"content-type", "content-length"}:
            response.headers[name] = value
    return response


def handle_refusal(refusal: Refusal) -> Response:
    """A refused operation: a problem document with each field problem, or an error page."""
    if wants_problem_document():
        response = problem_response(
            refusal.status,
            detail=refusal.detail,
            errors=[problem.as_dict() for problem in refusal.problems] or None,
        )
    else:
        response = Response(_error_page(refusal.status, refusal.detail), status=refusal.status)
    response.headers.update(refusal.headers)
    return response


def _error_page(status: int, detail: str = "") -> str:
    title = ERROR_TITLES.get(status, ERROR_TITLES[500])()
    return render_template("error.html", status=status, title=title, detail=detail)


def handle_unstorable_value(error: DataError) -> Response:
    """A value the database cannot store: with a NUL in what was sent, the sender's mistake.

    No text column can store a NUL. The areas refuse it where they read a text
    and can say which field holds it; this answers for any text they do not
    check, with a 400 saying what to remove instead of a 500. The request's
    transaction rolls back, so nothing of it is kept. Any other such error is ours.
    """
    if not _sent_a_nul():
        return handle_unexpected_error(error)
    db.session.rollback()  # the error page must not meet the failed transaction
    log.warning("refused: a value with a NUL reached the database")
    detail = gettext(
        "What you sent contains a null character (NUL), which cannot be stored. "
        "Please send it again without it."
    )
    return handle_refusal(Refusal(detail, status=400))


def _sent_a_nul() -> bool:
    texts = [
        *(value for values in request.form.listvalues() for value in values),
        *(upload.filename or "" for upload in request.files.values()),
        *_json_texts(request.get_json(silent=True)),
    ]
    return any("\x00" in text for text in texts)


def _json_texts(value: Any) -> Iterator[str]:
    """Every string in a JSON document, names of members included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for name, member in value.items():
            yield name
            yield from _json_texts(member)
    elif isinstance(value, list):
        for item in value:
            yield from _json_texts(item)


def handle_unexpected_error(error: Exception) -> Response:
    log.error("unhandled error", exc_info=error)
    return handle_http_exception(InternalServerError())


CSP_KEY = "AMTSWEG_CONTENT_SECURITY_POLICY"


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def base_content_security_policy(settings: Settings) -> str:
    """No inline script or style, nothing framed; forms post only here and, for the
    logout that continues at the identity provider, to the provider's origin."""
    form_targets = ["'self'"]
    provider = _origin(settings.login_issuer)
    if provider and provider != _origin(settings.public_url):
        form_targets.append(provider)
    return (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        f"form-action {' '.join(form_targets)}; frame-ancestors 'none'; base-uri 'self'; "
        "object-src 'none'"
    )


def content_security_policy(*, media_sources: tuple[str, ...] = ()) -> str:
    """The policy every page gets, optionally allowing video/audio/tracks from more origins."""
    base = current_app.config[CSP_KEY]
    if not media_sources:
        return base
    return f"{base}; media-src 'self' {' '.join(media_sources)}"


SECURITY_HEADERS_KEY = "AMTSWEG_SECURITY_HEADERS"


def security_headers(settings: Settings, policy: str) -> tuple[tuple[str, str], ...]:
    """The headers every response gets unless its view set them itself."""
    headers = [
        ("Content-Security-Policy", policy),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "same-origin"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
    ]
    if settings.env != "development":
        headers.append(("Strict-Transport-Security", "max-age=63072000; includeSubDomains"))
    return tuple(headers)


def add_security_headers(response: Response) -> Response:
    """:func:`security_headers`, built once per app: they depend only on its settings."""
    headers = response.headers
    present = {name.lower() for name in headers.keys()}  # noqa: SIM118 - Headers iterates pairs
    headers.extend(
        (name, value)
        for name, value in current_app.config[SECURITY_HEADERS_KEY]
        if name.lower() not in present
    )
    return response


def refuse_nul_in_the_address() -> None:
    """400 for a NUL anywhere in the path or query: no text column can store it, so it
    would reach the database only to fail there, in whichever area reads the value."""
    if "\x00" in request.path or any("\x00" in value for value in request.args.values()):
        raise BadRequest(gettext("The address contains a character that is not allowed."))


def refuse_oversized_requests() -> None:
    """Answer 413 before routing or reading the body, whatever the endpoint."""
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if request.content_length is not None and request.content_length > limit:
        raise RequestEntityTooLarge


def init_app(app: Flask) -> None:
    if hops := app.config["AMTSWEG"].proxy_hops:
        # The client's address and scheme come from the trusted proxies' X-Forwarded-* headers.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    app.config[CSP_KEY] = base_content_security_policy(app.config["AMTSWEG"])
    app.config[SECURITY_HEADERS_KEY] = security_headers(app.config["AMTSWEG"], app.config[CSP_KEY])
    app.before_request(refuse_oversized_requests)
    app.before_request(refuse_nul_in_the_address)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Refusal, handle_refusal)
    app.register_error_handler(DataError, handle_unstorable_value)
    app.register_error_handler(Exception, handle_unexpected_error)
    app.after_request(add_security_headers)
