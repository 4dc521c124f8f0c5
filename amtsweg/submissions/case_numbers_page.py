"""The tenant admin's case numbers: ``/t/<tenant>/admin/case-numbers`` and the same
figures as a table to download (``case-numbers.csv``, ``.excel.csv``, ``.xlsx``).

The period is chosen by day, from the first of January to today unless given; the page
shows it per form and per month (:mod:`.case_numbers`). Tenant admins and association
admins only, as every figure covers all the tenant's forms.
"""

from __future__ import annotations

from flask import Blueprint, request
from flask_babel import format_date
from werkzeug.wrappers import Response

from amtsweg.platform.downloads import attachment
from amtsweg.platform.i18n import current_locale
from amtsweg.submissions import case_numbers, exports
from amtsweg.submissions.schemas import CaseNumbersArgsSchema
from amtsweg.submissions.web import TableDownloadView, filter_arguments
from amtsweg.tenants.web import TenantAdminView

bp = Blueprint(
    "case_numbers", __name__, url_prefix="/t/<slug:tenant_slug>/admin", template_folder="templates"
)


def chosen_period() -> case_numbers.Period:
    args = filter_arguments(CaseNumbersArgsSchema())
    return case_numbers.Period.chosen(args.get("since"), args.get("until"))


class CaseNumbersPage(TenantAdminView):
    """Per form and per month: received, open, decided and how fast, and what areas add."""

    def get(self) -> str:
        numbers = case_numbers.case_numbers(self.tenant, chosen_period())
        locale = current_locale()
        return self.render(
            "clerk/case_numbers.html",
            numbers=numbers,
            by_form=[(row.title.get(locale), row.tally) for row in numbers.forms],
            by_month=[
                (format_date(month, "LLLL yyyy"), tally) for month, tally in numbers.months.items()
            ],
            query={key: value for key, value in request.args.items() if value},
        )


class CaseNumbersTable(TableDownloadView, TenantAdminView):
    """The page's figures, one row per form and month."""

    def get(self) -> Response:
        period = chosen_period()
        numbers = case_numbers.case_numbers(self.tenant, period)
        body = b"".join(
            exports.table_chunks(
                case_numbers.table(numbers, current_locale()), self.kind, "Fallzahlen"
            )
        )
        mimetype, suffix = exports.TABLE_FORMATS[self.kind]
        name = f"{self.tenant.slug}-fallzahlen-{period.first}-{period.last}.{suffix}"
        return attachment(body, mimetype, name, length=len(body))


bp.add_url_rule("/case-numbers", view_func=CaseNumbersPage.as_view("index"))
bp.add_url_rule("/case-numbers.<kind>", view_func=CaseNumbersTable.as_view("table"))
