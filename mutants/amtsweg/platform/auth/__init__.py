"""Login and tokens: the platform as one OpenID Connect relying party for every tenant.

- :mod:`.relying_party`: the browser login (code flow, PKCE, state, nonce).
- :mod:`.provider`: discovery, the provider's keys, JWT checks.
- :mod:`.bearer`: access tokens on the API.
- :mod:`.principal`: who the request belongs to (:func:`current_principal`).
- :mod:`.roles`, :mod:`.trust`, :mod:`.claims`: what a login or token says.

Nothing here touches the database; the login session and the login pages
live in the tenants area (``amtsweg/tenants/login.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Flask, current_app

from amtsweg.platform.auth.principal import current_principal
from amtsweg.platform.auth.provider import install_provider
from amtsweg.platform.auth.relying_party import FailureReason, LoginError, RelyingParty
from amtsweg.platform.auth.trust import AcrMapping

if TYPE_CHECKING:
    from amtsweg.platform.config import Settings

CALLBACK_PATH = "/login/callback"
POST_LOGOUT_PATH = "/logged-out"
_RELYING_PARTY = "amtsweg.oidc.relying_party"


def relying_party() -> RelyingParty:
    found = current_app.extensions.get(_RELYING_PARTY)
    if found is None:
        raise LoginError(FailureReason.PROVIDER_UNAVAILABLE, "no OpenID provider configured")
    return found


def absolute_url(settings: Settings, path: str) -> str:
    return settings.public_url.rstrip("/") + path


def init_app(app: Flask) -> None:
    settings: Settings = app.config["AMTSWEG"]
    from amtsweg.platform.auth import api

    app.context_processor(lambda: {"current_principal": current_principal})
    api.init_app(app)
    if not settings.login_issuer:
        return
    provider = install_provider(app, settings.login_issuer, AcrMapping.parse(settings.oidc_acr_map))
    app.extensions[_RELYING_PARTY] = RelyingParty(
        provider,
        client_id=settings.oidc_client_id,
        client_secret=settings.login_client_secret,
        redirect_uri=absolute_url(settings, CALLBACK_PATH),
        scopes=settings.oidc_scopes,
    )
