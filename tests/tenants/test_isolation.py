"""Tenant isolation, proven from outside: RLS catalogue, raw SQL, ORM, HTTP."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import ProgrammingError

from amtsweg.formdefs import service as formdefs
from amtsweg.platform.db import TenantScopeError, current_tenant_id, db, tenant_scope
from amtsweg.tenants import service
from amtsweg.tenants.models import AuditEntry, Membership, Role
from tests.conftest import APP_ROLE
from tests.images import png
from tests.isolation import assert_other_tenant_gets_404

PNG = png()


@pytest.fixture
def two_tenants(create_tenant):
    """Musterstadt and Beispieldorf, each with one clerk."""
    a, b = create_tenant("musterstadt"), create_tenant("beispieldorf")
    for tenant, subject in ((a, "clerk-a"), (b, "clerk-b")):
        clerk = service.find_or_create_user("https://id.example", subject)
        with tenant_scope(tenant.id):
            service.grant_role(tenant, clerk, Role.CLERK)
    db.session.commit()
    return a, b


@pytest.fixture
def catalogue(test_database):
    engine = create_engine(test_database.owner_url)
    with engine.connect() as connection:
        yield connection
    engine.dispose()


def tenant_owned_tables(catalogue) -> list[str]:
    return list(
        catalogue.scalars(
            text(
                "SELECT table_name FROM information_schema.columns "
                "WHERE table_schema = 'public' AND column_name = 'tenant_id' ORDER BY 1"
            )
        )
    )


def test_every_tenant_owned_table_has_forced_row_level_security(catalogue) -> None:
    tables = tenant_owned_tables(catalogue)
    assert "memberships" in tables
    assert "audit_log" in tables
    unprotected = catalogue.execute(
        text(
            "SELECT c.relname FROM pg_class c "
            "WHERE c.relname = ANY(:tables) AND c.relkind = 'r' AND NOT ("
            "  c.relrowsecurity AND c.relforcerowsecurity AND EXISTS ("
            "    SELECT 1 FROM pg_policies p WHERE p.tablename = c.relname"
            "    AND p.policyname = 'tenant_isolation'))"
        ),
        {"tables": tables},
    ).all()
    assert unprotected == []


def test_the_app_role_cannot_bypass_row_level_security(catalogue) -> None:
    superuser, bypass = catalogue.execute(
        text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = :r"), {"r": APP_ROLE}
    ).one()
    assert (superuser, bypass) == (False, False)
    owned = catalogue.scalars(
        text("SELECT tablename FROM pg_tables WHERE tableowner = :r"), {"r": APP_ROLE}
    ).all()
    assert owned == []


def test_raw_sql_under_one_tenant_sees_none_of_the_other(connection, two_tenants) -> None:
    a, b = two_tenants
    connection.execute(text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(a.id)})
    seen = set(connection.scalars(text("SELECT tenant_id FROM memberships")))
    assert seen == {a.id}
    assert (
        connection.scalar(text("SELECT count(*) FROM audit_log WHERE tenant_id = :b"), {"b": b.id})
        == 0
    )


def test_raw_sql_without_a_tenant_sees_nothing(connection, two_tenants) -> None:
    connection.execute(text("SELECT set_config('app.tenant_id', '', true)"))
    assert connection.scalar(text("SELECT count(*) FROM memberships")) == 0
    assert connection.scalar(text("SELECT count(*) FROM audit_log")) == 0


def test_raw_sql_cannot_write_into_another_tenant(connection, two_tenants) -> None:
    a, b = two_tenants
    connection.execute(text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(a.id)})
    with pytest.raises(ProgrammingError, match="row-level security"), connection.begin_nested():
        connection.execute(
            text(
                "INSERT INTO audit_log (tenant_id, id, created_at, action, object_type, "
                "object_id, details) VALUES (:b, gen_random_uuid(), now(), 'x', 'x', 'x', '{}')"
            ),
            {"b": b.id},
        )


@pytest.mark.sqlite
def test_orm_refuses_tenant_owned_queries_without_a_tenant(app, create_tenant) -> None:
    create_tenant("musterstadt")
    with tenant_scope(None), pytest.raises(TenantScopeError):
        db.session.scalars(select(Membership)).all()


@pytest.mark.sqlite
def test_orm_scopes_every_query_to_the_current_tenant(app, two_tenants) -> None:
    a, b = two_tenants
    with tenant_scope(a.id):
        assert {m.tenant_id for m in db.session.scalars(select(Membership))} == {a.id}
    with tenant_scope(b.id):
        assert {m.tenant_id for m in db.session.scalars(select(Membership))} == {b.id}


@pytest.mark.sqlite
def test_orm_scopes_counts_and_joins_that_name_the_table_only_in_from(app, two_tenants) -> None:
    a, _b = two_tenants
    count = select(func.count()).select_from(Membership)
    with tenant_scope(None), pytest.raises(TenantScopeError):
        db.session.scalar(count)
    with tenant_scope(a.id):
        assert db.session.scalar(count) == 1
        assert db.session.scalar(count.join(AuditEntry, AuditEntry.tenant_id == a.id)) >= 1


@pytest.mark.sqlite
def test_a_scope_restores_the_one_before_it(app, two_tenants) -> None:
    a, b = two_tenants
    with tenant_scope(a.id):
        with tenant_scope(b.id):
            assert current_tenant_id(db.session) == b.id
        assert current_tenant_id(db.session) == a.id
        assert {m.tenant_id for m in db.session.scalars(select(Membership))} == {a.id}
    assert current_tenant_id(db.session) is None


@pytest.mark.sqlite
@pytest.mark.parametrize(
    "helper",
    [
        lambda tenant, _user: service.record(tenant, "x", "x", "x"),
        lambda tenant, user: service.grant_role(tenant, user, Role.CLERK),
        service.roles_in,
        lambda tenant, _user: service.audit_entries(tenant, 0, 10),
        lambda tenant, _user: formdefs.offered_forms(tenant),
    ],
)
def test_a_helper_given_another_tenants_object_refuses_instead_of_switching(
    app, two_tenants, helper
) -> None:
    a, b = two_tenants
    clerk = service.find_or_create_user("https://id.example", "clerk-a")
    with tenant_scope(a.id):
        with pytest.raises(TenantScopeError):
            helper(b, clerk)
        assert current_tenant_id(db.session) == a.id
        assert db.session.scalars(select(AuditEntry).where(AuditEntry.action == "x")).all() == []


@pytest.mark.sqlite
def test_orm_refuses_a_new_row_for_another_tenant(app, two_tenants) -> None:
    a, b = two_tenants
    clerk = service.find_or_create_user("https://id.example", "clerk-a")
    with tenant_scope(a.id):
        db.session.add(Membership(tenant_id=b.id, user_id=clerk.id, role=Role.TENANT_ADMIN))
        with pytest.raises(TenantScopeError):
            db.session.flush()
        db.session.rollback()


def test_another_tenants_object_is_a_404_over_http(client, two_tenants) -> None:
    a, b = two_tenants
    with tenant_scope(a.id):
        service.set_coat_of_arms(a, PNG)
        db.session.commit()
    assert_other_tenant_gets_404(client, "/t/musterstadt/coat-of-arms", owner=a, other=b)


def test_the_http_helper_fails_when_the_owner_gets_a_404(client, two_tenants) -> None:
    a, b = two_tenants
    with pytest.raises(AssertionError, match="even for its owner"):
        assert_other_tenant_gets_404(client, "/t/musterstadt/coat-of-arms", owner=a, other=b)
