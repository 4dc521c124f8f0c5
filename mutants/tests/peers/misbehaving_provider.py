"""A tiny OpenID provider that misbehaves on request, to prove the login refuses it.

It answers discovery, keys, authorization (straight back with a code, no
login page) and the token endpoint; ``defect`` chooses what is wrong with the
ID token it issues. ``rotate_key()`` starts signing with a new key.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlencode

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from werkzeug.wrappers import Request, Response

from tests import servers
from tests.live_server import serving

DEFECTS = ("wrong_issuer", "bad_signature", "expired", "wrong_nonce", "wrong_audience")


def _new_key() -> RSAKey:
    key = RSAKey.generate_key(2048, {"alg": "RS256", "use": "sig"}, private=True)
    key.ensure_kid()
    return key


class MisbehavingProvider:
    def __init__(self, issuer: str, client_id: str) -> None:
        self.issuer = issuer
        self.client_id = client_id
        self.key = _new_key()
        self.defect: str | None = None
        self.nonces: dict[str, str] = {}

    def rotate_key(self) -> None:
        self.key = _new_key()

    @Request.application
    def __call__(self, request: Request) -> Response:
        routes = {
            "/.well-known/openid-configuration": self.discovery,
            "/jwks": self.jwks,
            "/authorize": self.authorize,
            "/token": self.token,
        }
        handler = routes.get(request.path)
        return handler(request) if handler else Response("not found", status=404)

    def discovery(self, _request: Request) -> Response:
        return _json(
            {
                "issuer": self.issuer,
                "authorization_endpoint": self.issuer + "/authorize",
                "token_endpoint": self.issuer + "/token",
                "jwks_uri": self.issuer + "/jwks",
            }
        )

    def jwks(self, _request: Request) -> Response:
        return _json(KeySet([self.key]).as_dict(private=False))

    def authorize(self, request: Request) -> Response:
        code = f"code-{len(self.nonces)}"
        self.nonces[code] = request.args["nonce"]
        query = urlencode({"code": code, "state": request.args["state"]})
        return Response(status=302, headers={"Location": f"{request.args['redirect_uri']}?{query}"})

    def token(self, request: Request) -> Response:
        nonce = self.nonces.pop(request.form.get("code", ""), None)
        if nonce is None:
            return _json({"error": "invalid_grant"}, status=400)
        return _json(
            {"access_token": "opaque", "token_type": "Bearer", "id_token": self.id_token(nonce)}
        )

    def id_token(self, nonce: str) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": "https://someone-else.example" if self.defect == "wrong_issuer" else self.issuer,
            "sub": "erika",
            "aud": "another-client" if self.defect == "wrong_audience" else self.client_id,
            "iat": now - 7200 if self.defect == "expired" else now,
            "exp": now - 3600 if self.defect == "expired" else now + 300,
            "nonce": "a-different-nonce" if self.defect == "wrong_nonce" else nonce,
            "given_name": "Erika",
            "family_name": "Mustermann",
        }
        key = self.key
        if self.defect == "bad_signature":  # another key under the same key id
            key = RSAKey.generate_key(2048, {"kid": self.key.kid}, private=True)
        return jwt.encode({"alg": "RS256", "kid": self.key.kid}, claims, key)


def _json(document: dict[str, Any], status: int = 200) -> Response:
    return Response(json.dumps(document), status=status, mimetype="application/json")


@contextmanager
def misbehaving_provider(client_id: str) -> Iterator[MisbehavingProvider]:
    port = servers.free_port()
    provider = MisbehavingProvider(f"http://127.0.0.1:{port}", client_id)
    with serving(provider, port):
        yield provider
