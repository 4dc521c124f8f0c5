"""A CMIS 1.1 repository speaking the Browser Binding, for testing delivery to a DMS.

Follows OASIS "Content Management Interoperability Services (CMIS) Version 1.1"
(Errata 01, 2015), part II section 5 "Browser Binding": service document
(5.3.1), URL patterns ``{service}/{repositoryId}`` and ``{service}/{repositoryId}/root[/path]``
with ``objectId`` / ``cmisselector`` / ``cmisaction`` (5.3, 5.4), the JSON
object representation with ``properties`` or ``succinctProperties`` (5.2.x),
exceptions as ``{"exception": ..., "message": ...}`` with the HTTP status codes
of 5.2.10 (invalidArgument 400, permissionDenied 403, objectNotFound 404,
notSupported 405, constraint / contentAlreadyExists / nameConstraintViolation
409, runtime 500), and "201 Created" plus ``Location`` for created objects.
Cross-checked against what Apache Chemistry cmislib (PyPI ``cmislib`` 0.7,
``cmislib.browser.binding``) sends and expects; ``tests/peers/test_cmis_peer.py``
drives this peer with cmislib.

Implemented: one repository; HTTP Basic authentication (wrong → 401 with a
``WWW-Authenticate`` challenge; a read-only account gets ``permissionDenied``
on writes); ``cmisselector`` repositoryInfo, object, children, parents,
content, query (GET ``q=``) and ``getObjectByPath`` (path after ``/root``);
``cmisaction`` createFolder, createDocument (multipart/form-data, the content
stream as the file part, properties as ``propertyId[n]``/``propertyValue[n]``
or ``propertyValue[n][m]`` for multi-valued ones), query (POST ``statement``
or ``q``) and delete. Any property id beyond the cmis: ones is accepted and
kept as a string (custom types and aspects are not checked against type
definitions). A second object with the same name in a folder is refused with
``nameConstraintViolation`` (OpenCMIS servers) or, with
``duplicate_name_exception="contentAlreadyExists"``, as Alfresco answers.

Query: the subset ``SELECT * FROM <type> [WHERE <cond> [AND <cond>]...]``
with ``<cond>`` one of ``<property> = '<value>'`` (single-valued properties),
``'<value>' = ANY <property>`` (multi-valued ones) or ``IN_FOLDER('<id>')``;
``cmis:document`` / ``cmis:folder`` match their subtypes too. Anything else is
``invalidArgument``.

Left out deliberately: AtomPub and Web Services bindings, versioning
(checkOut/checkIn; documents are created as a single major version), ACLs,
policies, relationships, renditions, change log, type definitions and type
mutability, paging (``maxItems``/``skipCount`` are ignored; everything fits in
one page), JSONP callbacks, the ``token`` / cookie form authentication.

The test controls and inspects it through :class:`CmisRepository`:
``fail_next(n, status)`` answers the next n requests with 500/503 and a
``runtime`` exception without touching state; ``drop_after_accepting(n)``
carries out the next n requests and then closes the connection without an
answer (the client cannot know the document was stored); ``documents()`` and
``object_by_path()`` show what was stored, bytes and properties.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import pytest
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Request, Response

from tests import servers
from tests.live_server import serving

REPOSITORY_ID = "amtsweg-test"
SERVICE_PATH = "/browser"
EXCEPTION_STATUS = {
    "invalidArgument": 400,
    "filterNotValid": 400,
    "permissionDenied": 403,
    "streamNotSupported": 403,
    "objectNotFound": 404,
    "notSupported": 405,
    "constraint": 409,
    "contentAlreadyExists": 409,
    "nameConstraintViolation": 409,
    "updateConflict": 409,
    "versioning": 409,
    "runtime": 500,
    "storage": 500,
}
# CMIS property types of the standard properties this repository fills; others are strings
PROPERTY_TYPES = {
    "cmis:objectId": "id",
    "cmis:baseTypeId": "id",
    "cmis:objectTypeId": "id",
    "cmis:parentId": "id",
    "cmis:name": "string",
    "cmis:path": "string",
    "cmis:createdBy": "string",
    "cmis:lastModifiedBy": "string",
    "cmis:creationDate": "datetime",
    "cmis:lastModificationDate": "datetime",
    "cmis:changeToken": "string",
    "cmis:contentStreamLength": "integer",
    "cmis:contentStreamMimeType": "string",
    "cmis:contentStreamFileName": "string",
    "cmis:contentStreamId": "id",
    "cmis:isLatestVersion": "boolean",
    "cmis:isMajorVersion": "boolean",
    "cmis:isLatestMajorVersion": "boolean",
    "cmis:versionLabel": "string",
    "cmis:versionSeriesId": "id",
    "cmis:isVersionSeriesCheckedOut": "boolean",
    "cmis:isImmutable": "boolean",
}
QUERY = re.compile(
    r"^\s*SELECT\s+\*\s+FROM\s+(?P<type>[\w:.-]+)(?:\s+WHERE\s+(?P<where>.+?))?\s*;?\s*$",
    re.IGNORECASE | re.DOTALL,
)
CONDITION = re.compile(
    r"^\s*(?:(?P<prop>[\w:.-]+)\s*=\s*'(?P<value>(?:[^']|'')*)'"
    r"|'(?P<any_value>(?:[^']|'')*)'\s*=\s*ANY\s+(?P<any_prop>[\w:.-]+)"
    r"|IN_FOLDER\s*\(\s*'(?P<folder>[^']*)'\s*\))\s*$",
    re.IGNORECASE,
)


class CmisError(Exception):
    """A CMIS exception; its name picks the HTTP status."""

    def __init__(self, exception: str, message: str) -> None:
        super().__init__(message)
        self.exception = exception
        self.message = message


@dataclass
class StoredObject:
    """A folder or document as the repository holds it."""

    properties: dict[str, Any]
    content: bytes | None = None

    @property
    def id(self) -> str:
        return self.properties["cmis:objectId"]

    @property
    def name(self) -> str:
        return self.properties["cmis:name"]

    @property
    def base_type(self) -> str:
        return self.properties["cmis:baseTypeId"]

    @property
    def parent_id(self) -> str | None:
        return self.properties.get("cmis:parentId") or self.properties.get("_parent")


@dataclass
class CmisRepository:
    """The repository's state, and the switches a test uses to make it misbehave."""

    username: str = "amtsweg"
    password: str = "cmis-secret"
    reader: tuple[str, str] = ("leser", "nur-lesen")
    duplicate_name_exception: str = "nameConstraintViolation"
    url: str = ""
    objects: dict[str, StoredObject] = field(default_factory=dict)
    calls: list[tuple[str, str]] = field(default_factory=list)
    _failures: list[int] = field(default_factory=list)
    _drops: int = 0
    _lock: threading.RLock = field(default_factory=threading.RLock)

    def __post_init__(self) -> None:
        now = _millis()
        self.root_id = uuid.uuid4().hex
        self.objects[self.root_id] = StoredObject(
            {
                "cmis:objectId": self.root_id,
                "cmis:baseTypeId": "cmis:folder",
                "cmis:objectTypeId": "cmis:folder",
                "cmis:name": "",
                "cmis:path": "/",
                "cmis:parentId": None,
                "cmis:createdBy": "system",
                "cmis:creationDate": now,
                "cmis:lastModificationDate": now,
            }
        )

    # --- what the test sees and controls

    @property
    def repository_url(self) -> str:
        return f"{self.url}/{REPOSITORY_ID}"

    @property
    def root_folder_url(self) -> str:
        return f"{self.repository_url}/root"

    def fail_next(self, count: int = 1, status: int = 503) -> None:
        """Answer the next ``count`` requests with ``status`` and change nothing."""
        with self._lock:
            self._failures.extend([status] * count)

    def drop_after_accepting(self, count: int = 1) -> None:
        """Carry out the next ``count`` requests, then hang up without an answer."""
        with self._lock:
            self._drops += count

    def documents(self) -> list[StoredObject]:
        with self._lock:
            return [obj for obj in self.objects.values() if obj.base_type == "cmis:document"]

    def object_by_path(self, path: str) -> StoredObject | None:
        with self._lock:
            try:
                return self._by_path(path)
            except CmisError:
                return None

    # --- WSGI

    @Request.application
    def __call__(self, request: Request) -> Response:
        with self._lock:
            self.calls.append((request.method, request.full_path))
            if self._failures:
                status = self._failures.pop(0)
                return _error("runtime", f"Service unavailable ({status})", status)
            account = self._account(request)
            if account is None:
                return Response(
                    "Unauthorized",
                    status=401,
                    headers={"WWW-Authenticate": 'Basic realm="CMIS"'},
                )
            if account == "reader" and _writes(request):
                return _error("permissionDenied", "This account may only read")
            try:
                response = self._dispatch(request)
            except CmisError as error:
                response = _error(error.exception, error.message)
            if self._drops:
                self._drops -= 1
                _hang_up(request)
            return response

    def _account(self, request: Request) -> str | None:
        """``"writer"``, ``"reader"`` (may only read and query) or ``None``."""
        auth = request.authorization
        if auth is None or auth.type != "basic":
            return None
        given = (auth.username, auth.password)
        if given == (self.username, self.password):
            return "writer"
        return "reader" if given == self.reader else None

    def _dispatch(self, request: Request) -> Response:
        path = request.path.removeprefix(SERVICE_PATH)
        if not request.path.startswith(SERVICE_PATH):
            raise CmisError("objectNotFound", f"Nothing at {request.path!r}")
        if path in ("", "/"):
            return _json(self._service_document())
        parts = path.strip("/").split("/", 2)
        if parts[0] != REPOSITORY_ID:
            raise CmisError("objectNotFound", f"Unknown repository {parts[0]!r}")
        params = request.form if request.method == "POST" else request.args
        if len(parts) == 1:
            return self._repository_call(request, params)
        if parts[1] != "root":
            raise CmisError("objectNotFound", f"Unknown resource {path!r}")
        object_path = "/" + (parts[2] if len(parts) > 2 else "")
        object_id = params.get("objectId") or request.args.get("objectId")
        target = self._get(object_id) if object_id else self._by_path(object_path)
        if request.method == "POST":
            return self._object_action(request, params, target)
        return self._object_selector(params, target)

    def _repository_call(self, request: Request, params: MultiDict[str, str]) -> Response:
        if request.method == "POST":
            action = params.get("cmisaction", "")
            if action == "query":
                return self._query(params.get("statement") or params.get("q", ""), params)
            raise CmisError("notSupported", f"cmisaction {action!r} is not supported here")
        selector = params.get("cmisselector", "repositoryInfo")
        if selector == "repositoryInfo":
            return _json(self._service_document())
        if selector == "query":
            return self._query(params.get("q") or params.get("statement", ""), params)
        raise CmisError("notSupported", f"cmisselector {selector!r} is not supported")

    def _object_selector(self, params: MultiDict[str, str], target: StoredObject) -> Response:
        is_folder = target.base_type == "cmis:folder"
        selector = params.get("cmisselector", "children" if is_folder else "content")
        if selector == "object":
            return _json(self._render(target, params))
        if selector == "children":
            if not is_folder:
                raise CmisError("invalidArgument", "Only folders have children")
            children = [self._render(o, params) for o in self._children(target.id)]
            return _json(
                {
                    "objects": [{"object": child} for child in children],
                    "hasMoreItems": False,
                    "numItems": len(children),
                }
            )
        if selector == "parents":
            parent = self.objects.get(target.parent_id or "")
            found = [parent] if parent else []
            return _json(
                [
                    {"object": self._render(p, params), "relativePathSegment": target.name}
                    for p in found
                ]
            )
        if selector == "content":
            if target.content is None:
                raise CmisError("constraint", "The object has no content stream")
            return Response(
                target.content,
                mimetype=target.properties["cmis:contentStreamMimeType"],
                headers={
                    "Content-Disposition": "attachment; filename*=UTF-8''"
                    + quote(target.properties["cmis:contentStreamFileName"])
                },
            )
        raise CmisError("notSupported", f"cmisselector {selector!r} is not supported")

    def _object_action(
        self, request: Request, params: MultiDict[str, str], target: StoredObject
    ) -> Response:
        action = params.get("cmisaction", "")
        if action in ("createFolder", "createDocument"):
            if target.base_type != "cmis:folder":
                raise CmisError("invalidArgument", "The parent must be a folder")
            base_type = "cmis:folder" if action == "createFolder" else "cmis:document"
            created = self._create(target, base_type, _properties(params), request)
            return _json(
                self._render(created, params),
                status=201,
                headers={"Location": f"{self.root_folder_url}?objectId={created.id}"},
            )
        if action == "delete":
            if target.id == self.root_id or self._children(target.id):
                raise CmisError("constraint", "The root and non-empty folders stay")
            del self.objects[target.id]
            return Response(status=200)
        raise CmisError("notSupported", f"cmisaction {action!r} is not supported")

    # --- the repository's rules

    def _create(
        self,
        parent: StoredObject,
        base_type: str,
        properties: dict[str, Any],
        request: Request,
    ) -> StoredObject:
        name = properties.get("cmis:name")
        if not isinstance(name, str) or not name.strip():
            raise CmisError("invalidArgument", "cmis:name is required")
        if "/" in name:
            raise CmisError("nameConstraintViolation", "cmis:name must not contain '/'")
        if any(child.name == name for child in self._children(parent.id)):
            raise CmisError(
                self.duplicate_name_exception, f"An object named {name!r} already exists"
            )
        object_type = properties.pop("cmis:objectTypeId", None) or base_type
        now = _millis()
        creator = request.authorization.username if request.authorization else "anonymous"
        stored = {
            **properties,
            "cmis:objectId": uuid.uuid4().hex,
            "cmis:baseTypeId": base_type,
            "cmis:objectTypeId": object_type,
            "cmis:createdBy": creator,
            "cmis:lastModifiedBy": creator,
            "cmis:creationDate": now,
            "cmis:lastModificationDate": now,
            "cmis:changeToken": str(now),
        }
        obj = StoredObject(stored)
        if base_type == "cmis:folder":
            parent_path = parent.properties["cmis:path"].rstrip("/")
            stored.update({"cmis:parentId": parent.id, "cmis:path": f"{parent_path}/{name}"})
        else:
            stored["_parent"] = parent.id
            self._attach_content(obj, request)
        self.objects[obj.id] = obj
        return obj

    @staticmethod
    def _attach_content(obj: StoredObject, request: Request) -> None:
        upload = next(iter(request.files.values()), None)
        props = obj.properties
        props.update(
            {
                "cmis:isLatestVersion": True,
                "cmis:isMajorVersion": True,
                "cmis:isLatestMajorVersion": True,
                "cmis:isImmutable": False,
                "cmis:versionLabel": "1.0",
                "cmis:versionSeriesId": obj.id,
                "cmis:isVersionSeriesCheckedOut": False,
            }
        )
        if upload is None:
            return
        obj.content = upload.read()
        props.update(
            {
                "cmis:contentStreamLength": len(obj.content),
                "cmis:contentStreamMimeType": upload.mimetype or "application/octet-stream",
                "cmis:contentStreamFileName": upload.filename or obj.name,
                "cmis:contentStreamId": f"{obj.id}-content",
            }
        )

    def _get(self, object_id: str) -> StoredObject:
        found = self.objects.get(object_id)
        if found is None:
            raise CmisError("objectNotFound", f"Object {object_id!r} not found")
        return found

    def _children(self, folder_id: str) -> list[StoredObject]:
        return [o for o in self.objects.values() if o.parent_id == folder_id]

    def _by_path(self, path: str) -> StoredObject:
        current = self.objects[self.root_id]
        for segment in filter(None, path.split("/")):
            match = [c for c in self._children(current.id) if c.name == segment]
            if not match:
                raise CmisError("objectNotFound", f"No object at path {path!r}")
            current = match[0]
        return current

    def _query(self, statement: str, params: MultiDict[str, str]) -> Response:
        parsed = QUERY.match(statement)
        if parsed is None:
            raise CmisError("invalidArgument", f"Unsupported query: {statement!r}")
        conditions = [] if parsed["where"] is None else _conditions(parsed["where"])
        wanted_type = parsed["type"]
        results = [
            self._render(obj, params, with_actions=False)
            for obj in self.objects.values()
            if obj.id != self.root_id
            and wanted_type in (obj.base_type, obj.properties["cmis:objectTypeId"])
            and all(_holds(obj, condition) for condition in conditions)
        ]
        return _json({"results": results, "hasMoreItems": False, "numItems": len(results)})

    # --- representations

    def _service_document(self) -> dict[str, Any]:
        """Repository infos by repository id: the answer at the service URL and repository URL."""
        return {REPOSITORY_ID: self._repository_info()}

    def _repository_info(self) -> dict[str, Any]:
        return {
            "repositoryId": REPOSITORY_ID,
            "repositoryName": "Amtsweg test repository",
            "repositoryDescription": "CMIS 1.1 browser binding peer for tests",
            "vendorName": "Amtsweg tests",
            "productName": "tests.peers.cmis",
            "productVersion": "1.0",
            "rootFolderId": self.root_id,
            "rootFolderUrl": self.root_folder_url,
            "repositoryUrl": self.repository_url,
            "cmisVersionSupported": "1.1",
            "latestChangeLogToken": None,
            "changesIncomplete": True,
            "changesOnType": [],
            "principalIdAnonymous": "anonymous",
            "principalIdAnyone": "anyone",
            "thinClientURI": "",
            "extendedFeatures": [],
            "capabilities": {
                "capabilityContentStreamUpdatability": "none",
                "capabilityChanges": "none",
                "capabilityRenditions": "none",
                "capabilityGetDescendants": False,
                "capabilityGetFolderTree": False,
                "capabilityMultifiling": False,
                "capabilityUnfiling": False,
                "capabilityVersionSpecificFiling": False,
                "capabilityPWCSearchable": False,
                "capabilityPWCUpdatable": False,
                "capabilityAllVersionsSearchable": False,
                "capabilityOrderBy": "none",
                "capabilityQuery": "metadataonly",
                "capabilityJoin": "none",
                "capabilityACL": "none",
            },
        }

    def _render(
        self, obj: StoredObject, params: MultiDict[str, str], *, with_actions: bool = True
    ) -> dict[str, Any]:
        visible = {k: v for k, v in obj.properties.items() if not k.startswith("_")}
        rendered: dict[str, Any]
        if _flag(params, "succinct"):
            rendered = {"succinctProperties": visible}
        else:
            rendered = {"properties": {k: _property(k, v) for k, v in visible.items()}}
        if with_actions and _flag(params, "includeAllowableActions"):
            rendered["allowableActions"] = _allowable_actions(obj)
        return rendered


