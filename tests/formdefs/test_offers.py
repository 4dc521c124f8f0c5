"""Which tenants offer which version of a definition, on the association's pages and API.

Real PostgreSQL: the association reads ``tenant_forms`` across tenants through
a read-only policy of its own; every other table stays closed to it.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from amtsweg.formdefs import service
from amtsweg.formdefs.models import TenantForm
from amtsweg.platform.db import TenantScopeError, association_reads, db, tenant_scope
from amtsweg.tenants.models import AuditEntry
from tests.html import parse
from tests.login import csrf_token

FORM = "gewerbeanmeldung"
PAGE = f"/admin/formdefs/{FORM}/tenants"
API = f"/api/v1/formdefs/{FORM}/tenants"
GERMAN = {"Accept-Language": "de"}


@pytest.fixture
def towns(app, create_tenant):
    """Altdorf offers the form, Birkenau switched it off, Christdorf never chose it."""
    service.load_catalogue()
    definition = service.get_definition(FORM)
    altdorf, birkenau, christdorf = (
        create_tenant(slug, f"Gemeinde {slug.title()}")
        for slug in ("altdorf", "birkenau", "christdorf")
    )
    for tenant in (altdorf, birkenau):
        with tenant_scope(tenant.id):
            service.activate_form(tenant, definition)
    with tenant_scope(birkenau.id):
        service.deactivate_form(birkenau, definition)
    with tenant_scope(christdorf.id):
        service.activate_form(christdorf, service.get_definition("fundsache-verlustmeldung"))
    db.session.commit()
    return altdorf, birkenau, christdorf


def _rows(client) -> list[list[str]]:
    page = parse(client.get(PAGE, headers=GERMAN).get_data(as_text=True))
    return [
        [" ".join(cell.text_content().split()) for cell in row.xpath("./th|./td")]
        for row in page.xpath("//table/tbody/tr")
    ]


def test_the_page_shows_each_tenant_with_the_version_it_offers(client, log_in, towns) -> None:
    log_in("association-admin")
    assert _rows(client) == [
        ["Gemeinde Altdorf", "1", "angeboten"],
        ["Gemeinde Birkenau", "\N{EN DASH}", "von der Kommune abgeschaltet"],
    ]
    index = client.get("/admin/formdefs/", headers=GERMAN).get_data(as_text=True)
    assert f'href="{PAGE}"' in index

    page = client.get("/admin/formdefs/")
    client.post(f"/admin/formdefs/{FORM}/drafts", data={"csrf_token": csrf_token(page)})
    client.post(f"/admin/formdefs/{FORM}/versions/2/publish", data={"csrf_token": csrf_token(page)})
    assert _rows(client)[0] == ["Gemeinde Altdorf", "2", "angeboten"]


def test_the_api_answers_the_same(client, towns, app) -> None:
    token = app.test_cli_runner().invoke(args=["dev-token", "--role", "admin"]).output.strip()
    answer = client.get(API, headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200
    assert answer.json == [
        {"tenant": "altdorf", "tenant_name": "Gemeinde Altdorf", "active": True, "version": 1},
        {
            "tenant": "birkenau",
            "tenant_name": "Gemeinde Birkenau",
            "active": False,
            "version": None,
        },
    ]
    assert (
        client.get(
            "/api/v1/formdefs/gibt-es-nicht/tenants", headers={"Authorization": f"Bearer {token}"}
        ).status_code
        == 404
    )


def test_only_association_admins_see_it(client, log_in, towns) -> None:
    log_in("admin-musterstadt")
    assert client.get(PAGE).status_code == 403


def test_the_association_reads_offers_and_nothing_else(towns, test_database) -> None:
    if not test_database.is_postgres:
        pytest.skip("Row Level Security is PostgreSQL's")
    altdorf, _birkenau, _christdorf = towns
    raw = text("SELECT tenant_id FROM tenant_forms")
    with pytest.raises(TenantScopeError):
        db.session.execute(select(TenantForm.tenant_id))
    assert db.session.execute(raw).all() == []  # the tenant policy, without the ORM

    with association_reads():
        assert len(db.session.execute(raw).all()) == 3
        with pytest.raises(TenantScopeError):
            db.session.execute(select(AuditEntry.action))
        assert db.session.execute(text("SELECT id FROM audit_log")).all() == []
    assert db.session.execute(raw).all() == []  # closed again after the block

    with tenant_scope(altdorf.id):
        seen = {row.tenant_id for row in db.session.execute(select(TenantForm.tenant_id))}
    assert seen == {altdorf.id}
