"""Row Level Security for tenant-owned tables, written by migrations.

Every migration that creates a table with a ``tenant_id`` column calls
:func:`enable_tenant_isolation` for it. The policy compares each row with the
transaction-local setting ``app.tenant_id`` that the session sets (see
:mod:`amtsweg.platform.db`); an unset or empty setting matches no row, so a
forgotten tenant fails closed. ``FORCE`` makes the policy apply to the table
owner as well; only superusers and roles with ``BYPASSRLS`` escape it, and
``/readyz`` refuses such an app role.
"""

from __future__ import annotations

from alembic import op

from amtsweg.platform.db import TENANT_SETTING

POLICY_NAME = "tenant_isolation"


def enable_tenant_isolation(table: str) -> None:
    """Enable, force and write the tenant policy for ``table`` (PostgreSQL only)."""
    if op.get_bind().dialect.name != "postgresql":
        return
    current = f"NULLIF(current_setting('{TENANT_SETTING}', true), '')::uuid"
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY {POLICY_NAME} ON {table} "
        f"USING (tenant_id = {current}) WITH CHECK (tenant_id = {current})"
    )


def disable_tenant_isolation(table: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"DROP POLICY IF EXISTS {POLICY_NAME} ON {table}")
    op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
