"""Benchmark: the clerk's list and exports with 10,000 and 100,000 submissions in PostgreSQL.

Loads the demo municipalities, then 100,000 lost-property reports into
Musterstadt and 10,000 into Beispieldorf (bulk SQL, as the owner inside each
tenant's scope), and measures in-process through the API with a clerk's token:

- the list (first page, a page 1,000 pages deep by cursor, filtered by form,
  by processing status, by reference, by name): p50/p99 over 200 requests
  each; baseline: the same page's plain SQL (``ORDER BY … LIMIT 51``) on the
  same connection pool, without the app;
- a year's case numbers (the tenant admin's page), against the same figures grouped
  by PostgreSQL in one statement;
- the form's CSV export and one submission's ZIP (a 5 MB upload): time and
  peak memory (``ru_maxrss`` of a fresh process doing only that, next to one
  doing an empty request), at 10,000 and at 100,000 submissions; baseline
  for the CSV: PostgreSQL's own ``COPY (SELECT reference, answers …) TO STDOUT``.

Run: python bench/bench_clerk.py   (about three minutes; PostgreSQL as for make bench)
"""

from __future__ import annotations

import datetime as dt
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script (make bench): the test servers live in tests/
OWNER, APP = "amtsweg_bench_owner", "amtsweg_bench_app"
SIZES = {"musterstadt": 100_000, "beispieldorf": 10_000}
FORM = "fundsache-verlustmeldung"
ROUNDS = 200
CASE_NUMBER_ROUNDS = 5
UPLOAD_BYTES = 5 * 1024 * 1024


def environment(owner_url: str, app_url: str, workdir: Path) -> dict[str, str]:
    return {
        "AMTSWEG_ENV": "development",
        "SECRET_KEY": "bench-secret-" + "x" * 40,
        "AMTSWEG_DEV_LOGIN_KEY_FILE": str(workdir / "dev-idp-key.pem"),
        "AMTSWEG_STORAGE_DIR": str(workdir / "files"),
        "AMTSWEG_MAIL_OUTBOX_DIR": str(workdir / "outbox"),
        "DATABASE_URL": app_url,
        "AMTSWEG_DATABASE_OWNER_URL": owner_url,
        "AMTSWEG_DATABASE_APP_ROLE": APP,
        "AMTSWEG_LOG_LEVEL": "WARNING",
        "REDIS_URL": "",
    }


FILL = """
INSERT INTO submissions (tenant_id, id, reference, user_id, version_id, answers, fee, fee_total,
    status, submitted_at, locale, definition_id, applicant_name, processing_status)
SELECT :tenant, gen_random_uuid(), :prefix || '-2026-' || lpad(n::text, 6, '0'), :user,
    :version,
    jsonb_build_object('kategorie', 'sonstiges', 'beschreibung', 'Schirm Nr. ' || n,
        'verlustdatum', '2026-05-01', 'verlustort', 'Rathaus', 'name', 'Person ' || n,
        'email', 'person' || n || '@example.org'),
    '{"collection": "online", "currency": "EUR", "total": 0, "lines": []}'::jsonb, 0,
    (ARRAY['submitted', 'delivered', 'delivery_failed'])[1 + n % 3],
    now() - make_interval(secs => n * 60), 'de', :definition, 'person ' || n,
    (ARRAY['received', 'in_progress', 'more_information_needed', 'completed'])[1 + n % 4]
FROM generate_series(1, :count) AS n
"""
# The name search keys the app writes at submit time (see submissions/applicants.py).
FILL_NAME_KEYS = """
INSERT INTO submission_name_keys (tenant_id, id, submission_id, key)
SELECT tenant_id, gen_random_uuid(), id,
    array_to_string((string_to_array(applicant_name, ' '))[start:], ' ')
FROM submissions, generate_subscripts(string_to_array(applicant_name, ' '), 1) AS start
WHERE applicant_name <> ''
"""


