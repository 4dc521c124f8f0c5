"""form definitions, versions and tenant forms

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 12:07:08.754285
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from amtsweg.platform.rls import disable_tenant_isolation, enable_tenant_isolation

# A published or retired version never changes its content, even if a bug in
# the application tried: the database refuses it.
FREEZE_PUBLISHED = """
CREATE FUNCTION form_versions_freeze_published() RETURNS trigger AS $$
BEGIN
    IF OLD.state <> 'draft' AND (
        NEW.document IS DISTINCT FROM OLD.document OR NEW.number <> OLD.number
        OR NEW.definition_id <> OLD.definition_id OR NEW.state = 'draft'
    ) THEN
        RAISE EXCEPTION 'form version % is % and cannot change', OLD.number, OLD.state;
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER form_versions_freeze_published BEFORE UPDATE ON form_versions
    FOR EACH ROW EXECUTE FUNCTION form_versions_freeze_published();
"""

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "form_definitions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_definitions")),
        sa.UniqueConstraint("slug", name=op.f("uq_form_definitions_slug")),
    )
    op.create_table(
        "form_versions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("definition_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "draft", "published", "retired", name="versionstate", native_enum=False, length=40
            ),
            nullable=False,
        ),
        sa.Column(
            "document",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["definition_id"],
            ["form_definitions.id"],
            name=op.f("fk_form_versions_definition_id_form_definitions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_versions")),
        sa.UniqueConstraint(
            "definition_id", "number", name=op.f("uq_form_versions_definition_id_number")
        ),
    )
    op.create_table(
        "tenant_forms",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("definition_id", sa.Uuid(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column(
            "fee_overrides",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "delivery_target",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["definition_id"],
            ["form_definitions.id"],
            name=op.f("fk_tenant_forms_definition_id_form_definitions"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_tenant_forms_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_tenant_forms")),
        sa.UniqueConstraint(
            "tenant_id", "definition_id", name=op.f("uq_tenant_forms_tenant_id_definition_id")
        ),
    )
    enable_tenant_isolation("tenant_forms")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(FREEZE_PUBLISHED)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER form_versions_freeze_published ON form_versions")
        op.execute("DROP FUNCTION form_versions_freeze_published()")
    disable_tenant_isolation("tenant_forms")
    op.drop_table("tenant_forms")
    op.drop_table("form_versions")
    op.drop_table("form_definitions")
