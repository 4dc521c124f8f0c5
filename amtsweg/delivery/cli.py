"""``amtsweg delivery ...``: re-encrypting the targets' secrets after a new key."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from amtsweg.delivery import service
from amtsweg.platform.db import db, tenant_scope
from amtsweg.tenants import service as tenants

delivery_cli = AppGroup("delivery", help="Delivery targets: key rotation.")


@delivery_cli.command("rotate-keys")
def rotate_keys() -> None:
    """Re-encrypt every target's secrets with the newest of AMTSWEG_DELIVERY_KEYS."""
    for tenant in tenants.list_tenants():
        with tenant_scope(tenant.id):
            count = service.rotate_secrets()
            db.session.commit()
        click.echo(f"{tenant.slug}: {count} target(s) re-encrypted")
