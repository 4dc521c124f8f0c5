"""Reading a tenant's audit log: who did what when, filtered, newest first, by keyset.

Entries are written by :func:`amtsweg.tenants.service.record`. A page is read
from the indexes ``(tenant_id, [actor_id | action,] created_at, id)`` and
continues after the last entry shown, so a page deep in years of views costs
what the first does.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select, tuple_

from amtsweg.platform.db import db, require_tenant_scope
from amtsweg.tenants.models import AuditEntry, Tenant, User

PAGE_SIZE = 50


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """``person``: part of a person's name, or a service account's client id exactly;
    ``since`` inclusive, ``until`` exclusive."""

    person: str = ""
    action: str | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class AuditLine:
    entry: AuditEntry
    actor_name: str
    """The person's name, the service account's client id, or ``""`` for Amtsweg itself."""


@dataclass(frozen=True, slots=True)
class AuditPage:
    lines: list[AuditLine]
    more: bool


def audit_page(
    tenant: Tenant, filters: AuditFilter, after: tuple[dt.datetime, uuid.UUID] | None = None
) -> AuditPage:
    """Up to :data:`PAGE_SIZE` entries matching ``filters``, older than ``after`` (the
    ``created_at`` and ``id`` of the last entry shown)."""
    limit = PAGE_SIZE
    require_tenant_scope(tenant.id)
    query = select(AuditEntry, User.display_name).outerjoin(User, User.id == AuditEntry.actor_id)
    for condition in _conditions(filters):
        query = query.where(condition)
    if after is not None:
        query = query.where(tuple_(AuditEntry.created_at, AuditEntry.id) < tuple_(*after))
    rows = db.session.execute(
        query.order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc()).limit(limit + 1)
    ).all()
    lines = [
        AuditLine(entry, name or entry.details.get("client", "")) for entry, name in rows[:limit]
    ]
    return AuditPage(lines, more=len(rows) > limit)


def _conditions(filters: AuditFilter) -> Iterable[Any]:
    if person := " ".join(filters.person.split()):
        named = select(User.id).where(func.lower(User.display_name).contains(person.lower()))
        yield or_(
            AuditEntry.actor_id.in_(named), AuditEntry.details["client"].as_string() == person
        )
    if filters.action:
        yield AuditEntry.action == filters.action
    if filters.since:
        yield AuditEntry.created_at >= filters.since
    if filters.until:
        yield AuditEntry.created_at < filters.until


def people_named(ids: Iterable[str]) -> dict[str, str]:
    """The names of the people whose ids (as entries keep them in ``object_id``) are given."""
    keys = set()
    for value in ids:
        try:
            keys.add(uuid.UUID(value))
        except ValueError:
            continue
    if not keys:
        return {}
    rows = db.session.execute(select(User.id, User.display_name).where(User.id.in_(keys)))
    return {str(key): name for key, name in rows}
