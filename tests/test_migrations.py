"""The schema is what the migrations build, and the models agree with it."""

from __future__ import annotations

from dataclasses import replace

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, text

from amtsweg.app import create_app
from amtsweg.cli import main
from amtsweg.platform import migrations
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


@pytest.mark.sqlite
def test_0018_keeps_names_as_written_and_spells_their_keys_alike(settings, tmp_path) -> None:
    """Made on the way up from the answers, undone on the way down, for data already there."""
    url = f"sqlite:///{tmp_path / 'names.sqlite'}"
    app = create_app({"settings": replace(settings, database_url=url)})
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
        assert _names_and_keys(url) == (
            ["jörg grossmann-çelik"],  # lower case as before: casefold writes ß as ss
            ["grossmann-çelik", "jörg grossmann-çelik"],
        )
        command.upgrade(config, "head")
    assert _names_and_keys(url) == (
        ["Jörg Großmann-Çelik"],
        ["celik", "grossmann-celik", "joerg grossmann-celik"],
    )


def _names_and_keys(url: str) -> tuple[list[str], list[str]]:
    with create_engine(url).connect() as connection:
        names = connection.scalars(text("SELECT applicant_name FROM submissions")).all()
        keys = connection.scalars(text("SELECT key FROM submission_name_keys ORDER BY key")).all()
    return list(names), list(keys)
