"""Trust levels of a login (eIDAS / STORK-QAA scale) and how ``acr`` values map to them.

The provider states how strongly it identified the person in the ID token's
``acr`` claim. Which values mean what is configurable
(``AMTSWEG_OIDC_ACR_MAP``); the default knows the eIDAS levels of assurance
and the STORK-QAA levels German citizen accounts send. A missing or unknown
``acr`` is trust level *none*.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping


class TrustLevel(enum.StrEnum):
    """How surely the person is who they claim to be, weakest first."""

    NONE = "none"
    BASIC = "basic"
    SUBSTANTIAL = "substantial"
    HIGH = "high"

    @property
    def rank(self) -> int:
        return list(TrustLevel).index(self)

    def satisfies(self, needed: TrustLevel) -> bool:
        return self.rank >= needed.rank


EIDAS_LOW = "http://eidas.europa.eu/LoA/low"
EIDAS_SUBSTANTIAL = "http://eidas.europa.eu/LoA/substantial"
EIDAS_HIGH = "http://eidas.europa.eu/LoA/high"

DEFAULT_ACR_LEVELS: Mapping[str, TrustLevel] = {
    EIDAS_LOW: TrustLevel.BASIC,
    EIDAS_SUBSTANTIAL: TrustLevel.SUBSTANTIAL,
    EIDAS_HIGH: TrustLevel.HIGH,
    # Username and password (Basisregistrierung) is level 1; ELSTER certificates 3; eID 4.
    "STORK-QAA-Level-1": TrustLevel.BASIC,
    "STORK-QAA-Level-2": TrustLevel.BASIC,
    "STORK-QAA-Level-3": TrustLevel.SUBSTANTIAL,
    "STORK-QAA-Level-4": TrustLevel.HIGH,
}


class AcrMapping:
    """Translates between ``acr`` values and trust levels."""

    def __init__(self, levels: Mapping[str, TrustLevel] = DEFAULT_ACR_LEVELS) -> None:
        self.levels = dict(levels)

    @classmethod
    def parse(cls, text: str) -> AcrMapping:
        """``"acr=level,acr=level"``; an empty text gives the default mapping.

        Raises ``ValueError`` naming every entry that is not of that form.
        """
        if not text.strip():
            return cls()
        levels, bad = {}, []
        for entry in filter(None, (part.strip() for part in text.split(","))):
            acr, _, level = entry.rpartition("=")
            if not acr or level.strip() not in set(TrustLevel):
                bad.append(entry)
                continue
            levels[acr.strip()] = TrustLevel(level.strip())
        if bad:
            raise ValueError(
                "AMTSWEG_OIDC_ACR_MAP needs entries acr=level with a level of "
                f"{', '.join(TrustLevel)}; not: {', '.join(bad)}."
            )
        return cls(levels)

    def level_of(self, acr: object) -> TrustLevel:
        return self.levels.get(acr, TrustLevel.NONE) if isinstance(acr, str) else TrustLevel.NONE

    def values_for(self, needed: TrustLevel) -> list[str]:
        """The ``acr_values`` to ask for at least ``needed``, weakest sufficient first."""
        sufficient = [acr for acr, level in self.levels.items() if level.satisfies(needed)]
        return sorted(sufficient, key=lambda acr: self.levels[acr].rank)
