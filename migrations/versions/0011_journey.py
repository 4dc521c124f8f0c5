"""journey: one open draft per person and form, draft revisions, request fingerprints

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-28 18:55:00.000000

``drafts.definition_id`` names the form of a draft (filled from its version)
so that a partial unique index can hold at most one open draft per person and
form. Where a person already has several, the older ones are deleted (their
upload rows by cascade): they could never be reached, since ``/apply``
resumes the newest.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("drafts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("definition_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("revision", sa.Integer(), nullable=False, server_default="0"))
    op.execute(
        "UPDATE drafts SET definition_id = (SELECT form_versions.definition_id "
        "FROM form_versions WHERE form_versions.id = drafts.version_id)"
    )
    op.execute(
        "DELETE FROM drafts WHERE submitted_at IS NULL AND EXISTS (SELECT 1 FROM drafts AS newer "
        "WHERE newer.tenant_id = drafts.tenant_id AND newer.user_id = drafts.user_id "
        "AND newer.definition_id = drafts.definition_id AND newer.submitted_at IS NULL "
        "AND (newer.updated_at, newer.id) > (drafts.updated_at, drafts.id))"
    )
    with op.batch_alter_table("drafts", schema=None) as batch_op:
        batch_op.alter_column("definition_id", existing_type=sa.Uuid(), nullable=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_drafts_definition_id_form_definitions"),
            "form_definitions",
            ["definition_id"],
            ["id"],
        )
        batch_op.create_index(
            "uq_drafts_open_per_form",
            ["tenant_id", "user_id", "definition_id"],
            unique=True,
            postgresql_where=sa.text("submitted_at IS NULL"),
            sqlite_where=sa.text("submitted_at IS NULL"),
        )
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("request_fingerprint", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_column("request_fingerprint")
    with op.batch_alter_table("drafts", schema=None) as batch_op:
        batch_op.drop_index("uq_drafts_open_per_form")
        batch_op.drop_constraint(
            batch_op.f("fk_drafts_definition_id_form_definitions"), type_="foreignkey"
        )
        batch_op.drop_column("revision")
        batch_op.drop_column("definition_id")
