"""One OpenID provider as the platform sees it: discovery, signing keys, JWT checks.

The provider's metadata comes from ``<issuer>/.well-known/openid-configuration``
and must name the same issuer. Its signing keys (JWKS) are cached; a token
signed with a key id the cache does not know makes one fresh fetch, so a key
rotation at the provider needs no restart. Every HTTP call has a timeout.
Tokens whose signature verified are remembered (see :meth:`Provider.verify_jwt`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from typing import Any

import requests
from authlib.integrations.requests_client import OAuth2Session
from flask import Flask, current_app
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jws import extract_compact
from requests.adapters import BaseAdapter

from amtsweg.platform.auth.trust import AcrMapping

HTTP_TIMEOUT_SECONDS = 5.0
KEY_MISS_BACKOFF_SECONDS = 30.0
METADATA_MAX_AGE_SECONDS = 3600.0
CLOCK_SKEW_SECONDS = 60
SIGNING_ALGORITHMS = ("RS256", "PS256", "ES256")
#: How many tokens with a verified signature each process remembers, by their text.
VERIFIED_TOKENS_KEPT = 1024
_EXTENSION = "amtsweg.oidc.provider"


class ProviderUnavailableError(RuntimeError):
    """The provider did not answer, or answered with something unusable."""


class Provider:
    def __init__(self, issuer: str, acr_mapping: AcrMapping) -> None:
        self.issuer = issuer
        self.acr_mapping = acr_mapping
        self.adapters: dict[str, BaseAdapter] = {}
        self._metadata_lock = threading.Lock()
        self._keys_lock = threading.Lock()
        self._metadata: dict[str, Any] | None = None
        self._metadata_fetched = 0.0
        self._keys: KeySet | None = None
        self._last_key_miss = -KEY_MISS_BACKOFF_SECONDS
        self._verified: dict[str, dict[str, Any]] = {}

    def session(self, **oauth: Any) -> requests.Session:
        """An HTTP session for one exchange with the provider (an OAuth client if ``oauth``)."""
        session = OAuth2Session(**oauth) if oauth else requests.Session()
        for prefix, adapter in self.adapters.items():
            session.mount(prefix, adapter)
        return session

    def get_json(self, url: str) -> dict[str, Any]:
        try:
            response = self.session().get(url, timeout=HTTP_TIMEOUT_SECONDS)
            response.raise_for_status()
            document = response.json()
        except (requests.RequestException, ValueError) as error:
            raise ProviderUnavailableError(f"{url}: {type(error).__name__}") from error
        if not isinstance(document, dict):
            raise ProviderUnavailableError(f"{url} did not answer a JSON object")
        return document

    def metadata(self) -> dict[str, Any]:
        with self._metadata_lock:
            age = time.monotonic() - self._metadata_fetched
            if self._metadata is None or age > METADATA_MAX_AGE_SECONDS:
                self._metadata = self._discover()
                self._metadata_fetched = time.monotonic()
            return self._metadata

    def _discover(self) -> dict[str, Any]:
        metadata = self.get_json(self.issuer.rstrip("/") + "/.well-known/openid-configuration")
        if metadata.get("issuer") != self.issuer:
            raise ProviderUnavailableError("the discovery document names another issuer")
        for required in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
            if not isinstance(metadata.get(required), str):
                raise ProviderUnavailableError(f"the discovery document lacks {required}")
        return metadata

    def _key_set(self, kid: str | None) -> KeySet:
        """The cached keys, fetched afresh when they lack ``kid`` (a rotated key).

        A refetch that still lacks the key (a made-up ``kid``) holds further
        refetches back for :data:`KEY_MISS_BACKOFF_SECONDS`, so tokens with
        random key ids cannot make us hammer the provider.
        """
        with self._keys_lock:
            if self._keys is None:
                self._keys = self._fetch_keys()
            elif kid is not None and not self._knows(kid) and self._may_refetch():
                self._keys = self._fetch_keys()
                self._verified = {}  # vouched for by keys the provider may have dropped
                if not self._knows(kid):
                    self._last_key_miss = time.monotonic()
            return self._keys

    def _may_refetch(self) -> bool:
        return time.monotonic() - self._last_key_miss >= KEY_MISS_BACKOFF_SECONDS

    def _knows(self, kid: str) -> bool:
        return self._keys is not None and any(key.kid == kid for key in self._keys.keys)

    def _fetch_keys(self) -> KeySet:
        document = self.get_json(self.metadata()["jwks_uri"])
        try:
            return KeySet.import_key_set(document)  # type: ignore[arg-type]
        except (JoseError, ValueError, TypeError) as error:
            raise ProviderUnavailableError("the provider's key set is not usable") from error

    def verify_jwt(self, token: str, **claims: Mapping[str, Any]) -> dict[str, Any]:
        """The claims of ``token`` after checking signature, ``iss``, ``exp`` and ``claims``.

        ``claims`` are joserfc claim options, e.g. ``aud={"essential": True,
        "value": "amtsweg"}``. Raises ``JoseError`` (or ``ValueError`` for a
        token that is not a JWS) when anything does not hold.

        An API client sends the same token with every request until it expires,
        so a token whose signature verified is remembered by its exact text (up
        to :data:`VERIFIED_TOKENS_KEPT`; the oldest is forgotten first) and not
        parsed and verified again. That is safe because the signature's verdict
        depends on nothing but the token's text and the provider's keys: when
        the keys are fetched afresh (a rotation), every remembered token is
        forgotten, so one signed with a key the provider has dropped is refused
        as before. Everything that changes with time or with the caller (``exp``,
        ``nbf``, ``iss``, the audience and the other ``claims``) is checked on
        every call. Revocation is no different from before: access tokens are
        self-contained and hold until their ``exp``; the provider is not asked.
        """
        verified = self._verified.get(token)
        if verified is None:
            verified = self._verify_signature(token)
        registry = jwt.JWTClaimsRegistry(
            leeway=CLOCK_SKEW_SECONDS,
            iss={"essential": True, "value": self.issuer},
            exp={"essential": True},
            **claims,
        )
        registry.validate(verified)
        return dict(verified)

    def _verify_signature(self, token: str) -> dict[str, Any]:
        kid = extract_compact(token.encode()).protected.get("kid")
        keys = self._key_set(kid)
        verified = jwt.decode(token, keys, algorithms=list(SIGNING_ALGORITHMS)).claims
        with self._keys_lock:
            if keys is self._keys:  # not verified with keys replaced in the meantime
                if len(self._verified) >= VERIFIED_TOKENS_KEPT:
                    del self._verified[next(iter(self._verified))]
                self._verified[token] = verified
        return verified


def provider() -> Provider:
    """The current app's provider; 503 when none is configured."""
    found = current_app.extensions.get(_EXTENSION)
    if found is None:
        raise ProviderUnavailableError("no OpenID provider is configured")
    return found


def install_provider(app: Flask, issuer: str, acr_mapping: AcrMapping) -> Provider:
    app.extensions[_EXTENSION] = found = Provider(issuer, acr_mapping)
    return found


def installed_provider(app: Flask) -> Provider | None:
    return app.extensions.get(_EXTENSION)
