"""Files a citizen uploads in a step: checked by content, kept in file storage.

The answer to a file field is a list of ``{"name", "mime", "size", "token"}``
(the token is the upload's id), which the engine checks against the field's
accepted types, size and count like any other answer.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask_babel import gettext
from werkzeug.datastructures import FileStorage, MultiDict

from amtsweg.formdefs.engine import AnswerError, Field, Step
from amtsweg.formdefs.rendering import path_to_name
from amtsweg.platform.errors import NotFound
from amtsweg.platform.storage import storage
from amtsweg.submissions import service
from amtsweg.submissions.models import Draft, Upload
from amtsweg.submissions.uploads import UploadRejectedError, check_upload


def receive(
    draft: Draft,
    step: Step,
    posted: MultiDict[str, FileStorage],
    answers: dict[str, Any],
    locale: str,
) -> tuple[AnswerError, ...]:
    """Store the files posted for ``step`` and record them in ``answers``.

    A new file replaces the earlier one of a single-file field and joins the
    others of a multi-file field. Refused files come back as errors for the page.
    """
    errors = []
    for field in step.fields:
        if field.kind != "file":
            continue
        incoming = [item for item in posted.getlist(path_to_name(field.id)) if item.filename]
        if not incoming:
            continue
        kept = [] if field.max_files == 1 else list(answers.get(field.id) or [])
        for item in incoming:
            try:
                kept.append(_store(draft, field, item))
            except UploadRejectedError as refused:
                errors.append(AnswerError(field.id, refused.code, refused.message(locale)))
        answers[field.id] = kept
    return tuple(errors)


def _store(draft: Draft, field: Field, item: FileStorage) -> dict[str, Any]:
    limit = field.max_size + 1 if field.max_size else -1
    data = item.stream.read(limit)
    checked = check_upload(data, item.filename or "", field.accept, max_size=field.max_size)
    upload = service.record_upload(draft, field.id, checked, storage().put("uploads", data))
    return {
        "name": checked.name,
        "mime": checked.mime,
        "size": checked.size,
        "token": str(upload.id),
    }


def load(draft: Draft, upload_id: uuid.UUID) -> tuple[Upload, bytes]:
    """An upload of ``draft`` and its bytes; refused as not found for anything else."""
    upload = service.find_upload(draft, upload_id)
    if upload is not None:
        try:
            return upload, storage().get(upload.storage_key)
        except KeyError:
            pass
    raise NotFound(gettext("This file is not part of your application."))
