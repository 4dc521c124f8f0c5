"""An association admin discards a draft made by mistake; published versions stay."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import delete, select

from amtsweg.formdefs import service, xdf
from amtsweg.formdefs.models import FormDefinition, FormVersion, VersionState
from amtsweg.platform.db import db
from tests.formdefs.test_xdf import XDF2
from tests.formdefs.test_xdf_page import send
from tests.login import csrf_token
from tests.platform.test_bearer_tokens import dev_token

GERMAN = {"Accept-Language": "de"}
DISCARD = "/admin/formdefs/{slug}/versions/{number}/discard"


def _discard(admin, slug: str, number: int):
    page = admin.get(DISCARD.format(slug=slug, number=number), headers=GERMAN)
    assert page.status_code == 200
    answer = admin.post(
        DISCARD.format(slug=slug, number=number),
        data={"csrf_token": csrf_token(page)},
        headers=GERMAN,
    )
    return page.get_data(as_text=True), answer


def test_a_new_draft_made_by_mistake_is_discarded_and_the_published_version_stays(admin) -> None:
    service.create_draft(service.get_definition("gewerbeanmeldung"))
    db.session.commit()
    index = admin.get("/admin/formdefs/", headers=GERMAN).get_data(as_text=True)
    assert DISCARD.format(slug="gewerbeanmeldung", number=2) in index
    assert DISCARD.format(slug="gewerbeanmeldung", number=1) not in index

    asked, answer = _discard(admin, "gewerbeanmeldung", 2)

    assert "das lässt sich nicht rückgängig machen" in asked
    assert "Die anderen Versionen des Formulars bleiben, wie sie sind." in asked
    assert answer.status_code == 302
    flashed = admin.get(answer.headers["Location"], headers=GERMAN).get_data(as_text=True)
    assert "Die Entwurfsversion 2 von gewerbeanmeldung ist verworfen." in flashed
    definition = service.get_definition("gewerbeanmeldung")
    db.session.refresh(definition)
    assert [(v.number, v.state) for v in definition.versions] == [(1, VersionState.PUBLISHED)]


@pytest.mark.sqlite
def test_a_wrong_import_goes_with_its_form_and_the_address_is_free_again(admin) -> None:
    assert send(admin, XDF2, "import").status_code == 200

    asked, answer = _discard(admin, "anmeldung-hundesteuer", 1)

    assert "daher wird auch das Formular anmeldung-hundesteuer gelöscht" in asked
    assert answer.status_code == 302
    assert service.find_definition("anmeldung-hundesteuer") is None
    assert send(admin, XDF2, "import").status_code == 200


def test_a_published_version_cannot_be_discarded(admin) -> None:
    path = DISCARD.format(slug="gewerbeanmeldung", number=1)
    assert admin.get(path, headers=GERMAN).status_code == 404
    token = csrf_token(admin.get("/admin/formdefs/", headers=GERMAN))
    refused = admin.post(path, data={"csrf_token": token}, headers=GERMAN)
    assert refused.status_code == 409
    assert "Nur ein Entwurf kann verworfen werden" in refused.get_data(as_text=True)
    assert len(service.get_definition("gewerbeanmeldung").versions) == 1


@pytest.mark.parametrize("persona", ["clerk-musterstadt", "admin-musterstadt"])
def test_only_association_admins_discard(client, log_in, persona) -> None:
    service.load_catalogue()
    service.create_draft(service.get_definition("gewerbeanmeldung"))
    db.session.commit()
    log_in(persona)
    path = DISCARD.format(slug="gewerbeanmeldung", number=2)
    refused = client.get(path)
    assert refused.status_code == 403
    assert client.post(path, data={"csrf_token": csrf_token(refused)}).status_code == 403
    assert len(service.get_definition("gewerbeanmeldung").versions) == 2


def test_the_api_discards_drafts_and_refuses_published_versions(app, client) -> None:
    service.load_catalogue()
    service.create_draft(service.get_definition("gewerbeanmeldung"))
    db.session.commit()
    admin = {"Authorization": f"Bearer {dev_token(app, '--role', 'admin')}"}
    versions = "/api/v1/formdefs/gewerbeanmeldung/versions"

    assert client.delete(f"{versions}/2", headers=admin).status_code == 204
    refused = client.delete(f"{versions}/1", headers=admin)
    assert refused.status_code == 409
    assert refused.mimetype == "application/problem+json"
    assert client.delete(f"{versions}/9", headers=admin).status_code == 404
    assert [v.number for v in service.get_definition("gewerbeanmeldung").versions] == [1]


@pytest.fixture
def committed_draft(committing_app, app_engine):
    """A definition with one draft, committed for real (races need two transactions)."""
    app = committing_app
    slug = f"wettlauf-{uuid.uuid4().hex[:8]}"
    with app.app_context():
        service.create_definition(xdf.import_xdf(XDF2.read_bytes(), slug=slug).document)
        db.session.commit()
        yield app, slug
    with app_engine.begin() as connection:
        definition = select(FormDefinition.id).where(FormDefinition.slug == slug)
        connection.execute(delete(FormVersion).where(FormVersion.definition_id.in_(definition)))
        connection.execute(delete(FormDefinition).where(FormDefinition.slug == slug))


def test_publishing_a_draft_another_admin_just_discarded_is_not_found(
    committed_draft, app_engine
) -> None:
    """Two admins at the same moment: the discard wins, the publish finds no version
    (a 404 with the reason) instead of failing on a row that is gone."""
    app, slug = committed_draft
    with app.app_context():
        draft = service.get_version(service.get_definition(slug), 1)
        with app_engine.begin() as other_admin:
            other_admin.execute(delete(FormVersion).where(FormVersion.id == draft.id))

        with pytest.raises(service.FormNotFoundError, match="keine Version 1"):
            service.publish(draft)
