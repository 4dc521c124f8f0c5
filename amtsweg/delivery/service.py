"""Delivery: which targets a submission goes to, and handing it over; the only writer of
``delivery_targets`` and ``deliveries``.

A delivery row per (submission, target) is written in the transaction that
makes the submission deliverable: the submitting one (``submission_created``)
or, for a fee paid online, the one that records the payment
(``payment_succeeded``). Each row gets an outbox message (``platform/outbox.py``)
whose job calls :func:`deliver`; the outbox retries, records every attempt and
marks it dead. Targets are independent: one failing never holds back or
repeats another. Submissions learns the outcome through ``delivery_succeeded``
and ``delivery_dead``.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import gettext
from sqlalchemy import Select, bindparam, case, func, insert, select, type_coerce
from sqlalchemy.dialects.postgresql import JSONB

from amtsweg.delivery.interfaces import DeliveryTarget, File, Parcel
from amtsweg.delivery.models import Delivery, Target
from amtsweg.delivery.targets import KINDS, offered_kinds
from amtsweg.formdefs.models import FormDefinition, FormVersion, TenantForm
from amtsweg.platform import outbox
from amtsweg.platform.auth import absolute_url
from amtsweg.platform.db import db, require_tenant_scope, utcnow
from amtsweg.platform.errors import Conflict, FieldProblem, NotFound, Refusal, json_pointer
from amtsweg.platform.secrets import Vault
from amtsweg.platform.signals import delivery_dead, delivery_succeeded
from amtsweg.platform.storage import storage
from amtsweg.submissions import confirmation, exports, presentation
from amtsweg.submissions import service as submissions
from amtsweg.submissions.document import submission_document
from amtsweg.submissions.models import Submission, SubmissionStatus
from amtsweg.tenants import service as tenants
from amtsweg.tenants.models import Tenant, User

KIND = "delivery"
MASK = "********"
VAULT = Vault("delivery", "delivery_keys")
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")


# --- targets -----------------------------------------------------------------


def targets(tenant: Tenant) -> list[Target]:
    require_tenant_scope(tenant.id)
    return list(db.session.scalars(select(Target).order_by(Target.name)))


def find_target(tenant: Tenant, name: str) -> Target | None:
    require_tenant_scope(tenant.id)
    return db.session.scalar(select(Target).where(Target.name == name))


def get_target(tenant: Tenant, name: str) -> Target:
    if (target := find_target(tenant, name)) is None:
        raise NotFound(gettext("There is no delivery target named %(name)s.", name=name))
    return target


def unknown_target_names(tenant: Tenant, names: list[str]) -> list[str]:
    """The names the tenant has no target for (formdefs checks a form's selection with it)."""
    require_tenant_scope(tenant.id)
    known = set(db.session.scalars(select(Target.name).where(Target.name.in_(names))))
    return [name for name in names if name not in known]


def save_target(
    tenant: Tenant,
    name: str,
    kind: str,
    config: Mapping[str, Any],
    *,
    default: bool = False,
    enabled: bool = True,
    actor: User | None = None,
) -> Target:
    """Create or change the target ``name``; a secret left out or masked keeps its value.

    The secret settings are stored encrypted (:data:`VAULT`), apart from the others.
    """
    require_tenant_scope(tenant.id)
    target = find_target(tenant, name)
    config = _with_kept_secrets(target, kind, config)
    kept_kind = target is not None and target.kind == kind
    _refuse_bad_target(name, kind, config, kinds=KINDS if kept_kind else offered_kinds())
    if target is None:
        target = Target(tenant_id=tenant.id, name=name)
        db.session.add(target)
    secret_names = _secret_names(kind)
    target.kind, target.default, target.enabled = kind, default, enabled
    target.config = {key: value for key, value in config.items() if key not in secret_names}
    target.secrets = VAULT.encrypt(
        {key: value for key, value in config.items() if key in secret_names}
    )
    db.session.flush()
    details = {"kind": kind, "default": default, "enabled": enabled}
    tenants.record(
        tenant, "delivery.target_saved", "delivery_target", name, details=details, actor=actor
    )
    return target


def _secret_names(kind: str) -> set[str]:
    return {spec.name for spec in KINDS[kind].config_fields if spec.kind == "secret"}


def _with_kept_secrets(target: Target | None, kind: str, config: Mapping[str, Any]) -> dict:
    kept = dict(config)
    if target is None or target.kind != kind or kind not in KINDS:
        return kept
    stored = VAULT.decrypt(target.secrets)
    for name in _secret_names(kind):
        if kept.get(name) in (None, "", MASK) and name in stored:
            kept[name] = stored[name]
    return kept


def settings_of(target: Target) -> dict[str, Any]:
    """The target's whole configuration, secrets decrypted: for handing over, never for showing."""
    return {**target.config, **VAULT.decrypt(target.secrets)}


def rotate_secrets() -> int:
    """Re-encrypt every target of the current tenant with the newest key."""
    rows = list(db.session.scalars(select(Target)))
    for target in rows:
        target.secrets = VAULT.rotate(target.secrets)
    return len(rows)


def _refuse_bad_target(
    name: str, kind: str, config: Mapping[str, Any], kinds: Mapping[str, type[DeliveryTarget]]
) -> None:
    """``kinds``: those offered here, or every kind for a target that keeps its own."""
    problems: list[FieldProblem] = []
    if not _NAME.match(name):
        problems.append(
            FieldProblem(
                json_pointer("name"),
                gettext("Use lower-case letters, digits and hyphens (at most 60)."),
                "invalid",
            )
        )
    if kind not in kinds:
        problems.append(
            FieldProblem(
                json_pointer("kind"),
                gettext("Choose one of: %(kinds)s", kinds=", ".join(kinds)),
                "invalid",
            )
        )
    else:
        problems.extend(KINDS[kind].check_config(config))
    if problems:
        raise Refusal(gettext("The delivery target is not valid."), problems=problems)


def public_config(target: Target) -> dict[str, Any]:
    """The configuration as pages and the API show it: secrets masked, without decrypting them."""
    masked = dict.fromkeys(_secret_names(target.kind), MASK) if target.secrets else {}
    return {**target.config, **masked}


def delete_target(tenant: Tenant, target: Target, actor: User | None = None) -> None:
    """Remove a target no submission was sent to and no form names; otherwise refused.

    A form naming a removed target would deliver nowhere without anyone noticing.
    """
    require_tenant_scope(tenant.id)
    if forms := _forms_naming(target):
        raise Conflict(
            gettext(
                "These forms deliver to %(name)s: %(forms)s. Choose other targets for them "
                "first, or disable the target.",
                name=target.name,
                forms=", ".join(forms),
            )
        )
    used = db.session.scalar(select(func.count()).where(Delivery.target_id == target.id))
    if used:
        raise Conflict(gettext("Submissions were delivered to this target; disable it instead."))
    db.session.delete(target)
    tenants.record(tenant, "delivery.target_deleted", "delivery_target", target.name, actor=actor)


def _forms_naming(target: Target) -> list[str]:
    """The slugs of the tenant's offered forms that name ``target`` (a handful of rows per
    tenant; offering a form again checks the names it is given)."""
    rows = db.session.execute(
        select(FormDefinition.slug, TenantForm.delivery_targets)
        .join(FormDefinition, FormDefinition.id == TenantForm.definition_id)
        .where(TenantForm.active)
        .order_by(FormDefinition.slug)
    )
    return [slug for slug, names in rows if target.name in (names or ())]


def send_test_delivery(tenant: Tenant, target: Target, actor: User | None = None) -> str | None:
    """Send a sample submission to ``target`` now; the error as text, ``None`` on success.

    The admin waits for the answer on purpose: a test delivery is about seeing
    at once whether the configuration works.
    """
    require_tenant_scope(tenant.id)
    sample = _sample_parcel(tenant)
    try:
        KINDS[target.kind].from_config(settings_of(target)).deliver(sample)
    except outbox.SendError as error:
        outcome: str | None = str(error)
    else:
        outcome = None
    details = {"ok": outcome is None}
    tenants.record(
        tenant, "delivery.tested", "delivery_target", target.name, details=details, actor=actor
    )
    return outcome


def _sample_parcel(tenant: Tenant) -> Parcel:
    reference = f"TEST-{utcnow():%Y%m%d%H%M%S}"
    document = {"schema": "urn:amtsweg:submission:v1", "reference": reference, "test": True}
    return Parcel(
        delivery_id=uuid.uuid4(),
        tenant_slug=tenant.slug,
        reference=reference,
        form_slug="testzustellung",
        form_title="Testzustellung",
        submitted_at=utcnow(),
        applicant="Amtsweg (Test)",
        kassenzeichen=None,
        document=document,
        summary="Dies ist eine Testzustellung ohne Antrag.",
        pdf=File(f"{reference}.pdf", "application/pdf", _SAMPLE_PDF),
    )


_SAMPLE_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]"
    b"/Count 1>>endobj 3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


