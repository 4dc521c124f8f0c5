"""Providers' credentials encrypted at rest with Fernet keys from the configuration.

``AMTSWEG_PAYMENT_KEYS`` lists keys newest first: the first encrypts, every
key decrypts (``MultiFernet``). To rotate: put a new key in front, run
``amtsweg payments rotate-keys`` (re-encrypts every account with the newest
key), then drop the old key. Secrets are shown masked and never logged.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app

MASK = "••••"


def _keys() -> MultiFernet:
    settings = current_app.config["AMTSWEG"]
    raw = [key.strip() for key in settings.payment_keys.split(",") if key.strip()]
    if not raw:
        # Outside production only (Settings.check refuses production without keys).
        secret = (current_app.config["SECRET_KEY"] + ":payment").encode()
        raw = [base64.urlsafe_b64encode(hashlib.sha256(secret).digest()).decode()]
    return MultiFernet([Fernet(key) for key in raw])


def encrypt(credentials: Mapping[str, str]) -> str:
    return _keys().encrypt(json.dumps(dict(credentials)).encode()).decode()


def decrypt(token: str) -> dict[str, str]:
    if not token:
        return {}
    try:
        return json.loads(_keys().decrypt(token.encode()))
    except InvalidToken as error:
        raise RuntimeError(
            "payment credentials cannot be decrypted with the configured keys"
        ) from error


def rotate(token: str) -> str:
    """The same credentials encrypted with the newest key."""
    return _keys().rotate(token.encode()).decode() if token else token


def masked(value: str) -> str:
    """``sk_test_…abcd`` → ``••••abcd``: enough to recognise a key, not to use it.
    PEM text (a certificate, a key) ends alike every time, so it shows only as PEM."""
    if value.startswith("-----BEGIN "):
        return MASK + " PEM"
    return MASK + value[-4:] if len(value) > 8 else MASK
