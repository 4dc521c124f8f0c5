"""The citizen's applications: drafts, submitting, references; the only writer of their tables."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass, replace
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import force_locale, gettext, ngettext
from sqlalchemy import Connection, Select, String, bindparam, func, insert, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, make_transient_to_detached

from amtsweg.formdefs import service as formdefs
from amtsweg.formdefs.engine import (
    NUL,
    AnswerError,
    Evaluation,
    FeeBreakdown,
    Field,
    Step,
    evaluate,
    prefill,
    without_nul,
)
from amtsweg.formdefs.engine import FormDefinition as CompiledDefinition
from amtsweg.formdefs.models import FormVersion
from amtsweg.platform import outbox
from amtsweg.platform.db import db, require_tenant_scope, take_write_lock, utcnow
from amtsweg.platform.errors import Conflict, FieldProblem, NotFound, Refusal, json_pointer
from amtsweg.platform.signals import (
    payment_changed,
    payment_succeeded,
    submission_created,
    submission_erased,
)
from amtsweg.platform.storage import delete_after_commit, storage
from amtsweg.submissions import confirmation, notices
from amtsweg.submissions.applicants import applicant_name, search_keys
from amtsweg.submissions.models import (
    Draft,
    ProcessingEntry,
    ProcessingStatus,
    ReferenceCounter,
    Submission,
    SubmissionNameKey,
    SubmissionStatus,
    Upload,
)
from amtsweg.submissions.uploads import CheckedUpload, UploadRejectedError, check_upload
from amtsweg.tenants import service as tenants
from amtsweg.tenants.models import Tenant, User

AUTHORITY_ZONE = ZoneInfo("Europe/Berlin")


class SubmissionError(Refusal):
    """A refused operation on an application."""


class AnswersInvalidError(SubmissionError):
    """The answers do not satisfy the definition; each problem points into ``/answers``.

    ``evaluation.errors`` keeps the engine's errors for pages that show them
    next to the fields.
    """

    def __init__(self, evaluation: Evaluation) -> None:
        self.evaluation = evaluation
        super().__init__(
            ngettext(
                "%(num)d answer needs attention.",
                "%(num)d answers need attention.",
                len(evaluation.errors),
            ),
            problems=[
                FieldProblem(answer_pointer(error.path), error.message, error.code)
                for error in evaluation.errors
            ],
        )


def answer_pointer(path: str) -> str:
    """``hunde[1].rasse`` → ``/answers/hunde/1/rasse`` (a JSON pointer into the request)."""
    return json_pointer("answers", *re.findall(r"[^.\[\]]+", path))


class IdempotencyKeyReusedError(Conflict):
    """An Idempotency-Key came again with a different request (409)."""


def today() -> dt.date:
    """The date in the authority's time zone, which relative date rules refer to."""
    return dt.datetime.now(AUTHORITY_ZONE).date()


# --- drafts -----------------------------------------------------------------


def _expiry() -> dt.datetime:
    """Drafts are kept ``AMTSWEG_DRAFT_DAYS`` after their last change, not as long as
    submissions: an application nobody finishes is not worth keeping."""
    return utcnow() + dt.timedelta(days=current_app.config["AMTSWEG"].draft_days)


def _unsubmitted_draft(user: User, version: FormVersion) -> Draft | None:
    """The citizen's unsubmitted draft of this form (expired or not); there is at most one."""
    return db.session.scalar(
        select(Draft).where(
            Draft.user_id == user.id,
            Draft.definition_id == version.definition_id,
            Draft.submitted_at.is_(None),
        )
    )


def open_draft(user: User, version: FormVersion) -> Draft | None:
    """The citizen's unsubmitted, unexpired draft of this form, if any."""
    draft = _unsubmitted_draft(user, version)
    return draft if draft is not None and draft.expires_at > utcnow() else None


def start_draft(
    tenant: Tenant, user: User, form: formdefs.OfferedForm, claims: Mapping[str, Any]
) -> Draft:
    """Resume the citizen's open draft of ``form``, or start one prefilled from the login.

    An expired draft is deleted (with its files) first. Two starts at once (a
    double click) meet at the unique index of open drafts: the second one
    resumes the draft the first one created.
    """
    earlier = _unsubmitted_draft(user, form.version)
    if earlier is not None and earlier.expires_at > utcnow():
        return earlier
    if earlier is not None:
        _delete_draft(earlier)
        db.session.flush()
    draft = Draft(
        tenant_id=tenant.id,
        user_id=user.id,
        definition_id=form.version.definition_id,
        version_id=form.version.id,
        answers=prefill(form.definition, claims),
        step=form.definition.steps[0].id,
        expires_at=_expiry(),
    )
    try:
        with db.session.begin_nested():
            db.session.add(draft)
    except IntegrityError:
        if (winner := open_draft(user, form.version)) is None:
            raise
        return winner
    return draft


