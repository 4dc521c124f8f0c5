"""``submission.json``: the one machine-readable document of a submission.

Every delivery target (DMS, mailbox, webhook, folder) and the clerk's export
hand out this document, so a municipality's specialist system parses one
format. It is versioned: ``schema`` names the JSON Schema it follows
(``submission-v1.schema.json`` next to this file, published at
``/api/v1/schemas/submission-v1.json``); a change that removes or renames a
key is a new version, adding an optional key is not.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from amtsweg.formdefs.models import FormVersion
from amtsweg.platform.db import db
from amtsweg.submissions import service
from amtsweg.submissions.models import Submission
from amtsweg.tenants.models import Tenant

SCHEMA_VERSION = 1
SCHEMA_NAME = f"submission-v{SCHEMA_VERSION}.json"
SCHEMA_FILE = Path(__file__).with_name(f"submission-v{SCHEMA_VERSION}.schema.json")


@cache
def schema() -> dict[str, Any]:
    """The JSON Schema (2020-12) every :func:`submission_document` satisfies."""
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


def submission_document(submission: Submission) -> dict[str, Any]:
    """The submission as its municipality receives it (see the schema for each key).

    Answers are stored exactly as accepted; file answers name their upload by
    ``token``, which ``uploads[].token`` resolves to name, type, size and the
    SHA-256 of the bytes, so a receiver can check what it got.
    """
    tenant = db.session.get_one(Tenant, submission.tenant_id)
    version = db.session.get_one(FormVersion, submission.version_id)
    definition = service.submission_definition(submission)
    return {
        "schema": schema()["$id"],
        "reference": submission.reference,
        "tenant": {
            "slug": tenant.slug,
            "name": tenant.name,
            "municipality_key": tenant.municipality_key,
        },
        "form": {
            "slug": definition.slug,
            "version": version.number,
            "title": {"de": definition.title.de, "en": definition.title.en},
            "leika_id": definition.leika_id,
            "fim_id": definition.fim_id,
        },
        "locale": submission.locale,
        "status": submission.status.value,
        "submitted_at": submission.submitted_at.isoformat(),
        "answers": submission.answers,
        "uploads": [
            {
                "token": str(upload.id),
                "field": upload.field_path,
                "name": upload.name,
                "mime": upload.mime,
                "size": upload.size,
                "sha256": upload.sha256,
            }
            for upload in service.uploads_of(submission)
        ],
        "fee": submission.fee,
        "payment": _payment(submission),
    }


def _payment(submission: Submission) -> dict[str, Any] | None:
    """The payment summary the payment area keeps on the submission, if it has one."""
    return dict(submission.payment) if submission.payment else None
