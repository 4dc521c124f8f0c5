"""payment_refunds: a refund the provider failed or cancelled after it was recorded

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 13:30:00.000000

A refund can fail at the provider after it was accepted (Stripe's ``refund.failed``,
a PayPal refund that ends ``FAILED``). It gave nothing back: it is marked with when
and why, and no longer counts as refunded. Refunds recorded before stand.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("payment_refunds") as table:
        table.add_column(sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True))
        table.add_column(sa.Column("failure", sa.String(500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("payment_refunds") as table:
        table.drop_column("failure")
        table.drop_column("failed_at")