# --- planning ----------------------------------------------------------------


def plan(submission: Submission, *, new: bool = False) -> None:
    """A delivery (and its outbox message) for each of the submission's targets, once.

    ``new``: the submission was made in this transaction, so it has no deliveries
    yet and none need looking up; on PostgreSQL they are then chosen and written
    with their messages in one statement (:func:`_insert_deliveries`).
    """
    require_tenant_scope(submission.tenant_id)
    if new and db.session.get_bind().dialect.name == "postgresql":
        for message_id in _insert_deliveries(submission):
            outbox.send_after_commit(submission.tenant_id, message_id)
        return
    for target in targets_for(submission):
        if new or _planned(submission, target) is None:
            delivery = Delivery(
                id=uuid.uuid4(),
                tenant_id=submission.tenant_id,
                submission_id=submission.id,
                target_id=target.id,
                created_at=utcnow(),
            )
            db.session.add(delivery)
            outbox.add(submission.tenant_id, KIND, delivery.id)


def _planned(submission: Submission, target: Target) -> Delivery | None:
    return db.session.scalar(
        select(Delivery).where(
            Delivery.submission_id == submission.id, Delivery.target_id == target.id
        )
    )


def _offer_names() -> Select[Any]:
    """The target names the offer of the form of version ``version_id`` lists (no row
    without an offer)."""
    return (
        select(TenantForm.delivery_targets)
        .join(FormVersion, FormVersion.definition_id == TenantForm.definition_id)
        .where(FormVersion.id == bindparam("version_id"))
    )


