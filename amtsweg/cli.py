"""The ``amtsweg`` console script: Flask's CLI with every area's commands."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, ScriptInfo, run_command, with_appcontext
from flask.helpers import get_debug_flag
from werkzeug.serving import is_running_from_reloader

from amtsweg import onboard
from amtsweg.app import create_app
from amtsweg.delivery import service as delivery
from amtsweg.formdefs import service as formdefs
from amtsweg.payment import service as payment
from amtsweg.platform import migrations, outbox, periodic
from amtsweg.platform.db import db, tenant_scope
from amtsweg.platform.errors import Refusal
from amtsweg.platform.jobs import QUEUES, Worker, redis_connection
from amtsweg.submissions import message_templates
from amtsweg.tenants import service as tenants
from amtsweg.tenants.cli import tenants_cli
from amtsweg.tenants.models import Tenant

log = logging.getLogger(__name__)

DEMO_TENANTS = (
    (
        "musterstadt",
        "Gemeinde Musterstadt",
        "MUS",
        tenants.Branding(
            colour="#0b5394",
            contact_email="buergerbuero@musterstadt.example",
            contact_phone="+49 1234 5678-0",
            contact_address="Rathausplatz 1, 12345 Musterstadt",
            imprint_url="https://musterstadt.example/impressum",
            privacy_url="https://musterstadt.example/datenschutz",
        ),
    ),
    (
        "beispieldorf",
        "Gemeinde Beispieldorf",
        "BSP",
        tenants.Branding(
            colour="#2e6b30",
            contact_email="gemeinde@beispieldorf.example",
            contact_phone="+49 9876 5432-1",
            contact_address="Dorfstraße 7, 98765 Beispieldorf",
            imprint_url="https://beispieldorf.example/impressum",
            privacy_url="https://beispieldorf.example/datenschutz",
        ),
    ),
)


@click.group(cls=FlaskGroup, create_app=create_app, add_version_option=False)
def main() -> None:
    """Amtsweg: online forms and payment for member municipalities."""


main.add_command(migrations.db_cli)


# Beispieldorf, a smaller village, offers only some of the catalogue.
BEISPIELDORF_FORMS = ("hundesteuer-anmeldung", "sperrmuell-anmeldung", "fundsache-verlustmeldung")
# The clerks' text templates every demo municipality starts with.
DEMO_MESSAGE_TEMPLATES = (
    message_templates.TemplateInput(
        "Eingang bestätigt",
        "Ihr Antrag {Aktenzeichen} ist eingegangen. Wir bearbeiten ihn und melden uns.",
        "in_progress",
    ),
    message_templates.TemplateInput(
        "Foto fehlt",
        "Bitte laden Sie ein Foto des verlorenen Gegenstands hoch, damit wir ihn erkennen.",
        "more_information_needed",
        "fundsache-verlustmeldung",
    ),
)


@main.command("demo")
@with_appcontext
def demo() -> None:
    """Load the demo tenants and the catalogue (keeps what is there already).

    Never in production: its municipalities would be public pages, and their sandbox
    accounts would take test cards as payment.
    """
    if current_app.config["AMTSWEG"].is_production:
        raise click.ClickException(
            "The demo municipalities are for trying Amtsweg out; this is production (AMTSWEG_ENV)."
        )
    for slug, name, prefix, branding in DEMO_TENANTS:
        if tenants.find_tenant(slug) is None:
            tenants.create_tenant(slug, name, prefix, branding)
            click.echo(f"Created the demo tenant {slug} ({name}).")
        else:
            click.echo(f"The demo tenant {slug} is there already.")
    for change in formdefs.load_catalogue():
        click.echo(f"Catalogue: {change.slug} {change.outcome} (version {change.version})")
    for slug, offered in (("musterstadt", None), ("beispieldorf", BEISPIELDORF_FORMS)):
        tenant = tenants.get_tenant(slug)
        with tenant_scope(tenant.id):
            for definition in formdefs.list_definitions():
                wanted = offered is None or definition.slug in offered
                if wanted and formdefs.find_tenant_form(tenant, definition) is None:
                    formdefs.activate_form(tenant, definition)
            _demo_payment_accounts(tenant)
            if not message_templates.templates(tenant):
                for template in DEMO_MESSAGE_TEMPLATES:
                    message_templates.save(tenant, template)
            if not delivery.targets(tenant):
                delivery.save_target(tenant, "ablage", "folder", {}, default=True)
                click.echo(f"Submissions to {slug} are delivered into var/deliveries/{slug}/.")
            db.session.commit()


def _demo_payment_accounts(tenant: Tenant) -> None:
    """The sandbox (test cards) and bank transfer with a demo account, where not connected."""
    demo_accounts = {
        "sandbox": {"webhook_secret": f"whsec_demo_{tenant.slug}_sandbox"},
        "banktransfer": {
            "account_holder": f"Stadtkasse {tenant.name}",
            "iban": "DE02120300000000202051",
            "bic": "BYLADEM1001",
        },
    }
    for provider, values in demo_accounts.items():
        if payment.find_account(tenant, provider) is None:
            payment.connect_account(tenant, provider, values)
            click.echo(f"{tenant.slug}: demo payment account {provider} connected.")


@tenants_cli.command("onboard")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def onboard_command(file: Path) -> None:
    """Create and set up the municipalities FILE describes (YAML; see docs/onboarding.md).

    Running it again changes only what differs; an error changes nothing at all.
    """
    try:
        outcomes = onboard.onboard(onboard.read_file(file), file.parent)
        db.session.commit()
    except Refusal as refused:
        db.session.rollback()
        raise click.ClickException(refused.detail) from None
    for outcome in outcomes:
        click.echo(f"{outcome.slug}: {', '.join(outcome.changes) or 'unchanged'}")


@main.command("worker")
@click.option(
    "--queue",
    "queues",
    multiple=True,
    type=click.Choice(QUEUES),
    help="Take jobs from this queue; repeat for several. Default: every queue.",
)
@click.option(
    "--periodic/--no-periodic",
    "run_periodic",
    default=True,
    help="Also sweep the outbox and run the periodic tasks (payment polling, refunds) every "
    "AMTSWEG_SWEEP_SECONDS (the default). "
    "Run it in one worker pool; the others take --no-periodic.",
)
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
@with_appcontext
def worker(queues: tuple[str, ...], run_periodic: bool, burst: bool) -> None:
    """Run a background worker for the job queues (needs REDIS_URL).

    Every worker also runs RQ's scheduler for its queues (retries held back
    for their pause); RQ lets one of them do it per queue at a time. With
    ``--periodic`` it also sweeps the outbox and runs the areas' periodic tasks
    (``platform/periodic.py``: settling and expiring open payments, comparing refunds) every
    AMTSWEG_SWEEP_SECONDS.
    """
    if not current_app.config["AMTSWEG"].redis_url:
        raise click.ClickException(
            "REDIS_URL is not set; without it jobs run inside the web process."
        )
    app = current_app._get_current_object()  # noqa: SLF001 - Flask's proxy API
    if run_periodic:
        sweep_once(app)
        periodic.run_due(app)
        if not burst:
            threading.Thread(target=_sweep_forever, args=(app,), daemon=True).start()
    Worker(list(queues or QUEUES), connection=redis_connection()).work(
        burst=burst, with_scheduler=True
    )


def sweep_once(app: Flask) -> int:
    """Enqueue every due outbox message of every tenant (see platform/outbox.py)."""
    with app.app_context():
        tenant_ids = [tenant.id for tenant in tenants.list_tenants()]
        db.session.rollback()
        return outbox.sweep(tenant_ids)


def _sweep_forever(app: Flask) -> None:
    pause = app.config["AMTSWEG"].sweep_seconds
    stop = threading.Event()
    while not stop.wait(pause):
        try:
            sweep_once(app)
            periodic.run_due(app)
        except Exception:
            # Redis or the database away for a moment: the next round tries again.
            log.exception("outbox sweep or periodic task failed")


@main.command("run", params=run_command.params, short_help=run_command.short_help)
@click.pass_context
def run(ctx: click.Context, **options: object) -> None:
    """Run the development server (``make demo``); without REDIS_URL it also sends, every
    AMTSWEG_SWEEP_SECONDS, the outbox messages whose retry is due, as a worker would.

    Jobs run in this process then, right after their commit; only a retry's pause
    needs a sweeper. With the reloader the watching parent process does not sweep.
    """
    app = ctx.ensure_object(ScriptInfo).load_app()
    reloading = options["reload"] if options["reload"] is not None else get_debug_flag()
    if not app.config["AMTSWEG"].redis_url and (not reloading or is_running_from_reloader()):
        threading.Thread(target=_sweep_forever, args=(app,), daemon=True).start()
    ctx.invoke(run_command, **options)


@main.group("outbox")
def outbox_cli() -> None:
    """Outgoing messages and deliveries."""


@outbox_cli.command("sweep")
@with_appcontext
def sweep_command() -> None:
    """Send every message that is due now (for cron, or without a worker)."""
    count = sweep_once(current_app._get_current_object())  # noqa: SLF001
    click.echo(f"{count} message(s) sent on their way.")


if __name__ == "__main__":
    main()
