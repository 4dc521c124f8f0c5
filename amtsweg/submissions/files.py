"""Files a citizen uploads in a step: checked by content, kept in file storage.

The answer to a file field is a list of ``{"name", "mime", "size", "token"}``
(the token is the upload's id), which the engine checks against the field's
accepted types, size and count like any other answer. File fields are found
wherever they are, inside the items of repeating groups too
(``hunde-0-erlaubnis``).

Every limit is enforced when a file arrives, not only when the step is
checked: a field takes no more than its ``max_files`` (a single-file field
replaces its file), no file is larger than its ``max_size``, and all files an
application holds together stay within ``AMTSWEG_DRAFT_UPLOAD_QUOTA_BYTES``.
A refused file is never stored. Each listed file has a "remove" checkbox
(``<input name>-remove`` = its token), so files are removed and replaced
without JavaScript. Uploads no answer refers to any more are deleted by
:func:`~amtsweg.submissions.service.release_unreferenced`.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import current_app
from flask_babel import gettext
from werkzeug.datastructures import FileStorage, MultiDict

from amtsweg.formdefs.engine import AnswerError, FormDefinition, Step
from amtsweg.formdefs.engine.messages import Bytes
from amtsweg.formdefs.rendering import path_to_name
from amtsweg.platform.errors import NotFound
from amtsweg.platform.storage import put_for_transaction, storage
from amtsweg.submissions import service
from amtsweg.submissions.models import Draft, Upload
from amtsweg.submissions.service import FileAnswer
from amtsweg.submissions.uploads import UploadRejectedError, check_upload

REMOVE_SUFFIX = "-remove"


def receive(
    draft: Draft,
    definition: FormDefinition,
    step: Step,
    *,
    files: MultiDict[str, FileStorage],
    form: MultiDict[str, str],
    answers: dict[str, Any],
    locale: str,
) -> tuple[AnswerError, ...]:
    """Remove the files the citizen ticked, then store the files posted for ``step``.

    A new file replaces the one of a single-file field. Refused files come back
    as errors for the page; nothing of them is kept.
    """
    arriving = []
    for answer in service.file_answers(step, answers):
        name = path_to_name(answer.path)
        removed = set(form.getlist(name + REMOVE_SUFFIX))
        incoming = [item for item in files.getlist(name) if item.filename]
        replaced = incoming and answer.field.max_files == 1
        answer.container[answer.field.id] = [
            item for item in answer.files if not replaced and item.get("token") not in removed
        ]
        arriving.append((answer, incoming))
    used = service.uploaded_bytes(draft, definition, answers)
    errors = []
    for answer, incoming in arriving:
        kept = answer.files
        for item in incoming:
            try:
                stored = _store(draft, answer, item, count=len(kept), used=used)
            except UploadRejectedError as refused:
                errors.append(AnswerError(answer.path, refused.code, refused.message(locale)))
            else:
                kept.append(stored)
                used += stored["size"]
        answer.container[answer.field.id] = kept
    return tuple(errors)


def _quota() -> int:
    return current_app.config["AMTSWEG"].draft_upload_quota_bytes


def _store(
    draft: Draft, answer: FileAnswer, item: FileStorage, *, count: int, used: int
) -> dict[str, Any]:
    field = answer.field
    if count >= field.max_files:
        raise UploadRejectedError("too_many_files", max=field.max_files)
    room = max(_quota() - used, 0)
    limit = min(field.max_size, room) if field.max_size else room
    data = item.stream.read(limit + 1)
    if len(data) > room:
        raise UploadRejectedError("upload_quota", quota=Bytes(_quota()))
    checked = check_upload(data, item.filename or "", field.accept, max_size=field.max_size)
    upload = service.record_upload(
        draft, answer.path, checked, put_for_transaction("uploads", data)
    )
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
