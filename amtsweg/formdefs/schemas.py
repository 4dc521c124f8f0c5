"""What the form-definition API reads and returns.

A definition *document* is not described here: it is free-form JSON that the
engine checks (``definition.schema.json`` plus the semantic checks), so that
every problem is reported with its JSON path and marshmallow never refuses
or drops a key of the definition itself. These schemas describe only the
envelope: versions, definitions and what a tenant offers.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import current_app, request, url_for

from amtsweg.formdefs.engine import LocalizedText
from amtsweg.formdefs.fees import summarise_fee
from amtsweg.formdefs.models import FormDefinition, VersionState
from amtsweg.platform.auth import absolute_url

DOCUMENT_BODY = {
    "required": True,
    "description": (
        "A form definition document, checked against `/api/v1/formdefs/schema.json` "
        "and the engine's semantic checks."
    ),
    "content": {"application/json": {"schema": {"type": "object"}}},
}
"""The OpenAPI request body of the endpoints that take a document."""

DOCUMENT_RESPONSE: dict[str, Any] = {"type": "object", "description": "The document as stored"}


def _text(text: LocalizedText) -> dict[str, str]:
    return {"de": text.de, "en": text.en}


def _newest_title(definition: FormDefinition) -> dict[str, str]:
    return definition.versions[-1].title if definition.versions else {}


def _number_in(definition: FormDefinition, state: VersionState) -> int | None:
    numbers = [v.number for v in definition.versions if v.state is state]
    return numbers[-1] if numbers else None


class LocalizedTextSchema(ma.Schema):
    de = ma.fields.String()
    en = ma.fields.String()


class VersionSchema(ma.Schema):
    """One version of a definition, without its document."""

    slug = ma.fields.Function(lambda version: version.definition.slug, metadata={"type": "string"})
    number = ma.fields.Integer()
    state = ma.fields.Enum(VersionState, by_value=True)
    title = ma.fields.Nested(LocalizedTextSchema)
    digest = ma.fields.String(metadata={"description": "SHA-256 of the canonical document"})
    created_at = ma.fields.AwareDateTime()
    published_at = ma.fields.AwareDateTime(allow_none=True)
    retired_at = ma.fields.AwareDateTime(allow_none=True)


class DefinitionSchema(ma.Schema):
    """A definition of the catalogue and its versions, oldest first."""

    slug = ma.fields.String()
    title = ma.fields.Function(
        _newest_title, metadata={"description": "Title of the newest version", "type": "object"}
    )
    published_version = ma.fields.Function(
        lambda d: _number_in(d, VersionState.PUBLISHED),
        metadata={"description": "Number of the version citizens use", "type": "integer"},
    )
    draft_version = ma.fields.Function(
        lambda d: _number_in(d, VersionState.DRAFT),
        metadata={"description": "Number of the draft being edited", "type": "integer"},
    )
    versions = ma.fields.List(ma.fields.Nested(VersionSchema))


class OfferSchema(ma.Schema):
    """A tenant that has the form: the version its citizens get, or that it switched it off."""

    tenant = ma.fields.String(attribute="tenant_slug")
    tenant_name = ma.fields.String()
    active = ma.fields.Boolean(metadata={"description": "False: the tenant switched it off"})
    version = ma.fields.Integer(
        allow_none=True,
        metadata={"description": "Number of the version offered; null when none is"},
    )


class ValidationResultSchema(ma.Schema):
    valid = ma.fields.Boolean(metadata={"description": "Always true: problems are a 422"})


class FeeRuleSchema(ma.Schema):
    """A fee rule of the offered version, and what the tenant may set."""

    id = ma.fields.String()
    type = ma.fields.String(attribute="kind")
    label = ma.fields.Function(lambda rule: _text(rule.label), metadata={"type": "object"})
    amount = ma.fields.Integer(metadata={"description": "Default amount in cents"})
    overridable = ma.fields.Boolean()
    min = ma.fields.Integer(attribute="override_min", allow_none=True)
    max = ma.fields.Integer(attribute="override_max", allow_none=True)


class TenantFormSchema(ma.Schema):
    """A form as a tenant offers it."""

    form = ma.fields.String(attribute="slug")
    title = ma.fields.Function(lambda offered: offered.version.title, metadata={"type": "object"})
    version = ma.fields.Function(
        lambda offered: offered.version.number, metadata={"type": "integer"}
    )
    fee_overrides = ma.fields.Function(
        lambda offered: offered.tenant_form.fee_overrides,
        metadata={"type": "object", "description": "Rule id → amount in cents"},
    )
    delivery_targets = ma.fields.Function(
        lambda offered: offered.tenant_form.delivery_targets,
        metadata={"type": "array", "items": {"type": "string"}},
    )
    fees = ma.fields.Function(
        lambda offered: FeeRuleSchema(many=True).dump(offered.definition.fees),
        metadata={"type": "array", "description": "The fee rules of the offered version"},
    )


def offered_url(offered: Any) -> str:
    """The form's start page at the platform's public address, in the tenant the request
    names (the services of ``/tenants/<tenant_slug>/services``)."""
    tenant_slug = (request.view_args or {})["tenant_slug"]
    path = url_for("journey.start", tenant_slug=tenant_slug, form_slug=offered.slug)
    return absolute_url(current_app.config["AMTSWEG"], path)


def _fee(offered: Any) -> dict[str, Any]:
    summary = summarise_fee(offered.definition, offered.tenant_form.fee_overrides)
    return {"kind": summary.kind.value, "amount": summary.amount}


class PublicServiceSchema(ma.Schema):
    """One online service of a municipality, as a portal or service directory links it."""

    class Meta:
        ordered = True

    form = ma.fields.String(attribute="slug")
    title = ma.fields.Function(lambda offered: offered.version.title, metadata={"type": "object"})
    description = ma.fields.Function(
        lambda offered: {
            "de": offered.definition.description.de,
            "en": offered.definition.description.en,
        },
        metadata={"type": "object"},
    )
    leika_id = ma.fields.Function(
        lambda offered: offered.definition.leika_id,
        metadata={"type": "string", "nullable": True, "description": "LeiKa service key"},
    )
    fim_id = ma.fields.Function(
        lambda offered: offered.definition.fim_id, metadata={"type": "string", "nullable": True}
    )
    topics = ma.fields.Function(
        lambda offered: list(offered.definition.topics),
        metadata={"type": "array", "items": {"type": "string"}},
    )
    trust_level = ma.fields.Function(
        lambda offered: offered.definition.trust_level,
        metadata={"type": "string", "description": "The login the form needs"},
    )
    fee = ma.fields.Function(
        _fee,
        metadata={
            "type": "object",
            "description": "``kind``: free, fixed, from (depends on the answers; at least "
            "``amount``) or by_notice (assessed later, not paid online); ``amount`` in cents",
        },
    )
    url = ma.fields.Function(
        offered_url,
        metadata={"type": "string", "format": "uri", "description": "Where the service starts"},
    )


class TenantFormInputSchema(ma.Schema):
    """Offer a form: fee overrides (integer cents, checked against the rules) and a target."""

    fee_overrides = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.Raw(),
        load_default=dict,
        metadata={"description": "Rule id → amount in integer cents, within the rule's bounds"},
    )
    delivery_targets = ma.fields.List(
        ma.fields.String(),
        load_default=list,
        metadata={
            "description": "Names of the tenant's delivery targets "
            "(/api/v1/tenants/<slug>/delivery/targets); empty means its default targets"
        },
    )
