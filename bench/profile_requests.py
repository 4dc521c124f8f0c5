"""Where a request's time goes: statements, Redis commands and a profile per request.

Usage: ``python -m bench.profile_requests [--requests N]``. Sets up
the same database and citizen as ``make bench`` and sends the step page GET
and the submission API POST through the app in-process (no HTTP server), so
the figures are the app's own. Prints, per request, the SQL statements and
Redis commands it sent, its CPU time, the Python function calls it made,
and where ``N`` requests spent their time (cProfile: our functions by
cumulative time, all by own time). Not part of ``make bench``: it explains
the figures ``make bench`` measures.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from redis.connection import Connection as RedisConnection
from sqlalchemy import event

from amtsweg.app import create_app
from amtsweg.submissions import service
from amtsweg.tenants.login import COOKIE as LOGIN_COOKIE
from bench.run import APP, BENCH_REDIS_DB, FUND_ANSWERS, OWNER, citizen, prepare
from tests import servers


@contextmanager
def counting(engine: Any) -> Iterator[dict[str, list[str]]]:
    """Collect the SQL statements and Redis commands sent inside the block."""
    sent: dict[str, list[str]] = {"sql": [], "redis": []}

    def on_execute(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent["sql"].append(" ".join(statement.split())[:160])

    original = RedisConnection.send_command

    def send_command(self: RedisConnection, *args: Any, **kwargs: Any) -> None:
        sent["redis"].append(" ".join(str(part) for part in args[:2]))
        original(self, *args, **kwargs)

    event.listen(engine, "before_cursor_execute", on_execute)
    RedisConnection.send_command = send_command  # type: ignore[method-assign]
    try:
        yield sent
    finally:
        RedisConnection.send_command = original  # type: ignore[method-assign]
        event.remove(engine, "before_cursor_execute", on_execute)


def explain(name: str, send: Callable[[], int], engine: Any, requests: int) -> None:
    for _ in range(20):  # warm every cache a long-running worker has warm
        send()
    with counting(engine) as sent:
        status = send()
    print(f"=== {name}: status {status}")
    print(f"{len(sent['sql'])} SQL statements:")
    for statement in sent["sql"]:
        print(f"  {statement}")
    print(f"{len(sent['redis'])} Redis commands: {', '.join(sent['redis'])}")
    started = time.process_time()
    for _ in range(requests):
        send()
    cpu_ms = (time.process_time() - started) * 1000 / requests
    print(f"{cpu_ms:.2f} ms CPU per request (in-process, {requests} requests, no profiler)")
    calls = cProfile.Profile()
    calls.runcall(send)
    print(f"{pstats.Stats(calls).total_calls} Python function calls")  # type: ignore[attr-defined]
    profile = cProfile.Profile()
    for _ in range(requests):
        profile.runcall(send)
    stats = pstats.Stats(profile)
    stats.sort_stats("cumulative").print_stats("amtsweg/", 30)
    stats.sort_stats("tottime").print_stats(25)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=300, help="requests per profile")
    arguments = parser.parse_args()
    with (
        servers.postgres_server() as admin_url,
        servers.redis_server() as redis_url,
        tempfile.TemporaryDirectory() as workdir,
    ):
        if admin_url is None or redis_url is None:
            raise SystemExit("PostgreSQL and Redis are needed")
        queue_url = redis_url.rsplit("/", 1)[0] + f"/{BENCH_REDIS_DB}"
        with servers.scratch_database(admin_url, OWNER, APP) as (owner_url, app_url):
            env = prepare(owner_url, app_url, queue_url, Path(workdir))
            cookie, step_path, _html, token = citizen(env)
            os.environ.update(env | {"AMTSWEG_ENV": "test"})  # as make bench serves it
            app = create_app()
            engine = app.extensions["amtsweg.db"].engine
            client = app.test_client()
            client.set_cookie(LOGIN_COOKIE, cookie)
            answers = FUND_ANSWERS | {"verlustdatum": service.today().isoformat()}
            submit = json.dumps({"answers": answers})
            api = "/api/v1/tenants/musterstadt/forms/fundsache-verlustmeldung/submissions"

            def step() -> int:
                return client.get(step_path).status_code

            def post() -> int:
                return client.post(
                    api,
                    data=submit,
                    headers={"Authorization": f"Bearer {token}"},
                    content_type="application/json",
                ).status_code

            explain("step-page", step, engine, arguments.requests)
            explain("submission-api", post, engine, arguments.requests)


if __name__ == "__main__":
    main()
