"""The development provider's test people; "Erika Mustermann" is the German specimen identity."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from amtsweg.platform.auth.roles import ROLES_CLAIM, Role, RoleGrant, grants_as_claim
from amtsweg.platform.auth.trust import (
    EIDAS_HIGH,
    EIDAS_LOW,
    EIDAS_SUBSTANTIAL,
    TrustLevel,
)

ACR_FOR_LEVEL = {
    TrustLevel.BASIC: EIDAS_LOW,
    TrustLevel.SUBSTANTIAL: EIDAS_SUBSTANTIAL,
    TrustLevel.HIGH: EIDAS_HIGH,
}


@dataclass(frozen=True, slots=True)
class Persona:
    id: str
    given_name: str
    family_name: str
    birthdate: str
    email: str
    street_address: str
    postal_code: str
    locality: str
    level: TrustLevel
    grants: frozenset[RoleGrant] = field(default_factory=frozenset)

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def acr(self) -> str | None:
        return ACR_FOR_LEVEL.get(self.level)

    def get_user_id(self) -> str:
        """Authlib's name for the subject."""
        return self.id

    def claims(self) -> dict[str, Any]:
        """The standard claims and the roles claim this person's tokens carry."""
        claims: dict[str, Any] = {
            "sub": self.id,
            "name": self.name,
            "given_name": self.given_name,
            "family_name": self.family_name,
            "birthdate": self.birthdate,
            "email": self.email,
            "email_verified": True,
            "address": {
                "street_address": self.street_address,
                "postal_code": self.postal_code,
                "locality": self.locality,
                "country": "DE",
            },
        }
        if self.grants:
            claims[ROLES_CLAIM] = grants_as_claim(self.grants)
        return claims


PERSONAS = (
    Persona(
        id="erika",
        given_name="Erika",
        family_name="Mustermann",
        birthdate="1964-08-12",
        email="erika.mustermann@example.org",
        street_address="Heidestraße 17",
        postal_code="51147",
        locality="Köln",
        level=TrustLevel.HIGH,
    ),
    Persona(
        id="max",
        given_name="Max",
        family_name="Mustermann",
        birthdate="1970-03-14",
        email="max.mustermann@example.org",
        street_address="Musterweg 3",
        postal_code="12345",
        locality="Musterstadt",
        level=TrustLevel.BASIC,
    ),
    Persona(
        id="clerk-musterstadt",
        given_name="Sabine",
        family_name="Schreiber",
        birthdate="1981-05-02",
        email="sabine.schreiber@musterstadt.example",
        street_address="Rathausplatz 1",
        postal_code="12345",
        locality="Musterstadt",
        level=TrustLevel.SUBSTANTIAL,
        grants=frozenset({RoleGrant(Role.CLERK, "musterstadt")}),
    ),
    Persona(
        id="clerk-beispieldorf",
        given_name="Jonas",
        family_name="Amtmann",
        birthdate="1988-09-17",
        email="jonas.amtmann@beispieldorf.example",
        street_address="Dorfplatz 2",
        postal_code="54321",
        locality="Beispieldorf",
        level=TrustLevel.SUBSTANTIAL,
        grants=frozenset({RoleGrant(Role.CLERK, "beispieldorf")}),
    ),
    Persona(
        id="admin-musterstadt",
        given_name="Thomas",
        family_name="Verwalter",
        birthdate="1975-11-23",
        email="thomas.verwalter@musterstadt.example",
        street_address="Rathausplatz 1",
        postal_code="12345",
        locality="Musterstadt",
        level=TrustLevel.SUBSTANTIAL,
        grants=frozenset({RoleGrant(Role.TENANT_ADMIN, "musterstadt")}),
    ),
    Persona(
        id="association-admin",
        given_name="Andrea",
        family_name="Verband",
        birthdate="1969-02-28",
        email="andrea.verband@zweckverband.example",
        street_address="Am Rechenzentrum 5",
        postal_code="50667",
        locality="Köln",
        level=TrustLevel.SUBSTANTIAL,
        grants=frozenset({RoleGrant(Role.ASSOCIATION_ADMIN)}),
    ),
)
PERSONAS_BY_ID = {persona.id: persona for persona in PERSONAS}
