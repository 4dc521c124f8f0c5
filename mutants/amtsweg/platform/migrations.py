"""``amtsweg db ...``: the schema changes only through Alembic revisions.

Migrations run as the owner of the tables (``AMTSWEG_DATABASE_OWNER_URL``,
defaulting to ``DATABASE_URL``); afterwards the app role named in
``AMTSWEG_DATABASE_APP_ROLE`` is granted row access, nothing more.
"""

from __future__ import annotations

from pathlib import Path

import click
from alembic import command
from alembic.config import Config
from flask import current_app
from flask.cli import AppGroup

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"

db_cli = AppGroup("db", help="Change and check the database schema.")


def alembic_config(url: str | None = None) -> Config:
    settings = current_app.config["AMTSWEG"]
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    config.attributes["url"] = url or settings.migration_url
    config.attributes["app_role"] = settings.database_app_role
    return config


def upgrade(url: str | None = None, revision: str = "head") -> None:
    _prepare_sqlite_directory(url or current_app.config["AMTSWEG"].migration_url)
    command.upgrade(alembic_config(url), revision)


def _prepare_sqlite_directory(url: str) -> None:
    prefix = "sqlite:///"
    if url.startswith(prefix) and url != prefix + ":memory:":
        Path(url.removeprefix(prefix)).parent.mkdir(parents=True, exist_ok=True)


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def upgrade_command(revision: str) -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    upgrade(revision=revision)
    click.echo(f"The database is at {revision}.")


@db_cli.command("downgrade")
@click.argument("revision")
def downgrade_command(revision: str) -> None:
    """Revert migrations down to REVISION."""
    command.downgrade(alembic_config(), revision)


@db_cli.command("check")
def check_command() -> None:
    """Fail when the models and the migrations differ."""
    command.check(alembic_config())
    click.echo("The models and the migrations agree.")


@db_cli.command("revision")
@click.option("-m", "--message", required=True)
def revision_command(message: str) -> None:
    """Propose a migration from the model changes; review it before committing."""
    command.revision(alembic_config(), message=message, autogenerate=True)
