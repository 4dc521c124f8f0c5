"""Crafted requests, reused keys, shared limits and Redis outages never cost a citizen
their application and never reach a 500."""

from __future__ import annotations

from dataclasses import replace

import pytest
from flask import Flask
from sqlalchemy import func, select

from amtsweg.platform.db import db, tenant_scope
from amtsweg.submissions.models import Submission
from tests.login import csrf_token, dev_login, local
from tests.platform.test_bearer_tokens import dev_token
from tests.submissions.test_api import FUND, dog, dog_tax_answers, fund_answers
from tests.submissions.test_journey import _fill_fundsache

SPERRMUELL = "/api/v1/tenants/musterstadt/forms/sperrmuell-anmeldung/submissions"
DEEP = b"[" * 10_000 + b"]" * 10_000
LONG_INTEGER = b'{"answers": {"menge": ' + b"7" * 5_000 + b"}}"
REFUSED_DOOR = "redis://127.0.0.1:9/0"  # the discard port: nothing answers there


def bearer(app: Flask, *args: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {dev_token(app, *args)}"}


@pytest.fixture
def citizen(app, musterstadt):
    return bearer(app, "--role", "citizen")


def _post_json(client, url: str, body: bytes, headers: dict | None = None, method: str = "POST"):
    return client.open(
        url, method=method, data=body, content_type="application/json", headers=headers or {}
    )


@pytest.mark.parametrize("body", [DEEP, LONG_INTEGER], ids=["10000-deep", "5000-digits"])
def test_crafted_json_to_the_submission_api_is_a_clear_400(client, citizen, body) -> None:
    without_token = _post_json(client, FUND, body)
    assert without_token.status_code == 401  # before the body is read
    answer = _post_json(client, FUND, body, citizen)
    assert answer.status_code == 400, answer.get_data(as_text=True)
    assert answer.mimetype == "application/problem+json"
    assert answer.json["errors"][0]["detail"] in {
        "Das JSON ist tiefer als 32 Ebenen verschachtelt.",
        "Eine Zahl im JSON hat zu viele Stellen.",
    }


@pytest.mark.parametrize("body", [DEEP, LONG_INTEGER], ids=["10000-deep", "5000-digits"])
def test_crafted_json_to_branding_and_validation_is_a_clear_400(app, client, musterstadt, body):
    tenant_admin = bearer(app, "--role", "tenant_admin", "--tenant", "musterstadt")
    branding = _post_json(
        client, "/api/v1/tenants/musterstadt/branding", body, tenant_admin, "PATCH"
    )
    assert branding.status_code == 400, branding.get_data(as_text=True)
    admin = bearer(app, "--role", "admin")
    validate = _post_json(client, "/api/v1/formdefs/validate", body, admin)
    assert validate.status_code == 400, validate.get_data(as_text=True)


@pytest.mark.parametrize(
    "menge", [b"1" + b"0" * 400, b"1e400", b"-1e400"], ids=["integer", "exponent", "negative"]
)
def test_a_number_beyond_any_float_is_not_a_number(client, citizen, menge) -> None:
    body = b'{"answers": {"menge": ' + menge + b"}}"
    answer = _post_json(client, SPERRMUELL, body, citizen)
    assert answer.status_code == 422, answer.get_data(as_text=True)
    pointers = {error["pointer"]: error["code"] for error in answer.json["errors"]}
    assert pointers["/answers/menge"] == "not_a_number"


def test_text_answers_lose_direction_overrides_through_the_api(
    client, citizen, musterstadt
) -> None:
    answers = fund_answers() | {"beschreibung": "Rechnung\u202egnp.exe und Schirm"}
    answer = client.post(FUND, json={"answers": answers}, headers=citizen)
    assert answer.status_code == 201, answer.get_data(as_text=True)
    assert answer.json["answers"]["beschreibung"] == "Rechnunggnp.exe und Schirm"


def test_a_nul_in_an_answer_is_refused_through_the_api_with_a_pointer(
    client, citizen, musterstadt
) -> None:
    answers = fund_answers() | {"beschreibung": "Regen\x00schirm"}
    answer = client.post(FUND, json={"answers": answers}, headers=citizen)
    assert answer.status_code == 422, answer.get_data(as_text=True)
    assert answer.mimetype == "application/problem+json"
    (error,) = answer.json["errors"]
    assert error["pointer"] == "/answers/beschreibung"
    assert error["code"] == "nul"
    assert "Nullzeichen (NUL)" in error["detail"]
    with tenant_scope(musterstadt.id):
        assert db.session.scalar(select(func.count()).select_from(Submission)) == 0


def test_a_nul_in_a_part_of_an_address_is_refused_through_the_api(client, citizen) -> None:
    answers = dog_tax_answers(dog("Rex"))
    answers["anschrift"] = answers["anschrift"] | {"city": "K\x00ln"}
    answer = client.post(
        "/api/v1/tenants/musterstadt/forms/hundesteuer-anmeldung/submissions",
        json={"answers": answers},
        headers=citizen,
    )
    assert answer.status_code == 422, answer.get_data(as_text=True)
    assert [error["pointer"] for error in answer.json["errors"]] == ["/answers/anschrift/city"]


def test_an_idempotency_key_reused_for_another_request_is_refused(client, citizen) -> None:
    key = {"Idempotency-Key": "antrag-2026-11-28-1"} | citizen
    first = client.post(FUND, json={"answers": fund_answers()}, headers=key)
    assert first.status_code == 201
    repeated = client.post(FUND, json={"answers": fund_answers()}, headers=key)
    assert (repeated.status_code, repeated.json["reference"]) == (200, first.json["reference"])
    changed = fund_answers() | {"verlustort": "Marktplatz"}
    other_body = client.post(FUND, json={"answers": changed}, headers=key)
    assert other_body.status_code == 409
    assert other_body.mimetype == "application/problem+json"
    assert "für eine andere Anfrage verwendet" in other_body.json["detail"]
    other_form = client.post(
        "/api/v1/tenants/musterstadt/forms/hundesteuer-anmeldung/submissions",
        json={"answers": dog_tax_answers(dog("Rex"))},
        headers=key,
    )
    assert other_form.status_code == 409


def test_html_and_api_submissions_share_one_allowance(make_app, settings, musterstadt) -> None:
    app = make_app(settings=replace(settings, submit_rate_limit="2/minute"))
    client = app.test_client()
    dev_login(client, "erika")
    summary_url = _fill_fundsache(client)
    summary = client.get(summary_url)
    html = client.post(summary_url, data={"csrf_token": csrf_token(summary), "declaration": "yes"})
    assert html.status_code == 302
    token = bearer(app, "--role", "citizen")
    api = client.post(FUND, json={"answers": fund_answers()}, headers=token)
    assert api.status_code == 201
    refused = client.post(FUND, json={"answers": fund_answers()}, headers=token)
    assert refused.status_code == 429


def test_without_redis_login_and_both_submissions_still_work(
    make_app, settings, musterstadt
) -> None:
    app = make_app(settings=replace(settings, redis_url=REFUSED_DOOR))
    client = app.test_client()
    logged_in = dev_login(client, "erika")
    assert logged_in.status_code == 302
    summary_url = _fill_fundsache(client)
    summary = client.get(summary_url)
    html = client.post(summary_url, data={"csrf_token": csrf_token(summary), "declaration": "yes"})
    assert html.status_code == 302, html.get_data(as_text=True)
    confirmation = client.get(local(html.headers["Location"]))
    assert "Ihr Antrag ist eingegangen" in confirmation.get_data(as_text=True)
    token = bearer(app, "--role", "citizen")
    api = client.post(FUND, json={"answers": fund_answers()}, headers=token)
    assert api.status_code == 201, api.get_data(as_text=True)  # saved; the receipt job waits
    with tenant_scope(musterstadt.id):
        assert db.session.scalar(select(func.count()).select_from(Submission)) == 2


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"contact_address": "Rathausplatz 1\n" + "x" * 10_000}, "länger als 500 Zeichen"),
        ({"contact_phone": "0" * 10_000}, "länger als 40 Zeichen"),
        ({"contact_phone": "0221\u202e 12345"}, "enthält Steuerzeichen"),
        ({"contact_email": "rat\x00@musterstadt.example"}, "ist keine E-Mail-Adresse"),
        ({"contact_email": "Rathaus Musterstadt"}, "ist keine E-Mail-Adresse"),
        ({"contact_email": "a@b.example, c@d.example"}, "ist keine E-Mail-Adresse"),
        ({"imprint_url": "https://m.example/" + "i" * 10_000}, "länger als 500 Zeichen"),
    ],
)
def test_branding_values_are_checked_where_they_are_entered(
    app, client, musterstadt, change, words
) -> None:
    tenant_admin = bearer(app, "--role", "tenant_admin", "--tenant", "musterstadt")
    refused = client.patch(
        "/api/v1/tenants/musterstadt/branding", json=change, headers=tenant_admin
    )
    assert refused.status_code == 422, refused.get_data(as_text=True)
    assert words in refused.json["detail"]


def test_a_line_break_in_next_goes_home(client, musterstadt) -> None:
    switched = client.get("/lang/en?next=/%0d%0aX:1")
    assert switched.status_code == 302
    assert local(switched.headers["Location"]) == "/"
    assert "X" not in switched.headers
    logged_in = dev_login(client, "erika", next_url="/\nX")
    assert logged_in.status_code == 302
    assert local(logged_in.headers["Location"]) == "/"
    assert "amtsweg_login=" in logged_in.headers.get("Set-Cookie", "")
