"""Tenants (member municipalities), people, their roles, and the audit log."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from amtsweg.platform.auth.roles import Role
from amtsweg.platform.auth.trust import TrustLevel
from amtsweg.platform.db import Base, TenantOwned, Timestamped, utcnow

SLUG_PATTERN = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"


class Tenant(Timestamped, Base):
    """A member municipality; the root of everything tenant-owned."""

    __tablename__ = "tenants"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    slug: Mapped[str] = mapped_column(String(63), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    reference_prefix: Mapped[str] = mapped_column(String(8), unique=True)
    enabled: Mapped[bool] = mapped_column(default=True)
    colour: Mapped[str] = mapped_column(String(7), default="#0b5394")
    contact_email: Mapped[str | None] = mapped_column(String(254))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    contact_address: Mapped[str | None] = mapped_column(String(500))
    imprint_url: Mapped[str | None] = mapped_column(String(500))
    privacy_url: Mapped[str | None] = mapped_column(String(500))
    coat_of_arms_key: Mapped[str | None] = mapped_column(String(200))
    coat_of_arms_type: Mapped[str | None] = mapped_column(String(50))
    # The accessibility statement, the enforcement body and the sign-language video
    # (tenants/accessibility/); empty means the platform's default.
    accessibility_limitations: Mapped[str | None] = mapped_column(Text)
    accessibility_reviewed_on: Mapped[dt.date | None]
    enforcement_body_name: Mapped[str | None] = mapped_column(String(300))
    enforcement_body_url: Mapped[str | None] = mapped_column(String(500))
    sign_language_video_url: Mapped[str | None] = mapped_column(String(500))
    sign_language_captions_url: Mapped[str | None] = mapped_column(String(500))
    # The Amtlicher Gemeindeschlüssel (8 digits, the first two the state's number).
    municipality_key: Mapped[str | None] = mapped_column(String(8), unique=True)
    state: Mapped[str | None] = mapped_column(String(2))
    # ``None`` while the tenant is onboarding: its pages show a preview and take no submissions.
    live_since: Mapped[dt.datetime | None]
    # Figures for the association's overview, kept here by signal receivers so the
    # overview of 10,000 tenants reads one table instead of every tenant's rows.
    last_submission_at: Mapped[dt.datetime | None]
    dead_deliveries: Mapped[int] = mapped_column(default=0, server_default="0")
    failed_payments: Mapped[int] = mapped_column(default=0, server_default="0")
    onboarding_passed: Mapped[int | None]
    onboarding_total: Mapped[int | None]

    @property
    def is_live(self) -> bool:
        return self.live_since is not None


class User(Timestamped, Base):
    """A person known from a login: a citizen, clerk or admin.

    People are not tenant-owned: one citizen account serves every member
    municipality. Their rights in a tenant come from :class:`Membership`.
    """

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("issuer", "subject"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    issuer: Mapped[str] = mapped_column(String(500))
    subject: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(200), default="")
    is_association_admin: Mapped[bool] = mapped_column(default=False)
    last_login_at: Mapped[dt.datetime | None]


class Membership(TenantOwned, Timestamped, Base):
    """A person's role in one tenant (tenant admin or clerk).

    ``form_slugs`` limits a clerk to the submissions of these forms; empty
    (``None``) means every form of the tenant.
    """

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("tenant_id", "user_id", "role"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[Role]
    form_slugs: Mapped[list[str] | None] = mapped_column(JSON)


class Invitation(TenantOwned, Timestamped, Base):
    """An emailed invitation to take a role in a tenant.

    The link carries the signed id. The first person who opens it while
    logged in becomes ``opened_by``: from then on it works for nobody else,
    and once ``accepted_at`` is set it works for nobody at all.
    """

    __tablename__ = "tenant_invitations"

    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[Role]
    expires_at: Mapped[dt.datetime]
    invited_by: Mapped[uuid.UUID | None]
    opened_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    accepted_at: Mapped[dt.datetime | None]


class AuditEntry(TenantOwned, Base):
    """Who did what to which object in a tenant. Holds no personal data."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index(None, "tenant_id", "created_at"),
        # The admin's page filtered by person or by action, newest first.
        Index("ix_audit_log_tenant_id_actor_id", "tenant_id", "actor_id", "created_at", "id"),
        Index("ix_audit_log_tenant_id_action", "tenant_id", "action", "created_at", "id"),
    )

    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[uuid.UUID | None]
    action: Mapped[str] = mapped_column(String(100))
    object_type: Mapped[str] = mapped_column(String(100))
    object_id: Mapped[str] = mapped_column(String(100))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)


class AccessibilityFeedback(TenantOwned, Base):
    """A message sent through the accessibility statement's feedback form.

    Name and email are optional; the message is mailed to the tenant's contact.
    """

    __tablename__ = "accessibility_feedback"
    __table_args__ = (Index(None, "tenant_id", "created_at"),)

    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    message: Mapped[str] = mapped_column(Text)
    page_url: Mapped[str | None] = mapped_column(String(500))
    locale: Mapped[str] = mapped_column(String(5))
    mailed_at: Mapped[dt.datetime | None]


class LoginSession(Timestamped, Base):
    """A browser login, held on the server so that logout and expiry really end it.

    The cookie carries a random id; only its SHA-256 is stored. ``claims``
    keeps only the claims a form may prefill and the roles claim; they go
    with the row at logout or expiry. ``id_token`` is the logout hint for
    the provider.
    """

    __tablename__ = "login_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    expires_at: Mapped[dt.datetime] = mapped_column(index=True)
    trust_level: Mapped[TrustLevel]
    claims: Mapped[dict[str, Any]] = mapped_column(default=dict)
    id_token: Mapped[str] = mapped_column(Text)
