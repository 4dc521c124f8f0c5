"""The form-definition API: the catalogue for association admins, the offer for tenant admins.

``/api/v1/formdefs``: list, import (create), read, new draft, read/replace a
version's document, validate, publish, retire; association admins only.
``/api/v1/formdefs/schema.json`` (the JSON Schema of a document) is public.
``/api/v1/tenants/<slug>/forms``: which forms a tenant offers, with its fee
overrides and delivery targets; that tenant's admins and association admins.

Handlers load → check access → process (:class:`RequestHandler`) and call the
service; a refused operation (:class:`service.FormDefError`) becomes a problem
document with the error's status, an invalid definition a 422 whose
``errors`` point at each offending JSON path of the document.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, NoReturn

from flask import Flask, Response, jsonify, request, url_for
from flask_babel import gettext

from amtsweg.formdefs import service
from amtsweg.formdefs.models import FormDefinition, FormVersion, VersionState
from amtsweg.formdefs.schemas import (
    DOCUMENT_BODY,
    DOCUMENT_RESPONSE,
    DefinitionSchema,
    OfferSchema,
    PublicServiceSchema,
    TenantFormInputSchema,
    TenantFormSchema,
    ValidationResultSchema,
    VersionSchema,
)
from amtsweg.platform.api import API_PREFIX, Blueprint, ProblemErrorSchema, register_blueprint
from amtsweg.platform.auth.roles import Role
from amtsweg.platform.errors import Refusal
from amtsweg.tenants.access import ADMINS
from amtsweg.tenants.web import ProtectedView, TenantView

SCHEMA_FILE = Path(__file__).with_name("definition.schema.json")
SECURITY = [{"bearer": []}]

blp = Blueprint(
    "formdefs_api",
    __name__,
    url_prefix=f"{API_PREFIX}/formdefs",
    description="The association's form definitions and their versions (association admins)",
)
tenant_blp = Blueprint(
    "tenant_forms_api",
    __name__,
    url_prefix=f"{API_PREFIX}/tenants",
    description="The forms a tenant offers, with its fees and delivery target (tenant admins)",
)


# --- bodies -------------------------------------------------------------------


def not_json() -> NoReturn:
    raise Refusal(
        gettext("The body must be a JSON document (Content-Type: application/json)."), status=400
    )


def document_body(*, optional: bool = False) -> Any:
    """The JSON body as sent; ``None`` for an empty optional body; a 400 problem otherwise."""
    if optional and not request.get_data():
        return None
    document = request.get_json(silent=True)
    if document is None:
        not_json()
    return document


# --- association resources ------------------------------------------------------


class AssociationResource(ProtectedView):
    """Association admins only: 401 without a valid token, 403 for anyone else."""

    required_roles = (Role.ASSOCIATION_ADMIN,)


class DefinitionResource(AssociationResource):
    definition: FormDefinition

    def _process_args(self, definition_slug: str, **kwargs: Any) -> None:
        super()._process_args(**kwargs)
        self.definition = service.get_definition(definition_slug)


class VersionResource(DefinitionResource):
    version: FormVersion

    def _process_args(self, number: int, **kwargs: Any) -> None:
        super()._process_args(**kwargs)
        self.version = service.get_version(self.definition, number)


def _version_location(version: FormVersion) -> dict[str, str]:
    url = url_for(
        "formdefs_api.VersionById",
        definition_slug=version.definition.slug,
        number=version.number,
    )
    return {"Location": url}


def _document_response(version: FormVersion) -> Response:
    response = jsonify(version.document)
    filename = service.document_filename(version)
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.set_etag(version.digest)
    return response


def _require_current(version: FormVersion) -> None:
    """Refuse a replacement not based on the version as it is now (lost updates).

    Two admins editing one draft: the second save would silently undo the first.
    The client must send ``If-Match`` with the ETag it read; the ETag is the
    document's content digest.
    """
    if not request.if_match:
        raise Refusal(gettext("Send If-Match with the ETag of the version you edited."), status=428)
    if not request.if_match.contains(version.digest):
        raise Refusal(
            gettext("The version changed since you read it; read it again first."), status=412
        )


UNAUTHORISED = {"schema": ProblemErrorSchema, "description": "No valid access token"}
FORBIDDEN = {"schema": ProblemErrorSchema, "description": "Not an association admin"}
NOT_FOUND = {"schema": ProblemErrorSchema, "description": "No such definition or version"}
CONFLICT = {"schema": ProblemErrorSchema, "description": "Published versions never change"}
STALE = {"schema": ProblemErrorSchema, "description": "If-Match missing or outdated"}
INVALID = {
    "schema": ProblemErrorSchema,
    "description": "Not a valid definition: `errors` points at each problem's JSON path",
}
NOT_JSON = {"schema": ProblemErrorSchema, "description": "The body is not JSON"}


def documented(*statuses: tuple[int, dict[str, Any]]) -> Any:
    """Document the bearer token and each error answer of an endpoint."""

    def decorate(func: Any) -> Any:
        for status, answer in statuses:
            func = blp.alt_response(status, **answer)(func)
        return blp.doc(security=SECURITY)(func)

    return decorate


ADMIN_ERRORS = ((401, UNAUTHORISED), (403, FORBIDDEN))


@blp.route("")
class FormDefs(AssociationResource):
    @blp.response(200, DefinitionSchema(many=True))
    @documented(*ADMIN_ERRORS)
    def get(self) -> list[FormDefinition]:
        """Every definition of the catalogue with its versions."""
        return service.list_definitions()

    @blp.response(201, VersionSchema)
    @blp.doc(requestBody=DOCUMENT_BODY)
    @documented(*ADMIN_ERRORS, (400, NOT_JSON), (409, CONFLICT), (422, INVALID))
    def post(self) -> Any:
        """Create (import) a definition from a full document; it starts as draft version 1.

        Export is `GET /api/v1/formdefs/{slug}/versions/{number}`: what it
        returns can be imported elsewhere as it is. 409 if the slug exists.
        """
        document = document_body()
        version = service.create_definition(document, self.actor())
        return version, _version_location(version)


@blp.route("/validate")
class Validate(AssociationResource):
    @blp.response(200, ValidationResultSchema)
    @blp.doc(requestBody=DOCUMENT_BODY)
    @documented(*ADMIN_ERRORS, (400, NOT_JSON), (422, INVALID))
    def post(self) -> dict[str, bool]:
        """Check a document without saving it: 200 if valid, else a 422 naming every problem."""
        if problems := service.validate(document_body()):
            raise service.InvalidDefinitionError(problems)
        return {"valid": True}


@functools.cache
def _definition_schema() -> bytes:
    return SCHEMA_FILE.read_bytes()


@blp.route("/schema.json")
@blp.response(200, {"type": "object"}, description="JSON Schema (2020-12) of a document")
def definition_schema() -> Response:
    """The JSON Schema of a form definition document (public)."""
    response = Response(_definition_schema(), mimetype="application/schema+json")
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response


@blp.route("/<definition_slug>")
class FormDefById(DefinitionResource):
    @blp.response(200, DefinitionSchema)
    @documented(*ADMIN_ERRORS, (404, NOT_FOUND))
    def get(self) -> FormDefinition:
        """One definition and its versions (state, dates, digest)."""
        return self.definition


@blp.route("/<definition_slug>/tenants")
class DefinitionOffers(DefinitionResource):
    @blp.response(200, OfferSchema(many=True))
    @documented(*ADMIN_ERRORS, (404, NOT_FOUND))
    def get(self) -> list[service.Offer]:
        """Which tenants offer which version of the definition (the published one), by slug."""
        return service.offers(self.definition)


@blp.route("/<definition_slug>/versions")
class Versions(DefinitionResource):
    @blp.response(201, VersionSchema)
    @blp.doc(requestBody=DOCUMENT_BODY | {"required": False})
    @documented(*ADMIN_ERRORS, (400, NOT_JSON), (404, NOT_FOUND), (409, CONFLICT), (422, INVALID))
    def post(self) -> Any:
        """A new draft: the document sent, or (empty body) a copy of the newest version.

        This is how a published version is changed. 409 if a draft exists already.
        """
        document = document_body(optional=True)
        version = service.create_draft(self.definition, document, self.actor())
        return version, _version_location(version)


@blp.route("/<definition_slug>/versions/<int:number>")
class VersionById(VersionResource):
    @blp.response(200, DOCUMENT_RESPONSE, description="The document, exportable as it is")
    @documented(*ADMIN_ERRORS, (404, NOT_FOUND))
    def get(self) -> Response:
        """Export a version's document exactly as stored."""
        return _document_response(self.version)

    @blp.response(200, DOCUMENT_RESPONSE, description="The document as stored")
    @blp.doc(requestBody=DOCUMENT_BODY)
    @documented(
        *ADMIN_ERRORS,
        (400, NOT_JSON),
        (404, NOT_FOUND),
        (409, CONFLICT),
        (412, STALE),
        (422, INVALID),
        (428, STALE),
    )
    def put(self) -> Response:
        """Replace a draft's document (the slug must stay).

        Publishing is immutable: a published or retired version is a 409;
        create a new draft (`POST …/versions`) instead. Send ``If-Match`` with the
        ETag of the version you read (412 when it changed since, 428 without).
        """
        if self.version.state is VersionState.DRAFT:
            _require_current(self.version)
        service.update_draft(self.version, document_body())
        return _document_response(self.version)

    @blp.response(204)
    @documented(*ADMIN_ERRORS, (404, NOT_FOUND), (409, CONFLICT))
    def delete(self) -> None:
        """Discard a draft (an import or a new draft made by mistake); a definition whose
        only version it was goes with it. A published or retired version is a 409."""
        service.discard_draft(self.version)


