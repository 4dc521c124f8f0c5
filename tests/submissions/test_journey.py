"""The citizen journey through the browser's eyes: HTML pages, form posts, no JavaScript."""

from __future__ import annotations

import datetime as dt
import email
import io
from pathlib import Path

import pytest
from pypdf import PdfReader
from reportlab.pdfgen import canvas
from sqlalchemy import select

from amtsweg.platform.db import db
from amtsweg.submissions import service
from amtsweg.submissions.models import Upload
from tests.downloads import saved_name
from tests.isolation import assert_other_tenant_gets_404
from tests.login import csrf_token, local
from tests.submissions.conftest import fund_answers
from tests.submissions.html_forms import step_values

FUNDSACHE = "/t/musterstadt/forms/fundsache-verlustmeldung/"


@pytest.fixture
def erika_logged_in(client, musterstadt, log_in):
    log_in("erika")
    return client


def _post_step(client, page, data: dict, action: str = "continue") -> object:
    """Post the step as shown, with ``data`` typed over it, and press ``action``."""
    url, values = step_values(page.get_data(as_text=True))
    for name, value in data.items():
        values.setlist(name, value if isinstance(value, list) else [value])
    values.setlist("_action", [action])
    return client.post(url, data=values)


def _fill_fundsache(client):
    start = client.get(FUNDSACHE)
    assert start.status_code == 200
    assert "Antrag starten" in start.get_data(as_text=True)
    step = _apply(client, "fundsache-verlustmeldung")
    assert "Schritt 1 von 2" in step.get_data(as_text=True)
    answers = fund_answers()
    contact_answers = {name: answers.pop(name) for name in ("name", "email")}
    moved = _post_step(client, step, answers)
    assert moved.status_code == 302, moved.get_data(as_text=True)
    contact = client.get(local(moved.headers["Location"]))
    assert "Schritt 2 von 2" in contact.get_data(as_text=True)
    done = _post_step(client, contact, contact_answers)
    assert done.status_code == 302
    return local(done.headers["Location"])


def test_a_citizen_must_log_in_before_starting(client, musterstadt) -> None:
    response = client.get(FUNDSACHE + "apply")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


@pytest.mark.sqlite
def test_the_whole_journey_of_a_free_form(erika_logged_in, settings) -> None:
    client = erika_logged_in
    summary_url = _fill_fundsache(client)
    summary = client.get(summary_url)
    text = summary.get_data(as_text=True)
    assert "Prüfen und absenden" in text
    assert "Bushaltestelle Rathaus" in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<script>alert(1)" not in text
    assert "gebührenfrei" in text

    refused = client.post(summary_url, data={"csrf_token": csrf_token(summary)})
    assert refused.status_code == 422
    assert "Bitte bestätigen Sie die Erklärung" in refused.get_data(as_text=True)

    submitted = client.post(
        summary_url, data={"csrf_token": csrf_token(summary), "declaration": "yes"}
    )
    assert submitted.status_code == 302
    confirmation_url = local(submitted.headers["Location"])
    reference = confirmation_url.rsplit("/", 1)[1]
    confirmation = client.get(confirmation_url).get_data(as_text=True)
    assert "Ihr Antrag ist eingegangen" in confirmation
    assert reference in confirmation

    again = client.post(summary_url, data={"csrf_token": csrf_token(summary), "declaration": "yes"})
    assert again.status_code == 302
    assert local(again.headers["Location"]) == confirmation_url  # still one submission

    receipt = client.get(confirmation_url + "/receipt.pdf")
    assert receipt.mimetype == "application/pdf"
    pdf = "".join(page.extract_text() for page in PdfReader(io.BytesIO(receipt.data)).pages)
    assert reference in pdf
    assert "Gemeinde Musterstadt" in pdf
    assert "<script>alert(1)</script>" in pdf  # printed as text, never interpreted

    mails = list(Path(settings.mail_outbox_dir).glob("*.eml"))
    assert len(mails) == 1
    message = email.message_from_bytes(mails[0].read_bytes())
    assert message["To"] == "erika.mustermann@example.org"
    assert reference in message["Subject"]
    attachments = [part.get_filename() for part in message.walk() if part.get_filename()]
    assert attachments == [f"{reference}.pdf"]

    applications = client.get("/t/musterstadt/applications/").get_data(as_text=True)
    assert reference in applications


