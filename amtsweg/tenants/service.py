"""Operations on tenants, people and roles; the only code that writes their tables."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
import unicodedata
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from flask import current_app
from flask_babel import force_locale, format_datetime, get_locale, gettext
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import bindparam, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer

from amtsweg.platform import signals
from amtsweg.platform.auth import absolute_url
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
from amtsweg.platform.errors import Conflict, FieldProblem, NotFound, Refusal, json_pointer
from amtsweg.platform.i18n import mail_locale
from amtsweg.platform.jobs import enqueue_after_commit
from amtsweg.platform.logs import log_context
from amtsweg.platform.mail import MailError, compose, mailbox
from amtsweg.platform.storage import delete_after_commit, storage
from amtsweg.tenants import municipality
from amtsweg.tenants.branding import check_colour, detect_image_type
from amtsweg.tenants.models import (
    SLUG_PATTERN,
    AuditEntry,
    Invitation,
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
_SERVED_TENANT = select(Tenant, tenant_setting_column(Tenant.id)).where(
    Tenant.slug == bindparam("slug")
)


def find_tenant_to_serve(slug: str) -> Tenant | None:
    """The tenant with this slug, for a request the web shell is about to scope to it.

    The same round trip sets the database half of that scope (Row Level
    Security's ``app.tenant_id``); the web shell enters the tenant's scope
    right after (or, for a disabled tenant, answers with a notice and reads
    nothing), and nothing is set when no tenant has the slug. SQLite (the demo)
    has no Row Level Security and nothing to set.
    """
    if db.session.get_bind().dialect.name != "postgresql":
        return find_tenant(slug)
    found = db.session.execute(_SERVED_TENANT, {"slug": slug}).first()
    if found is None:
        return None
    note_tenant_setting(db.session, found[0].id)
    return found[0]


_SERVED_TENANT_AND_LOGIN = (
    select(Tenant, tenant_setting_column(Tenant.id), LoginSession, User)
    .select_from(Tenant)
    .outerjoin(
        LoginSession,
        (LoginSession.id_hash == bindparam("id_hash"))
        & (LoginSession.expires_at > bindparam("now")),
    )
    .outerjoin(User, User.id == LoginSession.user_id)
    .where(Tenant.slug == bindparam("slug"))
    # Read only at logout (which is no tenant's page) and by the person's own records.
    .options(defer(LoginSession.id_token), defer(User.last_login_at), defer(User.created_at))
)


def find_tenant_to_serve_and_login(
    slug: str, session_id: str
) -> tuple[Tenant | None, tuple[LoginSession, User] | None]:
    """:func:`find_tenant_to_serve` and :func:`find_login_session` in one round trip.

    The login is not the tenant's (a person's login holds for every
    municipality), so it is joined on its own condition and comes as ``None``
    when it has ended or never existed; with no tenant of that slug, neither is
    found.
    """
    if db.session.get_bind().dialect.name != "postgresql":
        return find_tenant(slug), find_login_session(session_id)
    found = db.session.execute(
        _SERVED_TENANT_AND_LOGIN,
        {"slug": slug, "id_hash": _hash_session_id(session_id), "now": utcnow()},
    ).first()
    if found is None:
        return None, None
    tenant, _setting, login, user = found
    note_tenant_setting(db.session, tenant.id)
    return tenant, (login, user) if login is not None else None


_SERVED_TENANT_AND_PERSON = (
    select(Tenant, tenant_setting_column(Tenant.id), User)
    .select_from(Tenant)
    .outerjoin(User, (User.issuer == bindparam("issuer")) & (User.subject == bindparam("subject")))
    .where(Tenant.slug == bindparam("slug"))
)


def find_tenant_to_serve_and_person(
    slug: str, issuer: str, subject: str, display_name: str = ""
) -> tuple[Tenant | None, User | None]:
    """:func:`find_tenant_to_serve` and the person a bearer token names, in one round trip.

    A person belongs to no tenant (the same person applies in every
    municipality), so they are joined on issuer and subject, and come as
    ``None`` when never seen before (:func:`find_or_create_user` creates them
    then) or when no tenant has the slug. A changed name is taken over, as
    :func:`find_or_create_user` does.
    """
    if db.session.get_bind().dialect.name != "postgresql":
        return find_tenant(slug), None
    found = db.session.execute(
        _SERVED_TENANT_AND_PERSON, {"slug": slug, "issuer": issuer, "subject": subject}
    ).first()
    if found is None:
        return None, None
    tenant, _setting, user = found
    note_tenant_setting(db.session, tenant.id)
    if user is not None:
        _take_name(user, display_name)
    return tenant, user


def get_tenant(slug: str) -> Tenant:
    if (tenant := find_tenant(slug)) is None:
        raise NotFound(gettext("There is no tenant %(slug)r.", slug=slug))
    return tenant


def list_tenants() -> list[Tenant]:
    return list(db.session.scalars(select(Tenant).order_by(Tenant.slug)))


def create_tenant(
    slug: str,
    name: str,
    reference_prefix: str | None = None,
    branding: Branding | None = None,
    *,
    live: bool = True,
) -> Tenant:
    """A new tenant; ``live=False`` starts it in preview until its admin goes live."""
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
    tenant = Tenant(
        id=uuid.uuid4(),
        slug=slug,
        name=name.strip(),
        reference_prefix=prefix,
        live_since=utcnow() if live else None,
    )
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


def disable_tenant(tenant: Tenant, *, actor: User | None = None) -> None:
    """Close the tenant's pages to citizens; everything it holds is kept."""
    if tenant.enabled:
        tenant.enabled = False
        record(tenant, "tenant.disabled", "tenant", tenant.slug, actor=actor)


