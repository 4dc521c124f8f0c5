"""A fee paid online: the submission is delivered once the payment succeeded, not before."""

from __future__ import annotations

from amtsweg.delivery import service as delivery
from amtsweg.formdefs import service as formdefs
from amtsweg.platform.db import db
from amtsweg.platform.signals import payment_succeeded
from amtsweg.submissions import service
from amtsweg.submissions.models import SubmissionStatus
from tests.formdefs.builders import document, field

FEE = {"id": "gebuehr", "type": "fixed", "label": {"de": "Gebühr", "en": "Fee"}, "amount": 1500}


def _paid_form(tenant) -> formdefs.OfferedForm:
    version = formdefs.create_definition(
        document(field("name", "text", required=True), slug="ausweis", fees=[FEE])
    )
    formdefs.publish(version)
    formdefs.activate_form(tenant, version.definition)
    return formdefs.offered_form(tenant, "ausweis")


def test_a_paid_form_is_delivered_after_its_payment(app, settings, musterstadt, erika) -> None:
    delivery.save_target(musterstadt, "ablage", "folder", {}, default=True)
    form = _paid_form(musterstadt)
    outcome = service.submit_answers(musterstadt, erika, form, {"name": "Erika"}, locale="de")
    db.session.commit()
    submission = outcome.submission
    assert submission.status is SubmissionStatus.AWAITING_PAYMENT
    assert delivery.deliveries_of(submission) == []

    summary = {
        "status": "paid",
        "amount_cents": 1500,
        "currency": "EUR",
        "provider": "test",
        "kassenzeichen": "KZ-1",
    }
    payment_succeeded.send(
        None, tenant_id=musterstadt.id, submission_id=submission.id, summary=summary
    )
    db.session.commit()

    [state] = delivery.deliveries_of(submission)
    assert state.message.status.value == "done"
    assert (settings.deliveries_dir / "musterstadt" / submission.reference).is_dir()
    payment_succeeded.send(
        None, tenant_id=musterstadt.id, submission_id=submission.id, summary=summary
    )
    db.session.commit()
    assert len(delivery.deliveries_of(submission)) == 1
