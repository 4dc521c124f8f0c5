"""What a clerk may see of a tenant's submissions, and how the workplace finds them.

A clerk sees the submissions of their tenant (row level security and the
session's tenant scope see to that), limited to some forms when their
membership says so (:func:`amtsweg.tenants.service.clerk_form_limit`);
tenant and association admins see every form. Every query here goes through
a :class:`ClerkScope`, so no list, detail, download or export can reach past
the forms of the clerk.

The list pages by keyset (``submitted_at``, ``id``) on the indexes of
:class:`~amtsweg.submissions.models.Submission`, so the 2,000th page costs
what the first does.

Payment and delivery show their part of a submission on the clerk's page
through :func:`amtsweg.submissions.panels.register_clerk_panel`.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import enum
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, select, tuple_

from amtsweg.formdefs import service as formdefs
from amtsweg.formdefs.models import FormDefinition
from amtsweg.platform.auth.principal import Principal
from amtsweg.platform.auth.roles import Role
from amtsweg.platform.db import db, require_tenant_scope
from amtsweg.submissions.applicants import prefix_end, search_form
from amtsweg.submissions.models import (
    ProcessingStatus,
    Submission,
    SubmissionNameKey,
    SubmissionStatus,
)
from amtsweg.submissions.service import AUTHORITY_ZONE
from amtsweg.tenants import service as tenants
from amtsweg.tenants.access import tenant_roles
from amtsweg.tenants.models import Tenant, User

PAGE_SIZE = 50
REFERENCE = re.compile(r"^[A-Za-z]{1,8}-\d{4}-\d{1,9}$")

# --- who sees what ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ClerkScope:
    """The tenant and the forms (``None``: all) whose submissions a clerk may see."""

    tenant: Tenant
    principal: Principal
    definition_ids: frozenset[uuid.UUID] | None

    @property
    def actor(self) -> User | None:
        """The person for the audit log; ``None`` for a service account."""
        if self.principal.user_id is None:
            return None
        return db.session.get(User, self.principal.user_id)

    @property
    def audit_details(self) -> dict[str, Any]:
        """For service accounts: which one (a client id, not personal data)."""
        return {"client": self.principal.subject} if self.principal.is_service else {}

    def limit(self, query: Select[Any]) -> Select[Any]:
        require_tenant_scope(self.tenant.id)
        if self.definition_ids is None:
            return query
        return query.where(Submission.definition_id.in_(self.definition_ids))

    def may_see(self, definition_id: uuid.UUID) -> bool:
        return self.definition_ids is None or definition_id in self.definition_ids


def clerk_scope(tenant: Tenant, principal: Principal) -> ClerkScope:
    """What ``principal`` (already checked to hold a clerk role here) may see."""
    roles = tenant_roles(principal, tenant)
    slugs = None
    if not roles & {Role.TENANT_ADMIN, Role.ASSOCIATION_ADMIN}:
        slugs = tenants.clerk_form_limit(tenant, principal.user_id)
    ids = None
    if slugs is not None:
        ids = frozenset(
            db.session.scalars(select(FormDefinition.id).where(FormDefinition.slug.in_(slugs)))
        )
    return ClerkScope(tenant, principal, ids)


def visible_forms(scope: ClerkScope) -> list[formdefs.OfferedForm]:
    """The forms the clerk can filter by: the tenant's offered forms within the scope."""
    return [
        offered
        for offered in formdefs.offered_forms(scope.tenant)
        if scope.may_see(offered.tenant_form.definition_id)
    ]


def find(scope: ClerkScope, reference: str) -> Submission | None:
    return db.session.scalar(
        scope.limit(select(Submission)).where(Submission.reference == reference)
    )


# --- the list -----------------------------------------------------------------------


class Delivery(enum.StrEnum):
    """Delivery as the list filters it, read from the technical status."""

    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


DELIVERY_STATUSES = {
    Delivery.PENDING: (
        SubmissionStatus.SUBMITTED,
        SubmissionStatus.AWAITING_PAYMENT,
        SubmissionStatus.PAID,
    ),
    Delivery.DELIVERED: (SubmissionStatus.DELIVERED,),
    Delivery.FAILED: (SubmissionStatus.DELIVERY_FAILED,),
}


def payment_status_column() -> Any:
    """``submissions.payment_status`` once the payment area has added it, else ``None``."""
    return Submission.__table__.c.get("payment_status")


@dataclass(frozen=True, slots=True)
class ListFilter:
    form: uuid.UUID | None = None
    status: SubmissionStatus | None = None
    processing: ProcessingStatus | None = None
    payment: str | None = None
    delivery: Delivery | None = None
    submitted_from: dt.date | None = None
    submitted_to: dt.date | None = None
    search: str = ""
    since: dt.datetime | None = None
    acknowledged: bool | None = None
    oldest_first: bool = False


@dataclass(frozen=True, slots=True)
class Page:
    items: list[Submission]
    next_cursor: str | None
    filters: ListFilter = field(default_factory=ListFilter)


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), AUTHORITY_ZONE)


