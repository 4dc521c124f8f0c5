"""What the REST providers (PayPal, XBezahldienste) share: calls with clear failures,
OAuth2 client-credentials tokens kept until shortly before they expire, and mutual TLS.

A token is cached per process and per (token URL, client id, secret digest),
so a changed secret never reuses the old token and no secret is kept in a key.

Mutual TLS (:class:`Tls`, ePayBL's client certificates): the certificate, its
key and the authority of the platform's server arrive as PEM text (the key
decrypted from the account's credentials). ``requests`` (the ``ssl`` module)
loads them only from files, so for one call they are written to a private
temporary directory (mode 0700) and deleted right after. The pair is checked
first, and a refused handshake is told apart by what was sent, so the admin
reads what to fix, not an OpenSSL code.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from flask_babel import gettext

from amtsweg.payment.interfaces import ProviderRefused, ProviderUnavailable

TIMEOUT_SECONDS = 10
# A token is renewed this long before the provider says it expires, so that a
# call never goes out with a token that runs out on its way.
EXPIRY_MARGIN_SECONDS = 60


@dataclass(frozen=True, slots=True)
class Tls:
    """PEM text: the client certificate the platform issued (with its chain) and its
    unencrypted key, and the authority that issued the platform's server certificate
    (empty: the system's trusted authorities)."""

    certificate: str = ""
    key: str = ""
    server_ca: str = ""


def call(
    method: str,
    url: str,
    describe: Callable[[requests.Response], str],
    tls: Tls | None = None,
    **kwargs: Any,
) -> Any:
    """One HTTP call; its JSON answer, or ProviderUnavailable (unreachable, 5xx, 429) or
    ProviderRefused (any other error, in the words ``describe`` finds in the answer; a
    TLS handshake the platform refused, in words that say what to fix)."""
    tls = tls or Tls()
    with _tls_files(tls) as options:
        try:
            response = requests.request(method, url, timeout=TIMEOUT_SECONDS, **options, **kwargs)
        except requests.exceptions.SSLError as error:
            raise ProviderRefused(_handshake_problem(error, tls)) from error
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


@contextmanager
def _tls_files(tls: Tls) -> Iterator[dict[str, Any]]:
    """``cert`` and ``verify`` for requests, from files that exist only during the call."""
    if not (tls.certificate or tls.key or tls.server_ca):
        yield {}
        return
    if tls.certificate or tls.key:
        check_client_certificate(tls.certificate, tls.key)
    with tempfile.TemporaryDirectory(prefix="amtsweg-tls-") as folder:
        options: dict[str, Any] = {}
        if tls.certificate:
            options["cert"] = (
                _private_file(Path(folder) / "client.pem", tls.certificate),
                _private_file(Path(folder) / "client.key", tls.key),
            )
        if tls.server_ca:
            options["verify"] = _private_file(Path(folder) / "server-ca.pem", tls.server_ca)
        yield options


def _private_file(path: Path, text: str) -> str:
    path.touch(mode=0o600)
    path.write_text(text.strip() + "\n")
    return str(path)


def check_client_certificate(certificate_pem: str, key_pem: str) -> x509.Certificate:
    """The client certificate, if it is one, matches its key and is valid now; else a
    refusal that says which of these is wrong."""
    try:
        certificate = x509.load_pem_x509_certificate(certificate_pem.strip().encode())
    except ValueError as error:
        raise ProviderRefused(
            gettext(
                "The client certificate is missing or not a PEM certificate "
                "(-----BEGIN CERTIFICATE-----)."
            )
        ) from error
    try:
        key = serialization.load_pem_private_key(key_pem.strip().encode(), password=None)
    except (ValueError, TypeError) as error:
        raise ProviderRefused(
            gettext(
                "The key of the client certificate is missing or not an unencrypted PEM key "
                "(-----BEGIN PRIVATE KEY-----)."
            )
        ) from error
    public = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    if key.public_key().public_bytes(*public) != certificate.public_key().public_bytes(*public):
        raise ProviderRefused(
            gettext(
                "The client certificate and the key do not belong together: enter the key "
                "the certificate was issued for."
            )
        )
    now = dt.datetime.now(dt.UTC)
    if not certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc:
        raise ProviderRefused(
            gettext(
                "The client certificate is valid from %(start)s to %(end)s, not today: "
                "ask the platform for a current one.",
                start=certificate.not_valid_before_utc.date().isoformat(),
                end=certificate.not_valid_after_utc.date().isoformat(),
            )
        )
    return certificate


_OPENSSL_REASON = re.compile(r"\[SSL: ([A-Z0-9_]+)\]|(EOF occurred in violation of protocol)")


def _handshake_problem(error: requests.exceptions.SSLError, tls: Tls) -> str:
    """Why the TLS handshake failed, told by what we sent: platforms close the connection
    without saying whether the certificate was missing or unknown."""
    found = _OPENSSL_REASON.search(str(error))
    reason = next((group for group in found.groups() if group), "") if found else str(error)
    if "CERTIFICATE_VERIFY_FAILED" in reason:
        return gettext(
            "The platform's server certificate is not trusted (%(reason)s): enter the "
            "certificate of the authority that issued it (server CA) in the settings.",
            reason=reason,
        )
    if not tls.certificate:
        return gettext(
            "The platform ended the TLS connection (%(reason)s): it probably requires a "
            "client certificate. Enter the certificate and key the platform issued to the "
            "municipality.",
            reason=reason,
        )
    subject = check_client_certificate(tls.certificate, tls.key).subject.rfc4514_string()
    return gettext(
        "The platform did not accept the client certificate %(subject)s (%(reason)s): "
        "enter the certificate the platform issued for this originator, or ask the "
        "platform to register it.",
        subject=subject,
        reason=reason,
    )


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
    credentials: ClientCredentials,
    describe: Callable[[requests.Response], str],
    tls: Tls | None = None,
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
        tls,
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
