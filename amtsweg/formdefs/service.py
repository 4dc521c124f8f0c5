"""Operations on form definitions and tenant forms; the only writer of their tables."""

from __future__ import annotations

import copy
import hashlib
import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app
from flask_babel import LazyString, gettext, lazy_gettext, ngettext
from sqlalchemy import ColumnElement, Select, bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, defer, load_only

from amtsweg.formdefs.engine import (
    FeeBreakdown,
    LocalizedText,
    OverrideProblem,
    Problem,
    catalogue_documents,
    check_definition,
    check_fee_overrides,
    compile_definition,
    compute_fee,
    translatable,
)
from amtsweg.formdefs.engine import (
    FormDefinition as CompiledDefinition,
)
from amtsweg.formdefs.labels import version_state_label
from amtsweg.formdefs.models import (
    BuildingBlock,
    FormDefinition,
    FormVersion,
    TenantForm,
    VersionState,
)
from amtsweg.formdefs.xdf import BlockImport
from amtsweg.platform.db import association_reads, db, require_tenant_scope, utcnow
from amtsweg.platform.errors import FieldProblem, Refusal, json_pointer
from amtsweg.platform.i18n import current_locale
from amtsweg.tenants import service as tenants
from amtsweg.tenants.models import Tenant, User

log = logging.getLogger(__name__)

DELIVERY_TYPES = ("mailbox", "cmis")


class FormDefError(Refusal):
    """A refused operation on definitions or a tenant's offer."""

    status = 400


class InvalidDefinitionError(FormDefError):
    """The document is not a valid definition; each problem points at its JSON path."""

    status = 422

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(
            ngettext(
                "The form definition has %(num)d problem.",
                "The form definition has %(num)d problems.",
                len(problems),
            ),
            problems=[
                FieldProblem(problem.path, problem.localized(gettext)) for problem in problems
            ],
        )


class ImmutableVersionError(FormDefError):
    status = 409


class FormNotFoundError(FormDefError):
    status = 404


class InvalidFeeOverridesError(FormDefError):
    """A tenant's fee overrides do not fit the definition; each problem names its rule."""

    status = 422

    def __init__(self, problems: list[OverrideProblem]) -> None:
        locale = current_locale()
        super().__init__(
            gettext("The fee overrides do not fit the form's fee rules."),
            problems=[
                FieldProblem(json_pointer("fee_overrides", p.rule_id), p.message(locale), p.code)
                for p in problems
            ],
        )


class InvalidDeliveryTargetError(FormDefError):
    """A delivery target delivery could not use."""

    status = 422

    def __init__(self, detail: str) -> None:
        super().__init__(detail, problems=[FieldProblem("/delivery_targets", detail)])


def digest(document: dict[str, Any]) -> str:
    canonical = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


_COMPILED: dict[tuple[uuid.UUID, str], CompiledDefinition] = {}
_COMPILED_LIMIT = 512


def compiled(version: FormVersion) -> CompiledDefinition:
    """The compiled definition of a version, cached by id and content digest.

    Compiling is the expensive part of evaluating answers; published versions
    never change, and a changed draft gets a new digest.
    """
    key = (version.id, version.digest)
    if (found := _COMPILED.get(key)) is None:
        if len(_COMPILED) >= _COMPILED_LIMIT:
            _COMPILED.clear()
        found = _COMPILED[key] = compile_definition(version.document)
    return found


# --- reading ---------------------------------------------------------------


def list_definitions() -> list[FormDefinition]:
    return list(db.session.scalars(select(FormDefinition).order_by(FormDefinition.slug)))


def find_definition(slug: str) -> FormDefinition | None:
    return db.session.scalar(select(FormDefinition).where(FormDefinition.slug == slug))


def get_definition(slug: str) -> FormDefinition:
    if (definition := find_definition(slug)) is None:
        raise FormNotFoundError(gettext("There is no form definition %(slug)r.", slug=slug))
    return definition


