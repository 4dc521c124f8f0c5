"""What a tenant offers: the list of its forms, searchable by topic."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request
from flask_babel import get_locale

from amtsweg.formdefs import service
from amtsweg.formdefs.fees import summarise_fee
from amtsweg.tenants.web import TenantView

bp = Blueprint("forms", __name__, url_prefix="/t/<slug:tenant_slug>", template_folder="templates")


def _matches(form: service.OfferedForm, query: str, topic: str, locale: str) -> bool:
    definition = form.definition
    if topic and topic not in definition.topics:
        return False
    if not query:
        return True
    haystack = " ".join(
        [definition.title.get(locale), definition.description.get(locale), *definition.topics]
    ).casefold()
    return all(word in haystack for word in query.casefold().split())


class TenantHome(TenantView):
    """The tenant's start page: its forms, searchable and filterable by topic."""

    def get(self) -> str:
        locale = str(get_locale())
        offered = service.offered_forms(self.tenant)
        query = request.args.get("q", "").strip()[:100]
        topic = request.args.get("topic", "").strip()[:50]
        shown = [form for form in offered if _matches(form, query, topic, locale)]
        topics = sorted({t for form in offered for t in form.definition.topics})
        return render_template(
            "formdefs/index.html",
            forms=[(form, self._fee(form)) for form in shown],
            offered_count=len(offered),
            topics=topics,
            query=query,
            topic=topic,
            locale=locale,
        )

    @staticmethod
    def _fee(form: service.OfferedForm) -> Any:
        return summarise_fee(form.definition, form.tenant_form.fee_overrides)


bp.add_url_rule("/", view_func=TenantHome.as_view("index"))
