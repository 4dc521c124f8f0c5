"""Payment figures for ``/metrics``: payments per provider and state, and stuck payments.

A payment is stuck when it is still open (created or pending) :data:`STUCK_AFTER`
past its deadline (``expires_at``): the worker's payment polling
(``payments.poll``, every ``AMTSWEG_PAYMENT_POLL_SECONDS``) should have settled
or expired it by then, so either the polling does not run or the provider
keeps failing to answer. Stuck payments name their tenant (someone
there may have to ask the provider); only tenants with any appear. Each
figure is one query across all tenants
(:func:`~amtsweg.platform.metrics.across_tenants`).
"""

from __future__ import annotations

import datetime as dt

from flask import Flask
from prometheus_client.core import GaugeMetricFamily, Metric

from amtsweg.platform.db import utcnow
from amtsweg.platform.metrics import DatabaseCollector, across_tenants, register_collector

# Polling runs every minute; a quarter of an hour leaves room for a slow provider.
STUCK_AFTER = dt.timedelta(minutes=15)


class PaymentCollector(DatabaseCollector):
    def read(self) -> list[Metric]:
        payments = GaugeMetricFamily(
            "amtsweg_payments", "Payments by provider and state", labels=["provider", "state"]
        )
        for provider, state, count in across_tenants("metrics_payments"):
            payments.add_metric([provider, state], count)
        stuck = GaugeMetricFamily(
            "amtsweg_payments_stuck",
            f"Payments still open {STUCK_AFTER.seconds // 60} minutes past their deadline",
            labels=["tenant", "provider"],
        )
        expired_before = utcnow() - STUCK_AFTER
        for tenant, provider, count in across_tenants("metrics_stuck_payments", expired_before):
            stuck.add_metric([tenant, provider], count)
        return [payments, stuck]


def init_app(app: Flask) -> None:
    register_collector(app, PaymentCollector())
