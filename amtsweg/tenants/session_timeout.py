"""Warning before a login ends, and a way to extend it (WCAG 2.2.1 "Timing Adjustable").

A login lasts ``AMTSWEG_LOGIN_SESSION_MINUTES`` (see :mod:`amtsweg.tenants.login`).
Pages where a citizen works on a draft include ``login/session_notice.html``:

- without JavaScript it says until when the login is valid ("Ihre Anmeldung ist
  bis 14:35 Uhr gültig") and offers a button that posts to ``/session/extend``
  (CSRF-protected) and returns to the page;
- with JavaScript (``static/session-timeout.js``) a dialog (``role="alertdialog"``,
  focus moved to it and back) appears :data:`WARN_BEFORE` ahead of the end and
  posts the same form in the background, so nothing typed on the page is lost.

Extending renews the login to ``AMTSWEG_LOGIN_SESSION_MINUTES`` from now, but
never beyond ``AMTSWEG_LOGIN_SESSION_MAX_MINUTES`` after logging in: after
that, the person logs in again. Drafts are saved with every step, so nothing
saved is lost when a login ends.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Flask, current_app, flash, jsonify, redirect, request
from flask_babel import gettext, to_user_timezone
from werkzeug.wrappers import Response

from amtsweg.platform.db import db, utcnow
from amtsweg.platform.redirects import safe_next_url
from amtsweg.platform.web import problem_response
from amtsweg.tenants import service
from amtsweg.tenants.login import COOKIE, current_login, set_login_cookie

bp = Blueprint("session_timeout", __name__)

#: How long before the end the JavaScript warning appears.
WARN_BEFORE = dt.timedelta(minutes=5)
_ENVIRON_KEY = "amtsweg.login_time"


@dataclass(frozen=True, slots=True)
class LoginTime:
    """When the browser's login ends, and whether it can still be extended."""

    expires_at: dt.datetime
    limit: dt.datetime

    @property
    def seconds_left(self) -> int:
        return max(0, int((self.expires_at - utcnow()).total_seconds()))

    @property
    def can_extend(self) -> bool:
        return self.expires_at < self.limit

    @property
    def warn_seconds(self) -> int:
        return int(WARN_BEFORE.total_seconds())

    @property
    def until(self) -> str:
        """The end as the clock on the wall shows it (Europe/Berlin), e.g. ``14:35``."""
        return clock(self.expires_at)

    @property
    def latest(self) -> str:
        return clock(self.limit)

    def as_json(self, *, extended: bool) -> dict[str, Any]:
        return {
            "extended": extended,
            "expires_at": self.expires_at.isoformat(),
            "until": self.until,
            "seconds_left": self.seconds_left,
            "can_extend": self.can_extend,
        }


def clock(moment: dt.datetime) -> str:
    """``HH:mm`` in the app's time zone: the same digits in every language, so Babel's
    locale-aware formatting (three times a page with the login notice) is not needed."""
    return to_user_timezone(moment).strftime("%H:%M")


def _limits() -> tuple[dt.timedelta, dt.timedelta]:
    settings = current_app.config["AMTSWEG"]
    return (
        dt.timedelta(minutes=settings.login_session_minutes),
        dt.timedelta(minutes=settings.login_session_max_minutes),
    )


def login_time() -> LoginTime | None:
    """The browser's live login's end (template global), or ``None`` without one."""
    if _ENVIRON_KEY not in request.environ:
        request.environ[_ENVIRON_KEY] = _load_login_time()
    return request.environ[_ENVIRON_KEY]


def _load_login_time() -> LoginTime | None:
    found = current_login()
    if found is None:
        return None
    row, _user = found
    return LoginTime(service.as_utc(row.expires_at), service.login_session_limit(row, _limits()[1]))


def _wants_json() -> bool:
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == (
        "application/json"
    )


@bp.post("/session/extend")
def extend() -> Response:
    """Renew the login within its maximum; back to the page (HTML) or the new end (JSON)."""
    session_id = request.cookies.get(COOKIE, "")
    lifetime, max_lifetime = _limits()
    outcome = (
        service.extend_login_session(session_id, lifetime, max_lifetime) if session_id else None
    )
    db.session.commit()
    back = safe_next_url(request.form.get("next"))
    if outcome is None:
        message = gettext(
            "Your login has ended. Answers you saved are kept; log in again to continue."
        )
        if _wants_json():
            return problem_response(401, detail=message)
        flash(message, "warning")
        return redirect(back, 303)
    row, extended = outcome
    time = LoginTime(service.as_utc(row.expires_at), service.login_session_limit(row, max_lifetime))
    if _wants_json():
        if not extended:
            return problem_response(409, detail=_not_extended(time), **time.as_json(extended=False))
        response = jsonify(time.as_json(extended=True))
    else:
        if extended:
            flash(gettext("Your login is now valid until %(time)s.", time=time.until), "success")
        else:
            flash(_not_extended(time), "warning")
        response = redirect(back, 303)
    if extended:
        set_login_cookie(response, session_id, dt.timedelta(seconds=time.seconds_left))
    return response


def _not_extended(time: LoginTime) -> str:
    return gettext(
        "Your login cannot be extended any further: it ends at %(time)s. "
        "Answers you saved are kept; log in again to continue.",
        time=time.until,
    )


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.add_template_global(login_time)
