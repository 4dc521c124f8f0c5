"""sandbox_charges: each refund with its idempotency key, as a real provider lists them

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 08:00:00.000000

Before a refund the service asks the provider for the payment's refunds, to find
one whose answer was lost or one made outside Amtsweg. The sandbox kept only the
sum refunded; it now keeps each refund with the key it was sent with, and the
same key refunds once. Charges refunded before have no listed refunds.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sandbox_charges") as table:
        table.add_column(
            sa.Column(
                "refunds",
                sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
                nullable=False,
                server_default="[]",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("sandbox_charges") as table:
        table.drop_column("refunds")
