"""The baseline: a bare Flask + SQLAlchemy app doing the same kind of work.

``/hello`` answers a constant; ``/row/<slug>`` reads one row and renders a
small template; ``/page/<slug>`` reads the same row and renders a template
as large as Amtsweg's step page (its HTML, from ``BASELINE_PAGE_TEMPLATE``);
``/insert`` inserts one row. Run on the same database as the benchmarked
app, so the ratio shows what Amtsweg's own layers cost.
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, render_template_string
from sqlalchemy import create_engine, text

PAGE = "<!doctype html><html lang=de><title>{{ name }}</title><h1>{{ name }}</h1></html>"


def page_template(html: str) -> str:
    """A template that renders as ``html`` plus the tenant's name (its markup taken as is)."""
    return "<!-- {{ name }} -->{% raw %}" + html + "{% endraw %}"


def create_app() -> Flask:
    app = Flask(__name__)
    engine = create_engine(os.environ["BASELINE_DATABASE_URL"])
    page_source = Path(os.environ.get("BASELINE_PAGE_TEMPLATE", "/dev/null")).read_text()
    page = app.jinja_env.from_string(page_template(page_source))  # compiled once, as Flask does

    def tenant_name(slug: str) -> str | None:
        with engine.connect() as connection:
            return connection.scalar(text("SELECT name FROM tenants WHERE slug = :s"), {"s": slug})

    @app.get("/hello")
    def hello() -> str:
        return "ok"

    @app.get("/row/<slug>")
    def row(slug: str) -> str:
        return render_template_string(PAGE, name=tenant_name(slug))

    @app.get("/page/<slug>")
    def large_page(slug: str) -> str:
        return page.render(name=tenant_name(slug))

    @app.post("/insert")
    def insert() -> tuple[str, int]:
        with engine.begin() as connection:
            connection.execute(
                text("INSERT INTO bench_baseline (payload) VALUES (:p)"), {"p": "x" * 200}
            )
        return "created", 201

    return app
