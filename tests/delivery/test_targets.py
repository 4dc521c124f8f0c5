"""Each kind of target receives the submission as its system expects it, exactly once."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import io
import json
from pathlib import Path

import pytest
import requests
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select
from werkzeug import Response

from amtsweg.delivery import service as delivery
from amtsweg.formdefs import service as formdefs
from amtsweg.platform.db import db
from amtsweg.platform.outbox import OutboxMessage, OutboxStatus
from amtsweg.submissions.models import SubmissionStatus
from amtsweg.submissions.service import AUTHORITY_ZONE
from tests.delivery.conftest import submit, sweep, time_passes
from tests.submissions.test_receipts import assert_archival_and_accessible
from tests.submissions.test_service import FUND_ANSWERS

WEBHOOK_SECRET = "geheim-und-lang-genug-1234"


def target(tenant, name: str, kind: str, config: dict | None = None, *, default: bool = True):
    made = delivery.save_target(tenant, name, kind, config or {}, default=default)
    db.session.commit()
    return made


def states(submission) -> dict[str, tuple[str, int]]:
    """Each target's (status, attempts), as the database has them now."""
    db.session.expire_all()
    return {
        state.target.name: (state.message.status.value, state.message.attempts)
        for state in delivery.deliveries_of(submission)
    }


@pytest.mark.sqlite
def test_a_submission_goes_to_the_targets_its_form_names_else_to_the_defaults(
    musterstadt, erika
) -> None:
    target(musterstadt, "ablage", "folder")
    target(musterstadt, "archiv", "folder", default=False)
    target(musterstadt, "alt", "folder").enabled = False
    db.session.commit()
    to_the_defaults = submit(musterstadt, erika)
    fundsache = formdefs.get_definition("fundsache-verlustmeldung")
    formdefs.activate_form(musterstadt, fundsache, delivery_targets=["archiv", "alt"])
    db.session.commit()
    to_the_named = submit(musterstadt, erika)
    assert set(states(to_the_defaults)) == {"ablage"}
    assert set(states(to_the_named)) == {"archiv"}


# --- folder ------------------------------------------------------------------


def test_the_folder_receives_pdf_json_and_uploads(app, settings, musterstadt, erika) -> None:
    target(musterstadt, "ablage", "folder")

    submission = submit(musterstadt, erika)

    folder: Path = settings.deliveries_dir / "musterstadt" / submission.reference
    assert sorted(p.name for p in folder.iterdir()) == [
        f"{submission.reference}.pdf",
        "submission.json",
    ]
    document = json.loads((folder / "submission.json").read_text())
    assert (document["reference"], document["answers"]["verlustort"]) == (
        submission.reference,
        "Bushaltestelle Rathaus",
    )
    assert (
        "Bushaltestelle Rathaus"
        in PdfReader(folder / f"{submission.reference}.pdf").pages[0].extract_text()
    )
    assert not [p for p in folder.parent.iterdir() if p.name.startswith(".")]
    assert states(submission) == {"ablage": ("done", 1)}
    db.session.refresh(submission)
    assert submission.status is SubmissionStatus.DELIVERED


# --- mailbox -----------------------------------------------------------------


def test_the_mailbox_gets_a_readable_mail_with_the_documents(
    app, musterstadt, erika, smtp_server
) -> None:
    target(musterstadt, "postfach", "mailbox", {"address": "fundbuero@musterstadt.example"})

    submission = submit(musterstadt, erika)

    mails = smtp_server.wait_for(2)
    [mail] = [m for m in mails if m["To"] == "fundbuero@musterstadt.example"]
    assert mail["Subject"] == f"{submission.reference}: Verlust einer Sache melden (Fundbüro)"
    text = mail.get_body(preferencelist=("plain",)).get_content()
    assert "Bushaltestelle Rathaus" in text
    assert "Erika Mustermann" in text
    names = [part.get_filename() for part in mail.iter_attachments()]
    assert names == [f"{submission.reference}.pdf", "submission.json"]
    state = delivery.deliveries_of(submission)[0]
    assert str(state.delivery.id) in mail["Message-ID"]


