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

In Redis a request's limit costs one round trip: :class:`OneTripRedisStorage`
answers the headers' window from the hit's own script.
"""

from __future__ import annotations

import hashlib
import time

from flask import Flask, current_app, has_request_context, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits.storage import RedisStorage

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


#: The script of one hit: ``acquire_moving_window.lua`` and ``moving_window.lua`` of the
#: ``limits`` package in one, on the same list of timestamps (newest first). It returns
#: whether the hit was counted, then the window after it: its oldest entry and how
#: many entries it holds (nothing more when it is empty).
ACQUIRE_AND_WINDOW = """
local timestamp = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local expiry = tonumber(ARGV[3])
local amount = tonumber(ARGV[4])
local start = timestamp - expiry

local acquired = 0
if amount <= limit then
    local entry = redis.call('lindex', KEYS[1], limit - amount)
    if not (entry and tonumber(entry) >= start) then
        for _ = 1, amount do
            redis.call('lpush', KEYS[1], ARGV[1])
        end
        redis.call('ltrim', KEYS[1], 0, limit - 1)
        redis.call('expire', KEYS[1], expiry)
        acquired = 1
    end
end

local low, high, oldest = 0, limit - 1, nil
while low <= high do
    local middle = math.floor((low + high) / 2)
    local value = tonumber(redis.call('lindex', KEYS[1], middle))
    if value and value >= start then
        oldest = middle
        low = middle + 1
    else
        high = middle - 1
    end
end
if oldest then
    return {acquired, redis.call('lindex', KEYS[1], oldest), oldest + 1}
end
return {acquired}
"""

_WINDOWS = "amtsweg.limit_windows"
SCHEME_PREFIX = "amtsweg+"


class OneTripRedisStorage(RedisStorage):
    """Redis counters whose moving-window hit reads the window after it in the same script.

    Flask-Limiter hits the limit, then asks the storage for the window to write
    ``X-RateLimit-Remaining`` and ``-Reset``: a second script, a second round
    trip. Here the hit keeps the window its script returned in the request's
    environ, and the headers' question about the same key is answered from it,
    once. That is the window right after this request's hit, which the headers
    describe; a question outside a request, or about a key this request did not
    hit, goes to Redis as before. The counting itself is the library's.
    """

    # limits registers the class for these URI schemes when it is made.
    STORAGE_SCHEME = [  # noqa: RUF012
        SCHEME_PREFIX + scheme for scheme in ("redis", "rediss", "redis+unix")
    ]

    def __init__(self, uri: str, **options: float | str | bool) -> None:
        super().__init__(uri.removeprefix(SCHEME_PREFIX), **options)
        self.lua_acquire_and_window = self.get_connection().register_script(ACQUIRE_AND_WINDOW)

    def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        timestamp = time.time()
        acquired, *window = self.lua_acquire_and_window(
            [self.prefixed_key(key)], [timestamp, limit, expiry, amount]
        )
        if has_request_context():
            start, count = (float(window[0]), int(window[1])) if window else (timestamp, 0)
            request.environ.setdefault(_WINDOWS, {})[key] = (start, count)
        return bool(acquired)

    def get_moving_window(self, key: str, limit: int, expiry: int) -> tuple[float, int]:
        if has_request_context() and (window := request.environ.get(_WINDOWS, {}).pop(key, None)):
            return window
        return super().get_moving_window(key, limit, expiry)


def init_app(app: Flask) -> None:
    redis_url = app.config["AMTSWEG"].redis_url
    app.config["RATELIMIT_STORAGE_URI"] = SCHEME_PREFIX + redis_url if redis_url else "memory://"
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