_TARGETS_WITH_NAMES = (
    select(Target, _offer_names().scalar_subquery()).where(Target.enabled).order_by(Target.name)
)


def targets_for(submission: Submission) -> list[Target]:
    """The enabled targets the form names, or the tenant's default targets if it names none.

    One statement: the tenant's enabled targets, each with the names the form's
    offer lists (the same on every row). Planning runs in a submission's or a
    payment's transaction, which changes no target and no offer, so it does not
    flush: what is pending goes in with the deliveries, in the commit's one
    flush. A new submission is in already: its insert runs at once, not in a
    flush.
    """
    with db.session.no_autoflush:
        rows = db.session.execute(_TARGETS_WITH_NAMES, {"version_id": submission.version_id}).all()
    named = rows[0][1] if rows else None
    if named:
        return [target for target, _names in rows if target.name in named]
    return [target for target, _names in rows if target.default]


def _insert_deliveries_statement() -> Any:
    """PostgreSQL: the deliveries of a new submission, chosen as :func:`targets_for`
    chooses them and inserted with their outbox messages in one statement, which
    returns the messages' ids.

    An INSERT is not given the ORM's tenant criteria, so it names the tenant
    itself (and Row Level Security checks every row read and written).
    """
    tenant_id = bindparam("tenant_id", type_=Target.tenant_id.type)
    names = type_coerce(
        _offer_names().where(TenantForm.tenant_id == tenant_id).scalar_subquery(), JSONB
    )
    chosen = case(
        (func.jsonb_array_length(names) > 0, names.has_key(Target.name)), else_=Target.default
    )
    targets = select(
        Target.tenant_id,
        func.gen_random_uuid(),
        bindparam("submission_id", type_=Delivery.submission_id.type),
        Target.id,
        bindparam("now", type_=Delivery.created_at.type),
    ).where(Target.tenant_id == tenant_id, Target.enabled, chosen)
    columns = ["tenant_id", "id", "submission_id", "target_id", "created_at"]
    made = (
        insert(Delivery)
        .from_select(columns, targets)
        .returning(Delivery.tenant_id, Delivery.id.label("subject_id"))
        .cte("made")
    )
    return outbox.insert_messages(KIND, made)


