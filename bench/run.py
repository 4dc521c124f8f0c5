"""Run the benchmarks: each prints its ratio against a baseline from the same run.

Usage: ``make bench`` (or ``python bench/run.py [--seconds N]``). Needs
PostgreSQL (``DATABASE_URL`` as an admin, or the local default port).
Results are printed and written to ``bench/results/latest.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import asdict, replace
from pathlib import Path

from redis import Redis
from sqlalchemy import Connection, create_engine, make_url, text
from sqlalchemy.exc import IntegrityError

from amtsweg.app import create_app
from amtsweg.formdefs import service as formdefs
from amtsweg.payment import service as payment
from amtsweg.payment.providers import sandbox
from amtsweg.platform.db import db, tenant_scope
from amtsweg.submissions import service
from amtsweg.tenants import service as tenants
from amtsweg.tenants.login import COOKIE as LOGIN_COOKIE
from bench.harness import (
    Request,
    Server,
    Sides,
    Stats,
    gunicorn,
    load,
    load_count,
    load_varied,
)
from tests import servers
from tests.login import dev_login, local
from tests.payment.conftest import PARKING_PERMIT, offer_fee_form

ROOT = Path(__file__).resolve().parents[1]
OWNER, APP = "amtsweg_bench_owner", "amtsweg_bench_app"
BENCH_REDIS_DB = int(os.environ.get("AMTSWEG_BENCH_REDIS_DB", "14"))  # its own, emptied afterwards
# The environment make bench was started with: the web benchmarks put their app's settings
# (DATABASE_URL of a database dropped afterwards) into os.environ; the scripts must not see them.
STARTED_WITH = dict(os.environ)


def prepare(owner_url: str, app_url: str, redis_url: str, workdir: Path) -> dict[str, str]:
    env = {
        "AMTSWEG_ENV": "development",
        "SECRET_KEY": SECRET,
        "AMTSWEG_DEV_LOGIN_KEY_FILE": str(workdir / "dev-idp-key.pem"),
        "AMTSWEG_STORAGE_DIR": str(workdir / "files"),
        "AMTSWEG_MAIL_OUTBOX_DIR": str(workdir / "outbox"),
        # One benchmark citizen submits far more often than any person may.
        "AMTSWEG_SUBMIT_RATE_LIMIT": "1000000/minute",
        "AMTSWEG_LOGIN_RATE_LIMIT": "1000000/minute",
        # Jobs (the receipt email) go to the queue, as in production; nobody works it off here.
        "REDIS_URL": redis_url,
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
        f"{name:<42} {ours.per_second:8.0f}/s  p50 {ours.p50_ms:6.1f} ms  p99 {ours.p99_ms:6.1f} ms"
        f" | baseline {baseline.per_second:8.0f}/s  p50 {baseline.p50_ms:6.1f} ms"
        f"  p99 {baseline.p99_ms:6.1f} ms | ratio {ratio:.2f}"
        + (f"  ({ours.errors} unexpected answers)" if ours.errors else "")
    )
    if ours.cpu_ms and baseline.cpu_ms:
        print(f"  CPU per request: {_sides(ours.cpu_ms)} | baseline {_sides(baseline.cpu_ms)}")
    return {"name": name, "ours": asdict(ours), "baseline": asdict(baseline), "ratio": ratio}


def _sides(cpu_ms: dict[str, float]) -> str:
    return ", ".join(f"{side} {spent:.2f} ms" for side, spent in cpu_ms.items())


SECRET = "bench-secret-" + "x" * 40
FUND_ANSWERS = {
    "kategorie": "sonstiges",
    "beschreibung": "Schwarzer Regenschirm mit Holzgriff",
    "verlustort": "Bushaltestelle Rathaus",
    "name": "Erika Mustermann",
    "email": "erika@example.org",
}


def citizen(env: dict[str, str]) -> tuple[str, str, str, str]:
    """A citizen's login cookie, the path of a step page of their draft, its HTML, and a token.

    Made through the app itself: the development provider's login, as a person
    would, then the start of a lost-property report.
    """
    os.environ.update(env)
    app = create_app()
    with app.app_context():
        client = app.test_client()
        dev_login(client, "erika")
        step = local(client.get("/t/musterstadt/forms/fundsache-verlustmeldung/apply").location)
        html = client.get(step).get_data(as_text=True)
        cookie = client.get_cookie(LOGIN_COOKIE).value
        token = app.test_cli_runner().invoke(args=["dev-token", "--role", "citizen"]).output
    return cookie, step, html, token.strip()


WEBHOOK_PAYMENTS = 50
WEBHOOK_EVENTS = 40_000  # more than any run sends: each is used once


def webhook_requests(env: dict[str, str]) -> list[tuple[bytes, tuple[tuple[str, str], ...]]]:
    """Signed sandbox notifications, each with its own event id, about open payments.

    The payments are made through the app itself (the fee form, submissions,
    start_payment). The first notification about each payment makes its
    transition; every one is verified, recorded once by event id and committed.
    """
    os.environ.update(env)
    app = create_app()
    with app.app_context(), app.test_request_context(base_url="http://127.0.0.1"):
        tenant = tenants.get_tenant("musterstadt")
        user = tenants.find_or_create_user("https://bench.example", "payer", "Payer")
        with tenant_scope(tenant.id):
            offer_fee_form(tenant)
            form = formdefs.offered_form(tenant, PARKING_PERMIT["slug"])
            payments = []
            for number in range(WEBHOOK_PAYMENTS):
                outcome = service.submit_answers(
                    tenant, user, form, {"kennzeichen": f"M-AB {number + 1}"}, locale="de"
                )
                payments.append(
                    payment.start_payment(tenant, outcome.submission, "sandbox").payment
                )
            db.session.commit()
        ids = [p.provider_payment_id for p in payments]
    secret = f"whsec_demo_{tenant.slug}_sandbox"
    items = []
    for index in range(WEBHOOK_EVENTS):
        body = json.dumps(
            {
                "id": f"evt_bench_{index}",
                "type": "charge.succeeded",
                "data": {"id": ids[index % len(ids)], "status": "succeeded"},
            }
        ).encode()
        headers = (
            ("Content-Type", "application/json"),
            (sandbox.SIGNATURE_HEADER, sandbox.sign(secret, body)),
        )
        items.append((body, headers))
    return items


ROUNDS = 3

#: Each page and its baseline.
WEB_COMPARISONS = (
    ("GET /healthz vs bare hello", "healthz", "hello"),
    ("GET /t/musterstadt/ vs bare row page", "home", "row"),
    ("GET step page (logged in) vs bare hello", "step", "hello"),
    ("GET step page vs bare page of its size", "step", "page"),
    ("POST submission API vs bare insert", "api", "insert"),
    ("POST signed webhook vs bare insert", "hooks", "insert"),
)


def web_benchmarks(
    env: dict[str, str], seconds: float, memory_requests: int
) -> list[dict[str, object]]:
    """Amtsweg's pages against the bare app's, both served at once and measured in turns.

    The machine is shared and its load changes by the minute: every round
    measures each bare page and its counterpart one right after the other, and
    for each comparison the round with the median ratio counts (``ROUNDS``).
    """
    cookie, step_path, html, token = citizen(env)
    webhooks = webhook_requests(env)
    page_template = Path(env["AMTSWEG_STORAGE_DIR"]).parent / "step-page.html"
    page_template.write_text(html)
    answers = FUND_ANSWERS | {"verlustdatum": service.today().isoformat()}
    submit = json.dumps({"answers": answers}).encode()
    database = make_url(env["DATABASE_URL"]).database
    step_request = Request("GET", step_path, headers=(("Cookie", f"{LOGIN_COOKIE}={cookie}"),))
    with (
        gunicorn(
            "bench.baseline:create_app()", env | {"BASELINE_PAGE_TEMPLATE": str(page_template)}
        ) as base,
        _served(env) as ours,
    ):
        bare, mine = Sides(base, database), Sides(ours, database)
        api = f"{ours.url}/api/v1/tenants/musterstadt/forms/fundsache-verlustmeldung/submissions"
        bearer = (("Authorization", f"Bearer {token}"), ("Content-Type", "application/json"))
        requests = {
            "hello": (Request("GET", f"{base.url}/hello"), bare),
            "healthz": (Request("GET", f"{ours.url}/healthz"), mine),
            "row": (Request("GET", f"{base.url}/row/musterstadt"), bare),
            "home": (Request("GET", f"{ours.url}/t/musterstadt/"), mine),
            "page": (Request("GET", f"{base.url}/page/musterstadt"), bare),
            "step": (replace(step_request, url=ours.url + step_path), mine),
            "insert": (Request("POST", f"{base.url}/insert", b"", expect=201), bare),
            "api": (Request("POST", api, submit, headers=bearer, expect=201), mine),
        }
        hooks = f"{ours.url}/api/v1/tenants/musterstadt/payment/webhooks/sandbox"
        rounds = []
        for number in range(ROUNDS):
            measured = {
                name: load(request, seconds, sides) for name, (request, sides) in requests.items()
            }
            # Every notification is sent once: each round has its own share of them.
            measured["hooks"] = load_varied("POST", hooks, webhooks[number::ROUNDS], seconds, mine)
            rounds.append(measured)
        memory = worker_memory_growth(
            ours, replace(step_request, url=ours.url + step_path), memory_requests
        )
    print(f"step page HTML: {len(html.encode())} bytes (the bare page renders as many)")
    compared = [
        median_round(name, [(measured[page], measured[baseline]) for measured in rounds])
        for name, page, baseline in WEB_COMPARISONS
    ]
    return [*compared, memory]


def median_round(name: str, rounds: list[tuple[Stats, Stats]]) -> dict[str, object]:
    """:func:`compare` for the round (a page and its baseline) with the median ratio."""
    ordered = sorted(rounds, key=lambda pair: pair[0].per_second / pair[1].per_second)
    ratios = ", ".join(f"{ours.per_second / base.per_second:.2f}" for ours, base in ordered)
    print(f"  {name}: ratio per round {ratios}")
    ours, baseline = ordered[len(ordered) // 2]
    return compare(f"{name} (median)", ours, baseline)


def worker_memory_growth(server: Server, request: Request, requests: int) -> dict[str, object]:
    """How much the web workers' resident memory grows over ``requests`` step pages.

    Measured from after a warm-up (caches filled, 2 % of the requests) to the
    end, summed over the workers; printed after every tenth of the requests.
    """
    load_count(request, max(requests // 50, 1000))
    before = sum(server.worker_memory())
    tenth = max(requests // 10, 1)
    sent, errors, seconds = 0, 0, 0.0
    while sent < requests:
        stats = load_count(request, min(tenth, requests - sent))
        sent, errors, seconds = (
            sent + stats.requests,
            errors + stats.errors,
            seconds + stats.seconds,
        )
        now = sum(server.worker_memory())
        print(f"  after {sent:6d} step pages: {now / 2**20:6.1f} MiB ({now / before - 1:+.1%})")
    after = sum(server.worker_memory())
    growth = (after - before) / before
    print(
        f"{'worker memory over ' + str(sent) + ' step pages':<42}"
        f" {before / 2**20:6.1f} MiB -> {after / 2**20:6.1f} MiB  growth {growth:+.1%}"
        f"  ({sent / seconds:.0f}/s" + (f", {errors} unexpected answers)" if errors else ")")
    )
    return {"name": "worker memory", "requests": sent, "before": before, "after": after,
            "growth": growth}  # fmt: skip


TENANTS = 10_000
MANY_TENANTS_SQL = """
INSERT INTO tenants (id, slug, name, reference_prefix, enabled, colour, created_at, live_since,
                     municipality_key, state, dead_deliveries, failed_payments)
