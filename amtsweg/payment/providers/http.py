"""What the REST providers (PayPal, XBezahldienste) share: calls with clear failures and
OAuth2 client-credentials tokens kept until shortly before they expire.

A token is cached per process and per (token URL, client id, secret digest),
so a changed secret never reuses the old token and no secret is kept in a key.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests

from amtsweg.payment.interfaces import ProviderRefused, ProviderUnavailable

TIMEOUT_SECONDS = 10
# A token is renewed this long before the provider says it expires, so that a
# call never goes out with a token that runs out on its way.
EXPIRY_MARGIN_SECONDS = 60


def call(method: str, url: str, describe: Callable[[requests.Response], str], **kwargs: Any) -> Any:
    """One HTTP call; its JSON answer, or ProviderUnavailable (unreachable, 5xx, 429) or
    ProviderRefused (any other error, in the words ``describe`` finds in the answer)."""
    try:
        response = requests.request(method, url, timeout=TIMEOUT_SECONDS, **kwargs)
    except requests.RequestException as error:
        raise ProviderUnavailable(f"{type(error).__name__} on {method} {url}") from error
    if response.status_code >= 500 or response.status_code == 429:
        raise ProviderUnavailable(f"HTTP {response.status_code}: {describe(response)}")
    if response.status_code >= 400:
        raise HttpRefused(describe(response), response.status_code, _json_or_empty(response))
    if not response.content:
        return {}
    try:
        return response.json()
    except ValueError as error:
        raise ProviderUnavailable(f"no JSON in the answer to {method} {url}") from error


class HttpRefused(ProviderRefused):
    """A 4xx answer: its status and its JSON body (for the provider's error codes)."""

    def __init__(self, message: str, status: int, body: dict[str, Any]) -> None:
        super().__init__(message)
        self.status = status
        self.body = body


def _json_or_empty(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


@dataclass(frozen=True, slots=True)
class ClientCredentials:
    token_url: str
    client_id: str
    client_secret: str


_tokens: dict[tuple[str, str, str], tuple[str, float]] = {}
_lock = threading.Lock()


def _cache_key(credentials: ClientCredentials) -> tuple[str, str, str]:
    digest = hashlib.sha256(credentials.client_secret.encode()).hexdigest()
    return credentials.token_url, credentials.client_id, digest


def bearer_token(
    credentials: ClientCredentials, describe: Callable[[requests.Response], str]
) -> str:
    """A valid access token: the cached one until shortly before it expires, else a new one
    (client credentials sent as HTTP Basic, as RFC 6749 section 2.3.1 prefers)."""
    key = _cache_key(credentials)
    with _lock:
        cached = _tokens.get(key)
        if cached and cached[1] > time.monotonic():
            return cached[0]
    answer = call(
        "POST",
        credentials.token_url,
        describe,
        data={"grant_type": "client_credentials"},
        auth=(credentials.client_id, credentials.client_secret),
    )
    token = answer.get("access_token")
    if not token:
        raise ProviderRefused("the token endpoint gave no access token")
    lifetime = int(answer.get("expires_in") or 0) - EXPIRY_MARGIN_SECONDS
    with _lock:
        _tokens[key] = (token, time.monotonic() + max(lifetime, 0))
    return token


def forget_token(credentials: ClientCredentials) -> None:
    """Drop the cached token (the provider no longer accepts it)."""
    with _lock:
        _tokens.pop(_cache_key(credentials), None)
