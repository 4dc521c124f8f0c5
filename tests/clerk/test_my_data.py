"""A citizen downloads what a municipality holds about them (Art. 15 and 20 GDPR) from
"My applications": their own drafts and submissions there, nobody else's, no other
municipality's."""

from __future__ import annotations

import json

import pytest

from tests.platform.test_bearer_tokens import dev_token
from tests.submissions.test_api import FUND
from tests.submissions.test_journey import _apply
from tests.submissions.test_service import FUND_ANSWERS

MY_DATA = "/t/musterstadt/applications/my-data.json"


def _submitted_by(client, token: str, url: str = FUND) -> str:
    answer = client.post(
        url, json={"answers": FUND_ANSWERS}, headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 201, answer.json
    return answer.json["reference"]


@pytest.mark.sqlite
def test_erika_downloads_her_data_and_only_hers(app, client, log_in, beispieldorf, submit) -> None:
    hers = submit(beschreibung="Blauer Rucksack")
    max_token = dev_token(app, "--role", "citizen", "--persona", "max")
    his = _submitted_by(client, max_token)
    elsewhere = _submitted_by(
        client,
        dev_token(app, "--role", "citizen"),
        FUND.replace("/musterstadt/", "/beispieldorf/"),
    )
    log_in("erika")
    _apply(client, "hundesteuer-anmeldung")  # a draft, never submitted

    answer = client.get(MY_DATA)

    assert answer.status_code == 200
    assert answer.mimetype == "application/json"
    assert answer.headers["Content-Disposition"] == (
        'attachment; filename="amtsweg-musterstadt-my-data.json"'
    )
    assert "no-store" in answer.headers["Cache-Control"]
    held = json.loads(answer.data)
    assert held["person"]["subject"] == "erika"
    assert held["tenant"] == {"slug": "musterstadt", "name": "Gemeinde Musterstadt"}
    assert [s["reference"] for s in held["submissions"]] == [hers]
    assert held["submissions"][0]["answers"]["beschreibung"] == "Blauer Rucksack"
    assert held["submissions"][0]["processing"] == []
    assert [draft["form"] for draft in held["drafts"]] == ["hundesteuer-anmeldung"]
    assert his not in answer.get_data(as_text=True)
    assert elsewhere not in answer.get_data(as_text=True)


def test_my_applications_offers_the_download_and_says_whom_to_ask(
    client, log_in, musterstadt
) -> None:
    log_in("erika")
    page = client.get("/t/musterstadt/applications/", headers={"Accept-Language": "de"})

    text = page.get_data(as_text=True)
    assert f'<a class="kern-link" href="{MY_DATA}" download>' in text
    assert "Meine Daten herunterladen (JSON-Datei)" in text
    assert "wenden Sie sich bitte an Gemeinde Musterstadt" in text


def test_nobody_gets_data_without_logging_in(client, musterstadt) -> None:
    answer = client.get(MY_DATA)
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/login?next=")
