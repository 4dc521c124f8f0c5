"""The clerk's list is answered from indexes, so it stays fast at 100,000 submissions.

PostgreSQL would scan a table this small anyway; with sequential scans
priced out, the plan shows whether an index *can* answer the query in list
order (no sort step). The searches only show their plans with rows in the
table: ``make bench`` measures them, and the real thing.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.dialects import postgresql

from amtsweg.formdefs import service as formdefs
from amtsweg.platform.auth.principal import Principal
from amtsweg.platform.auth.roles import Role, RoleGrant
from amtsweg.platform.db import db, tenant_scope
from amtsweg.submissions import clerk
from amtsweg.submissions.models import ProcessingStatus, SubmissionStatus


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
def test_the_list_query_uses_an_index(musterstadt, filters, index) -> None:
    if filters.form == "dogs":
        dogs = formdefs.get_definition("hundesteuer-anmeldung").id
        filters = clerk.ListFilter(form=dogs)
    principal = Principal(
        "https://id.example", "s", grants=frozenset({RoleGrant(Role.CLERK, "musterstadt")})
    )
    with tenant_scope(musterstadt.id):
        scope = clerk.ClerkScope(musterstadt, principal, None)
        query = clerk.filtered(scope, filters).limit(clerk.PAGE_SIZE + 1)
        sql = str(
            query.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
        )
        db.session.execute(text("SET LOCAL enable_seqscan = off"))
        plan = "\n".join(db.session.scalars(text(f"EXPLAIN {sql}")))
    assert index in plan, plan
    assert "Sort" not in plan, plan