def enable_tenant(tenant: Tenant, *, actor: User | None = None) -> None:
    if not tenant.enabled:
        tenant.enabled = True
        record(tenant, "tenant.enabled", "tenant", tenant.slug, actor=actor)


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
    _take_name(user, display_name)
    return user


def _take_name(user: User, display_name: str) -> None:
    """The login or token says how the person is called now."""
    if display_name and user.display_name != display_name:
        user.display_name = display_name


def user_of(principal: Principal) -> User:
    """The person a principal speaks for.

    A browser login already loaded its person with the login session (in this
    session's identity map, so no query); a bearer token names its person by
    issuer and subject, who is created on first sight (in a request,
    :func:`amtsweg.tenants.login.person_of` takes the person that came with the
    tenant instead).
    """
    if principal.user_id is not None and (user := db.session.get(User, principal.user_id)):
        return user
    return find_or_create_user(principal.issuer, principal.subject, principal.name)


def grant_role(
    tenant: Tenant,
    user: User,
    role: Role,
    *,
    form_slugs: Iterable[str] | None = None,
    actor: User | None = None,
) -> Membership:
    """Give ``user`` ``role`` in ``tenant``; a clerk's ``form_slugs`` limit them to those forms."""
    if role is Role.ASSOCIATION_ADMIN:
        raise TenantError(gettext("Association admins serve every tenant; set it on the person."))
    require_tenant_scope(tenant.id)
    membership = db.session.scalar(
        select(Membership).where(Membership.user_id == user.id, Membership.role == role)
    )
    if membership is None:
        membership = Membership(tenant_id=tenant.id, user_id=user.id, role=role)
        db.session.add(membership)
        record(
            tenant,
            "membership.granted",
            "user",
            str(user.id),
            details={"role": role.value},
            actor=actor,
        )
    slugs = sorted(form_slugs) if form_slugs is not None else None
    if role is Role.CLERK and membership.form_slugs != slugs:
        membership.form_slugs = slugs
        record(
            tenant,
            "membership.forms_limited",
            "user",
            str(user.id),
            details={"forms": slugs},
            actor=actor,
        )
    return membership


def clerk_form_limit(tenant: Tenant, user_id: uuid.UUID | None) -> frozenset[str] | None:
    """The forms a clerk is limited to by membership; ``None`` when not limited."""
    if user_id is None:
        return None
    require_tenant_scope(tenant.id)
    slugs = db.session.scalar(
        select(Membership.form_slugs).where(
            Membership.user_id == user_id, Membership.role == Role.CLERK
        )
    )
    return frozenset(slugs) if slugs is not None else None


