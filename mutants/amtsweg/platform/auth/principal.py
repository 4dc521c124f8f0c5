"""Who is making the current request: a :class:`Principal`, or nobody.

API requests (``/api/...``) are authenticated by a bearer token only, HTML
requests by the login session cookie only; so a cookie never authorises an
API call (no CSRF there) and a token never stands in for a login. The login
session lives in the tenants area, which registers its loader with
:func:`register_session_loader`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app, request

from amtsweg.platform.auth.bearer import bearer_token_claims
from amtsweg.platform.auth.claims import display_name, prefill_claims
from amtsweg.platform.auth.provider import provider
from amtsweg.platform.auth.roles import (
    ROLES_CLAIM,
    Role,
    RoleGrant,
    grants_from_claim,
    sorted_grants,
)
from amtsweg.platform.auth.trust import TrustLevel

API_PATH = "/api/"
_LOADER = "amtsweg.session_principal"
_KEY = "amtsweg.principal"


@dataclass(frozen=True, slots=True)
class Principal:
    """A person (logged in, or calling with their token) or a service account.

    ``prefill`` holds the standard claims a form may prefill
    (:mod:`amtsweg.platform.auth.claims`). ``user_id`` is set for people who
    logged in through the browser (their ``users`` row).
    """

    issuer: str
    subject: str
    name: str = ""
    trust_level: TrustLevel = TrustLevel.NONE
    grants: frozenset[RoleGrant] = frozenset()
    prefill: Mapping[str, Any] = field(default_factory=dict)
    user_id: uuid.UUID | None = None
    is_service: bool = False

    @property
    def is_association_admin(self) -> bool:
        return RoleGrant(Role.ASSOCIATION_ADMIN) in self.grants

    @property
    def sorted_grants(self) -> list[RoleGrant]:
        return sorted_grants(self.grants)

    def roles_in(self, tenant_slug: str) -> set[Role]:
        """The roles granted for this tenant; association admins hold theirs everywhere."""
        roles = {grant.role for grant in self.grants if grant.tenant == tenant_slug}
        if self.is_association_admin:
            roles.add(Role.ASSOCIATION_ADMIN)
        return roles


def principal_from_token(claims: Mapping[str, Any]) -> Principal:
    """The principal a verified access token speaks for.

    Client-credentials tokens name the client as subject (or no subject at all):
    those are service accounts.
    """
    client_id = claims.get("client_id") or claims.get("azp")
    subject = claims.get("sub") or client_id or ""
    return Principal(
        issuer=claims["iss"],
        subject=subject,
        name=display_name(claims) or subject,
        trust_level=provider().acr_mapping.level_of(claims.get("acr")),
        grants=grants_from_claim(claims.get(ROLES_CLAIM)),
        prefill=prefill_claims(claims),
        is_service=subject == client_id,
    )


def current_principal() -> Principal | None:
    """The principal of this request, loaded once; ``None`` if nobody is logged in.

    On API paths an invalid bearer token raises 401 (see :mod:`.bearer`).
    """
    # Kept in the WSGI environ: it belongs to this request (``g`` can outlive it in tests).
    if _KEY not in request.environ:
        request.environ[_KEY] = _load_principal()
    return request.environ[_KEY]


def _load_principal() -> Principal | None:
    if request.path.startswith(API_PATH):
        claims = bearer_token_claims()
        return None if claims is None else principal_from_token(claims)
    loader: Callable[[], Principal | None] | None = current_app.extensions.get(_LOADER)
    return loader() if loader else None


def register_session_loader(app: Flask, loader: Callable[[], Principal | None]) -> None:
    """Let the login area tell who an HTML request belongs to."""
    app.extensions[_LOADER] = loader


def forget_principal() -> None:
    """After a login or logout the request's principal changed; load it afresh."""
    request.environ.pop(_KEY, None)
