"""``amtsweg drafts|submissions|gdpr ...``: housekeeping and data-subject requests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from flask.cli import AppGroup

from amtsweg.platform.db import db, tenant_scope
from amtsweg.platform.i18n import DEFAULT_LOCALE
from amtsweg.submissions import gdpr, service
from amtsweg.tenants import service as tenants
from amtsweg.tenants.models import Tenant, User

drafts_cli = AppGroup("drafts", help="Citizens' unfinished applications.")


@drafts_cli.command("purge")
def purge() -> None:
    """Delete drafts (and their uploads) kept AMTSWEG_DRAFT_DAYS past their last change.

    Run it daily, e.g. from cron or a Kubernetes CronJob.
    """
    for tenant in tenants.list_tenants():
        with tenant_scope(tenant.id):
            removed = service.purge_expired_drafts()
            db.session.commit()
        click.echo(f"{tenant.slug}: {removed} expired draft(s) deleted")


submissions_cli = AppGroup("submissions", help="Submitted applications.")


@submissions_cli.command("purge")
def purge_submissions() -> None:
    """Delete submissions whose retention period has ended, with their files, in every tenant.

    Run it daily. The audit log records how many were deleted, never which.
    """
    for tenant in tenants.list_tenants():
        with tenant_scope(tenant.id):
            removed = service.purge_due_submissions(tenant)
            if removed:
                tenants.record(
                    tenant, "submissions.purged", "tenant", tenant.slug, details={"count": removed}
                )
            db.session.commit()
        click.echo(f"{tenant.slug}: {removed} submission(s) past their retention period deleted")


gdpr_cli = AppGroup("gdpr", help="Data-subject requests (GDPR Art. 15 and 17).")
person_option = click.option(
    "--person", "subject", required=True, help="The person's subject at the login provider."
)
issuer_option = click.option("--issuer", help="The login provider, if the subject is ambiguous.")


def _person(subject: str, issuer: str | None) -> User:
    people = tenants.find_people(subject, issuer)
    if not people:
        raise click.ClickException(f"Nobody with the subject {subject!r} is known.")
    if len(people) > 1:
        issuers = ", ".join(person.issuer for person in people)
        raise click.ClickException(f"Several providers know {subject!r} ({issuers}): --issuer.")
    return people[0]


@gdpr_cli.command("export")
@person_option
@issuer_option
@click.option(
    "--zip-to",
    "folder",
    type=click.Path(file_okay=False, writable=True, path_type=Path),
    help="Also write, for each tenant that holds something, the ZIP with every file "
    "that the person downloads from 'My applications' there.",
)
def export_person(subject: str, issuer: str | None, folder: Path | None) -> None:
    """Print everything held about a person, in every tenant, as JSON (Art. 15 GDPR)."""
    user = _person(subject, issuer)
    held: dict[str, Any] = {"person": gdpr.person_record(user), "tenants": {}}
    for tenant in tenants.list_tenants():
        with tenant_scope(tenant.id):
            data = gdpr.person_data(user)
            if not (data["drafts"] or data["submissions"]):
                continue
            held["tenants"][tenant.slug] = data
            if folder is not None:
                _write_archive(folder / f"amtsweg-{tenant.slug}-my-data.zip", tenant, user)
    click.echo(json.dumps(held, ensure_ascii=False, indent=2, default=str))


def _write_archive(path: Path, tenant: Tenant, user: User) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        for chunk in gdpr.person_archive(tenant, user, DEFAULT_LOCALE):
            out.write(chunk)
    click.echo(f"{tenant.slug}: {path}", err=True)


@gdpr_cli.command("erase")
@person_option
@issuer_option
def erase_person(subject: str, issuer: str | None) -> None:
    """Erase a person's data in every tenant, except what the municipality must keep
    (Art. 17 GDPR; see ``amtsweg/submissions/gdpr.py`` for the cases)."""
    user = _person(subject, issuer)
    kept_any = False
    for tenant in tenants.list_tenants():
        with tenant_scope(tenant.id):
            result = gdpr.erase_person(tenant, user)
            db.session.flush()
        kept_any = kept_any or bool(result.kept)
        click.echo(
            f"{tenant.slug}: {result.drafts} draft(s) and {result.submissions} submission(s) erased"
        )
        for reference, until in result.kept:
            click.echo(f"  kept: {reference} until {until:%Y-%m-%d} (retention period of the form)")
    tenants.forget_person(user, keep_record=kept_any)
    db.session.commit()
