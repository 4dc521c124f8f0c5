"""Payment: providers, payments, webhooks and reconciliation."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from amtsweg.payment import api, cli, labels, onboarding, staff_views, views
    from amtsweg.submissions.panels import register_citizen_panel, register_clerk_panel

    app.register_blueprint(views.bp)
    app.register_blueprint(views.sandbox_bp)
    app.register_blueprint(staff_views.bp)
    api.init_app(app)
    app.cli.add_command(cli.payments_cli)
    app.add_template_filter(labels.payment_method_label, "payment_method_label")
    app.add_template_filter(labels.statement_outcome_label, "statement_outcome_label")
    register_citizen_panel("payment", views.citizen_panel)
    register_clerk_panel("payment", views.clerk_panel)
    onboarding.register(app)
