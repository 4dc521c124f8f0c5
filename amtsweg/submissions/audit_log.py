"""The tenant admin's page of the audit log: ``/t/<tenant>/admin/audit-log``.

Who did what when in the municipality, above all who opened, downloaded and
exported submissions (:mod:`amtsweg.submissions.clerk` records those).
Filtered by person, action and date; newest first, by keyset
(:mod:`amtsweg.tenants.audit`). Tenant admins and association admins only;
anyone else gets a 404 like for every staff page of a tenant.
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from amtsweg.platform.errors import Refusal
from amtsweg.submissions import clerk
from amtsweg.submissions.schemas import AuditLogArgsSchema
from amtsweg.submissions.service import AUTHORITY_ZONE
from amtsweg.submissions.web import filter_arguments
from amtsweg.tenants import audit
from amtsweg.tenants.web import TenantAdminView

bp = Blueprint(
    "audit_log", __name__, url_prefix="/t/<slug:tenant_slug>/admin", template_folder="templates"
)

ACTION_LABELS = {
    clerk.VIEWED: _l("Submission opened"),
    clerk.DOWNLOADED: _l("Submission downloaded"),
    clerk.EXPORTED: _l("Form's submissions exported"),
    "submission.status_set": _l("Processing status set"),
    "submission.answered": _l("Citizen answered a request"),
    "submission.document_retrieved": _l("Citizen retrieved a document"),
    "submission.acknowledged": _l("Submission fetched by specialist software"),
    "submissions.purged": _l("Submissions deleted after their retention period"),
    "person.erased": _l("Person's data erased"),
    "form.activated": _l("Form offered"),
    "form.deactivated": _l("Form withdrawn"),
    "form.retention_set": _l("Retention period shortened"),
    "message_template.saved": _l("Text template saved"),
    "message_template.deleted": _l("Text template deleted"),
    "membership.granted": _l("Role granted"),
    "membership.revoked": _l("Role taken back"),
    "membership.forms_limited": _l("Clerk's forms limited"),
    "invitation.sent": _l("Invitation sent"),
    "tenant.branding_changed": _l("Branding changed"),
    "tenant.coat_of_arms_changed": _l("Coat of arms changed"),
    "tenant.accessibility_changed": _l("Accessibility statement changed"),
    "tenant.enabled": _l("Municipality enabled"),
    "tenant.disabled": _l("Municipality disabled"),
    "tenant.went_live": _l("Municipality went live"),
    "accessibility.feedback_received": _l("Accessibility feedback received"),
    "payment.account_saved": _l("Payment provider saved"),
    "payment.booking_codes_saved": _l("Booking codes saved"),
    "payment.refunded": _l("Payment refunded"),
    "payment.refund_failed": _l("Refund failed at the provider"),
    "payment.test_started": _l("Test payment started"),
    "payment.tested": _l("Test payment checked"),
    "payment.test_refunded": _l("Test payment refunded"),
    "payment.statement_imported": _l("Bank statement imported"),
    "payment.statement_line_resolved": _l("Credit from a bank statement cleared"),
    "delivery.target_saved": _l("Delivery target saved"),
    "delivery.target_deleted": _l("Delivery target deleted"),
    "delivery.tested": _l("Test delivery sent"),
    "delivery.redelivered": _l("Submission delivered again"),
}


def action_label(action: str) -> str:
    """The action in words; one this page does not know yet by its code."""
    return str(ACTION_LABELS.get(action, action))


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), AUTHORITY_ZONE)


class AuditLogPage(TenantAdminView):
    """Who opened, downloaded, exported or changed what, and when."""

    def get(self) -> str:
        args = filter_arguments(AuditLogArgsSchema())
        since, until = args.get("since"), args.get("until")
        filters = audit.AuditFilter(
            person=args["person"],
            action=args.get("action"),
            since=_day_start(since) if since else None,
            until=_day_start(until + dt.timedelta(days=1)) if until else None,
        )
        try:
            after = clerk.decode_cursor(args["cursor"]) if "cursor" in args else None
        except clerk.CursorError:
            raise Refusal(gettext("This page link is no longer valid."), status=400) from None
        page = audit.audit_page(self.tenant, filters, after)
        last = page.lines[-1].entry if page.more else None
        return self.render(
            "clerk/audit_log.html",
            page=page,
            next_cursor=clerk.encode_cursor(last.created_at, last.id) if last else None,
            args=request.args,
            query={k: v for k, v in request.args.items() if k != "cursor" and v},
            actions=sorted(ACTION_LABELS.items(), key=lambda item: str(item[1])),
            action_label=action_label,
            objects=_objects(page, self.tenant.slug),
        )


def _objects(
    page: audit.AuditPage, tenant_slug: str
) -> dict[tuple[str, str], tuple[str, str | None]]:
    """What each entry was about, in words, and a link to it where there is a page."""
    people = audit.people_named(
        line.entry.object_id for line in page.lines if line.entry.object_type == "user"
    )
    described = {}
    for line in page.lines:
        kind, key = line.entry.object_type, line.entry.object_id
        if kind == "submission":
            link = url_for("clerk.submission", tenant_slug=tenant_slug, reference=key)
            described[kind, key] = (gettext("Submission %(reference)s", reference=key), link)
        elif kind == "user":
            described[kind, key] = (people.get(key) or gettext("a person"), None)
        elif kind == "form":
            described[kind, key] = (gettext("Form %(form)s", form=key), None)
        elif kind == "message_template":
            described[kind, key] = (gettext("Text template “%(title)s”", title=key), None)
        else:
            described[kind, key] = ("", None)
    return described


bp.add_url_rule("/audit-log", view_func=AuditLogPage.as_view("index"))
