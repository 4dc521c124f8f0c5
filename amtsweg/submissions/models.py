"""Drafts, submissions, their uploads, and the counters behind reference numbers."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Any

from sqlalchemy import (
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from amtsweg.formdefs.models import FormVersion
from amtsweg.platform.db import JSON_DOCUMENT, Base, TenantOwned, Timestamped, utcnow

# Byte order, so that a prefix is one range of the index whatever the database's collation.
SEARCH_KEY = String(200).with_variant(String(200, collation="C"), "postgresql")


class Draft(TenantOwned, Timestamped, Base):
    """A citizen's application in progress, saved after every step.

    It pins the form version it was started with, survives logout, and
    expires ``AMTSWEG_DRAFT_DAYS`` after its last change. A person has at most
    one open (unsubmitted) draft per form: a unique index on the open ones
    holds even against a double click on two connections. ``revision`` counts
    the saved changes, so a page posted from an older state is recognised.
    """

    __tablename__ = "drafts"
    __table_args__ = (
        Index(None, "tenant_id", "user_id"),
        Index(
            "uq_drafts_open_per_form",
            "tenant_id",
            "user_id",
            "definition_id",
            unique=True,
            postgresql_where=text("submitted_at IS NULL"),
            sqlite_where=text("submitted_at IS NULL"),
        ),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    definition_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("form_definitions.id"))
    version_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("form_versions.id"))
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    revision: Mapped[int] = mapped_column(default=0)
    step: Mapped[str | None] = mapped_column(String(100))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    expires_at: Mapped[dt.datetime]
    submitted_at: Mapped[dt.datetime | None]

    #: Loaded with the draft where a page needs its definition (see ``service.find_draft``).
    version: Mapped[FormVersion] = relationship(viewonly=True)


class SubmissionStatus(enum.StrEnum):
    """Where a submission stands, as the citizen and the clerk see it."""

    SUBMITTED = "submitted"
    AWAITING_PAYMENT = "awaiting_payment"
    PAID = "paid"
    DELIVERED = "delivered"
    DELIVERY_FAILED = "delivery_failed"


class ProcessingStatus(enum.StrEnum):
    """How far the municipality is with an application: set by clerks, seen by the citizen.

    Apart from the technical :class:`SubmissionStatus` (payment, delivery).
    """

    RECEIVED = "received"
    IN_PROGRESS = "in_progress"
    MORE_INFORMATION_NEEDED = "more_information_needed"
    APPROVED = "approved"
    REJECTED = "rejected"
    COMPLETED = "completed"


class Submission(TenantOwned, Base):
    """A submitted application: the answers as validated against the pinned version.

    ``draft_id`` (or the API's idempotency key) is unique per tenant, so a
    double click, a back button or a retried request can create at most one.
    ``definition_id`` and ``applicant_name`` (as written, single spaces) are
    kept beside the answers so the clerk's list can filter and search by index.
    ``request_fingerprint`` (form and canonical body of an API request) tells
    a retried request from a different one sent with the same key.
    """

    __tablename__ = "submissions"
    __table_args__ = (
        UniqueConstraint("tenant_id", "reference"),
        UniqueConstraint("tenant_id", "draft_id"),
        UniqueConstraint("tenant_id", "user_id", "idempotency_key"),
        ForeignKeyConstraint(["tenant_id", "draft_id"], ["drafts.tenant_id", "drafts.id"]),
        Index("ix_submissions_tenant_payment_status", "tenant_id", "payment_status"),
        # Keyset paging of the clerk's list: newest first, per tenant and per form.
        Index("ix_submissions_tenant_id_submitted_at", "tenant_id", "submitted_at", "id"),
        Index(
            "ix_submissions_tenant_id_definition_id",
            "tenant_id",
            "definition_id",
            "submitted_at",
            "id",
        ),
        Index(
            "ix_submissions_tenant_id_processing_status",
            "tenant_id",
            "processing_status",
            "submitted_at",
            "id",
        ),
        Index("ix_submissions_tenant_id_status", "tenant_id", "status", "submitted_at", "id"),
    )

    reference: Mapped[str] = mapped_column(String(30))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    version_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("form_versions.id"))
    draft_id: Mapped[uuid.UUID | None]
    idempotency_key: Mapped[str | None] = mapped_column(String(100))
    request_fingerprint: Mapped[str | None] = mapped_column(String(64))
    answers: Mapped[dict[str, Any]]
    fee: Mapped[dict[str, Any]]
    fee_total: Mapped[int] = mapped_column(default=0)
    status: Mapped[SubmissionStatus]
    submitted_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    locale: Mapped[str] = mapped_column(String(5), default="de")
    confirmation_email: Mapped[str | None] = mapped_column(String(254))
    confirmation_sent_at: Mapped[dt.datetime | None]
    # Kept by the receivers of the payment signals (see service.on_payment_changed):
    # ``{"status", "amount_cents", "currency", "provider", "kassenzeichen"}``.
    payment: Mapped[dict[str, Any] | None]
    payment_status: Mapped[str | None] = mapped_column(String(40))

    definition_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("form_definitions.id"))
    applicant_name: Mapped[str] = mapped_column(String(200), default="")
    processing_status: Mapped[ProcessingStatus] = mapped_column(default=ProcessingStatus.RECEIVED)
    acknowledged_at: Mapped[dt.datetime | None]


class SubmissionNameKey(TenantOwned, Base):
    """One way the clerk's search finds a submission by name: the applicant's name from
    one of its words on (``"erika mustermann"``, ``"mustermann"``).

    A search term is a prefix of a key, which is one range of the index
    ``(tenant_id, key)`` with ``>=`` and ``<``. Those operators are leakproof,
    so PostgreSQL may use the index under Row Level Security; ``LIKE`` is not,
    and would be applied to every row of the tenant after the policy.
    """

    __tablename__ = "submission_name_keys"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "submission_id"],
            ["submissions.tenant_id", "submissions.id"],
            ondelete="CASCADE",
        ),
        Index("ix_submission_name_keys_tenant_id_key", "tenant_id", "key", "submission_id"),
        Index("ix_submission_name_keys_tenant_id_submission_id", "tenant_id", "submission_id"),
    )

    submission_id: Mapped[uuid.UUID]
    key: Mapped[str] = mapped_column(SEARCH_KEY)


class ProcessingEntry(TenantOwned, Base):
    """One entry of a submission's processing history, as the citizen sees it.

    Either a clerk's status change (``status`` set, with a message and maybe a
    result document) or the citizen's answer to "more information needed"
    (``status`` empty, ``from_citizen``). ``files`` lists stored files as
    ``{"name", "mime", "size", "key"}`` (``key`` in file storage), a document the
    municipality sent with ``"retrieved_at"`` once the applicant downloaded it.
    """

    __tablename__ = "processing_entries"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "submission_id"],
            ["submissions.tenant_id", "submissions.id"],
            ondelete="CASCADE",
        ),
        Index(None, "tenant_id", "submission_id", "created_at"),
    )

    submission_id: Mapped[uuid.UUID]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    status: Mapped[ProcessingStatus | None]
    message: Mapped[str] = mapped_column(Text, default="")
    files: Mapped[list[dict[str, Any]]] = mapped_column(JSON_DOCUMENT, default=list)
    from_citizen: Mapped[bool] = mapped_column(default=False)
    actor_id: Mapped[uuid.UUID | None]
    actor_name: Mapped[str] = mapped_column(String(200), default="")

    def retrieved_at(self, index: int) -> dt.datetime | None:
        """When the applicant first downloaded file ``index`` (a document the municipality
        sent: ``service.retrieve_document``), if they have."""
        moment = self.files[index].get("retrieved_at")
        return dt.datetime.fromisoformat(moment) if moment else None


class Upload(TenantOwned, Timestamped, Base):
    """A file a citizen uploaded for a draft, kept in file storage, not the database."""

    __tablename__ = "uploads"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "draft_id"], ["drafts.tenant_id", "drafts.id"], ondelete="CASCADE"
        ),
    )

    draft_id: Mapped[uuid.UUID]
    field_path: Mapped[str] = mapped_column(String(200))
    storage_key: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(255))
    mime: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))


class ReferenceCounter(TenantOwned, Base):
    """The last reference number given out per tenant and year."""

    __tablename__ = "reference_counters"
    __table_args__ = (UniqueConstraint("tenant_id", "year"),)

    year: Mapped[int]
    last_number: Mapped[int] = mapped_column(default=0)


class MessageTemplate(TenantOwned, Timestamped, Base):
    """A text a clerk starts a message to the applicant from (a Textbaustein), kept by the
    tenant admin: for every form or one (``definition_id``), with the status it usually
    goes with (``status``, preselected with it)."""

    __tablename__ = "message_templates"
    __table_args__ = (UniqueConstraint("tenant_id", "title"),)

    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[ProcessingStatus | None]
    definition_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("form_definitions.id"))
