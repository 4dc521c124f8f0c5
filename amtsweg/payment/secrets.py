"""Providers' credentials encrypted at rest with ``AMTSWEG_PAYMENT_KEYS``.

The mechanism, and how to rotate the keys (``amtsweg payments rotate-keys``),
is :mod:`amtsweg.platform.secrets`. Secrets are shown masked and never logged.
"""

from __future__ import annotations

from amtsweg.platform.secrets import Vault, masked

VAULT = Vault("payment", "payment_keys")
encrypt = VAULT.encrypt
decrypt = VAULT.decrypt
rotate = VAULT.rotate

__all__ = ["decrypt", "encrypt", "masked", "rotate"]
