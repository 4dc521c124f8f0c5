"""message_templates: texts a clerk starts a message to the applicant from

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 23:30:00.000000

Clerks answer many applications with the same few texts ("Bitte reichen Sie … nach").
The tenant admin keeps them per municipality, for every form or one, each with the
status it usually goes with. Tenant-owned, with row level security.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from amtsweg.platform.rls import disable_tenant_isolation, enable_tenant_isolation

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "message_templates",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
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
        sa.Column("definition_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["definition_id"],
            ["form_definitions.id"],
            name=op.f("fk_message_templates_definition_id_form_definitions"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_message_templates_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_message_templates")),
        sa.UniqueConstraint(
            "tenant_id", "title", name=op.f("uq_message_templates_tenant_id_title")
        ),
    )
    enable_tenant_isolation("message_templates")


def downgrade() -> None:
    disable_tenant_isolation("message_templates")
    op.drop_table("message_templates")