def get_version(definition: FormDefinition, number: int) -> FormVersion:
    for version in definition.versions:
        if version.number == number:
            return version
    raise FormNotFoundError(
        gettext("%(form)s has no version %(number)d.", form=definition.slug, number=number)
    )


def published_version(definition: FormDefinition) -> FormVersion | None:
    return next((v for v in definition.versions if v.state is VersionState.PUBLISHED), None)


def draft_version(definition: FormDefinition) -> FormVersion | None:
    return next((v for v in definition.versions if v.state is VersionState.DRAFT), None)


def latest_title(definition: FormDefinition) -> LocalizedText:
    """The title of the definition's newest version, for a form named where it may no
    longer be offered (older figures, a clerk's text template)."""
    return compiled(definition.versions[-1]).title


# --- the definition lifecycle ------------------------------------------------


def validate(document: Any, slug: str | None = None) -> list[Problem]:
    """Every problem of ``document``; with ``slug``, it must also keep that slug."""
    problems = check_definition(document)
    if not problems and slug is not None and document.get("slug") != slug:
        problems.append(
            Problem("/slug", translatable("the slug must stay %(slug)r"), {"slug": slug})
        )
    return problems


def _checked(document: Any, slug: str | None = None) -> dict[str, Any]:
    if problems := validate(document, slug):
        raise InvalidDefinitionError(problems)
    return copy.deepcopy(document)


def create_definition(document: Any, actor: User | None = None) -> FormVersion:
    """A new definition with its first version as a draft."""
    document = _checked(document)
    if find_definition(document["slug"]) is not None:
        raise ImmutableVersionError(
            gettext("A definition %(slug)r exists already.", slug=document["slug"])
        )
    definition = FormDefinition(slug=document["slug"])
    db.session.add(definition)
    return _add_version(definition, document, actor)


def _add_version(
    definition: FormDefinition, document: dict[str, Any], actor: User | None
) -> FormVersion:
    number = max((v.number for v in definition.versions), default=0) + 1
    version = FormVersion(
        definition=definition,
        number=number,
        state=VersionState.DRAFT,
        document=document,
        digest=digest(document),
        created_by=actor.id if actor else None,
    )
    db.session.add(version)
    db.session.flush()
    log.info("form definition %s: draft version %d created", definition.slug, number)
    return version


def create_draft(
    definition: FormDefinition, document: Any = None, actor: User | None = None
) -> FormVersion:
    """A new draft, from ``document`` or as a copy of the newest version.

    A definition has at most one draft; editing a published version always
    goes through a new draft, never through the published one.
    """
    if (existing := draft_version(definition)) is not None:
        raise ImmutableVersionError(
            gettext(
                "%(form)s has a draft already (version %(number)d); edit that one.",
                form=definition.slug,
                number=existing.number,
            )
        )
    if document is None:
        document = definition.versions[-1].document
    return _add_version(definition, _checked(document, definition.slug), actor)


def document_filename(version: FormVersion) -> str:
    """What a version's document is called as a file: ``gewerbeanmeldung-v2.json``."""
    return f"{version.definition.slug}-v{version.number}.json"


def _lock_in_state(version: FormVersion, state: VersionState, refusal: LazyString) -> None:
    """Lock the version's row for this transaction and read its state as it is now, so
    that two admins acting on one version at once are served one after the other; a
    version discarded meanwhile is not found. Unless the version is in ``state``, refuse
    with ``refusal``, a text whose ``number`` and ``state`` are filled in (lazy: it is
    translated only when it is said)."""
    found = db.session.scalar(
        select(FormVersion.state).where(FormVersion.id == version.id).with_for_update()
    )
    if found is None:
        raise FormNotFoundError(
            gettext(
                "%(form)s has no version %(number)d.",
                form=version.definition.slug,
                number=version.number,
            )
        )
    db.session.refresh(version, ["state"])
    if version.state is not state:
        raise ImmutableVersionError(
            refusal % {"number": version.number, "state": version_state_label(version.state.value)}
        )


