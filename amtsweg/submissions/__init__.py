"""Submissions: the citizen journey, uploads, receipts, clerk views and exports."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from amtsweg.platform import outbox
    from amtsweg.platform.signals import delivery_dead, delivery_succeeded
    from amtsweg.submissions import (
        api,
        audit_log,
        case_numbers_page,
        clerk_settings,
        cli,
        confirmation,
        labels,
        metrics,
        notices,
        service,
        views,
        workplace,
    )
    from amtsweg.tenants import onboarding

    outbox.register(
        app,
        confirmation.KIND,
        outbox.Handler(confirmation.send_confirmation, about=service.log_fields),
    )
    outbox.register(
        app, notices.KIND, outbox.Handler(notices.send_status_notice, about=notices.about)
    )
    delivery_succeeded.connect(service.on_delivery_succeeded)
    delivery_dead.connect(service.on_delivery_dead)

    app.register_blueprint(views.bp)
    app.register_blueprint(workplace.bp)
    app.register_blueprint(audit_log.bp)
    app.register_blueprint(clerk_settings.bp)
    app.register_blueprint(case_numbers_page.bp)
    onboarding.register_admin_page("clerks", _l("Clerks' forms"), "clerk_settings.clerks")
    onboarding.register_admin_page("retention", _l("Retention periods"), "clerk_settings.retention")
    onboarding.register_admin_page(
        "message_templates", _l("Text templates"), "clerk_settings.message_templates"
    )
    onboarding.register_admin_page("audit_log", _l("Audit log"), "audit_log.index")
    onboarding.register_admin_page("case_numbers", _l("Case numbers"), "case_numbers.index")
    api.init_app(app)
    metrics.init_app(app)
    app.cli.add_command(cli.drafts_cli)
    app.cli.add_command(cli.submissions_cli)
    app.cli.add_command(cli.gdpr_cli)
    service.connect_payment_receivers()
    for name in (
        "submitted_at",
        "date_only",
        "status_label",
        "payment_status_label",
        "processing_label",
    ):
        app.add_template_filter(getattr(labels, name), name)
