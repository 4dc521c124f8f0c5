"""Logging in and out through the platform's OpenID provider, and the login session.

- ``GET /login?next=…&level=…`` starts the code flow (``level`` asks the
  provider for a stronger login, see :mod:`amtsweg.platform.auth.trust`).
- ``GET /login/callback`` completes it: a new login session replaces any
  old one (a fresh id, a fresh Flask session), so a session id planted
  before the login is worth nothing after it.
- ``POST /logout`` ends the session here, then at the provider when it
  supports RP-initiated logout; the provider sends the person back to
  ``/logged-out``.

The login session lives in the ``login_sessions`` table; the cookie
(``HttpOnly``, ``SameSite=Lax``, ``Secure`` in production and over HTTPS)
carries only its random id.
"""

from __future__ import annotations

import datetime as dt
import logging

from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
)
from flask_babel import gettext
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from amtsweg.platform.auth import (
    CALLBACK_PATH,
    POST_LOGOUT_PATH,
    absolute_url,
    relying_party,
)
from amtsweg.platform.auth.principal import (
    API_PATH,
    Principal,
    current_principal,
    forget_principal,
    register_session_loader,
)
from amtsweg.platform.auth.relying_party import FailureReason, LoginError, PendingLogin
from amtsweg.platform.auth.roles import ROLES_CLAIM, grants_from_claim
from amtsweg.platform.auth.trust import TrustLevel
from amtsweg.platform.csrf import start_fresh_session
from amtsweg.platform.db import db
from amtsweg.platform.limits import login_limit
from amtsweg.platform.redirects import safe_next_url
from amtsweg.tenants import service
from amtsweg.tenants.models import LoginSession, Tenant, User

log = logging.getLogger(__name__)
bp = Blueprint("login", __name__, template_folder="templates")

COOKIE = "amtsweg_login"
PENDING_KEY = "login_pending"
AFTER_LOGOUT_KEY = "after_logout"


def _failure_page(failure: LoginError) -> tuple[str, int]:
    log.warning("login failed: %s", failure)
    status = 503 if failure.reason is FailureReason.PROVIDER_UNAVAILABLE else 400
    return render_template("login/failed.html", reason=failure.reason.value), status


@bp.get("/login")
@login_limit
def start() -> Response | tuple[str, int]:
    next_url = safe_next_url(request.args.get("next"))
    level = request.args.get("level", TrustLevel.NONE.value)
    level = TrustLevel(level) if level in set(TrustLevel) else TrustLevel.NONE
    try:
        url, pending = relying_party().begin(next_url, level)
    except LoginError as failure:
        return _failure_page(failure)
    session[PENDING_KEY] = pending.as_dict()
    return redirect(url)


@bp.get(CALLBACK_PATH)
@login_limit
def callback() -> Response | tuple[str, int]:
    pending = PendingLogin.from_dict(session.pop(PENDING_KEY, None) or {})
    try:
        result = relying_party().finish(pending, request.args)
    except LoginError as failure:
        return _failure_page(failure)
    _replace_session()
    lifetime = dt.timedelta(minutes=current_app.config["AMTSWEG"].login_session_minutes)
    session_id, _row = service.start_login_session(result, lifetime)
    db.session.commit()
    _forget_login()
    response = _after_login(result.trust_level, pending)
    set_login_cookie(response, session_id, lifetime)
    return response


def _after_login(got: TrustLevel, pending: PendingLogin | None) -> Response:
    """Back to where the login began, unless the login is weaker than that page needs."""
    needed = TrustLevel(pending.level) if pending else TrustLevel.NONE
    next_url = pending.next_url if pending else "/"
    if got.satisfies(needed):
        return redirect(next_url)
    page = render_template("login/too_weak.html", needed=needed, got=got, next_url=next_url)
    return current_app.make_response((page, 403))


def _replace_session() -> None:
    """End the login this browser had, and start its Flask session (and CSRF token) anew."""
    if old := request.cookies.get(COOKIE):
        service.end_login_session(old)
    start_fresh_session()


