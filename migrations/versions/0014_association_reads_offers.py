"""association reads which tenant offers which form

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 10:20:00.000000

The association's definition pages show which municipalities offer which
version of a form. ``tenant_forms`` gets a second, read-only policy: rows are
visible across tenants while the transaction's ``app.association_reads`` is
``on`` (``platform/db.py`` ``association_reads``). Writing stays limited to
the tenant in scope; every other table keeps the tenant policy alone.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

POLICY = "association_reads"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        f"CREATE POLICY {POLICY} ON tenant_forms FOR SELECT "
        "USING (current_setting('app.association_reads', true) = 'on')"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"DROP POLICY IF EXISTS {POLICY} ON tenant_forms")
