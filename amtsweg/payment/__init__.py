"""Payment: providers, payments, webhooks and reconciliation."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from amtsweg.payment import api, cli, labels, staff_views, tasks, views
    from amtsweg.platform import periodic
    from amtsweg.submissions.panels import (
        register_citizen_panel,
        register_clerk_panel,
        register_receipt_transfer,
    )
    from amtsweg.tenants import onboarding

    app.register_blueprint(views.bp)
    app.register_blueprint(views.sandbox_bp)
    app.register_blueprint(staff_views.bp)
    api.init_app(app)
    app.cli.add_command(cli.payments_cli)
    periodic.register(
        app, "payments.poll", tasks.poll_every_tenant, app.config["AMTSWEG"].payment_poll_seconds
    )
    app.add_template_filter(labels.payment_method_label, "payment_method_label")
    app.add_template_filter(labels.statement_outcome_label, "statement_outcome_label")
    register_citizen_panel("payment", views.citizen_panel)
    register_clerk_panel("payment", views.clerk_panel)
    register_receipt_transfer("payment", views.receipt_transfer)
    onboarding.register_admin_page("payment", _l("Payments"), "payment_staff.admin")
    # Recommended, not required: a municipality may offer only forms without a fee.
    onboarding.register_check(
        "payment",
        _l("A payment provider connected"),
        staff_views.check_provider_connected,
        required=False,
    )
