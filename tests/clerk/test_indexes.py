"""The clerk's list is answered from indexes, so it stays fast at 100,000 submissions.

PostgreSQL would scan a table this small anyway; with sequential and bitmap
scans priced out, and the benchmark's rows in the table, the plan shows
whether an index *can* answer the query in list order (no sort step). On a
nearly empty table every index costs the same, and which one the planner
takes then depends on the statistics other tests happened to leave behind.
``make bench`` measures the real thing at 110,000 submissions.
"""

from __future__ import annotations

import pytest
from sqlalchemy import Select, text
from sqlalchemy.dialects import postgresql

from amtsweg.formdefs import service as formdefs
from amtsweg.platform.auth.principal import Principal
from amtsweg.platform.auth.roles import Role, RoleGrant
from amtsweg.platform.db import db, tenant_scope
from amtsweg.submissions import clerk
from amtsweg.submissions.models import ProcessingStatus, SubmissionStatus
from bench import bench_clerk as bench


@pytest.mark.parametrize(
    ("filters", "index"),
    [
        (clerk.ListFilter(), "ix_submissions_tenant_id_submitted_at"),
        (clerk.ListFilter(form="dogs"), "ix_submissions_tenant_id_definition_id"),
        (
            clerk.ListFilter(processing=ProcessingStatus.MORE_INFORMATION_NEEDED),
            "ix_submissions_tenant_id_processing_status",
        ),
        (
            clerk.ListFilter(status=SubmissionStatus.DELIVERY_FAILED),
            "ix_submissions_tenant_id_status",
        ),
    ],
)
def test_the_list_query_uses_an_index(musterstadt, erika, filters, index) -> None:
    if filters.form == "dogs":
        dogs = formdefs.get_definition("hundesteuer-anmeldung").id
        filters = clerk.ListFilter(form=dogs)
    _fill(musterstadt, erika)
    plan = _plan(musterstadt, filters)
    assert index in plan, plan
    assert "Sort" not in plan, plan


def test_the_name_search_uses_its_index_under_row_level_security(musterstadt, erika) -> None:
    """The app's role is subject to the tenant policy; ``LIKE`` could not use an index
    here, the leakproof range on the name keys can (with rows to choose it for)."""
    _fill(musterstadt, erika)
    with tenant_scope(musterstadt.id):
        db.session.execute(text(bench.FILL_NAME_KEYS))
    plan = _plan(musterstadt, clerk.named("Muster"))
    [condition] = [line.strip() for line in plan.splitlines() if "Index Cond" in line]
    assert "ix_submission_name_keys_tenant_id_key" in plan, plan
    assert "tenant_id = " in condition, plan
    assert "(key >= 'muster'::text) AND (key < 'mustes'::text)" in condition, plan
    assert "Filter" not in plan, plan


def _fill(tenant, user, count: int = 2000) -> None:
    """The benchmark's submissions (a third of them each submitted, delivered, failed)."""
    version = formdefs.published_version(formdefs.get_definition(bench.FORM))
    with tenant_scope(tenant.id):
        db.session.execute(
            text(bench.FILL),
            {"tenant": tenant.id, "prefix": tenant.reference_prefix, "user": user.id,
             "version": version.id, "definition": version.definition_id, "count": count},
        )  # fmt: skip


def _plan(tenant, filters: clerk.ListFilter | Select) -> str:
    principal = Principal(
        "https://id.example", "s", grants=frozenset({RoleGrant(Role.CLERK, tenant.slug)})
    )
    with tenant_scope(tenant.id):
        scope = clerk.ClerkScope(tenant, principal, None)
        query = (
            clerk.filtered(scope, filters).limit(clerk.PAGE_SIZE + 1)
            if isinstance(filters, clerk.ListFilter)
            else filters
        )
        sql = str(
            query.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
        )
        db.session.execute(text("SET LOCAL enable_seqscan = off"))
        db.session.execute(text("SET LOCAL enable_bitmapscan = off"))
        return "\n".join(db.session.scalars(text(f"EXPLAIN {sql}")))
