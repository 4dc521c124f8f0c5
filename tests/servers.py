"""Find the PostgreSQL and Redis servers the tests run against.

In order: ``DATABASE_URL`` / ``REDIS_URL``; a server answering on the default
local port; a throwaway server started from local binaries (pytest-postgresql,
pytest-redis). Without any of them the tests that need one are skipped, except
with ``CI=true``, where a missing server fails the run.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import Connection, create_engine, make_url, text

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS = "redis://127.0.0.1:6379/0"
#: Held while the roles are made: parallel test workers (pytest-xdist) start at once.
_ROLES_LOCK = 0x616D7473


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def unavailable(what: str) -> None:
    message = f"{what} is not available: set the URL, run a local server, or install its binaries"
    if in_ci():
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def port_answers(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _postgres_binary(name: str) -> str | None:
    installed = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    candidates = [shutil.which(name), *map(str, installed)]
    return next((path for path in reversed(candidates) if path), None)


@contextmanager
def postgres_server() -> Iterator[str | None]:
    """Yield an admin URL (may create databases and roles), or ``None``."""
    if url := os.environ.get("DATABASE_URL"):
        yield url.replace("postgresql://", "postgresql+psycopg://", 1)
        return
    if port_answers(5432):
        yield DEFAULT_POSTGRES
        return
    pg_ctl = _postgres_binary("pg_ctl")
    if pg_ctl is None or os.geteuid() == 0:  # initdb refuses to run as root
        yield None
        return
    from pytest_postgresql.executors import PostgreSQLExecutor

    port = free_port()
    with tempfile.TemporaryDirectory() as workdir:
        executor = PostgreSQLExecutor(
            executable=pg_ctl,
            host="127.0.0.1",
            port=port,
            datadir=f"{workdir}/data",
            unixsocketdir=workdir,
            logfile=f"{workdir}/postgres.log",
            startparams="-w",
            dbname="postgres",
            user="postgres",
        )
        with executor:
            executor.wait_for_postgres()
            yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"


def _worker_database(url: str) -> str:
    """The shared Redis's database of this pytest-xdist worker (``gw0`` → 1, ``gw1`` → 2, …):
    parallel workers never see each other's queues and counters. Without xdist: ``url``."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw"):
        return url
    return urlsplit(url)._replace(path=f"/{int(worker[2:]) + 1}").geturl()


@contextmanager
def redis_server(*, private: bool = False) -> Iterator[str | None]:
    """A Redis URL: REDIS_URL, the local default, or a server started for the block.

    ``private`` always starts one, for tests whose workers would take whatever
    other tests left in a shared Redis.
    """
    shared = os.environ.get("REDIS_URL") or (DEFAULT_REDIS if port_answers(6379) else None)
    if shared and not private:
        yield _worker_database(shared)
        return
    binary = shutil.which("redis-server")
    if binary is None:
        yield None
        return
    from pytest_redis.executor import RedisExecutor

    port = free_port()
    with tempfile.TemporaryDirectory() as workdir:
        executor = RedisExecutor(
            binary,
            databases=16,
            redis_timeout=30,
            loglevel="warning",
            host="127.0.0.1",
            port=port,
            datadir=Path(workdir),
        )
        with executor:
            yield f"redis://127.0.0.1:{port}/0"


def _ensure_roles(admin: Connection, owner_role: str, app_role: str) -> None:
    """Both roles as ordinary ones; made one worker at a time (two ``CREATE ROLE`` of one
    name at once fail)."""
    admin.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _ROLES_LOCK})
    try:
        _ensure_role(admin, owner_role, "NOSUPERUSER NOBYPASSRLS")
        _ensure_role(admin, app_role, "NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE")
    finally:
        admin.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _ROLES_LOCK})


def _ensure_role(admin: Connection, role: str, options: str) -> None:
    exists = admin.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first()
    verb = "ALTER" if exists else "CREATE"
    admin.execute(text(f"{verb} ROLE {role} WITH LOGIN {options}"))


@contextmanager
def scratch_database(admin_url: str, owner_role: str, app_role: str) -> Iterator[tuple[str, str]]:
    """A new, empty database owned by ``owner_role``; yields (owner URL, app URL).

    Both roles are ordinary: no superuser, no ``BYPASSRLS``, so Row Level
    Security applies to them as it does in production. Dropped afterwards.
    """
    name = f"amtsweg_scratch_{secrets.token_hex(4)}"
    admin_engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin_engine.connect() as admin:
        _ensure_roles(admin, owner_role, app_role)
        admin.execute(text(f"CREATE DATABASE {name} OWNER {owner_role}"))
    base = make_url(admin_url).set(database=name, password=None)
    try:
        yield (
            base.set(username=owner_role).render_as_string(hide_password=False),
            base.set(username=app_role).render_as_string(hide_password=False),
        )
    finally:
        with admin_engine.connect() as admin:
            admin.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin_engine.dispose()
