"""Tenants: member municipalities, people and roles, tenant resolution and isolation."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from amtsweg.tenants import cli, views, web

    web.init_app(app)
    app.register_blueprint(views.bp)
    app.cli.add_command(cli.tenants_cli)