def filtered(scope: ClerkScope, filters: ListFilter) -> Select[Any]:
    """The clerk's submissions matching ``filters``, in list order (not yet paged)."""
    query = scope.limit(select(Submission))
    conditions = [
        (filters.form, lambda: Submission.definition_id == filters.form),
        (filters.status, lambda: Submission.status == filters.status),
        (filters.processing, lambda: Submission.processing_status == filters.processing),
        (filters.payment, lambda: payment_status_column() == filters.payment),
        (filters.delivery, lambda: Submission.status.in_(DELIVERY_STATUSES[filters.delivery])),
        (
            filters.submitted_from,
            lambda: Submission.submitted_at >= _day_start(filters.submitted_from),
        ),
        (
            filters.submitted_to,
            lambda: (
                Submission.submitted_at < _day_start(filters.submitted_to + dt.timedelta(days=1))
            ),
        ),
        (filters.since, lambda: Submission.submitted_at > filters.since),
        (filters.search.strip(), lambda: _search(filters.search)),
        (
            filters.acknowledged is not None,
            lambda: (
                Submission.acknowledged_at.is_not(None)
                if filters.acknowledged
                else Submission.acknowledged_at.is_(None)
            ),
        ),
    ]
    for given, condition in conditions:
        if given:
            query = query.where(condition())
    if filters.oldest_first:
        return query.order_by(Submission.submitted_at, Submission.id)
    return query.order_by(Submission.submitted_at.desc(), Submission.id.desc())


def _search(term: str) -> Any:
    """A reference exactly, or the beginning of a word of the applicant's name onwards
    (see :class:`~amtsweg.submissions.models.SubmissionNameKey`)."""
    term = term.strip()
    if REFERENCE.match(term):
        return Submission.reference == term.upper()
    return Submission.id.in_(named(term))


def named(term: str) -> Select[Any]:
    """The ids of the submissions with a word of the applicant's name beginning ``term``."""
    prefix = search_form(term)
    return select(SubmissionNameKey.submission_id).where(
        SubmissionNameKey.key >= prefix, SubmissionNameKey.key < prefix_end(prefix)
    )


def page(scope: ClerkScope, filters: ListFilter, cursor: str | None = None) -> Page:
    """One page of the list, and the cursor of the next (``None`` on the last page)."""
    query = filtered(scope, filters)
    if cursor is not None:
        after = tuple_(Submission.submitted_at, Submission.id)
        key = tuple_(*decode_cursor(cursor))
        query = query.where(after > key if filters.oldest_first else after < key)
    rows = list(db.session.scalars(query.limit(PAGE_SIZE + 1)))
    items = rows[:PAGE_SIZE]
    last = items[-1] if len(rows) > PAGE_SIZE else None
    following = encode_cursor(last.submitted_at, last.id) if last else None
    return Page(items, following, filters)


class CursorError(ValueError):
    """A paging cursor that was not made by :func:`encode_cursor`."""


def encode_cursor(moment: dt.datetime, key: uuid.UUID) -> str:
    """The position after a row of a list ordered by (moment, key), for the next page."""
    raw = f"{moment.isoformat()}|{key}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[dt.datetime, uuid.UUID]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment, _, key = raw.partition("|")
        return dt.datetime.fromisoformat(moment), uuid.UUID(key)
    except (binascii.Error, UnicodeDecodeError, ValueError) as bad:
        raise CursorError(str(bad)) from None


def stream(scope: ClerkScope, filters: ListFilter, batch: int = 500) -> Iterator[Submission]:
    """Every matching submission, fetched ``batch`` rows at a time (for exports)."""
    query = filtered(scope, filters).execution_options(yield_per=batch)
    for submission in db.session.scalars(query):
        yield submission
        db.session.expunge(submission)


def list_filter(scope: ClerkScope, args: dict[str, Any]) -> ListFilter:
    """A :class:`ListFilter` from loaded :class:`~.schemas.ClerkListArgsSchema` arguments.

    A form the clerk may not see filters to nothing (the scope excludes it anyway).
    """
    form = None
    if slug := args.get("form"):
        found = formdefs.find_definition(slug)
        form = found.id if found is not None and scope.may_see(found.id) else uuid.UUID(int=0)
    return ListFilter(
        form=form,
        status=args.get("status"),
        processing=args.get("processing"),
        payment=args.get("payment"),
        delivery=args.get("delivery"),
        submitted_from=args.get("submitted_from"),
        submitted_to=args.get("submitted_to"),
        search=args.get("search", ""),
        since=args.get("since"),
        acknowledged=args.get("acknowledged"),
        oldest_first=args.get("order") == "oldest",
    )


def audit(scope: ClerkScope, action: str, object_type: str, object_id: str) -> None:
    """Record that the clerk (or service account) looked at, downloaded or exported something."""
    tenants.record(
        scope.tenant,
        action,
        object_type,
        object_id,
        details=scope.audit_details,
        actor=scope.actor,
    )


VIEWED = "submission.viewed"
DOWNLOADED = "submission.downloaded"
EXPORTED = "form.exported"


def viewers(scope: ClerkScope, submission: Submission) -> list[tuple[dt.datetime, str]]:
    """When and by whom the submission was opened or downloaded, newest first."""
    return tenants.object_history(
        scope.tenant, "submission", submission.reference, actions=(VIEWED, DOWNLOADED)
    )
