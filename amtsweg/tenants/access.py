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

import functools
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from flask import abort, g

from amtsweg.platform.auth.access import require_principal
from amtsweg.platform.auth.principal import Principal
from amtsweg.platform.auth.roles import Role
from amtsweg.tenants import service
from amtsweg.tenants.models import Tenant

P = ParamSpec("P")
R = TypeVar("R")


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


def require_role(*roles: Role) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorate a handler: it runs only for a principal with one of ``roles``.

    Under a tenant (the tenant the handler loaded, ``g.tenant``) the role must
    be held there (else 404); elsewhere only association admins pass (else 403).
    """

    def decorate(view: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(view)
        def checked(*args: P.args, **kwargs: P.kwargs) -> R:
            _check(roles)
            return view(*args, **kwargs)

        return checked

    return decorate


def _check(roles: tuple[Role, ...]) -> Any:
    tenant: Tenant | None = g.get("tenant")
    if tenant is not None:
        return require_tenant_role(tenant, *roles)
    principal = require_principal()
    if not (Role.ASSOCIATION_ADMIN in roles and principal.is_association_admin):
        abort(403)
    return principal
