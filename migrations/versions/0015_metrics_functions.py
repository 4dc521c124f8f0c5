"""metrics: figures across all tenants in one query each, for /metrics

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 10:00:00.000000

``/metrics`` used to count each tenant in its own scope: one query per tenant
per scrape, too many with 10,000 tenants. These functions count across all
tenants at once and return nothing but counts (with the tenant's slug and the
target's name where the metric is labelled by them).

They run with the rights of the table owner (``SECURITY DEFINER``), and the
owner reads across tenants only through the policy ``metrics_read``: it is for
``SELECT`` only, for the owner only (the app role, for which the policy does
not exist, is still bound to its tenant), and only while ``app.metrics`` is
``on``, which these functions set only while their query runs. Everything else the
owner runs (migrations) stays bound to ``app.tenant_id`` as before. The
functions are executable by the app role alone (``migrations/env.py`` grants
it; PUBLIC's right is revoked here).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

READ_TABLES = ("outbox_messages", "deliveries", "delivery_targets", "payments")
POLICY = "metrics_read"
# The body is wrapped so that ``app.metrics`` is on only while the query runs.
FUNCTION = """
CREATE FUNCTION {signature} RETURNS {returns}
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
#variable_conflict use_column
BEGIN
    PERFORM set_config('app.metrics', 'on', true);
    RETURN QUERY {body};
    PERFORM set_config('app.metrics', '', true);
END
$$
"""

FUNCTIONS = {
    # Finished deliveries by the kind of their target and their outcome.
    "metrics_delivery_outcomes()": (
        "TABLE(kind text, outcome text, count bigint)",
        """
        SELECT t.kind::text, o.status::text, count(*)
        FROM deliveries d
        JOIN delivery_targets t ON t.tenant_id = d.tenant_id AND t.id = d.target_id
        JOIN outbox_messages o
          ON o.tenant_id = d.tenant_id AND o.subject_id = d.id AND o.kind = 'delivery'
        WHERE o.status <> 'pending'
        GROUP BY 1, 2
        """,
    ),
    # Dead deliveries by tenant and target: rows only where there are any.
    "metrics_dead_deliveries()": (
        "TABLE(tenant text, target text, kind text, count bigint)",
        """
        SELECT n.slug::text, t.name::text, t.kind::text, count(*)
        FROM outbox_messages o
        JOIN deliveries d ON d.tenant_id = o.tenant_id AND d.id = o.subject_id
        JOIN delivery_targets t ON t.tenant_id = d.tenant_id AND t.id = d.target_id
        JOIN tenants n ON n.id = o.tenant_id
        WHERE o.status = 'dead' AND o.kind = 'delivery'
        GROUP BY 1, 2, 3
        """,
    ),
    # Dead outgoing messages of every kind (delivery, mail.*).
    "metrics_dead_messages()": (
        "TABLE(kind text, count bigint)",
        """
        SELECT o.kind::text, count(*) FROM outbox_messages o
        WHERE o.status = 'dead' GROUP BY 1
        """,
    ),
    # Payments by provider and state.
    "metrics_payments()": (
        "TABLE(provider text, state text, count bigint)",
        "SELECT p.provider::text, p.status::text, count(*) FROM payments p GROUP BY 1, 2",
    ),
    # Open payments whose deadline passed before ``expired_before``, by tenant and provider.
    "metrics_stuck_payments(expired_before timestamptz)": (
        "TABLE(tenant text, provider text, count bigint)",
        """
        SELECT n.slug::text, p.provider::text, count(*)
        FROM payments p JOIN tenants n ON n.id = p.tenant_id
        WHERE p.status IN ('created', 'pending') AND p.expires_at < expired_before
        GROUP BY 1, 2
        """,
    ),
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in READ_TABLES:
        op.execute(
            f"CREATE POLICY {POLICY} ON {table} FOR SELECT TO CURRENT_USER "
            "USING (current_setting('app.metrics', true) = 'on')"
        )
    for signature, (returns, body) in FUNCTIONS.items():
        op.execute(FUNCTION.format(signature=signature, returns=returns, body=body))
        op.execute(f"REVOKE ALL ON FUNCTION {signature} FROM PUBLIC")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for signature in FUNCTIONS:
        op.execute(f"DROP FUNCTION {signature}")
    for table in READ_TABLES:
        op.execute(f"DROP POLICY {POLICY} ON {table}")
