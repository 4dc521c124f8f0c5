"""The schema is what the migrations build, and the models agree with it."""

from __future__ import annotations

from dataclasses import replace

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect

from amtsweg.app import create_app
from amtsweg.platform import migrations


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