def find_draft(user: User, draft_id: uuid.UUID, *, for_update: bool = False) -> Draft | None:
    """The citizen's own draft in the current tenant; anyone else's is ``None``.

    Its version comes in the same query, without the (large) document, which
    only compiling needs and the compiled cache usually spares. ``for_update``
    locks the draft until the transaction ends (its row on PostgreSQL, the
    database's write lock on SQLite), so two posts to one draft at once are
    saved one after the other: neither loses the other's answers or files, and
    the second sees the revision the first saved.
    """
    return db.session.scalar(_locked(_DRAFT, for_update), _draft_parameters(user, draft_id))


def find_draft_and_offer(
    user: User, draft_id: uuid.UUID, *, for_update: bool = False
) -> tuple[Draft, formdefs.OfferedForm | None] | None:
    """:func:`find_draft`, and in the same query the form as the tenant offers it now
    (``None`` when it no longer does)."""
    found = db.session.execute(
        _locked(_DRAFT_AND_OFFER, for_update), _draft_parameters(user, draft_id)
    ).first()
    if found is None:
        return None
    draft, tenant_form, published = found
    return draft, formdefs.offer_of(tenant_form, published)


# Built once: every page of the journey runs one of them. The ORM's tenant
# criteria are added when they run, and Row Level Security filters the rows.
_DRAFT = (
    select(Draft)
    .where(
        Draft.id == bindparam("draft_id"),
        Draft.user_id == bindparam("user_id"),
        Draft.expires_at > bindparam("now"),
    )
    .options(
        joinedload(Draft.version, innerjoin=True).load_only(
            *formdefs.compiling_columns(FormVersion)
        )
    )
)
_DRAFT_AND_OFFER = formdefs.with_offer(_DRAFT, Draft.definition_id)


def _draft_parameters(user: User, draft_id: uuid.UUID) -> dict[str, Any]:
    return {"draft_id": draft_id, "user_id": user.id, "now": utcnow()}


def _locked(query: Select[Any], for_update: bool) -> Select[Any]:
    if not for_update:
        return query
    take_write_lock(db.session)
    return query.with_for_update(of=Draft)


def draft_definition(draft: Draft) -> CompiledDefinition:
    return formdefs.compiled(draft.version)


def save_step(
    draft: Draft,
    step_id: str,
    answers: Mapping[str, Any],
    claims: Mapping[str, Any],
    locale: str,
) -> Evaluation:
    """Store the answers after a step (invalid ones too, so nothing typed is lost).

    ``answers`` are the draft's answers with this step's replaced by what was
    posted. Fields locked to the login are filled from the login again, so a
    forged post cannot change them. A NUL cannot be stored: it is left out of
    the saved answers, and the evaluation of the answers as sent refuses it.
    Uploads the answers no longer refer to are deleted; the draft's revision
    and expiry move on.
    """
    definition = draft_definition(draft)
    sent = prefill(definition, claims, answers)
    draft.answers = without_nul(sent)
    draft.step = step_id
    draft.revision += 1
    draft.expires_at = _expiry()
    release_unreferenced(draft, definition, draft.answers)
    return evaluate(definition, sent, locale=locale, step=step_id, today=today())


def evaluate_draft(
    draft: Draft, locale: str, form: formdefs.OfferedForm | None = None
) -> Evaluation:
    """All answers of the draft checked; with ``form``, the fee has the tenant's overrides."""
    return evaluate(
        draft_definition(draft),
        draft.answers,
        locale=locale,
        today=today(),
        fee_overrides=form.tenant_form.fee_overrides if form else None,
    )


def purge_expired_drafts() -> int:
    """Delete unsubmitted drafts past their expiry in the current tenant, with their files."""
    expired = list(
        db.session.scalars(
            select(Draft).where(Draft.submitted_at.is_(None), Draft.expires_at <= utcnow())
        )
    )
    for draft in expired:
        _delete_draft(draft)
    return len(expired)


def _delete_draft(draft: Draft) -> None:
    for key in db.session.scalars(select(Upload.storage_key).where(Upload.draft_id == draft.id)):
        delete_after_commit(key)
    db.session.delete(draft)


# --- uploads ----------------------------------------------------------------


def record_upload(
    draft: Draft, field_path: str, checked: CheckedUpload, storage_key: str
) -> Upload:
    """Remember a checked file the citizen uploaded for ``draft`` (kept under ``storage_key``)."""
    upload = Upload(
        tenant_id=draft.tenant_id,
        draft_id=draft.id,
        field_path=field_path,
        storage_key=storage_key,
        name=checked.name,
        mime=checked.mime,
        size=checked.size,
        sha256=checked.sha256,
    )
    db.session.add(upload)
    db.session.flush()
    return upload


@dataclass(slots=True)
class FileAnswer:
    """Where one file field's answer lives: ``container[field.id]``, shown as ``path``."""

    field: Field
    path: str
    container: MutableMapping[str, Any]

    @property
    def files(self) -> list[dict[str, Any]]:
        value = self.container.get(self.field.id)
        value = [value] if isinstance(value, Mapping) else value
        return [item for item in value or () if isinstance(item, Mapping)]