def update_draft(version: FormVersion, document: Any) -> FormVersion:
    _lock_in_state(
        version,
        VersionState.DRAFT,
        lazy_gettext(
            "Version %(number)d is %(state)s and cannot change; create a new draft instead."
        ),
    )
    document = _checked(document, version.definition.slug)
    version.document = document
    version.digest = digest(document)
    return version


def publish(version: FormVersion) -> FormVersion:
    """Publish a draft; the previously published version is retired."""
    _lock_in_state(
        version, VersionState.DRAFT, lazy_gettext("Version %(number)d is %(state)s already.")
    )
    _checked(version.document, version.definition.slug)
    if (current := published_version(version.definition)) is not None:
        retire(current)
    version.state = VersionState.PUBLISHED
    version.published_at = utcnow()
    log.info("form definition %s: version %d published", version.definition.slug, version.number)
    return version


def retire(version: FormVersion) -> FormVersion:
    _lock_in_state(
        version,
        VersionState.PUBLISHED,
        lazy_gettext("Only a published version can be retired, not a %(state)s one."),
    )
    version.state = VersionState.RETIRED
    version.retired_at = utcnow()
    log.info("form definition %s: version %d retired", version.definition.slug, version.number)
    return version


def discard_draft(version: FormVersion) -> bool:
    """Delete a draft, and its definition when it was the only version; whether the
    definition went.

    For an import or a new draft made by mistake. Nobody can have applied with a draft
    nor offered a definition that was never published, so nothing points at either.
    A published or retired version is never deleted: submissions point at it.
    """
    _lock_in_state(
        version,
        VersionState.DRAFT,
        lazy_gettext("Only a draft can be discarded; version %(number)d is %(state)s."),
    )
    definition = version.definition
    db.session.delete(version)
    db.session.flush()
    db.session.expire(definition, ["versions"])
    log.info("form definition %s: draft version %d discarded", definition.slug, version.number)
    if definition.versions:
        return False
    db.session.delete(definition)
    return True


# --- the catalogue ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CatalogueChange:
    slug: str
    outcome: str  # "created", "updated" or "unchanged"
    version: int


def load_catalogue() -> list[CatalogueChange]:
    """Publish every catalogue form whose content is new; idempotent."""
    return [_load_document(document) for _name, document in catalogue_documents()]


def _load_document(document: dict[str, Any]) -> CatalogueChange:
    definition = find_definition(document["slug"])
    if definition is None:
        version = publish(create_definition(document))
        return CatalogueChange(document["slug"], "created", version.number)
    current = published_version(definition)
    if current is not None and current.digest == digest(document):
        return CatalogueChange(definition.slug, "unchanged", current.number)
    draft = draft_version(definition)
    version = update_draft(draft, document) if draft else create_draft(definition, document)
    publish(version)
    return CatalogueChange(definition.slug, "updated", version.number)


# --- FIM building blocks ----------------------------------------------------


def list_building_blocks() -> list[BuildingBlock]:
    query = select(BuildingBlock).order_by(BuildingBlock.fim_id, BuildingBlock.created_at)
    return list(db.session.scalars(query))


def find_building_block(fim_id: str, fim_version: str = "") -> BuildingBlock | None:
    """The block of that id and version; without a version, the one imported last."""
    query = select(BuildingBlock).where(BuildingBlock.fim_id == fim_id)
    if fim_version:
        query = query.where(BuildingBlock.fim_version == fim_version)
    return db.session.scalars(query.order_by(BuildingBlock.created_at.desc())).first()


def building_block_source(fim_id: str, fim_version: str) -> str | None:
    """The stored XML of a block, as the XDatenfelder import looks blocks up."""
    block = find_building_block(fim_id, fim_version)
    return block.source if block is not None else None


