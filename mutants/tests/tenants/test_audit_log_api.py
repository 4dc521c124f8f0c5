"""``GET /api/v1/tenants/<slug>/audit-log``: the tenant's staff read it with their tokens."""

from __future__ import annotations

import pytest

from amtsweg.platform.db import db, tenant_scope
from amtsweg.tenants import service
from tests.isolation import assert_other_tenant_gets_404
from tests.platform.test_bearer_tokens import dev_token


@pytest.fixture
def two_tenants(create_tenant):
    return create_tenant("musterstadt"), create_tenant("beispieldorf")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("role", ["clerk", "tenant_admin"])
def test_staff_read_their_tenants_audit_log(app, client, two_tenants, role) -> None:
    token = dev_token(app, "--role", role, "--tenant", "musterstadt")
    answer = client.get("/api/v1/tenants/musterstadt/audit-log", headers=bearer(token))
    assert answer.status_code == 200, answer.json
    assert [entry["action"] for entry in answer.json] == ["tenant.created"]


def test_another_tenants_token_gets_404(app, client, two_tenants) -> None:
    musterstadt, beispieldorf = two_tenants
    token = dev_token(app, "--role", "clerk", "--tenant", "musterstadt")
    assert_other_tenant_gets_404(
        client,
        "/api/v1/tenants/musterstadt/audit-log",
        owner=musterstadt,
        other=beispieldorf,
        headers=bearer(token),
    )


def test_citizens_get_404_and_nobody_gets_401(app, client, two_tenants) -> None:
    citizen = dev_token(app, "--role", "citizen")
    path = "/api/v1/tenants/musterstadt/audit-log"
    assert client.get(path, headers=bearer(citizen)).status_code == 404
    anonymous = client.get(path)
    assert anonymous.status_code == 401
    assert anonymous.mimetype == "application/problem+json"


def test_association_admins_read_every_tenant(app, client, two_tenants) -> None:
    token = dev_token(app, "--role", "admin")
    for slug in ("musterstadt", "beispieldorf"):
        assert client.get(f"/api/v1/tenants/{slug}/audit-log", headers=bearer(token)).json


def test_the_audit_log_is_paginated_newest_first(app, client, two_tenants) -> None:
    musterstadt, _ = two_tenants
    for n in range(4):
        with tenant_scope(musterstadt.id):
            service.record(musterstadt, f"test.event{n}", "test", str(n))
            db.session.commit()
    token = dev_token(app, "--role", "tenant_admin", "--tenant", "musterstadt")
    answer = client.get(
        "/api/v1/tenants/musterstadt/audit-log?page=1&page_size=2", headers=bearer(token)
    )
    assert [entry["action"] for entry in answer.json] == ["test.event3", "test.event2"]
    pagination = answer.headers["X-Pagination"]
    assert '"total": 5' in pagination
    assert '"total_pages": 3' in pagination
