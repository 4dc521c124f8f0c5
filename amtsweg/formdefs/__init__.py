"""Form definitions: schema, versions, the association's catalogue, rendering, rules, fees."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Nothing to register yet."""
