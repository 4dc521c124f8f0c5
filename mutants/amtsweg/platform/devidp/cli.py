"""``amtsweg dev-token``: an access token from the development provider, for trying the API."""

from __future__ import annotations

import dataclasses

import click
from flask import current_app
from flask.cli import with_appcontext

from amtsweg.platform.auth.roles import Role, RoleGrant
from amtsweg.platform.devidp import dev_server
from amtsweg.platform.devidp.personas import PERSONAS_BY_ID

TOKEN_CLIENT_ID = "amtsweg-dev-token"  # noqa: S105 - a client id, not a secret
# Which role the command grants, and whose name the token carries unless --persona says.
ROLE_CHOICES = {
    "citizen": (None, "erika"),
    "clerk": (Role.CLERK, "clerk-musterstadt"),
    "tenant_admin": (Role.TENANT_ADMIN, "admin-musterstadt"),
    "admin": (Role.ASSOCIATION_ADMIN, "association-admin"),
}
TENANT_ROLES = {Role.CLERK, Role.TENANT_ADMIN}


@click.command("dev-token")
@click.option("--role", "role_name", type=click.Choice(list(ROLE_CHOICES)), required=True)
@click.option("--tenant", help="Tenant slug, for clerk and tenant_admin (default musterstadt).")
@click.option("--persona", type=click.Choice(sorted(PERSONAS_BY_ID)), help="Whose token it is.")
@with_appcontext
def dev_token(role_name: str, tenant: str | None, persona: str | None) -> None:
    """Print an API access token with exactly the role ROLE (development login only)."""
    if not current_app.config["AMTSWEG"].dev_login:
        raise click.ClickException("The development login is off (AMTSWEG_DEV_LOGIN).")
    role, default_persona = ROLE_CHOICES[role_name]
    if tenant and role not in TENANT_ROLES:
        raise click.UsageError("--tenant applies only to --role clerk and --role tenant_admin.")
    grants: frozenset[RoleGrant] = frozenset()
    if role is not None:
        scope = (tenant or "musterstadt") if role in TENANT_ROLES else None
        grants = frozenset({RoleGrant(role, scope)})
    person = dataclasses.replace(PERSONAS_BY_ID[persona or default_persona], grants=grants)
    click.echo(dev_server().issue_access_token(TOKEN_CLIENT_ID, person))
