"""clerk workplace: processing status and history, list indexes, form limits, retention

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28 18:40:00

``processing_entries`` is tenant-owned and gets row level security. Existing
submissions get their form filled from their version (with the tenant policy
lifted for the owner during that one update); their applicant name stays
empty, so only the reference finds them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from amtsweg.platform.rls import disable_tenant_isolation, enable_tenant_isolation

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("definition_id", sa.Uuid(), nullable=True))
        batch_op.add_column(
            sa.Column("applicant_name", sa.String(length=200), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column(
                "processing_status",
                sa.Enum(
                    "received",
                    "in_progress",
                    "more_information_needed",
                    "approved",
                    "rejected",
                    "completed",
                    name="processingstatus",
                    native_enum=False,
                    length=40,
                ),
                nullable=False,
                server_default="received",
            )
        )
        batch_op.add_column(sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True))
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute("ALTER TABLE submissions NO FORCE ROW LEVEL SECURITY")
    op.execute(
        "UPDATE submissions SET definition_id = "
        "(SELECT definition_id FROM form_versions WHERE form_versions.id = submissions.version_id)"
    )
    if postgres:
        op.execute("ALTER TABLE submissions FORCE ROW LEVEL SECURITY")
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.alter_column("definition_id", nullable=False)
        batch_op.alter_column("applicant_name", server_default=None)
        batch_op.alter_column("processing_status", server_default=None)
        batch_op.create_foreign_key(
            batch_op.f("fk_submissions_definition_id_form_definitions"),
            "form_definitions",
            ["definition_id"],
            ["id"],
        )
        batch_op.create_index(
            "ix_submissions_tenant_id_submitted_at", ["tenant_id", "submitted_at", "id"]
        )
        batch_op.create_index(
            "ix_submissions_tenant_id_definition_id",
            ["tenant_id", "definition_id", "submitted_at", "id"],
        )
        batch_op.create_index(
            "ix_submissions_tenant_id_processing_status",
            ["tenant_id", "processing_status", "submitted_at", "id"],
        )
        batch_op.create_index(
            "ix_submissions_tenant_id_status", ["tenant_id", "status", "submitted_at", "id"]
        )
        batch_op.create_index(
            "ix_submissions_tenant_id_applicant_name", ["tenant_id", "applicant_name"]
        )

    op.create_table(
        "processing_entries",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("submission_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "received",
                "in_progress",
                "more_information_needed",
                "approved",
                "rejected",
                "completed",
                name="processingstatus",
                native_enum=False,
                length=40,
            ),
            nullable=True,
        ),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("files", JSON, nullable=False),
        sa.Column("from_citizen", sa.Boolean(), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("actor_name", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "submission_id"],
            ["submissions.tenant_id", "submissions.id"],
            name=op.f("fk_processing_entries_tenant_id_submissions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_processing_entries_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_processing_entries")),
    )
    with op.batch_alter_table("processing_entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_processing_entries_tenant_id"),
            ["tenant_id", "submission_id", "created_at"],
        )
    enable_tenant_isolation("processing_entries")

    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.add_column(sa.Column("form_slugs", sa.JSON(), nullable=True))
    with op.batch_alter_table("tenant_forms", schema=None) as batch_op:
        batch_op.add_column(sa.Column("retention_days", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tenant_forms", schema=None) as batch_op:
        batch_op.drop_column("retention_days")
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.drop_column("form_slugs")
    disable_tenant_isolation("processing_entries")
    op.drop_table("processing_entries")
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_index("ix_submissions_tenant_id_applicant_name")
        batch_op.drop_index("ix_submissions_tenant_id_status")
        batch_op.drop_index("ix_submissions_tenant_id_processing_status")
        batch_op.drop_index("ix_submissions_tenant_id_definition_id")
        batch_op.drop_index("ix_submissions_tenant_id_submitted_at")
        batch_op.drop_constraint(
            batch_op.f("fk_submissions_definition_id_form_definitions"), type_="foreignkey"
        )
        batch_op.drop_column("acknowledged_at")
        batch_op.drop_column("processing_status")
        batch_op.drop_column("applicant_name")
        batch_op.drop_column("definition_id")
