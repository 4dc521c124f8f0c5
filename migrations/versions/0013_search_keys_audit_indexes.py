"""name search keys, audit log indexes: the clerk's search and the admin's audit page

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 10:00:00

``submission_name_keys`` holds, per submission, the applicant's name from each
of its words on; a search term is a prefix range of the index ``(tenant_id,
key)`` (byte order). Existing submissions get their keys here (with the tenant
policy lifted for the owner during the copy). The index on
``submissions.applicant_name`` goes: ``LIKE '%…%'`` could never use it.
The audit log gets indexes for its page filtered by person or by action.
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from amtsweg.platform.rls import disable_tenant_isolation, enable_tenant_isolation

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEY = sa.String(200).with_variant(sa.String(200, collation="C"), "postgresql")


def upgrade() -> None:
    keys = op.create_table(
        "submission_name_keys",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("submission_id", sa.Uuid(), nullable=False),
        sa.Column("key", KEY, nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "submission_id"],
            ["submissions.tenant_id", "submissions.id"],
            name=op.f("fk_submission_name_keys_tenant_id_submissions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_submission_name_keys_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_submission_name_keys")),
    )
    with op.batch_alter_table("submission_name_keys", schema=None) as batch_op:
        batch_op.create_index(
            "ix_submission_name_keys_tenant_id_key", ["tenant_id", "key", "submission_id"]
        )
        batch_op.create_index(
            "ix_submission_name_keys_tenant_id_submission_id",
            ["tenant_id", "submission_id"],
        )
    enable_tenant_isolation("submission_name_keys")
    _copy_keys(keys)
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_index("ix_submissions_tenant_id_applicant_name")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(
            "ix_audit_log_tenant_id_actor_id", ["tenant_id", "actor_id", "created_at", "id"]
        )
        batch_op.create_index(
            "ix_audit_log_tenant_id_action", ["tenant_id", "action", "created_at", "id"]
        )


def _copy_keys(keys: sa.Table) -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute("ALTER TABLE submissions NO FORCE ROW LEVEL SECURITY")
        op.execute("ALTER TABLE submission_name_keys NO FORCE ROW LEVEL SECURITY")
    named = op.get_bind().execute(
        sa.text("SELECT tenant_id, id, applicant_name FROM submissions WHERE applicant_name <> ''")
    )
    rows = [
        {"tenant_id": tenant_id, "id": uuid.uuid4(), "submission_id": submission_id, "key": key}
        for tenant_id, submission_id, name in named
        for key in _keys(name)
    ]
    if rows:
        op.bulk_insert(keys, rows)
    if postgres:
        op.execute("ALTER TABLE submission_name_keys FORCE ROW LEVEL SECURITY")
        op.execute("ALTER TABLE submissions FORCE ROW LEVEL SECURITY")


def _keys(name: str) -> list[str]:
    """The name from each of its words on (as ``submissions.applicants.search_keys``)."""
    words = name.split(" ")
    return list(dict.fromkeys(" ".join(words[start:]) for start in range(len(words))))


def downgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_tenant_id_action")
        batch_op.drop_index("ix_audit_log_tenant_id_actor_id")
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_submissions_tenant_id_applicant_name", ["tenant_id", "applicant_name"]
        )
    disable_tenant_isolation("submission_name_keys")
    op.drop_table("submission_name_keys")
