"""The JSON API under ``/api/v1`` (flask-smorest), with RFC 9457 problem documents.

Areas register their blueprints with :func:`register_blueprint`. Errors are
not answered by flask-smorest's own handler but by the platform's
(:func:`amtsweg.platform.web.handle_http_exception`), so HTML and API share one
error path and the API has one error shape: ``application/problem+json`` with
``errors`` as a list of ``{"pointer": "/json/pointer", "detail": "..."}``.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import Flask, current_app
from flask_smorest import Api, Blueprint

from amtsweg.platform.csrf import csrf
from amtsweg.platform.errors import json_pointer

API_PREFIX = "/api/v1"


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
