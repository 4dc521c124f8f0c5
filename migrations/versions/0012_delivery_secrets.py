"""delivery secrets: targets' passwords and shared secrets encrypted at rest

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 10:10:00.000000

The secret settings (a webhook's shared secret, a DMS password) move out of
``delivery_targets.config`` into ``secrets``, a Fernet token made with
``AMTSWEG_DELIVERY_KEYS`` (``amtsweg.platform.secrets``). Run it through
``amtsweg db upgrade``, which has the keys. The rows are read tenant by
tenant, since row level security applies to the table owner too.
"""

import uuid
from collections.abc import Iterator, Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from amtsweg.delivery.service import VAULT
from amtsweg.platform.db import TENANT_SETTING

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The secret settings of each kind when this revision was written.
SECRET_FIELDS = {"webhook": ("secret",), "cmis": ("password",)}

targets = sa.table(
    "delivery_targets",
    sa.column("id", sa.Uuid()),
    sa.column("tenant_id", sa.Uuid()),
    sa.column("kind", sa.String()),
    sa.column("config", sa.JSON().with_variant(postgresql.JSONB(), "postgresql")),
    sa.column("secrets", sa.Text()),
)


def upgrade() -> None:
    with op.batch_alter_table("delivery_targets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("secrets", sa.Text(), nullable=False, server_default=""))
    for row in _targets():
        names = SECRET_FIELDS.get(row.kind, ())
        _update(
            row.id,
            {key: value for key, value in row.config.items() if key not in names},
            VAULT.encrypt({key: value for key, value in row.config.items() if key in names}),
        )


def downgrade() -> None:
    for row in _targets():
        _update(row.id, {**row.config, **VAULT.decrypt(row.secrets)}, "")
    with op.batch_alter_table("delivery_targets", schema=None) as batch_op:
        batch_op.drop_column("secrets")


def _targets() -> Iterator[sa.Row]:
    """Every target; on PostgreSQL tenant by tenant, each in its tenant's scope (row level
    security applies to the table owner too), so the caller may update the row it gets."""
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        yield from bind.execute(sa.select(targets)).all()
        return
    for (tenant_id,) in bind.execute(sa.text("SELECT id FROM tenants")).all():
        bind.execute(
            sa.text("SELECT set_config(:setting, :tenant, true)"),
            {"setting": TENANT_SETTING, "tenant": str(tenant_id)},
        )
        yield from bind.execute(sa.select(targets)).all()


def _update(target_id: uuid.UUID, config: dict, secrets: str) -> None:
    op.get_bind().execute(
        sa.update(targets).where(targets.c.id == target_id).values(config=config, secrets=secrets)
    )
