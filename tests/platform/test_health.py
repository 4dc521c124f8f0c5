"""Probes: alive, and ready only when the database, the file storage (and Redis, if set) answer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from flask import Flask

from amtsweg.platform.config import Settings
from tests import servers


@pytest.mark.sqlite
def test_healthz_answers(client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


@pytest.mark.sqlite
def test_readyz_checks_the_database(client) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json["checks"] == {"database": "ok", "files": "ok"}


def test_readyz_reports_file_storage_it_cannot_write(
    make_app: Callable[..., Flask], settings: Settings, tmp_path: Path
) -> None:
    """As a pod whose volume is missing: the directory cannot be made where it should be."""
    occupied = tmp_path / "volume"
    occupied.write_text("a file where the volume should be mounted")
    app = make_app(settings=replace(settings, storage_dir=occupied / "files"))
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json == {
        "status": "unavailable",
        "checks": {"database": "ok", "files": "not writable"},
    }


def test_readyz_reports_an_unreachable_redis(
    make_app: Callable[..., Flask], settings: Settings
) -> None:
    app = make_app(
        settings=replace(settings, redis_url=f"redis://127.0.0.1:{servers.free_port()}/0")
    )
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["redis"] == "unreachable"


def test_readyz_checks_a_reachable_redis(
    make_app: Callable[..., Flask], settings: Settings
) -> None:
    with servers.redis_server() as redis_url:
        if redis_url is None:
            servers.unavailable("Redis")
        app = make_app(settings=replace(settings, redis_url=redis_url))
        response = app.test_client().get("/readyz")
    assert response.status_code == 200
    assert response.json["checks"] == {"database": "ok", "files": "ok", "redis": "ok"}


def test_readyz_reports_an_unreachable_database(settings: Settings) -> None:
    from amtsweg.app import create_app

    port = servers.free_port()
    app = create_app(
        {"settings": replace(settings, database_url=f"postgresql+psycopg://x@127.0.0.1:{port}/x")}
    )
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json == {
        "status": "unavailable",
        "checks": {"database": "unreachable", "files": "ok"},
    }