def _flag(params: MultiDict[str, str], name: str) -> bool:
    """Boolean parameters are "true"/"false"; cmislib sends Python's "True"."""
    return params.get(name, "").lower() == "true"


def _writes(request: Request) -> bool:
    return request.method == "POST" and request.form.get("cmisaction") != "query"


def _properties(params: MultiDict[str, str]) -> dict[str, Any]:
    """``propertyId[n]`` with ``propertyValue[n]`` or ``propertyValue[n][m]`` (5.4.4.3)."""
    result: dict[str, Any] = {}
    for key, property_id in params.items():
        index = re.fullmatch(r"propertyId\[(\d+)\]", key)
        if index is None:
            continue
        n = index[1]
        if f"propertyValue[{n}]" in params:
            result[property_id] = params[f"propertyValue[{n}]"]
        else:
            values = sorted(
                (int(m[1]), value)
                for k, value in params.items()
                if (m := re.fullmatch(rf"propertyValue\[{n}\]\[(\d+)\]", k))
            )
            result[property_id] = [value for _, value in values]
    return result


def _conditions(where: str) -> list[re.Match[str]]:
    conditions = []
    for part in re.split(r"\s+AND\s+", where, flags=re.IGNORECASE):
        condition = CONDITION.match(part)
        if condition is None:
            raise CmisError("invalidArgument", f"Unsupported condition: {part!r}")
        conditions.append(condition)
    return conditions


