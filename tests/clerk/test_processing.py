"""Back to the citizen: the clerk sets the processing status, the citizen sees it and answers."""

from __future__ import annotations

import email
import email.policy
import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from amtsweg.tenants import service as tenants
from tests.downloads import saved_name
from tests.images import png
from tests.login import csrf_token, dev_login

CLERK = "/t/musterstadt/clerk/"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@contextmanager
def erika_browsing(app) -> Iterator[FlaskClient]:
    """Erika in her own browser. Her requests run in an app context of their own:
    the tests' outer one would hand her the clerk's cached CSRF token (``g``)."""
    with app.app_context():
        browser = app.test_client()
        dev_login(browser, "erika")
        yield browser


def _mails(settings) -> list[email.message.Message]:
    folder = Path(settings.mail_outbox_dir)
    return [
        email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        for path in sorted(folder.glob("*.eml"))
    ]


def post_status(client: FlaskClient, reference: str, **fields: object) -> TestResponse:
    """The clerk's processing form on the submission's page, sent with ``fields``
    (as multipart when a file is among them, as the browser does)."""
    page = client.get(f"{CLERK}submissions/{reference}")
    return client.post(
        f"{CLERK}submissions/{reference}", data={"csrf_token": csrf_token(page), **fields}
    )


def test_more_information_needed_reaches_erika_and_her_answer_reaches_sabine(
    app, client, log_in, submit, settings
) -> None:
    reference = submit()
    log_in("clerk-musterstadt")
    asked = post_status(
        client,
        reference,
        status="more_information_needed",
        message="Bitte schicken Sie ein Foto des Schirms.",
    )
    assert asked.status_code == 302
    subjects = [mail["Subject"] for mail in _mails(settings)]
    assert f"{reference}: Weitere Angaben nötig" in subjects, subjects

    with erika_browsing(app) as erika:
        mine = erika.get(f"/t/musterstadt/submissions/{reference}")
        text = mine.get_data(as_text=True)
        assert "Bitte schicken Sie ein Foto des Schirms." in text
        answered = erika.post(
            f"/t/musterstadt/submissions/{reference}/answer",
            data={
                "csrf_token": csrf_token(mine),
                "message": "Anbei das Foto.",
                "files": (io.BytesIO(png()), "schirm.png"),
            },
            content_type="multipart/form-data",
        )
        assert answered.status_code == 302, answered.get_data(as_text=True)
        overview = erika.get("/t/musterstadt/applications/").get_data(as_text=True)
        assert "In Bearbeitung" in overview

    detail = client.get(f"{CLERK}submissions/{reference}").get_data(as_text=True)
    assert "Anbei das Foto." in detail
    assert "schirm.png" in detail


def test_asking_for_more_without_saying_what_is_refused(client, log_in, submit) -> None:
    reference = submit()
    log_in("clerk-musterstadt")
    refused = post_status(client, reference, status="more_information_needed")
    assert refused.status_code == 422
    assert "Bitte schreiben Sie eine Nachricht." in refused.get_data(as_text=True)


def test_a_message_with_a_null_character_is_refused_and_nothing_is_kept(
    client, log_in, submit
) -> None:
    """No text column can store a NUL: the clerk hears why, and the status stays as it was."""
    reference = submit()
    log_in("clerk-musterstadt")
    refused = post_status(
        client,
        reference,
        status="more_information_needed",
        message="Bitte schicken Sie\x00 ein Foto.",
    )
    assert refused.status_code == 422
    assert "Nullzeichen (NUL)" in refused.get_data(as_text=True)
    detail = client.get(f"{CLERK}submissions/{reference}").get_data(as_text=True)
    assert "Bitte schicken Sie" not in detail


def test_a_result_document_must_be_a_pdf_and_reaches_the_citizen(
    app, client, log_in, submit
) -> None:
    reference = submit()
    log_in("clerk-musterstadt")
    not_a_pdf = post_status(
        client, reference, status="approved", document=(io.BytesIO(b"MZ not a pdf"), "bescheid.pdf")
    )
    assert not_a_pdf.status_code == 422
    approved = post_status(
        client,
        reference,
        status="approved",
        message="Genehmigt.",
        document=(io.BytesIO(PDF), "bescheid.pdf"),
    )
    assert approved.status_code == 302
    with erika_browsing(app) as erika:
        text = erika.get(f"/t/musterstadt/submissions/{reference}").get_data(as_text=True)
        assert "Genehmigt" in text
        link = text.split('href="')[1:]
        document = next(part.split('"')[0] for part in link if "/history/" in part)
        assert erika.get(document).data == PDF


def test_the_citizen_cannot_answer_when_nobody_asked(client, log_in, submit) -> None:
    reference = submit()
    log_in("erika")
    page = client.get(f"/t/musterstadt/submissions/{reference}")
    refused = client.post(
        f"/t/musterstadt/submissions/{reference}/answer",
        data={"csrf_token": csrf_token(page), "message": "Hallo"},
    )
    assert refused.status_code == 409


def test_downloads_and_exports_are_in_the_audit_log(client, log_in, submit, musterstadt) -> None:
    reference = submit()
    log_in("clerk-musterstadt")
    client.get(f"{CLERK}submissions/{reference}.zip")
    client.get(f"{CLERK}forms/fundsache-verlustmeldung/submissions.excel.csv").close()
    entries, _total = tenants.audit_entries(musterstadt, 0, 50)
    done = {(entry.action, entry.object_id) for entry in entries if entry.actor_id}
    assert ("submission.downloaded", reference) in done
    assert ("form.exported", "fundsache-verlustmeldung") in done


def test_files_keep_their_names_in_any_alphabet(app, client, log_in, submit) -> None:
    reference = submit()
    log_in("clerk-musterstadt")
    post_status(client, reference, status="more_information_needed", message="Bitte Nachweis.")
    photo = png()
    with erika_browsing(app) as erika:
        mine = erika.get(f"/t/musterstadt/submissions/{reference}")
        answered = erika.post(
            f"/t/musterstadt/submissions/{reference}/answer",
            data={
                "csrf_token": csrf_token(mine),
                "message": "Anbei.",
                "files": (io.BytesIO(photo), "Nachweis Łódź.png"),
            },
            content_type="multipart/form-data",
        )
        assert answered.status_code == 302, answered.get_data(as_text=True)

    detail = client.get(f"{CLERK}submissions/{reference}").get_data(as_text=True)
    [link] = [part.split('"')[0] for part in detail.split('href="')[1:] if "/history/" in part]
    download = client.get(link)
    assert download.data == photo
    assert saved_name(download) == "Nachweis Łódź.png"

    post_status(
        client, reference, status="approved", document=(io.BytesIO(PDF), "Bescheid für Ağaoğlu.pdf")
    )
    with erika_browsing(app) as erika:
        text = erika.get(f"/t/musterstadt/submissions/{reference}").get_data(as_text=True)
        links = [part.split('"')[0] for part in text.split('href="')[1:] if "/history/" in part]
        names = {saved_name(erika.get(link)) for link in links}
    assert names == {"Nachweis Łódź.png", "Bescheid für Ağaoğlu.pdf"}
