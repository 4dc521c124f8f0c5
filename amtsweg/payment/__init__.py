"""Payment: providers, payments, webhooks and reconciliation."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from amtsweg.payment import api, cli, labels, metrics, staff_views, views
    from amtsweg.submissions.panels import register_citizen_panel, register_clerk_panel
    from amtsweg.tenants import onboarding

    app.register_blueprint(views.bp)
    app.register_blueprint(views.sandbox_bp)
    app.register_blueprint(staff_views.bp)
    api.init_app(app)
    metrics.init_app(app)
    app.cli.add_command(cli.payments_cli)
    app.add_template_filter(labels.payment_method_label, "payment_method_label")
    app.add_template_filter(labels.statement_outcome_label, "statement_outcome_label")
    register_citizen_panel("payment", views.citizen_panel)
    register_clerk_panel("payment", views.clerk_panel)
    onboarding.register_admin_page("payment", _l("Payments"), "payment_staff.admin")
    # Recommended, not required: a municipality may offer only forms without a fee.
    onboarding.register_check(
        "payment",
        _l("A payment provider connected"),
        staff_views.check_provider_connected,
        required=False,
    )
