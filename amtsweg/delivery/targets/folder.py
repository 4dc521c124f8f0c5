"""``folder``: each submission as a directory ``<AMTSWEG_DELIVERIES_DIR>/<tenant>/<reference>/``.

The directory is written under a temporary name and renamed into place, so
whoever watches the folder never sees half a submission; a second delivery
of the same submission replaces the first as a whole.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from flask import current_app
from flask_babel import lazy_gettext as _l

from amtsweg.delivery.interfaces import ConfigField, Parcel
from amtsweg.delivery.targets.fields import check_fields
from amtsweg.platform.errors import FieldProblem
from amtsweg.platform.outbox import SendError


@dataclass(frozen=True, slots=True)
class FolderTarget:
    kind: ClassVar[str] = "folder"
    label: ClassVar[str] = _l("Folder on the server")
    # The directory is the operator's setting, never the tenant's: a tenant
    # must not make the server write elsewhere.
    config_fields: ClassVar[tuple[ConfigField, ...]] = ()

    root: Path | None

    @classmethod
    def from_config(cls, _config: Mapping[str, Any]) -> FolderTarget:
        root = current_app.config["AMTSWEG"].deliveries_dir
        return cls(root.resolve() if root else None)

    @classmethod
    def check_config(cls, config: Mapping[str, Any]) -> list[FieldProblem]:
        return check_fields(cls.config_fields, config)

    def deliver(self, parcel: Parcel) -> None:
        if self.root is None:
            raise SendError(
                "This installation keeps no folder of deliveries (AMTSWEG_DELIVERIES_DIR)."
            )
        tenant_dir = self.root / parcel.tenant_slug
        final = tenant_dir / parcel.reference
        partial = tenant_dir / f".{parcel.reference}.{parcel.delivery_id}.part"
        try:
            tenant_dir.mkdir(parents=True, exist_ok=True)
            shutil.rmtree(partial, ignore_errors=True)
            partial.mkdir()
            for file in parcel.files:
                (partial / file.name).write_bytes(file.content)
            if final.exists():
                shutil.rmtree(final)
            partial.rename(final)
        except OSError as error:
            raise SendError(f"Could not write into {tenant_dir}: {error}") from error
