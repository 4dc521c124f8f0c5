"""Delivery: the outbox entries and jobs that hand submissions to a tenant's targets."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from amtsweg.delivery import api, cli, metrics, onboarding, service, views
    from amtsweg.formdefs import service as formdefs
    from amtsweg.platform import outbox
    from amtsweg.platform.signals import payment_succeeded, submission_created
    from amtsweg.submissions.panels import register_clerk_panel

    api.init_app(app)
    app.register_blueprint(views.bp)
    app.cli.add_command(cli.delivery_cli)
    metrics.init_app(app)
    outbox.register(
        app, service.KIND, outbox.Handler(service.deliver, service.on_dead, service.about)
    )
    formdefs.register_delivery_check(app, service.unknown_target_names)
    # Receivers are module functions (blinker keeps weak references); connecting
    # twice (a second app in one process) is a no-op.
    submission_created.connect(service.on_submission_created)
    payment_succeeded.connect(service.on_payment_succeeded)
    register_clerk_panel("delivery", views.clerk_panel)
    onboarding.register()
