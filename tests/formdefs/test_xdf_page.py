"""The association admin's XDatenfelder import page: a FIM file checked or imported in the
browser, its report in the reader's language, bad files refused on the page."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from flask_babel import refresh

from amtsweg.formdefs import service
from tests.formdefs.test_xdf import BLOCK2, PARKING2, XDF2
from tests.login import csrf_token

PAGE = "/admin/formdefs/import"
GERMAN = {"Accept-Language": "de"}


@pytest.fixture
def admin(client, log_in):
    log_in("association-admin")
    return client


def send(client, path: Path | None, action: str, *, content: bytes | None = None, **fields):
    """Posts the page's form as a browser does, with ``path``'s content as the file."""
    token = csrf_token(client.get(PAGE, headers=GERMAN))
    data = {"csrf_token": token, "action": action, **fields}
    if path is not None or content is not None:
        body = content if content is not None else path.read_bytes()
        data["file"] = (io.BytesIO(body), path.name if path else "schema.xml")
    return client.post(PAGE, data=data, headers=GERMAN, content_type="multipart/form-data")


@pytest.mark.parametrize("persona", ["erika", "clerk-musterstadt", "admin-musterstadt"])
def test_only_an_association_admin_may_import(client, log_in, persona) -> None:
    log_in(persona)
    assert client.get(PAGE, headers=GERMAN).status_code == 403


def test_the_definitions_page_leads_to_the_import(admin) -> None:
    page = admin.get("/admin/formdefs/", headers=GERMAN).get_data(as_text=True)
    assert f'href="{PAGE}">XDatenfelder-Datei importieren</a>' in page


def test_checking_shows_the_report_in_german_and_saves_nothing(admin) -> None:
    answer = send(admin, XDF2, "check")

    page = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert (
        "Stammdatenschema „Anmeldung eines Hundes zur Hundesteuer“ als Formular "
        "anmeldung-hundesteuer." in page
    )
    assert "Es wurde nichts gespeichert." in page
    assert "Nicht unterstützt (nicht oder vereinfacht importiert) (5)" in page
    assert "Regeln (als Text behalten; bitte von Hand in Bedingungen übertragen) (2)" in page
    assert "Auswahl mit Codeliste urn:de:musterland:codeliste:hunderassen_2023-01-01" in page
    assert "Regel zu S99000123 1.2:" in page
    assert "[Skript: if (F99001301 === true" in page
    assert "the field may occur" not in page
    assert "rule of" not in page
    assert service.find_definition("anmeldung-hundesteuer") is None


def test_the_report_in_english(admin) -> None:
    token = csrf_token(admin.get(PAGE))
    refresh()  # the test's app context outlives requests, and with it Flask-Babel's locale
    answer = admin.post(
        PAGE,
        data={
            "csrf_token": token,
            "action": "check",
            "file": (io.BytesIO(XDF2.read_bytes()), "a.xml"),
        },
        headers={"Accept-Language": "en"},
        content_type="multipart/form-data",
    )
    page = answer.get_data(as_text=True)
    assert "Unsupported (not imported or imported in a simpler form) (5)" in page
    assert "select with code list urn:de:musterland:codeliste:hunderassen_2023-01-01" in page
    assert "Nothing was saved." in page


@pytest.mark.sqlite
def test_importing_makes_a_draft_to_preview_and_a_second_import_is_refused(admin) -> None:
    answer = send(admin, XDF2, "import")

    page = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert (
        "Das Stammdatenschema ist importiert: anmeldung-hundesteuer, Version 1, als Entwurf."
        in page
    )
    assert 'href="/admin/formdefs/anmeldung-hundesteuer/versions/1/preview"' in page
    draft = service.draft_version(service.get_definition("anmeldung-hundesteuer"))
    assert draft is not None
    assert draft.document["fim_id"] == "S99000123-1.2"
    assert (
        admin.get(
            "/admin/formdefs/anmeldung-hundesteuer/versions/1/preview", headers=GERMAN
        ).status_code
        == 200
    )

    checked = send(admin, XDF2, "check").get_data(as_text=True)
    assert "Eine Definition anmeldung-hundesteuer gibt es bereits" in checked
    again = send(admin, XDF2, "import")
    assert again.status_code == 409
    assert "anmeldung-hundesteuer" in again.get_data(as_text=True)
    assert "gibt es bereits" in again.get_data(as_text=True)
    assert len(service.get_definition("anmeldung-hundesteuer").versions) == 1

    other = send(admin, XDF2, "import", slug="hundesteuer-neu", title_en="Dog tax")
    assert other.status_code == 200
    assert (
        service.draft_version(service.get_definition("hundesteuer-neu")).document["title"]["en"]
        == "Dog tax"
    )


def test_a_block_imported_here_is_listed_and_taken_by_a_schema(admin) -> None:
    stored = send(admin, BLOCK2, "import").get_data(as_text=True)
    assert (
        "Die Datenfeldgruppe G99000086 1.2 (Anschrift Inland) ist als Baustein gespeichert."
        in stored
    )
    assert '<td class="kern-table__cell">G99000086</td>' in stored
    again = send(admin, BLOCK2, "import").get_data(as_text=True)
    assert "bereits unverändert gespeichert" in again

    schema = send(admin, PARKING2, "check").get_data(as_text=True)
    assert "Datenfeldgruppe aus dem gespeicherten Baustein übernommen" in schema


@pytest.mark.parametrize(
    ("content", "field", "message"),
    [
        (b"", "file", "Die Datei ist leer."),
        (b"<not-closed>", "file", "Die Datei ist kein wohlgeformtes XML"),
        (b"<html><body>Hallo</body></html>", "file", "keine Datei nach XDatenfelder 2.0 oder 3.0"),
        (b'<!DOCTYPE x [<!ENTITY a "lol">]><x>&a;</x>', "file", "deklariert eine DTD"),
        (None, "slug", "ist keine gültige Webadresse"),
    ],
)
def test_bad_input_is_refused_on_the_page(admin, content, field, message) -> None:
    fields = {"slug": "Nicht Gültig"} if field == "slug" else {}
    answer = send(admin, XDF2 if content is None else None, "import", content=content, **fields)

    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert f'href="#field-{field}"' in page  # the error summary leads to the field
    assert f'id="field-{field}-error"' in page
    assert message in page
    assert service.list_definitions() == []


def test_no_file_at_all_is_refused(admin) -> None:
    answer = send(admin, None, "check")
    assert answer.status_code == 422
    assert "Die Datei ist leer." in answer.get_data(as_text=True)


def test_the_form_needs_its_csrf_token(admin) -> None:
    answer = admin.post(
        PAGE,
        data={"action": "import", "file": (io.BytesIO(XDF2.read_bytes()), "a.xml")},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 400
    assert service.find_definition("anmeldung-hundesteuer") is None
