"""Roles in a tenant, and the checks handlers use.

A principal's roles in a tenant are the grants its provider stated for that
tenant (the ``amtsweg_roles`` claim of the login or the token), plus, for
people who logged in through the browser, their ``memberships`` there.
Association admins hold their role in every tenant.

Someone without the needed role in the tenant of the URL gets a 404: a
tenant's staff pages and objects do not exist for outsiders, and tenant A's
clerk learns nothing about tenant B by asking.
"""

from __future__ import annotations

from flask import abort

from amtsweg.platform.auth.access import require_principal
from amtsweg.platform.auth.principal import Principal
from amtsweg.platform.auth.roles import Role
from amtsweg.tenants import service
from amtsweg.tenants.models import Tenant

#: Who administers a municipality: its own admins, and the association's everywhere.
ADMINS = (Role.TENANT_ADMIN, Role.ASSOCIATION_ADMIN)
#: Who works in a municipality: its clerks and everyone who administers it.
STAFF = (Role.CLERK, *ADMINS)


def tenant_roles(principal: Principal, tenant: Tenant) -> set[Role]:
    roles = principal.roles_in(tenant.slug)
    if principal.user_id is not None:
        roles |= service.roles_of(tenant, principal.user_id)
    return roles


def require_tenant_role(tenant: Tenant, *roles: Role) -> Principal:
    """The principal, if it holds one of ``roles`` in ``tenant``; 404 otherwise."""
    principal = require_principal()
    if not tenant_roles(principal, tenant) & set(roles):
        abort(404)
    return principal
