"""Drafts and submitting: prefill, saving steps, exactly-once submit, references."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import update

from amtsweg.cli import main
from amtsweg.formdefs import service as formdefs
from amtsweg.formdefs.engine import compile_definition
from amtsweg.platform.db import db, tenant_scope, utcnow
from amtsweg.platform.storage import storage
from amtsweg.submissions import service
from amtsweg.submissions.models import ReferenceCounter, SubmissionStatus, Upload
from amtsweg.submissions.presentation import answer_sections
from tests.formdefs.builders import document, field
from tests.submissions.conftest import ERIKA_CLAIMS, fund_answers

FUND_ANSWERS = fund_answers()


@pytest.fixture
def fundsache(musterstadt):
    return formdefs.offered_form(musterstadt, "fundsache-verlustmeldung")


def test_a_new_draft_is_prefilled_from_the_login(musterstadt, erika) -> None:
    form = formdefs.offered_form(musterstadt, "gewerbeanmeldung")
    draft = service.start_draft(musterstadt, erika, form, ERIKA_CLAIMS)
    assert draft.answers["familienname"] == "Mustermann"
    assert draft.answers["vornamen"] == "Erika"
    assert draft.answers["geburtsdatum"] == "1964-08-12"
    assert draft.step == "inhaber"
    again = service.start_draft(musterstadt, erika, form, ERIKA_CLAIMS)
    assert again.id == draft.id  # resumed, not a second draft


def test_saving_a_step_keeps_invalid_answers_and_reports_errors(musterstadt, erika) -> None:
    form = formdefs.offered_form(musterstadt, "gewerbeanmeldung")
    draft = service.start_draft(musterstadt, erika, form, ERIKA_CLAIMS)
    evaluation = service.save_step(
        draft, "inhaber", {"email": "not-an-email", "familienname": "Forged"}, ERIKA_CLAIMS, "de"
    )
    assert draft.answers["email"] == "not-an-email"
    assert draft.answers["familienname"] == "Mustermann"  # locked by the login
    assert any(error.path == "email" for error in evaluation.errors)
    assert all(error.message for error in evaluation.errors)


def test_submit_creates_one_submission_with_a_reference(musterstadt, erika, fundsache) -> None:
    draft = service.start_draft(musterstadt, erika, fundsache, ERIKA_CLAIMS)
    for step in fundsache.definition.steps:
        service.save_step(draft, step.id, FUND_ANSWERS, ERIKA_CLAIMS, "de")
    evaluation = service.evaluate_draft(draft, "de")
    assert evaluation.ok, evaluation.errors
    first = service.submit_draft(musterstadt, erika, fundsache, draft, locale="de")
    db.session.commit()
    assert first.created
    prefix = musterstadt.reference_prefix
    assert re.fullmatch(rf"{prefix}-20\d\d-000001", first.submission.reference)
    assert first.submission.status is SubmissionStatus.SUBMITTED
    assert first.submission.fee_total == 0
    second = service.submit_draft(musterstadt, erika, fundsache, draft, locale="de")
    assert not second.created
    assert second.submission.id == first.submission.id
    drafts, submissions = service.applications_of(erika)
    assert drafts == []
    assert [s.reference for s in submissions] == [first.submission.reference]


def test_invalid_answers_are_not_submitted(musterstadt, erika, fundsache) -> None:
    draft = service.start_draft(musterstadt, erika, fundsache, ERIKA_CLAIMS)
    with pytest.raises(service.AnswersInvalidError) as refused:
        service.submit_draft(musterstadt, erika, fundsache, draft, locale="en")
    assert refused.value.evaluation.errors
    assert service.applications_of(erika)[1] == []


def test_references_count_up_per_tenant(musterstadt, erika, fundsache, create_tenant) -> None:
    references = [
        service.submit_answers(
            musterstadt, erika, fundsache, FUND_ANSWERS, locale="de"
        ).submission.reference
        for _ in range(3)
    ]
    assert [r[-6:] for r in references] == ["000001", "000002", "000003"]
    beispieldorf = create_tenant("beispieldorf", contact_email="amt@b.example")
    with tenant_scope(beispieldorf.id):
        formdefs.activate_form(beispieldorf, formdefs.get_definition("fundsache-verlustmeldung"))
        elsewhere = formdefs.offered_form(beispieldorf, "fundsache-verlustmeldung")
        other = service.submit_answers(beispieldorf, erika, elsewhere, FUND_ANSWERS, locale="de")
    assert other.submission.reference == f"{beispieldorf.reference_prefix}-{references[0][-11:]}"


@pytest.mark.sqlite
def test_references_go_past_a_million_without_repeating(musterstadt, erika, fundsache) -> None:
    first = service.submit_answers(musterstadt, erika, fundsache, FUND_ANSWERS, locale="de")
    db.session.execute(update(ReferenceCounter).values(last_number=999_999))
    million = service.submit_answers(musterstadt, erika, fundsache, FUND_ANSWERS, locale="de")
    assert first.submission.reference.endswith("-000001")
    assert million.submission.reference == f"{first.submission.reference[:-6]}1000000"


def test_the_api_idempotency_key_creates_one_submission(musterstadt, erika, fundsache) -> None:
    first = service.submit_answers(
        musterstadt, erika, fundsache, FUND_ANSWERS, locale="de", idempotency_key="k1"
    )
    again = service.submit_answers(
        musterstadt, erika, fundsache, FUND_ANSWERS, locale="de", idempotency_key="k1"
    )
    assert first.created
    assert not again.created
    assert again.submission.id == first.submission.id


def test_the_fee_comes_from_the_pinned_version_on_the_server(musterstadt, erika) -> None:
    form = formdefs.offered_form(musterstadt, "bewohnerparkausweis")
    draft = service.start_draft(musterstadt, erika, form, ERIKA_CLAIMS)
    draft.answers["gebuehr"] = 1  # anything the browser sends has no say in the fee
    assert service.evaluate_draft(draft, "de").fee.total == 3070


def test_another_citizen_cannot_see_a_draft(musterstadt, erika, max_, fundsache) -> None:
    draft = service.start_draft(musterstadt, erika, fundsache, ERIKA_CLAIMS)
    assert service.find_draft(erika, draft.id) is draft
    assert service.find_draft(max_, draft.id) is None


def test_expired_drafts_are_purged_with_their_files(app, musterstadt, erika, fundsache) -> None:
    kept = service.start_draft(musterstadt, erika, fundsache, ERIKA_CLAIMS)
    form = formdefs.offered_form(musterstadt, "bewohnerparkausweis")
    old = service.start_draft(musterstadt, erika, form, ERIKA_CLAIMS)
    key = storage().put("uploads", b"%PDF-1.4 ... %%EOF")
    db.session.add(
        Upload(tenant_id=musterstadt.id, draft_id=old.id, field_path="zulassung",
               storage_key=key, name="z.pdf", mime="application/pdf", size=18, sha256="0" * 64)
    )  # fmt: skip
    old.expires_at = utcnow() - dt.timedelta(minutes=1)
    db.session.commit()
    result = app.test_cli_runner().invoke(main, ["drafts", "purge"])
    assert "musterstadt: 1 expired draft(s) deleted" in result.output
    assert service.find_draft(erika, old.id) is None
    assert service.find_draft(erika, kept.id) is not None
    with pytest.raises(KeyError):
        storage().get(key)


def test_numbers_read_the_way_the_language_writes_them() -> None:
    definition = compile_definition(
        document(field("flaeche", "number", unit="m²"), field("anzahl", "integer"))
    )
    answers = {"flaeche": 12.5, "anzahl": 1200}
    ((_, german),) = answer_sections(definition, answers, "de")
    ((_, english),) = answer_sections(definition, answers, "en")
    assert [a.value for a in german.answers] == ["12,5 m²", "1.200"]
    assert [a.value for a in english.answers] == ["12.5 m²", "1,200"]


def test_a_language_without_a_catalogue_gets_its_receipt_and_email_in_german(
    musterstadt, erika, fundsache, settings
) -> None:
    outcome = service.submit_answers(
        musterstadt, erika, fundsache, FUND_ANSWERS, locale="de", confirmation_email="e@x.example"
    )
    outcome.submission.locale = "fr"  # stored by an older client, say; we have no French
    db.session.commit()  # the confirmation job runs in-process after this commit
    [mail] = Path(settings.mail_outbox_dir).glob("*.eml")
    message = email.message_from_bytes(mail.read_bytes(), policy=email.policy.default)
    assert message["Subject"].startswith("Eingangsbestätigung ")
    assert "Ihr Antrag" in message.get_body(("plain",)).get_content()
    [receipt] = list(message.iter_attachments())
    pdf = PdfReader(io.BytesIO(receipt.get_content()))
    text = "".join(page.extract_text() for page in pdf.pages)
    assert "Vorgangsnummer" in text
