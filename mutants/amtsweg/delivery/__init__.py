"""Delivery: the outbox and the jobs that hand submissions to a tenant's DMS or mailbox."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Nothing to register yet."""
