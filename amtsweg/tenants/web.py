"""``TenantView``: the base of every handler under ``/t/<tenant>/``."""

from __future__ import annotations

from typing import Any, ClassVar

from flask import Flask, abort, g
from werkzeug.routing import BaseConverter

from amtsweg.platform.auth.principal import Principal
from amtsweg.platform.db import tenant_scope
from amtsweg.platform.web import RequestHandler
from amtsweg.tenants import service
from amtsweg.tenants.access import require_tenant_role
from amtsweg.tenants.models import SLUG_PATTERN, Role, Tenant


class SlugConverter(BaseConverter):
    """Only well-formed slugs reach a view; anything else is a plain 404."""

    regex = SLUG_PATTERN


class TenantView(RequestHandler):
    """Loads the enabled tenant named in the URL and scopes the session to it.

    An unknown or disabled tenant is a 404. The whole request (loading,
    checking access, processing, the commit) runs inside the tenant's scope
    (:func:`~amtsweg.platform.db.tenant_scope`); a streamed response body
    that reads rows after the handler returned enters the scope itself.
    Subclasses load their own objects after calling
    ``super()._process_args(...)``; those queries are already limited to
    ``self.tenant``. A handler that sets ``required_roles`` runs
    only for a principal holding one of them in this tenant (404 for anyone
    else; the login or a 401 for nobody), available as ``self.principal``.
    """

    tenant: Tenant
    principal: Principal | None = None
    required_roles: ClassVar[tuple[Role, ...]] = ()

    def dispatch_request(self, tenant_slug: str, **kwargs: Any) -> Any:
        tenant = service.find_tenant(tenant_slug)
        if tenant is None or not tenant.enabled:
            abort(404)
        self.tenant = g.tenant = tenant
        with tenant_scope(tenant.id):
            return super().dispatch_request(**kwargs)

    def _check_access(self) -> None:
        super()._check_access()
        if self.required_roles:
            self.principal = require_tenant_role(self.tenant, *self.required_roles)


def _template_context() -> dict[str, Any]:
    """Error pages under a tenant keep its branding."""
    return {"tenant": g.get("tenant")}


def init_app(app: Flask) -> None:
    app.url_map.converters["slug"] = SlugConverter
    app.context_processor(_template_context)
