"""``amtsweg tenants ...``: onboard, list, brand and disable member municipalities."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from flask.cli import AppGroup

from amtsweg.platform.db import db, tenant_scope
from amtsweg.platform.errors import Refusal
from amtsweg.tenants import service
from amtsweg.tenants.models import Tenant

tenants_cli = AppGroup("tenants", help="Onboard and manage member municipalities.")


def _branding_options(command: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option("--colour", help="Brand colour #rrggbb (white text must stay readable)."),
        click.option("--contact-email"),
        click.option("--contact-phone"),
        click.option("--contact-address"),
        click.option("--imprint-url", help="Link to the municipality's imprint (Impressum)."),
        click.option("--privacy-url", help="Link to the privacy statement (Datenschutz)."),
        click.option(
            "--coat-of-arms",
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            help="PNG, JPEG or WebP image, at most 1 MB.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _apply_branding(tenant: Any, coat_of_arms: Path | None, **branding: str | None) -> None:
    service.update_branding(tenant, service.Branding(**branding))
    if coat_of_arms is not None:
        service.set_coat_of_arms(tenant, coat_of_arms.read_bytes())


def _run(operation: Callable[[], str]) -> None:
    """Run ``operation``, commit, and turn a refusal into a clear CLI error."""
    try:
        message = operation()
        db.session.commit()
    except Refusal as refused:
        db.session.rollback()
        raise click.ClickException(refused.detail) from None
    click.echo(message)


def _run_for(slug: str, operation: Callable[[Tenant], str]) -> None:
    """Like :func:`_run`, for the tenant SLUG and inside its scope."""

    def scoped() -> str:
        tenant = service.get_tenant(slug)
        with tenant_scope(tenant.id):
            return operation(tenant)

    _run(scoped)


@tenants_cli.command("create")
@click.argument("slug")
@click.argument("name")
@click.option("--prefix", help="Letters that start reference numbers, e.g. MUS.")
@_branding_options
def create(
    slug: str, name: str, prefix: str | None, coat_of_arms: Path | None, **branding: str | None
) -> None:
    """Create the tenant SLUG called NAME."""

    def operation() -> str:
        tenant = service.create_tenant(slug, name, prefix)
        with tenant_scope(tenant.id):
            _apply_branding(tenant, coat_of_arms, **branding)
        return (
            f"Created tenant {tenant.slug} ({tenant.name}), references {tenant.reference_prefix}-…"
        )

    _run(operation)


@tenants_cli.command("brand")
@click.argument("slug")
@_branding_options
def brand(slug: str, coat_of_arms: Path | None, **branding: str | None) -> None:
    """Change the branding of the tenant SLUG."""

    def operation(tenant: Tenant) -> str:
        _apply_branding(tenant, coat_of_arms, **branding)
        return f"Updated the branding of {tenant.slug}."

    _run_for(slug, operation)


@tenants_cli.command("accessibility")
@click.argument("slug")
@click.option(
    "--limitations-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Plain text (paragraphs split by blank lines): limitations beyond the platform's.",
)
@click.option("--reviewed-on", type=click.DateTime(["%Y-%m-%d"]), help="Last review, YYYY-MM-DD.")
@click.option(
    "--enforcement-body-name",
    help="The state's enforcement body (default: the federal Schlichtungsstelle nach § 16 BGG).",
)
@click.option("--enforcement-body-url", help="Link to the state's enforcement body.")
@click.option(
    "--sign-language-video-url",
    help="Video in German Sign Language: a file (.mp4, .webm) is played on the page, "
    "any other address is linked.",
)
@click.option("--sign-language-captions-url", help="WebVTT captions for a video file.")
def accessibility(
    slug: str, limitations_file: Path | None, reviewed_on: Any, **settings: str | None
) -> None:
    """Set what the accessibility statement and sign-language page of SLUG say ("" clears)."""
    from amtsweg.tenants.accessibility import service as accessibility_service

    def operation(tenant: Tenant) -> str:
        accessibility_service.update_settings(
            tenant,
            accessibility_service.AccessibilitySettings(
                limitations=limitations_file.read_text(encoding="utf-8")
                if limitations_file
                else None,
                reviewed_on=reviewed_on.date() if reviewed_on else None,
                **settings,
            ),
        )
        return f"Updated the accessibility settings of {tenant.slug}."

    _run_for(slug, operation)


@tenants_cli.command("list")
def list_() -> None:
    """List all tenants."""
    for tenant in service.list_tenants():
        state = "enabled" if tenant.enabled else "disabled"
        click.echo(f"{tenant.slug}\t{tenant.reference_prefix}\t{state}\t{tenant.name}")


@tenants_cli.command("disable")
@click.argument("slug")
def disable(slug: str) -> None:
    """Take the tenant SLUG offline; its pages answer 404, its data stays."""

    def operation(tenant: Tenant) -> str:
        service.disable_tenant(tenant)
        return f"Disabled tenant {slug}."

    _run_for(slug, operation)


@tenants_cli.command("enable")
@click.argument("slug")
def enable(slug: str) -> None:
    """Bring the disabled tenant SLUG back online."""

    def operation(tenant: Tenant) -> str:
        service.enable_tenant(tenant)
        return f"Enabled tenant {slug}."

    _run_for(slug, operation)
