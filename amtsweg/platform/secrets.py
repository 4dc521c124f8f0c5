"""Secrets at rest: a dictionary encrypted with Fernet keys from one setting.

Each area that stores secrets names its own setting (``AMTSWEG_PAYMENT_KEYS``,
``AMTSWEG_DELIVERY_KEYS``): keys newest first, comma separated. The first key
encrypts, every key decrypts (``MultiFernet``). To rotate: put a new key in
front, run the area's ``rotate-keys`` command (it re-encrypts every stored
token with the newest key), then drop the old key. Outside production an
empty setting derives a development key from ``SECRET_KEY`` and the area's
name (``Settings.check`` refuses production without keys).
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app

MASK = "••••"


@dataclass(frozen=True, slots=True)
class Vault:
    """Encrypts one area's secrets; ``setting`` is the attribute of ``Settings`` with its keys."""

    area: str
    setting: str

    def _keys(self) -> MultiFernet:
        configured = getattr(current_app.config["AMTSWEG"], self.setting)
        raw = [key.strip() for key in configured.split(",") if key.strip()]
        if not raw:
            secret = f"{current_app.config['SECRET_KEY']}:{self.area}".encode()
            raw = [base64.urlsafe_b64encode(hashlib.sha256(secret).digest()).decode()]
        return MultiFernet([Fernet(key) for key in raw])

    def encrypt(self, secrets: Mapping[str, str]) -> str:
        return self._keys().encrypt(json.dumps(dict(secrets)).encode()).decode()

    def decrypt(self, token: str) -> dict[str, str]:
        if not token:
            return {}
        try:
            return json.loads(self._keys().decrypt(token.encode()))
        except InvalidToken as error:
            raise RuntimeError(
                f"{self.area} secrets cannot be decrypted with the configured keys"
            ) from error

    def rotate(self, token: str) -> str:
        """The same secrets encrypted with the newest key."""
        return self._keys().rotate(token.encode()).decode() if token else token


def masked(value: str) -> str:
    """``sk_test_…abcd`` → ``••••abcd``: enough to recognise a key, not to use it.
    PEM text (a certificate, a key) ends alike every time, so it shows only as PEM."""
    if value.startswith("-----BEGIN "):
        return MASK + " PEM"
    return MASK + value[-4:] if len(value) > 8 else MASK
