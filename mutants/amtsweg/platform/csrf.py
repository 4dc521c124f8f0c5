"""CSRF protection for every form post (Flask-WTF).

The API is exempt: it takes no cookies, only bearer tokens, so a foreign site
cannot make a browser call it with someone's rights.
"""

from __future__ import annotations

from flask import Flask, current_app, g, session
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()


def start_fresh_session() -> None:
    """Empty the Flask session and forget its CSRF token (which Flask-WTF caches in ``g``)."""
    session.clear()
    g.pop(current_app.config["WTF_CSRF_FIELD_NAME"], None)


def init_app(app: Flask) -> None:
    csrf.init_app(app)
