"""accessibility: the tenant's statement settings, sign-language video, feedback

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 12:36:39.769291

``accessibility_feedback`` is tenant-owned and gets row level security.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from amtsweg.platform.rls import disable_tenant_isolation, enable_tenant_isolation

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "accessibility_feedback",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("page_url", sa.String(length=500), nullable=True),
        sa.Column("locale", sa.String(length=5), nullable=False),
        sa.Column("mailed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_accessibility_feedback_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_accessibility_feedback")),
    )
    with op.batch_alter_table("accessibility_feedback", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_accessibility_feedback_tenant_id"),
            ["tenant_id", "created_at"],
            unique=False,
        )
    enable_tenant_isolation("accessibility_feedback")

    with op.batch_alter_table("tenants", schema=None) as batch_op:
        batch_op.add_column(sa.Column("accessibility_limitations", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("accessibility_reviewed_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("enforcement_body_name", sa.String(length=300), nullable=True)
        )
        batch_op.add_column(sa.Column("enforcement_body_url", sa.String(length=500), nullable=True))
        batch_op.add_column(
            sa.Column("sign_language_video_url", sa.String(length=500), nullable=True)
        )
        batch_op.add_column(
            sa.Column("sign_language_captions_url", sa.String(length=500), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("tenants", schema=None) as batch_op:
        batch_op.drop_column("sign_language_captions_url")
        batch_op.drop_column("sign_language_video_url")
        batch_op.drop_column("enforcement_body_url")
        batch_op.drop_column("enforcement_body_name")
        batch_op.drop_column("accessibility_reviewed_on")
        batch_op.drop_column("accessibility_limitations")

    disable_tenant_isolation("accessibility_feedback")
    with op.batch_alter_table("accessibility_feedback", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_accessibility_feedback_tenant_id"))

    op.drop_table("accessibility_feedback")
