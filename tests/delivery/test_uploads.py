"""Uploads reach the targets with the submission, under names that never collide."""

from __future__ import annotations

import hashlib
import io
import json

from PIL import Image

from amtsweg.delivery import service as delivery
from amtsweg.formdefs import service as formdefs
from amtsweg.platform.db import db
from amtsweg.platform.storage import storage
from amtsweg.submissions import service
from amtsweg.submissions.models import Submission, Upload
from tests.formdefs.builders import document, field
from tests.submissions.conftest import ERIKA_CLAIMS


def photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (10, 120, 10)).save(buffer, "PNG")
    return buffer.getvalue()


def _photo_form(tenant) -> formdefs.OfferedForm:
    """A small form asking for a name and a photo, offered by ``tenant``."""
    fields = (
        field("name", "text", required=True),
        field("foto", "file", accept=["image/png"], max_size=1_000_000),
    )
    version = formdefs.create_definition(document(*fields, slug="baumfoto"))
    formdefs.publish(version)
    formdefs.activate_form(tenant, version.definition)
    return formdefs.offered_form(tenant, "baumfoto")


def submit_with_photo(tenant, user) -> Submission:
    """An application whose draft carries one uploaded photo its answers name."""
    form = _photo_form(tenant)
    draft = service.start_draft(tenant, user, form, ERIKA_CLAIMS)
    data = photo()
    upload = Upload(
        draft_id=draft.id,
        field_path="foto",
        storage_key=storage().put("uploads", data),
        name="Eiche.png",
        mime="image/png",
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )
    db.session.add(upload)
    db.session.flush()
    entry = {"name": "Eiche.png", "mime": "image/png", "size": len(data), "token": str(upload.id)}
    draft.answers = {"name": "Erika Mustermann", "foto": [entry]}
    outcome = service.submit_draft(tenant, user, form, draft, locale="de")
    db.session.commit()
    return outcome.submission


def test_the_folder_holds_the_uploads_with_their_checksums(app, settings, musterstadt, erika):
    delivery.save_target(musterstadt, "ablage", "folder", {}, default=True)
    db.session.commit()

    submission = submit_with_photo(musterstadt, erika)

    folder = settings.deliveries_dir / "musterstadt" / submission.reference
    stored = (folder / "01-Eiche.png").read_bytes()
    assert stored == photo()
    [listed] = json.loads((folder / "submission.json").read_text())["uploads"]
    assert listed["sha256"] == hashlib.sha256(stored).hexdigest()