def save_building_block(imported: BlockImport) -> tuple[BuildingBlock, str]:
    """Store an imported Datenfeldgruppe: ``stored``, ``replaced`` or ``unchanged``.

    FIM never changes a published version, so importing the same id and version again
    normally finds it unchanged; a different content replaces the stored one (the
    newer export wins) and says so.
    """
    block = find_building_block(imported.fim_id, imported.fim_version)
    if block is None:
        return _insert_block(imported), "stored"
    if block.source == imported.source:
        return block, "unchanged"
    block.xdf_version = imported.xdf_version
    block.name = imported.name[:300]
    block.group = imported.group
    block.source = imported.source
    block.updated_at = utcnow()
    log.info("building block %s %s replaced", imported.fim_id, imported.fim_version)
    return block, "replaced"


def _insert_block(imported: BlockImport) -> BuildingBlock:
    """A new row, or the equal one a concurrent import of the same file inserted first."""
    block = BuildingBlock(
        fim_id=imported.fim_id,
        fim_version=imported.fim_version,
        xdf_version=imported.xdf_version,
        name=imported.name[:300],
        group=imported.group,
        source=imported.source,
    )
    try:
        with db.session.begin_nested():
            db.session.add(block)
    except IntegrityError:
        if (found := find_building_block(imported.fim_id, imported.fim_version)) is None:
            raise
        return found
    log.info("building block %s %s stored", imported.fim_id, imported.fim_version)
    return block


# --- tenant forms -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OfferedForm:
    """A form as a tenant offers it: the current version and the tenant's fee."""

    tenant_form: TenantForm
    version: FormVersion
    definition: CompiledDefinition

    @property
    def slug(self) -> str:
        return self.definition.slug

    def fee_for(self, answers: dict[str, Any]) -> FeeBreakdown:
        return compute_fee(self.definition, answers, self.tenant_form.fee_overrides)


def find_tenant_form(tenant: Tenant, definition: FormDefinition) -> TenantForm | None:
    require_tenant_scope(tenant.id)
    return db.session.scalar(select(TenantForm).where(TenantForm.definition_id == definition.id))


DELIVERY_CHECK = "amtsweg.formdefs.delivery_check"


def register_delivery_check(app: Flask, check: Callable[[Tenant, list[str]], list[str]]) -> None:
    """The delivery area tells which target names a tenant has: ``check`` returns the unknown.

    Formdefs stores only the names, so it never imports delivery (which builds on it).
    """
    app.extensions[DELIVERY_CHECK] = check


def check_delivery_targets(tenant: Tenant, names: list[str]) -> list[str]:
    """The names once each, in order, if the tenant has a target of each name."""
    names = list(dict.fromkeys(names))
    check = current_app.extensions.get(DELIVERY_CHECK)
    if check is not None and (unknown := check(tenant, names)):
        raise InvalidDeliveryTargetError(
            gettext(
                "The municipality has no delivery target named %(names)s.",
                names=", ".join(map(repr, unknown)),
            )
        )
    return names


def activate_form(
    tenant: Tenant,
    definition: FormDefinition,
    fee_overrides: dict[str, Any] | None = None,
    delivery_targets: list[str] | None = None,
    *,
    actor: User | None = None,
    start_note: str | None = None,
) -> TenantForm:
    """Offer ``definition`` in ``tenant`` (or change how it is offered).

    ``delivery_targets`` names the tenant's targets the submissions go to;
    empty or ``None`` means the tenant's default targets. ``start_note`` is the
    tenant's text on the start page (``None`` keeps it, ``""`` clears it).
    """
    version = published_version(definition)
    if version is None:
        raise FormDefError(
            gettext("%(form)s has no published version to offer.", form=definition.slug)
        )
    overrides = dict(fee_overrides or {})
    if problems := check_fee_overrides(compiled(version), overrides):
        raise InvalidFeeOverridesError(problems)
    tenant_form = find_tenant_form(tenant, definition)
    if tenant_form is None:
        tenant_form = TenantForm(tenant_id=tenant.id, definition=definition)
        db.session.add(tenant_form)
    tenant_form.active = True
    tenant_form.fee_overrides = overrides
    tenant_form.delivery_targets = check_delivery_targets(tenant, list(delivery_targets or ()))
    if start_note is not None:
        tenant_form.start_note = _checked_note(start_note)
    details = {"fee_overrides": overrides, "delivery": tenant_form.delivery_targets}
    tenants.record(tenant, "form.activated", "form", definition.slug, details=details, actor=actor)
    return tenant_form


