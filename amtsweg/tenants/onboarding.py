"""The onboarding checklist: checks that look at the tenant, contributed by every area.

An item is not ticked by hand: each check looks at what is configured (and, for
links, tests, deliveries and payments, at what really happened) and says what
is missing. Areas register their checks in their ``init_app`` — tenants does
not import them::

    register_check("delivery", _l("A delivery target and a test delivery that arrived"),
                   delivery_check, required=True)

A check gets the tenant (the session is scoped to it) and returns a
:class:`CheckResult`; it must be safe to run on every view of the checklist.
Going live needs every required check to pass. Areas also register the links
of their admin pages (:func:`register_admin_page`) for the tenant admin's
navigation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from amtsweg.platform.errors import Conflict
from amtsweg.tenants import service
from amtsweg.tenants.branding import MIN_CONTRAST, contrast_with_white
from amtsweg.tenants.links import link_problem
from amtsweg.tenants.models import Role, Tenant, User


@dataclass(frozen=True, slots=True)
class CheckResult:
    """``passed``, and when not, what is missing and what to do (``detail``);
    ``fix_endpoint`` names the page (endpoint taking ``tenant_slug``) to do it on."""

    passed: bool
    detail: str = ""
    fix_endpoint: str | None = None

    @classmethod
    def ok(cls) -> CheckResult:
        return cls(passed=True)

    @classmethod
    def missing(cls, detail: str, fix_endpoint: str | None = None) -> CheckResult:
        return cls(passed=False, detail=detail, fix_endpoint=fix_endpoint)


@dataclass(frozen=True, slots=True)
class Check:
    key: str
    label: Any  # a lazy string: shown in the reader's language
    run: Callable[[Tenant], CheckResult]
    required: bool = True


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    check: Check
    result: CheckResult


@dataclass(frozen=True, slots=True)
class AdminPage:
    key: str
    label: Any
    endpoint: str


_CHECKS: dict[str, Check] = {}
_ADMIN_PAGES: dict[str, AdminPage] = {}


def register_check(
    key: str, label: Any, check: Callable[[Tenant], CheckResult], *, required: bool = True
) -> None:
    """Add (or, for the same ``key``, replace) a checklist item; items keep their order."""
    _CHECKS[key] = Check(key, label, check, required)


def register_admin_page(key: str, label: Any, endpoint: str) -> None:
    """Link a tenant admin page (an endpoint taking ``tenant_slug``) in the navigation."""
    _ADMIN_PAGES[key] = AdminPage(key, label, endpoint)


def admin_pages() -> list[AdminPage]:
    return list(_ADMIN_PAGES.values())


def run_checklist(tenant: Tenant) -> list[ChecklistItem]:
    """Every check's result now; the count is kept for the association's overview."""
    items = [ChecklistItem(check, check.run(tenant)) for check in _CHECKS.values()]
    service.record_onboarding_progress(
        tenant, sum(item.result.passed for item in items), len(items)
    )
    return items


def go_live(tenant: Tenant, *, actor: User | None = None) -> None:
    """Open the tenant to real submissions, if every required check passes now."""
    failing = [
        item for item in run_checklist(tenant) if item.check.required and not item.result.passed
    ]
    if failing:
        raise Conflict(
            gettext(
                "%(tenant)s cannot go live yet: %(items)s.",
                tenant=tenant.name,
                items="; ".join(
                    f"{item.check.label}: {item.result.detail.rstrip('.')}" for item in failing
                ),
            )
        )
    service.mark_live(tenant, actor=actor)


# --- the checks of the tenants area -----------------------------------------------------


def check_branding(tenant: Tenant) -> CheckResult:
    if not tenant.coat_of_arms_key:
        return CheckResult.missing(gettext("Upload the coat of arms."), "tenant_admin.branding")
    if contrast_with_white(tenant.colour) < MIN_CONTRAST:
        return CheckResult.missing(
            gettext("The colour gives white text too little contrast; choose a darker one."),
            "tenant_admin.branding",
        )
    return CheckResult.ok()


def check_legal_links(tenant: Tenant) -> CheckResult:
    missing = [
        label
        for label, url in (
            (gettext("imprint"), tenant.imprint_url),
            (gettext("privacy"), tenant.privacy_url),
        )
        if not url
    ]
    if missing:
        return CheckResult.missing(
            gettext("Enter the link to the %(pages)s page.", pages=" / ".join(missing)),
            "tenant_admin.branding",
        )
    for url in (tenant.imprint_url, tenant.privacy_url):
        if problem := link_problem(url or ""):
            return CheckResult.missing(problem, "tenant_admin.branding")
    return CheckResult.ok()


def check_accessibility_statement(tenant: Tenant) -> CheckResult:
    if tenant.accessibility_reviewed_on is None:
        return CheckResult.missing(
            gettext("Review the accessibility statement and enter the date of the review."),
            "tenant_admin.accessibility",
        )
    return CheckResult.ok()


def check_clerk_invited(tenant: Tenant) -> CheckResult:
    if not service.has_invited(tenant, Role.CLERK):
        return CheckResult.missing(
            gettext("Invite at least one clerk to process submissions."),
            "tenant_admin.people",
        )
    return CheckResult.ok()


def register_tenant_checks() -> None:
    register_check("branding", _l("Coat of arms and colours with enough contrast"), check_branding)
    register_check("legal_links", _l("Imprint and privacy links answer"), check_legal_links)
    register_check(
        "accessibility",
        _l("Accessibility statement reviewed"),
        check_accessibility_statement,
    )
    register_check("clerk", _l("At least one clerk invited"), check_clerk_invited)
