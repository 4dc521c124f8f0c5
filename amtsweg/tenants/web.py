"""Handler bases that check who may do what, before anything of the request is read.

- :class:`ProtectedView`: a handler with ``required_roles``; outside a tenant
  only association admins pass (403 for anyone else, the login or a 401 for
  nobody).
- :class:`TenantView`: the base of every handler under ``/t/<tenant>/``.

Access is checked in ``_check_access`` and nowhere else: it runs after the
URL's objects are loaded and before the method, so an API call without a
valid token gets its 401 before flask-smorest reads and judges the body.
"""

from __future__ import annotations

from typing import Any, ClassVar

from flask import Flask, abort, g, render_template
from flask_babel import gettext
from werkzeug.routing import BaseConverter

from amtsweg.platform.auth.access import require_principal
from amtsweg.platform.auth.principal import Principal
from amtsweg.platform.db import tenant_scope
from amtsweg.platform.errors import Refusal
from amtsweg.platform.web import RequestHandler
from amtsweg.tenants import login, onboarding, service
from amtsweg.tenants.access import ADMINS, require_tenant_role
from amtsweg.tenants.models import SLUG_PATTERN, Role, Tenant, User


class SlugConverter(BaseConverter):
    """Only well-formed slugs reach a view; anything else is a plain 404."""

    regex = SLUG_PATTERN


class ProtectedView(RequestHandler):
    """Runs only for a principal holding one of ``required_roles`` (none: for everyone).

    The principal is then ``self.principal``; :meth:`actor` is its person as
    audit entries record it.
    """

    principal: Principal | None = None
    required_roles: ClassVar[tuple[Role, ...]] = ()

    @property
    def personal_data(self) -> bool:  # type: ignore[override]
        """Staff pages show the tenant's people (applicants, payers, clerks, the audit
        log), so a page for a role is never stored, as a citizen's own pages are not."""
        return bool(self.required_roles)

    def _check_access(self) -> None:
        super()._check_access()
        if self.required_roles:
            self.principal = self._require_roles()

    def _require_roles(self) -> Principal:
        principal = require_principal()
        if not (Role.ASSOCIATION_ADMIN in self.required_roles and principal.is_association_admin):
            abort(403)
        return principal

    def actor(self) -> User | None:
        """The person (or service account) acting, as recorded in audit entries."""
        if self.principal is None:
            return None
        return login.person_of(self.principal)


class TenantClosed(Refusal):
    """A disabled tenant's pages: they say so, and where to turn instead."""

    status = 503


def _refuse_closed(tenant: Tenant) -> None:
    contact = (
        gettext(" Please contact the municipality directly: %(email)s.", email=tenant.contact_email)
        if tenant.contact_email
        else gettext(" Please contact the municipality directly.")
    )
    raise TenantClosed(
        gettext("%(tenant)s offers no online services here at the moment.", tenant=tenant.name)
        + contact
    )


class TenantView(ProtectedView):
    """Loads the enabled tenant named in the URL and scopes the session to it.

    An unknown tenant is a 404; a disabled one answers 503 with a page that
    says so politely (its data is kept). The whole request (loading,
    checking access, processing, the commit) runs inside the tenant's scope
    (:func:`~amtsweg.platform.db.tenant_scope`); a streamed response body
    that reads rows after the handler returned enters the scope itself.
    Subclasses load their own objects after calling
    ``super()._process_args(...)``; those queries are already limited to
    ``self.tenant``. ``required_roles`` must be held in this tenant: anyone
    else gets a 404, so tenant A's staff learn nothing about tenant B.
    """

    tenant: Tenant

    def dispatch_request(self, tenant_slug: str, **kwargs: Any) -> Any:
        tenant = login.tenant_to_serve(tenant_slug)
        if tenant is None:
            abort(404)
        if not tenant.enabled:
            _refuse_closed(tenant)
        self.tenant = g.tenant = tenant
        with tenant_scope(tenant.id):
            return super().dispatch_request(**kwargs)

    def _require_roles(self) -> Principal:
        return require_tenant_role(self.tenant, *self.required_roles)


class TenantAdminView(TenantView):
    """A tenant admin's page (association admins may act too). Its template extends
    ``tenants/admin/layout.html``; :meth:`render` hands it the navigation that
    areas register into (:func:`amtsweg.tenants.onboarding.register_admin_page`)."""

    required_roles = ADMINS

    def render(self, template: str, **context: Any) -> str:
        return render_template(template, admin_pages=onboarding.admin_pages(), **context)


class AssociationTenantView(ProtectedView):
    """An association admin's handler for one tenant (``/admin/tenants/<slug>/…``):
    any tenant, disabled ones too, with the session scoped to it."""

    tenant: Tenant
    required_roles = (Role.ASSOCIATION_ADMIN,)

    def dispatch_request(self, tenant_slug: str, **kwargs: Any) -> Any:
        tenant = service.find_tenant(tenant_slug)
        if tenant is None:
            abort(404)
        self.tenant = tenant
        with tenant_scope(tenant.id):
            return super().dispatch_request(**kwargs)


def _template_context() -> dict[str, Any]:
    """Error pages under a tenant keep its branding."""
    return {"tenant": g.get("tenant")}


def init_app(app: Flask) -> None:
    app.url_map.converters["slug"] = SlugConverter
    app.context_processor(_template_context)
