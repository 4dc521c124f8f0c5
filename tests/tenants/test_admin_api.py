"""The admin workplaces through the API: the same operations, problem documents, 401 first."""

from __future__ import annotations

import pytest

from amtsweg.platform.db import db, tenant_scope
from amtsweg.tenants import service
from amtsweg.tenants.models import Role
from tests.isolation import assert_other_tenant_gets_404

TENANTS = "/api/v1/admin/tenants"
NEW = {
    "name": "Gemeinde Kleinheim",
    "slug": "kleinheim",
    "municipality_key": "05315000",
    "state": "05",
}


@pytest.fixture
def token(app):
    def issue(role: str, tenant: str | None = None) -> dict[str, str]:
        args = ["dev-token", "--role", role] + (["--tenant", tenant] if tenant else [])
        value = app.test_cli_runner().invoke(args=args).output.strip()
        return {"Authorization": f"Bearer {value}", "Accept-Language": "de"}

    return issue


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", TENANTS),
        ("post", TENANTS),
        ("put", f"{TENANTS}/musterstadt/enabled"),
        ("post", f"{TENANTS}/musterstadt/invitations"),
        ("get", "/api/v1/tenants/musterstadt/onboarding"),
        ("post", "/api/v1/tenants/musterstadt/go-live"),
    ],
)
def test_no_token_is_a_401_before_the_body_is_read(client, create_tenant, method, path) -> None:
    create_tenant("musterstadt")
    answer = getattr(client, method)(path, data="{not json", content_type="application/json")
    assert answer.status_code == 401
    assert answer.mimetype == "application/problem+json"


def test_only_association_admins_create_and_list(client, token) -> None:
    assert client.get(TENANTS, headers=token("tenant_admin", "musterstadt")).status_code == 403
    created = client.post(TENANTS, json=NEW, headers=token("admin"))
    assert created.status_code == 201
    assert created.json["live_since"] is None
    listed = client.get(f"{TENANTS}?q=klein", headers=token("admin")).json
    assert [t["slug"] for t in listed["tenants"]] == ["kleinheim"]
    assert listed["next_after"] is None


def test_an_invalid_key_is_a_problem_document_pointing_at_it(client, token) -> None:
    answer = client.post(
        TENANTS, json=NEW | {"municipality_key": "09162000"}, headers=token("admin")
    )
    assert answer.status_code == 422
    assert answer.mimetype == "application/problem+json"
    assert answer.json["errors"][0]["pointer"] == "/municipality_key"
    assert "Bayern (09)" in answer.json["errors"][0]["detail"]
    assert service.find_tenant("kleinheim") is None


def test_keyset_pages_follow_each_other(client, token, create_tenant) -> None:
    for number in range(5):
        create_tenant(f"ort-{number}")
    first = client.get(f"{TENANTS}?limit=3", headers=token("admin")).json
    assert [t["slug"] for t in first["tenants"]] == ["ort-0", "ort-1", "ort-2"]
    second = client.get(f"{TENANTS}?limit=3&after={first['next_after']}", headers=token("admin"))
    assert [t["slug"] for t in second.json["tenants"]] == ["ort-3", "ort-4"]
    assert second.json["next_after"] is None


def test_disable_and_invite(client, token, create_tenant) -> None:
    create_tenant("musterstadt")
    off = client.put(
        f"{TENANTS}/musterstadt/enabled", json={"enabled": False}, headers=token("admin")
    )
    assert off.json["enabled"] is False
    assert client.get("/t/musterstadt/").status_code == 503
    invited = client.post(
        f"{TENANTS}/musterstadt/invitations", json={"email": "a@b.example"}, headers=token("admin")
    )
    assert invited.status_code == 201
    assert invited.json["role"] == "tenant_admin"


def test_the_checklist_and_going_live_for_the_tenants_admin(client, token) -> None:
    tenant = service.create_tenant("musterstadt", "Gemeinde Musterstadt", "MUS", live=False)
    db.session.commit()
    headers = token("tenant_admin", "musterstadt")
    checklist = client.get("/api/v1/tenants/musterstadt/onboarding", headers=headers).json
    assert checklist["live"] is False
    assert {item["key"] for item in checklist["items"]} >= {"branding", "forms", "clerk"}
    refused = client.post("/api/v1/tenants/musterstadt/go-live", headers=headers)
    assert refused.status_code == 409
    assert "kann noch nicht live gehen" in refused.json["detail"]
    with tenant_scope(tenant.id):
        assert not service.get_tenant("musterstadt").is_live


def test_the_last_tenant_admin_keeps_the_role(client, token, create_tenant) -> None:
    tenant = create_tenant("musterstadt")
    with tenant_scope(tenant.id):
        anna = service.find_or_create_user("https://idp.example", "anna", "Anna")
        service.grant_role(tenant, anna, Role.TENANT_ADMIN)
        db.session.commit()
    path = f"/api/v1/tenants/musterstadt/members/{anna.id}/tenant_admin"
    refused = client.delete(path, headers=token("admin"))
    assert refused.status_code == 409
    assert refused.mimetype == "application/problem+json"


def test_another_tenants_checklist_is_a_404(client, token, create_tenant) -> None:
    musterstadt = create_tenant("musterstadt")
    other = create_tenant("beispieldorf")
    assert_other_tenant_gets_404(
        client,
        "/api/v1/tenants/musterstadt/onboarding",
        owner=musterstadt,
        other=other,
        headers=token("tenant_admin", "musterstadt"),
    )
