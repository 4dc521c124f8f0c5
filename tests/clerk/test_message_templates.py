"""Text templates: the tenant admin keeps them, a clerk starts a message from one, and a
message the clerk wrote is never lost to a refusal."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from amtsweg.formdefs import service as formdefs
from amtsweg.platform.db import db
from amtsweg.submissions.models import MessageTemplate
from amtsweg.tenants import service as tenants
from tests.clerk.test_audit_log import browsing_as
from tests.html import parse
from tests.isolation import assert_other_tenant_gets_404
from tests.login import csrf_token

TEMPLATES = "/t/musterstadt/admin/message-templates"
CLERK = "/t/musterstadt/clerk/submissions/"
GERMAN = {"Accept-Language": "de"}
PHOTO = {
    "title": "Foto fehlt",
    "text": "Bitte reichen Sie ein Foto des Gegenstands nach.",
    "status": "more_information_needed",
    "form": "fundsache-verlustmeldung",
}


def save(client, url: str, values: dict):
    page = client.get(url, headers=GERMAN)
    assert page.status_code == 200
    data = {"csrf_token": csrf_token(page), **values}
    return client.post(url, data=data, headers=GERMAN)


def field_errors(answer) -> dict[str, str]:
    document = parse(answer.get_data(as_text=True))
    return {
        error.get("id").removeprefix("field-").removesuffix("-error"): " ".join(
            error.text_content().split()
        ).removeprefix("Fehler: ")
        for error in document.xpath("//p[@class='kern-error']")
    }


def template_count() -> int:
    return db.session.scalar(select(func.count()).select_from(MessageTemplate))


def template_id(client, title: str) -> str:
    page = client.get(TEMPLATES, headers=GERMAN).get_data(as_text=True)
    found = re.search(rf'message-templates/([0-9a-f-]{{36}})">{re.escape(title)}<', page)
    assert found, page
    return found.group(1)


@pytest.fixture
def photo_template(client, log_in, musterstadt) -> str:
    """The admin's "Foto fehlt", for lost-property reports, and one for every form."""
    log_in("admin-musterstadt")
    assert save(client, f"{TEMPLATES}/new", PHOTO).status_code == 303
    every = {"title": "Eingang bestätigt", "text": "Wir bearbeiten Ihren Antrag."}
    assert save(client, f"{TEMPLATES}/new", every).status_code == 303
    return template_id(client, "Foto fehlt")


def test_the_admin_adds_changes_and_deletes_a_template(client, photo_template):
    listing = client.get(TEMPLATES, headers=GERMAN).get_data(as_text=True)
    assert "Verlust einer Sache melden (Fundbüro)" in listing
    assert "Weitere Angaben nötig" in listing
    assert "Alle Formulare" in listing
    url = f"{TEMPLATES}/{photo_template}"
    changed = save(client, url, PHOTO | {"text": "Bitte senden Sie ein Foto.", "status": ""})
    assert changed.status_code == 303
    edit = client.get(url, headers=GERMAN).get_data(as_text=True)
    assert "Bitte senden Sie ein Foto.</textarea>" in edit
    page = client.get(url, headers=GERMAN)
    token = csrf_token(page)
    deleted = client.post(f"{url}/delete", data={"csrf_token": token}, headers=GERMAN)
    assert deleted.status_code == 303
    listing = parse(client.get(TEMPLATES, headers=GERMAN).get_data(as_text=True))
    assert listing.xpath("//table//a/text()") == ["Eingang bestätigt"]
    assert client.get(url).status_code == 404
    log = client.get("/t/musterstadt/admin/audit-log", headers=GERMAN).get_data(as_text=True)
    assert "Textbaustein gespeichert" in log
    assert "Textbaustein gelöscht" in log


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": "  "}, "title", "Bitte geben Sie dem Textbaustein einen Titel."),
        ({"title": "Eingang  bestätigt"}, "title", "Ein anderer Textbaustein hat diesen Titel."),
        ({"text": "\n "}, "text", "Bitte schreiben Sie den Text."),
        ({"text": "x" * 5001}, "text", "Bitte verwenden Sie höchstens 5.000 Zeichen."),
        (
            {"text": "Zu {Aktenzeichn}: bitte ein Foto."},
            "text",
            "{Aktenzeichn} ist kein Platzhalter",
        ),
        ({"status": "archived"}, "status", "Bitte wählen Sie einen Stand."),
        ({"form": "hundesteuer-anmeldung-x"}, "form", "Gemeinde anbietet"),
    ],
)
def test_a_template_that_cannot_be_is_refused_at_its_field(
    client, photo_template, changes, field, message
):
    before = template_count()
    refused = save(client, f"{TEMPLATES}/new", PHOTO | {"title": "Neu"} | changes)
    assert refused.status_code == 422
    assert message in field_errors(refused)[field]
    page = refused.get_data(as_text=True)
    assert f'href="#field-{field}"' in page  # the error summary links to the field
    assert template_count() == before
    kept = "Neu" if field == "text" else PHOTO["text"]
    assert kept in page  # what was typed is still there


