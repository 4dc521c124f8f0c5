"""submissions: the reference number is taken inside the submission's insert

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 16:30:00.000000

Taking the next number of a tenant's year was a statement of its own before
each submission's insert: a round trip per submission. ``next_reference``
takes it inside the insert (``VALUES (…, next_reference(…), …)``): the same
upsert of ``reference_counters``, which locks the year's counter row until
the transaction ends, so numbers stay unique and without gaps.

It runs with the caller's rights (``SECURITY INVOKER``): the counter row is
written under the caller's Row Level Security, so a tenant can count only in
its own counters (the policy's ``WITH CHECK`` refuses any other
``for_tenant``). SQLite (the demo) takes the number in a statement of its own.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SIGNATURE = "next_reference(for_tenant uuid, prefix text, for_year integer)"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        f"""
        CREATE FUNCTION {SIGNATURE} RETURNS text
        LANGUAGE sql VOLATILE SECURITY INVOKER SET search_path = pg_catalog, public AS $$
            INSERT INTO reference_counters AS counter (tenant_id, id, year, last_number)
            VALUES (for_tenant, gen_random_uuid(), for_year, 1)
            ON CONFLICT (tenant_id, year)
            DO UPDATE SET last_number = counter.last_number + 1
            RETURNING prefix || '-' || for_year || '-'
                || lpad(last_number::text, greatest(6, length(last_number::text)), '0')
        $$
        """
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP FUNCTION next_reference(uuid, text, integer)")
