"""The cross-tenant check every endpoint gets: another tenant's object is a 404.

``assert_other_tenant_gets_404(client, "/t/a/submissions/MUS-1", owner=a, other=b)``
first asks for the object under its owner (it must not be a 404, so the check
cannot pass by accident), then the same object under the other tenant's
prefix (``/t/<slug>/`` or ``/api/v1/tenants/<slug>/``), which must be a 404.
"""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from amtsweg.tenants.models import Tenant

PREFIXES = ("/t/{slug}/", "/api/v1/tenants/{slug}/")


def as_other_tenant(path: str, owner: Tenant, other: Tenant) -> str:
    for prefix in PREFIXES:
        mine = prefix.format(slug=owner.slug)
        if path.startswith(mine):
            return prefix.format(slug=other.slug) + path.removeprefix(mine)
    raise AssertionError(f"{path} is not under a tenant prefix")


def assert_other_tenant_gets_404(
    client: FlaskClient,
    path: str,
    *,
    owner: Tenant,
    other: Tenant,
    method: str = "GET",
    **request: Any,
) -> TestResponse:
    own = client.open(path, method=method, **request)
    assert own.status_code != 404, f"{method} {path} is a 404 even for its owner"
    foreign = client.open(as_other_tenant(path, owner, other), method=method, **request)
    assert foreign.status_code == 404, (
        f"{method} {path} under {other.slug} answered {foreign.status_code}, not 404"
    )
    return foreign
