"""The few claims of a login that Amtsweg keeps: a name, and data to prefill forms.

Only the OpenID Connect standard claims a form may prefill are kept
(:data:`PREFILL_CLAIMS`), in the shape the claims have, so the form engine's
``prefill`` reads them directly. They live in the login session and expire
with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

PREFILL_CLAIMS = ("given_name", "family_name", "birthdate", "email", "address")
ADDRESS_PARTS = ("street_address", "postal_code", "locality", "country")


def prefill_claims(claims: Mapping[str, Any]) -> dict[str, Any]:
    """The prefill claims present in ``claims``, strings only, nothing else."""
    kept: dict[str, Any] = {}
    for name in PREFILL_CLAIMS:
        value = claims.get(name)
        if name == "address" and isinstance(value, Mapping):
            address = {part: value[part] for part in ADDRESS_PARTS if _text(value.get(part))}
            if address:
                kept[name] = address
        elif _text(value):
            kept[name] = value
    return kept


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def display_name(claims: Mapping[str, Any]) -> str:
    """What to call the person: ``name``, else given and family name, else nothing."""
    if _text(claims.get("name")):
        return claims["name"].strip()
    parts = [claims.get("given_name"), claims.get("family_name")]
    return " ".join(part.strip() for part in parts if _text(part))