def revoke_role(tenant: Tenant, user: User, role: Role, *, actor: User | None = None) -> None:
    """Take ``role`` in ``tenant`` from ``user``; the last tenant admin stays.

    The row of every tenant admin is locked first, so two admins removing
    each other at the same moment cannot leave the tenant with none.
    """
    require_tenant_scope(tenant.id)
    holders = list(
        db.session.scalars(select(Membership).where(Membership.role == role).with_for_update())
    )
    membership = next((m for m in holders if m.user_id == user.id), None)
    if membership is None:
        raise NotFound(gettext("This person does not hold that role here."))
    if role is Role.TENANT_ADMIN and len(holders) == 1:
        raise Conflict(
            gettext(
                "%(name)s is the last administrator of %(tenant)s; make someone else "
                "an administrator first.",
                name=user.display_name or gettext("This person"),
                tenant=tenant.name,
            )
        )
    db.session.delete(membership)
    record(
        tenant,
        "membership.revoked",
        "user",
        str(user.id),
        details={"role": role.value},
        actor=actor,
    )


def members(tenant: Tenant) -> list[tuple[Membership, User]]:
    """Everyone holding a role in ``tenant`` by membership, by name."""
    require_tenant_scope(tenant.id)
    rows = db.session.execute(
        select(Membership, User)
        .join(User, User.id == Membership.user_id)
        .order_by(User.display_name, Membership.role)
    )
    return [(membership, user) for membership, user in rows]


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


def object_history(
    tenant: Tenant, object_type: str, object_id: str, *, actions: Iterable[str]
) -> list[tuple[dt.datetime, str]]:
    """When and by whom (their name, or the service account's client id) ``actions`` were
    done to one object, newest first."""
    require_tenant_scope(tenant.id)
    rows = db.session.execute(
        select(AuditEntry.created_at, User.display_name, AuditEntry.details)
        .outerjoin(User, User.id == AuditEntry.actor_id)
        .where(
            AuditEntry.object_type == object_type,
            AuditEntry.object_id == object_id,
            AuditEntry.action.in_(list(actions)),
        )
        .order_by(AuditEntry.created_at.desc())
    )
    return [(moment, name or details.get("client", "")) for moment, name, details in rows]


def latest_record(
    tenant: Tenant, object_type: str, object_id: str, *, actions: Iterable[str]
) -> AuditEntry | None:
    """The newest entry of one of ``actions`` on one object: the onboarding checks read
    what really happened to a target or an account (a test, a change) from here."""
    require_tenant_scope(tenant.id)
    return db.session.scalar(
        select(AuditEntry)
        .where(
            AuditEntry.object_type == object_type,
            AuditEntry.object_id == object_id,
            AuditEntry.action.in_(list(actions)),
        )
        .order_by(AuditEntry.created_at.desc())
        .limit(1)
    )


def find_people(subject: str, issuer: str | None = None) -> list[User]:
    """The people known by ``subject`` (at ``issuer``, if given) — one per provider."""
    query = select(User).where(User.subject == subject)
    if issuer is not None:
        query = query.where(User.issuer == issuer)
    return list(db.session.scalars(query))


def forget_person(user: User, *, keep_record: bool) -> None:
    """End the person's logins and drop their memberships and name.

    With ``keep_record`` the bare row (provider and subject) stays, because
    submissions the municipality must keep still point at it; otherwise it goes.
    """
    db.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
    if keep_record:
        user.display_name = ""
        user.last_login_at = None
    else:
        db.session.delete(user)


# --- the association's workplace ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class NewMunicipality:
    """What the association enters to create a tenant."""

    name: str
    slug: str
    municipality_key: str
    state: str
    contact_email: str = ""


def register_municipality(new: NewMunicipality, *, actor: User | None = None) -> Tenant:
    """Create a tenant in preview from ``new``; every problem is reported at once."""
    key = municipality.normalise_key(new.municipality_key)
    problems = [
        FieldProblem(json_pointer(name), detail)
        for name, detail in (
            ("name", gettext("Enter the municipality's name.") if not new.name.strip() else None),
            ("slug", _slug_problem(new.slug)),
            ("state", municipality.state_problem(new.state)),
            ("municipality_key", municipality.key_problem(key, new.state) or _key_taken(key)),
            ("contact_email", _email_problem(new.contact_email)),
        )
        if detail
    ]
    if problems:
        raise TenantError(problems[0].detail, problems=problems)
    tenant = create_tenant(
        new.slug,
        new.name,
        _free_reference_prefix(new.slug),
        Branding(contact_email=new.contact_email),
        live=False,
    )
    tenant.municipality_key = key
    tenant.state = new.state
    with tenant_scope(tenant.id):
        record(tenant, "tenant.registered", "tenant", tenant.slug, actor=actor)
    return tenant