def set_login_cookie(response: Response, session_id: str, lifetime: dt.timedelta) -> None:
    """The cookie that carries the login session's id for ``lifetime`` (also on renewal)."""
    response.set_cookie(
        COOKIE,
        session_id,
        max_age=int(lifetime.total_seconds()),
        httponly=True,
        samesite="Lax",
        secure=current_app.config["AMTSWEG"].is_production or request.is_secure,
    )


@bp.post("/logout")
def logout() -> Response:
    row = service.end_login_session(request.cookies.get(COOKIE, ""))
    db.session.commit()
    start_fresh_session()
    _forget_login()
    session[AFTER_LOGOUT_KEY] = safe_next_url(request.form.get("next"))
    target = POST_LOGOUT_PATH
    if row is not None:
        settings = current_app.config["AMTSWEG"]
        back = absolute_url(settings, POST_LOGOUT_PATH)
        try:
            target = relying_party().logout_url(row.id_token, back) or target
        except LoginError:
            log.warning("no provider to log out of")
    response = redirect(target)
    response.delete_cookie(COOKIE)
    return response


@bp.get(POST_LOGOUT_PATH)
def logged_out() -> Response:
    flash(gettext("You are logged out."), "success")
    return redirect(session.pop(AFTER_LOGOUT_KEY, None) or "/")


_LOGIN_KEY = "amtsweg.login_session"
_BEARER_PERSON_KEY = "amtsweg.bearer_person"


def current_login() -> tuple[LoginSession, User] | None:
    """The browser's live login session and its person, looked up once per request.

    Kept in the request's environ, not in ``g``: an app context may outlive a request.
    """
    if _LOGIN_KEY not in request.environ:
        session_id = request.cookies.get(COOKIE)
        found = service.find_login_session(session_id) if session_id else None
        request.environ[_LOGIN_KEY] = found
    return request.environ[_LOGIN_KEY]


def tenant_to_serve(slug: str) -> Tenant | None:
    """:func:`~amtsweg.tenants.service.find_tenant_to_serve`; for a browser with a login
    cookie, its login comes in the same round trip and :func:`current_login` knows it;
    for a bearer token's known person, the person comes with it (:func:`person_of`)."""
    if (principal := _token_person()) is not None:
        tenant, person = service.find_tenant_to_serve_and_person(
            slug, principal.issuer, principal.subject, principal.name
        )
        request.environ[_BEARER_PERSON_KEY] = person
        return tenant
    session_id = request.cookies.get(COOKIE)
    if not session_id or _LOGIN_KEY in request.environ:
        return service.find_tenant_to_serve(slug)
    tenant, found = service.find_tenant_to_serve_and_login(slug, session_id)
    if tenant is not None:
        request.environ[_LOGIN_KEY] = found
    return tenant


def person_of(principal: Principal) -> User:
    """:func:`~amtsweg.tenants.service.user_of`, without a query for the bearer token's
    person when :func:`tenant_to_serve` found them already (in this request only).

    The principal itself is left as it is: a token's roles are the token's, not
    the memberships of the person's browser logins.
    """
    known = request.environ.get(_BEARER_PERSON_KEY)
    if known is not None and (known.issuer, known.subject) == (principal.issuer, principal.subject):
        return known
    return service.user_of(principal)


def _token_person() -> Principal | None:
    """The person a valid bearer token speaks for, on an API path.

    ``None`` for a service account and without a token; also for a token that
    is refused: the view's access check refuses it, after the tenant was
    looked up, as for every other request.
    """
    if not request.path.startswith(API_PATH) or "Authorization" not in request.headers:
        return None
    try:
        principal = current_principal()
    except HTTPException:
        return None
    return principal if principal is not None and not principal.is_service else None


def _forget_login() -> None:
    """After a login or logout in this request, look the session up afresh."""
    request.environ.pop(_LOGIN_KEY, None)
    forget_principal()


def principal_from_session() -> Principal | None:
    """The principal of the browser's login session, if it has a live one."""
    found = current_login()
    if found is None:
        return None
    login, user = found
    return Principal(
        issuer=user.issuer,
        subject=user.subject,
        name=user.display_name,
        trust_level=login.trust_level,
        grants=grants_from_claim(login.claims.get(ROLES_CLAIM)),
        prefill={name: value for name, value in login.claims.items() if name != ROLES_CLAIM},
        user_id=user.id,
    )


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    register_session_loader(app, principal_from_session)
