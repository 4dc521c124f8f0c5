"""Handler bases shared by the journey's pages and the submission API."""

from __future__ import annotations

from typing import Any

from flask import abort

from amtsweg.formdefs import service as formdefs
from amtsweg.tenants.web import TenantView


class FormView(TenantView):
    """Loads ``self.form``, a form the tenant offers; 404 when it does not offer it."""

    form: formdefs.OfferedForm

    def _process_args(self, form_slug: str, **kwargs: Any) -> None:
        super()._process_args(**kwargs)
        try:
            self.form = formdefs.offered_form(self.tenant, form_slug)
        except formdefs.FormNotFoundError:
            abort(404)
