"""payment_statement_lines: a clerk clears a waiting credit and notes what was done

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 00:30:00.000000

A credit that did not settle a payment by itself (partial, over, unmatched,
repeated, for an online payment, in another currency) waited in the clerk's
list for ever. Now the clerk clears it with a note (``resolution``); the list
shows only the credits still to clear. Lines imported before are still to clear.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("payment_statement_lines") as table:
        table.add_column(sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True))
        table.add_column(sa.Column("resolved_by", sa.Uuid(), nullable=True))
        table.add_column(
            sa.Column("resolution", sa.String(length=500), nullable=False, server_default="")
        )
        table.create_foreign_key(
            op.f("fk_payment_statement_lines_resolved_by_users"),
            "users",
            ["resolved_by"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("payment_statement_lines") as table:
        table.drop_constraint(
            op.f("fk_payment_statement_lines_resolved_by_users"), type_="foreignkey"
        )
        table.drop_column("resolution")
        table.drop_column("resolved_by")
        table.drop_column("resolved_at")
