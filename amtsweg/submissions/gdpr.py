"""Data-subject requests: what Amtsweg holds about a person, and erasing it.

``amtsweg gdpr export --person SUBJECT`` and ``amtsweg gdpr erase --person
SUBJECT`` call these for every tenant in turn (each in its own scope); a citizen
downloads what one municipality holds about them from "My applications".

What the municipality may keep on an erasure request (Art. 17(3) GDPR):

- Submissions within the retention period their form sets (or the tenant's
  shorter one): the application is the municipality's file for an
  administrative procedure, which it must process and keep for that period
  (Art. 17(3)(b): a legal obligation and a task in the public interest;
  (3)(e): legal claims, e.g. an objection to the decision). They are listed
  with the date until which they are kept and go by ``amtsweg submissions
  purge`` then.
- The person's account row (provider and subject only, name removed) while
  such submissions point at it.
- Audit log entries: they hold no personal data, only the account's id
  (Art. 5(2), accountability).

Everything else goes now: drafts with their uploads, submissions past their
period (with their files, history, and — through ``submission_erased`` —
payment and delivery data), login sessions, memberships and the name.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from zipstream import ZIP_STORED, ZipStream

from amtsweg.platform.db import db, require_tenant_scope, utcnow
from amtsweg.submissions import confirmation, exports, service
from amtsweg.submissions.document import submission_document
from amtsweg.submissions.models import Draft, Submission, Upload
from amtsweg.tenants import service as tenants
from amtsweg.tenants.models import Tenant, User


def person_record(user: User) -> dict[str, Any]:
    """The person's account as Amtsweg keeps it: the login's issuer and subject, the name."""
    return {
        "issuer": user.issuer,
        "subject": user.subject,
        "name": user.display_name,
        "created_at": user.created_at.isoformat(),
    }


def person_data(user: User) -> dict[str, Any]:
    """What the tenant in scope holds about ``user``: drafts and submissions
    (``submission.json`` and the processing history), for a data-subject access request."""
    return {
        "drafts": [
            {
                "form": service.draft_definition(draft).slug,
                "answers": draft.answers,
                "updated_at": draft.updated_at.isoformat(),
                "expires_at": draft.expires_at.isoformat(),
            }
            for draft in _open_drafts(user)
        ],
        "submissions": [
            submission_document(submission)
            | {
                "processing": [
                    {
                        "created_at": entry.created_at.isoformat(),
                        "status": entry.status.value if entry.status else None,
                        "message": entry.message,
                        "files": [stored["name"] for stored in entry.files],
                    }
                    for entry in service.processing_history(submission)
                ]
            }
            for submission in _submissions(user)
        ],
    }


def person_archive(tenant: Tenant, user: User, locale: str) -> ZipStream:
    """What the tenant in scope holds about ``user`` as one ZIP (Art. 15(3) and 20 GDPR).

    ``my-data.json`` is :func:`person_data` with the account; beside it every file kept
    for the person, which the JSON only names: per submission (a folder named by its
    reference) the receipt, the uploads and the files of the processing history (the
    municipality's result documents and the person's answers), per open draft
    (``drafts/<form>``) its uploads.
    """
    held = {
        "person": person_record(user),
        "tenant": {"slug": tenant.slug, "name": tenant.name},
        "exported_at": utcnow().isoformat(),
        **person_data(user),
    }
    archive = ZipStream(compress_type=ZIP_STORED, sized=True)
    document = json.dumps(held, ensure_ascii=False, indent=2, default=str)
    archive.add(document.encode(), "my-data.json")
    taken: set[str] = set()
    for submission in _submissions(user):
        folder = submission.reference
        receipt = confirmation.receipt_pdf(tenant, submission, locale)
        archive.add(receipt, f"{folder}/{folder}.pdf")
        for upload in service.uploads_of(submission):
            name = f"{folder}/uploads/{upload.name}"
            exports.add_stored(archive, taken, name, upload.storage_key, upload.size)
        for entry in service.processing_history(submission):
            for stored in entry.files:
                name = f"{folder}/processing/{stored['name']}"
                exports.add_stored(archive, taken, name, stored["key"], stored["size"])
    for draft in _open_drafts(user):
        folder = f"drafts/{service.draft_definition(draft).slug}"
        for upload in db.session.scalars(select(Upload).where(Upload.draft_id == draft.id)):
            name = f"{folder}/{upload.name}"
            exports.add_stored(archive, taken, name, upload.storage_key, upload.size)
    return archive


def _open_drafts(user: User) -> list[Draft]:
    return list(
        db.session.scalars(
            select(Draft)
            .where(Draft.user_id == user.id, Draft.submitted_at.is_(None))
            .order_by(Draft.created_at)
        )
    )


def _submissions(user: User) -> list[Submission]:
    return list(
        db.session.scalars(
            select(Submission)
            .where(Submission.user_id == user.id)
            .order_by(Submission.submitted_at)
        )
    )


@dataclass(frozen=True, slots=True)
class ErasureResult:
    drafts: int
    submissions: int
    kept: list[tuple[str, dt.datetime]]  # reference, kept until


def erase_person(tenant: Tenant, user: User) -> ErasureResult:
    """Erase ``user``'s drafts, and submissions whose retention period has ended.

    Submissions still within their period are kept: the municipality needs the
    application file to decide and must keep it as long as the form's period
    says (Art. 17(3)(b) and (e) GDPR); they go by the regular purge.
    """
    require_tenant_scope(tenant.id)
    drafts = db.session.scalars(
        select(Draft).where(Draft.user_id == user.id, Draft.submitted_at.is_(None))
    ).all()
    for draft in drafts:
        service.erase_draft(draft)
    erased, kept = 0, []
    for submission in db.session.scalars(
        select(Submission).where(Submission.user_id == user.id)
    ).all():
        until = service.kept_until(tenant, submission)
        if until > utcnow():
            kept.append((submission.reference, until))
        else:
            service.erase_submission(tenant, submission)
            erased += 1
    if drafts or erased:
        tenants.record(
            tenant,
            "person.erased",
            "tenant",
            tenant.slug,
            details={"drafts": len(drafts), "submissions": erased, "kept": len(kept)},
        )
    return ErasureResult(len(drafts), erased, kept)
