"""The association's tenant pages: create with the official key, overview, disable, roles.

Logged in through the development provider's page, as people are.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from amtsweg.platform.db import db, tenant_scope
from amtsweg.tenants import service
from amtsweg.tenants.models import AuditEntry, Role, Tenant
from tests.login import csrf_token

GERMAN = {"Accept-Language": "de"}
NEW = "/admin/tenants/new"


@pytest.fixture
def admin(client, log_in):
    log_in("association-admin")
    return client


def _create(admin, **values):
    form = {
        "name": "Gemeinde Kleinheim",
        "slug": "kleinheim",
        "state": "05",
        "municipality_key": "05315000",
        "contact_email": "rathaus@kleinheim.example",
    } | values
    token = csrf_token(admin.get(NEW))
    return admin.post(NEW, data=form | {"csrf_token": token}, headers=GERMAN)


def test_only_association_admins_reach_the_tenant_pages(client, log_in, create_tenant) -> None:
    create_tenant("musterstadt")
    assert client.get("/admin/tenants/").status_code == 302  # to the login
    log_in("admin-musterstadt")
    for path in ("/admin/tenants/", NEW, "/admin/tenants/musterstadt/"):
        assert client.get(path).status_code == 403


def test_a_new_tenant_starts_in_preview_with_its_key(admin) -> None:
    answer = _create(admin)
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/admin/tenants/kleinheim/"
    tenant = service.get_tenant("kleinheim")
    assert (tenant.municipality_key, tenant.state, tenant.is_live) == ("05315000", "05", False)
    home = admin.get("/t/kleinheim/", headers=GERMAN).get_data(as_text=True)
    assert "Vorschau" in home
    with tenant_scope(tenant.id):
        actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"tenant.created", "tenant.registered"} <= actions


@pytest.mark.parametrize(
    ("key", "state", "message"),
    [
        ("0531500", "05", "genau 8 Ziffern"),
        ("17315000", "05", "17 ist kein Land"),
        ("09162000", "05", "liegt in Bayern (09), gewählt ist aber Nordrhein-Westfalen (05)"),
    ],
)
def test_an_invalid_official_key_is_refused_with_what_to_do(admin, key, state, message) -> None:
    answer = _create(admin, municipality_key=key, state=state)
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert message in page
    assert 'aria-invalid="true"' in page
    assert 'href="#field-municipality_key"' in page
    assert service.find_tenant("kleinheim") is None


def test_every_problem_is_reported_at_once_and_nothing_is_created(admin, create_tenant) -> None:
    create_tenant("kleinheim")
    answer = _create(admin, name="", state="", municipality_key="x", contact_email="kein")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    for field in ("name", "slug", "state", "municipality_key", "contact_email"):
        assert f'href="#field-{field}"' in page
    assert db.session.scalar(select(func.count(Tenant.id))) == 1


def test_the_same_key_cannot_serve_two_tenants(admin) -> None:
    assert _create(admin).status_code == 302
    answer = _create(admin, slug="kleinheim-zwei")
    assert answer.status_code == 422
    assert "05315000 gehört bereits zu Gemeinde Kleinheim" in answer.get_data(as_text=True)


def test_the_overview_searches_and_pages_by_keyset(admin) -> None:
    for number in range(1, 56):
        prefix = "OR" + chr(65 + number // 26) + chr(65 + number % 26)
        service.create_tenant(f"ort-{number:03}", f"Ort {number:03}", prefix)
    service.create_tenant("kleinheim", "Gemeinde Kleinheim", "KLH")
    db.session.commit()

    first = admin.get("/admin/tenants/").get_data(as_text=True)
    assert first.count('class="kern-table__row"') == 51  # header + 50
    assert "Gemeinde Kleinheim" in first  # k before o
    assert "after=ort-049" in first
    second = admin.get("/admin/tenants/?after=ort-049").get_data(as_text=True)
    assert second.count('class="kern-table__row"') == 7  # header + 050 to 055
    assert "Ort 050" in second
    assert "Ort 055" in second
    assert "Ort 049" not in second
    assert "Nächste Seite" not in second

    found = admin.get("/admin/tenants/?q=klein").get_data(as_text=True)
    assert "Gemeinde Kleinheim" in found
    assert "Ort 001" not in found
    assert "Ort 007" in admin.get("/admin/tenants/?q=Ort%20007").get_data(as_text=True)


def test_disable_keeps_the_data_and_enable_brings_the_pages_back(admin, create_tenant) -> None:
    create_tenant("musterstadt")
    page = admin.get("/admin/tenants/musterstadt/")
    answer = admin.post(
        "/admin/tenants/musterstadt/enabled",
        data={"enabled": "false", "csrf_token": csrf_token(page)},
    )
    assert answer.status_code == 302
    assert admin.get("/t/musterstadt/").status_code == 503
    assert "Gesperrt" in admin.get("/admin/tenants/musterstadt/").get_data(as_text=True)
    admin.post(
        "/admin/tenants/musterstadt/enabled",
        data={"enabled": "true", "csrf_token": csrf_token(page)},
    )
    assert admin.get("/t/musterstadt/").status_code == 200


def test_a_post_without_csrf_token_changes_nothing(admin, create_tenant) -> None:
    create_tenant("musterstadt")
    answer = admin.post("/admin/tenants/musterstadt/enabled", data={"enabled": "false"})
    assert answer.status_code == 400
    assert admin.get("/t/musterstadt/").status_code == 200


def test_the_last_tenant_admin_cannot_be_removed(admin, create_tenant) -> None:
    tenant = create_tenant("musterstadt")
    with tenant_scope(tenant.id):
        first = service.find_or_create_user("https://idp.example", "first", "Anna Erste")
        second = service.find_or_create_user("https://idp.example", "second", "Bernd Zweiter")
        service.grant_role(tenant, first, Role.TENANT_ADMIN)
        service.grant_role(tenant, second, Role.TENANT_ADMIN)
        db.session.commit()
    page = admin.get("/admin/tenants/musterstadt/")
    assert "Anna Erste" in page.get_data(as_text=True)

    def revoke(user):
        return admin.post(
            "/admin/tenants/musterstadt/roles/revoke",
            data={"user": str(user.id), "role": "tenant_admin", "csrf_token": csrf_token(page)},
            headers=GERMAN,
        )

    assert revoke(first).status_code == 302
    refused = revoke(second)
    assert refused.status_code == 409
    assert "letzte Administrator" in refused.get_data(as_text=True)
    with tenant_scope(tenant.id):
        assert service.roles_in(tenant, second) == {Role.TENANT_ADMIN}
        revoked = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "membership.revoked")
        ).one()
    assert revoked.object_id == str(first.id)
    assert revoked.details == {"role": "tenant_admin"}
    assert revoked.actor_id is not None