def test_step_errors_are_shown_with_a_summary(erika_logged_in) -> None:
    client = erika_logged_in
    step = _apply(client, "fundsache-verlustmeldung")
    again = _post_step(client, step, {"kategorie": "", "beschreibung": "kurz"})
    assert again.status_code == 200
    text = again.get_data(as_text=True)
    assert 'role="alert"' in text
    assert 'aria-invalid="true"' in text
    assert "kurz" in text  # what was typed is kept


def test_another_citizen_gets_404_for_the_draft_and_submission(client, musterstadt, log_in) -> None:
    log_in("erika")
    summary_url = _fill_fundsache(client)
    summary = client.get(summary_url)
    submitted = client.post(
        summary_url, data={"csrf_token": csrf_token(summary), "declaration": "yes"}
    )
    confirmation_url = local(submitted.headers["Location"])
    client.post(
        "/logout",
        data={"csrf_token": csrf_token(client.get("/t/musterstadt/"))},
        follow_redirects=True,  # through the provider's logout, which ends its session too
    )
    log_in("max")
    assert client.get(summary_url).status_code == 404
    assert client.get(confirmation_url).status_code == 404
    assert client.get(confirmation_url + "/receipt.pdf").status_code == 404


def _pdf(text: str) -> bytes:
    buffer = io.BytesIO()
    drawing = canvas.Canvas(buffer)
    drawing.drawString(72, 720, text)
    drawing.save()
    return buffer.getvalue()


def _apply(client, form: str):
    first = client.get(f"/t/musterstadt/forms/{form}/apply")
    assert first.status_code == 302
    return client.get(local(first.headers["Location"]))


def _submit(client, summary_url: str) -> str:
    summary = client.get(summary_url)
    done = client.post(summary_url, data={"csrf_token": csrf_token(summary), "declaration": "yes"})
    assert done.status_code == 302, done.get_data(as_text=True)
    return local(done.headers["Location"])


def test_a_parking_permit_with_an_uploaded_registration(erika_logged_in) -> None:
    client = erika_logged_in
    person = _apply(client, "bewohnerparkausweis")
    assert 'value="Mustermann"' in person.get_data(as_text=True)  # prefilled from the login
    vehicle = client.get(local(_post_step(client, person, {"zone": "a"}).headers["Location"]))
    assert 'enctype="multipart/form-data"' in vehicle.get_data(as_text=True)

    refused = _post_step(
        client,
        vehicle,
        {
            "kennzeichen": "K-AB 123",
            "halter": "yes",
            "bestaetigung": "yes",
            "zulassung": (io.BytesIO(b"MZ\x90\x00 not a pdf"), "zulassung.pdf"),
        },
    )
    assert refused.status_code == 200
    assert "PDF" in refused.get_data(as_text=True)  # says which types are accepted

    scan = _pdf("Zulassungsbescheinigung Teil I")
    moved = _post_step(
        client,
        refused,
        {
            "kennzeichen": "K-AB 123",
            "halter": "yes",
            "bestaetigung": "yes",
            "zulassung": (io.BytesIO(scan), "../../Zulassung.pdf"),
        },
    )
    assert moved.status_code == 302, moved.get_data(as_text=True)
    summary = client.get(local(moved.headers["Location"])).get_data(as_text=True)
    assert "Zulassung.pdf" in summary
    assert "30,70\xa0€" in summary
    assert "Zahlungspflichtig absenden" in summary
    to_payment = _submit(client, local(moved.headers["Location"]))
    assert to_payment.endswith("/pay")  # a fee due online: the citizen goes on to pay
    page = client.get(to_payment).get_data(as_text=True)
    assert "ist eingegangen und gespeichert" in page
    status = client.get(to_payment.removesuffix("/pay")).get_data(as_text=True)
    assert "Zahlung offen" in status  # saved, and awaiting the payment