_INSERT_DELIVERIES = _insert_deliveries_statement()


def _insert_deliveries(submission: Submission) -> list[uuid.UUID]:
    """The new submission's deliveries and their messages written; the messages' ids."""
    parameters = {
        "tenant_id": submission.tenant_id,
        "version_id": submission.version_id,
        "submission_id": submission.id,
        "now": utcnow(),
    }
    # On the session's connection, not through the ORM: the statement is built once and
    # keeps its cache key.
    return list(db.session.connection().scalars(_INSERT_DELIVERIES, parameters))


def on_submission_created(submission: Submission, tenant: Tenant) -> None:  # noqa: ARG001
    """Deliver now, unless the fee is paid online: then after ``payment_succeeded``."""
    if submission.status is not SubmissionStatus.AWAITING_PAYMENT:
        plan(submission, new=True)


def on_payment_succeeded(_sender: Any, *, tenant_id: uuid.UUID, submission_id: uuid.UUID, **_: Any):
    require_tenant_scope(tenant_id)
    plan(db.session.scalars(select(Submission).where(Submission.id == submission_id)).one())


# --- handing over (the outbox handler) ---------------------------------------


def deliver(delivery_id: uuid.UUID) -> None:
    """Outbox handler: hand the submission to the delivery's target once."""
    delivery, target, submission = _loaded(delivery_id)
    KINDS[target.kind].from_config(settings_of(target)).deliver(parcel(submission, delivery))
    delivery.delivered_at = utcnow()
    db.session.flush()
    delivery_succeeded.send(
        None,
        tenant_id=submission.tenant_id,
        submission_id=submission.id,
        target=target.name,
        all_delivered=_all_delivered(submission),
    )


def about(delivery_id: uuid.UUID) -> dict[str, str]:
    """The delivery's tenant and reference, for the log lines of its attempts."""
    return submissions.log_fields(
        db.session.scalar(select(Delivery.submission_id).where(Delivery.id == delivery_id))
    )


def on_dead(delivery_id: uuid.UUID) -> None:
    _delivery, target, submission = _loaded(delivery_id)
    delivery_dead.send(
        None, tenant_id=submission.tenant_id, submission_id=submission.id, target=target.name
    )


def _loaded(delivery_id: uuid.UUID) -> tuple[Delivery, Target, Submission]:
    delivery = db.session.scalars(select(Delivery).where(Delivery.id == delivery_id)).one()
    target = db.session.scalars(select(Target).where(Target.id == delivery.target_id)).one()
    submission = db.session.scalars(
        select(Submission).where(Submission.id == delivery.submission_id)
    ).one()
    return delivery, target, submission


def _all_delivered(submission: Submission) -> bool:
    waiting = db.session.scalar(
        select(func.count()).where(
            Delivery.submission_id == submission.id, Delivery.delivered_at.is_(None)
        )
    )
    return waiting == 0


