"""Bearer tokens on the API: JWT access tokens from the platform's OpenID provider.

A token is accepted when its signature verifies with the provider's keys and
its ``iss``, ``aud`` (``AMTSWEG_OIDC_API_AUDIENCE``) and ``exp`` hold. A bad
token is a 401 problem document with ``WWW-Authenticate: Bearer
error="invalid_token"`` (RFC 6750); a request without any token gets the
challenge without an error code, as RFC 6750 section 3.1 asks.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from flask_babel import gettext
from joserfc.errors import JoseError
from werkzeug.exceptions import ServiceUnavailable, Unauthorized

from amtsweg.platform.auth.provider import ProviderUnavailableError, provider

REALM = "amtsweg"


class BearerChallenge(Unauthorized):
    """401 with a ``WWW-Authenticate: Bearer`` challenge."""

    def __init__(self, description: str, error: str | None = None) -> None:
        super().__init__(description)
        self.challenge = f'Bearer realm="{REALM}"' + (f', error="{error}"' if error else "")

    def get_headers(self, *args: Any, **kwargs: Any) -> list[tuple[str, str]]:
        return [*super().get_headers(*args, **kwargs), ("WWW-Authenticate", self.challenge)]


def invalid_token() -> BearerChallenge:
    return BearerChallenge(
        gettext("The access token is invalid, expired, or not meant for this API."),
        error="invalid_token",
    )


def missing_token() -> BearerChallenge:
    return BearerChallenge(gettext("This API needs an access token (Authorization: Bearer)."))


def bearer_token_claims() -> dict[str, Any] | None:
    """The verified claims of the request's bearer token; ``None`` without one."""
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise invalid_token()
    audience = current_app.config["AMTSWEG"].oidc_api_audience
    try:
        return provider().verify_jwt(
            token.strip(),
            aud={"essential": True, "value": audience},
            sub={"essential": False},
        )
    except ProviderUnavailableError:
        raise ServiceUnavailable(gettext("The login service cannot be reached.")) from None
    except (JoseError, ValueError):
        raise invalid_token() from None
