"""The tenant admin's checklist: it checks what is there, and going live waits for it.

The imprint and privacy links are fetched from a real HTTP server on this
machine (``tests/peers/website.py``), allowed through
``AMTSWEG_LINK_CHECK_PRIVATE_HOSTS`` as a staging setup would; without that
allowance an internal address is refused.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid

import pytest
from flask import current_app
from sqlalchemy import select

from amtsweg.delivery import service as delivery
from amtsweg.formdefs import service as formdefs
from amtsweg.payment import onboarding as payment_checks
from amtsweg.payment import service as payments
from amtsweg.payment.providers import sandbox
from amtsweg.platform.db import db, tenant_scope
from amtsweg.platform.errors import Conflict
from amtsweg.submissions import service as submissions
from amtsweg.tenants import onboarding, service
from amtsweg.tenants.links import link_problem
from amtsweg.tenants.models import AuditEntry, Role
from tests.images import png
from tests.login import csrf_token
from tests.payment.conftest import connect_sandbox
from tests.submissions.conftest import fund_answers

GERMAN = {"Accept-Language": "de"}


@pytest.fixture
def web(municipality_website) -> str:
    return municipality_website


@pytest.fixture
def app(make_app, settings):
    allowed = dataclasses.replace(settings, link_check_private_hosts="127.0.0.1")
    app = make_app(settings=allowed)
    with app.app_context():
        yield app


@pytest.fixture
def kleinheim(app, create_tenant):
    tenant = service.create_tenant("kleinheim", "Gemeinde Kleinheim", "KLH", live=False)
    db.session.commit()
    with tenant_scope(tenant.id):
        yield tenant


def _results(tenant) -> dict[str, onboarding.CheckResult]:
    return {item.check.key: item.result for item in onboarding.run_checklist(tenant)}


def _complete(tenant, web: str) -> None:
    """Everything the tenants and formdefs areas check, done."""
    service.update_branding(
        tenant,
        service.Branding(
            colour="#1f4e79",
            contact_email="rathaus@kleinheim.example",
            imprint_url=f"{web}/impressum",
            privacy_url=f"{web}/weiter",
        ),
    )
    service.set_coat_of_arms(tenant, png())
    tenant.accessibility_reviewed_on = dt.date(2026, 11, 20)
    service.invite(tenant, "sb@kleinheim.example", Role.CLERK)
    formdefs.load_catalogue()
    formdefs.activate_form(tenant, formdefs.get_definition("fundsache-verlustmeldung"))
    _test_delivery_and_payment(tenant)
    db.session.commit()


def _test_delivery_and_payment(tenant) -> None:
    """A mailbox target a test delivery reached, a sandbox test payment that succeeded."""
    target = delivery.save_target(tenant, "postfach", "mailbox", {"address": "a@kleinheim.example"})
    assert delivery.send_test_delivery(tenant, target) is None
    connect_sandbox(tenant)
    account = payments.find_account(tenant, "sandbox")
    with current_app.test_request_context():
        checkout = payment_checks.start_test_payment(tenant, account, None)
        charge = sandbox.find_charge(uuid.UUID(checkout.rsplit("/", 1)[-1]))
        sandbox.pay(charge, "4242424242424242")
        assert payment_checks.finish_test_payment(tenant, account, None).refunded


def test_a_new_tenant_misses_every_item_and_says_what_to_do(kleinheim) -> None:
    results = _results(kleinheim)
    assert {
        "branding",
        "legal_links",
        "accessibility",
        "clerk",
        "forms",
        "delivery",
        "payment",
    } <= set(results)
    assert results.pop("payment").passed, "no offered form takes a fee online yet"
    assert not any(result.passed for result in results.values())
    assert results["branding"].fix_endpoint == "tenant_admin.branding"
    assert results["forms"].fix_endpoint == "formdefs_tenant_admin.forms"


def test_each_item_passes_once_it_is_really_there(kleinheim, web) -> None:
    _complete(kleinheim, web)
    results = _results(kleinheim)
    assert all(result.passed for result in results.values()), results


def test_links_that_do_not_answer_fail_with_the_reason(kleinheim, web) -> None:
    _complete(kleinheim, web)
    kleinheim.imprint_url = f"{web}/gibt-es-nicht"
    assert "404" in _results(kleinheim)["legal_links"].detail
    kleinheim.imprint_url = "http://127.0.0.1:9/impressum"  # discard port: nobody listens
    assert "nicht erreichbar" in _results(kleinheim)["legal_links"].detail


def test_internal_addresses_are_never_fetched(make_app, create_tenant) -> None:
    app = make_app()  # no allowance: production
    with app.app_context(), app.test_request_context(headers=GERMAN):
        for url in ("http://localhost/", "http://169.254.169.254/latest/", "http://10.0.0.1/"):
            assert "interne Adresse" in (link_problem(url) or ""), url
        assert "keine Webadresse" in (link_problem("file:///etc/passwd") or "")


def test_going_live_waits_for_every_required_item(client, log_in, kleinheim, web) -> None:
    log_in("association-admin")
    page = client.get("/t/kleinheim/admin/", headers=GERMAN)
    assert page.status_code == 200
    refused = client.post(
        "/t/kleinheim/admin/go-live", data={"csrf_token": csrf_token(page)}, headers=GERMAN
    )
    assert refused.status_code == 409
    assert "kann noch nicht live gehen" in refused.get_data(as_text=True)
    assert not service.get_tenant("kleinheim").is_live

    _complete(kleinheim, web)
    done = client.post("/t/kleinheim/admin/go-live", data={"csrf_token": csrf_token(page)})
    assert done.status_code == 302
    assert service.get_tenant("kleinheim").is_live
    assert "tenant.went_live" in set(db.session.scalars(select(AuditEntry.action)))
    assert "Vorschau" not in client.get("/t/kleinheim/", headers=GERMAN).get_data(as_text=True)


def test_a_check_another_area_registers_holds_going_live_back(kleinheim, web, monkeypatch) -> None:
    monkeypatch.setattr(onboarding, "_CHECKS", dict(onboarding._CHECKS))
    _complete(kleinheim, web)

    def no_test_payment(_tenant):
        return onboarding.CheckResult.missing("Make a test payment.")

    onboarding.register_check("test_payment", "A successful test payment", no_test_payment)
    with pytest.raises(Conflict, match="Make a test payment"):
        onboarding.go_live(kleinheim)
    assert not kleinheim.is_live

    onboarding.register_check("test_payment", "Optional", no_test_payment, required=False)
    onboarding.go_live(kleinheim)
    assert kleinheim.is_live


def test_a_tenant_in_preview_takes_no_submission(kleinheim, web) -> None:
    _complete(kleinheim, web)
    erika = service.find_or_create_user("https://id.example", "erika", "Erika Mustermann")
    form = formdefs.offered_form(kleinheim, "fundsache-verlustmeldung")
    with pytest.raises(submissions.SubmissionError, match="Vorschau") as refused:
        submissions.submit_answers(kleinheim, erika, form, fund_answers(), locale="de")
    assert refused.value.status == 409


def test_the_overview_shows_the_checklist_count(client, log_in, kleinheim, web) -> None:
    _complete(kleinheim, web)
    items = onboarding.run_checklist(kleinheim)
    passed = sum(item.result.passed for item in items)
    db.session.commit()
    log_in("association-admin")
    page = client.get("/admin/tenants/?q=kleinheim", headers=GERMAN).get_data(as_text=True)
    assert f"Vorschau: {passed} von {len(items)} Prüfungen erfüllt" in page
    assert passed >= 5
