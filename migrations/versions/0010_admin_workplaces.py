"""admin workplaces: official municipality key, go-live, overview figures, invitations

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28 19:15:00.000000

Tenants get their Amtlicher Gemeindeschlüssel and state, the moment they went
live (existing tenants are live already), and the figures the association's
overview shows without reading tenant-owned rows of 10,000 tenants.
``tenant_invitations`` is tenant-owned and gets row level security.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from amtsweg.platform.rls import disable_tenant_isolation, enable_tenant_isolation

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tenants", schema=None) as batch_op:
        batch_op.add_column(sa.Column("municipality_key", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("state", sa.String(length=2), nullable=True))
        batch_op.add_column(sa.Column("live_since", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("last_submission_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("dead_deliveries", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("failed_payments", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("onboarding_passed", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("onboarding_total", sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_tenants_municipality_key"), ["municipality_key"]
        )
    with op.batch_alter_table("tenant_forms", schema=None) as batch_op:
        batch_op.add_column(sa.Column("start_note", sa.Text(), nullable=True))
    # Tenants that exist already serve citizens: they are live.
    op.execute(sa.text("UPDATE tenants SET live_since = created_at"))

    op.create_table(
        "tenant_invitations",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("invited_by", sa.Uuid(), nullable=True),
        sa.Column("opened_by", sa.Uuid(), nullable=True),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_tenant_invitations_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["opened_by"],
            ["users.id"],
            name=op.f("fk_tenant_invitations_opened_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_tenant_invitations")),
    )
    enable_tenant_isolation("tenant_invitations")


def downgrade() -> None:
    disable_tenant_isolation("tenant_invitations")
    op.drop_table("tenant_invitations")
    with op.batch_alter_table("tenant_forms", schema=None) as batch_op:
        batch_op.drop_column("start_note")
    with op.batch_alter_table("tenants", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_tenants_municipality_key"), type_="unique")
        for column in (
            "onboarding_total",
            "onboarding_passed",
            "failed_payments",
            "dead_deliveries",
            "last_submission_at",
            "live_since",
            "state",
            "municipality_key",
        ):
            batch_op.drop_column(column)
