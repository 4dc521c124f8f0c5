"""The tenant admin reads the audit log in the browser: who opened, downloaded and exported."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flask.testing import FlaskClient

from amtsweg.platform.db import db
from amtsweg.submissions.service import today
from amtsweg.tenants import audit
from amtsweg.tenants import service as tenants
from tests.html import parse
from tests.isolation import assert_other_tenant_gets_404
from tests.login import dev_login

CLERK = "/t/musterstadt/clerk/"
AUDIT = "/t/musterstadt/admin/audit-log"
GERMAN = {"Accept-Language": "de"}


@contextmanager
def browsing_as(app, persona: str) -> Iterator[FlaskClient]:
    """Another person in their own browser, with an app context of their own: the tests'
    outer one would hand them another person's CSRF token and language (both cached there)."""
    with app.app_context():
        browser = app.test_client()
        dev_login(browser, persona)
        yield browser


def rows(page) -> list[list[str]]:
    """The table's rows as the cells' texts."""
    document = parse(page.get_data(as_text=True))
    return [
        [" ".join(cell.text_content().split()) for cell in row.xpath("td")]
        for row in document.xpath("//table//tbody/tr")
    ]


@pytest.fixture
def sabines_work(app, submit, musterstadt) -> str:
    """Sabine opens Erika's submission, downloads its ZIP and exports the form's CSV."""
    reference = submit()
    with browsing_as(app, "clerk-musterstadt") as sabine:
        assert sabine.get(f"{CLERK}submissions/{reference}").status_code == 200
        assert sabine.get(f"{CLERK}submissions/{reference}.zip").status_code == 200
        sabine.get(f"{CLERK}forms/fundsache-verlustmeldung/submissions.csv").close()
    return reference


def test_the_admin_sees_who_opened_downloaded_and_exported(client, log_in, sabines_work):
    reference = sabines_work
    log_in("admin-musterstadt")
    page = client.get(AUDIT, headers=GERMAN)
    assert page.status_code == 200
    lines = rows(page)
    assert ["Sabine Schreiber", "Formular exportiert", "Formular fundsache-verlustmeldung"] in [
        line[1:] for line in lines
    ]
    assert ["Sabine Schreiber", "Antrag heruntergeladen", f"Antrag {reference}"] in [
        line[1:] for line in lines
    ]
    assert ["Sabine Schreiber", "Antrag geöffnet", f"Antrag {reference}"] in [
        line[1:] for line in lines
    ]
    assert re.match(r"\d{2}\.\d{2}\.\d{4}, \d{2}:\d{2}", lines[0][0]), lines[0]
    document = parse(page.get_data(as_text=True))
    link = document.xpath(f"//a[text()='Antrag {reference}']/@href")
    assert set(link) == {f"{CLERK}submissions/{reference}"}
    assert document.xpath("//nav//a[@aria-current='page']/@href") == [AUDIT]


def test_the_log_reads_in_english_too(app, sabines_work):
    with browsing_as(app, "admin-musterstadt") as admin:
        admin.get("/lang/en")  # the language switch on every page
    with app.app_context():  # a fresh one: the language is cached per app context
        page = admin.get(AUDIT)
    assert ["Sabine Schreiber", "Submission downloaded", f"Submission {sabines_work}"] in [
        line[1:] for line in rows(page)
    ]
    assert parse(page.get_data(as_text=True)).xpath("//h1/text()") == ["Audit log"]


def test_filters_by_person_action_and_date(client, log_in, sabines_work, specialist_software):
    client.post(
        f"/api/v1/tenants/musterstadt/submissions/{sabines_work}/acknowledge",
        headers=specialist_software,
    )
    log_in("admin-musterstadt")

    def actions(**query) -> set[str]:
        return {line[2] for line in rows(client.get(AUDIT, query_string=query, headers=GERMAN))}

    assert actions(action="submission.downloaded") == {"Antrag heruntergeladen"}
    assert actions(person="schreiber") == {
        "Antrag geöffnet",
        "Antrag heruntergeladen",
        "Formular exportiert",
    }
    software = rows(client.get(AUDIT, query_string={"person": "musterstadt-fachverfahren"}))
    assert {line[1] for line in software} == {"musterstadt-fachverfahren"}
    assert actions(person="nobody of that name") == set()
    yesterday = (today() - dt.timedelta(days=1)).isoformat()
    assert actions(to=yesterday) == set()
    assert "Antrag heruntergeladen" in actions(**{"from": today().isoformat()})
    assert actions(**{"from": yesterday, "to": yesterday}) == set()


def test_the_log_pages_by_keyset(client, log_in, submit, musterstadt, monkeypatch):
    monkeypatch.setattr(audit, "PAGE_SIZE", 2)
    for index in range(5):
        tenants.record(musterstadt, "form.exported", "form", f"form-{index}")
    tenants.record(musterstadt, "tenant.branding_changed", "tenant", str(musterstadt.id))
    db.session.commit()
    log_in("admin-musterstadt")
    seen, url = [], AUDIT + "?action=form.exported"
    while url:
        page = client.get(url, headers=GERMAN)
        seen += [line[3] for line in rows(page)]
        found = re.search(r'href="([^"]*cursor=[^"]*)">', page.get_data(as_text=True))
        url = html.unescape(found.group(1)) if found else None
    assert seen == [f"Formular form-{index}" for index in reversed(range(5))]


def test_bad_filters_and_cursors_are_a_clear_400(client, log_in, musterstadt):
    log_in("admin-musterstadt")
    empty_form = dict.fromkeys(("person", "action", "from", "to"), "")
    assert client.get(AUDIT, query_string=empty_form).status_code == 200
    bad_date = client.get(AUDIT, query_string={"from": "gestern"}, headers=GERMAN)
    assert bad_date.status_code == 400
    assert "Ein Filter hat einen Wert, der nicht möglich ist." in bad_date.get_data(as_text=True)
    assert client.get(AUDIT, query_string={"cursor": "not-a-cursor"}).status_code == 400


@pytest.mark.parametrize("persona", ["clerk-musterstadt", "erika"])
def test_clerks_and_citizens_get_404(client, log_in, musterstadt, persona):
    log_in(persona)
    assert client.get(AUDIT).status_code == 404


def test_another_tenants_admin_gets_404(client, log_in, musterstadt, beispieldorf):
    log_in("admin-musterstadt")
    assert_other_tenant_gets_404(client, AUDIT, owner=musterstadt, other=beispieldorf)