# A decision (the status it now has) for every completed one, a few days after it came in.
FILL_DECISIONS = """
INSERT INTO processing_entries (tenant_id, id, submission_id, created_at, status, message,
    files, from_citizen, actor_name)
SELECT tenant_id, gen_random_uuid(), id, submitted_at + make_interval(hours => (1 + n % 200)::int),
    'completed', 'Erledigt.', '[]'::jsonb, false, 'Bench'
FROM (SELECT *, row_number() OVER () AS n FROM submissions
      WHERE processing_status = 'completed') AS decided
"""
# The baseline of the case numbers: one grouped statement, months in Berlin time.
CASE_NUMBERS_SQL = """
SELECT s.definition_id,
    date_trunc('month', s.submitted_at AT TIME ZONE 'Europe/Berlin') AS month,
    count(*), count(*) FILTER (WHERE s.processing_status = 'completed'),
    percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM d.decided_at - s.submitted_at))
FROM submissions s LEFT JOIN (
    SELECT submission_id, min(created_at) AS decided_at FROM processing_entries
    WHERE status IN ('approved', 'rejected', 'completed') GROUP BY submission_id
) d ON d.submission_id = s.id
WHERE s.submitted_at >= :since AND s.submitted_at < :until
GROUP BY 1, 2
"""


def fill(owner_url: str) -> None:
    """Bulk submissions per tenant, written inside each tenant's scope (RLS applies)."""
    engine = create_engine(owner_url)
    with engine.begin() as db:
        user = db.scalar(text("SELECT id FROM users WHERE subject = 'bench-citizen'"))
        if user is None:
            user = db.scalar(
                text(
                    "INSERT INTO users (id, issuer, subject, display_name, is_association_admin,"
                    " created_at) VALUES (gen_random_uuid(), 'bench', 'bench-citizen', 'Bench',"
                    " false, now()) RETURNING id"
                )
            )
        definition, version = db.execute(
            text(
                "SELECT d.id, v.id FROM form_definitions d JOIN form_versions v"
                " ON v.definition_id = d.id WHERE d.slug = :slug AND v.state = 'published'"
            ),
            {"slug": FORM},
        ).one()
        for slug, count in SIZES.items():
            tenant, prefix = db.execute(
                text("SELECT id, reference_prefix FROM tenants WHERE slug = :slug"), {"slug": slug}
            ).one()
            db.execute(text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(tenant)})
            db.execute(
                text(FILL),
                {"tenant": tenant, "prefix": prefix, "user": user, "version": version,
                 "definition": definition, "count": count},
            )  # fmt: skip
            db.execute(text(FILL_NAME_KEYS))
            db.execute(text(FILL_DECISIONS))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as db:
        db.execute(text("ANALYZE submissions, submission_name_keys, processing_entries"))
    engine.dispose()


def timings(call: Callable[[], object], rounds: int = ROUNDS) -> dict[str, float]:
    spent = []
    for _ in range(rounds):
        start = time.perf_counter()
        call()
        spent.append((time.perf_counter() - start) * 1000)
    spent.sort()
    return {
        "p50_ms": round(statistics.median(spent), 2),
        "p99_ms": round(spent[int(len(spent) * 0.99) - 1], 2),
    }


def list_benchmarks() -> list[dict[str, object]]:
    """In this process (the environment is set): the API's list against plain SQL."""
    from amtsweg.app import create_app

    app = create_app()
    results = []
    with app.app_context():
        token = app.test_cli_runner().invoke(args=["dev-token", "--role", "clerk"]).output.strip()
        client = app.test_client()
        headers = {"Authorization": f"Bearer {token}"}
        url = "/api/v1/tenants/musterstadt/submissions"

        def page(**query: str) -> Callable[[], object]:
            def call() -> object:
                answer = client.get(url, query_string=query, headers=headers)
                assert answer.status_code == 200, answer.json
                return answer.json

            return call

        cursor = None
        for _ in range(1000):
            cursor = page(**({"cursor": cursor} if cursor else {}))()["next_cursor"]
        engine = create_engine(os.environ["DATABASE_URL"], pool_size=2)
        tenant = None
        with engine.connect() as db:
            tenant = db.scalar(text("SELECT id FROM tenants WHERE slug = 'musterstadt'"))

        def bare(where: str = "true") -> Callable[[], object]:
            def call() -> object:
                with engine.begin() as db:
                    db.execute(
                        text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(tenant)}
                    )
                    return db.execute(
                        text(f"SELECT * FROM submissions WHERE {where}"
                             " ORDER BY submitted_at DESC, id DESC LIMIT 51")
                    ).all()  # fmt: skip

            return call

        cases = {
            "first page": (page(), bare()),
            "page 1,001 (by cursor)": (page(cursor=cursor), bare()),
            "filtered by form": (page(form=FORM), bare()),
            "filtered by processing status": (
                page(processing="more_information_needed"),
                bare("processing_status = 'more_information_needed'"),
            ),
            "search by reference": (
                page(q="MUS-2026-054321"),
                bare("reference = 'MUS-2026-054321'"),
            ),
            "search by name": (
                page(q="person 54321"),
                bare(
                    "id IN (SELECT submission_id FROM submission_name_keys"
                    " WHERE key >= 'person 54321' AND key < 'person 54322')"
                ),
            ),
        }
        for name, (ours, baseline) in cases.items():
            mine, theirs = timings(ours), timings(baseline)
            print(
                f"list, {name:<32} p50 {mine['p50_ms']:7.2f} ms  p99 {mine['p99_ms']:7.2f} ms"
                f" | plain SQL p50 {theirs['p50_ms']:6.2f} ms  p99 {theirs['p99_ms']:6.2f} ms"
            )
            results.append({"name": f"list, {name}", "ours": mine, "baseline": theirs})
        results.append(case_numbers_benchmark(engine, tenant))
        engine.dispose()
    return results