def _slug_problem(slug: str) -> str | None:
    if not _SLUG.match(slug):
        return gettext(
            "Use lower-case letters, digits and hyphens for the address, e.g. bad-muenstereifel."
        )
    if find_tenant(slug) is not None:
        return gettext("The address /t/%(slug)s/ is taken by another tenant.", slug=slug)
    return None


def _key_taken(key: str) -> str | None:
    owner = db.session.scalar(select(Tenant).where(Tenant.municipality_key == key))
    if owner is None:
        return None
    return gettext("%(key)s belongs to %(name)s already.", key=key, name=owner.name)


def _email_problem(email: str) -> str | None:
    if email.strip() and not _EMAIL.match(email.strip()):
        return gettext("%(value)r is not an email address.", value=email)
    return None


def _free_reference_prefix(slug: str) -> str:
    """The first of the slug's letters (3 to 8 of them, then 3 plus a counter) not taken."""
    letters = "".join(ch for ch in slug.upper() if "A" <= ch <= "Z") or "GEM"
    letters = (letters * 3)[:8]
    candidates = [letters[:length] for length in range(3, 9)]
    candidates += [letters[:3] + a + b for a in _ALPHABET for b in _ALPHABET]
    taken = set(
        db.session.scalars(
            select(Tenant.reference_prefix).where(Tenant.reference_prefix.in_(candidates))
        )
    )
    for candidate in candidates:
        if candidate not in taken:
            return candidate
    raise TenantError(gettext("Choose a different address: no reference prefix is left for it."))


_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


@dataclass(frozen=True, slots=True)
class OverviewPage:
    tenants: list[Tenant]
    next_after: str | None


def tenant_overview(search: str = "", after: str | None = None, limit: int = 50) -> OverviewPage:
    """One page of tenants in slug order, after the slug ``after`` (keyset paging:
    as quick on page 200 as on page 1), matching ``search`` in name, address or key."""
    query = select(Tenant).order_by(Tenant.slug).limit(limit + 1)
    if after:
        query = query.where(Tenant.slug > after)
    if search := search.strip():
        pattern = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            or_(
                Tenant.name.ilike(pattern, escape="\\"),
                Tenant.slug.ilike(pattern, escape="\\"),
                Tenant.municipality_key.startswith(municipality.normalise_key(search)),
            )
        )
    rows = list(db.session.scalars(query))
    more = len(rows) > limit
    rows = rows[:limit]
    return OverviewPage(rows, rows[-1].slug if more else None)


def record_onboarding_progress(tenant: Tenant, passed: int, total: int) -> None:
    """Keep the checklist's last result for the association's overview."""
    tenant.onboarding_passed, tenant.onboarding_total = passed, total


def mark_live(tenant: Tenant, *, actor: User | None = None) -> None:
    """Citizens can submit from now on; only the checklist's go-live calls this."""
    if tenant.live_since is None:
        tenant.live_since = utcnow()
        record(tenant, "tenant.went_live", "tenant", tenant.slug, actor=actor)


#: How far ``last_submission_at`` may lag behind the newest submission.
LAST_SUBMISSION_PRECISION = dt.timedelta(minutes=1)


def _note_submission(submission: Any, tenant: Tenant) -> None:
    """Keep the tenant's last submission for the overview, to the minute it shows.

    Written only when it moves by a minute or more: most submissions of a
    busy tenant then send no ``UPDATE tenants`` and do not hold the tenant's
    row lock until they commit; the overview (and its API) is at most a
    minute behind.
    """
    submitted_at = submission.submitted_at or utcnow()
    last = tenant.last_submission_at
    if last is None or submitted_at - last >= LAST_SUBMISSION_PRECISION:
        tenant.last_submission_at = submitted_at


def _count_dead_delivery(_sender: Any, tenant_id: uuid.UUID, **_kwargs: Any) -> None:
    db.session.execute(
        update(Tenant)
        .where(Tenant.id == tenant_id)
        .values(dead_deliveries=Tenant.dead_deliveries + 1)
    )


def _count_failed_payment(_sender: Any, tenant_id: uuid.UUID, **_kwargs: Any) -> None:
    db.session.execute(
        update(Tenant)
        .where(Tenant.id == tenant_id)
        .values(failed_payments=Tenant.failed_payments + 1)
    )


def connect_overview_receivers() -> None:
    """Keep the overview's figures as submissions, deliveries and payments happen."""
    signals.submission_created.connect(_note_submission)
    signals.delivery_dead.connect(_count_dead_delivery)
    signals.payment_failed.connect(_count_failed_payment)


