"""Provider accounts, payments, their events and refunds, webhook receipts, bank statements.

Money is always an integer number of cents with its ISO 4217 currency.
"""

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

from amtsweg.platform.db import JSON_DOCUMENT, Base, TenantOwned, Timestamped, utcnow
from amtsweg.tenants.models import User


class PaymentStatus(enum.StrEnum):
    CREATED = "created"
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"


class ProviderAccount(TenantOwned, Timestamped, Base):
    """A municipality's own account with one provider.

    ``credentials`` is a Fernet token (see :mod:`amtsweg.payment.secrets`) of
    the provider's secret fields; ``settings`` holds what is not secret (an
    IBAN is printed on every GiroCode, so it is not a secret).
    """

    __tablename__ = "payment_accounts"
    __table_args__ = (UniqueConstraint("tenant_id", "provider"),)

    provider: Mapped[str] = mapped_column(String(40))
    enabled: Mapped[bool] = mapped_column(default=True)
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    credentials: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Payment(TenantOwned, Timestamped, Base):
    """One attempt to pay a submission's fee with one provider.

    ``settles_submission`` is true for the one succeeded payment that pays the
    submission; a partial unique index allows at most one per submission, so a
    second success (two browser tabs) can never count twice: it is recorded
    as a duplicate and refunded.
    """

    __tablename__ = "payments"
    __table_args__ = (
        UniqueConstraint("tenant_id", "kassenzeichen"),
        UniqueConstraint("tenant_id", "provider", "provider_payment_id"),
        ForeignKeyConstraint(
            ["tenant_id", "submission_id"], ["submissions.tenant_id", "submissions.id"]
        ),
        ForeignKeyConstraint(
            ["tenant_id", "account_id"], ["payment_accounts.tenant_id", "payment_accounts.id"]
        ),
        Index(
            "uq_payments_one_settling_per_submission",
            "tenant_id",
            "submission_id",
            unique=True,
            postgresql_where=text("settles_submission"),
            sqlite_where=text("settles_submission"),
        ),
        Index(None, "tenant_id", "status", "updated_at"),
    )

    submission_id: Mapped[uuid.UUID]
    account_id: Mapped[uuid.UUID]
    provider: Mapped[str] = mapped_column(String(40))
    status: Mapped[PaymentStatus] = mapped_column(default=PaymentStatus.CREATED)
    amount_cents: Mapped[int]
    refunded_cents: Mapped[int] = mapped_column(default=0)
    currency: Mapped[str] = mapped_column(String(3))
    kassenzeichen: Mapped[str] = mapped_column(String(40))
    provider_payment_id: Mapped[str | None] = mapped_column(String(200))
    redirect_url: Mapped[str | None] = mapped_column(String(2000))
    payer: Mapped[str | None] = mapped_column(String(200))
    settles_submission: Mapped[bool] = mapped_column(default=False)
    duplicate: Mapped[bool] = mapped_column(default=False)
    expires_at: Mapped[dt.datetime]
    succeeded_at: Mapped[dt.datetime | None]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class PaymentEvent(TenantOwned, Base):
    """One status change of a payment: what, when, from where, and the provider's reference."""

    __tablename__ = "payment_events"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "payment_id"], ["payments.tenant_id", "payments.id"], ondelete="CASCADE"
        ),
        Index(None, "tenant_id", "payment_id", "created_at"),
    )

    payment_id: Mapped[uuid.UUID]
    from_status: Mapped[PaymentStatus]
    to_status: Mapped[PaymentStatus]
    source: Mapped[str] = mapped_column(String(20))
    provider_reference: Mapped[str | None] = mapped_column(String(200))
    detail: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Refund(TenantOwned, Timestamped, Base):
    """Money given back on a payment, with the reason (a clerk's, or the duplicate rule).

    ``failed_at`` is set when the provider later says the refund failed or was cancelled
    (a closed card, a bank that sent it back): it gave nothing back, so it no longer
    counts in the payment's ``refunded_cents`` and the export, and stays listed with
    the provider's ``failure`` so that the clerk sees what happened.
    """

    __tablename__ = "payment_refunds"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "payment_id"], ["payments.tenant_id", "payments.id"]),
    )

    payment_id: Mapped[uuid.UUID]
    amount_cents: Mapped[int]
    reason: Mapped[str] = mapped_column(String(500))
    provider_refund_id: Mapped[str | None] = mapped_column(String(200))
    actor_id: Mapped[uuid.UUID | None]
    failed_at: Mapped[dt.datetime | None]
    failure: Mapped[str | None] = mapped_column(String(500))


