"""The platform as one OpenID Connect relying party: authorization code flow with PKCE.

:meth:`RelyingParty.begin` makes the authorization request (fresh ``state``,
``nonce`` and PKCE verifier, returned as a :class:`PendingLogin` for the caller
to keep until the browser comes back); :meth:`RelyingParty.finish` checks the
callback against it, redeems the code, verifies the ID token (signature,
``iss``, ``aud``, ``exp``, ``nonce``) and reads the userinfo endpoint when the
provider has one. Anything wrong is a :class:`LoginError` with a reason.
"""

from __future__ import annotations

import enum
import hmac
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlencode

import requests
from authlib.common.security import generate_token
from authlib.integrations.base_client import OAuthError
from joserfc.errors import JoseError

from amtsweg.platform.auth.provider import HTTP_TIMEOUT_SECONDS, Provider, ProviderUnavailableError
from amtsweg.platform.auth.roles import ROLES_CLAIM, RoleGrant, grants_from_claim
from amtsweg.platform.auth.trust import TrustLevel

PENDING_LOGIN_SECONDS = 15 * 60
# Claims of the ID token that the userinfo endpoint must not change.
_PROTOCOL_CLAIMS = frozenset({"iss", "sub", "aud", "exp", "iat", "nonce", "acr", "azp"})


class FailureReason(enum.StrEnum):
    PROVIDER_UNAVAILABLE = "provider_unavailable"
    CANCELLED = "cancelled"  # the provider sent an error instead of a code
    UNKNOWN_STATE = "unknown_state"  # no such login started here, used already, or too old
    REJECTED = "rejected"  # the provider refused to redeem the code
    INVALID_ID_TOKEN = "invalid_id_token"  # noqa: S105 - a reason, not a secret


class LoginError(Exception):
    def __init__(self, reason: FailureReason, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class PendingLogin:
    """What the callback is checked against; kept by the browser's session until then."""

    state: str
    nonce: str
    code_verifier: str
    next_url: str
    level: str
    started_at: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Any) -> PendingLogin | None:
        try:
            return cls(**data)
        except TypeError:
            return None

    @property
    def is_stale(self) -> bool:
        return time.time() - self.started_at > PENDING_LOGIN_SECONDS


@dataclass(frozen=True, slots=True)
class LoginResult:
    issuer: str
    subject: str
    claims: dict[str, Any]
    id_token: str
    trust_level: TrustLevel
    grants: frozenset[RoleGrant]


