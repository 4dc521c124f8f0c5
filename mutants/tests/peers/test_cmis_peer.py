"""The CMIS peer speaks the browser binding: Apache Chemistry cmislib, an independent
client, stores and finds documents in it; plain HTTP pins the error answers."""

from __future__ import annotations

import io
from typing import Any

import pytest
import requests
from cmislib.browser.binding import BrowserBinding
from cmislib.model import CmisClient

from tests.peers.cmis import (  # noqa: F401
    CmisRepository,
    cmis_repository,
    running_cmis_repository,
)


@pytest.fixture
def repo(cmis_repository: CmisRepository) -> Any:  # noqa: F811
    client = CmisClient(
        cmis_repository.url,
        cmis_repository.username,
        cmis_repository.password,
        binding=BrowserBinding(),
    )
    return client.getDefaultRepository()


def _auth(repository: CmisRepository) -> tuple[str, str]:
    return (repository.username, repository.password)


def test_cmislib_reads_the_repository_info(repo, cmis_repository: CmisRepository) -> None:  # noqa: F811
    info = repo.getRepositoryInfo()

    assert info["repositoryId"] == "amtsweg-test"
    assert info["cmisVersionSupported"] == "1.1"
    assert repo.getRootFolder().getObjectId() == cmis_repository.root_id


def test_cmislib_files_a_document_and_finds_it_again(
    repo,
    cmis_repository: CmisRepository,  # noqa: F811
) -> None:
    folder = repo.getRootFolder().createFolder("Antraege-2026")
    document = folder.createDocument(
        "antrag-123.pdf",
        properties={"amtsweg:aktenzeichen": "AZ-123", "cmis:description": "Hundesteuer"},
        contentFile=io.BytesIO(b"%PDF-1.7 contents"),
        contentType="application/pdf",
    )

    found = repo.query("SELECT * FROM cmis:document WHERE amtsweg:aktenzeichen = 'AZ-123'")
    assert [hit.getObjectId() for hit in found] == [document.getObjectId()]
    by_path = repo.getObjectByPath("/Antraege-2026/antrag-123.pdf")
    assert by_path.getProperties()["amtsweg:aktenzeichen"] == "AZ-123"
    assert by_path.getContentStream().read() == b"%PDF-1.7 contents"
    assert [child.getName() for child in folder.getChildren()] == ["antrag-123.pdf"]
    stored = cmis_repository.object_by_path("/Antraege-2026/antrag-123.pdf")
    assert stored is not None
    assert stored.content == b"%PDF-1.7 contents"
    assert stored.properties["cmis:contentStreamMimeType"] == "application/pdf"
    assert stored.properties["cmis:description"] == "Hundesteuer"


def test_cmislib_queries_folders(repo) -> None:
    repo.getRootFolder().createFolder("Eingang")

    found = repo.query("SELECT * FROM cmis:folder WHERE cmis:name = 'Eingang'")

    assert [hit.getName() for hit in found] == ["Eingang"]
    assert repo.query("SELECT * FROM cmis:document WHERE cmis:name = 'Eingang'").getResults() == []


def test_a_second_object_of_the_same_name_is_a_name_constraint_violation(
    cmis_repository: CmisRepository,  # noqa: F811
) -> None:
    form = {
        "cmisaction": "createDocument",
        "propertyId[0]": "cmis:name",
        "propertyValue[0]": "a.txt",
        "propertyId[1]": "cmis:objectTypeId",
        "propertyValue[1]": "cmis:document",
    }
    files = {"content": ("a.txt", b"one", "text/plain")}
    url = cmis_repository.root_folder_url
    first = requests.post(url, data=form, files=files, auth=_auth(cmis_repository), timeout=5)
    again = requests.post(url, data=form, files=files, auth=_auth(cmis_repository), timeout=5)

    assert first.status_code == 201
    assert first.headers["Location"].endswith(first.json()["properties"]["cmis:objectId"]["value"])
    assert again.status_code == 409
    assert again.json()["exception"] == "nameConstraintViolation"
    assert len(cmis_repository.documents()) == 1


def test_alfresco_style_answers_content_already_exists() -> None:
    with running_cmis_repository(duplicate_name_exception="contentAlreadyExists") as repository:
        form = {"cmisaction": "createFolder", "propertyId[0]": "cmis:name"}
        form["propertyValue[0]"] = "x"
        auth = _auth(repository)
        requests.post(repository.root_folder_url, data=form, auth=auth, timeout=5)
        again = requests.post(repository.root_folder_url, data=form, auth=auth, timeout=5)

    assert (again.status_code, again.json()["exception"]) == (409, "contentAlreadyExists")


