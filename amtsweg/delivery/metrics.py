"""Delivery figures for ``/metrics``, counted from the outbox when Prometheus scrapes.

The outbox in PostgreSQL is the truth, so the figures are read from it rather
than counted in a process (several workers, restarts). Rows are tenant-owned
under Row Level Security, so each tenant is counted in its own scope.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from flask import Flask
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from amtsweg.delivery.models import Delivery, Target
from amtsweg.delivery.service import KIND
from amtsweg.platform.db import db, tenant_scope
from amtsweg.platform.metrics import register_collector
from amtsweg.platform.outbox import OutboxMessage, OutboxStatus
from amtsweg.tenants import service as tenants

log = logging.getLogger(__name__)


class DeliveryCollector(Collector):
    def collect(self) -> Iterator[Metric]:
        try:
            families = _read()
        except SQLAlchemyError as error:
            # /metrics answers with what it can; the readiness metric reports the database.
            db.session.rollback()
            log.warning("delivery metrics: database not readable: %s", type(error).__name__)
            return
        yield from families


def _read() -> list[Metric]:
    finished = CounterMetricFamily(
        "amtsweg_deliveries",
        "Finished deliveries by tenant, target, kind of target and outcome (done, dead)",
        labels=["tenant", "target", "kind", "outcome"],
    )
    dead = GaugeMetricFamily(
        "amtsweg_deliveries_dead",
        "Deliveries that gave up and wait for staff to send them again",
        labels=["tenant", "target", "kind"],
    )
    dead_messages = GaugeMetricFamily(
        "amtsweg_outbox_dead",
        "Outgoing messages that gave up, by kind (delivery, mail.*)",
        labels=["kind"],
    )
    dead_by_kind: dict[str, int] = {}
    for tenant in tenants.list_tenants():
        with tenant_scope(tenant.id):
            for name, kind, status, count in _delivery_counts():
                labels = [tenant.slug, name, kind]
                if status is not OutboxStatus.PENDING:
                    finished.add_metric([*labels, status.value], count)
                if status is OutboxStatus.DEAD:
                    dead.add_metric(labels, count)
            for kind, count in _dead_counts():
                dead_by_kind[kind] = dead_by_kind.get(kind, 0) + count
        db.session.rollback()
    for kind, count in sorted(dead_by_kind.items()):
        dead_messages.add_metric([kind], count)
    return [finished, dead, dead_messages]


def _delivery_counts() -> list[tuple[str, str, OutboxStatus, int]]:
    return list(
        db.session.execute(
            select(Target.name, Target.kind, OutboxMessage.status, func.count())
            .join(Delivery, Delivery.target_id == Target.id)
            .join(
                OutboxMessage,
                (OutboxMessage.subject_id == Delivery.id) & (OutboxMessage.kind == KIND),
            )
            .group_by(Target.name, Target.kind, OutboxMessage.status)
        )
    )


def _dead_counts() -> list[tuple[str, int]]:
    return list(
        db.session.execute(
            select(OutboxMessage.kind, func.count())
            .where(OutboxMessage.status == OutboxStatus.DEAD)
            .group_by(OutboxMessage.kind)
        )
    )


def init_app(app: Flask) -> None:
    register_collector(app, DeliveryCollector())