SELECT gen_random_uuid(), 'ort-' || lpad(n::text, 5, '0'), 'Gemeinde Ort ' || n,
       'Z' || chr(65 + n / 17576 % 26) || chr(65 + n / 676 % 26) || chr(65 + n / 26 % 26)
           || chr(65 + n % 26),
       true, '#0b5394', now(), now(),
       lpad((n % 16 + 1)::text, 2, '0') || lpad(n::text, 6, '0'), lpad((n % 16 + 1)::text, 2, '0'),
       0, 0
FROM generate_series(1, :count) AS n
"""


def leave_only(owner_url: str, slug: str) -> None:
    """Delete every other tenant with all its rows, so that ``slug`` is the only one.

    A tenant's rows are visible only with ``app.tenant_id`` set to it (Row
    Level Security binds the owner too); its tables are emptied in passes
    until the foreign keys allow each one.
    """
    engine = create_engine(owner_url)
    with engine.begin() as connection:
        tables = list(connection.scalars(text(TENANT_TABLES_SQL)))
        others = connection.scalars(text("SELECT id FROM tenants WHERE slug <> :s"), {"s": slug})
        for tenant_id in list(others):
            connection.execute(
                text("SELECT set_config('app.tenant_id', :id, true)"), {"id": str(tenant_id)}
            )
            left = tables
            while left:
                still = [table for table in left if not _emptied(connection, table, tenant_id)]
                if still == left:
                    raise RuntimeError(f"cannot delete the rows of tenant {tenant_id} in {left}")
                left = still
            connection.execute(text("DELETE FROM tenants WHERE id = :id"), {"id": tenant_id})
        assert connection.scalar(text("SELECT count(*) FROM tenants")) == 1
    engine.dispose()


TENANT_TABLES_SQL = """
SELECT table_name FROM information_schema.columns
WHERE table_schema = 'public' AND column_name = 'tenant_id' ORDER BY table_name
"""


def _emptied(connection: Connection, table: str, tenant_id: object) -> bool:
    try:
        with connection.begin_nested():
            connection.execute(
                text(f'DELETE FROM "{table}" WHERE tenant_id = :id'),
                {"id": tenant_id},
            )
    except IntegrityError:
        return False
    return True


def citizen_page_among_tenants(env: dict[str, str], seconds: float) -> dict[str, object]:
    """The same page with 1 tenant and with 10,000, in turns on one running server.

    The machine is shared and its load changes by the minute: measured side by
    side ``ROUNDS`` times, both see the same load, and the median round counts.
    """
    owner_url = env["AMTSWEG_DATABASE_OWNER_URL"]
    rounds = []
    with _served(env) as ours:
        page = Request("GET", f"{ours.url}/t/musterstadt/")
        for _round in range(ROUNDS):
            one = load(page, seconds)
            add_tenants(owner_url)
            many = load(page, seconds)
            remove_added_tenants(owner_url)
            rounds.append((many, one))
    return median_round(f"GET /t/musterstadt/ {TENANTS} vs 1 tenant", rounds)


def add_tenants(owner_url: str) -> None:
    """9,999 tenants beside musterstadt (one SQL insert, as an association would have them)."""
    engine = create_engine(owner_url)
    with engine.begin() as connection:
        connection.execute(text(MANY_TENANTS_SQL), {"count": TENANTS - 1})
        connection.execute(text("ANALYZE tenants"))
    engine.dispose()


def remove_added_tenants(owner_url: str) -> None:
    """Back to musterstadt alone: the added tenants have no rows anywhere else."""
    engine = create_engine(owner_url)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM tenants WHERE slug LIKE 'ort-%'"))
        connection.execute(text("ANALYZE tenants"))
    engine.dispose()


def association_admin_cookie(env: dict[str, str]) -> str:
    os.environ.update(env)
    app = create_app()
    with app.app_context():
        client = app.test_client()
        dev_login(client, "association-admin", next_url="/admin/tenants/")
        return client.get_cookie(LOGIN_COOKIE).value


def _served(env: dict[str, str]) -> AbstractContextManager[Server]:
    """Amtsweg as production serves it: with its gunicorn config (metrics summed over the
    workers), and not in "development", which re-reads every template from disk per render."""
    return gunicorn(
        "amtsweg.app:create_app()",
        env | {"AMTSWEG_ENV": "test"},
        config="python:amtsweg.platform.gunicorn_conf",
    )


def tenant_scale_benchmarks(env: dict[str, str], seconds: float) -> list[dict[str, object]]:
    """A citizen page with musterstadt the only tenant and among 10,000 (the ratio says what
    the number of tenants costs); then the association's overview and search over 10,000
    tenants (p99), against the bare row page."""
    cookie = (("Cookie", f"{LOGIN_COOKIE}={association_admin_cookie(env)}"),)
    owner_url = env["AMTSWEG_DATABASE_OWNER_URL"]
    leave_only(owner_url, "musterstadt")
    citizen_page = citizen_page_among_tenants(env, seconds)
    add_tenants(owner_url)
    with gunicorn("bench.baseline:create_app()", env) as base:
        row = load(Request("GET", f"{base.url}/row/musterstadt"), seconds)
    with _served(env) as ours:
        overview = load(Request("GET", f"{ours.url}/admin/tenants/", headers=cookie), seconds)
        later = load(
            Request("GET", f"{ours.url}/admin/tenants/?after=ort-07000", headers=cookie), seconds
        )
        search = load(
            Request("GET", f"{ours.url}/admin/tenants/?q=Ort%20812", headers=cookie), seconds
        )
        by_key = load(Request("GET", f"{ours.url}/admin/tenants/?q=0500", headers=cookie), seconds)
    return [
        citizen_page,
        compare(f"GET /admin/tenants/ ({TENANTS}) vs bare row", overview, row),
        compare("GET /admin/tenants/?after=ort-07000 vs bare row", later, row),
        compare("GET /admin/tenants/?q=Ort 812 vs bare row", search, row),
        compare("GET /admin/tenants/?q=0500 (key) vs bare row", by_key, row),
    ]


def script_benchmarks() -> list[dict[str, object]]:
    """Benchmarks that are scripts of their own (``bench/bench_*.py``)."""
    results = []
    for script in sorted((ROOT / "bench").glob("bench_*.py")):
        print(f"--- {script.name}")
        module = f"bench.{script.stem}"  # as a module, so it can import its baseline from bench/
        done = subprocess.run(
            [sys.executable, "-m", module],
            cwd=ROOT,
            env=STARTED_WITH,
            check=True,
            capture_output=True,
        )
        output = done.stdout.decode()
        print(output, end="")
        results.append({"name": script.name, "output": output})
    return results


@contextmanager
def bench_environment() -> Iterator[dict[str, str]]:
    """A scratch database with the demo data and Redis; the servers' environment."""
    with (
        servers.postgres_server() as admin_url,
        servers.redis_server() as redis_url,
        tempfile.TemporaryDirectory() as workdir,
    ):
        if admin_url is None or redis_url is None:
            sys.exit("PostgreSQL and Redis are needed: set DATABASE_URL/REDIS_URL or run them")
        queue_url = redis_url.rsplit("/", 1)[0] + f"/{BENCH_REDIS_DB}"
        try:
            with servers.scratch_database(admin_url, OWNER, APP) as (owner_url, app_url):
                yield prepare(owner_url, app_url, queue_url, Path(workdir))
        finally:
            Redis.from_url(queue_url).flushdb()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0, help="load per measurement")
    parser.add_argument(
        "--memory-requests", type=int, default=100_000, help="step pages for the memory check"
    )
    arguments = parser.parse_args()
    with bench_environment() as env:
        results = web_benchmarks(env, arguments.seconds, arguments.memory_requests)
        results += tenant_scale_benchmarks(env, arguments.seconds)
    results += script_benchmarks()
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