MAX_START_NOTE = 2000


def _checked_note(note: str) -> str | None:
    note = note.strip()
    if len(note) > MAX_START_NOTE:
        message = gettext(
            "The note has %(length)d characters; shorten it to at most %(limit)d.",
            length=len(note),
            limit=MAX_START_NOTE,
        )
        raise FormDefError(message, problems=[FieldProblem(json_pointer("start_note"), message)])
    return note or None


def offerable_definitions() -> list[tuple[FormDefinition, FormVersion]]:
    """Every definition with a published version, and that version, by slug."""
    rows = db.session.execute(
        select(FormDefinition, FormVersion)
        .join(FormVersion, FormVersion.definition_id == FormDefinition.id)
        .where(FormVersion.state == VersionState.PUBLISHED)
        .order_by(FormDefinition.slug)
    )
    return [(definition, version) for definition, version in rows]


def tenant_forms(tenant: Tenant) -> dict[uuid.UUID, TenantForm]:
    """The tenant's forms (offered or withdrawn), by definition id."""
    require_tenant_scope(tenant.id)
    return {tf.definition_id: tf for tf in db.session.scalars(select(TenantForm))}


def deactivate_form(tenant: Tenant, definition: FormDefinition, actor: User | None = None) -> None:
    tenant_form = find_tenant_form(tenant, definition)
    if tenant_form is None or not tenant_form.active:
        raise FormNotFoundError(
            gettext("%(tenant)s does not offer %(form)s.", tenant=tenant.slug, form=definition.slug)
        )
    tenant_form.active = False
    tenants.record(tenant, "form.deactivated", "form", definition.slug, actor=actor)


def shorten_retention(
    tenant: Tenant, definition: FormDefinition, days: int | None, actor: User | None = None
) -> TenantForm:
    """Keep the tenant's submissions of ``definition`` for ``days`` only (``None``: as the
    definition says). A tenant may shorten the definition's period, never extend it."""
    tenant_form = find_tenant_form(tenant, definition)
    if tenant_form is None:
        raise FormNotFoundError(
            gettext("%(tenant)s does not offer %(form)s.", tenant=tenant.slug, form=definition.slug)
        )
    version = published_version(definition)
    longest = compiled(version).retention_days if version else 0
    if days is not None and not 1 <= days <= longest:
        raise FormDefError(
            gettext("The retention period must be between 1 and %(days)d days.", days=longest)
        )
    tenant_form.retention_days = days
    tenants.record(
        tenant, "form.retention_set", "form", definition.slug, details={"days": days}, actor=actor
    )
    return tenant_form


def retention_overrides(tenant: Tenant) -> dict[uuid.UUID, int]:
    """The shorter retention periods ``tenant`` chose, by form definition id."""
    require_tenant_scope(tenant.id)
    rows = db.session.execute(
        select(TenantForm.definition_id, TenantForm.retention_days).where(
            TenantForm.retention_days.is_not(None)
        )
    )
    return {row.definition_id: row.retention_days for row in rows}


