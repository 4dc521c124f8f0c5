"""``amtsweg catalogue ...`` and ``amtsweg formdefs ...``: the association's form definitions."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import AppGroup

from amtsweg.formdefs import service, xdf
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


formdefs_cli = AppGroup("formdefs", help="Form definitions: import and maintenance.")


@formdefs_cli.command("import-xdf")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--slug", help="Slug of the new definition (default: from the schema's name).")
@click.option("--title-en", help="English title (default: the German one, marked untranslated).")
@click.option("--dry-run", is_flag=True, help="Print the report and the JSON; save nothing.")
def import_xdf(file: Path, slug: str | None, title_en: str | None, dry_run: bool) -> None:
    """Import a FIM XDatenfelder 2.0/3.0 file.

    A Stammdatenschema becomes a new draft definition; a Datenfeldgruppe becomes a
    building block that later schemas naming it (without containing it) take over.
    """
    try:
        data = file.read_bytes()
    except OSError as error:
        raise click.ClickException(f"Cannot read {file}: {error.strerror or error}.") from error
    try:
        result = xdf.import_xdf(
            data, slug=slug, title_en=title_en, blocks=service.building_block_source
        )
    except xdf.XdfImportError as error:
        raise click.ClickException(f"{file}: {error}") from error
    click.echo("\n".join(result.report.lines()))
    if isinstance(result, xdf.BlockImport):
        _save_block(result, dry_run)
    else:
        _save_definition(result, dry_run)


def _save_definition(result: xdf.ImportResult, dry_run: bool) -> None:
    if dry_run:
        click.echo(json.dumps(result.document, ensure_ascii=False, indent=2))
        return
    try:
        version = service.create_definition(result.document)
    except service.FormDefError as error:
        details = "; ".join(f"{p.pointer}: {p.detail}" for p in error.problems)
        raise click.ClickException(f"{error.detail} {details}".strip()) from error
    db.session.commit()
    click.echo(
        f"Stammdatenschema imported: created {version.definition.slug}, "
        f"version {version.number} as a draft."
    )


def _save_block(result: xdf.BlockImport, dry_run: bool) -> None:
    name = f"{result.fim_id} {result.fim_version} ({result.name})"
    if dry_run:
        click.echo(json.dumps(result.group, ensure_ascii=False, indent=2))
        return
    _block, outcome = service.save_building_block(result)
    db.session.commit()
    click.echo(f"Datenfeldgruppe imported: building block {name} {outcome}.")


@formdefs_cli.command("blocks")
def blocks() -> None:
    """List the FIM building blocks (Datenfeldgruppen) that schemas can take groups from."""
    found = service.list_building_blocks()
    for block in found:
        fields = len(block.group["fields"])
        click.echo(
            f"{block.fim_id}\t{block.fim_version}\t{block.name}\t"
            f"XDatenfelder {block.xdf_version}\t{fields} field(s)"
        )
    if not found:
        click.echo("No building blocks imported yet.")
