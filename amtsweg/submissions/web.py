"""Handler bases shared by the pages and the API: the citizen's forms, the clerk's submissions."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import abort, request
from flask_babel import gettext

from amtsweg.formdefs import service as formdefs
from amtsweg.platform.auth.access import require_principal
from amtsweg.platform.auth.principal import Principal
from amtsweg.platform.auth.trust import TrustLevel
from amtsweg.platform.errors import Refusal
from amtsweg.submissions import clerk, exports
from amtsweg.tenants import login
from amtsweg.tenants.access import STAFF
from amtsweg.tenants.models import User
from amtsweg.tenants.web import TenantView


class TableDownloadView:
    """A table download's ``kind`` from the address (a key of ``exports.TABLE_FORMATS``,
    the ending after the dot); any other ending is a 404. Mixed in before the view base."""

    kind: str

    def _process_args(self, kind: str, **kwargs: Any) -> None:
        super()._process_args(**kwargs)  # the view base this is mixed into
        if kind not in exports.TABLE_FORMATS:
            abort(404)
        self.kind = kind


class FormView(TenantView):
    """Loads ``self.form``, a form the tenant offers; 404 when it does not offer it."""

    form: formdefs.OfferedForm

    def _process_args(self, form_slug: str, **kwargs: Any) -> None:
        super()._process_args(**kwargs)
        try:
            self.form = formdefs.offered_form(self.tenant, form_slug)
        except formdefs.FormNotFoundError:
            abort(404)


class CitizenView(TenantView):
    """For a logged-in citizen (browser login or bearer token); ``self.user`` is their person.

    The login must reach :meth:`needed_level`; a handler that loaded a form asks
    for the form's level. Service accounts act for software, never for a citizen.
    Everything such a handler answers is personal, so no cache may store it.
    """

    personal_data = True
    principal: Principal
    user: User

    def needed_level(self) -> TrustLevel:
        form: formdefs.OfferedForm | None = getattr(self, "form", None)
        return TrustLevel(form.definition.trust_level) if form else TrustLevel.NONE

    def _check_access(self) -> None:
        super()._check_access()
        self.principal = require_principal(self.needed_level())
        if self.principal.is_service:
            raise Refusal(
                gettext("Service accounts cannot submit applications for citizens."), status=403
            )
        self.user = login.person_of(self.principal)


class ClerkView(TenantView):
    """Someone who works on the tenant's submissions; ``self.scope`` says which."""

    required_roles = STAFF
    scope: clerk.ClerkScope

    def _check_access(self) -> None:
        super()._check_access()
        assert self.principal is not None  # required_roles made sure
        self.scope = clerk.clerk_scope(self.tenant, self.principal)


class ClerkSubmissionView(ClerkView):
    """Loads a submission by reference within the clerk's scope; anything else is a 404."""

    def _process_args(self, reference: str, **kwargs: Any) -> None:
        super()._process_args(**kwargs)
        self.reference = reference

    def _check_access(self) -> None:
        super()._check_access()
        submission = clerk.find(self.scope, self.reference)
        if submission is None:
            abort(404)
        self.submission = submission


class ClerkFormView(ClerkView):
    """Loads a form of the tenant that the clerk may see; anything else is a 404."""

    def _process_args(self, form_slug: str, **kwargs: Any) -> None:
        super()._process_args(**kwargs)
        self.form_slug = form_slug

    def _check_access(self) -> None:
        super()._check_access()
        definition = formdefs.find_definition(self.form_slug)
        tenant_form = definition and formdefs.find_tenant_form(self.tenant, definition)
        if tenant_form is None or not self.scope.may_see(definition.id):
            abort(404)
        self.definition = definition


def filter_arguments(schema: ma.Schema) -> dict[str, Any]:
    """A filter form's query string, loaded by ``schema``; a 400 for a value it refuses."""
    try:
        # The filter form sends every field; an empty one means "any".
        return schema.load({k: v for k, v in request.args.items() if v})
    except ma.ValidationError as invalid:
        raise Refusal(gettext("A filter has a value that is not possible."), status=400) from (
            invalid
        )