def file_answers(
    within: CompiledDefinition | Step, answers: MutableMapping[str, Any]
) -> Iterator[FileAnswer]:
    """Every file field's answer in ``answers`` to the fields of a definition or a
    step, inside the items of repeating groups too (``hunde[0].erlaubnis``)."""
    fields = (
        within.fields_by_id.values() if isinstance(within, CompiledDefinition) else within.fields
    )
    return _file_answers(fields, answers, "")


def _file_answers(
    fields: Iterable[Field], answers: MutableMapping[str, Any], prefix: str
) -> Iterator[FileAnswer]:
    for field in fields:
        if field.kind == "file":
            yield FileAnswer(field, prefix + field.id, answers)
        elif field.kind == "group" and isinstance(items := answers.get(field.id), list):
            for index, item in enumerate(items):
                if isinstance(item, MutableMapping):
                    yield from _file_answers(field.fields, item, f"{prefix}{field.id}[{index}].")


def _referenced_tokens(definition: CompiledDefinition, answers: Mapping[str, Any]) -> set[str]:
    return {
        str(item.get("token"))
        for answer in file_answers(definition, dict(answers))
        for item in answer.files
    }


def uploaded_bytes(draft: Draft, definition: CompiledDefinition, answers: Mapping[str, Any]) -> int:
    """What the files ``answers`` refer to weigh (uploads about to be released do not count)."""
    referenced = _referenced_tokens(definition, answers)
    sizes = db.session.execute(
        select(Upload.id, Upload.size).where(Upload.draft_id == draft.id)
    ).all()
    return sum(size for upload_id, size in sizes if str(upload_id) in referenced)


def release_unreferenced(
    draft: Draft, definition: CompiledDefinition, answers: Mapping[str, Any]
) -> None:
    """Delete the uploads of ``draft`` that ``answers`` no longer refer to (replaced,
    removed, refused by the engine, or of a field that is hidden at submit); their
    bytes leave storage once the change is committed."""
    referenced = _referenced_tokens(definition, answers)
    for upload in db.session.scalars(select(Upload).where(Upload.draft_id == draft.id)):
        if str(upload.id) not in referenced:
            delete_after_commit(upload.storage_key)
            db.session.delete(upload)


def find_upload(draft: Draft, upload_id: uuid.UUID) -> Upload | None:
    return db.session.scalar(
        select(Upload).where(Upload.id == upload_id, Upload.draft_id == draft.id)
    )


# --- submitting -------------------------------------------------------------


def _insert_numbered(tenant: Tenant, row: Mapping[str, Any]) -> str:
    """Insert the submission ``row`` with the tenant's next reference number and the
    clerk's search keys for the applicant's name; return the reference:
    ``MUS-2026-000123``, per tenant and year, never the same number twice.

    One upsert takes the next number: it creates the year's counter or
    increments it, and holds the row's lock until the transaction ends, so
    concurrent submissions (also the first two of a year) never collide. On
    PostgreSQL one statement does it all (:func:`_insert_with_keys`).
    """
    connection = db.session.connection()
    year = dt.datetime.now(AUTHORITY_ZONE).year
    keys = search_keys(row["applicant_name"])
    if connection.dialect.name != "postgresql":
        return _insert_one_by_one(connection, tenant, row, year, keys)
    counter = {"counter_tenant_id": tenant.id, "prefix": tenant.reference_prefix, "year": year}
    return connection.scalar(_INSERT_WITH_KEYS, {**row, **counter, "keys": keys})


def _insert_one_by_one(
    connection: Connection, tenant: Tenant, row: Mapping[str, Any], year: int, keys: list[str]
) -> str:
    """SQLite (the demo) has no ``next_reference`` and no inserts inside a WITH: the
    number, the submission and its name keys take a statement each."""
    number = connection.scalar(
        _NEXT_NUMBER, {"tenant_id": tenant.id, "id": uuid.uuid4(), "year": year}
    )
    reference = f"{tenant.reference_prefix}-{year}-{number:06d}"
    connection.execute(_INSERT_SUBMISSION, {**row, "reference": reference})
    if keys:
        name_keys = [
            {"tenant_id": row["tenant_id"], "submission_id": row["id"], "key": key} for key in keys
        ]
        connection.execute(_INSERT_NAME_KEYS, name_keys)
    return reference


