"""Form definitions: schema, versions, the association's catalogue, rendering, rules, fees."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from amtsweg.formdefs import api, cli, labels, views
    from amtsweg.tenants import onboarding

    app.register_blueprint(views.bp)
    app.register_blueprint(views.admin_bp)
    app.register_blueprint(views.tenant_admin_bp)
    onboarding.register_check("forms", _l("At least one form offered"), views.check_forms_offered)
    onboarding.register_admin_page("forms", _l("Forms"), "formdefs_tenant_admin.forms")
    api.init_app(app)
    app.cli.add_command(cli.catalogue_cli)
    app.cli.add_command(cli.formdefs_cli)
    app.add_template_filter(labels.topic_label)
    app.add_template_filter(labels.trust_level_label)
    app.add_template_filter(labels.version_state_label)
    app.add_template_filter(labels.change_label)
