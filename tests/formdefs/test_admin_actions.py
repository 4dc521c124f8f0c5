"""The association admins' buttons: new draft, publish, retire; and what changed."""

from __future__ import annotations

import copy

from amtsweg.formdefs import service
from amtsweg.formdefs.diff import diff_documents
from amtsweg.formdefs.models import VersionState
from amtsweg.platform.db import db
from tests.login import csrf_token

INDEX = "/admin/formdefs/"
GERMAN = {"Accept-Language": "de"}


def _press(admin, path):
    return admin.post(path, data={"csrf_token": csrf_token(admin.get(INDEX))}, headers=GERMAN)


def test_a_new_draft_is_published_and_the_old_version_retired(admin) -> None:
    assert _press(admin, "/admin/formdefs/gewerbeanmeldung/drafts").status_code == 302
    definition = service.get_definition("gewerbeanmeldung")
    assert [v.state for v in definition.versions] == [VersionState.PUBLISHED, VersionState.DRAFT]

    assert _press(admin, "/admin/formdefs/gewerbeanmeldung/versions/2/publish").status_code == 302
    db.session.refresh(definition)
    assert [v.state for v in definition.versions] == [VersionState.RETIRED, VersionState.PUBLISHED]

    assert _press(admin, "/admin/formdefs/gewerbeanmeldung/versions/2/retire").status_code == 302
    assert service.published_version(service.get_definition("gewerbeanmeldung")) is None


def test_a_second_draft_and_a_second_publish_are_refused_with_the_reason(admin) -> None:
    _press(admin, "/admin/formdefs/gewerbeanmeldung/drafts")
    again = _press(admin, "/admin/formdefs/gewerbeanmeldung/drafts")
    assert again.status_code == 409
    assert "hat bereits einen Entwurf" in again.get_data(as_text=True)
    twice = _press(admin, "/admin/formdefs/gewerbeanmeldung/versions/1/publish")
    assert twice.status_code == 409


def test_buttons_need_the_csrf_token_and_the_role(client, log_in, admin) -> None:
    assert admin.post("/admin/formdefs/gewerbeanmeldung/drafts").status_code == 400
    assert len(service.get_definition("gewerbeanmeldung").versions) == 1


def test_the_changes_page_lists_fields_rules_and_fees(admin) -> None:
    definition = service.get_definition("gewerbeanmeldung")
    document = copy.deepcopy(definition.versions[0].document)
    document["fees"][0]["amount"] = 3000
    document["steps"][0]["fields"].pop(0)
    document["steps"][1]["fields"][0]["required"] = False
    service.create_draft(definition, document)
    db.session.commit()

    page = admin.get("/admin/formdefs/gewerbeanmeldung/versions/2/changes", headers=GERMAN)
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Feld entfernt" in text
    assert "Regel geändert" in text
    assert "Gebühr geändert" in text
    assert "<code>2600</code>" in text
    assert "<code>3000</code>" in text
    assert admin.get("/admin/formdefs/gewerbeanmeldung/versions/1/changes").status_code == 404


def test_the_same_document_has_no_changes() -> None:
    document = {"steps": [{"id": "a", "fields": [{"id": "x", "type": "text"}]}], "fees": []}
    assert diff_documents(document, copy.deepcopy(document)) == []


def test_a_field_moved_into_another_step_is_removed_there_and_added_here() -> None:
    old = {"steps": [{"id": "a", "fields": [{"id": "x"}]}, {"id": "b", "fields": []}]}
    new = {"steps": [{"id": "a", "fields": []}, {"id": "b", "fields": [{"id": "x"}]}]}
    assert [(c.kind, c.where) for c in diff_documents(old, new)] == [
        ("removed", "a / x"),
        ("added", "b / x"),
    ]
