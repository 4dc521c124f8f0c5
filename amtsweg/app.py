"""The composition root: builds the Flask app and wires every area into it."""

from __future__ import annotations

from typing import Any

from flask import Flask

from amtsweg import delivery, formdefs, payment, submissions, tenants
from amtsweg.platform import (
    api,
    auth,
    csrf,
    devidp,
    fragments,
    health,
    i18n,
    limits,
    logs,
    mail,
    metrics,
    outbox,
    storage,
    web,
)
from amtsweg.platform.config import Settings
from amtsweg.platform.db import Database

# Used only outside production; Settings.check() refuses production without SECRET_KEY.
DEVELOPMENT_SECRET = "development-only-secret-never-used-in-production"  # noqa: S105


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build an app from the environment; ``config`` overrides (tests use it).

    ``config`` may hold ``settings`` (a :class:`Settings`), ``db_bind`` (an
    engine or connection to use instead of ``DATABASE_URL``), and any Flask
    config keys.
    """
    config = dict(config or {})
    settings: Settings = config.pop("settings", None) or Settings.from_env()
    settings.check()
    db_bind = config.pop("db_bind", None)

    app = Flask(__name__, template_folder="platform/templates", static_folder="platform/static")
    app.config.update(
        AMTSWEG=settings,
        SECRET_KEY=settings.secret_key or DEVELOPMENT_SECRET,
        MAX_CONTENT_LENGTH=settings.max_request_bytes,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.is_production,
        SESSION_COOKIE_NAME="amtsweg_session",
        TEMPLATES_AUTO_RELOAD=settings.env == "development",
    )
    app.config.update(config)
    logs.configure_logging(settings.log_level)

    Database(settings.database_url, bind=db_bind).init_app(app)
    for part in (
        logs,
        web,
        csrf,
        i18n,
        fragments,
        api,
        health,
        metrics,
        outbox,
        storage,
        mail,
        auth,
        devidp,
    ):
        part.init_app(app)
    limits.init_app(app)
    for area in (tenants, formdefs, submissions, payment, delivery):
        area.init_app(app)
    return app
