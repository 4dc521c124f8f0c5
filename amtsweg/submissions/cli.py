"""``amtsweg drafts ...``: housekeeping of citizens' unfinished applications."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from amtsweg.platform.db import db, tenant_scope
from amtsweg.submissions import service
from amtsweg.tenants import service as tenants

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
