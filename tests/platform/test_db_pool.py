"""Pooled database connections: one the server dropped while idle is replaced, not used."""

from __future__ import annotations

from sqlalchemy import create_engine, text

from amtsweg.platform import db as database


def test_a_connection_dropped_while_idle_is_replaced_before_use(test_database, monkeypatch):
    """Firewalls and poolers drop idle connections; the next request must not fail on one."""
    monkeypatch.setattr(database, "PING_AFTER_IDLE_SECONDS", 0.0)  # every connection counts idle
    engine = database.make_engine(test_database.app_url)
    other = create_engine(test_database.app_url)  # a role may end its own sessions
    try:
        with engine.connect() as connection:
            dropped = connection.scalar(text("SELECT pg_backend_pid()"))
        with other.connect() as connection:
            assert connection.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": dropped})
        with engine.connect() as connection:
            assert connection.scalar(text("SELECT pg_backend_pid()")) != dropped
    finally:
        engine.dispose()
        other.dispose()