def test_the_clerk_starts_a_message_from_a_template_of_the_form(app, submit, photo_template):
    reference = submit()
    dogs = submit("dogs")
    with browsing_as(app, "clerk-musterstadt") as sabine:
        page = sabine.get(f"{CLERK}{reference}", headers=GERMAN).get_data(as_text=True)
        document = parse(page)
        offered = document.xpath("//select[@id='processing-template']/option/text()")
        assert offered == ["Eingang bestätigt", "Foto fehlt"]
        taken = sabine.get(
            f"{CLERK}{reference}", query_string={"template": photo_template}, headers=GERMAN
        )
        document = parse(taken.get_data(as_text=True))
        assert document.xpath("//textarea[@id='processing-message']/text()") == [PHOTO["text"]]
        chosen = document.xpath("//select[@id='processing-status']/option[@selected]/@value")
        assert chosen == ["more_information_needed"]
        assert "steht unten in der Nachricht" in taken.get_data(as_text=True)
        # A template of another form is not offered on a dog-tax registration, nor taken.
        other = sabine.get(f"{CLERK}{dogs}", query_string={"template": photo_template})
        document = parse(other.get_data(as_text=True))
        assert document.xpath("//select[@id='processing-template']/option/text()") == [
            "Eingang bestätigt"
        ]
        assert document.xpath("//textarea[@id='processing-message']/text()") == []
        for nonsense in ("not-a-uuid", "00000000-0000-0000-0000-000000000000"):
            answer = sabine.get(f"{CLERK}{reference}", query_string={"template": nonsense})
            assert answer.status_code == 200


def test_a_refused_status_change_keeps_the_clerks_message(app, submit, musterstadt):
    reference = submit()
    with browsing_as(app, "clerk-musterstadt") as sabine:
        page = sabine.get(f"{CLERK}{reference}", headers=GERMAN)
        token = csrf_token(page)
        written = "Sehr geehrte Frau Mustermann,\nbitte senden Sie uns den Kaufbeleg."
        not_a_pdf = sabine.post(
            f"{CLERK}{reference}",
            data={
                "csrf_token": token,
                "status": "approved",
                "message": written,
                "document": (__import__("io").BytesIO(b"GIF89a"), "bescheid.pdf"),
            },
            headers=GERMAN,
        )
        assert not_a_pdf.status_code == 422
        document = parse(not_a_pdf.get_data(as_text=True))
        assert document.xpath("//textarea[@id='processing-message']/text()") == [written]
        chosen = document.xpath("//select[@id='processing-status']/option[@selected]/@value")
        assert chosen == ["approved"]
        no_status = sabine.post(
            f"{CLERK}{reference}",
            data={"csrf_token": token, "status": "", "message": written},
            headers=GERMAN,
        )
        assert no_status.status_code == 422
        document = parse(no_status.get_data(as_text=True))
        assert document.xpath("//textarea[@id='processing-message']/text()") == [written]


def test_clerks_get_404_and_so_does_another_tenants_admin(
    app, client, photo_template, beispieldorf
):
    with browsing_as(app, "clerk-musterstadt") as sabine:
        assert sabine.get(TEMPLATES).status_code == 404
        assert sabine.get(f"{TEMPLATES}/{photo_template}").status_code == 404
    musterstadt = tenants.find_tenant("musterstadt")
    for path in (TEMPLATES, f"{TEMPLATES}/new", f"{TEMPLATES}/{photo_template}"):
        assert_other_tenant_gets_404(client, path, owner=musterstadt, other=beispieldorf)


def test_a_template_names_the_application_with_its_placeholders(app, client, submit, log_in):
    log_in("admin-musterstadt")
    text = (
        "Sehr geehrte Person {Name}, zu {Aktenzeichen} ({form}) bitten wir um ein Foto."
        " Ihre {Gemeinde}; {unbekannt nicht} bleibt."
    )
    assert save(client, f"{TEMPLATES}/new", PHOTO | {"text": text}).status_code == 303
    reference = submit()
    with browsing_as(app, "clerk-musterstadt") as sabine:
        taken = sabine.get(
            f"{CLERK}{reference}",
            query_string={"template": template_id(client, "Foto fehlt")},
            headers=GERMAN,
        )
    document = parse(taken.get_data(as_text=True))
    expected = (
        f"Sehr geehrte Person Erika Mustermann, zu {reference} (Verlust einer Sache melden"
        " (Fundbüro)) bitten wir um ein Foto. Ihre Gemeinde Musterstadt; {unbekannt nicht}"
        " bleibt."
    )
    assert document.xpath("//textarea[@id='processing-message']/text()") == [expected]


def test_a_template_keeps_its_form_after_the_form_is_withdrawn(client, photo_template, musterstadt):
    formdefs.deactivate_form(musterstadt, formdefs.get_definition(PHOTO["form"]))
    db.session.commit()
    url = f"{TEMPLATES}/{photo_template}"
    document = parse(client.get(url, headers=GERMAN).get_data(as_text=True))
    chosen = document.xpath("//select[@id='field-form']/option[@selected]")
    assert [option.get("value") for option in chosen] == [PHOTO["form"]]
    assert chosen[0].text == "Verlust einer Sache melden (Fundbüro) (nicht mehr angeboten)"
    assert save(client, url, PHOTO | {"text": "Bitte ein Foto."}).status_code == 303
    template = db.session.scalar(
        select(MessageTemplate).where(MessageTemplate.title == "Foto fehlt")
    )
    db.session.refresh(template)
    assert (template.text, template.definition_id) == (
        "Bitte ein Foto.",
        formdefs.get_definition(PHOTO["form"]).id,
    )
    # A new template cannot be for a form the municipality no longer offers.
    refused = save(client, f"{TEMPLATES}/new", PHOTO | {"title": "Neu"})
    assert refused.status_code == 422
    assert "Formular, das diese Gemeinde anbietet" in field_errors(refused)["form"]
