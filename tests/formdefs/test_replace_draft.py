"""An association admin downloads a version as JSON, edits the draft outside and uploads it
again; the upload is checked as the API checks it, and a stale page is refused."""

from __future__ import annotations

import copy
import io
import json

import pytest

from amtsweg.formdefs import service
from amtsweg.platform.db import db
from tests.downloads import saved_name
from tests.login import csrf_token

GERMAN = {"Accept-Language": "de"}
VERSIONS = "/admin/formdefs/gewerbeanmeldung/versions"


@pytest.fixture
def admin(client, log_in):
    service.load_catalogue()
    service.create_draft(service.get_definition("gewerbeanmeldung"))
    db.session.commit()
    log_in("association-admin")
    return client


def _upload(admin, content: bytes, *, digest: str | None = None):
    page = admin.get(f"{VERSIONS}/2/replace", headers=GERMAN)
    assert page.status_code == 200
    form = page.get_data(as_text=True)
    current = digest if digest is not None else form.split('name="digest" value="')[1][:64]
    return admin.post(
        f"{VERSIONS}/2/replace",
        data={
            "csrf_token": csrf_token(page),
            "digest": current,
            "document": (io.BytesIO(content), "gewerbeanmeldung-v2.json"),
        },
        headers=GERMAN,
        content_type="multipart/form-data",
    )


def _draft() -> dict:
    definition = service.get_definition("gewerbeanmeldung")
    db.session.refresh(definition)
    return service.draft_version(definition).document


def test_a_draft_goes_out_as_a_file_and_comes_back_changed(admin) -> None:
    index = admin.get("/admin/formdefs/", headers=GERMAN).get_data(as_text=True)
    assert f'href="{VERSIONS}/2/replace">Entwurfsversion 2 von gewerbeanmeldung ersetzen' in index
    downloaded = admin.get(f"{VERSIONS}/2/document.json")
    assert saved_name(downloaded) == "gewerbeanmeldung-v2.json"
    document = json.loads(downloaded.data)
    assert document == _draft()
    document["title"]["de"] = "Gewerbe anmelden (neu)"

    saved = _upload(admin, json.dumps(document).encode())

    assert saved.status_code == 303
    flashed = admin.get(saved.headers["Location"], headers=GERMAN).get_data(as_text=True)
    assert "Die Entwurfsversion 2 von gewerbeanmeldung ist ersetzt." in flashed
    assert _draft()["title"]["de"] == "Gewerbe anmelden (neu)"
    changes = admin.get(f"{VERSIONS}/2/changes", headers=GERMAN).get_data(as_text=True)
    assert "Gewerbe anmelden (neu)" in changes


def test_what_is_not_a_valid_draft_is_refused_and_the_draft_stays(admin) -> None:
    before = copy.deepcopy(_draft())
    not_json = _upload(admin, b"{ kein json")
    assert not_json.status_code == 422
    assert "Die Datei ist kein JSON" in not_json.get_data(as_text=True)
    assert 'href="#field-document"' in not_json.get_data(as_text=True)

    broken = copy.deepcopy(before)
    del broken["steps"]
    invalid = _upload(admin, json.dumps(broken).encode())
    page = invalid.get_data(as_text=True)
    assert invalid.status_code == 422
    assert "Was die Prüfung gefunden hat" in page
    assert "die Eigenschaft &#34;steps&#34; fehlt" in page

    renamed = copy.deepcopy(before) | {"slug": "anderes-gewerbe"}
    assert _upload(admin, json.dumps(renamed).encode()).status_code == 422
    assert _upload(admin, b"").status_code == 422
    assert _draft() == before


def test_a_page_opened_before_another_change_is_refused(admin) -> None:
    before = copy.deepcopy(_draft())
    changed = copy.deepcopy(before)
    changed["title"]["de"] = "Von der anderen Person"
    stale = _upload(admin, json.dumps(changed).encode(), digest="0" * 64)
    assert stale.status_code == 409
    assert "hat sich geändert, seit Sie diese Seite geöffnet haben" in stale.get_data(as_text=True)
    assert _draft() == before


def test_a_published_version_is_downloaded_but_never_replaced(admin) -> None:
    assert admin.get(f"{VERSIONS}/1/document.json").status_code == 200
    assert admin.get(f"{VERSIONS}/1/replace").status_code == 404


def test_a_draft_published_while_the_page_was_open_is_not_replaced(admin) -> None:
    before = copy.deepcopy(_draft())
    page = admin.get(f"{VERSIONS}/2/replace", headers=GERMAN)
    service.publish(service.get_version(service.get_definition("gewerbeanmeldung"), 2))
    db.session.commit()
    changed = copy.deepcopy(before)
    changed["title"]["de"] = "Zu spät"

    late = admin.post(
        f"{VERSIONS}/2/replace",
        data={
            "csrf_token": csrf_token(page),
            "digest": page.get_data(as_text=True).split('name="digest" value="')[1][:64],
            "document": (io.BytesIO(json.dumps(changed).encode()), "v2.json"),
        },
        headers=GERMAN,
        content_type="multipart/form-data",
    )

    assert late.status_code == 409
    assert "legen Sie stattdessen einen neuen Entwurf an" in late.get_data(as_text=True)
    published = service.get_version(service.get_definition("gewerbeanmeldung"), 2)
    db.session.refresh(published)
    assert published.document == before
