"""The baseline: a bare Flask + SQLAlchemy app doing the same kind of work.

``/hello`` answers a constant; ``/row/<slug>`` reads one row and renders a
small template; ``/insert`` inserts one row. Run on the same database as the
benchmarked app, so the ratio shows what Amtsweg's own layers cost.
"""

from __future__ import annotations

import os

from flask import Flask, render_template_string
from sqlalchemy import create_engine, text

PAGE = "<!doctype html><html lang=de><title>{{ name }}</title><h1>{{ name }}</h1></html>"


def create_app() -> Flask:
    app = Flask(__name__)
    engine = create_engine(os.environ["BASELINE_DATABASE_URL"])

    @app.get("/hello")
    def hello() -> str:
        return "ok"

    @app.get("/row/<slug>")
    def row(slug: str) -> str:
        with engine.connect() as connection:
            name = connection.scalar(text("SELECT name FROM tenants WHERE slug = :s"), {"s": slug})
        return render_template_string(PAGE, name=name)

    @app.post("/insert")
    def insert() -> tuple[str, int]:
        with engine.begin() as connection:
            connection.execute(
                text("INSERT INTO bench_baseline (payload) VALUES (:p)"), {"p": "x" * 200}
            )
        return "created", 201

    return app
