"""The schema is what the migrations build, and the models agree with it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, make_url, text

from amtsweg.app import create_app
from amtsweg.cli import main
from amtsweg.platform import migrations
from amtsweg.platform.config import Settings
from amtsweg.platform.db import db
from tests.conftest import scratch_postgres
from tests.platform.test_bearer_tokens import dev_token
from tests.submissions.test_api import FUND, fund_answers


@pytest.mark.sqlite
def test_models_and_migrations_do_not_drift(settings, test_database) -> None:
    app = create_app({"settings": replace(settings, database_url=test_database.owner_url)})
    with app.app_context():
        command.check(migrations.alembic_config())


@pytest.mark.sqlite
def test_migrations_go_down_and_up_again(settings, tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'roundtrip.sqlite'}"
    app = create_app({"settings": replace(settings, database_url=url)})
    with app.app_context():
        migrations.upgrade()
        command.downgrade(migrations.alembic_config(), "base")
        assert inspect(create_engine(url)).get_table_names() == ["alembic_version"]
        migrations.upgrade()
    assert "tenants" in inspect(create_engine(url)).get_table_names()


@contextmanager
def _scratch(kind: str, settings: Settings, tmp_path: Path) -> Iterator[tuple[Settings, str]]:
    """Settings for an empty database of ``kind``, and a URL that reads past Row Level
    Security (on PostgreSQL the server's admin, as the policies bind the owner too)."""
    if kind == "sqlite":
        url = f"sqlite:///{tmp_path / 'scratch.sqlite'}"
        yield replace(settings, database_url=url), url
        return
    with scratch_postgres(settings) as (scratch, admin_url):
        reader = make_url(admin_url).set(database=make_url(scratch.database_url).database)
        yield scratch, reader.render_as_string(hide_password=False)


@pytest.mark.parametrize("kind", [pytest.param("sqlite", marks=pytest.mark.sqlite), "postgresql"])
def test_0018_keeps_names_as_written_and_spells_their_keys_alike(settings, tmp_path, kind) -> None:
    """Made on the way up from the answers, undone on the way down, for data already there."""
    with _scratch(kind, settings, tmp_path) as (scratch, read_url):
        app = create_app({"settings": scratch})
        with app.app_context():
            migrations.upgrade()
            loaded = app.test_cli_runner().invoke(main, ["demo"])
            assert loaded.exit_code == 0, loaded.output
            token = dev_token(app, "--role", "citizen")
            answers = fund_answers() | {"name": "Jörg  Großmann-Çelik"}
            created = app.test_client().post(
                FUND, json={"answers": answers}, headers={"Authorization": f"Bearer {token}"}
            )
            assert created.status_code == 201, created.json
            config = migrations.alembic_config()
            command.downgrade(config, "0017")
            assert _names_and_keys(read_url) == (
                ["jörg grossmann-çelik"],  # lower case as before: casefold writes ß as ss
                ["grossmann-çelik", "jörg grossmann-çelik"],
            )
            command.upgrade(config, "head")
            assert _names_and_keys(read_url) == (
                ["Jörg Großmann-Çelik"],
                ["celik", "grossmann-celik", "joerg grossmann-celik"],
            )
            db.engine.dispose()  # the scratch database is dropped next


def _names_and_keys(url: str) -> tuple[list[str], list[str]]:
    engine = create_engine(url)
    with engine.connect() as connection:
        names = connection.scalars(text("SELECT applicant_name FROM submissions")).all()
        keys = connection.scalars(text("SELECT key FROM submission_name_keys ORDER BY key")).all()
    engine.dispose()
    return list(names), list(keys)
