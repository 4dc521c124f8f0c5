"""Roles, and the ``amtsweg_roles`` claim that carries them in tokens.

A role is granted for one tenant (tenant admin, clerk) or for the whole
platform (association admin). The OpenID provider states roles in the claim
``amtsweg_roles``, a list of grants::

    "amtsweg_roles": [
        {"role": "clerk", "tenant": "musterstadt"},
        {"role": "tenant_admin", "tenant": "musterstadt"},
        {"role": "association_admin"}
    ]

Entries that name an unknown role, or a tenant role without a tenant, grant
nothing; a tenant on an association admin grant is ignored.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

ROLES_CLAIM = "amtsweg_roles"


class Role(enum.StrEnum):
    """What a person or service may do. Association admins serve every tenant."""

    ASSOCIATION_ADMIN = "association_admin"
    TENANT_ADMIN = "tenant_admin"
    CLERK = "clerk"


@dataclass(frozen=True, slots=True)
class RoleGrant:
    """``role`` in the tenant with the slug ``tenant`` (``None`` for association admins)."""

    role: Role
    tenant: str | None = None

    def as_claim(self) -> dict[str, str]:
        return {"role": self.role.value} | ({"tenant": self.tenant} if self.tenant else {})


def grants_from_claim(value: Any) -> frozenset[RoleGrant]:
    """The grants stated by an ``amtsweg_roles`` claim; malformed entries grant nothing."""
    if value is None:
        return frozenset()
    if not isinstance(value, list):
        log.warning("ignoring a malformed %s claim", ROLES_CLAIM)
        return frozenset()
    return frozenset(grant for entry in value if (grant := _grant(entry)) is not None)


def _grant(entry: Any) -> RoleGrant | None:
    if not isinstance(entry, dict) or entry.get("role") not in set(Role):
        return None
    role = Role(entry["role"])
    if role is Role.ASSOCIATION_ADMIN:
        return RoleGrant(role)
    tenant = entry.get("tenant")
    return RoleGrant(role, tenant) if isinstance(tenant, str) and tenant else None


def sorted_grants(grants: frozenset[RoleGrant]) -> list[RoleGrant]:
    return sorted(grants, key=lambda grant: (grant.role, grant.tenant or ""))


def grants_as_claim(grants: frozenset[RoleGrant]) -> list[dict[str, str]]:
    return [grant.as_claim() for grant in sorted_grants(grants)]
