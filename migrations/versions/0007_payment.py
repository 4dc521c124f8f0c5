"""payment: provider accounts, payments, events, refunds, webhooks, Kassenzeichen

Every new table is tenant-owned and gets row level security. ``submissions``
gains the payment summary the payment signals keep there.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 18:32:40.177877
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from amtsweg.platform.rls import disable_tenant_isolation, enable_tenant_isolation

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


TABLES = (
    "payment_booking_codes",
    "kassenzeichen_counters",
    "payment_accounts",
    "payment_statement_lines",
    "payment_webhooks",
    "sandbox_charges",
    "payments",
    "payment_events",
    "payment_refunds",
)


def upgrade() -> None:
    op.create_table(
        "payment_booking_codes",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("form_slug", sa.String(length=100), nullable=False),
        sa.Column("haushaltsstelle", sa.String(length=60), nullable=False),
        sa.Column("objektnummer", sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_payment_booking_codes_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_payment_booking_codes")),
        sa.UniqueConstraint(
            "tenant_id", "form_slug", name=op.f("uq_payment_booking_codes_tenant_id_form_slug")
        ),
    )
    op.create_table(
        "kassenzeichen_counters",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_kassenzeichen_counters_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_kassenzeichen_counters")),
        sa.UniqueConstraint(
            "tenant_id", "year", name=op.f("uq_kassenzeichen_counters_tenant_id_year")
        ),
    )
    op.create_table(
        "payment_accounts",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("provider", sa.String(length=40), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column(
            "settings",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("credentials", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_payment_accounts_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_payment_accounts")),
        sa.UniqueConstraint(
            "tenant_id", "provider", name=op.f("uq_payment_accounts_tenant_id_provider")
        ),
    )
    op.create_table(
        "payment_statement_lines",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("entry_reference", sa.String(length=200), nullable=False),
        sa.Column("booking_date", sa.Date(), nullable=True),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("remittance", sa.String(length=500), nullable=False),
        sa.Column("debtor", sa.String(length=200), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("payment_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_payment_statement_lines_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_payment_statement_lines")),
        sa.UniqueConstraint(
            "tenant_id",
            "entry_reference",
            name=op.f("uq_payment_statement_lines_tenant_id_entry_reference"),
        ),
    )
    op.create_table(
        "payment_webhooks",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("provider", sa.String(length=40), nullable=False),
        sa.Column("event_id", sa.String(length=200), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_payment_webhooks_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_payment_webhooks")),
        sa.UniqueConstraint(
            "tenant_id",
            "provider",
            "event_id",
            name=op.f("uq_payment_webhooks_tenant_id_provider_event_id"),
        ),
    )
    op.create_table(
        "sandbox_charges",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("card_last4", sa.String(length=4), nullable=True),
        sa.Column("return_url", sa.String(length=2000), nullable=False),
        sa.Column("webhook_url", sa.String(length=2000), nullable=False),
        sa.Column("refunded_cents", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_sandbox_charges_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_sandbox_charges")),
    )
    op.create_table(
        "payments",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("submission_id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("provider", sa.String(length=40), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "created",
                "pending",
                "succeeded",
                "failed",
                "cancelled",
                "expired",
                "partially_refunded",
                "refunded",
                name="paymentstatus",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("refunded_cents", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("kassenzeichen", sa.String(length=40), nullable=False),
        sa.Column("provider_payment_id", sa.String(length=200), nullable=True),
        sa.Column("redirect_url", sa.String(length=2000), nullable=True),
        sa.Column("payer", sa.String(length=200), nullable=True),
        sa.Column("settles_submission", sa.Boolean(), nullable=False),
        sa.Column("duplicate", sa.Boolean(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("succeeded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "account_id"],
            ["payment_accounts.tenant_id", "payment_accounts.id"],
            name=op.f("fk_payments_tenant_id_account_id_payment_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "submission_id"],
            ["submissions.tenant_id", "submissions.id"],
            name=op.f("fk_payments_tenant_id_submission_id_submissions"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_payments_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_payments")),
        sa.UniqueConstraint(
            "tenant_id", "kassenzeichen", name=op.f("uq_payments_tenant_id_kassenzeichen")
        ),
        sa.UniqueConstraint(
            "tenant_id",
            "provider",
            "provider_payment_id",
            name=op.f("uq_payments_tenant_id_provider_provider_payment_id"),
        ),
    )
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_payments_tenant_id"), ["tenant_id", "status", "updated_at"], unique=False
        )
        batch_op.create_index(
            "uq_payments_one_settling_per_submission",
            ["tenant_id", "submission_id"],
            unique=True,
            postgresql_where=sa.text("settles_submission"),
            sqlite_where=sa.text("settles_submission"),
        )

    op.create_table(
        "payment_events",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("payment_id", sa.Uuid(), nullable=False),
        sa.Column(
            "from_status",
            sa.Enum(
                "created",
                "pending",
                "succeeded",
                "failed",
                "cancelled",
                "expired",
                "partially_refunded",
                "refunded",
                name="paymentstatus",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column(
            "to_status",
            sa.Enum(
                "created",
                "pending",
                "succeeded",
                "failed",
                "cancelled",
                "expired",
                "partially_refunded",
                "refunded",
                name="paymentstatus",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("provider_reference", sa.String(length=200), nullable=True),
        sa.Column("detail", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "payment_id"],
            ["payments.tenant_id", "payments.id"],
            name=op.f("fk_payment_events_tenant_id_payment_id_payments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_payment_events_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_payment_events")),
    )
    with op.batch_alter_table("payment_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_payment_events_tenant_id"),
            ["tenant_id", "payment_id", "created_at"],
            unique=False,
        )

    op.create_table(
        "payment_refunds",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("payment_id", sa.Uuid(), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("provider_refund_id", sa.String(length=200), nullable=True),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "payment_id"],
            ["payments.tenant_id", "payments.id"],
            name=op.f("fk_payment_refunds_tenant_id_payment_id_payments"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_payment_refunds_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_payment_refunds")),
    )
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "payment",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("payment_status", sa.String(length=40), nullable=True))
        batch_op.create_index(
            "ix_submissions_tenant_payment_status", ["tenant_id", "payment_status"], unique=False
        )
    for table in TABLES:
        enable_tenant_isolation(table)


def downgrade() -> None:
    for table in TABLES:
        disable_tenant_isolation(table)
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_index("ix_submissions_tenant_payment_status")
        batch_op.drop_column("payment_status")
        batch_op.drop_column("payment")

    op.drop_table("payment_refunds")
    with op.batch_alter_table("payment_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payment_events_tenant_id"))

    op.drop_table("payment_events")
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_payments_one_settling_per_submission",
            postgresql_where=sa.text("settles_submission"),
            sqlite_where=sa.text("settles_submission"),
        )
        batch_op.drop_index(batch_op.f("ix_payments_tenant_id"))

    op.drop_table("payments")
    op.drop_table("sandbox_charges")
    op.drop_table("payment_webhooks")
    op.drop_table("payment_statement_lines")
    op.drop_table("payment_accounts")
    op.drop_table("kassenzeichen_counters")
    op.drop_table("payment_booking_codes")
