"""Payment: providers, payments, webhooks and reconciliation."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from amtsweg.payment import (
        api,
        case_numbers,
        cli,
        labels,
        metrics,
        onboarding,
        refund_notices,
        staff_views,
        tasks,
        views,
    )
    from amtsweg.platform import outbox, periodic
    from amtsweg.submissions.panels import (
        register_citizen_panel,
        register_clerk_panel,
        register_receipt_transfer,
    )

    app.register_blueprint(views.bp)
    if app.config["AMTSWEG"].sandbox_payments:
        app.register_blueprint(views.sandbox_bp)
    app.register_blueprint(staff_views.bp)
    api.init_app(app)
    metrics.init_app(app)
    app.cli.add_command(cli.payments_cli)
    periodic.register(
        app, "payments.poll", tasks.poll_every_tenant, app.config["AMTSWEG"].payment_poll_seconds
    )
    periodic.register(
        app, "payments.refunds", tasks.compare_refunds_of_every_tenant, tasks.REFUND_CHECK_SECONDS
    )
    app.add_template_filter(labels.payment_method_label, "payment_method_label")
    app.add_template_filter(labels.statement_outcome_label, "statement_outcome_label")
    app.add_template_filter(labels.refund_failure_label, "refund_failure_label")
    app.add_template_filter(labels.payment_event_source_label, "payment_event_source_label")
    app.add_template_filter(labels.payment_event_detail, "payment_event_detail")
    register_citizen_panel("payment", views.citizen_panel)
    register_clerk_panel("payment", views.clerk_panel)
    register_receipt_transfer("payment", views.receipt_transfer)
    case_numbers.register()
    onboarding.register(app)
    for kind, send in (
        (refund_notices.MADE, refund_notices.send_refund_made),
        (refund_notices.FAILED, refund_notices.send_refund_failed),
    ):
        outbox.register(app, kind, outbox.Handler(send, about=refund_notices.about))
