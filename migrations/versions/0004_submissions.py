"""drafts, submissions, uploads and reference counters

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 12:13:14.966591
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from amtsweg.platform.rls import disable_tenant_isolation, enable_tenant_isolation

TENANT_OWNED = ("reference_counters", "drafts", "submissions", "uploads")

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reference_counters",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_reference_counters_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_reference_counters")),
        sa.UniqueConstraint("tenant_id", "year", name=op.f("uq_reference_counters_tenant_id_year")),
    )
    op.create_table(
        "drafts",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("version_id", sa.Uuid(), nullable=False),
        sa.Column(
            "answers",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("step", sa.String(length=100), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_drafts_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_drafts_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["version_id"], ["form_versions.id"], name=op.f("fk_drafts_version_id_form_versions")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_drafts")),
    )
    op.create_index(op.f("ix_drafts_tenant_id"), "drafts", ["tenant_id", "user_id"], unique=False)
    op.create_table(
        "submissions",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("reference", sa.String(length=30), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("version_id", sa.Uuid(), nullable=False),
        sa.Column("draft_id", sa.Uuid(), nullable=True),
        sa.Column("idempotency_key", sa.String(length=100), nullable=True),
        sa.Column(
            "answers",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "fee",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("fee_total", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "submitted",
                "awaiting_payment",
                "paid",
                "delivered",
                "delivery_failed",
                name="submissionstatus",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locale", sa.String(length=5), nullable=False),
        sa.Column("confirmation_email", sa.String(length=254), nullable=True),
        sa.Column("confirmation_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id", "draft_id"],
            ["drafts.tenant_id", "drafts.id"],
            name=op.f("fk_submissions_tenant_id_draft_id_drafts"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_submissions_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_submissions_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["form_versions.id"],
            name=op.f("fk_submissions_version_id_form_versions"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_submissions")),
        sa.UniqueConstraint(
            "tenant_id", "draft_id", name=op.f("uq_submissions_tenant_id_draft_id")
        ),
        sa.UniqueConstraint(
            "tenant_id", "reference", name=op.f("uq_submissions_tenant_id_reference")
        ),
        sa.UniqueConstraint(
            "tenant_id",
            "user_id",
            "idempotency_key",
            name=op.f("uq_submissions_tenant_id_user_id_idempotency_key"),
        ),
    )
    op.create_table(
        "uploads",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("draft_id", sa.Uuid(), nullable=False),
        sa.Column("field_path", sa.String(length=200), nullable=False),
        sa.Column("storage_key", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("mime", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "draft_id"],
            ["drafts.tenant_id", "drafts.id"],
            name=op.f("fk_uploads_tenant_id_draft_id_drafts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_uploads_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_uploads")),
    )
    for table in TENANT_OWNED:
        enable_tenant_isolation(table)


def downgrade() -> None:
    for table in TENANT_OWNED:
        disable_tenant_isolation(table)
    op.drop_table("uploads")
    op.drop_table("submissions")
    op.drop_index(op.f("ix_drafts_tenant_id"), table_name="drafts")
    op.drop_table("drafts")
    op.drop_table("reference_counters")
