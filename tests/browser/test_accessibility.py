"""The citizen journey in a real browser: Debian's Chromium, playwright-core and axe-core.

The app runs as a real HTTP server with the demo municipalities (loaded by ``amtsweg demo``);
``journey.mjs`` walks whole applications for three catalogue forms in German and English, one
of them with the keyboard only and one with JavaScript switched off, runs axe (WCAG 2.1 A and
AA) on every page and prints a JSON report that this test reads. The dog-tax walks register a
dangerous dog whose permit is uploaded inside the group's item, replaced once by ticking
"remove", and submitted.

Needs Node.js with ``node_modules`` (``make test`` runs ``npm ci``) and ``/usr/bin/chromium``
(Debian's package ``chromium``; ``.ci/run`` installs it). Nothing downloads a browser.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from amtsweg.cli import main
from amtsweg.payment import service as payments
from amtsweg.payment.providers import sandbox
from amtsweg.platform.auth.roles import Role
from amtsweg.platform.db import db, tenant_scope
from amtsweg.platform.devidp import dev_issuer
from amtsweg.tenants import service as tenants
from tests import servers
from tests.live_server import live_server
from tests.payment.conftest import offer_fee_form
from tests.payment.helpers import fail_sandbox_refund, reload, start, statement, submit
from tests.submissions.test_api import fund_answers

pytestmark = [pytest.mark.browser, pytest.mark.long]

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("journey.mjs")
SESSION_SCRIPT = Path(__file__).with_name("session_dialog.mjs")
CHROMIUM = Path(os.environ.get("AMTSWEG_CHROMIUM", "/usr/bin/chromium"))
JOURNEY_SECONDS = 240
REFERENCE = re.compile(r"[A-Z]{3}-\d{4}-\d{6}")
FORMS = {"fundsache-verlustmeldung", "hundesteuer-anmeldung", "gewerbeanmeldung"}
WALKS = {(form, locale) for form in FORMS for locale in ("de", "en")}


def _node() -> str:
    node = shutil.which("node")
    modules = [ROOT / "node_modules" / name for name in ("playwright-core", "axe-core")]
    if node is None or not all(module.is_dir() for module in modules):
        servers.unavailable("Node.js with node_modules/playwright-core and axe-core (make test)")
    if not CHROMIUM.is_file():
        servers.unavailable(f"Chromium at {CHROMIUM} (Debian's package chromium)")
    return str(node)


def _walk(node: str, url: str) -> dict[str, Any]:
    return _run(node, SCRIPT, url, "musterstadt")


def _run(node: str, script: Path, url: str, *args: str) -> dict[str, Any]:
    """Run a browser script against ``url``; its browser and it are stopped whatever happens."""
    process = subprocess.Popen(
        [node, str(script), url, *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # Chromium joins the group, so a timeout ends it too
    )
    try:
        out, err = process.communicate(timeout=JOURNEY_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        out, err = process.communicate()
        pytest.fail(f"{script.name} ran longer than {JOURNEY_SECONDS} s\n{err[-2000:]}")
    assert out.strip(), (
        f"{script.name} printed no report (exit {process.returncode}):\n{err[-4000:]}"
    )
    return json.loads(out.strip().splitlines()[-1])


def _violations(report: dict[str, Any], walk: str | None = "journey") -> list[str]:
    """One line per axe violation: the page (after ``page[walk]``, the walk it was seen on),
    its URL, the rule and the first five elements that break it."""

    def place(page: dict[str, Any]) -> str:
        return f"{page[walk]} / {page['name']}" if walk else page["name"]

    return [
        f"{place(page)} ({page['url']}): "
        f"{rule['id']} [{rule['impact']}] {rule['help']} at {', '.join(rule['targets'][:5])}"
        for page in report["pages"]
        for rule in page["violations"]
    ]


def test_the_citizen_journey_is_accessible_in_a_browser(site: str) -> None:
    report = _walk(_node(), site)
    assert "error" not in report, report["error"]

    journeys = report["journeys"]
    failed = [f"{j['name']}: {j['error']}" for j in journeys if j["error"] or not j["confirmed"]]
    assert not failed, "journeys that did not reach the confirmation:\n" + "\n".join(failed)
    for journey in journeys:
        assert REFERENCE.fullmatch(journey["reference"] or ""), journey
        assert journey["reference"].startswith("MUS-")
    assert {j["form"] for j in journeys} >= FORMS
    assert {(j["form"], j["locale"]) for j in journeys} >= WALKS
    assert {j["mode"] for j in journeys} == {"keyboard", "mouse", "no-js"}

    checks = [f"{c['name']}: {c['detail']}" for c in report["checks"] if not c["ok"]]
    assert not checks, "keyboard checks that failed:\n" + "\n".join(checks)
    assert len(report["checks"]) >= 5
    permits = [c for c in report["checks"] if "the permit replaced the wrong file" in c["name"]]
    assert len(permits) == 2, permits  # the dangerous dog's permit, in German and in English

    audited = [page for page in report["pages"] if page["checked"]]
    assert len(audited) >= 60, [page["name"] for page in audited]
    for name in ("tenant-start", "form-start", "step-errors", "summary", "confirmation"):
        assert any(page["name"] == name for page in audited), name
    assert any(page["name"] == "my-applications" for page in audited)
    wrong_language = [
        f"{page['journey']} / {page['name']}: {page['lang']}"
        for page in report["pages"]
        for journey in journeys
        if page["journey"] == journey["name"]
        and page["name"] != "tenant-start"
        and page["lang"] != journey["locale"]
    ]
    assert not wrong_language, wrong_language
    violations = _violations(report)
    assert not violations, f"{len(violations)} axe violations:\n" + "\n".join(violations)


@pytest.fixture
def site_with_short_logins(serve_site) -> Iterator[str]:
    """A site whose logins last five minutes: the timeout warning is due at once."""
    with serve_site("demo", login_session_minutes=5) as url:
        yield url


def test_the_timeout_warning_works_with_javascript(site_with_short_logins: str) -> None:
    report = _run(_node(), SESSION_SCRIPT, site_with_short_logins)
    assert "error" not in report, report["error"]
    failed = [f"{c['name']}: {c['detail']}" for c in report["checks"] if not c["ok"]]
    assert not failed, failed
    assert len(report["checks"]) == 4
    assert report["violations"] == []


CLERK_SCRIPT = Path(__file__).with_name("clerk.mjs")
ADMIN_PAGES = (
    "audit-log",
    "clerks",
    "clerks-error",
    "retention",
    "retention-error",
    "case-numbers",
    "message-templates",
    "message-template-error",
    "message-templates-saved",
    "submission-from-template",
)


@pytest.fixture
def site_with_a_submission(make_app, settings) -> Iterator[tuple[str, str]]:
    """The demo municipalities with Erika's lost-umbrella report sent through the API."""
    port = servers.free_port()
    app = make_app(settings=replace(settings, public_url=f"http://127.0.0.1:{port}"))
    with app.app_context():
        runner = app.test_cli_runner()
        assert runner.invoke(main, ["demo"]).exit_code == 0
        token = runner.invoke(main, ["dev-token", "--role", "citizen"]).output.strip()
        sent = app.test_client().post(
            "/api/v1/tenants/musterstadt/forms/fundsache-verlustmeldung/submissions",
            json={"answers": fund_answers()},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert sent.status_code == 201, sent.json
        _make_sabine_a_member(app)
        _a_paid_card_payment(app)
        clerk = runner.invoke(main, ["dev-token", "--role", "clerk"]).output.strip()
        waiting = app.test_client().post(
            "/api/v1/tenants/musterstadt/payment/statements",
            data=statement(("E1", "5.00", "Spende", "Max Muster"), ("E2", "7.00", "?", "Eva")),
            headers={"Authorization": f"Bearer {clerk}"},
        )
        assert waiting.json == {"matched": 0, "for_clerk": 2, "known": 0}
    with live_server(app, port) as url:
        yield url, sent.json["reference"]


def _a_paid_card_payment(app) -> None:
    """Erika's parking permit, paid with the sandbox's test card (its notification settles
    it), so that the clerk has a payment to open, refund and compare; of its two refunds
    one failed at the provider, so that the clerk's pages and Erika's show both kinds."""
    musterstadt = tenants.find_tenant("musterstadt")
    with tenant_scope(musterstadt.id):
        offer_fee_form(musterstadt)
        db.session.commit()
    erika = dev_issuer(app.config["AMTSWEG"])  # the development login's Erika
    payment = start(app, musterstadt, submit(app, musterstadt, issuer=erika))
    with app.test_request_context(), tenant_scope(musterstadt.id):
        charge = sandbox.find_charge(uuid.UUID(payment.provider_payment_id.removeprefix("sbx_")))
        sandbox.pay(charge, "4242 4242 4242 4242")
        db.session.commit()
        payments.refund(musterstadt, reload(musterstadt, payment), 300, "Teil")
        made = payments.refund(musterstadt, reload(musterstadt, payment), 500, "Teil")
        db.session.commit()
    fail_sandbox_refund(musterstadt, payment, made.provider_refund_id, "expired_or_canceled_card")
    with app.test_request_context(), tenant_scope(musterstadt.id):
        assert payments.take_up_refunds(musterstadt, reload(musterstadt, payment)).failed
        db.session.commit()


def _make_sabine_a_member(app) -> None:
    """Sabine a clerk by membership too (as an accepted invitation makes her), so that the
    admin's page of clerks' forms has her to show."""
    musterstadt = tenants.find_tenant("musterstadt")
    sabine = tenants.find_or_create_user(
        dev_issuer(app.config["AMTSWEG"]), "clerk-musterstadt", "Sabine Schreiber"
    )
    with tenant_scope(musterstadt.id):
        tenants.grant_role(musterstadt, sabine, Role.CLERK)
        db.session.commit()


def test_the_clerks_workplace_is_accessible_in_a_browser(
    site_with_a_submission: tuple[str, str],
) -> None:
    site, reference = site_with_a_submission
    report = _run(_node(), CLERK_SCRIPT, site, reference)
    assert "error" not in report, report["error"]
    failed = [f"{c['name']}: {c['detail']}" for c in report["checks"] if not c["ok"]]
    assert not failed, "checks that failed:\n" + "\n".join(failed)
    assert len(report["checks"]) >= 10
    audited = {(page["pass"], page["name"]) for page in report["pages"] if page["checked"]}
    for name in ("list", "list-by-reference", "submission", "submission-saved"):
        assert ("clerk-de-keyboard", name) in audited, name
    for name in (
        "list",
        "list-by-name",
        "submission",
        "submission-error",
        "delivery",
        "list-of-a-form",
    ):
        assert ("clerk-en", name) in audited, name
    assert {("citizen-de", "submission"), ("citizen-en", "submission")} <= audited
    assert {("citizen-de", "refunded-submission"), ("citizen-en", "refunded-submission")} <= audited
    for name in ADMIN_PAGES:
        assert {("admin-de", name), ("admin-en", name)} <= audited, name
    for name in (
        "payments",
        "credit",
        "credit-error",
        "payments-cleared",
        "payment",
        "payment-refund-error",
        "payment-compared",
    ):
        assert {("clerk-de-payments", name), ("clerk-en-payments", name)} <= audited, name
    wrong_language = [
        f"{page['pass']} / {page['name']}: {page['lang']}"
        for page in report["pages"]
        if page["lang"] != ("en" if "-en" in page["pass"] else "de")
    ]
    assert not wrong_language, wrong_language
    violations = _violations(report, walk="pass")
    assert not violations, f"{len(violations)} axe violations:\n" + "\n".join(violations)
