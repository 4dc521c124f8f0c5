"""Probes for the orchestrator: ``/healthz`` (alive) and ``/readyz`` (can serve: the database,
the file storage and, where set, Redis answer)."""

from __future__ import annotations

import logging

from flask import Blueprint, Flask, current_app, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from amtsweg.platform.db import db
from amtsweg.platform.jobs import redis_connection
from amtsweg.platform.storage import storage

log = logging.getLogger(__name__)
bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz() -> ResponseReturnValue:
    checks = readiness_checks()
    ready = all(result == "ok" for result in checks.values())
    return jsonify(status="ok" if ready else "unavailable", checks=checks), 200 if ready else 503


def readiness_checks() -> dict[str, str]:
    """What ``/readyz`` (and the ``amtsweg_ready`` metric) reports: "ok" or the problem."""
    checks = {"database": _check_database(), "files": storage().check()}
    if current_app.config["AMTSWEG"].redis_url:
        checks["redis"] = _check_redis()
    return checks


def _check_database() -> str:
    try:
        with db.engine.connect() as connection:
            if connection.dialect.name != "postgresql":
                connection.execute(text("SELECT 1"))
                return "ok"
            superuser, bypass = connection.execute(
                text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
            ).one()
    except SQLAlchemyError as error:
        log.warning("database not reachable: %s", type(error).__name__)
        return "unreachable"
    if (superuser or bypass) and current_app.config["AMTSWEG"].is_production:
        return "the app's database role bypasses row level security"
    return "ok"


def _check_redis() -> str:
    try:
        redis_connection().ping()
    except Exception as error:  # noqa: BLE001 - any failure means "not ready"
        log.warning("redis not reachable: %s", type(error).__name__)
        return "unreachable"
    return "ok"


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