class RelyingParty:
    def __init__(
        self,
        provider: Provider,
        *,
        client_id: str,
        client_secret: str,
        redirect_uri: str,
        scopes: str,
    ) -> None:
        self.provider = provider
        self.client_id = client_id
        self.client_secret = client_secret
        self.redirect_uri = redirect_uri
        self.scopes = scopes

    def _client(self) -> Any:
        return self.provider.session(
            client_id=self.client_id,
            client_secret=self.client_secret,
            scope=self.scopes,
            redirect_uri=self.redirect_uri,
            code_challenge_method="S256",
        )

    def _metadata(self) -> dict[str, Any]:
        try:
            return self.provider.metadata()
        except ProviderUnavailableError as error:
            raise LoginError(FailureReason.PROVIDER_UNAVAILABLE, str(error)) from error

    def begin(self, next_url: str, level: TrustLevel = TrustLevel.NONE) -> tuple[str, PendingLogin]:
        """The provider's authorization URL, and what to keep for the callback."""
        endpoint = self._metadata()["authorization_endpoint"]
        pending = PendingLogin(
            state=generate_token(32),
            nonce=generate_token(32),
            code_verifier=generate_token(64),
            next_url=next_url,
            level=level.value,
            started_at=time.time(),
        )
        extra = {}
        if level is not TrustLevel.NONE:
            extra["acr_values"] = " ".join(self.provider.acr_mapping.values_for(level))
        url, _ = self._client().create_authorization_url(
            endpoint,
            state=pending.state,
            nonce=pending.nonce,
            code_verifier=pending.code_verifier,
            **extra,
        )
        return url, pending

    def finish(self, pending: PendingLogin | None, args: Mapping[str, str]) -> LoginResult:
        """Check the callback ``args`` against ``pending`` and complete the login."""
        if "error" in args:
            raise LoginError(FailureReason.CANCELLED, args.get("error", ""))
        state = args.get("state", "").encode()  # bytes: compare_digest refuses non-ASCII str
        if (
            pending is None
            or pending.is_stale
            or not hmac.compare_digest(state, pending.state.encode())
        ):
            raise LoginError(FailureReason.UNKNOWN_STATE)
        metadata = self._metadata()
        client = self._client()
        token = self._redeem(client, metadata, args.get("code", ""), pending)
        claims = self._verify_id_token(token.get("id_token"), pending)
        if userinfo_endpoint := metadata.get("userinfo_endpoint"):
            claims |= self._userinfo(client, userinfo_endpoint, claims["sub"])
        return LoginResult(
            issuer=claims["iss"],
            subject=claims["sub"],
            claims=claims,
            id_token=token["id_token"],
            trust_level=self.provider.acr_mapping.level_of(claims.get("acr")),
            grants=grants_from_claim(claims.get(ROLES_CLAIM)),
        )

    def _redeem(
        self, client: Any, metadata: Mapping[str, Any], code: str, pending: PendingLogin
    ) -> dict[str, Any]:
        try:
            return dict(
                client.fetch_token(
                    metadata["token_endpoint"],
                    grant_type="authorization_code",
                    code=code,
                    code_verifier=pending.code_verifier,
                    timeout=HTTP_TIMEOUT_SECONDS,
                )
            )
        except requests.RequestException as error:
            raise LoginError(FailureReason.PROVIDER_UNAVAILABLE, str(error)) from error
        except (OAuthError, ValueError) as error:
            raise LoginError(FailureReason.REJECTED, str(error)) from error

    def _verify_id_token(self, id_token: Any, pending: PendingLogin) -> dict[str, Any]:
        if not isinstance(id_token, str):
            raise LoginError(FailureReason.INVALID_ID_TOKEN, "no id_token")
        try:
            claims = self.provider.verify_jwt(
                id_token,
                aud={"essential": True, "value": self.client_id},
                sub={"essential": True},
                iat={"essential": True},
                nonce={"essential": True, "value": pending.nonce},
            )
        except ProviderUnavailableError as error:
            raise LoginError(FailureReason.PROVIDER_UNAVAILABLE, str(error)) from error
        except (JoseError, ValueError) as error:
            raise LoginError(FailureReason.INVALID_ID_TOKEN, repr(error)) from error
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != self.client_id:
            raise LoginError(FailureReason.INVALID_ID_TOKEN, "azp does not name this client")
        return claims

    def _userinfo(self, client: Any, endpoint: str, subject: str) -> dict[str, Any]:
        try:
            response = client.get(endpoint, timeout=HTTP_TIMEOUT_SECONDS)
            response.raise_for_status()
            userinfo = response.json()
        except (requests.RequestException, ValueError) as error:
            raise LoginError(FailureReason.PROVIDER_UNAVAILABLE, "userinfo") from error
        if not isinstance(userinfo, dict) or userinfo.get("sub") != subject:
            raise LoginError(FailureReason.INVALID_ID_TOKEN, "userinfo is for another subject")
        return {name: value for name, value in userinfo.items() if name not in _PROTOCOL_CLAIMS}

    def logout_url(self, id_token: str, post_logout_redirect_uri: str) -> str | None:
        """Where to end the session at the provider, if it supports RP-initiated logout."""
        try:
            endpoint = self.provider.metadata().get("end_session_endpoint")
        except ProviderUnavailableError:
            return None
        if not isinstance(endpoint, str):
            return None
        query = urlencode(
            {
                "id_token_hint": id_token,
                "post_logout_redirect_uri": post_logout_redirect_uri,
                "client_id": self.client_id,
            }
        )
        return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"