def test_dog_tax_with_two_dogs_added_by_button(erika_logged_in) -> None:
    client = erika_logged_in
    holder = _apply(client, "hundesteuer-anmeldung")
    dogs = client.get(local(_post_step(client, holder, {}).headers["Location"]))
    born = (service.today() - dt.timedelta(days=900)).isoformat()
    first_dog = {
        "hunde-0-name": "Rex",
        "hunde-0-rasse": "labrador",
        "hunde-0-geburtsdatum": born,
        "hunde-0-gehalten_seit": service.today().isoformat(),
        "hunde-0-gefaehrlich": "no",
    }
    two = _post_step(client, dogs, first_dog, action="add:hunde")
    assert two.status_code == 200
    assert "Hund 2" in two.get_data(as_text=True)
    second_dog = {key.replace("-0-", "-1-"): value for key, value in first_dog.items()}
    payment = _post_step(client, two, first_dog | second_dog | {"hunde-1-name": "Bello"})
    assert payment.status_code == 302, payment.get_data(as_text=True)
    last = client.get(local(payment.headers["Location"]))
    summary = _post_step(client, last, {"lastschrift": "no", "bestaetigung": "yes"})
    text = client.get(local(summary.headers["Location"])).get_data(as_text=True)
    assert "Rex" in text
    assert "Bello" in text
    assert "216,00\xa0€" in text  # 96 € for the first dog, 120 € for the second
    assert "per Bescheid" in text
    assert "Absenden" in text


def test_an_upload_is_only_for_its_owner_and_tenant(client, musterstadt, log_in, create_tenant):
    create_tenant("beispieldorf", contact_email="b@b.example")
    log_in("erika")
    person = _apply(client, "bewohnerparkausweis")
    vehicle_url = local(_post_step(client, person, {"zone": "a"}).headers["Location"])
    vehicle = client.get(vehicle_url)
    scan = _pdf("Zulassungsbescheinigung Teil I")
    _post_step(client, vehicle, {"zulassung": (io.BytesIO(scan), "zulassung.pdf")})
    draft_id = vehicle_url.split("/")[4]
    upload = db.session.scalars(select(Upload)).one()
    url = f"/t/musterstadt/applications/{draft_id}/uploads/{upload.id}"
    own = client.get(url)
    assert own.status_code == 200
    assert own.data == scan
    assert saved_name(own) == "zulassung.pdf"
    assert client.get(url.replace("musterstadt", "beispieldorf")).status_code == 404
    client.post(
        "/logout",
        data={"csrf_token": csrf_token(client.get("/t/musterstadt/"))},
        follow_redirects=True,
    )
    log_in("max")
    assert client.get(url).status_code == 404


def test_a_draft_survives_logout_and_is_listed_under_my_applications(
    client, musterstadt, log_in
) -> None:
    log_in("erika")
    step = _apply(client, "fundsache-verlustmeldung")
    saved = _post_step(
        client, step, {"kategorie": "fahrrad", "beschreibung": "Blaues Rad, 28 Zoll"}
    )
    assert saved.status_code == 200  # the step is incomplete, but what was typed is kept
    client.post(
        "/logout",
        data={"csrf_token": csrf_token(client.get("/t/musterstadt/"))},
        follow_redirects=True,
    )
    assert client.get("/t/musterstadt/applications/").status_code == 302  # to the login
    log_in("erika")
    listed = client.get("/t/musterstadt/applications/").get_data(as_text=True)
    assert "Verlust einer Sache melden" in listed
    again = client.get(FUNDSACHE + "apply")
    resumed = client.get(local(again.headers["Location"])).get_data(as_text=True)
    assert "Blaues Rad, 28 Zoll" in resumed


def test_another_tenant_gets_404_for_draft_submission_and_receipt(
    client, musterstadt, log_in, create_tenant
) -> None:
    beispieldorf = create_tenant("beispieldorf", contact_email="b@b.example")
    log_in("erika")
    summary_url = _fill_fundsache(client)
    confirmation_url = _submit(client, summary_url)
    for path in (summary_url, confirmation_url, confirmation_url + "/receipt.pdf"):
        assert_other_tenant_gets_404(client, path, owner=musterstadt, other=beispieldorf)
