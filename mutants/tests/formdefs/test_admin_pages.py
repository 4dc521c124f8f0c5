"""The association admins' pages: the catalogue with its versions, and a preview of any version.

Logged in through the development provider's page, as people are.
"""

from __future__ import annotations

import copy
import re

import pytest
from flask_babel import refresh

from amtsweg.formdefs import service
from amtsweg.platform.db import db
from tests.login import csrf_token

INDEX = "/admin/formdefs/"
PREVIEW = "/admin/formdefs/gewerbeanmeldung/versions/1/preview"
GERMAN = {"Accept-Language": "de"}


@pytest.fixture
def catalogue(app) -> None:
    service.load_catalogue()
    db.session.commit()


@pytest.fixture
def admin(client, catalogue, log_in):
    log_in("association-admin")
    return client


def test_nobody_is_sent_to_the_login(client, catalogue) -> None:
    for path in (INDEX, PREVIEW):
        answer = client.get(path)
        assert answer.status_code == 302
        assert answer.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("persona", ["erika", "clerk-musterstadt", "admin-musterstadt"])
def test_anyone_but_an_association_admin_gets_403(client, catalogue, log_in, persona) -> None:
    log_in(persona)
    for path in (INDEX, PREVIEW):
        answer = client.get(path, headers=GERMAN)
        assert answer.status_code == 403
        assert "Zugriff verweigert" in answer.get_data(as_text=True)


def test_the_admin_page_lists_definitions_and_versions(admin) -> None:
    definition = service.get_definition("gewerbeanmeldung")
    draft = copy.deepcopy(definition.versions[0].document)
    service.create_draft(definition, draft)
    db.session.commit()

    page = admin.get(INDEX, headers=GERMAN).get_data(as_text=True)

    assert "<h1" in page
    assert "Formulardefinitionen" in page
    for published in service.list_definitions():
        assert f"<code>{published.slug}</code>" in page
    assert page.count("Veröffentlicht") >= len(service.list_definitions())
    assert "Entwurf" in page
    assert "/admin/formdefs/gewerbeanmeldung/versions/2/preview" in page
    assert re.search(r'<time datetime="\d{4}-\d\d-\d\d', page)


def test_the_admin_page_in_english(admin) -> None:
    refresh()  # the test's app context outlives requests, and with it Flask-Babel's cached locale
    page = admin.get(INDEX, headers={"Accept-Language": "en"}).get_data(as_text=True)

    assert "Form definitions" in page
    assert "Business registration" in page
    assert "Published" in page


@pytest.mark.sqlite
def test_the_preview_draws_a_step_as_citizens_see_it(admin) -> None:
    answer = admin.get(PREVIEW, headers=GERMAN)
    page = answer.get_data(as_text=True)

    assert answer.status_code == 200
    assert "Vorschau" in page
    assert "nichts wird gespeichert" in page
    assert "Schritt 1 von 5" in page
    assert "Angaben zur Betriebsinhaberin / zum Betriebsinhaber" in page
    assert re.search(r'<label[^>]+for="familienname"[^>]*>\s*Familienname', page)
    assert 'name="vornamen"' in page
    assert f'action="{PREVIEW}?step=inhaber"' in page
    for step in ("inhaber", "betrieb", "taetigkeit", "erlaubnis"):
        assert f'href="{PREVIEW}?step={step}"' in page
    assert 'aria-current="step"' in page


def test_the_preview_shows_another_step(admin) -> None:
    page = admin.get(f"{PREVIEW}?step=betrieb", headers=GERMAN).get_data(as_text=True)

    assert "Schritt 2 von 5" in page
    assert "Rechtsform" in page
    assert "Familienname" not in page
    assert admin.get(f"{PREVIEW}?step=nope").status_code == 404
    assert admin.get("/admin/formdefs/gewerbeanmeldung/versions/9/preview").status_code == 404
    assert admin.get("/admin/formdefs/nothing/versions/1/preview").status_code == 404


def test_posting_the_preview_checks_answers_and_saves_nothing(admin) -> None:
    page = admin.get(PREVIEW, headers=GERMAN)

    answer = admin.post(
        f"{PREVIEW}?step=inhaber",
        data={"csrf_token": csrf_token(page), "vornamen": "Erika", "_action": "continue"},
        headers=GERMAN,
    )

    text = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert 'role="alert"' in text  # the error summary: the family name is missing
    assert 'value="Erika"' in text
    assert [v.number for v in service.get_definition("gewerbeanmeldung").versions] == [1]


def test_a_preview_post_needs_the_csrf_token(admin) -> None:
    assert admin.post(PREVIEW, data={"_action": "continue"}).status_code == 400
