"""The development provider's endpoints: discovery, keys, login page, token, logout.

The provider remembers who logged in with its own cookie (path ``/dev-idp``),
so a second login goes straight through until the person logs out here.
"""

from __future__ import annotations

from typing import Any

from authlib.oauth2 import OAuth2Error
from flask import Blueprint, current_app, jsonify, redirect, render_template, request
from itsdangerous import BadSignature, URLSafeSerializer
from joserfc.errors import JoseError
from werkzeug.wrappers import Response

from amtsweg.platform.config import DEV_LOGIN_PATH
from amtsweg.platform.csrf import csrf
from amtsweg.platform.devidp import dev_server
from amtsweg.platform.devidp.keys import public_key_set
from amtsweg.platform.devidp.personas import PERSONAS, PERSONAS_BY_ID, Persona

bp = Blueprint("devidp", __name__, template_folder="templates")
COOKIE = "amtsweg_devidp"


def _cookie_signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="amtsweg.devidp")


def _remembered_persona() -> Persona | None:
    try:
        persona_id = _cookie_signer().loads(request.cookies.get(COOKIE, ""))
    except BadSignature:
        return None
    return PERSONAS_BY_ID.get(persona_id)


@bp.get("/.well-known/openid-configuration")
def discovery() -> Response:
    server = dev_server()
    base = server.issuer
    return jsonify(
        issuer=base,
        authorization_endpoint=base + "/authorize",
        token_endpoint=base + "/token",
        jwks_uri=base + "/jwks",
        end_session_endpoint=base + "/logout",
        response_types_supported=["code"],
        grant_types_supported=["authorization_code", "client_credentials"],
        subject_types_supported=["public"],
        id_token_signing_alg_values_supported=["RS256"],
        code_challenge_methods_supported=["S256"],
        token_endpoint_auth_methods_supported=["client_secret_basic", "client_secret_post"],
        scopes_supported=["openid", "profile", "email", "address"],
        acr_values_supported=sorted({p.acr for p in PERSONAS if p.acr}),
    )


@bp.get("/jwks")
def jwks() -> Response:
    return jsonify(public_key_set(dev_server().key))


@bp.get("/authorize")
def authorize() -> Any:
    server = dev_server()
    try:
        grant = server.get_consent_grant(end_user=None)
    except OAuth2Error as error:
        return server.handle_error_response(None, error)
    requested = set(grant.request.payload.data.get("acr_values", "").split())
    persona = _remembered_persona()
    prompt = grant.request.payload.data.get("prompt", "")
    if persona and "login" not in prompt and (not requested or persona.acr in requested):
        return server.create_authorization_response(grant_user=persona, grant=grant)
    return render_template(
        "devidp/login.html",
        personas=PERSONAS,
        requested=requested,
        client_id=grant.client.client_id,
    )


@bp.post("/authorize")
def choose_persona() -> Response:
    persona = PERSONAS_BY_ID.get(request.form.get("persona", ""))
    server = dev_server()
    if persona is None:
        return redirect(request.full_path)
    try:
        grant = server.get_consent_grant(end_user=persona)
    except OAuth2Error as error:
        return server.handle_error_response(None, error)
    response = server.create_authorization_response(grant_user=persona, grant=grant)
    response.set_cookie(
        COOKIE,
        _cookie_signer().dumps(persona.id),
        path=DEV_LOGIN_PATH,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure,
    )
    return response


@bp.post("/token")
def token() -> Response:
    return dev_server().create_token_response()


@bp.get("/logout")
def logout() -> Any:
    """RP-initiated logout: forget the person, then go back if the client may ask that."""
    target = request.args.get("post_logout_redirect_uri", "")
    client = dev_server().query_client(_client_of(request.args))
    if client is None or target not in client.post_logout_redirect_uris:
        response = current_app.make_response(render_template("devidp/logged_out.html"))
    else:
        response = redirect(target)
    response.delete_cookie(COOKIE, path=DEV_LOGIN_PATH)
    return response


def _client_of(args: Any) -> str:
    """The client named by ``client_id``, else by the audience of ``id_token_hint``."""
    if client_id := args.get("client_id"):
        return client_id
    try:
        claims = dev_server().verify_own_token(args.get("id_token_hint", ""))
    except (JoseError, ValueError):
        return ""
    audience = claims.get("aud")
    return audience[0] if isinstance(audience, list) and audience else str(audience or "")


csrf.exempt(token)
