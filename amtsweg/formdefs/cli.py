"""``amtsweg catalogue ...``: the association's catalogue of form definitions."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from amtsweg.formdefs import service
from amtsweg.platform.db import db

catalogue_cli = AppGroup("catalogue", help="The association's catalogue of forms.")


@catalogue_cli.command("load")
def load() -> None:
    """Publish the catalogue shipped with Amtsweg; forms already current stay as they are."""
    for change in service.load_catalogue():
        click.echo(f"{change.slug}: {change.outcome} (version {change.version})")
    db.session.commit()


@catalogue_cli.command("list")
def list_() -> None:
    """List every definition with its versions and their states."""
    for definition in service.list_definitions():
        states = ", ".join(f"v{v.number} {v.state.value}" for v in definition.versions)
        click.echo(f"{definition.slug}\t{states}")
