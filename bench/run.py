"""Run the benchmarks: each prints its ratio against a baseline from the same run.

Usage: ``make bench`` (or ``python bench/run.py [--seconds N]``). Needs
PostgreSQL (``DATABASE_URL`` as an admin, or the local default port).
Results are printed and written to ``bench/results/latest.json``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

from sqlalchemy import create_engine, text

from bench.harness import Request, Stats, gunicorn, load
from tests import servers

ROOT = Path(__file__).resolve().parents[1]
OWNER, APP = "amtsweg_bench_owner", "amtsweg_bench_app"


def prepare(owner_url: str, app_url: str) -> dict[str, str]:
    env = {
        "AMTSWEG_ENV": "development",
        "DATABASE_URL": app_url,
        "AMTSWEG_DATABASE_OWNER_URL": owner_url,
        "AMTSWEG_DATABASE_APP_ROLE": APP,
        "AMTSWEG_LOG_LEVEL": "WARNING",
        "BASELINE_DATABASE_URL": owner_url,
    }
    amtsweg = [sys.executable, "-m", "amtsweg.cli"]
    for command in (["db", "upgrade"], ["demo"]):
        subprocess.run([*amtsweg, *command], env=env, check=True, capture_output=True)
    engine = create_engine(owner_url)
    with engine.begin() as connection:
        connection.execute(
            text("CREATE TABLE bench_baseline (id serial PRIMARY KEY, payload text NOT NULL)")
        )
    engine.dispose()
    return env


def compare(name: str, ours: Stats, baseline: Stats) -> dict[str, object]:
    ratio = ours.per_second / baseline.per_second
    print(
        f"{name:<34} {ours.per_second:8.0f}/s  p50 {ours.p50_ms:6.1f} ms  p99 {ours.p99_ms:6.1f} ms"
        f" | baseline {baseline.per_second:8.0f}/s  p50 {baseline.p50_ms:6.1f} ms"
        f"  p99 {baseline.p99_ms:6.1f} ms | ratio {ratio:.2f}"
        + (f"  ({ours.errors} unexpected answers)" if ours.errors else "")
    )
    return {"name": name, "ours": asdict(ours), "baseline": asdict(baseline), "ratio": ratio}


def web_benchmarks(env: dict[str, str], seconds: float) -> list[dict[str, object]]:
    with gunicorn("bench.baseline:create_app()", env) as base:
        hello = load(Request("GET", f"{base}/hello"), seconds)
        row = load(Request("GET", f"{base}/row/musterstadt"), seconds)
    with gunicorn("amtsweg.app:create_app()", env) as ours:
        healthz = load(Request("GET", f"{ours}/healthz"), seconds)
        home = load(Request("GET", f"{ours}/t/musterstadt/"), seconds)
    return [
        compare("GET /healthz vs bare hello", healthz, hello),
        compare("GET /t/musterstadt/ vs bare row page", home, row),
    ]


def script_benchmarks() -> list[dict[str, object]]:
    """Benchmarks that are scripts of their own (``bench/bench_*.py``)."""
    results = []
    for script in sorted((ROOT / "bench").glob("bench_*.py")):
        print(f"--- {script.name}")
        done = subprocess.run([sys.executable, str(script)], check=True, capture_output=True)
        output = done.stdout.decode()
        print(output, end="")
        results.append({"name": script.name, "output": output})
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0, help="load per measurement")
    seconds = parser.parse_args().seconds
    with servers.postgres_server() as admin_url:
        if admin_url is None:
            sys.exit("PostgreSQL is needed: set DATABASE_URL or run a local server")
        with servers.scratch_database(admin_url, OWNER, APP) as (owner_url, app_url):
            env = prepare(owner_url, app_url)
            results = web_benchmarks(env, seconds)
    results += script_benchmarks()
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