class WebhookReceipt(TenantOwned, Base):
    """A provider's notification we accepted, kept so the same event is handled once."""

    __tablename__ = "payment_webhooks"
    __table_args__ = (UniqueConstraint("tenant_id", "provider", "event_id"),)

    provider: Mapped[str] = mapped_column(String(40))
    event_id: Mapped[str] = mapped_column(String(200))
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class KassenzeichenCounter(TenantOwned, Base):
    """The last Kassenzeichen number given out per tenant and year."""

    __tablename__ = "kassenzeichen_counters"
    __table_args__ = (UniqueConstraint("tenant_id", "year"),)

    year: Mapped[int]
    last_number: Mapped[int] = mapped_column(default=0)


class SandboxCharge(TenantOwned, Timestamped, Base):
    """The sandbox provider's own record of a charge (what a real provider keeps on its side)."""

    __tablename__ = "sandbox_charges"

    account_id: Mapped[uuid.UUID]
    amount_cents: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    description: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="open")
    card_last4: Mapped[str | None] = mapped_column(String(4))
    return_url: Mapped[str] = mapped_column(String(2000))
    webhook_url: Mapped[str] = mapped_column(String(2000))
    refunded_cents: Mapped[int] = mapped_column(default=0)
    # Each refund as the provider lists it: ``{"id", "amount_cents", "key"}``, and
    # ``"failure"`` once it failed (the sandbox fails none itself; tests make one fail).
    refunds: Mapped[list[dict[str, Any]]] = mapped_column(JSON_DOCUMENT, default=list)


class StatementLine(TenantOwned, Timestamped, Base):
    """A credit from an imported bank statement that did not settle a payment by itself.

    Partial, over- and unmatched transfers wait here for a clerk, who clears each one
    (asks for the rest, pays an overpayment back, books it elsewhere) and notes what
    was done: ``resolution``, by ``resolved_by`` at ``resolved_at``.
    """

    __tablename__ = "payment_statement_lines"
    __table_args__ = (UniqueConstraint("tenant_id", "entry_reference"),)

    entry_reference: Mapped[str] = mapped_column(String(200))
    booking_date: Mapped[dt.date | None]
    amount_cents: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    remittance: Mapped[str] = mapped_column(String(500))
    debtor: Mapped[str | None] = mapped_column(String(200))
    outcome: Mapped[str] = mapped_column(String(20))
    payment_id: Mapped[uuid.UUID | None]
    resolved_at: Mapped[dt.datetime | None]
    resolved_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    resolution: Mapped[str] = mapped_column(String(500), default="", server_default="")

    #: The payment whose Kassenzeichen the remittance names, if any (read only).
    payment: Mapped[Payment | None] = relationship(
        primaryjoin="and_(StatementLine.tenant_id == foreign(Payment.tenant_id), "
        "StatementLine.payment_id == foreign(Payment.id))",
        viewonly=True,
    )
    resolver: Mapped[User | None] = relationship(viewonly=True)


class BookingCode(TenantOwned, Base):
    """Where the treasury books a form's fees: Haushaltsstelle and Objektnummer."""

    __tablename__ = "payment_booking_codes"
    __table_args__ = (UniqueConstraint("tenant_id", "form_slug"),)

    form_slug: Mapped[str] = mapped_column(String(100))
    haushaltsstelle: Mapped[str] = mapped_column(String(60), default="")
    objektnummer: Mapped[str] = mapped_column(String(60), default="")
