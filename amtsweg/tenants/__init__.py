"""Tenants: member municipalities, people and roles, tenant resolution and isolation."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from amtsweg.tenants import (
        accessibility,
        api,
        cli,
        login,
        onboarding,
        service,
        session_timeout,
        views,
        web,
        workplaces,
    )

    web.init_app(app)
    login.init_app(app)
    session_timeout.init_app(app)
    app.register_blueprint(views.bp)
    app.register_blueprint(views.directory_bp)
    app.register_blueprint(workplaces.association_bp)
    app.register_blueprint(workplaces.tenant_admin_bp)
    onboarding.register_tenant_checks()
    service.connect_overview_receivers()
    api.init_app(app)
    accessibility.init_app(app)
    app.cli.add_command(cli.tenants_cli)
