"""``TenantView``: the base of every handler under ``/t/<tenant>/``."""

from __future__ import annotations

from typing import Any

from flask import Flask, abort, g
from werkzeug.routing import BaseConverter

from amtsweg.platform.web import RequestHandler
from amtsweg.tenants import service
from amtsweg.tenants.models import SLUG_PATTERN, Tenant


class SlugConverter(BaseConverter):
    """Only well-formed slugs reach a view; anything else is a plain 404."""

    regex = SLUG_PATTERN


class TenantView(RequestHandler):
    """Loads the enabled tenant named in the URL and scopes the session to it.

    An unknown or disabled tenant is a 404. Subclasses load their own objects
    after calling ``super()._process_args(...)``; those queries are already
    limited to ``self.tenant``.
    """

    tenant: Tenant

    def _process_args(self, tenant_slug: str, **kwargs: Any) -> None:
        tenant = service.find_tenant(tenant_slug)
        if tenant is None or not tenant.enabled:
            abort(404)
        self.tenant = g.tenant = tenant
        service.enter_tenant(tenant)
        super()._process_args(**kwargs)


def _template_context() -> dict[str, Any]:
    """Error pages under a tenant keep its branding."""
    return {"tenant": g.get("tenant")}


def init_app(app: Flask) -> None:
    app.url_map.converters["slug"] = SlugConverter
    app.context_processor(_template_context)