def case_numbers_benchmark(engine: Any, tenant_id: Any) -> dict[str, object]:
    """A year's case numbers of Musterstadt (all 100,000 submissions), as the admin's page
    counts them, against the same figures grouped by PostgreSQL in one statement."""
    from amtsweg.platform.db import tenant_scope
    from amtsweg.submissions import case_numbers
    from amtsweg.submissions.service import today
    from amtsweg.tenants import service

    musterstadt = service.find_tenant("musterstadt")
    now = today()
    period = case_numbers.Period(now - dt.timedelta(days=365), now)

    def ours() -> object:
        with tenant_scope(musterstadt.id):
            return case_numbers.case_numbers(musterstadt, period)

    def grouped() -> object:
        with engine.begin() as db:
            db.execute(text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(tenant_id)})
            bounds = {"since": period.starts, "until": period.ends}
            return db.execute(text(CASE_NUMBERS_SQL), bounds).all()

    counted = ours()
    assert counted.total.counts["received"] == SIZES["musterstadt"], counted.total.counts
    mine, theirs = timings(ours, CASE_NUMBER_ROUNDS), timings(grouped, CASE_NUMBER_ROUNDS)
    print(
        f"case numbers, a year of {SIZES['musterstadt']:,}: p50 {mine['p50_ms']:7.1f} ms"
        f" | grouped in SQL p50 {theirs['p50_ms']:6.1f} ms"
        f" | ratio {theirs['p50_ms'] / mine['p50_ms']:.2f}"
    )
    return {"name": "case numbers, a year", "ours": mine, "baseline": theirs}


def measure(kind: str, tenant: str) -> dict[str, float]:
    """In a fresh process: one export (or nothing), its time and the process's peak memory."""
    from amtsweg.app import create_app

    app = create_app()
    with app.app_context():
        args = ["dev-token", "--role", "clerk", "--tenant", tenant]
        token = app.test_cli_runner().invoke(args=args).output.strip()
        client = app.test_client()
        headers = {"Authorization": f"Bearer {token}"}
        api = f"/api/v1/tenants/{tenant}"
        urls = {
            "nothing": f"{api}/submissions?q=nobody",
            "csv": f"{api}/forms/{FORM}/submissions.csv",
            "zip": f"{api}/submissions/{os.environ['BENCH_REFERENCE']}.zip",
        }
        start = time.perf_counter()
        answer = client.get(urls[kind], headers=headers, buffered=False)
        size = sum(len(chunk) for chunk in answer.iter_encoded())
        answer.close()
        seconds = time.perf_counter() - start
        assert answer.status_code == 200, answer.status_code
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": round(seconds, 2), "peak_mib": round(peak, 1), "bytes": size}


def copy_baseline(owner_url: str, tenant: str) -> float:
    engine = create_engine(owner_url)
    start = time.perf_counter()
    with engine.begin() as db:
        tenant_id = db.scalar(text("SELECT id FROM tenants WHERE slug = :s"), {"s": tenant})
        db.execute(text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(tenant_id)})
        raw = db.connection.dbapi_connection
        with raw.cursor().copy(
            "COPY (SELECT reference, answers FROM submissions ORDER BY submitted_at) TO STDOUT"
        ) as copy:
            for _chunk in copy:
                pass
    engine.dispose()
    return round(time.perf_counter() - start, 2)


