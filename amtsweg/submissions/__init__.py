"""Submissions: the citizen journey, uploads, receipts, clerk views and exports."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Nothing to register yet."""