def _insert_with_keys() -> Select[tuple[str]]:
    """PostgreSQL: the submission's insert, whose reference the database function
    ``next_reference`` (migration 0016) takes inside it, with its name keys (the
    parameter ``keys``) in the same statement, which returns the reference.

    An INSERT is not given the ORM's tenant criteria: the submission names its
    tenant, and its keys take it from the submission.
    """
    reference = func.next_reference(
        bindparam("counter_tenant_id", type_=ReferenceCounter.tenant_id.type),
        bindparam("prefix", type_=String()),
        bindparam("year", type_=ReferenceCounter.year.type),
        type_=String,
    )
    # Inside a WITH, an insert's values must be named (no columns are taken from the
    # parameters given): every column of the row, and the reference.
    values = {
        column.key: bindparam(column.key, type_=column.type)
        for column in Submission.__table__.columns
        if column.key not in _NOT_YET
    }
    submission = (
        insert(Submission)
        .values({**values, "reference": reference})
        .returning(Submission.tenant_id, Submission.id, Submission.reference)
        .cte("submission")
    )
    key_rows = select(
        submission.c.tenant_id,
        func.gen_random_uuid(),
        submission.c.id,
        func.unnest(bindparam("keys", type_=ARRAY(SubmissionNameKey.key.type))),
    )
    columns = ["tenant_id", "id", "submission_id", "key"]
    name_keys = insert(SubmissionNameKey).from_select(columns, key_rows).cte("name_keys")
    return select(submission.c.reference).add_cte(name_keys)


#: What a new submission has not had yet: NULL in its row, and given to the object made
#: from the row so that every column is loaded and nothing is fetched for it later.
_NOT_YET = dict.fromkeys(("payment", "payment_status", "confirmation_sent_at", "acknowledged_at"))


# Built once and run on the session's connection rather than through the unit of work:
# a statement made per submission would have its cache key and RETURNING worked out anew
# each time.
_INSERT_WITH_KEYS = _insert_with_keys()
_INSERT_SUBMISSION = insert(Submission)
_INSERT_NAME_KEYS = insert(SubmissionNameKey)


#: The counter's upsert where the database has no ``next_reference`` (SQLite), built once.
_NEXT_NUMBER = (
    sqlite_insert(ReferenceCounter)
    .values(
        tenant_id=bindparam("tenant_id"),
        id=bindparam("id"),
        year=bindparam("year"),
        last_number=1,
    )
    .on_conflict_do_update(
        index_elements=[ReferenceCounter.tenant_id, ReferenceCounter.year],
        set_={"last_number": ReferenceCounter.last_number + 1},
    )
    .returning(ReferenceCounter.last_number)
)


@dataclass(frozen=True, slots=True)
class Outcome:
    submission: Submission
    created: bool  # False when an earlier identical request already created it


def fee_document(evaluation: Evaluation, definition: CompiledDefinition) -> dict[str, Any]:
    """The fee as stored with a submission and shown on the summary page."""
    return _fee_document(evaluation.fee, definition.fee_collection)


def _fee_document(fee: FeeBreakdown, collection: str) -> dict[str, Any]:
    return {
        "collection": collection,
        "currency": fee.currency,
        "total": fee.total,
        "lines": [
            {
                "rule": line.rule_id,
                "label": {"de": line.label.de, "en": line.label.en},
                "quantity": line.quantity,
                "unit_amount": line.unit_amount,
                "amount": line.amount,
            }
            for line in fee.lines
        ],
    }


def _status_for(fee: FeeBreakdown, collection: str) -> SubmissionStatus:
    if collection == "online" and fee.total > 0:
        return SubmissionStatus.AWAITING_PAYMENT
    return SubmissionStatus.SUBMITTED


def _create(
    tenant: Tenant,
    user: User,
    form: formdefs.OfferedForm,
    version: FormVersion,
    answers: Mapping[str, Any],
    *,
    locale: str,
    draft: Draft | None = None,
    idempotency_key: str | None = None,
    request_fingerprint: str | None = None,
    confirmation_email: str | None = None,
) -> Outcome:
    if not tenant.is_live:
        raise SubmissionError(
            gettext(
                "%(tenant)s is still preparing its online services: this is a preview and "
                "takes no applications yet. Please apply directly at the municipality.",
                tenant=tenant.name,
            ),
            status=409,
        )
    definition = formdefs.compiled(version)
    evaluation = evaluate(
        definition,
        answers,
        locale=locale,
        today=today(),
        fee_overrides=form.tenant_form.fee_overrides,
    )
    if not evaluation.ok:
        raise AnswersInvalidError(evaluation)
    _refuse_files_not_uploaded(definition, evaluation, draft, locale)
    if draft is not None:
        release_unreferenced(draft, definition, evaluation.cleaned)
    row = {
        "tenant_id": tenant.id,
        "id": uuid.uuid4(),
        "user_id": user.id,
        "version_id": version.id,
        "draft_id": draft.id if draft else None,
        "idempotency_key": idempotency_key,
        "request_fingerprint": request_fingerprint,
        "answers": dict(evaluation.cleaned),
        "fee": _fee_document(evaluation.fee, definition.fee_collection),
        "fee_total": evaluation.fee.total,
        "status": _status_for(evaluation.fee, definition.fee_collection),
        "submitted_at": utcnow(),
        "locale": locale,
        "confirmation_email": confirmation_email,
        "definition_id": version.definition_id,
        "applicant_name": applicant_name(evaluation.cleaned, user.display_name),
        "processing_status": ProcessingStatus.RECEIVED,
    }
    outcome = _insert_once(tenant, row, user, draft, idempotency_key)
    if not outcome.created:
        return _repeated(outcome.submission, request_fingerprint)
    submission = outcome.submission
    if draft is not None:
        draft.submitted_at = submission.submitted_at
    submission_created.send(submission, tenant=tenant)
    if confirmation_email:
        outbox.add(tenant.id, confirmation.KIND, submission.id)
    return outcome