def with_upload(env: dict[str, str], tenant: str) -> str:
    """A submission of ``tenant`` with a 5 MB upload (through the storage and the tables)."""
    script = (
        "import os, sys\n"
        "from amtsweg.app import create_app\n"
        "from amtsweg.platform.db import db, tenant_scope\n"
        "from amtsweg.platform.storage import storage\n"
        "from amtsweg.submissions.models import Draft, Submission, Upload\n"
        "from amtsweg.tenants import service\n"
        "from sqlalchemy import select\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        f"    tenant = service.find_tenant({tenant!r})\n"
        "    with tenant_scope(tenant.id):\n"
        "        submission = db.session.scalars(select(Submission).limit(1)).one()\n"
        "        draft = Draft(tenant_id=tenant.id, user_id=submission.user_id,\n"
        "            definition_id=submission.definition_id,\n"
        "            version_id=submission.version_id, expires_at=submission.submitted_at,\n"
        "            submitted_at=submission.submitted_at)\n"
        "        db.session.add(draft); db.session.flush()\n"
        f"        data = os.urandom({UPLOAD_BYTES})\n"
        "        key = storage().put('uploads', data)\n"
        "        upload = Upload(tenant_id=tenant.id, draft_id=draft.id, field_path='foto',\n"
        "            storage_key=key, name='foto.jpg', mime='image/jpeg', size=len(data),\n"
        "            sha256='0' * 64)\n"
        "        db.session.add(upload); db.session.flush()\n"
        "        submission.draft_id = draft.id\n"
        "        submission.answers = submission.answers | {'foto': [{'name': 'foto.jpg',\n"
        "            'mime': 'image/jpeg', 'size': len(data), 'token': str(upload.id)}]}\n"
        "        db.session.commit()\n"
        "        print(submission.reference)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], env={**os.environ, **env}, check=True,
        capture_output=True, text=True,
    )  # fmt: skip
    return done.stdout.strip()


def main() -> None:
    if len(sys.argv) == 3:  # a measuring child: kind, tenant
        print(json.dumps(measure(sys.argv[1], sys.argv[2])))
        return
    from tests import servers

    with (
        servers.postgres_server() as admin_url,
        tempfile.TemporaryDirectory() as workdir,
    ):
        if admin_url is None:
            sys.exit("PostgreSQL is needed: set DATABASE_URL or run it on port 5432")
        with servers.scratch_database(admin_url, OWNER, APP) as (owner_url, app_url):
            env = environment(owner_url, app_url, Path(workdir))
            amtsweg = [sys.executable, "-m", "amtsweg.cli"]
            for command in (["db", "upgrade"], ["demo"]):
                subprocess.run([*amtsweg, *command], env={**os.environ, **env}, check=True,
                               capture_output=True)  # fmt: skip
            started = time.perf_counter()
            fill(owner_url)
            took = time.perf_counter() - started
            print(f"loaded {sum(SIZES.values()):,} submissions in {took:.0f} s")
            os.environ.update(env)
            results = list_benchmarks()
            for tenant, count in sorted(SIZES.items(), key=lambda item: item[1]):
                reference = with_upload(env, tenant)
                child_env = {**os.environ, "BENCH_REFERENCE": reference}
                row: dict[str, object] = {"name": f"exports at {count:,}", "submissions": count}
                for kind in ("nothing", "csv", "zip"):
                    done = subprocess.run(
                        [sys.executable, __file__, kind, tenant], env=child_env, check=True,
                        capture_output=True, text=True,
                    )  # fmt: skip
                    row[kind] = json.loads(done.stdout.strip().splitlines()[-1])
                row["copy_seconds"] = copy_baseline(owner_url, tenant)
                csv, zip_, idle = row["csv"], row["zip"], row["nothing"]
                print(
                    f"at {count:>7,}: CSV {csv['seconds']:6.2f} s, {csv['bytes'] / 2**20:6.1f} MiB,"
                    f" peak {csv['peak_mib']:6.1f} MiB | COPY {row['copy_seconds']:5.2f} s"
                    f" | ZIP (5 MB upload) {zip_['seconds']:5.2f} s,"
                    f" peak {zip_['peak_mib']:6.1f} MiB"
                    f" | idle process peak {idle['peak_mib']:6.1f} MiB"
                )
                results.append(row)
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "clerk.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
