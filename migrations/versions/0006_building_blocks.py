"""FIM building blocks: Datenfeldgruppen imported on their own

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 18:55:00.000000

``building_blocks`` belongs to the association (no ``tenant_id``), like the form
definitions that take groups from it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "building_blocks",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("fim_id", sa.String(length=40), nullable=False),
        sa.Column("fim_version", sa.String(length=20), nullable=False),
        sa.Column("xdf_version", sa.String(length=3), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column(
            "group",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_building_blocks")),
        sa.UniqueConstraint(
            "fim_id", "fim_version", name=op.f("uq_building_blocks_fim_id_fim_version")
        ),
    )


def downgrade() -> None:
    op.drop_table("building_blocks")