def test_unknown_object_and_bad_query_are_cmis_exceptions(
    cmis_repository: CmisRepository,  # noqa: F811
) -> None:
    auth = _auth(cmis_repository)
    missing = requests.get(
        cmis_repository.root_folder_url,
        params={"objectId": "nope", "cmisselector": "object"},
        auth=auth,
        timeout=5,
    )
    bad_query = requests.get(
        cmis_repository.repository_url,
        params={"cmisselector": "query", "q": "DELETE FROM cmis:document"},
        auth=auth,
        timeout=5,
    )
    no_name = requests.post(
        cmis_repository.root_folder_url, data={"cmisaction": "createFolder"}, auth=auth, timeout=5
    )

    assert (missing.status_code, missing.json()["exception"]) == (404, "objectNotFound")
    assert (bad_query.status_code, bad_query.json()["exception"]) == (400, "invalidArgument")
    assert (no_name.status_code, no_name.json()["exception"]) == (400, "invalidArgument")


def test_wrong_password_is_401_and_the_reader_may_not_write(
    cmis_repository: CmisRepository,  # noqa: F811
) -> None:
    wrong = requests.get(cmis_repository.url, auth=("amtsweg", "wrong"), timeout=5)
    denied = requests.post(
        cmis_repository.root_folder_url,
        data={"cmisaction": "createFolder", "propertyId[0]": "cmis:name", "propertyValue[0]": "x"},
        auth=cmis_repository.reader,
        timeout=5,
    )

    assert wrong.status_code == 401
    assert wrong.headers["WWW-Authenticate"].startswith("Basic")
    assert (denied.status_code, denied.json()["exception"]) == (403, "permissionDenied")
    assert cmis_repository.object_by_path("/x") is None


def test_failing_requests_change_nothing_then_the_repository_recovers(
    cmis_repository: CmisRepository,  # noqa: F811
) -> None:
    cmis_repository.fail_next(2, status=503)
    form = {"cmisaction": "createFolder", "propertyId[0]": "cmis:name", "propertyValue[0]": "x"}
    auth = _auth(cmis_repository)

    answers = [
        requests.post(cmis_repository.root_folder_url, data=form, auth=auth, timeout=5)
        for _ in range(3)
    ]

    assert [answer.status_code for answer in answers] == [503, 503, 201]
    assert answers[0].json()["exception"] == "runtime"


def test_a_dropped_connection_after_acceptance_leaves_the_document_stored(
    cmis_repository: CmisRepository,  # noqa: F811
) -> None:
    cmis_repository.drop_after_accepting(1)
    form = {"cmisaction": "createDocument", "propertyId[0]": "cmis:name"}
    form["propertyValue[0]"] = "antrag.pdf"

    with pytest.raises(requests.ConnectionError):
        requests.post(
            cmis_repository.root_folder_url,
            data=form,
            files={"content": ("antrag.pdf", b"%PDF", "application/pdf")},
            auth=_auth(cmis_repository),
            timeout=5,
        )

    assert [doc.name for doc in cmis_repository.documents()] == ["antrag.pdf"]


def test_multi_valued_properties_any_in_folder_and_succinct_answers(
    cmis_repository: CmisRepository,  # noqa: F811
) -> None:
    auth = _auth(cmis_repository)
    folder = requests.post(
        cmis_repository.root_folder_url,
        data={
            "cmisaction": "createFolder",
            "propertyId[0]": "cmis:name",
            "propertyValue[0]": "Eingang",
            "succinct": "true",
        },
        auth=auth,
        timeout=5,
    ).json()["succinctProperties"]
    requests.post(
        cmis_repository.root_folder_url,
        data={
            "cmisaction": "createDocument",
            "objectId": folder["cmis:objectId"],
            "propertyId[0]": "cmis:name",
            "propertyValue[0]": "O'Brien.pdf",
            "propertyId[1]": "amtsweg:stichworte",
            "propertyValue[1][0]": "Hund",
            "propertyValue[1][1]": "Steuer",
        },
        files={"content": ("O'Brien.pdf", b"%PDF", "application/pdf")},
        auth=auth,
        timeout=5,
    )

    def query(statement: str) -> list[dict[str, Any]]:
        answer = requests.get(
            cmis_repository.repository_url,
            params={"cmisselector": "query", "q": statement, "succinct": "true"},
            auth=auth,
            timeout=5,
        )
        return [hit["succinctProperties"] for hit in answer.json()["results"]]

    in_folder = query(f"SELECT * FROM cmis:document WHERE IN_FOLDER('{folder['cmis:objectId']}')")
    tagged = query("SELECT * FROM cmis:document WHERE 'Steuer' = ANY amtsweg:stichworte")
    quoted = query("SELECT * FROM cmis:document WHERE cmis:name = 'O''Brien.pdf'")
    untagged = query("SELECT * FROM cmis:document WHERE 'Katze' = ANY amtsweg:stichworte")

    assert [hit["cmis:name"] for hit in in_folder] == ["O'Brien.pdf"]
    assert tagged[0]["amtsweg:stichworte"] == ["Hund", "Steuer"]
    assert len(quoted) == 1
    assert untagged == []
