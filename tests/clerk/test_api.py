"""The API for specialist software that fetches submissions instead of receiving them."""

from __future__ import annotations

import base64
import csv
import io
import zipfile

import pytest

from amtsweg.submissions import clerk
from amtsweg.tenants import service as tenants
from tests.clerk.test_processing import PDF, erika_browsing
from tests.isolation import assert_other_tenant_gets_404
from tests.platform.test_bearer_tokens import dev_token

API = "/api/v1/tenants/musterstadt"


def test_specialist_software_fetches_new_submissions_page_by_page_and_acknowledges(
    client, submit, specialist_software, monkeypatch
) -> None:
    monkeypatch.setattr(clerk, "PAGE_SIZE", 2)
    references = [submit() for _ in range(3)]
    fetched, query = [], {"acknowledged": "false", "order": "oldest"}
    while True:
        page = client.get(f"{API}/submissions", query_string=query, headers=specialist_software)
        assert page.status_code == 200, page.json
        fetched += [item["reference"] for item in page.json["items"]]
        if page.json["next_cursor"] is None:
            break
        query["cursor"] = page.json["next_cursor"]
    assert fetched == references
    first_time = {}
    for reference in references[:2]:
        done = client.post(
            f"{API}/submissions/{reference}/acknowledge", headers=specialist_software
        )
        assert done.status_code == 200
        first_time[reference] = done.json["acknowledged_at"]
    again = client.post(
        f"{API}/submissions/{references[0]}/acknowledge", headers=specialist_software
    )
    assert again.status_code == 200
    assert again.json["acknowledged_at"] == first_time[references[0]]
    left = client.get(
        f"{API}/submissions", query_string={"acknowledged": "false"}, headers=specialist_software
    )
    assert [item["reference"] for item in left.json["items"]] == [references[2]]
    audit = [
        entry.action
        for entry in tenants.audit_entries(tenants.find_tenant("musterstadt"), 0, 100)[0]
    ]
    assert audit.count("submission.acknowledged") == 2


def test_since_returns_only_later_submissions(client, submit, specialist_software) -> None:
    first = submit()
    page = client.get(f"{API}/submissions", headers=specialist_software).json
    moment = next(item["submitted_at"] for item in page["items"] if item["reference"] == first)
    second = submit()
    later = client.get(
        f"{API}/submissions", query_string={"since": moment}, headers=specialist_software
    ).json
    assert [item["reference"] for item in later["items"]] == [second]


def test_one_address_serves_the_citizen_and_the_clerk(
    client, submit, citizen_token, specialist_software
) -> None:
    reference = submit()
    as_citizen = client.get(f"{API}/submissions/{reference}", headers=citizen_token)
    assert as_citizen.status_code == 200
    assert "document" not in as_citizen.json
    as_clerk = client.get(f"{API}/submissions/{reference}", headers=specialist_software)
    assert as_clerk.status_code == 200
    assert as_clerk.json["document"]["reference"] == reference
    assert as_clerk.json["document"]["answers"]["verlustort"] == "Bushaltestelle Rathaus"
    assert as_clerk.json["processing_status"] == "received"


def test_another_citizen_still_gets_404(app, client, submit) -> None:
    reference = submit()
    max_token = {
        "Authorization": f"Bearer {dev_token(app, '--role', 'citizen', '--persona', 'max')}"
    }
    assert client.get(f"{API}/submissions/{reference}", headers=max_token).status_code == 404


def test_zip_and_csv_through_the_api(client, submit, specialist_software) -> None:
    reference = submit()
    archive = client.get(f"{API}/submissions/{reference}.zip", headers=specialist_software)
    assert archive.status_code == 200
    assert "submission.json" in zipfile.ZipFile(io.BytesIO(archive.data)).namelist()
    table = client.get(
        f"{API}/forms/fundsache-verlustmeldung/submissions.csv", headers=specialist_software
    )
    assert table.status_code == 200
    rows = list(csv.DictReader(io.StringIO(table.data.decode())))
    assert [row["reference"] for row in rows] == [reference]
    assert rows[0]["beschreibung"].startswith("Schwarzer Regenschirm")


