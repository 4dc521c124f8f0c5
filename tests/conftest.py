"""Test fixtures: a database built by the real migrations, apps, clients, factories.

PostgreSQL (the default): one fresh database per test run, migrated as an
owner role; the app connects as a separate role that owns nothing and cannot
bypass Row Level Security, exactly as in production. Each test runs inside an
outer transaction that is rolled back afterwards.

SQLite (``AMTSWEG_TEST_DATABASE=sqlite``, for the tests marked ``sqlite``):
one migrated file per run, copied for every test.
"""

from __future__ import annotations

import os
import shutil
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection, Engine, create_engine

from amtsweg.app import create_app
from amtsweg.platform import migrations
from amtsweg.platform.config import Settings
from amtsweg.platform.db import db
from amtsweg.tenants import service as tenants
from amtsweg.tenants.models import Tenant
from tests import servers
from tests.login import log_in  # noqa: F401
from tests.peers.smtp import smtp_server  # noqa: F401
from tests.peers.website import municipality_website  # noqa: F401

OWNER_ROLE = "amtsweg_test_owner"
APP_ROLE = "amtsweg_test_app"
USE_SQLITE = os.environ.get("AMTSWEG_TEST_DATABASE") == "sqlite"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if USE_SQLITE:
        for item in items:
            if item.get_closest_marker("sqlite") is None:
                item.add_marker(pytest.mark.skip(reason="runs on PostgreSQL only"))
    _long_files_first(items)


def _long_files_first(items: list[pytest.Item]) -> None:
    """Order the files for the parallel run: those marked ``long`` first, then the largest.

    ``make test`` hands out whole files in this order (``--no-loadscope-reorder``). Left
    to pytest-xdist, a file of one long test came last and ran alone on one worker for
    its minutes while the other worker had finished.
    """
    tests_in = Counter(item.path for item in items)
    long_files = {item.path for item in items if item.get_closest_marker("long")}
    items.sort(key=lambda item: (item.path not in long_files, -tests_in[item.path]))


class TestDatabase:
    """Where the tests' database lives and how to reach it as owner and as app."""

    def __init__(self, owner_url: str, app_url: str) -> None:
        self.owner_url = owner_url
        self.app_url = app_url

    @property
    def is_postgres(self) -> bool:
        return self.app_url.startswith("postgresql")


def _migrate(settings: Settings) -> None:
    app = create_app({"settings": settings})
    with app.app_context():
        migrations.upgrade()


@pytest.fixture(scope="session")
def test_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestDatabase]:
    if USE_SQLITE:
        template = tmp_path_factory.mktemp("sqlite") / "template.sqlite"
        url = f"sqlite:///{template}"
        _migrate(Settings(env="test", database_url=url))
        yield TestDatabase(url, url)
        return
    with scratch_postgres(Settings(env="test")) as (settings, _admin_url):
        _migrate(settings)
        yield TestDatabase(settings.migration_url, settings.database_url)


@contextmanager
def scratch_postgres(settings: Settings) -> Iterator[tuple[Settings, str]]:
    """A new, empty PostgreSQL database, dropped afterwards: ``settings`` pointed at it as
    production points them (the app role for requests, the owner for migrations), and the
    server's admin URL (which reads past Row Level Security)."""
    with servers.postgres_server() as admin_url:
        if admin_url is None:
            servers.unavailable("PostgreSQL")
        with servers.scratch_database(admin_url, OWNER_ROLE, APP_ROLE) as (owner_url, app_url):
            yield (
                replace(
                    settings,
                    database_url=app_url,
                    database_owner_url=owner_url,
                    database_app_role=APP_ROLE,
                ),
                admin_url,
            )


@pytest.fixture(scope="session")
def app_engine(test_database: TestDatabase) -> Iterator[Engine]:
    engine = create_engine(test_database.app_url)
    yield engine
    engine.dispose()


@pytest.fixture
def database_url(test_database: TestDatabase, tmp_path: Path) -> str:
    """The URL this test's app uses (a fresh copy of the template on SQLite)."""
    if test_database.is_postgres:
        return test_database.app_url
    copy = tmp_path / "test.sqlite"
    shutil.copy(test_database.app_url.removeprefix("sqlite:///"), copy)
    return f"sqlite:///{copy}"


@pytest.fixture
def connection(test_database: TestDatabase, app_engine: Engine) -> Iterator[Connection | None]:
    """An outer transaction every session of the test joins; rolled back at the end."""
    if not test_database.is_postgres:
        yield None
        return
    with app_engine.connect() as conn:
        transaction = conn.begin()
        yield conn
        transaction.rollback()


@pytest.fixture(scope="session")
def dev_login_key_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One signing key for the development login per run (made on first use)."""
    return tmp_path_factory.mktemp("dev-idp") / "key.pem"


@pytest.fixture
def settings(database_url: str, tmp_path: Path, dev_login_key_file: Path) -> Settings:
    return Settings(
        env="test",
        database_url=database_url,
        storage_dir=tmp_path / "files",
        mail_outbox_dir=tmp_path / "outbox",
        redis_url="",
        log_level="WARNING",
        dev_login_key_file=dev_login_key_file,
    )


@pytest.fixture
def make_app(settings: Settings, connection: Connection | None) -> Callable[..., Flask]:
    def make(**overrides: Any) -> Flask:
        config: dict[str, Any] = {"settings": settings, "db_bind": connection, "TESTING": True}
        config.update(overrides)
        return create_app(config)

    return make


@pytest.fixture
def committing_app(
    make_app: Callable[..., Flask], app_engine: Engine, test_database: TestDatabase
) -> Flask:
    """An app whose requests commit for real, for races between two transactions;
    PostgreSQL only. The test removes what it committed."""
    if not test_database.is_postgres:
        pytest.skip("the race needs PostgreSQL's concurrent transactions")
    return make_app(db_bind=app_engine)


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Iterator[Flask]:
    app = make_app()
    with app.app_context():
        yield app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def create_tenant(app: Flask) -> Callable[..., Tenant]:
    """Factory: ``create_tenant("musterstadt")`` → a committed, enabled tenant."""
    counter = iter(range(1, 10_000))

    def create(slug: str | None = None, name: str | None = None, **branding: Any) -> Tenant:
        number = next(counter)
        slug = slug or f"gemeinde-{number}"
        prefix = "".join(ch for ch in slug.upper() if ch.isalpha())[:3] + chr(64 + number % 26 + 1)
        tenant = tenants.create_tenant(
            slug, name or f"Gemeinde {slug.title()}", prefix, tenants.Branding(**branding)
        )
        db.session.commit()
        return tenant

    return create
