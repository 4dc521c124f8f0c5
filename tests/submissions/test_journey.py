"""The citizen journey through the browser's eyes: HTML pages, form posts, no JavaScript."""

from __future__ import annotations

import email
import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from amtsweg.submissions import service
from tests.login import csrf_token, local

FUNDSACHE = "/t/musterstadt/forms/fundsache-verlustmeldung/"


@pytest.fixture
def erika_logged_in(client, musterstadt, log_in):
    log_in("erika")
    return client


def _post_step(client, page, data: dict) -> object:
    url = re.search(r'action="([^"]*)" class="[^"]*amtsweg-step"', page.get_data(as_text=True))
    assert url, "the step has no form"
    return client.post(
        url.group(1).replace("&amp;", "&"),
        data={"csrf_token": csrf_token(page), "_action": "continue", **data},
    )


def _fill_fundsache(client):
    start = client.get(FUNDSACHE)
    assert start.status_code == 200
    assert "Antrag starten" in start.get_data(as_text=True)
    first = client.get(FUNDSACHE + "apply")
    assert first.status_code == 302
    step = client.get(local(first.headers["Location"]))
    assert "Schritt 1 von 2" in step.get_data(as_text=True)
    moved = _post_step(
        client,
        step,
        {
            "kategorie": "sonstiges",
            "beschreibung": "Schwarzer Regenschirm <script>alert(1)</script>",
            "verlustdatum": service.today().isoformat(),
            "verlustort": "Bushaltestelle Rathaus",
        },
    )
    assert moved.status_code == 302, moved.get_data(as_text=True)
    contact = client.get(local(moved.headers["Location"]))
    assert "Schritt 2 von 2" in contact.get_data(as_text=True)
    done = _post_step(client, contact, {"name": "Erika Mustermann", "email": "erika@example.org"})
    assert done.status_code == 302
    return local(done.headers["Location"])


def test_a_citizen_must_log_in_before_starting(client, musterstadt) -> None:
    response = client.get(FUNDSACHE + "apply")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


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
    first = client.get(FUNDSACHE + "apply")
    step = client.get(local(first.headers["Location"]))
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
