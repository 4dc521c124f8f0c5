"""The development provider's signing key: an RSA key in a file under ``var/``.

The file is made on first use (never committed: ``var/`` is ignored), so the
``amtsweg dev-token`` command and a running server sign with the same key.
"""

from __future__ import annotations

import os
from pathlib import Path

from joserfc.jwk import KeySet, RSAKey


def load_or_create_key(path: Path) -> RSAKey:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = RSAKey.generate_key(2048, private=True)
        temporary = path.with_suffix(".part")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(key.as_pem(private=True))
        temporary.replace(path)
    key = RSAKey.import_key(path.read_bytes(), {"use": "sig", "alg": "RS256"})
    key.ensure_kid()
    return key


def public_key_set(key: RSAKey) -> dict:
    return KeySet([key]).as_dict(private=False)