def test_the_mailbox_gets_the_answers_as_csv_and_xlsx_where_asked(
    app, musterstadt, erika, smtp_server
) -> None:
    config = {"address": "fundbuero@musterstadt.example", "attach_csv": True, "attach_xlsx": True}
    target(musterstadt, "postfach", "mailbox", config)
    answers = {**FUND_ANSWERS, "verlustort": '=HYPERLINK("http://evil.example")'}

    submission = submit(musterstadt, erika, answers=answers)

    [mail] = [m for m in smtp_server.wait_for(2) if m["To"] == "fundbuero@musterstadt.example"]
    attached = {part.get_filename(): part for part in mail.iter_attachments()}
    reference = submission.reference
    assert sorted(attached) == sorted(
        [f"{reference}.pdf", "submission.json", f"{reference}.csv", f"{reference}.xlsx"]
    )
    csv_text = attached[f"{reference}.csv"].get_payload(decode=True).decode("utf-8-sig")
    header, row = list(csv.reader(io.StringIO(csv_text), delimiter=";"))
    from_csv = dict(zip(header, row, strict=True))
    sheet = load_workbook(io.BytesIO(attached[f"{reference}.xlsx"].get_content())).active
    header, row = ([cell.value for cell in line] for line in sheet.iter_rows())
    from_xlsx = dict(zip(header, row, strict=True))
    for table in (from_csv, from_xlsx):
        assert table["reference"] == reference
        assert table["name"] == "Erika Mustermann"
        assert table["verlustort"] == '\'=HYPERLINK("http://evil.example")'
    assert sheet["A1"].data_type == "s"
    assert all(cell.data_type != "f" for line in sheet.iter_rows() for cell in line)


def test_a_large_mail_links_the_uploads_instead(app, musterstadt, erika, smtp_server) -> None:
    from tests.delivery.test_uploads import submit_with_photo

    config = {"address": "bauamt@musterstadt.example", "max_bytes": 1000}
    target(musterstadt, "postfach", "mailbox", config)

    submission = submit_with_photo(musterstadt, erika)

    [mail] = [m for m in smtp_server.wait_for(1) if m["To"] == "bauamt@musterstadt.example"]
    names = [part.get_filename() for part in mail.iter_attachments()]
    assert names == [f"{submission.reference}.pdf", "submission.json"]
    text = mail.get_body(preferencelist=("plain",)).get_content()
    assert "- Eiche.png" in text
    assert f"/t/musterstadt/admin/delivery/submissions/{submission.reference}" in text


def test_a_busy_mailbox_is_tried_again_and_a_refusing_one_gives_up(
    app, musterstadt, erika, smtp_server
) -> None:
    target(musterstadt, "postfach", "mailbox", {"address": "fundbuero@musterstadt.example"})
    smtp_server.refuse("fundbuero@musterstadt.example")

    submission = submit(musterstadt, erika)

    assert states(submission) == {"postfach": ("dead", 1)}
    db.session.refresh(submission)
    assert submission.status is SubmissionStatus.DELIVERY_FAILED


# --- webhook -----------------------------------------------------------------


def verify(secret: str, headers, body: bytes) -> bool:
    """The receiver's check, as docs/delivery.md shows it."""
    timestamp = headers["Amtsweg-Timestamp"]
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return hmac.compare_digest(headers["Amtsweg-Signature"], "v1=" + expected.hexdigest())


def test_the_webhook_gets_the_signed_document(app, musterstadt, erika, httpserver) -> None:
    received = []

    def receive(request):
        received.append((dict(request.headers), request.get_data()))
        return Response(status=204)

    httpserver.expect_request("/eingang", method="POST").respond_with_handler(receive)
    url = httpserver.url_for("/eingang")
    target(musterstadt, "fachverfahren", "webhook", {"url": url, "secret": WEBHOOK_SECRET})

    submission = submit(musterstadt, erika)

    [(headers, body)] = received
    assert verify(WEBHOOK_SECRET, headers, body)
    assert not verify("ein-anderes-geheimnis-123", headers, body)
    assert json.loads(body)["reference"] == submission.reference
    state = delivery.deliveries_of(submission)[0]
    assert headers["Amtsweg-Delivery"] == str(state.delivery.id)


@pytest.mark.parametrize("case", [(503, ("pending", 1)), (422, ("dead", 1))])
def test_a_webhook_failure_is_retried_unless_the_receiver_refused(
    app, musterstadt, erika, httpserver, case
) -> None:
    status, outcome = case
    httpserver.expect_request("/eingang").respond_with_data("nein", status=status)
    url = httpserver.url_for("/eingang")
    target(musterstadt, "fachverfahren", "webhook", {"url": url, "secret": WEBHOOK_SECRET})

    submission = submit(musterstadt, erika)

    assert states(submission) == {"fachverfahren": outcome}
    assert str(status) in delivery.deliveries_of(submission)[0].message.last_error


