"""The development provider's OAuth 2.0 / OpenID Connect server, built from Authlib's grants.

Authorization code flow with PKCE and nonce (ID tokens signed RS256), client
credentials for service accounts, and JWT access tokens (RFC 9068) for the
API. Codes live in memory for a minute: this provider runs in one development
process and keeps nothing worth a table.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import ClientMixin, grants
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oauth2.rfc9068 import JWTBearerTokenGenerator
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from authlib.oidc.core.models import AuthorizationCodeMixin
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from amtsweg.platform.auth.roles import ROLES_CLAIM, RoleGrant, grants_as_claim
from amtsweg.platform.devidp.personas import PERSONAS_BY_ID, Persona

CODE_SECONDS = 60
TOKEN_SECONDS = 3600


@dataclass(frozen=True, slots=True)
class DevClient(ClientMixin):
    """A registered client: the platform itself, or a service account."""

    client_id: str
    client_secret: str
    grant_type: str
    redirect_uris: tuple[str, ...] = ()
    post_logout_redirect_uris: tuple[str, ...] = ()
    scope: str = "openid profile email address"
    grants: frozenset[RoleGrant] = field(default_factory=frozenset)

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str | None:
        return self.redirect_uris[0] if self.redirect_uris else None

    def get_allowed_scope(self, scope: str) -> str:
        allowed = set(self.scope.split())
        return " ".join(part for part in (scope or "").split() if part in allowed)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return bool(client_secret) and client_secret == self.client_secret

    def check_endpoint_auth_method(self, method: str, _endpoint: str) -> bool:
        return method in {"client_secret_basic", "client_secret_post"}

    def check_response_type(self, response_type: str) -> bool:
        return self.grant_type == "authorization_code" and response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == self.grant_type


@dataclass(frozen=True, slots=True)
class DevCode(AuthorizationCodeMixin):
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    persona_id: str
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    auth_time: int
    expires_at: float

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time

    def get_acr(self) -> str | None:
        return PERSONAS_BY_ID[self.persona_id].acr


class CodeStore:
    """Authorization codes until they are redeemed (once) or expire."""

    def __init__(self) -> None:
        self._codes: dict[str, DevCode] = {}
        self._lock = threading.Lock()

    def add(self, code: DevCode) -> None:
        with self._lock:
            now = time.time()
            self._codes = {k: c for k, c in self._codes.items() if c.expires_at > now}
            self._codes[code.code] = code

    def find(self, code: str, client_id: str) -> DevCode | None:
        found = self._codes.get(code)
        if found and found.client_id == client_id and found.expires_at > time.time():
            return found
        return None

    def remove(self, code: str) -> None:
        with self._lock:
            self._codes.pop(code, None)

    def nonce_used(self, client_id: str, nonce: str) -> bool:
        return any(c.client_id == client_id and c.nonce == nonce for c in self._codes.values())


class AuthorizationCode(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ("client_secret_basic", "client_secret_post")

    def save_authorization_code(self, code: str, request: Any) -> None:
        payload = request.payload.data
        self.server.codes.add(
            DevCode(
                code=code,
                client_id=request.client.client_id,
                redirect_uri=request.payload.redirect_uri,
                scope=request.payload.scope,
                persona_id=request.user.id,
                nonce=payload.get("nonce"),
                code_challenge=payload.get("code_challenge"),
                code_challenge_method=payload.get("code_challenge_method"),
                auth_time=int(time.time()),
                expires_at=time.time() + CODE_SECONDS,
            )
        )

    def query_authorization_code(self, code: str, client: DevClient) -> DevCode | None:
        return self.server.codes.find(code, client.client_id)

    def delete_authorization_code(self, authorization_code: DevCode) -> None:
        self.server.codes.remove(authorization_code.code)

    def authenticate_user(self, authorization_code: DevCode) -> Persona:
        return PERSONAS_BY_ID[authorization_code.persona_id]


class ClientCredentials(grants.ClientCredentialsGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ("client_secret_basic", "client_secret_post")


class IdTokens(OpenIDCode):
    def __init__(self, server: DevAuthorizationServer) -> None:
        super().__init__(require_nonce=True)
        self.dev_server = server

    def exists_nonce(self, nonce: str, request: Any) -> bool:
        return self.dev_server.codes.nonce_used(request.payload.client_id, nonce)

    def resolve_client_private_key(self, _client: DevClient) -> RSAKey:
        return self.dev_server.key

    def get_encode_header(self, _client: DevClient) -> dict[str, str]:
        return {"alg": "RS256", "kid": self.dev_server.key.kid or ""}

    def get_client_claims(self, client: DevClient) -> dict[str, Any]:
        return {"iss": self.dev_server.issuer, "aud": [client.client_id]}

    def generate_user_info(self, user: Persona, _scope: str) -> UserInfo:
        return UserInfo(user.claims())


class AccessTokens(JWTBearerTokenGenerator):
    """RFC 9068 access tokens for the API, with the person's or service's roles."""

    def __init__(self, server: DevAuthorizationServer) -> None:
        super().__init__(issuer=server.issuer, expires_generator=TOKEN_SECONDS)
        self.dev_server = server

    def get_jwks(self) -> KeySet:
        return KeySet([self.dev_server.key])

    def get_audiences(self, *_args: Any) -> str:
        return self.dev_server.api_audience

    def get_acr(self, user: Persona | None) -> str | None:
        return user.acr if user else None

    def get_extra_claims(
        self, client: DevClient, _grant_type: str, user: Persona | None, _scope: str
    ) -> dict[str, Any]:
        if user is None:
            return {ROLES_CLAIM: grants_as_claim(client.grants)}
        return user.claims()


class DevAuthorizationServer(AuthorizationServer):
    def __init__(
        self, *, issuer: str, api_audience: str, key: RSAKey, clients: list[DevClient]
    ) -> None:
        super().__init__()
        self.issuer = issuer
        self.api_audience = api_audience
        self.key = key
        self.clients = {client.client_id: client for client in clients}
        self.codes = CodeStore()
        self.access_tokens = AccessTokens(self)
        self.register_token_generator("default", self.access_tokens)
        self.register_grant(AuthorizationCode, [CodeChallenge(required=True), IdTokens(self)])
        self.register_grant(ClientCredentials)

    def query_client(self, client_id: str) -> DevClient | None:
        return self.clients.get(client_id)

    def issue_access_token(self, client_id: str, person: Persona) -> str:
        """An API token for ``person`` as if ``client_id`` had logged them in."""
        client = DevClient(client_id=client_id, client_secret="", grant_type="authorization_code")
        return self.access_tokens.access_token_generator(
            client, "authorization_code", person, "openid"
        )

    def verify_own_token(self, token: str) -> dict[str, Any]:
        """Claims of a token this provider signed, even an expired one (a logout hint)."""
        return dict(jwt.decode(token, self.key, algorithms=["RS256"]).claims)

    def save_token(self, token: dict[str, Any], request: Any) -> None:
        """JWT access tokens are checked by signature; nothing to keep."""