def _insert_once(
    tenant: Tenant,
    row: Mapping[str, Any],
    user: User,
    draft: Draft | None,
    idempotency_key: str | None,
) -> Outcome:
    """Insert the submission ``row``, or return the earlier one of the same draft or
    Idempotency-Key.

    Only a draft or a key can make a request a repetition; without either
    nothing can collide and the savepoint to recover from a collision (two
    round trips) is left out.
    """
    if draft is None and idempotency_key is None:
        return Outcome(_inserted(tenant, row), created=True)
    try:
        with db.session.begin_nested():
            submission = _inserted(tenant, row)
    except IntegrityError:
        earlier = _earlier(user, draft, idempotency_key)
        if earlier is None:
            raise
        return Outcome(earlier, created=False)
    return Outcome(submission, created=True)


def _inserted(tenant: Tenant, row: Mapping[str, Any]) -> Submission:
    """The submission ``row`` written, and in the session as if loaded (without a query).

    A Core insert has neither the tenant stamping nor the check of the ORM's
    flush: the scope is checked here, and Row Level Security checks the row.
    """
    require_tenant_scope(tenant.id)
    submission = Submission(**row, **_NOT_YET, reference=_insert_numbered(tenant, row))
    make_transient_to_detached(submission)
    db.session.add(submission)
    return submission


def log_fields(submission_id: uuid.UUID | None) -> dict[str, str]:
    """The tenant's slug and the submission's reference for a job's log lines
    (``logs.log_context``); empty when the submission is gone."""
    submission = submission_id and db.session.scalar(
        select(Submission).where(Submission.id == submission_id)
    )
    if submission is None:
        return {}
    tenant = db.session.get_one(Tenant, submission.tenant_id)
    return {"tenant": tenant.slug, "reference": submission.reference}


def mark_confirmation_sent(submission: Submission) -> None:
    submission.confirmation_sent_at = utcnow()


def _uploaded_tokens(draft: Draft | None) -> set[str]:
    if draft is None:
        return set()
    return {
        str(upload_id)
        for upload_id in db.session.scalars(select(Upload.id).where(Upload.draft_id == draft.id))
    }


def _refuse_files_not_uploaded(
    definition: CompiledDefinition, evaluation: Evaluation, draft: Draft | None, locale: str
) -> None:
    """Every file answer must name an upload of this draft: file answers are
    metadata, and made-up metadata must not pass for a document that was never
    received. Without a draft (the API) no file can have been uploaded."""
    known = _uploaded_tokens(draft)
    with force_locale(locale):
        message = gettext("Files can only be uploaded in the application in the browser.")
    errors = tuple(
        AnswerError(answer.path, "file_not_uploaded", message)
        for answer in file_answers(definition, dict(evaluation.cleaned))
        for upload in answer.files
        if upload.get("token") not in known
    )
    if errors:
        raise AnswersInvalidError(replace(evaluation, errors=errors))


def _earlier(user: User, draft: Draft | None, idempotency_key: str | None) -> Submission | None:
    if draft is not None:
        return db.session.scalar(select(Submission).where(Submission.draft_id == draft.id))
    return db.session.scalar(
        select(Submission).where(
            Submission.user_id == user.id, Submission.idempotency_key == idempotency_key
        )
    )


def submit_draft(
    tenant: Tenant,
    user: User,
    form: formdefs.OfferedForm,
    draft: Draft,
    *,
    locale: str,
    confirmation_email: str | None = None,
) -> Outcome:
    """Submit a draft exactly once; a repeated submit returns the first submission.

    The receipt goes to ``confirmation_email`` (the login's address), else to
    an ``email`` answer of the form, by a job after the commit.
    """
    if draft.submitted_at is not None and (earlier := _earlier(user, draft, None)):
        return Outcome(earlier, created=False)
    version = db.session.get_one(FormVersion, draft.version_id)
    return _create(
        tenant,
        user,
        form,
        version,
        draft.answers,
        locale=locale,
        draft=draft,
        confirmation_email=confirmation_email or _answered_email(draft.answers),
    )


def _answered_email(answers: Mapping[str, Any]) -> str | None:
    email = answers.get("email")
    return email if isinstance(email, str) and "@" in email else None


