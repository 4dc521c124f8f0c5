"""The list of member municipalities, and the branding every tenant page uses."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template

from amtsweg.platform.storage import storage
from amtsweg.platform.web import RequestHandler
from amtsweg.tenants import service
from amtsweg.tenants.web import TenantView

bp = Blueprint("tenants", __name__, url_prefix="/t/<slug:tenant_slug>", template_folder="templates")
directory_bp = Blueprint("directory", __name__, template_folder="templates")


class Directory(RequestHandler):
    """The site's front page: which municipalities offer their services here."""

    def get(self) -> str:
        enabled = [tenant for tenant in service.list_tenants() if tenant.enabled]
        return render_template("tenants/directory.html", tenants=enabled)


directory_bp.add_url_rule("/", view_func=Directory.as_view("index"))


class TenantStylesheet(TenantView):
    """The tenant's colour as a stylesheet, so pages need no inline style (CSP)."""

    def get(self) -> Response:
        css = f":root {{ --amtsweg-tenant-colour: {self.tenant.colour}; }}\n"
        response = Response(css, mimetype="text/css")
        response.cache_control.public = True
        response.cache_control.max_age = 300
        return response


class CoatOfArms(TenantView):
    def get(self) -> Response:
        if not self.tenant.coat_of_arms_key:
            abort(404)
        try:
            data = storage().get(self.tenant.coat_of_arms_key)
        except KeyError:
            abort(404)
        response = Response(data, mimetype=self.tenant.coat_of_arms_type)
        response.cache_control.public = True
        response.cache_control.max_age = 300
        return response


bp.add_url_rule("/branding.css", view_func=TenantStylesheet.as_view("stylesheet"))
bp.add_url_rule("/coat-of-arms", view_func=CoatOfArms.as_view("coat_of_arms"))
