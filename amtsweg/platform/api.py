"""The JSON API under ``/api/v1`` (flask-smorest), with RFC 9457 problem documents.

Areas register their blueprints with :func:`register_blueprint`. Errors are
not answered by flask-smorest's own handler but by the platform's
(:func:`amtsweg.platform.web.handle_http_exception`), so HTML and API share one
error path and the API has one error shape: ``application/problem+json`` with
``errors`` as a list of ``{"pointer": "/json/pointer", "detail": "..."}``.

Request bodies are read by :func:`load_json`, which refuses what the standard
parser would turn into a 500 deeper down: nesting beyond ``MAX_JSON_DEPTH``
(a 10,000-deep array exhausts the recursion limit of the parser or of any
code walking the result) and integers longer than Python converts (a 5,000-digit
number). Areas build their APIs on this module's :class:`Blueprint`, whose
argument parser uses it; ``request.get_json()`` uses it through the app's JSON
provider.
"""

from __future__ import annotations

import json
from typing import Any

import flask_smorest
import marshmallow as ma
from flask import Flask, current_app
from flask.json.provider import DefaultJSONProvider
from flask_babel import gettext
from flask_smorest import Api
from webargs.flaskparser import FlaskParser, abort, is_json_request

from amtsweg.platform.csrf import csrf
from amtsweg.platform.errors import json_pointer

API_PREFIX = "/api/v1"
MAX_JSON_DEPTH = 32
"""Arrays and objects nested deeper than this are refused; answers need a handful."""


class JSONBodyError(json.JSONDecodeError):
    """A request body that is not JSON we accept; the message says why, for a person."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "<request body>", 0)  # webargs takes an empty doc for no body
        self.msg = message


def load_json(data: str | bytes) -> Any:
    """Parse a request body, refusing deep nesting and oversized integers with
    :class:`JSONBodyError` (a ``ValueError``) instead of a ``RecursionError``."""
    try:
        document = json.loads(data)
    except RecursionError:
        raise JSONBodyError(_too_deep_message()) from None
    except UnicodeDecodeError:
        raise JSONBodyError(gettext("The body is not valid UTF-8.")) from None
    except json.JSONDecodeError:
        raise
    except ValueError:  # int() of more digits than sys.get_int_max_str_digits()
        raise JSONBodyError(gettext("A number in the JSON has too many digits.")) from None
    if _too_deep(document):
        raise JSONBodyError(_too_deep_message())
    return document


def _too_deep_message() -> str:
    return gettext("The JSON is nested deeper than %(depth)d levels.", depth=MAX_JSON_DEPTH)


def _too_deep(document: Any) -> bool:
    level: list[Any] = [document]
    for _depth in range(MAX_JSON_DEPTH + 1):
        level = [
            child
            for node in level
            if isinstance(node, dict | list)
            for child in (node.values() if isinstance(node, dict) else node)
        ]
        if not level:
            return False
    return True


class BoundedJSONProvider(DefaultJSONProvider):
    """``request.get_json()`` with :func:`load_json`'s bounds."""

    def loads(self, s: str | bytes, **_kwargs: Any) -> Any:
        return load_json(s)


class BoundedParser(FlaskParser):
    """webargs reading JSON bodies with :func:`load_json`; a refusal is a 400 saying why."""

    def _raw_load_json(self, req: Any) -> Any:
        if not is_json_request(req):
            return ma.missing
        return load_json(req.get_data(cache=True))

    def _handle_invalid_json_error(self, error: Any, *_args: Any, **_kwargs: Any) -> Any:
        message = error.msg if isinstance(error, JSONBodyError) else gettext("Invalid JSON body.")
        abort(400, exc=error, messages={"json": [message]})


class Blueprint(flask_smorest.Blueprint):
    """The blueprint every area's API is built on (bounded JSON bodies)."""

    ARGUMENTS_PARSER = BoundedParser()


class ProblemErrorSchema(ma.Schema):
    """An RFC 9457 problem document (documentation only)."""

    type = ma.fields.String(metadata={"description": "Problem type URI"})
    title = ma.fields.String(metadata={"description": "Short, localized summary"})
    status = ma.fields.Integer(metadata={"description": "HTTP status"})
    detail = ma.fields.String(metadata={"description": "What went wrong, for a person"})
    errors = ma.fields.List(
        ma.fields.Dict(),
        metadata={"description": "One entry per problem: a JSON pointer and a detail"},
    )


class AmtswegApi(Api):
    ERROR_SCHEMA = ProblemErrorSchema

    def _register_error_handlers(self) -> None:
        """The platform's handler answers every error, the API's included."""


def pointer_errors(messages: Any, path: str = "") -> list[dict[str, str]]:
    """Flatten marshmallow/webargs messages into ``{"pointer", "detail"}`` entries."""
    if isinstance(messages, dict):
        entries = []
        for key, value in messages.items():
            if key in {"json", "query", "form", "files", "headers", "path"} and not path:
                entries += pointer_errors(value, "")
            else:
                entries += pointer_errors(value, path + json_pointer(key))
        return entries
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return [{"pointer": path or "/", "detail": message} for message in messages]
    if isinstance(messages, list):
        return [entry for item in messages for entry in pointer_errors(item, path)]
    return [{"pointer": path or "/", "detail": str(messages)}]


def register_blueprint(blueprint: Blueprint, **options: Any) -> None:
    """Add an area's API; bearer tokens authorise it, so it needs no CSRF token."""
    if not isinstance(blueprint, Blueprint):
        raise TypeError(f"{blueprint.name}: build APIs on amtsweg.platform.api.Blueprint")
    csrf.exempt(blueprint)
    current_app.extensions["amtsweg.api"].register_blueprint(blueprint, **options)


def init_app(app: Flask) -> None:
    app.config.update(
        API_TITLE="Amtsweg",
        API_VERSION="v1",
        OPENAPI_VERSION="3.1.0",
        OPENAPI_URL_PREFIX=API_PREFIX,
        OPENAPI_JSON_PATH="openapi.json",
    )
    api = AmtswegApi(
        app,
        spec_kwargs={
            "info": {"description": "Form definitions, tenants and submissions of Amtsweg."},
        },
    )
    api.spec.components.security_scheme(
        "bearer", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    )
    app.extensions["amtsweg.api"] = api
    app.json = BoundedJSONProvider(app)