# --- cmis --------------------------------------------------------------------


def cmis_config(repository) -> dict[str, str]:
    return {
        "url": repository.repository_url,
        "folder": "/",
        "username": repository.username,
        "password": repository.password,
    }


def test_the_dms_gets_a_folder_with_documents_and_properties(
    app, musterstadt, erika, cmis_repository
) -> None:
    target(musterstadt, "dms", "cmis", cmis_config(cmis_repository))

    submission = submit(musterstadt, erika)

    folder = cmis_repository.object_by_path(f"/{submission.reference}")
    assert folder is not None
    documents = {doc.name: doc for doc in cmis_repository.documents()}
    assert sorted(documents) == [f"{submission.reference}.pdf", "submission.json"]
    pdf = documents[f"{submission.reference}.pdf"]
    assert pdf.content.startswith(b"%PDF")
    assert pdf.properties["amtsweg:reference"] == submission.reference
    assert pdf.properties["amtsweg:form"] == "fundsache-verlustmeldung"
    assert pdf.properties["amtsweg:applicant"] == "Erika Mustermann"
    assert json.loads(documents["submission.json"].content)["reference"] == submission.reference


def test_every_target_gets_the_archival_tagged_pdf(
    settings, musterstadt, erika, smtp_server, cmis_repository
) -> None:
    target(musterstadt, "ablage", "folder")
    target(musterstadt, "postfach", "mailbox", {"address": "fundbuero@musterstadt.example"})
    target(musterstadt, "dms", "cmis", cmis_config(cmis_repository))

    submission = submit(musterstadt, erika)

    name = f"{submission.reference}.pdf"
    [mail] = [m for m in smtp_server.wait_for(2) if m["To"] == "fundbuero@musterstadt.example"]
    delivered = {
        "folder": (settings.deliveries_dir / "musterstadt" / submission.reference / name),
        "mailbox": next(p for p in mail.iter_attachments() if p.get_filename() == name),
        "cmis": next(doc for doc in cmis_repository.documents() if doc.name == name),
    }
    pdfs = {
        "folder": delivered["folder"].read_bytes(),
        "mailbox": delivered["mailbox"].get_content(),
        "cmis": delivered["cmis"].content,
    }
    assert pdfs["folder"] == pdfs["mailbox"] == pdfs["cmis"]
    assert_archival_and_accessible(pdfs["folder"], language="de")
    assert "Bushaltestelle Rathaus" in PdfReader(io.BytesIO(pdfs["folder"])).pages[0].extract_text()


def test_what_an_earlier_try_stored_in_the_dms_is_not_stored_twice(
    app, musterstadt, erika, cmis_repository
) -> None:
    target(musterstadt, "dms", "cmis", cmis_config(cmis_repository))
    reference = f"{musterstadt.reference_prefix}-{dt.datetime.now(AUTHORITY_ZONE).year}-000001"
    # An earlier try stored the folder and the PDF, then crashed before it could record that.
    auth = (cmis_repository.username, cmis_repository.password)
    folder = {"cmisaction": "createFolder", "propertyId[0]": "cmis:name"}
    requests.post(
        cmis_repository.root_folder_url,
        data=folder | {"propertyValue[0]": reference},
        auth=auth,
        timeout=5,
    ).raise_for_status()
    pdf = {"cmisaction": "createDocument", "propertyId[0]": "cmis:name"}
    requests.post(
        f"{cmis_repository.root_folder_url}/{reference}",
        data=pdf | {"propertyValue[0]": f"{reference}.pdf"},
        files={"content": (f"{reference}.pdf", b"%PDF earlier try", "application/pdf")},
        auth=auth,
        timeout=5,
    ).raise_for_status()

    submission = submit(musterstadt, erika)

    assert submission.reference == reference
    assert states(submission) == {"dms": ("done", 1)}
    documents = {doc.name: doc.content for doc in cmis_repository.documents()}
    assert sorted(documents) == [f"{reference}.pdf", "submission.json"]
    assert documents[f"{reference}.pdf"] == b"%PDF earlier try"


