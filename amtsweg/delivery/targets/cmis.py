"""``cmis``: a DMS (d.velop d.3, Alfresco, …) over the CMIS 1.1 browser binding.

Each submission becomes a folder named by its reference under the configured
``folder``, holding the PDF, ``submission.json`` and the uploads as documents.
With ``folder_per_form_and_year`` the documents go instead into
``<folder>/<form>/<year>/`` (the year of submission, German time), named
``<reference>.pdf``, ``<reference>-submission.json`` and
``<reference>-01-<upload>``. Every document carries the properties
``amtsweg:reference``, ``amtsweg:form``, ``amtsweg:submittedAt``,
``amtsweg:kassenzeichen``, ``amtsweg:applicant`` and ``amtsweg:deliveryId``
(map them to the DMS's own document type there).

Exactly one copy: before creating anything the target looks the submission's
folder up by reference and lists what it holds (per form and year: looks
each document up by its path, whose name begins with the reference), and
creates only the documents that are missing. A crash after the DMS accepted
a document, or an answer lost on the way back, therefore never makes a second
one; a name conflict on create (another try got there first) is read as
"already there".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, ClassVar
from urllib.parse import quote

import requests
from flask_babel import lazy_gettext as _l

from amtsweg.delivery.interfaces import ConfigField, File, Parcel
from amtsweg.delivery.targets.fields import check_fields
from amtsweg.platform.errors import FieldProblem
from amtsweg.platform.outbox import SendError
from amtsweg.submissions.service import AUTHORITY_ZONE

TIMEOUT = 60
NOT_FOUND = 404
CONFLICT = 409
PERMANENT = {400, 401, 403, 404, 405, 409}


@dataclass(frozen=True, slots=True)
class CmisTarget:
    kind: ClassVar[str] = "cmis"
    label: ClassVar[str] = _l("Document management system (CMIS)")
    config_fields: ClassVar[tuple[ConfigField, ...]] = (
        ConfigField("url", _l("Repository address (browser binding)"), "url"),
        ConfigField("folder", _l("Folder for submissions"), "text", required=False, default="/"),
        ConfigField("username", _l("User name")),
        ConfigField("password", _l("Password"), "secret"),
        ConfigField(
            "document_type", _l("Document type"), "text", required=False, default="cmis:document"
        ),
        ConfigField(
            "folder_per_form_and_year",
            _l("One folder per form and year (instead of one per submission)"),
            "flag",
            required=False,
            default=False,
        ),
    )

    url: str
    folder: str
    username: str
    password: str
    document_type: str = "cmis:document"
    folder_per_form_and_year: bool = False

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> CmisTarget:
        return cls(
            url=config["url"].rstrip("/"),
            folder="/" + str(config.get("folder") or "/").strip("/"),
            username=config["username"],
            password=config["password"],
            document_type=config.get("document_type") or "cmis:document",
            folder_per_form_and_year=bool(config.get("folder_per_form_and_year")),
        )

    @classmethod
    def check_config(cls, config: Mapping[str, Any]) -> list[FieldProblem]:
        return check_fields(cls.config_fields, config)

    def deliver(self, parcel: Parcel) -> None:
        with requests.Session() as http:
            http.auth = (self.username, self.password)
            if self.folder_per_form_and_year:
                self._deliver_into_form_folder(http, parcel)
                return
            folder_path = self._folder(http, self.folder, parcel.reference, _properties(parcel))
            present = self._names_in(http, folder_path)
            for file in parcel.files:
                if file.name not in present:
                    self._create_document(http, folder_path, file, parcel)

    def _deliver_into_form_folder(self, http: requests.Session, parcel: Parcel) -> None:
        """Into ``<folder>/<form>/<year>/``, each document looked up by its path first:
        listing a folder that gathers a year's submissions would grow with every one."""
        year = str(parcel.submitted_at.astimezone(AUTHORITY_ZONE).year)
        form_path = self._folder(http, self.folder, parcel.form_slug)
        year_path = self._folder(http, form_path, year)
        for file in parcel.files:
            named = (
                file
                if file.name.startswith(parcel.reference)
                else replace(file, name=f"{parcel.reference}-{file.name}")
            )
            if not self._exists(http, f"{year_path}/{named.name}"):
                self._create_document(http, year_path, named, parcel)

    # --- steps

    def _folder(
        self,
        http: requests.Session,
        parent: str,
        name: str,
        properties: Mapping[str, str] | None = None,
    ) -> str:
        """The path of the folder ``name`` in ``parent``, created if it is not there."""
        path = f"{parent.rstrip('/')}/{name}"
        if self._exists(http, path):
            return path
        created = {"cmis:name": name, "cmis:objectTypeId": "cmis:folder", **(properties or {})}
        self._call(http, "POST", parent, CONFLICT, data=_form("createFolder", created))
        return path

    def _exists(self, http: requests.Session, path: str) -> bool:
        return (
            self._call(http, "GET", path, NOT_FOUND, params={"cmisselector": "object"}) is not None
        )

    def _names_in(self, http: requests.Session, path: str) -> set[str]:
        listing = self._call(
            http, "GET", path, None, params={"cmisselector": "children", "succinct": "true"}
        )
        objects = (listing or {}).get("objects", [])
        return {entry["object"]["succinctProperties"]["cmis:name"] for entry in objects}

    def _create_document(
        self, http: requests.Session, path: str, file: File, parcel: Parcel
    ) -> None:
        properties = {
            "cmis:name": file.name,
            "cmis:objectTypeId": self.document_type,
            **_properties(parcel),
        }
        self._call(
            http,
            "POST",
            path,
            CONFLICT,
            data=_form("createDocument", properties),
            files={"content": (file.name, file.content, file.mime)},
        )

    # --- the wire

    def _call(
        self, http: requests.Session, method: str, path: str, expected: int | None, **options: Any
    ) -> dict[str, Any] | None:
        """The answer's JSON, or ``None`` for the ``expected`` error status
        (404 "not there" when looking up, 409 "already there" when creating)."""
        url = f"{self.url}/root{quote(path)}"
        try:
            answer = http.request(method, url, timeout=TIMEOUT, **options)
        except requests.RequestException as error:
            raise SendError(f"The DMS at {self.url} did not answer: {error}") from error
        if answer.status_code == expected:
            return None
        if answer.status_code >= 300:
            raise SendError(
                f"The DMS answered {answer.status_code} to {method} {path}: {_exception(answer)}",
                permanent=answer.status_code in PERMANENT,
            )
        return answer.json()


def _properties(parcel: Parcel) -> dict[str, str]:
    return {
        "amtsweg:reference": parcel.reference,
        "amtsweg:form": parcel.form_slug,
        "amtsweg:submittedAt": parcel.submitted_at.isoformat(),
        "amtsweg:kassenzeichen": parcel.kassenzeichen or "",
        "amtsweg:applicant": parcel.applicant,
        "amtsweg:deliveryId": str(parcel.delivery_id),
    }


def _form(action: str, properties: Mapping[str, str]) -> dict[str, str]:
    """Browser binding form fields: ``cmisaction`` and ``propertyId[n]``/``propertyValue[n]``."""
    fields = {"cmisaction": action, "succinct": "true"}
    for index, (name, value) in enumerate(properties.items()):
        fields[f"propertyId[{index}]"] = name
        fields[f"propertyValue[{index}]"] = value
    return fields


def _exception(answer: requests.Response) -> str:
    try:
        body = answer.json()
    except ValueError:
        return answer.text[:200]
    return f"{body.get('exception', '')}: {body.get('message', '')}"[:300]