def submit_answers(
    tenant: Tenant,
    user: User,
    form: formdefs.OfferedForm,
    answers: Mapping[str, Any],
    *,
    locale: str,
    idempotency_key: str | None = None,
    confirmation_email: str | None = None,
) -> Outcome:
    """The headless API: the same validation and result as the HTML journey.

    A request repeated with its ``idempotency_key`` returns the first result; the
    key sent with a different request (another form, other answers) is refused
    with :class:`IdempotencyKeyReusedError` instead of answering something else.
    """
    fingerprint = request_fingerprint(form, answers, locale) if idempotency_key else None
    if idempotency_key and (earlier := _earlier(user, None, idempotency_key)):
        return _repeated(earlier, fingerprint)
    return _create(
        tenant,
        user,
        form,
        form.version,
        answers,
        locale=locale,
        idempotency_key=idempotency_key,
        request_fingerprint=fingerprint,
        confirmation_email=confirmation_email or _answered_email(answers),
    )


def request_fingerprint(form: formdefs.OfferedForm, answers: Mapping[str, Any], locale: str) -> str:
    """What makes two API submissions the same request: the form and the canonical body."""
    body = json.dumps(
        {"form": form.definition.slug, "answers": answers, "locale": locale},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(body.encode()).hexdigest()


def _repeated(earlier: Submission, fingerprint: str | None) -> Outcome:
    if earlier.request_fingerprint not in {None, fingerprint}:
        raise IdempotencyKeyReusedError(
            gettext(
                "This Idempotency-Key was already used for a different request. "
                "Use a new key for a new submission."
            )
        )
    return Outcome(earlier, created=False)


# --- reading ----------------------------------------------------------------


def submission_of_draft(draft: Draft) -> Submission:
    return db.session.scalars(select(Submission).where(Submission.draft_id == draft.id)).one()


def submission_definition(submission: Submission) -> CompiledDefinition:
    return formdefs.compiled(db.session.get_one(FormVersion, submission.version_id))


def form_title(submission: Submission, locale: str) -> str:
    return submission_definition(submission).title.get(locale)


def find_submission(user: User, reference: str) -> Submission | None:
    return db.session.scalar(
        select(Submission).where(Submission.reference == reference, Submission.user_id == user.id)
    )


def applications_of(user: User) -> tuple[list[Draft], list[Submission]]:
    """The citizen's open drafts and submissions in the current tenant, newest first."""
    drafts = db.session.scalars(
        select(Draft)
        .where(Draft.user_id == user.id, Draft.submitted_at.is_(None), Draft.expires_at > utcnow())
        .order_by(Draft.updated_at.desc())
    )
    submissions = db.session.scalars(
        select(Submission)
        .where(Submission.user_id == user.id)
        .order_by(Submission.submitted_at.desc())
    )
    return list(drafts), list(submissions)


# --- payment signals ----------------------------------------------------------


def on_payment_changed(
    _sender: Any, *, tenant_id: uuid.UUID, submission_id: uuid.UUID, summary: dict[str, Any]
) -> None:
    """Keep the payment's summary on the submission, for pages, lists and the API."""
    db.session.execute(
        update(Submission)
        .where(Submission.tenant_id == tenant_id, Submission.id == submission_id)
        .values(payment=dict(summary), payment_status=summary["status"])
        .execution_options(synchronize_session="fetch")
    )


def on_payment_succeeded(
    _sender: Any, *, tenant_id: uuid.UUID, submission_id: uuid.UUID, **_kwargs: Any
) -> None:
    """Paid: the submission moves on (only from awaiting payment, so never backwards)."""
    db.session.execute(
        update(Submission)
        .where(
            Submission.tenant_id == tenant_id,
            Submission.id == submission_id,
            Submission.status == SubmissionStatus.AWAITING_PAYMENT,
        )
        .values(status=SubmissionStatus.PAID)
        .execution_options(synchronize_session="fetch")
    )


def connect_payment_receivers() -> None:
    payment_changed.connect(on_payment_changed)
    payment_succeeded.connect(on_payment_succeeded)


def uploads_of(submission: Submission) -> list[Upload]:
    """The files the submission's answers name, in the order the answers name them.

    Uploads belong to the draft; one the citizen replaced or removed before
    submitting is not part of the submission. The API cannot upload, so a
    submission without a draft has none.
    """
    if submission.draft_id is None:
        return []
    definition = submission_definition(submission)
    rows = {
        str(upload.id): upload
        for upload in db.session.scalars(
            select(Upload).where(Upload.draft_id == submission.draft_id)
        )
    }
    named = (
        str(item.get("token"))
        for answer in file_answers(definition, dict(submission.answers))
        for item in answer.files
    )
    return [rows[token] for token in named if token in rows]


# --- what delivery reports -----------------------------------------------------


def on_delivery_succeeded(
    _sender: Any, *, submission_id: uuid.UUID, all_delivered: bool, **_kwargs: Any
) -> None:
    """The submission is delivered once every one of its targets has it."""
    if all_delivered:
        _submission_by_id(submission_id).status = SubmissionStatus.DELIVERED


def on_delivery_dead(_sender: Any, *, submission_id: uuid.UUID, **_kwargs: Any) -> None:
    """A target gave up: staff must act (see the submission's deliveries)."""
    _submission_by_id(submission_id).status = SubmissionStatus.DELIVERY_FAILED


def _submission_by_id(submission_id: uuid.UUID) -> Submission:
    return db.session.scalars(select(Submission).where(Submission.id == submission_id)).one()


def processing_history(submission: Submission) -> list[ProcessingEntry]:
    """Status changes and the citizen's answers, oldest first."""
    return list(
        db.session.scalars(
            select(ProcessingEntry)
            .where(ProcessingEntry.submission_id == submission.id)
            .order_by(ProcessingEntry.created_at, ProcessingEntry.id)
        )
    )


# --- processing: the municipality answers, the citizen replies ----------------------

RESULT_DOCUMENT_TYPES = frozenset({"application/pdf"})
REPLY_FILE_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png"})
MAX_PROCESSING_FILE = 10 * 1024 * 1024
MAX_MESSAGE = 5000


@dataclass(frozen=True, slots=True)
class IncomingFile:
    """A file handed to the processing functions: its name as sent and its bytes."""

    filename: str
    data: bytes


def _stored_files(
    files: Iterable[IncomingFile],
    accept: frozenset[str],
    locale: str,
    pointer: Callable[[int], str] = lambda index: json_pointer("files", index),
) -> list[dict[str, Any]]:
    """Check every file first and store them only when all pass, so nothing is half-kept;
    a refused file is named by ``pointer(its index)``."""
    checked = []
    for index, incoming in enumerate(files):
        try:
            upload = check_upload(
                incoming.data, incoming.filename, accept, max_size=MAX_PROCESSING_FILE
            )
        except UploadRejectedError as rejected:
            raise Refusal(
                rejected.message(locale),
                problems=[FieldProblem(pointer(index), rejected.message(locale))],
            ) from None
        checked.append((upload, incoming.data))
    stored = []
    for upload, data in checked:
        key = storage().put("processing", data)
        stored.append({"name": upload.name, "mime": upload.mime, "size": upload.size, "key": key})
    return stored


def _checked_message(message: str, *, required: bool) -> str:
    message = message.strip()
    if required and not message:
        raise _message_refused(gettext("Please write a message."))
    if len(message) > MAX_MESSAGE:
        raise _message_refused(
            gettext("The message is longer than %(max)d characters.", max=MAX_MESSAGE)
        )
    if NUL in message:
        raise _message_refused(
            gettext(
                "The message contains a null character (NUL), which cannot be stored. "
                "Please send it again without it."
            )
        )
    return message


def _message_refused(detail: str) -> Refusal:
    return Refusal(detail, problems=[FieldProblem(json_pointer("message"), detail)])


def set_processing_status(
    tenant: Tenant,
    submission: Submission,
    status: ProcessingStatus,
    message: str,
    *,
    actor: User | None,
    actor_name: str,
    document: IncomingFile | None = None,
) -> ProcessingEntry:
    """A clerk (or specialist software) moves the application on and tells the citizen.

    The entry is kept in the history the citizen sees; the email is an
    outbox message written with it (sent after the commit, retried until it
    is handed over). Asking for more information needs a message saying what.
    """
    require_tenant_scope(tenant.id)
    text = _checked_message(message, required=status is ProcessingStatus.MORE_INFORMATION_NEEDED)
    files = _stored_files(
        [document] if document else [], RESULT_DOCUMENT_TYPES, "de", lambda _index: "/document"
    )
    entry = ProcessingEntry(
        tenant_id=tenant.id,
        submission_id=submission.id,
        status=status,
        message=text,
        files=files,
        actor_id=actor.id if actor else None,
        actor_name=actor_name,
    )
    db.session.add(entry)
    submission.processing_status = status
    db.session.flush()
    tenants.record(
        tenant,
        "submission.status_set",
        "submission",
        submission.reference,
        details={"status": status.value, "document": bool(files)},
        actor=actor,
    )
    outbox.add(tenant.id, notices.KIND, entry.id)
    return entry


def answer_request(
    tenant: Tenant,
    submission: Submission,
    user: User,
    *,
    message: str,
    files: Iterable[IncomingFile],
    locale: str,
) -> ProcessingEntry:
    """The citizen answers "more information needed" with a message and files.

    Only while the municipality asks; the application is back with the clerk then.
    """
    require_tenant_scope(tenant.id)
    if submission.processing_status is not ProcessingStatus.MORE_INFORMATION_NEEDED:
        raise Conflict(gettext("The municipality is not asking for more information now."))
    text = _checked_message(message, required=True)
    entry = ProcessingEntry(
        tenant_id=tenant.id,
        submission_id=submission.id,
        status=None,
        message=text,
        files=_stored_files(files, REPLY_FILE_TYPES, locale),
        from_citizen=True,
        actor_id=user.id,
        actor_name=user.display_name,
    )
    db.session.add(entry)
    submission.processing_status = ProcessingStatus.IN_PROGRESS
    tenants.record(tenant, "submission.answered", "submission", submission.reference, actor=user)
    return entry


def processing_file(submission: Submission, entry_id: uuid.UUID, index: int) -> tuple[dict, bytes]:
    """A file of the history (the result document, the citizen's files) with its bytes."""
    meta = _history_entry(submission, entry_id, index).files[index]
    return meta, storage().get(meta["key"])


def retrieve_document(
    tenant: Tenant, submission: Submission, user: User, entry_id: uuid.UUID, index: int
) -> tuple[dict, bytes]:
    """A file of the history for the applicant; the first download of a document the
    municipality sent is recorded with its time, on the entry and in the audit log.

    An administrative act provided for retrieval counts as notified on the day after
    it was retrieved (§ 41 (2a) VwVfG), so the clerk needs to know that day.
    """
    entry = _history_entry(submission, entry_id, index, lock=True)
    meta = entry.files[index]
    if not entry.from_citizen and "retrieved_at" not in meta:
        retrieved = {**meta, "retrieved_at": utcnow().isoformat()}
        entry.files = [retrieved if at == index else file for at, file in enumerate(entry.files)]
        tenants.record(
            tenant,
            "submission.document_retrieved",
            "submission",
            submission.reference,
            details={"entry": str(entry.id), "file": index},
            actor=user,
        )
    return meta, storage().get(meta["key"])


def _history_entry(
    submission: Submission, entry_id: uuid.UUID, index: int, *, lock: bool = False
) -> ProcessingEntry:
    """The entry of ``submission``'s history that has a file ``index``; 404 otherwise."""
    query = select(ProcessingEntry).where(
        ProcessingEntry.id == entry_id, ProcessingEntry.submission_id == submission.id
    )
    entry = db.session.scalar(query.with_for_update() if lock else query)
    if entry is None or not 0 <= index < len(entry.files):
        raise NotFound(gettext("There is no such file."))
    return entry


def acknowledge(tenant: Tenant, submission: Submission, *, client: str) -> bool:
    """Specialist software confirms it has fetched the submission; true the first time."""
    require_tenant_scope(tenant.id)
    if submission.acknowledged_at is not None:
        return False
    submission.acknowledged_at = utcnow()
    tenants.record(
        tenant,
        "submission.acknowledged",
        "submission",
        submission.reference,
        details={"client": client},
    )
    return True


# --- deletion periods and data-subject requests -------------------------------------


def erase_submission(tenant: Tenant, submission: Submission) -> None:
    """Delete a submission with its files, history and draft; payment and delivery
    erase their parts on :data:`~amtsweg.platform.signals.submission_erased`."""
    require_tenant_scope(tenant.id)
    submission_erased.send(None, tenant_id=tenant.id, submission_id=submission.id)
    for entry in processing_history(submission):
        for stored in entry.files:
            delete_after_commit(stored["key"])
    draft = db.session.get(Draft, (tenant.id, submission.draft_id)) if submission.draft_id else None
    db.session.delete(submission)
    db.session.flush()
    if draft is not None:
        erase_draft(draft)


def erase_draft(draft: Draft) -> None:
    """Delete a draft with its uploaded files (after the commit)."""
    for key in db.session.scalars(select(Upload.storage_key).where(Upload.draft_id == draft.id)):
        delete_after_commit(key)
    db.session.delete(draft)


def retention_days(version: FormVersion, overrides: Mapping[uuid.UUID, int]) -> int:
    """How long a submission of ``version`` is kept: the definition's period, or the
    tenant's shorter one."""
    days = formdefs.compiled(version).retention_days
    return min(days, overrides.get(version.definition_id, days))


def kept_until(tenant: Tenant, submission: Submission) -> dt.datetime:
    version = db.session.get_one(FormVersion, submission.version_id)
    days = retention_days(version, formdefs.retention_overrides(tenant))
    return submission.submitted_at + dt.timedelta(days=days)


def purge_due_submissions(tenant: Tenant) -> int:
    """Delete the tenant's submissions whose retention period has ended; how many."""
    require_tenant_scope(tenant.id)
    overrides = formdefs.retention_overrides(tenant)
    version_ids = db.session.scalars(select(Submission.version_id).distinct())
    erased = 0
    for version in db.session.scalars(
        select(FormVersion).where(FormVersion.id.in_(list(version_ids)))
    ):
        cutoff = utcnow() - dt.timedelta(days=retention_days(version, overrides))
        due = db.session.scalars(
            select(Submission).where(
                Submission.version_id == version.id, Submission.submitted_at <= cutoff
            )
        ).all()
        for submission in due:
            erase_submission(tenant, submission)
        erased += len(due)
    return erased
