"""Initial answers from the citizen's login claims (OpenID Connect standard claims).

A field names the claim it takes (``prefill``). A locked field (``prefill_locked``)
always carries the claim's value: the journey shows it read-only, and because
:func:`prefill` is also applied to every posted step, a forged post cannot change it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from amtsweg.formdefs.engine.fields import HOUSE_NUMBER, is_blank
from amtsweg.formdefs.engine.model import FormDefinition

_FULL_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_STREET_AND_NUMBER = re.compile(rf"(?P<street>.+?)\s+(?P<number>{HOUSE_NUMBER.pattern})")
_GERMANY = frozenset({"de", "deu", "germany", "deutschland"})


def prefill(
    definition: FormDefinition, claims: Mapping[str, Any], answers: Mapping[str, Any] | None = None
) -> dict:
    """``answers`` completed from ``claims``: blanks filled, locked fields overwritten."""
    result = dict(answers or {})
    for field in definition.fields_by_id.values():
        value = None if field.prefill is None else _claim(field.prefill, claims)
        if value is not None and (field.prefill_locked or is_blank(result.get(field.id))):
            result[field.id] = value
    return result


def _claim(name: str, claims: Mapping[str, Any]) -> Any:
    value = claims.get(name)
    if name == "address":
        return _address(value) if isinstance(value, Mapping) else None
    if name == "birthdate":
        return value if _is_full_date(value) else None
    return value if isinstance(value, str) and value.strip() else None


def _is_full_date(value: object) -> bool:
    """OIDC allows "0000-03-14" or a year alone as birthdate; such a claim cannot fill a date."""
    if not (isinstance(value, str) and _FULL_DATE.fullmatch(value)):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _address(claim: Mapping[str, Any]) -> dict[str, str]:
    """The OIDC ``address`` claim as an address answer, the house number split off the street."""
    street_address = str(claim.get("street_address") or "").strip()
    split = _STREET_AND_NUMBER.fullmatch(street_address)
    country = str(claim.get("country") or "").strip()
    return {
        "street": split["street"] if split else street_address,
        "house_number": split["number"] if split else "",
        "zip": str(claim.get("postal_code") or "").strip(),
        "city": str(claim.get("locality") or "").strip(),
        "country": "DE" if country.lower() in _GERMANY else country.upper(),
    }
