"""Asking for a login: who is there, and is their login strong enough.

:func:`require_principal` is what a view calls before it does anything that
needs a person: an API caller without a valid token gets a 401 problem
document; a person in the browser who is not logged in, or whose login is
weaker than ``level``, is sent to the login (asking the provider for that
level through ``acr_values``) and comes back to the page afterwards.
Role checks that depend on a tenant live in ``amtsweg/tenants/access.py``.
"""

from __future__ import annotations

from flask import redirect, request, url_for
from flask_babel import gettext
from werkzeug.exceptions import HTTPException

from amtsweg.platform.auth.bearer import BearerChallenge, missing_token
from amtsweg.platform.auth.principal import API_PATH, Principal, current_principal
from amtsweg.platform.auth.trust import TrustLevel
from amtsweg.platform.redirects import safe_next_url

LOGIN_ENDPOINT = "login.start"


def require_principal(level: TrustLevel = TrustLevel.NONE) -> Principal:
    """The logged-in principal, at least at trust ``level``; otherwise off to the login."""
    principal = current_principal()
    if principal is not None and principal.trust_level.satisfies(level):
        return principal
    if request.path.startswith(API_PATH):
        if principal is None:
            raise missing_token()
        raise BearerChallenge(
            gettext("This needs a login of trust level %(level)s.", level=level.value),
            error="insufficient_user_authentication",
        )
    raise HTTPException(response=redirect(login_url(level)))


def login_url(level: TrustLevel = TrustLevel.NONE) -> str:
    """The login, returning to the current page (a local path only)."""
    here = safe_next_url(request.full_path.rstrip("?"))
    if level is TrustLevel.NONE:
        return url_for(LOGIN_ENDPOINT, next=here)
    return url_for(LOGIN_ENDPOINT, next=here, level=level.value)
