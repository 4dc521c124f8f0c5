"""Delivery figures for ``/metrics``, counted from the outbox when Prometheus scrapes.

The outbox in PostgreSQL is the truth, so the figures are read from it rather
than counted in a process (several workers, restarts). Each figure is one
query across all tenants (:func:`~amtsweg.platform.metrics.across_tenants`),
so a scrape costs the same with 2 tenants as with 10,000. Finished deliveries
are counted by the kind of target, not by tenant, so their series do not grow
with the tenants; dead deliveries name the tenant and target, since each
needs someone there to act, and only those with any appear.
"""

from __future__ import annotations

from flask import Flask
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from amtsweg.platform.metrics import DatabaseCollector, across_tenants, register_collector


class DeliveryCollector(DatabaseCollector):
    def read(self) -> list[Metric]:
        finished = CounterMetricFamily(
            "amtsweg_deliveries",
            "Finished deliveries by kind of target and outcome (done, dead)",
            labels=["kind", "outcome"],
        )
        for kind, outcome, count in across_tenants("metrics_delivery_outcomes"):
            finished.add_metric([kind, outcome], count)
        dead = GaugeMetricFamily(
            "amtsweg_deliveries_dead",
            "Deliveries that gave up and wait for staff to send them again",
            labels=["tenant", "target", "kind"],
        )
        for tenant, target, kind, count in across_tenants("metrics_dead_deliveries"):
            dead.add_metric([tenant, target, kind], count)
        dead_messages = GaugeMetricFamily(
            "amtsweg_outbox_dead",
            "Outgoing messages that gave up, by kind (delivery, mail.*)",
            labels=["kind"],
        )
        for kind, count in across_tenants("metrics_dead_messages"):
            dead_messages.add_metric([kind], count)
        return [finished, dead, dead_messages]


def init_app(app: Flask) -> None:
    register_collector(app, DeliveryCollector())
