"""A citizen downloads what a municipality holds about them (Art. 15 and 20 GDPR) from
"My applications": their own drafts and submissions there with every file kept for them,
nobody else's, no other municipality's."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from pypdf import PdfReader

from amtsweg.cli import main
from tests.clerk.test_processing import PDF, erika_browsing, post_status
from tests.clerk.test_retention import _parking_permit_with_a_scan
from tests.downloads import saved_name
from tests.login import local
from tests.platform.test_bearer_tokens import dev_token
from tests.submissions.test_api import FUND
from tests.submissions.test_journey import _apply, _pdf, _post_step
from tests.submissions.test_service import FUND_ANSWERS

MY_DATA = "/t/musterstadt/applications/my-data.zip"


def _submitted_by(client, token: str, url: str = FUND) -> str:
    answer = client.post(
        url, json={"answers": FUND_ANSWERS}, headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 201, answer.json
    return answer.json["reference"]


def _opened(answer) -> zipfile.ZipFile:
    assert answer.status_code == 200
    assert answer.mimetype == "application/zip"
    return zipfile.ZipFile(io.BytesIO(answer.data))


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

    archive = _opened(answer)
    assert saved_name(answer) == "amtsweg-musterstadt-my-data.zip"
    assert "no-store" in answer.headers["Cache-Control"]
    assert archive.namelist() == ["my-data.json", f"{hers}/{hers}.pdf"]
    held = json.loads(archive.read("my-data.json"))
    assert held["person"]["subject"] == "erika"
    assert held["tenant"] == {"slug": "musterstadt", "name": "Gemeinde Musterstadt"}
    assert [s["reference"] for s in held["submissions"]] == [hers]
    assert held["submissions"][0]["answers"]["beschreibung"] == "Blauer Rucksack"
    assert held["submissions"][0]["processing"] == []
    assert [draft["form"] for draft in held["drafts"]] == ["hundesteuer-anmeldung"]
    receipt = PdfReader(io.BytesIO(archive.read(f"{hers}/{hers}.pdf"))).pages[0].extract_text()
    assert hers in receipt
    for other in (his, elsewhere):
        assert all(other.encode() not in archive.read(name) for name in archive.namelist())


def test_the_files_kept_for_her_come_with_it(app, client, log_in, submit, tmp_path) -> None:
    hers = submit()
    log_in("clerk-musterstadt")
    document = (io.BytesIO(PDF), "Bescheid für Łukasz.pdf")
    assert post_status(client, hers, status="approved", document=document).status_code == 302
    scan = _pdf("Zulassungsbescheinigung Teil I")
    with erika_browsing(app) as erika:
        permit = _parking_permit_with_a_scan(erika)
        person = _apply(erika, "bewohnerparkausweis")
        vehicle = erika.get(local(_post_step(erika, person, {"zone": "a"}).headers["Location"]))
        _post_step(erika, vehicle, {"zulassung": (io.BytesIO(scan), "zulassung.pdf")})

        archive = _opened(erika.get(MY_DATA))

    assert archive.namelist() == [
        "my-data.json",
        f"{hers}/{hers}.pdf",
        f"{hers}/processing/Bescheid für Łukasz.pdf",
        f"{permit}/{permit}.pdf",
        f"{permit}/uploads/Zulassung.pdf",
        "drafts/bewohnerparkausweis/zulassung.pdf",
    ]
    assert archive.read(f"{hers}/processing/Bescheid für Łukasz.pdf") == PDF
    assert archive.read("drafts/bewohnerparkausweis/zulassung.pdf") == scan
    upload = PdfReader(io.BytesIO(archive.read(f"{permit}/uploads/Zulassung.pdf")))
    assert upload.pages[0].extract_text().strip() == "Zulassung"
    held = json.loads(archive.read("my-data.json"))
    assert held["submissions"][0]["processing"][0]["files"] == ["Bescheid für Łukasz.pdf"]

    exported = app.test_cli_runner().invoke(
        main, ["gdpr", "export", "--person", "erika", "--zip-to", str(tmp_path)]
    )
    assert exported.exit_code == 0, exported.output
    written = zipfile.ZipFile(tmp_path / "amtsweg-musterstadt-my-data.zip")
    assert written.namelist() == archive.namelist()
    assert written.read("drafts/bewohnerparkausweis/zulassung.pdf") == scan


def test_my_applications_offers_the_download_and_says_whom_to_ask(
    client, log_in, musterstadt
) -> None:
    log_in("erika")
    page = client.get("/t/musterstadt/applications/", headers={"Accept-Language": "de"})

    text = page.get_data(as_text=True)
    assert f'<a class="kern-link" href="{MY_DATA}" download>' in text
    assert "Meine Daten herunterladen (ZIP-Datei)" in text
    assert "wenden Sie sich bitte an Gemeinde Musterstadt" in text


def test_nobody_gets_data_without_logging_in(client, musterstadt) -> None:
    answer = client.get(MY_DATA)
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/login?next=")