@blp.route("/<definition_slug>/versions/<int:number>/publish")
class Publish(VersionResource):
    @blp.response(200, VersionSchema)
    @documented(*ADMIN_ERRORS, (404, NOT_FOUND), (409, CONFLICT), (422, INVALID))
    def post(self) -> FormVersion:
        """Publish a draft; the version published until now is retired."""
        return service.publish(self.version)


@blp.route("/<definition_slug>/versions/<int:number>/retire")
class Retire(VersionResource):
    @blp.response(200, VersionSchema)
    @documented(*ADMIN_ERRORS, (404, NOT_FOUND), (409, CONFLICT))
    def post(self) -> FormVersion:
        """Retire the published version: no new applications; pinned drafts keep it."""
        return service.retire(self.version)


# --- what a tenant offers ------------------------------------------------------------


class TenantFormsResource(TenantView):
    """The tenant's admins and association admins; 404 for anyone else with a token."""

    required_roles = ADMINS


TENANT_ERRORS = (
    (401, UNAUTHORISED),
    (404, {"schema": ProblemErrorSchema, "description": "No such tenant or form for you"}),
)


def tenant_documented(*statuses: tuple[int, dict[str, Any]]) -> Any:
    def decorate(func: Any) -> Any:
        for status, answer in (*TENANT_ERRORS, *statuses):
            func = tenant_blp.alt_response(status, **answer)(func)
        return tenant_blp.doc(security=SECURITY)(func)

    return decorate