_OFFERED = (
    select(TenantForm, FormVersion)
    .join(FormVersion, FormVersion.definition_id == TenantForm.definition_id)
    .where(TenantForm.active, FormVersion.state == VersionState.PUBLISHED)
    # The document is large JSON; the compiled cache usually makes it unneeded.
    .options(defer(FormVersion.document))
)
# Built once: every request for a form page or the API asks it.
_OFFERED_BY_SLUG = _OFFERED.join(FormDefinition).where(FormDefinition.slug == bindparam("slug"))


def _offered(tenant: Tenant, slug: str | None = None) -> list[OfferedForm]:
    require_tenant_scope(tenant.id)
    rows = (
        db.session.execute(_OFFERED)
        if slug is None
        else db.session.execute(_OFFERED_BY_SLUG, {"slug": slug})
    )
    return [OfferedForm(tf, version, compiled(version)) for tf, version in rows]


@dataclass(frozen=True, slots=True)
class Offer:
    """A municipality that has ``definition`` among its forms: the version its citizens
    get (the published one; ``None`` when none is), or that it switched the form off."""

    tenant_slug: str
    tenant_name: str
    active: bool
    version: int | None


def offers(definition: FormDefinition) -> list[Offer]:
    """Which tenants offer which version of ``definition``, by tenant slug.

    A tenant always offers the published version: publishing a new one moves
    every tenant to it at once, and a retired version is offered by nobody
    (drafts begun on it are finished on it).
    """
    published = published_version(definition)
    with association_reads():
        rows = db.session.execute(
            select(Tenant.slug, Tenant.name, TenantForm.active)
            .join(TenantForm, TenantForm.tenant_id == Tenant.id)
            .where(TenantForm.definition_id == definition.id)
            .order_by(Tenant.slug)
        ).all()
    return [
        Offer(slug, name, active, published.number if active and published else None)
        for slug, name, active in rows
    ]


def with_offer(query: Select[Any], definition_id: ColumnElement[uuid.UUID]) -> Select[Any]:
    """``query`` with two more columns: the tenant's active offer of ``definition_id``
    and its published version (both ``None`` when the tenant does not offer it now).

    For a caller that needs its own row and the offer in one round trip; turn the
    two columns into an :class:`OfferedForm` with :func:`offer_of`. Only what a
    page of the journey reads is loaded (each column costs on every page): of
    the version what :func:`compiled` and a submission need, of the tenant's
    offer all but its start page's note and when it was made.
    """
    published = aliased(FormVersion)
    return (
        query.add_columns(TenantForm, published)
        .outerjoin(TenantForm, (TenantForm.definition_id == definition_id) & TenantForm.active)
        .outerjoin(
            published,
            (published.definition_id == TenantForm.definition_id)
            & (published.state == VersionState.PUBLISHED),
        )
        .options(
            load_only(*compiling_columns(published)),
            defer(TenantForm.start_note),
            defer(TenantForm.created_at),
        )
    )


def compiling_columns(version: type[FormVersion]) -> tuple[Any, ...]:
    """The columns of ``version`` (the class or an alias) that :func:`compiled` and a
    submission read, besides the id: the document is loaded only on a cache miss."""
    return (version.definition_id, version.number, version.digest)


def offer_of(tenant_form: TenantForm | None, version: FormVersion | None) -> OfferedForm | None:
    """The offered form from :func:`with_offer`'s two columns, if the tenant offers it."""
    if tenant_form is None or version is None:
        return None
    return OfferedForm(tenant_form, version, compiled(version))


def offered_forms(tenant: Tenant) -> list[OfferedForm]:
    """The forms ``tenant`` offers now, in catalogue order, each at its current version."""
    return sorted(_offered(tenant), key=lambda form: form.slug)


def offered_form(tenant: Tenant, slug: str) -> OfferedForm:
    if found := _offered(tenant, slug):
        return found[0]
    raise FormNotFoundError(
        gettext("%(tenant)s does not offer %(form)r.", tenant=tenant.slug, form=slug)
    )