# --- invitations ----------------------------------------------------------------------

INVITATION_LIFETIME = dt.timedelta(days=7)
INVITABLE_ROLES = (Role.TENANT_ADMIN, Role.CLERK)


class InvitationRefused(Refusal):
    """An invitation link that cannot be used (any more, or by this person)."""

    status = 403


def _invitation_signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="amtsweg.invitation")


def invite(tenant: Tenant, email: str, role: Role, *, actor: User | None = None) -> Invitation:
    """Invite ``email`` to take ``role`` in ``tenant``; a job mails the link after the commit
    (the onboarding file, one transaction for all it sets up; the pages and the API mail it
    at once: :func:`invite_and_mail`)."""
    invitation = create_invitation(tenant, email, role, actor=actor)
    enqueue_after_commit(send_invitation, tenant.id, invitation.id, str(get_locale() or ""))
    return invitation


def create_invitation(
    tenant: Tenant, email: str, role: Role, *, actor: User | None = None
) -> Invitation:
    require_tenant_scope(tenant.id)
    email = email.strip()
    problem = _email_problem(email) if email else gettext("Enter an email address.")
    if problem:
        raise TenantError(problem, problems=[FieldProblem(json_pointer("email"), problem)])
    if role not in INVITABLE_ROLES:
        raise TenantError(gettext("Invite tenant administrators or clerks."))
    invitation = Invitation(
        tenant_id=tenant.id,
        email=email,
        role=role,
        expires_at=utcnow() + INVITATION_LIFETIME,
        invited_by=actor.id if actor else None,
    )
    db.session.add(invitation)
    db.session.flush()
    record(
        tenant,
        "invitation.sent",
        "invitation",
        str(invitation.id),
        details={"role": role.value},
        actor=actor,
    )
    return invitation


def invite_and_mail(
    tenant: Tenant, email: str, role: Role, *, actor: User | None = None
) -> Invitation:
    """Invite and mail the link while the inviter waits; a refusal (a bad address, a mail
    server that does not take it) leaves no invitation behind.

    Commits twice: the invitation before its link goes out (the link must work when it
    is opened), and its withdrawal when the mail server did not take it.
    """
    invitation = create_invitation(tenant, email, role, actor=actor)
    db.session.commit()
    try:
        mail_invitation(tenant, invitation, actor=actor)
    finally:
        db.session.commit()
    return invitation


class InvitationNotSent(Refusal):
    """The mail server did not take the invitation; it was withdrawn."""

    status = 503


def mail_invitation(tenant: Tenant, invitation: Invitation, *, actor: User | None = None) -> None:
    """Mail a committed invitation while the inviter waits, so that a mail server that cannot
    be reached is reported at once, on the page, rather than in a job's log. An invitation
    the mail server did not take is withdrawn: nobody can have its link, and nothing
    half-done is left for the tenant; the inviter sends it again once mail works."""
    try:
        mailbox().send(_invitation_message(tenant, invitation, str(get_locale() or "")))
    except MailError as error:
        db.session.delete(invitation)
        record(tenant, "invitation.withdrawn", "invitation", str(invitation.id), actor=actor)
        detail = gettext(
            "The invitation to %(email)s was not sent, so it was not kept: the mail server "
            "did not take it (%(error)s). Ask the operator to check the mail server "
            "(AMTSWEG_SMTP_URL), then send the invitation again.",
            email=invitation.email,
            error=error,
        )
        raise InvitationNotSent(
            detail, problems=[FieldProblem(json_pointer("email"), detail)]
        ) from error


def invitation_token(invitation: Invitation) -> str:
    return _invitation_signer().dumps(str(invitation.id))


def invitation_link(tenant: Tenant, invitation: Invitation) -> str:
    path = f"/t/{tenant.slug}/invitation/{invitation_token(invitation)}"
    return absolute_url(current_app.config["AMTSWEG"], path)


def send_invitation(tenant_id: uuid.UUID, invitation_id: uuid.UUID, locale: str) -> None:
    """Job: mail the invitation link (in the inviter's language)."""
    with tenant_scope(tenant_id):
        tenant = db.session.get_one(Tenant, tenant_id)
        invitation = db.session.get_one(Invitation, (tenant_id, invitation_id))
        with log_context(tenant=tenant.slug):
            mailbox().send(_invitation_message(tenant, invitation, locale))


