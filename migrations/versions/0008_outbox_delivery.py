"""outbox and delivery: outgoing messages with their attempts, targets, deliveries

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 18:31:21.124875

Every new table is tenant-owned and gets row level security. A tenant form
now names its delivery targets (a list; empty means the tenant's default
targets) instead of holding one target's address.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from amtsweg.platform.rls import disable_tenant_isolation, enable_tenant_isolation

TABLES = ("delivery_targets", "outbox_messages", "outbox_attempts", "deliveries")
revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "delivery_targets",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column(
            "config",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("default", sa.Boolean(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_delivery_targets_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_delivery_targets")),
        sa.UniqueConstraint("tenant_id", "name", name=op.f("uq_delivery_targets_tenant_id_name")),
    )
    op.create_table(
        "outbox_messages",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("subject_id", sa.Uuid(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("pending", "done", "dead", name="outboxstatus", native_enum=False, length=40),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_outbox_messages_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_outbox_messages")),
        sa.UniqueConstraint(
            "tenant_id",
            "kind",
            "subject_id",
            name=op.f("uq_outbox_messages_tenant_id_kind_subject_id"),
        ),
    )
    op.create_index(
        op.f("ix_outbox_messages_tenant_id"),
        "outbox_messages",
        ["tenant_id", "status", "next_attempt_at"],
        unique=False,
    )
    op.create_table(
        "outbox_attempts",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("message_id", sa.Uuid(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id", "message_id"],
            ["outbox_messages.tenant_id", "outbox_messages.id"],
            name=op.f("fk_outbox_attempts_tenant_id_message_id_outbox_messages"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_outbox_attempts_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_outbox_attempts")),
    )
    op.create_index(
        op.f("ix_outbox_attempts_tenant_id"),
        "outbox_attempts",
        ["tenant_id", "message_id"],
        unique=False,
    )
    op.create_table(
        "deliveries",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("submission_id", sa.Uuid(), nullable=False),
        sa.Column("target_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id", "submission_id"],
            ["submissions.tenant_id", "submissions.id"],
            name=op.f("fk_deliveries_tenant_id_submission_id_submissions"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "target_id"],
            ["delivery_targets.tenant_id", "delivery_targets.id"],
            name=op.f("fk_deliveries_tenant_id_target_id_delivery_targets"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_deliveries_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_deliveries")),
        sa.UniqueConstraint(
            "tenant_id",
            "submission_id",
            "target_id",
            name=op.f("uq_deliveries_tenant_id_submission_id_target_id"),
        ),
    )
    for table in TABLES:
        enable_tenant_isolation(table)
    json_type = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
    with op.batch_alter_table("tenant_forms") as batch_op:
        batch_op.add_column(
            sa.Column("delivery_targets", json_type, nullable=False, server_default="[]")
        )
        batch_op.drop_column("delivery_target")


def downgrade() -> None:
    json_type = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
    with op.batch_alter_table("tenant_forms") as batch_op:
        batch_op.add_column(
            sa.Column("delivery_target", json_type, nullable=False, server_default="{}")
        )
        batch_op.drop_column("delivery_targets")
    for table in reversed(TABLES):
        disable_tenant_isolation(table)
    op.drop_table("deliveries")
    op.drop_index(op.f("ix_outbox_attempts_tenant_id"), table_name="outbox_attempts")
    op.drop_table("outbox_attempts")
    op.drop_index(op.f("ix_outbox_messages_tenant_id"), table_name="outbox_messages")
    op.drop_table("outbox_messages")
    op.drop_table("delivery_targets")
