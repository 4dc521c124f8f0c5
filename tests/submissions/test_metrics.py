"""``amtsweg_submissions_total{form}``: what an operator graphs of the submissions made."""

from __future__ import annotations

from amtsweg.formdefs import service as formdefs
from amtsweg.platform.db import db
from amtsweg.submissions import service
from tests.platform.test_metrics import sample, scrape
from tests.submissions.conftest import fund_answers
from tests.submissions.test_api import FUND, HUNDE, citizen, dog, dog_tax_answers  # noqa: F401

TOTAL = "amtsweg_submissions_total"


def test_each_submission_counts_once_for_its_form(client, citizen) -> None:  # noqa: F811
    assert client.post(FUND, json={"answers": {}}, headers=citizen).status_code == 422
    assert client.post(FUND, json={"answers": fund_answers()}, headers=citizen).status_code == 201
    answers = dog_tax_answers(dog("Bello"))
    assert client.post(HUNDE, json={"answers": answers}, headers=citizen).status_code == 201
    retry = citizen | {"Idempotency-Key": "order-42"}
    assert client.post(FUND, json={"answers": fund_answers()}, headers=retry).status_code == 201
    assert client.post(FUND, json={"answers": fund_answers()}, headers=retry).status_code == 200

    samples = scrape(client)
    assert sample(samples, TOTAL, form="fundsache-verlustmeldung") == 2
    assert sample(samples, TOTAL, form="hundesteuer-anmeldung") == 1
    assert not any("musterstadt" in str(labels) for name, labels in samples if name == TOTAL)


def test_a_submission_rolled_back_is_not_counted(client, musterstadt, erika) -> None:
    form = formdefs.offered_form(musterstadt, "fundsache-verlustmeldung")
    service.submit_answers(musterstadt, erika, form, fund_answers(), locale="de")
    with db.session.begin_nested():  # a savepoint released is not the commit
        pass
    db.session.rollback()
    assert sample(scrape(client), TOTAL, form="fundsache-verlustmeldung") is None

    service.submit_answers(musterstadt, erika, form, fund_answers(), locale="de")
    db.session.commit()
    assert sample(scrape(client), TOTAL, form="fundsache-verlustmeldung") == 1


def test_a_submission_of_a_savepoint_rolled_back_is_not_counted(client, musterstadt, erika) -> None:
    form = formdefs.offered_form(musterstadt, "fundsache-verlustmeldung")
    savepoint = db.session.begin_nested()
    service.submit_answers(musterstadt, erika, form, fund_answers(), locale="de")
    savepoint.rollback()
    service.submit_answers(musterstadt, erika, form, fund_answers(), locale="de")
    db.session.commit()
    assert sample(scrape(client), TOTAL, form="fundsache-verlustmeldung") == 1