@tenant_blp.route("/<slug:tenant_slug>/services")
class PublicServices(TenantView):
    @tenant_blp.response(200, PublicServiceSchema(many=True))
    @tenant_blp.alt_response(404, schema=ProblemErrorSchema, description="No such municipality")
    def get(self) -> Any:
        """The municipality's online services, for state portals and service directories
        to link (public): each form it offers with its LeiKa and FIM ids, the login it
        needs, its fee and where it starts. Empty while the municipality is onboarding."""
        return service.offered_forms(self.tenant) if self.tenant.is_live else []


@tenant_blp.route("/<slug:tenant_slug>/forms")
class TenantForms(TenantFormsResource):
    @tenant_blp.response(200, TenantFormSchema(many=True))
    @tenant_documented()
    def get(self) -> list[service.OfferedForm]:
        """The forms the tenant offers now, with their fee rules, overrides and target."""
        return service.offered_forms(self.tenant)


@tenant_blp.route("/<slug:tenant_slug>/forms/<form_slug>")
class TenantFormById(TenantFormsResource):
    definition: FormDefinition

    def _process_args(self, form_slug: str, **kwargs: Any) -> None:
        super()._process_args(**kwargs)
        self.definition = service.get_definition(form_slug)

    @tenant_blp.arguments(TenantFormInputSchema)
    @tenant_blp.response(200, TenantFormSchema)
    @tenant_documented(
        (400, {"schema": ProblemErrorSchema, "description": "No published version to offer"}),
        (422, {"schema": ProblemErrorSchema, "description": "An override or target is invalid"}),
    )
    def put(self, offer: dict[str, Any]) -> service.OfferedForm:
        """Offer the form (or change how): fee overrides in integer cents, delivery target.

        An empty body offers it at the definition's fees, delivered to the tenant's default
        delivery targets.
        """
        if request.get_data() and not request.is_json:
            not_json()
        service.activate_form(
            self.tenant,
            self.definition,
            fee_overrides=offer["fee_overrides"],
            delivery_targets=offer["delivery_targets"],
            actor=self.actor(),
        )
        return service.offered_form(self.tenant, self.definition.slug)

    @tenant_blp.response(204)
    @tenant_documented()
    def delete(self) -> None:
        """Stop offering the form; submissions already made are kept."""
        service.deactivate_form(self.tenant, self.definition, self.actor())


def init_app(app: Flask) -> None:
    with app.app_context():
        register_blueprint(blp)
        register_blueprint(tenant_blp)
