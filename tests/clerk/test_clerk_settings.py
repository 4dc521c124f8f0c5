"""The tenant admin limits a clerk to some forms and shortens a form's retention period."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from sqlalchemy import select

from amtsweg.formdefs import service as formdefs
from amtsweg.platform.auth.roles import Role
from amtsweg.platform.db import db
from amtsweg.tenants import service as tenants
from amtsweg.tenants.models import User
from tests.clerk.test_audit_log import browsing_as
from tests.clerk.test_retention import _purge
from tests.html import parse
from tests.isolation import assert_other_tenant_gets_404
from tests.login import csrf_token

CLERK = "/t/musterstadt/clerk/"
CLERKS = "/t/musterstadt/admin/clerks"
RETENTION = "/t/musterstadt/admin/retention"
GERMAN = {"Accept-Language": "de"}


@pytest.fixture
def sabine(app, musterstadt) -> User:
    """Sabine, a clerk of Musterstadt by membership (as an accepted invitation makes her)."""
    with browsing_as(app, "clerk-musterstadt"):
        pass
    person = db.session.scalar(select(User).where(User.subject == "clerk-musterstadt"))
    tenants.grant_role(musterstadt, person, Role.CLERK)
    db.session.commit()
    return person


def _save(client, url: str, page_url: str, data: dict):
    page = client.get(page_url, headers=GERMAN)
    return client.post(url, data={"csrf_token": csrf_token(page), **data}, headers=GERMAN)


def test_a_clerk_limited_on_the_page_sees_only_that_form(app, client, log_in, submit, sabine):
    lost_property, dog_tax = submit(), submit("dogs")
    log_in("admin-musterstadt")
    page = client.get(CLERKS, headers=GERMAN)
    assert page.status_code == 200
    assert parse(page.get_data(as_text=True)).xpath("//h2/text()") == ["Sabine Schreiber"]

    saved = _save(
        client,
        f"{CLERKS}/{sabine.id}",
        CLERKS,
        {"scope": "some", "forms": "hundesteuer-anmeldung"},
    )

    assert saved.status_code == 303
    checked = parse(client.get(CLERKS).get_data(as_text=True)).xpath(
        "//input[@name='forms'][@checked]/@value"
    )
    assert checked == ["hundesteuer-anmeldung"]
    with browsing_as(app, "clerk-musterstadt") as clerk:
        listed = clerk.get(CLERK).get_data(as_text=True)
        assert dog_tax in listed
        assert lost_property not in listed
        assert clerk.get(f"{CLERK}submissions/{dog_tax}").status_code == 200
        assert clerk.get(f"{CLERK}submissions/{lost_property}").status_code == 404
        assert (
            clerk.get(f"{CLERK}forms/fundsache-verlustmeldung/submissions.csv").status_code == 404
        )
        dogs_csv = clerk.get(f"{CLERK}forms/hundesteuer-anmeldung/submissions.csv")
        assert dogs_csv.status_code == 200
        assert dog_tax in dogs_csv.get_data(as_text=True)

    assert _save(client, f"{CLERKS}/{sabine.id}", CLERKS, {"scope": "all"}).status_code == 303
    with browsing_as(app, "clerk-musterstadt") as clerk:
        assert clerk.get(f"{CLERK}submissions/{lost_property}").status_code == 200


@pytest.mark.parametrize("forms", [[], ["kein-solches-formular"]])
def test_some_forms_means_at_least_one_offered_form(client, log_in, sabine, forms):
    log_in("admin-musterstadt")
    refused = _save(client, f"{CLERKS}/{sabine.id}", CLERKS, {"scope": "some", "forms": forms})
    assert refused.status_code == 422
    assert "Wählen Sie mindestens eines der hier angebotenen Formulare." in refused.get_data(
        as_text=True
    )
    assert tenants.clerk_form_limit(tenants.find_tenant("musterstadt"), sabine.id) is None


def test_only_a_clerk_of_this_tenant_can_be_limited(client, log_in, musterstadt, erika):
    log_in("admin-musterstadt")
    assert _save(client, f"{CLERKS}/{erika.id}", CLERKS, {"scope": "all"}).status_code == 404


def _period(tenant) -> int | None:
    return formdefs.find_tenant_form(
        tenant, formdefs.get_definition("fundsache-verlustmeldung")
    ).retention_days


def test_the_admin_shortens_a_period_but_cannot_extend_it(client, log_in, musterstadt):
    log_in("admin-musterstadt")
    url = f"{RETENTION}/fundsache-verlustmeldung"
    page = client.get(RETENTION, headers=GERMAN).get_data(as_text=True)
    assert "365 Tage aufbewahrt, wie das Formular es vorsieht." in page

    assert _save(client, url, RETENTION, {"days": "30"}).status_code == 303
    assert _period(musterstadt) == 30
    page = client.get(RETENTION, headers=GERMAN).get_data(as_text=True)
    assert "30 Tage aufbewahrt; das Formular erlaubt bis zu 365 Tage." in page

    for given, message in (
        ("366", "Die Aufbewahrungsfrist muss zwischen 1 und 365 Tagen liegen."),
        ("0", "Die Aufbewahrungsfrist muss zwischen 1 und 365 Tagen liegen."),
        ("drei", "Bitte geben Sie eine Anzahl von Tagen ein."),
        ("-5", "Bitte geben Sie eine Anzahl von Tagen ein."),
    ):
        refused = _save(client, url, RETENTION, {"days": given})
        assert refused.status_code == 422, given
        assert message in refused.get_data(as_text=True), given
        assert _period(musterstadt) == 30, given

    assert _save(client, url, RETENTION, {"days": ""}).status_code == 303
    assert _period(musterstadt) is None


def test_the_shorter_period_is_the_one_the_purge_keeps(app, client, log_in, musterstadt, submit):
    log_in("admin-musterstadt")
    _save(client, f"{RETENTION}/fundsache-verlustmeldung", RETENTION, {"days": "30"})
    with time_machine.travel(dt.datetime(2026, 5, 1, tzinfo=dt.UTC), tick=False) as clock:
        submit()
        clock.shift(dt.timedelta(days=29))
        assert "musterstadt: 0 submission" in _purge(app, "submissions")
        clock.shift(dt.timedelta(days=2))
        assert "musterstadt: 1 submission" in _purge(app, "submissions")


@pytest.mark.parametrize("path", [CLERKS, RETENTION])
def test_clerks_get_404_and_so_does_another_tenants_admin(app, client, log_in, beispieldorf, path):
    with browsing_as(app, "clerk-musterstadt") as clerk:
        assert clerk.get(path).status_code == 404
    log_in("admin-musterstadt")
    musterstadt = tenants.find_tenant("musterstadt")
    assert_other_tenant_gets_404(client, path, owner=musterstadt, other=beispieldorf)
