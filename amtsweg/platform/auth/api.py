"""``GET /api/v1/me``: who the bearer token belongs to."""

from __future__ import annotations

from flask import Flask

from amtsweg.platform.api import API_PREFIX, Blueprint, ProblemErrorSchema, register_blueprint
from amtsweg.platform.auth.access import require_principal
from amtsweg.platform.auth.principal import Principal
from amtsweg.platform.auth.schemas import PrincipalSchema

blp = Blueprint("me", __name__, url_prefix=API_PREFIX, description="The caller itself")


@blp.get("/me")
@blp.response(200, PrincipalSchema)
@blp.alt_response(401, schema=ProblemErrorSchema, description="No valid access token")
@blp.doc(security=[{"bearer": []}])
def me() -> Principal:
    """The subject, roles and trust level of the access token."""
    return require_principal()


def init_app(app: Flask) -> None:
    with app.app_context():
        register_blueprint(blp)
