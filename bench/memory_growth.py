"""Does a web worker's memory grow? 100,000 step pages against one gunicorn worker.

Usage: ``make bench-memory`` or ``.venv/bin/python -m bench.memory_growth [--requests N]``
(5 to 10 minutes on two quiet cores; exits 1 above the limit). Sets up the same database
and citizen as ``make bench``, serves Amtsweg as production does (its gunicorn
config) with a single worker, so every request lands in the process whose
resident memory (``VmRSS``) is sampled, and sends the logged-in step page
``N`` times, measured as ``make bench`` measures its shorter run
(:func:`bench.run.worker_memory_growth`: a warm-up of 2 %, then the curve after
every tenth, which tells a cache that levels off from a leak that keeps
climbing). The limit is 5 %.
"""

from __future__ import annotations

import argparse
import sys

from amtsweg.tenants.login import COOKIE as LOGIN_COOKIE
from bench.harness import Request, gunicorn
from bench.run import bench_environment, citizen, worker_memory_growth

LIMIT = 0.05


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=100_000, help="step pages to send")
    arguments = parser.parse_args()
    with bench_environment() as env:
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
            growth = worker_memory_growth(ours, step, arguments.requests)["growth"]
    print(f"limit {LIMIT:.0%}: {'kept' if growth <= LIMIT else 'exceeded'}")
    sys.exit(0 if growth <= LIMIT else 1)


if __name__ == "__main__":
    main()
