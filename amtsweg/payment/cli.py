"""``amtsweg payments ...``: the periodic settling and refund jobs, key rotation, bank
statements."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from amtsweg.payment import service, tasks
from amtsweg.platform.db import db, tenant_scope
from amtsweg.platform.errors import Refusal
from amtsweg.tenants import service as tenants

payments_cli = AppGroup("payments", help="Payments: polling, refunds, keys, bank statements.")


@payments_cli.command("poll")
def poll() -> None:
    """Read open payments' statuses from their providers and expire stale ones.

    ``amtsweg worker`` does this every AMTSWEG_PAYMENT_POLL_SECONDS; run it from
    cron only where no worker runs. It settles payments whose citizen closed the
    tab before coming back.
    """
    for slug, counts in tasks.poll_every_tenant().items():
        click.echo(f"{slug}: {counts['settled']} settled, {counts['expired']} expired")


@payments_cli.command("compare-refunds")
def compare_refunds() -> None:
    """Compare the refunds of the last 30 days with their providers' refunds.

    ``amtsweg worker`` does this four times a day; run it from cron only where no
    worker runs. A refund that failed at the provider no longer counts as refunded,
    and one made in the provider's dashboard is recorded.
    """
    for slug, counts in tasks.compare_refunds_of_every_tenant().items():
        click.echo(
            f"{slug}: {counts['failed']} failed, {counts['found']} found, "
            f"{counts['unanswered']} not answered"
        )


@payments_cli.command("import-camt")
@click.argument("tenant_slug")
@click.argument("statement", type=click.File("rb"))
def import_camt(tenant_slug: str, statement: click.utils.LazyFile) -> None:
    """Settle bank transfers of TENANT_SLUG from a camt.053 STATEMENT file."""
    tenant = tenants.get_tenant(tenant_slug)
    with tenant_scope(tenant.id):
        try:
            result = service.import_statement(tenant, statement.read())
        except Refusal as refusal:
            raise click.ClickException(refusal.detail) from refusal
        db.session.commit()
    click.echo(
        f"{tenant.slug}: {result.matched} settled, {result.for_clerk} for a clerk, "
        f"{result.known} already imported"
    )


@payments_cli.command("rotate-keys")
def rotate_keys() -> None:
    """Re-encrypt every provider account with the newest of AMTSWEG_PAYMENT_KEYS."""
    for tenant in tenants.list_tenants():
        with tenant_scope(tenant.id):
            count = service.rotate_credentials()
            db.session.commit()
        click.echo(f"{tenant.slug}: {count} account(s) re-encrypted")
