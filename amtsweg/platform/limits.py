"""Rate limits for the doors worth guessing at or flooding: logging in, saving, submitting.

Flask-Limiter with one :data:`limiter` per process; its counters live in Redis
(``REDIS_URL``, required in production, so every web process counts together)
or, without it, in the process's memory. The limits are read from the
settings on every request:

- :data:`login_limit`: ``AMTSWEG_LOGIN_RATE_LIMIT`` per client IP, counted
  separately for each endpoint it decorates (login start, login callback).
- :data:`submit_limit`: ``AMTSWEG_SUBMIT_RATE_LIMIT`` per person (per client
  IP when nobody is logged in), one allowance shared by the HTML submit and
  the API's submit.
- :data:`message_limit`: ``AMTSWEG_SUBMIT_RATE_LIMIT`` per person or IP for
  each feedback form, apart from the applications' allowance.
- :data:`step_limit`: ``AMTSWEG_STEP_RATE_LIMIT`` saved steps per person,
  so uploads cannot be poured into a draft.

When Redis cannot be reached the limiter counts in the process's memory until
it answers again (logged as a warning): a citizen's submission needs only
PostgreSQL, so an outage of the counters must never refuse it with a 500.

Decorate a view function or a ``MethodView`` method with them::

    @bp.post("/...")
    @submit_limit
    def post(): ...

A request over the limit raises ``RateLimitExceeded`` (a 429), which
:mod:`amtsweg.platform.web` answers with the HTML error page or a problem
document; the limiter adds ``Retry-After`` (seconds) and the
``X-RateLimit-*`` headers. The client IP is ``request.remote_addr``; behind a
reverse proxy set ``AMTSWEG_PROXY_HOPS`` so that it is the client's, not the
proxy's.
"""

from __future__ import annotations

import hashlib

from flask import Flask, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from amtsweg.platform.auth.principal import current_principal

KEY_PREFIX = "amtsweg-limits"


def _person_or_address() -> str:
    """Who is submitting: the logged-in person (hashed; Redis holds no subject) or the IP."""
    principal = current_principal()
    if principal is None:
        return f"ip:{get_remote_address()}"
    who = f"{principal.issuer}\n{principal.subject}".encode()
    return "person:" + hashlib.sha256(who).hexdigest()


def _login_limit() -> str:
    return current_app.config["AMTSWEG"].login_rate_limit


def _submit_limit() -> str:
    return current_app.config["AMTSWEG"].submit_rate_limit


def _step_limit() -> str:
    return current_app.config["AMTSWEG"].step_rate_limit


# One limiter per process (the decorators below need it at import time); each app's
# init_app gives it that app's storage. Everything else is fixed here, not per app.
limiter = Limiter(
    key_func=get_remote_address,
    key_prefix=KEY_PREFIX,
    strategy="moving-window",  # no burst of twice the limit around a window's edge
    headers_enabled=True,
    in_memory_fallback_enabled=True,
    swallow_errors=True,
)

#: Decorator: at most ``AMTSWEG_LOGIN_RATE_LIMIT`` requests per client IP.
login_limit = limiter.limit(_login_limit, key_func=get_remote_address)

#: Decorator: at most ``AMTSWEG_SUBMIT_RATE_LIMIT`` submissions per person or IP, counted
#: together for every endpoint it decorates.
submit_limit = limiter.shared_limit(_submit_limit, scope="submit", key_func=_person_or_address)


#: Decorator: at most ``AMTSWEG_SUBMIT_RATE_LIMIT`` messages per person or IP, counted per
#: endpoint (feedback forms), apart from the allowance for applications.
message_limit = limiter.limit(_submit_limit, key_func=_person_or_address)

#: Decorator: at most ``AMTSWEG_STEP_RATE_LIMIT`` saved steps per person or IP.
step_limit = limiter.shared_limit(_step_limit, scope="step", key_func=_person_or_address)


def init_app(app: Flask) -> None:
    app.config["RATELIMIT_STORAGE_URI"] = app.config["AMTSWEG"].redis_url or "memory://"
    # Redis down must not turn a citizen's submission into an error page: each
    # process counts for itself until Redis answers again.
    app.config["RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"] = True
    app.config["RATELIMIT_SWALLOW_ERRORS"] = True
    limiter.init_app(app)
    _check_only_decorated_views(app)


def _check_only_decorated_views(app: Flask) -> None:
    """Leave out Flask-Limiter's check before every request.

    That check looks for application-wide and default limits; Amtsweg sets
    none (each limit decorates its view, and the decorator checks it), so on
    every request, ``/healthz`` too, it found nothing at some cost. Should
    such limits ever be configured, the check stays.
    """
    manager = limiter.limit_manager
    if manager.application_limits or manager.default_limits:
        return
    app.before_request_funcs[None].remove(limiter._check_request_limit)  # noqa: SLF001