def _holds(obj: StoredObject, condition: re.Match[str]) -> bool:
    if condition["folder"] is not None:
        return obj.parent_id == condition["folder"]
    if condition["any_prop"] is not None:
        values = obj.properties.get(condition["any_prop"])
        return isinstance(values, list) and _literal(condition["any_value"]) in values
    value = obj.properties.get(condition["prop"])
    return value is not None and str(value) == _literal(condition["value"])


def _literal(quoted: str) -> str:
    """A CMIS-SQL string literal's value: '' stands for one quote."""
    return quoted.replace("''", "'")


def _property(property_id: str, value: Any) -> dict[str, Any]:
    local = property_id.split(":", 1)[-1]
    return {
        "id": property_id,
        "localName": local,
        "displayName": local,
        "queryName": property_id,
        "type": PROPERTY_TYPES.get(property_id, "string"),
        "cardinality": "multi" if isinstance(value, list) else "single",
        "value": value,
    }


def _allowable_actions(obj: StoredObject) -> dict[str, bool]:
    is_folder = obj.base_type == "cmis:folder"
    return {
        "canGetProperties": True,
        "canGetObjectParents": True,
        "canDeleteObject": True,
        "canGetContentStream": obj.content is not None,
        "canSetContentStream": False,
        "canGetChildren": is_folder,
        "canCreateDocument": is_folder,
        "canCreateFolder": is_folder,
        "canUpdateProperties": False,
    }


def _millis() -> int:
    return int(time.time() * 1000)


def _json(document: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        json.dumps(document), status=status, mimetype="application/json", headers=headers
    )


def _error(exception: str, message: str, status: int | None = None) -> Response:
    return _json(
        {"exception": exception, "message": message},
        status=status or EXCEPTION_STATUS[exception],
    )


def _hang_up(request: Request) -> None:
    """Close the client's connection: the work is done, the answer never arrives."""
    connection: socket.socket = request.environ["werkzeug.socket"]
    connection.shutdown(socket.SHUT_RDWR)


@contextmanager
def running_cmis_repository(**options: Any) -> Iterator[CmisRepository]:
    repository = CmisRepository(**options)
    port = servers.free_port()
    repository.url = f"http://127.0.0.1:{port}{SERVICE_PATH}"
    with serving(repository, port):
        yield repository


@pytest.fixture
def cmis_repository() -> Iterator[CmisRepository]:
    """A CMIS browser binding repository; ``.url`` is the service URL, Basic auth
    ``.username``/``.password``."""
    with running_cmis_repository() as repository:
        yield repository
