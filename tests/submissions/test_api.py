"""The headless submission API: same validation and result as the HTML journey."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from sqlalchemy import func, select

from amtsweg.platform.db import db
from amtsweg.submissions import service
from amtsweg.tenants import service as tenants
from amtsweg.tenants.models import Role, User
from tests.isolation import assert_other_tenant_gets_404
from tests.login import csrf_token
from tests.platform.test_bearer_tokens import dev_token
from tests.submissions.conftest import fund_answers
from tests.submissions.test_journey import _fill_fundsache

FUND = "/api/v1/tenants/musterstadt/forms/fundsache-verlustmeldung/submissions"
HUNDE = "/api/v1/tenants/musterstadt/forms/hundesteuer-anmeldung/submissions"
GEWERBE = "/api/v1/tenants/musterstadt/forms/gewerbeanmeldung/submissions"


def dog(name: str, *, dangerous: bool = False) -> dict:
    born = service.today() - dt.timedelta(days=800)
    return {
        "name": name,
        "rasse": "labrador",
        "geburtsdatum": born.isoformat(),
        "gehalten_seit": service.today().isoformat(),
        "gefaehrlich": dangerous,
    }


def dog_tax_answers(*dogs: dict) -> dict:
    return {
        "vorname": "Erika",
        "nachname": "Mustermann",
        "geburtsdatum": "1964-08-12",
        "anschrift": {
            "street": "Heidestraße",
            "house_number": "17",
            "zip": "51147",
            "city": "Köln",
        },
        "email": "erika@example.org",
        "hunde": list(dogs),
        "lastschrift": False,
        "bestaetigung": True,
    }


@pytest.fixture
def citizen(app, musterstadt):
    return {"Authorization": f"Bearer {dev_token(app, '--role', 'citizen')}"}


def test_a_citizen_submits_through_the_api(client, citizen) -> None:
    response = client.post(FUND, json={"answers": fund_answers()}, headers=citizen)
    assert response.status_code == 201, response.json
    body = response.json
    assert body["reference"].endswith("-000001")
    assert body["status"] == "submitted"
    assert body["fee"]["total"] == 0
    fetched = client.get(
        f"/api/v1/tenants/musterstadt/submissions/{body['reference']}", headers=citizen
    )
    assert fetched.json == body


def test_the_api_and_the_browser_store_the_same_submission(client, citizen, log_in) -> None:
    through_api = client.post(FUND, json={"answers": fund_answers()}, headers=citizen).json
    log_in("erika")
    summary_url = _fill_fundsache(client)
    summary = client.get(summary_url)
    client.post(summary_url, data={"csrf_token": csrf_token(summary), "declaration": "yes"})
    reference = through_api["reference"][:-6] + "000002"
    through_browser = client.get(
        f"/api/v1/tenants/musterstadt/submissions/{reference}", headers=citizen
    ).json
    assert through_browser["answers"] == through_api["answers"]
    assert through_browser["fee"] == through_api["fee"]


def test_bad_answers_name_each_failing_field(client, citizen) -> None:
    answers = fund_answers() | {"email": "nope", "verlustdatum": "2099-01-01"}
    del answers["verlustort"]
    response = client.post(FUND, json={"answers": answers, "locale": "en"}, headers=citizen)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    pointers = {error["pointer"] for error in response.json["errors"]}
    assert pointers == {"/answers/email", "/answers/verlustdatum", "/answers/verlustort"}
    assert all(error["detail"] for error in response.json["errors"])


def test_errors_inside_a_repeating_group_point_at_the_item(client, citizen) -> None:
    broken = dog("Bello") | {"rasse": "einhorn"}
    response = client.post(
        HUNDE, json={"answers": dog_tax_answers(dog("Rex"), broken)}, headers=citizen
    )
    assert response.status_code == 422
    assert {e["pointer"] for e in response.json["errors"]} == {"/answers/hunde/1/rasse"}


def test_two_dogs_are_taxed_as_first_and_further_dog(client, citizen) -> None:
    answers = dog_tax_answers(dog("Rex"), dog("Bello"))
    response = client.post(HUNDE, json={"answers": answers}, headers=citizen)
    assert response.status_code == 201, response.json
    fee = response.json["fee"]
    assert fee["collection"] == "by_notice"
    assert fee["total"] == 9600 + 12000
    assert response.json["status"] == "submitted"  # assessed later, nothing to pay now


def test_a_fee_in_the_request_is_ignored(client, citizen) -> None:
    answers = dog_tax_answers(dog("Rex"))
    forged = {"answers": answers, "fee": {"total": 1, "lines": []}, "fee_total": 1}
    refused = client.post(HUNDE, json=forged, headers=citizen)
    assert refused.status_code == 422  # a fee is not something a client may send
    assert {e["pointer"] for e in refused.json["errors"]} == {"/fee", "/fee_total"}
    answers["gebuehr"] = 1  # nor does an answer of that name set it
    response = client.post(HUNDE, json={"answers": answers}, headers=citizen)
    assert response.status_code == 201, response.json
    assert response.json["fee"]["total"] == 9600


def test_made_up_file_answers_are_refused(client, citizen) -> None:
    forged = {"name": "erlaubnis.pdf", "mime": "application/pdf", "size": 10, "token": "x"}
    answers = dog_tax_answers(dog("Rex", dangerous=True) | {"erlaubnis": [forged]})
    response = client.post(HUNDE, json={"answers": answers}, headers=citizen)
    assert response.status_code == 422
    assert response.json["errors"][0]["code"] == "file_not_uploaded"
    assert response.json["errors"][0]["pointer"] == "/answers/hunde/0/erlaubnis"


def test_the_idempotency_key_makes_a_retry_safe(client, citizen) -> None:
    headers = citizen | {"Idempotency-Key": "order-42"}
    first = client.post(FUND, json={"answers": fund_answers()}, headers=headers)
    again = client.post(FUND, json={"answers": fund_answers()}, headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json["reference"] == first.json["reference"]
    bad = client.post(FUND, json={"answers": {}}, headers=citizen | {"Idempotency-Key": "a b"})
    assert bad.status_code == 400


def test_a_weaker_login_than_the_form_needs_is_refused(app, client, musterstadt) -> None:
    basic = dev_token(app, "--role", "citizen", "--persona", "max")
    response = client.post(
        GEWERBE, json={"answers": {}}, headers={"Authorization": f"Bearer {basic}"}
    )
    assert response.status_code == 401
    assert "insufficient_user_authentication" in response.headers["WWW-Authenticate"]


@pytest.mark.parametrize("body", [{}, {"answers": "not an object"}, None])
def test_without_a_token_it_is_a_401_before_the_body_is_judged(client, musterstadt, body) -> None:
    response = client.post(GEWERBE, json=body)
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_without_a_token_it_is_a_401_problem(client, musterstadt) -> None:
    response = client.post(FUND, json={"answers": fund_answers()})
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize("body", [{"answers": []}, {"answers": {}, "locale": "fr"}, {}])
def test_malformed_bodies_are_problems_not_500s(client, citizen, body) -> None:
    response = client.post(FUND, json=body, headers=citizen)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"


def test_another_tenant_gets_404_for_a_submission(client, citizen, musterstadt, create_tenant):
    beispieldorf = create_tenant("beispieldorf")
    reference = client.post(FUND, json={"answers": fund_answers()}, headers=citizen).json[
        "reference"
    ]
    assert_other_tenant_gets_404(
        client,
        f"/api/v1/tenants/musterstadt/submissions/{reference}",
        owner=musterstadt,
        other=beispieldorf,
        headers=citizen,
    )


def test_another_citizen_gets_404_for_a_submission(app, client, citizen) -> None:
    reference = client.post(FUND, json={"answers": fund_answers()}, headers=citizen).json[
        "reference"
    ]
    max_token = {
        "Authorization": f"Bearer {dev_token(app, '--role', 'citizen', '--persona', 'max')}"
    }
    response = client.get(f"/api/v1/tenants/musterstadt/submissions/{reference}", headers=max_token)
    assert response.status_code == 404


def test_a_known_person_takes_the_name_their_token_says(client, citizen) -> None:
    """The token's person comes with the tenant's lookup; a name changed at the login
    provider is taken over as when the person is looked up on their own."""
    first = client.post(FUND, json={"answers": fund_answers()}, headers=citizen)
    person = db.session.scalars(select(User).where(User.subject == "erika")).one()
    person.display_name = "E. Mustermann"
    db.session.commit()
    again = client.post(FUND, json={"answers": fund_answers()}, headers=citizen)
    assert (first.status_code, again.status_code) == (201, 201)
    db.session.refresh(person)
    assert person.display_name == "Erika Mustermann"
    assert db.session.scalars(select(func.count()).select_from(User)).one() == 1


def test_a_token_gets_no_role_from_its_persons_memberships(client, citizen, musterstadt) -> None:
    """The token's person comes with the tenant, but a token's roles stay the token's:
    a clerk's membership granted to the same person does not open the clerk's API."""
    client.post(FUND, json={"answers": fund_answers()}, headers=citizen)
    person = db.session.scalars(select(User).where(User.subject == "erika")).one()
    tenants.grant_role(musterstadt, person, Role.CLERK)
    db.session.commit()
    listing = client.get("/api/v1/tenants/musterstadt/submissions", headers=citizen)
    assert listing.status_code == 404


def test_the_last_submission_moves_only_by_the_minute_the_overview_shows(
    client, citizen, musterstadt
) -> None:
    """A submission less than a minute after the noted one leaves the tenant's row
    alone (no update, no row lock held until the commit); a later one moves it on."""
    first = dt.datetime.now(dt.UTC).replace(microsecond=0)
    noted = []
    for offset in (0, 59, 61):
        with time_machine.travel(first + dt.timedelta(seconds=offset), tick=False):
            response = client.post(FUND, json={"answers": fund_answers()}, headers=citizen)
        assert response.status_code == 201, response.json
        db.session.refresh(musterstadt)
        noted.append(musterstadt.last_submission_at)
    assert noted == [first, first, first + dt.timedelta(seconds=61)]


def test_too_many_submissions_get_429_with_retry_after(make_app, settings, musterstadt) -> None:
    from dataclasses import replace

    app = make_app(settings=replace(settings, submit_rate_limit="2/minute"))
    client = app.test_client()
    citizen = {"Authorization": f"Bearer {dev_token(app, '--role', 'citizen')}"}
    answers = {"answers": fund_answers()}
    assert [client.post(FUND, json=answers, headers=citizen).status_code for _ in range(2)] == [
        201,
        201,
    ]
    refused = client.post(FUND, json=answers, headers=citizen)
    assert refused.status_code == 429
    assert refused.mimetype == "application/problem+json"
    assert int(refused.headers["Retry-After"]) > 0


def test_the_receipt_is_mailed_through_a_real_smtp_server(
    make_app, settings, musterstadt, smtp_server
) -> None:
    from dataclasses import replace

    app = make_app(settings=replace(settings, smtp_url=smtp_server.url))
    client = app.test_client()
    citizen = {"Authorization": f"Bearer {dev_token(app, '--role', 'citizen')}"}
    reference = client.post(FUND, json={"answers": fund_answers()}, headers=citizen).json[
        "reference"
    ]
    (message,) = smtp_server.wait_for(1)
    assert message["To"] == "erika.mustermann@example.org"
    assert reference in message["Subject"]
    assert message["Reply-To"] == "rat@m.example"
    (receipt,) = list(message.iter_attachments())
    assert receipt.get_filename() == f"{reference}.pdf"
    assert receipt.get_content().startswith(b"%PDF-")
