"""What a delivery target is: one interface, one implementation per kind of system.

A tenant configures targets of these kinds (``amtsweg/delivery/targets/``);
the kind's class checks the configuration and delivers a :class:`Parcel`.
``deliver`` must be idempotent for one ``Parcel.delivery_id``: the outbox
tries again after a crash between the receiver's acceptance and our commit,
so each kind either finds what it sent before (CMIS, folder) or hands the
receiver the id to drop the duplicate (webhook header, mail Message-ID).
Failures raise :class:`~amtsweg.platform.outbox.SendError`; ``permanent=True``
when trying again cannot help (refused credentials, a 4xx from a webhook).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, Protocol

from amtsweg.platform.errors import FieldProblem

FieldKind = Literal["text", "url", "email", "secret", "integer", "flag"]


@dataclass(frozen=True, slots=True)
class ConfigField:
    """One setting of a target kind, as the admin page and the API show it."""

    name: str
    label: str  # a lazy gettext string: shown in the reader's language
    kind: FieldKind = "text"
    required: bool = True
    default: Any = None


@dataclass(frozen=True, slots=True)
class File:
    name: str
    mime: str
    content: bytes


@dataclass(frozen=True, slots=True)
class Parcel:
    """Everything one target receives for one submission."""

    delivery_id: uuid.UUID
    tenant_slug: str
    reference: str
    form_slug: str
    form_title: str
    submitted_at: dt.datetime
    applicant: str
    kassenzeichen: str | None
    document: Mapping[str, Any]  # submission.json
    summary: str  # the answers as people read them
    pdf: File
    uploads: tuple[File, ...] = ()
    files_url: str = ""  # where logged-in staff find the files
    # The answers as a header and one row, flattened as the clerk's export does.
    table: Sequence[Sequence[Any]] = ()

    @property
    def document_file(self) -> File:
        body = json.dumps(self.document, ensure_ascii=False, indent=2).encode()
        return File("submission.json", "application/json", body)

    @property
    def files(self) -> tuple[File, ...]:
        """The PDF, submission.json and the uploads, each under a distinct name."""
        return (self.pdf, self.document_file, *_numbered(self.uploads))


def _numbered(uploads: tuple[File, ...]) -> tuple[File, ...]:
    """Uploads as ``01-Foto.png``, so two files of the same name never overwrite each other."""
    return tuple(
        File(f"{index:02d}-{upload.name}", upload.mime, upload.content)
        for index, upload in enumerate(uploads, start=1)
    )


class DeliveryTarget(Protocol):
    """A kind of target; an instance is one tenant's configured target."""

    kind: ClassVar[str]
    label: ClassVar[str]  # a lazy gettext string: what the admin pages call the kind
    config_fields: ClassVar[tuple[ConfigField, ...]]

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> DeliveryTarget:
        """The target a checked ``config`` describes."""

    @classmethod
    def check_config(cls, config: Mapping[str, Any]) -> list[FieldProblem]:
        """Problems with ``config`` (pointers ``/config/<field>``); empty when usable."""

    def deliver(self, parcel: Parcel) -> None:
        """Hand ``parcel`` over, or raise :class:`~amtsweg.platform.outbox.SendError`."""
