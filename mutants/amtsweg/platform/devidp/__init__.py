"""A built-in OpenID provider for development and demos, never for production.

Mounted at ``/dev-idp`` only when ``AMTSWEG_DEV_LOGIN`` is on (production
refuses that setting). Anyone can log in as one of the test people in
:mod:`.personas`. When no real provider is configured, the platform uses this
one, reaching it in-process (:mod:`.transport`).
"""

from __future__ import annotations

import threading

from flask import Flask, current_app

from amtsweg.platform.auth import CALLBACK_PATH, POST_LOGOUT_PATH
from amtsweg.platform.auth.provider import installed_provider
from amtsweg.platform.auth.roles import Role, RoleGrant
from amtsweg.platform.config import DEV_CLIENT_SECRET, DEV_LOGIN_PATH, Settings
from amtsweg.platform.devidp.keys import load_or_create_key
from amtsweg.platform.devidp.server import DevAuthorizationServer, DevClient
from amtsweg.platform.devidp.transport import InProcessAdapter

_EXTENSION = "amtsweg.devidp"
_build_lock = threading.Lock()

# A service account for trying client credentials: a musterstadt specialist system.
SERVICE_CLIENT_ID = "musterstadt-fachverfahren"


def dev_issuer(settings: Settings) -> str:
    return settings.public_url.rstrip("/") + DEV_LOGIN_PATH


def dev_server() -> DevAuthorizationServer:
    """The current app's development provider, made on first use (it needs a key)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # noqa: SLF001
    with _build_lock:
        if _EXTENSION not in app.extensions:
            app.extensions[_EXTENSION] = _build(app.config["AMTSWEG"])
    return app.extensions[_EXTENSION]


def _build(settings: Settings) -> DevAuthorizationServer:
    base = settings.public_url.rstrip("/")
    return DevAuthorizationServer(
        issuer=dev_issuer(settings),
        api_audience=settings.oidc_api_audience,
        key=load_or_create_key(settings.dev_login_key_file),
        clients=[
            DevClient(
                client_id=settings.oidc_client_id,
                client_secret=settings.login_client_secret,
                grant_type="authorization_code",
                redirect_uris=(base + CALLBACK_PATH,),
                post_logout_redirect_uris=(base + POST_LOGOUT_PATH,),
            ),
            DevClient(
                client_id=SERVICE_CLIENT_ID,
                client_secret=DEV_CLIENT_SECRET,
                grant_type="client_credentials",
                scope="",
                grants=frozenset({RoleGrant(Role.CLERK, "musterstadt")}),
            ),
        ],
    )


def init_app(app: Flask) -> None:
    settings: Settings = app.config["AMTSWEG"]
    from amtsweg.platform.devidp import cli, views

    app.cli.add_command(cli.dev_token)
    if not settings.dev_login:
        return
    app.register_blueprint(views.bp, url_prefix=DEV_LOGIN_PATH)
    if settings.uses_dev_login_provider and (found := installed_provider(app)):
        found.adapters[dev_issuer(settings) + "/"] = InProcessAdapter(app)
