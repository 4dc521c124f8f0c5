"""Alembic environment: runs as the table owner, then grants the app role row access."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import Connection, text

# Each area's models are imported so autogenerate and `db check` see their tables.
from amtsweg.delivery import models as _delivery_models  # noqa: F401
from amtsweg.formdefs import models as _formdefs_models  # noqa: F401
from amtsweg.platform import outbox as _outbox_models  # noqa: F401
from amtsweg.platform.db import AwareDateTime, Base, make_engine
from amtsweg.submissions import models as _submissions_models  # noqa: F401
from amtsweg.tenants import models as _tenant_models  # noqa: F401

config = context.config
target_metadata = Base.metadata


def grant_app_role(connection: Connection, role: str) -> None:
    """Give the app's role row access to every table and the metrics functions, nothing else."""
    quoted = connection.dialect.identifier_preparer.quote(role)
    for statement in (
        f"GRANT USAGE ON SCHEMA public TO {quoted}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quoted}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quoted}",
        f"GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO {quoted}",
        f"REVOKE ALL ON alembic_version FROM {quoted}",
    ):
        connection.execute(text(statement))


def render_item(kind: str, item: Any, _autogen_context: Any) -> str | bool:
    """Write our column types as plain SQLAlchemy types into new revisions."""
    if kind == "type" and isinstance(item, AwareDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_migrations() -> None:
    engine = make_engine(config.attributes["url"])
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
            render_item=render_item,
        )
        with context.begin_transaction():
            context.run_migrations()
            role = config.attributes.get("app_role")
            if role and connection.dialect.name == "postgresql":
                grant_app_role(connection, role)
    engine.dispose()


run_migrations()
