"""Does a web worker's memory grow? 100,000 step pages against one gunicorn worker.

Usage: ``.venv/bin/python -m bench.memory_growth [--requests N] [--samples K]``
(5 to 10 minutes on two quiet cores; exits 1 above the limit). Sets up the same database
and citizen as ``make bench``, serves Amtsweg as production does (its gunicorn
config) with a single worker, so every request lands in the process whose
resident memory (``VmRSS``) is sampled, and sends the logged-in step page
``N`` times. The first 2 % (at least 1,000) warm it up: templates compiled,
the form definition compiled, pools and caches filled. Growth is measured
from there to the end and printed with the curve, which tells a cache that
levels off from a leak that keeps climbing. The limit is 5 %.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from redis import Redis

from amtsweg.tenants.login import COOKIE as LOGIN_COOKIE
from bench.harness import Request, Server, gunicorn, load_count
from bench.run import APP, BENCH_REDIS_DB, OWNER, citizen, prepare
from tests import servers

LIMIT = 0.05


def sample(server: Server) -> int:
    (worker,) = server.worker_memory()
    return worker


def grow(server: Server, request: Request, requests: int, samples: int) -> float:
    """Send ``request`` ``requests`` times after a warm-up; print the worker's memory curve."""
    warm_up = load_count(request, max(requests // 50, 1000))
    before = sample(server)
    print(f"after warm-up ({warm_up.requests}): {before / 2**20:7.1f} MiB", flush=True)
    sent, errors, seconds = 0, 0, 0.0
    while sent < requests:
        stats = load_count(request, min(-(-requests // samples), requests - sent))
        sent += stats.requests
        errors += stats.errors
        seconds += stats.seconds
        now = sample(server)
        print(
            f"  after {sent:7d} step pages: {now / 2**20:7.1f} MiB ({now / before - 1:+.2%})"
            f"  load average {os.getloadavg()[0]:.1f}",
            flush=True,
        )
    growth = sample(server) / before - 1
    print(
        f"one worker over {sent} step pages: {before / 2**20:.1f} MiB -> "
        f"{sample(server) / 2**20:.1f} MiB, growth {growth:+.2%} (limit {LIMIT:.0%}),"
        f" {sent / seconds:.0f}/s" + (f", {errors} unexpected answers" if errors else "")
    )
    return growth


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=100_000, help="step pages to send")
    parser.add_argument("--samples", type=int, default=20, help="memory samples on the way")
    arguments = parser.parse_args()
    with (
        servers.postgres_server() as admin_url,
        servers.redis_server() as redis_url,
        tempfile.TemporaryDirectory() as workdir,
    ):
        if admin_url is None or redis_url is None:
            sys.exit("PostgreSQL and Redis are needed: set DATABASE_URL/REDIS_URL or run them")
        queue_url = redis_url.rsplit("/", 1)[0] + f"/{BENCH_REDIS_DB}"
        with servers.scratch_database(admin_url, OWNER, APP) as (owner_url, app_url):
            env = prepare(owner_url, app_url, queue_url, Path(workdir))
            cookie, step_path, _html, _token = citizen(env)
            with gunicorn(
                "amtsweg.app:create_app()",
                env | {"AMTSWEG_ENV": "test"},
                workers=1,
                config="python:amtsweg.platform.gunicorn_conf",
            ) as ours:
                step = Request(
                    "GET", ours.url + step_path, headers=(("Cookie", f"{LOGIN_COOKIE}={cookie}"),)
                )
                growth = grow(ours, step, arguments.requests, arguments.samples)
        Redis.from_url(queue_url).flushdb()
    sys.exit(0 if growth <= LIMIT else 1)


if __name__ == "__main__":
    main()