def _invitation_message(tenant: Tenant, invitation: Invitation, locale: str) -> EmailMessage:
    with force_locale(mail_locale(locale)):
        words = {
            "tenant": tenant.name,
            "role": role_label(invitation.role),
            "link": invitation_link(tenant, invitation),
            "until": format_datetime(invitation.expires_at, "short"),
        }
        subject = gettext("Invitation: %(role)s of %(tenant)s on Amtsweg", **words)
        body = gettext(
            "Hello,\n\nyou are invited to work as %(role)s of %(tenant)s on Amtsweg.\n"
            "Open this link and log in to accept (until %(until)s):\n\n%(link)s\n\n"
            "The link works once and only for the person who opens it first. "
            "If you did not expect this email, ignore it.\n",
            **words,
        )
    return compose(invitation.email, subject, body)


def role_label(role: Role) -> str:
    return {
        Role.TENANT_ADMIN: gettext("tenant administrator"),
        Role.CLERK: gettext("clerk"),
        Role.ASSOCIATION_ADMIN: gettext("association administrator"),
    }[role]


def open_invitation(tenant: Tenant, token: str, user: User) -> Invitation:
    """The invitation behind ``token``, bound to ``user`` from now on; refused with the
    reason when it is forged, expired, used, or bound to someone else."""
    require_tenant_scope(tenant.id)
    try:
        invitation_id = uuid.UUID(_invitation_signer().loads(token))
    except (BadSignature, ValueError):
        invitation_id = None
    invitation = (
        db.session.scalar(
            select(Invitation).where(Invitation.id == invitation_id).with_for_update()
        )
        if invitation_id
        else None
    )
    if invitation is None:
        raise InvitationRefused(
            gettext(
                "This invitation link is not valid. Copy the whole link from the email, "
                "or ask the association for a new invitation."
            ),
            status=404,
        )
    if invitation.opened_by not in (None, user.id):
        raise InvitationRefused(
            gettext(
                "This invitation was opened by another person's login; an invitation "
                "works for one person only. Ask for an invitation of your own."
            )
        )
    if invitation.accepted_at is not None:
        raise InvitationRefused(
            gettext(
                "This invitation has been used already. Log in and open the "
                "administration of %(tenant)s, or ask for a new invitation.",
                tenant=tenant.name,
            ),
            status=410,
        )
    if invitation.expires_at <= utcnow():
        raise InvitationRefused(
            gettext(
                "This invitation expired on %(date)s. Ask for a new invitation.",
                date=format_datetime(invitation.expires_at, "short"),
            ),
            status=410,
        )
    if invitation.opened_by is None:
        invitation.opened_by = user.id
        record(tenant, "invitation.opened", "invitation", str(invitation.id), actor=user)
    return invitation


def accept_invitation(tenant: Tenant, token: str, user: User) -> Invitation:
    """Give ``user`` the invitation's role; the invitation cannot be used again."""
    invitation = open_invitation(tenant, token, user)
    invitation.accepted_at = utcnow()
    grant_role(tenant, user, invitation.role, actor=user)
    record(tenant, "invitation.accepted", "invitation", str(invitation.id), actor=user)
    return invitation


def open_invitations(tenant: Tenant) -> list[Invitation]:
    """Invitations not accepted yet (expired ones included, to be seen and sent again)."""
    require_tenant_scope(tenant.id)
    return list(
        db.session.scalars(
            select(Invitation)
            .where(Invitation.accepted_at.is_(None))
            .order_by(Invitation.created_at.desc())
        )
    )


def has_invited(tenant: Tenant, role: Role) -> bool:
    """Whether anyone holds ``role`` in ``tenant`` or was invited to it."""
    require_tenant_scope(tenant.id)
    return bool(
        db.session.scalar(select(Membership.id).where(Membership.role == role).limit(1))
        or db.session.scalar(select(Invitation.id).where(Invitation.role == role).limit(1))
    )


def is_invited(tenant: Tenant, email: str, role: Role) -> bool:
    """Whether ``email`` was ever invited to ``role`` here (accepted or not)."""
    require_tenant_scope(tenant.id)
    return bool(
        db.session.scalar(
            select(Invitation.id)
            .where(func.lower(Invitation.email) == email.strip().lower(), Invitation.role == role)
            .limit(1)
        )
    )


def get_user(user_id: uuid.UUID) -> User:
    if (user := db.session.get(User, user_id)) is None:
        raise NotFound(gettext("There is no such person."))
    return user
