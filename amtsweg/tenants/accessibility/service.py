"""Operations of the accessibility pages: the tenant's settings and feedback."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask_babel import gettext

from amtsweg.platform import outbox
from amtsweg.platform.db import db, utcnow
from amtsweg.platform.errors import FieldProblem, Refusal, json_pointer
from amtsweg.tenants import service as tenants
from amtsweg.tenants.accessibility import tasks
from amtsweg.tenants.models import AccessibilityFeedback, Tenant

#: The day the platform's own statement (the known limitations below) was last reviewed.
PLATFORM_REVIEWED_ON = dt.date(2026, 11, 23)

#: Federal public bodies answer to this body (§ 16 BGG). A municipality answers to the
#: body its state's disability equality law names; each tenant should set that one.
DEFAULT_ENFORCEMENT_NAME = (
    "Schlichtungsstelle nach § 16 des Behindertengleichstellungsgesetzes (BGG)"
)
DEFAULT_ENFORCEMENT_URL = "https://www.schlichtungsstelle-bgg.de/"

VIDEO_SUFFIXES = (".mp4", ".webm", ".ogv", ".m4v")
MAX_NAME = 200
MAX_EMAIL = 254
MAX_MESSAGE = 5000
_EMAIL = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+$")


class AccessibilityError(Refusal):
    """A setting or a feedback message was refused; the message says why."""


@dataclass(frozen=True, slots=True)
class AccessibilitySettings:
    """What a tenant may change; ``None`` leaves a setting as it is, ``""`` clears it."""

    limitations: str | None = None
    reviewed_on: dt.date | None = None
    enforcement_body_name: str | None = None
    enforcement_body_url: str | None = None
    sign_language_video_url: str | None = None
    sign_language_captions_url: str | None = None


@dataclass(frozen=True, slots=True)
class EnforcementBody:
    name: str
    url: str
    is_default: bool


def enforcement_body(tenant: Tenant) -> EnforcementBody:
    if tenant.enforcement_body_url:
        return EnforcementBody(
            tenant.enforcement_body_name or tenant.enforcement_body_url,
            tenant.enforcement_body_url,
            is_default=False,
        )
    return EnforcementBody(DEFAULT_ENFORCEMENT_NAME, DEFAULT_ENFORCEMENT_URL, is_default=True)


def reviewed_on(tenant: Tenant) -> dt.date:
    """The last review of this tenant's statement: its own, or the platform's if later."""
    return max(filter(None, [tenant.accessibility_reviewed_on, PLATFORM_REVIEWED_ON]))


def paragraphs(text: str | None) -> list[str]:
    """Plain text split into paragraphs at blank lines (no markup is interpreted)."""
    if not text:
        return []
    blocks = re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip())
    return [" ".join(block.split()) for block in blocks if block.strip()]


def is_video_file(url: str | None) -> bool:
    return bool(url) and urlsplit(url).path.lower().endswith(VIDEO_SUFFIXES)


def media_origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _web_address(value: str, what: str) -> str | None:
    try:
        return tenants.check_web_address(value)
    except tenants.TenantError as refused:
        raise AccessibilityError(f"{what}: {refused.detail}") from None


def update_settings(tenant: Tenant, settings: AccessibilitySettings) -> None:
    if settings.limitations is not None:
        tenant.accessibility_limitations = settings.limitations.strip() or None
    if settings.reviewed_on is not None:
        tenant.accessibility_reviewed_on = settings.reviewed_on
    if settings.enforcement_body_name is not None:
        tenant.enforcement_body_name = settings.enforcement_body_name.strip() or None
    for name in ("enforcement_body_url", "sign_language_video_url", "sign_language_captions_url"):
        if (value := getattr(settings, name)) is not None:
            setattr(tenant, name, _web_address(value, name.replace("_", " ")))
    tenants.record(tenant, "tenant.accessibility_changed", "tenant", tenant.slug)


def feedback_problems(name: str, email: str, message: str) -> dict[str, str]:
    """Which field is wrong and why (English source strings; the view translates them)."""
    problems = {}
    if len(name) > MAX_NAME:
        problems["name"] = "too_long"
    if email and (len(email) > MAX_EMAIL or not _EMAIL.match(email)):
        problems["email"] = "invalid"
    if not message.strip():
        problems["message"] = "missing"
    elif len(message) > MAX_MESSAGE:
        problems["message"] = "too_long"
    return problems


def record_feedback(
    tenant: Tenant, *, name: str, email: str, message: str, page_url: str, locale: str
) -> AccessibilityFeedback:
    """Store a message from the feedback form and mail it to the tenant after commit."""
    if problems := feedback_problems(name, email, message):
        raise AccessibilityError(
            gettext("The feedback is not valid."),
            problems=[
                FieldProblem(json_pointer(name), code, code) for name, code in problems.items()
            ],
        )
    feedback = AccessibilityFeedback(
        tenant_id=tenant.id,
        name=name.strip() or None,
        email=email.strip() or None,
        message=message.strip(),
        page_url=page_url[:500] or None,
        locale=locale,
    )
    db.session.add(feedback)
    db.session.flush()
    tenants.record(tenant, "accessibility.feedback_received", "feedback", str(feedback.id))
    outbox.add(tenant.id, tasks.KIND, feedback.id)
    return feedback


def mark_feedback_mailed(feedback: AccessibilityFeedback) -> None:
    feedback.mailed_at = utcnow()