def parcel(submission: Submission, delivery: Delivery) -> Parcel:
    """What a target receives: the municipality reads German."""
    tenant = db.session.get_one(Tenant, submission.tenant_id)
    definition = submissions.submission_definition(submission)
    document = submission_document(submission)
    uploads = tuple(
        File(upload.name, upload.mime, storage().get(upload.storage_key))
        for upload in submissions.uploads_of(submission)
    )
    files_path = f"/t/{tenant.slug}/admin/delivery/submissions/{submission.reference}"
    return Parcel(
        delivery_id=delivery.id,
        tenant_slug=tenant.slug,
        reference=submission.reference,
        form_slug=definition.slug,
        form_title=definition.title.de,
        submitted_at=submission.submitted_at,
        applicant=_applicant(submission.answers),
        kassenzeichen=(document["payment"] or {}).get("kassenzeichen"),
        document=document,
        summary=_summary(definition, submission),
        pdf=File(
            f"{submission.reference}.pdf",
            "application/pdf",
            confirmation.receipt_pdf(tenant, submission, "de"),
        ),
        uploads=uploads,
        table=exports.submission_table(submission, definition),
        files_url=absolute_url(current_app.config["AMTSWEG"], files_path),
    )


def _applicant(answers: Mapping[str, Any]) -> str:
    """The applicant's name as the catalogue's forms ask it (``name`` or first + last name)."""
    if isinstance(answers.get("name"), str):
        return answers["name"]
    first = answers.get("vorname") or answers.get("vornamen") or ""
    last = answers.get("nachname") or answers.get("familienname") or ""
    return f"{first} {last}".strip()


def _summary(definition: Any, submission: Submission) -> str:
    lines = []
    for _step, section in presentation.answer_sections(definition, submission.answers, "de"):
        lines.append(f"\n{section.heading}")
        lines.extend(_answer_lines(section.answers, "  "))
    return "\n".join(lines) + "\n"


def _answer_lines(answers: Any, indent: str) -> list[str]:
    lines = []
    for answer in answers:
        if answer.items:
            lines.append(f"{indent}{answer.label}:")
            for number, item in enumerate(answer.items, start=1):
                lines.append(f"{indent}  {number}.")
                lines.extend(_answer_lines(item, indent + "    "))
            continue
        value = answer.value
        if isinstance(value, bool):
            value = "Ja" if value else "Nein"
        elif not isinstance(value, str):
            value = ", ".join(value)
        lines.append(f"{indent}{answer.label}: {value}")
    return lines


# --- for clerks and admins ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class DeliveryState:
    """One delivery as clerks and admins see it: where, how it stands, each attempt."""

    delivery: Delivery
    target: Target
    message: outbox.OutboxMessage
    attempts: list[outbox.OutboxAttempt]


def deliveries_of(submission: Submission) -> list[DeliveryState]:
    require_tenant_scope(submission.tenant_id)
    states = []
    rows = db.session.execute(
        select(Delivery, Target)
        .join(Target, Target.id == Delivery.target_id)
        .where(Delivery.submission_id == submission.id)
        .order_by(Target.name)
    )
    for delivery, target in rows:
        message = outbox.find(KIND, delivery.id)
        states.append(DeliveryState(delivery, target, message, outbox.attempts_of(message)))
    return states


def find_submission(tenant: Tenant, reference: str) -> Submission:
    require_tenant_scope(tenant.id)
    submission = db.session.scalar(select(Submission).where(Submission.reference == reference))
    if submission is None:
        raise NotFound(gettext("There is no submission %(reference)s.", reference=reference))
    return submission


def redeliver(tenant: Tenant, state: DeliveryState, actor: User | None = None) -> None:
    """Send a dead delivery again from its first attempt; refused unless it is dead."""
    if not outbox.retry(state.message):
        raise Conflict(gettext("Only a delivery that gave up can be sent again."))
    details = {"target": state.target.name}
    tenants.record(
        tenant,
        "delivery.redelivered",
        "delivery",
        str(state.delivery.id),
        details=details,
        actor=actor,
    )


def delivery_for(submission: Submission, target_name: str) -> DeliveryState:
    for state in deliveries_of(submission):
        if state.target.name == target_name:
            return state
    raise NotFound(
        gettext(
            "%(reference)s is not delivered to %(target)s.",
            reference=submission.reference,
            target=target_name,
        )
    )
