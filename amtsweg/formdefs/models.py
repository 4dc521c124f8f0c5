"""Form definitions, their versions, and which tenant offers which form."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from amtsweg.platform.db import JSON_DOCUMENT, Base, TenantOwned, Timestamped


class VersionState(enum.StrEnum):
    """draft → published (immutable) → retired.

    One version per definition is published at a time: publishing a new one
    retires the previous. A retired version takes no new applications, but
    everything pinned to it (drafts, submissions) keeps pointing at it.
    """

    DRAFT = "draft"
    PUBLISHED = "published"
    RETIRED = "retired"


class FormDefinition(Timestamped, Base):
    """One form of the association's catalogue, e.g. ``gewerbeanmeldung``.

    Definitions belong to the association, not to a tenant: every tenant sees
    the whole catalogue and chooses what to offer (:class:`TenantForm`).
    """

    __tablename__ = "form_definitions"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    versions: Mapped[list[FormVersion]] = relationship(
        back_populates="definition", order_by="FormVersion.number"
    )


class FormVersion(Timestamped, Base):
    __tablename__ = "form_versions"
    __table_args__ = (UniqueConstraint("definition_id", "number"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    definition_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("form_definitions.id"))
    number: Mapped[int]
    state: Mapped[VersionState] = mapped_column(default=VersionState.DRAFT)
    document: Mapped[dict[str, Any]]
    digest: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[uuid.UUID | None]
    published_at: Mapped[dt.datetime | None]
    retired_at: Mapped[dt.datetime | None]
    definition: Mapped[FormDefinition] = relationship(back_populates="versions")

    @property
    def title(self) -> dict[str, str]:
        return self.document.get("title", {})


class TenantForm(TenantOwned, Timestamped, Base):
    """A form a tenant offers: its fee overrides and where submissions go.

    Tenants choose fees only within what the definition allows and never
    change the questions.
    """

    __tablename__ = "tenant_forms"
    __table_args__ = (UniqueConstraint("tenant_id", "definition_id"),)

    definition_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("form_definitions.id"))
    active: Mapped[bool] = mapped_column(default=True)
    fee_overrides: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Names of the tenant's delivery targets; empty means the tenant's default targets.
    # The delivery area owns the targets and checks the names (see formdefs.service).
    delivery_targets: Mapped[list[str]] = mapped_column(JSON_DOCUMENT, default=list)
    # A shorter retention period than the definition's, if the tenant chose one.
    retention_days: Mapped[int | None]
    # The tenant's own words on the form's start page (office hours, local rules).
    start_note: Mapped[str | None] = mapped_column(Text)
    definition: Mapped[FormDefinition] = relationship()


class BuildingBlock(Timestamped, Base):
    """A FIM Datenfeldgruppe published on its own (e.g. "Anschrift Inland"), imported once.

    Building blocks belong to the association, like definitions. ``group`` is the group
    field a definition can take over as it is; ``source`` is the ``<datenfeldgruppe>``
    element as imported, which the XDatenfelder import reads again when a
    Stammdatenschema names the group without containing it.
    """

    __tablename__ = "building_blocks"
    __table_args__ = (UniqueConstraint("fim_id", "fim_version"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    fim_id: Mapped[str] = mapped_column(String(40))
    fim_version: Mapped[str] = mapped_column(String(20))
    xdf_version: Mapped[str] = mapped_column(String(3))
    name: Mapped[str] = mapped_column(String(300))
    group: Mapped[dict[str, Any]]
    source: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[dt.datetime | None]
