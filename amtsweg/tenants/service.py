"""Operations on tenants, people and roles; the only code that writes their tables."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
import unicodedata
import uuid
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext
from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.exc import IntegrityError

from amtsweg.platform.auth.claims import display_name, prefill_claims
from amtsweg.platform.auth.principal import Principal
from amtsweg.platform.auth.relying_party import LoginResult
from amtsweg.platform.auth.roles import ROLES_CLAIM, grants_as_claim
from amtsweg.platform.db import (
    db,
    note_tenant_setting,
    require_tenant_scope,
    tenant_scope,
    tenant_setting_column,
    utcnow,
)
from amtsweg.platform.errors import NotFound, Refusal
from amtsweg.platform.storage import delete_after_commit, storage
from amtsweg.tenants.branding import check_colour, detect_image_type
from amtsweg.tenants.models import (
    SLUG_PATTERN,
    AuditEntry,
    LoginSession,
    Membership,
    Role,
    Tenant,
    User,
)

_SLUG = re.compile(rf"^{SLUG_PATTERN}$")
_PREFIX = re.compile(r"^[A-Z]{2,8}$")
_WEB_ADDRESS = re.compile(r"^https?://[^\s<>\"']+$")
_EMAIL_ADDRESS = re.compile(
    r"[^@\s<>,;\"\x00-\x1f\x7f]+@[^@\s<>,;\"\x00-\x1f\x7f.]+(?:\.[^@\s<>,;\"\x00-\x1f\x7f.]+)+"
)


class TenantError(Refusal):
    """A tenant operation was refused; the message says why."""


@dataclass(frozen=True, slots=True)
class Branding:
    colour: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    contact_address: str | None = None
    imprint_url: str | None = None
    privacy_url: str | None = None


def find_tenant(slug: str) -> Tenant | None:
    return db.session.scalar(select(Tenant).where(Tenant.slug == slug))


# Built once: every request under /t/<tenant>/ runs it.
_ENABLED_TENANT = select(Tenant, tenant_setting_column(Tenant.id)).where(
    Tenant.slug == bindparam("slug"), Tenant.enabled
)


def find_enabled_tenant(slug: str) -> Tenant | None:
    """The enabled tenant with this slug, for a request the web shell is about to scope to it.

    The same round trip sets the database half of that scope (Row Level
    Security's ``app.tenant_id``); the web shell enters the tenant's scope
    right after, and nothing is set when no enabled tenant has the slug.
    """
    found = db.session.execute(_ENABLED_TENANT, {"slug": slug}).first()
    if found is None:
        return None
    note_tenant_setting(db.session, found[0].id)
    return found[0]


def get_tenant(slug: str) -> Tenant:
    if (tenant := find_tenant(slug)) is None:
        raise NotFound(gettext("There is no tenant %(slug)r.", slug=slug))
    return tenant


def list_tenants() -> list[Tenant]:
    return list(db.session.scalars(select(Tenant).order_by(Tenant.slug)))


def create_tenant(
    slug: str, name: str, reference_prefix: str | None = None, branding: Branding | None = None
) -> Tenant:
    if not _SLUG.match(slug):
        raise TenantError(
            gettext(
                "%(slug)r is not a valid slug: use lower-case letters, digits and hyphens.",
                slug=slug,
            )
        )
    if find_tenant(slug) is not None:
        raise TenantError(gettext("A tenant %(slug)r exists already.", slug=slug), status=409)
    prefix = (reference_prefix or slug.replace("-", "")[:3]).upper()
    if not _PREFIX.match(prefix):
        raise TenantError(
            gettext("%(prefix)r is not a valid reference prefix (2-8 letters A-Z).", prefix=prefix)
        )
    if db.session.scalar(select(Tenant).where(Tenant.reference_prefix == prefix)):
        raise TenantError(
            gettext("The reference prefix %(prefix)r is taken; choose another.", prefix=prefix),
            status=409,
        )
    tenant = Tenant(id=uuid.uuid4(), slug=slug, name=name.strip(), reference_prefix=prefix)
    db.session.add(tenant)
    db.session.flush()
    update_branding(tenant, branding or Branding(), audit=False)
    # The new tenant's first audit entry belongs to it; the caller's scope comes back after.
    with tenant_scope(tenant.id):
        record(tenant, "tenant.created", "tenant", tenant.slug)
    return tenant


def update_branding(
    tenant: Tenant, branding: Branding, *, actor: User | None = None, audit: bool = True
) -> None:
    """Change the branding; every change is in the audit log (the CLI's too). Every
    value is checked where it is entered, so that no later page, receipt or email
    of the tenant fails on it."""
    if branding.colour is not None:
        tenant.colour = check_colour(branding.colour)
    if branding.contact_email is not None:
        tenant.contact_email = check_email_address(branding.contact_email)
    for name in ("contact_phone", "contact_address"):
        if (value := getattr(branding, name)) is not None:
            setattr(tenant, name, _check_text(name, value))
    for name in ("imprint_url", "privacy_url"):
        if (value := getattr(branding, name)) is not None:
            setattr(tenant, name, _check_length(name, check_web_address(value)))
    if audit:
        record(tenant, "tenant.branding_changed", "tenant", tenant.slug, actor=actor)


def check_email_address(value: str) -> str | None:
    """A contact address, stripped; ``None`` for empty; one address, nothing else."""
    value = _check_length("contact_email", value.strip())
    if value and not _EMAIL_ADDRESS.fullmatch(value):
        raise TenantError(gettext("%(value)r is not an email address.", value=value))
    return value or None


def _check_text(name: str, value: str) -> str | None:
    value = value.strip()
    if any(unicodedata.category(ch) in {"Cc", "Cf", "Cs"} and ch not in "\n\t" for ch in value):
        raise TenantError(gettext("%(field)s contains control characters.", field=name))
    return _check_length(name, value) or None


def _check_length(name: str, value: str | None) -> str | None:
    limit = Tenant.__table__.c[name].type.length
    if value and len(value) > limit:
        raise TenantError(
            gettext("%(field)s is longer than %(limit)d characters.", field=name, limit=limit)
        )
    return value


def check_web_address(value: str) -> str | None:
    """A link a tenant configures, stripped; ``None`` for empty; only http(s), no markup."""
    value = value.strip()
    if value and not _WEB_ADDRESS.match(value):
        raise TenantError(
            gettext("%(value)r is not a web address (http:// or https://).", value=value)
        )
    return value or None


def set_coat_of_arms(tenant: Tenant, data: bytes, *, actor: User | None = None) -> None:
    mime = detect_image_type(data)
    old_key = tenant.coat_of_arms_key
    tenant.coat_of_arms_key = storage().put("coats_of_arms", data)
    tenant.coat_of_arms_type = mime
    record(tenant, "tenant.coat_of_arms_changed", "tenant", tenant.slug, actor=actor)
    if old_key:
        delete_after_commit(old_key)


def disable_tenant(tenant: Tenant) -> None:
    tenant.enabled = False
    record(tenant, "tenant.disabled", "tenant", tenant.slug)


def enable_tenant(tenant: Tenant) -> None:
    tenant.enabled = True
    record(tenant, "tenant.enabled", "tenant", tenant.slug)


def _find_user(issuer: str, subject: str) -> User | None:
    return db.session.scalar(select(User).where(User.issuer == issuer, User.subject == subject))


def find_or_create_user(issuer: str, subject: str, display_name: str = "") -> User:
    """The person behind a login or token, created on first sight.

    Two first requests of the same person at once (parallel API calls) race
    to create the row; the loser's insert fails inside a savepoint and it
    takes the winner's row instead of failing the request.
    """
    user = _find_user(issuer, subject)
    if user is None:
        user = User(issuer=issuer, subject=subject, display_name=display_name)
        try:
            with db.session.begin_nested():
                db.session.add(user)
        except IntegrityError:
            user = _find_user(issuer, subject)
            if user is None:
                raise
    if display_name and user.display_name != display_name:
        user.display_name = display_name
    return user


def user_of(principal: Principal) -> User:
    """The person a principal speaks for.

    A browser login already loaded its person with the login session (in this
    session's identity map, so no query); a bearer token names its person by
    issuer and subject, who is created on first sight.
    """
    if principal.user_id is not None and (user := db.session.get(User, principal.user_id)):
        return user
    return find_or_create_user(principal.issuer, principal.subject, principal.name)


def grant_role(tenant: Tenant, user: User, role: Role) -> Membership:
    if role is Role.ASSOCIATION_ADMIN:
        raise TenantError(gettext("Association admins serve every tenant; set it on the person."))
    require_tenant_scope(tenant.id)
    membership = db.session.scalar(
        select(Membership).where(Membership.user_id == user.id, Membership.role == role)
    )
    if membership is None:
        membership = Membership(tenant_id=tenant.id, user_id=user.id, role=role)
        db.session.add(membership)
        record(tenant, "membership.granted", "user", str(user.id), details={"role": role.value})
    return membership


def roles_of(tenant: Tenant, user_id: uuid.UUID) -> set[Role]:
    """The roles the person with ``user_id`` holds in ``tenant`` by membership."""
    user = db.session.get(User, user_id)
    return roles_in(tenant, user) if user else set()


def roles_in(tenant: Tenant, user: User) -> set[Role]:
    require_tenant_scope(tenant.id)
    roles = set(db.session.scalars(select(Membership.role).where(Membership.user_id == user.id)))
    if user.is_association_admin:
        roles.add(Role.ASSOCIATION_ADMIN)
    return roles


def record(
    tenant: Tenant,
    action: str,
    object_type: str,
    object_id: str,
    *,
    details: dict[str, Any] | None = None,
    actor: User | None = None,
) -> None:
    """Write an audit entry; ``details`` must hold no personal data."""
    require_tenant_scope(tenant.id)
    db.session.add(
        AuditEntry(
            tenant_id=tenant.id,
            actor_id=actor.id if actor else None,
            action=action,
            object_type=object_type,
            object_id=object_id,
            details=details or {},
        )
    )


def audit_entries(tenant: Tenant, offset: int, limit: int) -> tuple[list[AuditEntry], int]:
    """One page of the tenant's audit log, newest first, and the total count."""
    require_tenant_scope(tenant.id)
    total = db.session.scalar(select(func.count(AuditEntry.id))) or 0
    page = db.session.scalars(
        select(AuditEntry)
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id)
        .offset(offset)
        .limit(limit)
    )
    return list(page), total


def _hash_session_id(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def start_login_session(result: LoginResult, lifetime: dt.timedelta) -> tuple[str, LoginSession]:
    """Record a login; returns the new random session id (for the cookie) and the row.

    Only the claims a form may prefill and the roles claim are kept.
    """
    purge_expired_login_sessions()
    user = find_or_create_user(result.issuer, result.subject, display_name(result.claims))
    user.last_login_at = utcnow()
    session_id = secrets.token_urlsafe(32)
    kept = prefill_claims(result.claims)
    if result.grants:
        kept[ROLES_CLAIM] = grants_as_claim(result.grants)
    row = LoginSession(
        id_hash=_hash_session_id(session_id),
        user_id=user.id,
        expires_at=utcnow() + lifetime,
        trust_level=result.trust_level,
        claims=kept,
        id_token=result.id_token,
    )
    db.session.add(row)
    return session_id, row


def find_login_session(session_id: str) -> tuple[LoginSession, User] | None:
    """The unexpired login with this id and its person, or ``None``."""
    found = db.session.execute(
        select(LoginSession, User)
        .join(User, User.id == LoginSession.user_id)
        .where(LoginSession.id_hash == _hash_session_id(session_id))
        .where(LoginSession.expires_at > utcnow())
    ).first()
    return (found[0], found[1]) if found else None


def extend_login_session(
    session_id: str, lifetime: dt.timedelta, max_lifetime: dt.timedelta
) -> tuple[LoginSession, bool] | None:
    """Renew a live login to end ``lifetime`` from now, but never later than
    ``max_lifetime`` after it began; returns the row and whether it was extended.

    ``None`` when the login has ended already (it stays ended).
    """
    found = find_login_session(session_id)
    if found is None:
        return None
    row, _user = found
    current = as_utc(row.expires_at)
    renewed = min(utcnow() + lifetime, as_utc(row.created_at) + max_lifetime)
    if renewed <= current:
        return row, False
    row.expires_at = renewed
    return row, True


def login_session_limit(row: LoginSession, max_lifetime: dt.timedelta) -> dt.datetime:
    """The latest moment ``row`` can be extended to."""
    return as_utc(row.created_at) + max_lifetime


def as_utc(moment: dt.datetime) -> dt.datetime:
    """SQLite hands timestamps back without their zone; they are stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def end_login_session(session_id: str) -> LoginSession | None:
    """Delete the login with this id; returns it (for the provider's logout) if it existed."""
    row = db.session.get(LoginSession, _hash_session_id(session_id))
    if row is not None:
        db.session.delete(row)
    return row


def purge_expired_login_sessions() -> None:
    db.session.execute(delete(LoginSession).where(LoginSession.expires_at <= utcnow()))