def test_the_api_sets_the_processing_status(client, submit, specialist_software) -> None:
    reference = submit()
    refused = client.post(
        f"{API}/submissions/{reference}/processing",
        json={"status": "more_information_needed"},
        headers=specialist_software,
    )
    assert refused.status_code == 422
    assert refused.json["errors"][0]["pointer"] == "/message"
    with_nul = client.post(
        f"{API}/submissions/{reference}/processing",
        json={"status": "in_progress", "message": "Wir\u0000 prüfen."},
        headers=specialist_software,
    )
    assert with_nul.status_code == 422
    assert with_nul.content_type == "application/problem+json"
    assert "(NUL)" in with_nul.json["errors"][0]["detail"]
    done = client.post(
        f"{API}/submissions/{reference}/processing",
        json={"status": "in_progress", "message": "Wir prüfen."},
        headers=specialist_software,
    )
    assert done.status_code == 201, done.json
    detail = client.get(f"{API}/submissions/{reference}", headers=specialist_software).json
    assert detail["processing_status"] == "in_progress"
    assert [entry["message"] for entry in detail["history"]] == ["Wir prüfen."]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/submissions"),
        ("GET", "/submissions/{reference}"),
        ("GET", "/submissions/{reference}.zip"),
        ("GET", "/forms/fundsache-verlustmeldung/submissions.csv"),
        ("POST", "/submissions/{reference}/acknowledge"),
        ("POST", "/submissions/{reference}/processing"),
    ],
)
def test_every_clerk_endpoint_is_401_without_a_token_and_404_elsewhere(  # noqa: PLR0917
    app, client, submit, clerk_token, beispieldorf, method, path
) -> None:
    reference = submit()
    url = API + path.format(reference=reference)
    body = (
        {"json": {"status": "in_progress", "message": "x"}} if path.endswith("processing") else {}
    )
    assert client.open(url, method=method, **body).status_code == 401
    assert_other_tenant_gets_404(
        client,
        url,
        owner=tenants.find_tenant("musterstadt"),
        other=beispieldorf,
        method=method,
        headers=clerk_token,
        **body,
    )
    other_clerk = {
        "Authorization": f"Bearer {dev_token(app, '--role', 'clerk', '--tenant', 'beispieldorf')}"
    }
    assert client.open(url, method=method, headers=other_clerk, **body).status_code == 404


def test_specialist_software_sends_the_notice_and_learns_when_it_was_retrieved(  # noqa: PLR0917
    app, client, submit, specialist_software, log_in, beispieldorf, clerk_token
) -> None:
    reference = submit()
    processing = f"{API}/submissions/{reference}/processing"

    def sent(content: bytes | str, filename: str = "Bescheid.pdf"):
        text = content if isinstance(content, str) else base64.b64encode(content).decode()
        document = {"filename": filename, "content": text}
        body = {"status": "approved", "message": "Genehmigt.", "document": document}
        return client.post(processing, json=body, headers=specialist_software)

    not_base64 = sent("JVBERi0x*")
    assert not_base64.status_code == 422
    assert [error["pointer"] for error in not_base64.json["errors"]] == ["/document/content"]
    not_a_pdf = sent(b"MZ\x90\x00 not a pdf")
    assert not_a_pdf.status_code == 422
    assert [error["pointer"] for error in not_a_pdf.json["errors"]] == ["/document"]
    detail = f"{API}/submissions/{reference}"
    assert client.get(detail, headers=specialist_software).json["history"] == []

    approved = sent(PDF)
    assert approved.status_code == 201, approved.json
    [attachment] = approved.json["attachments"]
    assert {key: attachment[key] for key in ("name", "mime", "size", "retrieved_at")} == {
        "name": "Bescheid.pdf",
        "mime": "application/pdf",
        "size": len(PDF),
        "retrieved_at": None,
    }
    assert client.get(attachment["href"], headers=specialist_software).data == PDF
    assert client.get(attachment["href"]).status_code == 401
    musterstadt = tenants.find_tenant("musterstadt")
    assert_other_tenant_gets_404(
        client, attachment["href"], owner=musterstadt, other=beispieldorf, headers=clerk_token
    )

    with erika_browsing(app) as erika:
        page = erika.get(f"/t/musterstadt/submissions/{reference}").get_data(as_text=True)
        [link] = [part.split('"')[0] for part in page.split('href="')[1:] if "/history/" in part]
        assert erika.get(link).data == PDF
        [first] = client.get(detail, headers=specialist_software).json["history"]
        retrieved = first["attachments"][0]["retrieved_at"]
        assert retrieved is not None
        assert erika.get(link).data == PDF  # again: the first retrieval is what counts
    [entry] = client.get(detail, headers=specialist_software).json["history"]
    assert entry["attachments"][0]["retrieved_at"] == retrieved
    audit = [entry.action for entry in tenants.audit_entries(musterstadt, 0, 100)[0]]
    assert audit.count("submission.document_retrieved") == 1
    log_in("clerk-musterstadt")
    clerk_page = client.get(f"/t/musterstadt/clerk/submissions/{reference}")
    assert "Bescheid.pdf</a> (von der antragstellenden Person abgerufen am" in clerk_page.get_data(
        as_text=True
    )