def test_the_dms_can_file_by_form_and_year_without_second_copies(
    app, musterstadt, erika, cmis_repository
) -> None:
    target(
        musterstadt,
        "dms",
        "cmis",
        cmis_config(cmis_repository) | {"folder_per_form_and_year": True},
    )
    year = dt.datetime.now(AUTHORITY_ZONE).year
    folder = f"/fundsache-verlustmeldung/{year}"
    first = f"{musterstadt.reference_prefix}-{year}-000001"
    # An earlier try filed the first submission's PDF, then crashed before recording it.
    auth = (cmis_repository.username, cmis_repository.password)
    for parent, name in (
        ("", "fundsache-verlustmeldung"),
        ("/fundsache-verlustmeldung", str(year)),
    ):
        requests.post(
            cmis_repository.root_folder_url + parent,
            data={
                "cmisaction": "createFolder",
                "propertyId[0]": "cmis:name",
                "propertyValue[0]": name,
            },
            auth=auth,
            timeout=5,
        ).raise_for_status()
    requests.post(
        f"{cmis_repository.root_folder_url}{folder}",
        data={
            "cmisaction": "createDocument",
            "propertyId[0]": "cmis:name",
            "propertyValue[0]": f"{first}.pdf",
        },
        files={"content": (f"{first}.pdf", b"%PDF earlier try", "application/pdf")},
        auth=auth,
        timeout=5,
    ).raise_for_status()

    submissions = [submit(musterstadt, erika), submit(musterstadt, erika)]

    assert submissions[0].reference == first
    assert [states(submission) for submission in submissions] == [{"dms": ("done", 1)}] * 2
    year_folder = cmis_repository.object_by_path(folder)
    documents = {doc.name: doc for doc in cmis_repository.documents()}
    assert {doc.parent_id for doc in documents.values()} == {year_folder.id}
    second = submissions[1].reference
    assert sorted(documents) == sorted(
        [f"{first}.pdf", f"{first}-submission.json", f"{second}.pdf", f"{second}-submission.json"]
    )
    assert documents[f"{first}.pdf"].content == b"%PDF earlier try"
    assert documents[f"{second}.pdf"].properties["amtsweg:reference"] == second
    assert json.loads(documents[f"{second}-submission.json"].content)["reference"] == second
    assert cmis_repository.object_by_path(f"/{first}") is None


def test_a_lost_answer_from_the_dms_is_tried_again(app, musterstadt, erika, cmis_repository):
    target(musterstadt, "dms", "cmis", cmis_config(cmis_repository))
    cmis_repository.drop_after_accepting(1)

    submission = submit(musterstadt, erika)
    assert states(submission) == {"dms": ("pending", 1)}
    time_passes()
    sweep(app)

    assert states(submission) == {"dms": ("done", 2)}
    assert len(cmis_repository.documents()) == 2


def test_wrong_dms_credentials_are_permanent(app, musterstadt, erika, cmis_repository) -> None:
    config = cmis_config(cmis_repository) | {"password": "falsch"}
    target(musterstadt, "dms", "cmis", config)

    submission = submit(musterstadt, erika)

    assert states(submission) == {"dms": ("dead", 1)}
    assert "401" in delivery.deliveries_of(submission)[0].message.last_error


# --- several targets ---------------------------------------------------------


def test_a_failing_target_neither_holds_back_nor_repeats_another(
    app, settings, musterstadt, erika, cmis_repository
) -> None:
    target(musterstadt, "dms", "cmis", cmis_config(cmis_repository))
    target(musterstadt, "ablage", "folder")
    cmis_repository.fail_next(7, status=503)  # each try fails at its first request

    submission = submit(musterstadt, erika)
    for _retry in range(6):
        time_passes()
        sweep(app)

    assert states(submission) == {"ablage": ("done", 1), "dms": ("dead", 7)}
    assert (settings.deliveries_dir / "musterstadt" / submission.reference).is_dir()
    db.session.refresh(submission)
    assert submission.status is SubmissionStatus.DELIVERY_FAILED

    dead = delivery.delivery_for(submission, "dms")
    delivery.redeliver(musterstadt, dead)
    db.session.commit()

    assert states(submission) == {"ablage": ("done", 1), "dms": ("done", 1)}
    assert len(cmis_repository.documents()) == 2
    db.session.refresh(submission)
    assert submission.status is SubmissionStatus.DELIVERED
    messages = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "delivery"))
    assert {m.status for m in messages} == {OutboxStatus.DONE}
