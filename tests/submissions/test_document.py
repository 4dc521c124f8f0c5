"""submission.json: what every municipality receives, checked against its published schema."""

from __future__ import annotations

import hashlib
import io

import jsonschema
from PIL import Image

from amtsweg.formdefs import service as formdefs
from amtsweg.formdefs.engine import catalogue_documents
from amtsweg.platform.db import db
from amtsweg.platform.storage import storage
from amtsweg.submissions import service
from amtsweg.submissions.document import submission_document
from amtsweg.submissions.models import Submission, SubmissionStatus, Upload
from tests.submissions.conftest import ERIKA_CLAIMS
from tests.submissions.test_service import FUND_ANSWERS


def _published_schema(client) -> dict:
    response = client.get("/api/v1/schemas/submission-v1.json")
    assert response.status_code == 200
    assert response.mimetype == "application/schema+json"
    return response.get_json()


def test_the_document_follows_the_schema_published_under_the_api(client, musterstadt, erika):
    form = formdefs.offered_form(musterstadt, "fundsache-verlustmeldung")
    outcome = service.submit_answers(musterstadt, erika, form, FUND_ANSWERS, locale="de")
    db.session.commit()
    document = submission_document(outcome.submission)
    schema = _published_schema(client)
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(
        document
    )
    assert document["reference"] == outcome.submission.reference
    assert document["form"]["slug"] == "fundsache-verlustmeldung"
    assert document["answers"]["verlustort"] == "Bushaltestelle Rathaus"
    assert document["uploads"] == []
    assert document["schema"] == schema["$id"]


def test_the_document_lists_the_files_the_answers_name_with_their_sha256(musterstadt, erika):
    form = formdefs.offered_form(musterstadt, "baumfaellung-antrag")
    draft = service.start_draft(musterstadt, erika, form, ERIKA_CLAIMS)
    photo = io.BytesIO()
    Image.new("RGB", (4, 4), (10, 120, 10)).save(photo, "PNG")
    kept, dropped = (
        Upload(
            draft_id=draft.id,
            field_path="fotos",
            storage_key=storage().put("uploads", photo.getvalue()),
            name=name,
            mime="image/png",
            size=len(photo.getvalue()),
            sha256=hashlib.sha256(photo.getvalue()).hexdigest(),
        )
        for name in ("Eiche.png", "ersetzt.png")
    )
    db.session.add_all([kept, dropped])
    db.session.flush()
    submission = Submission(
        reference="MUS-2026-999999",
        user_id=erika.id,
        version_id=form.version.id,
        definition_id=form.version.definition_id,
        draft_id=draft.id,
        answers={
            "fotos": [{"name": "Eiche.png", "mime": "image/png", "size": 1, "token": str(kept.id)}]
        },
        fee={"collection": "online", "currency": "EUR", "total": 0, "lines": []},
        status=SubmissionStatus.SUBMITTED,
    )
    db.session.add(submission)
    db.session.flush()
    uploads = submission_document(submission)["uploads"]
    assert [(u["name"], u["sha256"], u["token"]) for u in uploads] == [
        ("Eiche.png", hashlib.sha256(photo.getvalue()).hexdigest(), str(kept.id))
    ]


def test_the_document_carries_the_keys_a_mailroom_routes_by(client, musterstadt, erika) -> None:
    document = dict(catalogue_documents())["fundsache-verlustmeldung.json"]
    routed = document | {"slug": "fundsache-mit-leika", "leika_id": "99001001000000"}
    version = formdefs.publish(formdefs.create_definition(routed))
    formdefs.activate_form(musterstadt, version.definition)
    musterstadt.municipality_key = "13075001"
    form = formdefs.offered_form(musterstadt, "fundsache-mit-leika")
    outcome = service.submit_answers(musterstadt, erika, form, FUND_ANSWERS, locale="de")
    db.session.commit()

    sent = submission_document(outcome.submission)

    assert sent["tenant"]["municipality_key"] == "13075001"
    assert (sent["form"]["leika_id"], sent["form"]["fim_id"]) == ("99001001000000", None)
    validator = jsonschema.Draft202012Validator(_published_schema(client))
    validator.validate(sent)
    broken = sent | {"form": sent["form"] | {"leika_id": "99001"}}
    assert not validator.is_valid(broken)
