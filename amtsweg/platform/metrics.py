"""``/metrics`` for Prometheus.

- Requests: a counter and a latency histogram per endpoint. Labels use the
  endpoint name, never the path, so tenant slugs and reference numbers do not
  multiply the series.
- Readiness: ``amtsweg_ready`` per check, the same checks as ``/readyz``.
- Queues: depth, age of the oldest waiting job and failed jobs per RQ queue,
  read from Redis when Prometheus scrapes (no Redis, no sample).
- Areas count events their processes cause with :func:`counter` and
  :func:`increment_after_commit`, and add figures read at each scrape with
  :func:`register_collector`; a collector
  runs at scrape time inside the request's app context. Figures from the
  database come from :func:`across_tenants`: one query per metric, however
  many tenants there are, labelled by tenant only where a row means trouble
  (so the series stay as few as the problems, not as many as the tenants).

Under gunicorn every worker process counts its own requests; the config in
``platform/gunicorn_conf.py`` sets ``PROMETHEUS_MULTIPROC_DIR`` so that any
worker answering ``/metrics`` reports the sum over all of them.

``/metrics`` is for the scraper inside the cluster: a request that came
through the ingress (it carries ``X-Forwarded-For``) is answered 404.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import time
from collections.abc import Callable, Iterator

from flask import Flask, Response, abort, current_app, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue
from rq.registry import FailedJobRegistry
from sqlalchemy import Row, func, literal_column, select
from sqlalchemy.exc import SQLAlchemyError

from amtsweg.platform.commit_hooks import AfterCommit
from amtsweg.platform.db import db, utcnow
from amtsweg.platform.health import readiness_checks
from amtsweg.platform.jobs import redis_connection

log = logging.getLogger(__name__)

REGISTRY_KEY = "amtsweg.metrics"
MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
# Any word is a method to Werkzeug; made-up ones share one label value.
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class RequestMetrics:
    """What the app counts itself, and the collectors asked at each scrape."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.scrape_collectors: list[Collector] = []
        self.requests = Counter(
            "amtsweg_http_requests",
            "HTTP requests answered",
            ["endpoint", "method", "status"],
            registry=self.registry,
        )
        self.duration = Histogram(
            "amtsweg_http_request_duration_seconds",
            "Time to answer an HTTP request",
            ["endpoint"],
            registry=self.registry,
        )

    def start(self) -> None:
        g.metrics_started = time.perf_counter()

    def finish(self, response: Response) -> Response:
        endpoint = request.endpoint or "unmatched"
        method = request.method if request.method in KNOWN_METHODS else "other"
        self.requests.labels(endpoint, method, str(response.status_code)).inc()
        if started := g.get("metrics_started"):
            self.duration.labels(endpoint).observe(time.perf_counter() - started)
        return response

    def expose(self) -> Response:
        if "X-Forwarded-For" in request.headers:
            abort(404)
        counted = _all_processes() if os.environ.get(MULTIPROCESS_DIR) else self.registry
        asked_now = CollectorRegistry(auto_describe=False)  # so registering asks nothing yet
        for collector in self.scrape_collectors:
            asked_now.register(collector)
        output = generate_latest(counted) + generate_latest(asked_now)
        return Response(output, mimetype=CONTENT_TYPE_LATEST)


def _all_processes() -> CollectorRegistry:
    """The request metrics summed over every gunicorn worker of this pod."""
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry


class QueueCollector:
    """Depth, oldest job's age and failed jobs of every RQ queue in Redis."""

    def __init__(self, connect: Callable[[], Redis | None]) -> None:
        self.connect = connect

    def collect(self) -> Iterator[Metric]:
        connection = self.connect()
        if connection is None:
            return
        try:
            families = self._read(connection)
        except RedisError as error:
            log.warning("queue metrics: redis not reachable: %s", type(error).__name__)
            return
        yield from families

    @staticmethod
    def _read(connection: Redis) -> list[Metric]:
        depth = GaugeMetricFamily(
            "amtsweg_queue_jobs", "Jobs waiting in the queue", labels=["queue"]
        )
        oldest = GaugeMetricFamily(
            "amtsweg_queue_oldest_job_age_seconds",
            "How long the longest-waiting job has waited (0 when the queue is empty)",
            labels=["queue"],
        )
        failed = GaugeMetricFamily(
            "amtsweg_queue_failed_jobs", "Jobs in the queue's failed registry", labels=["queue"]
        )
        now = utcnow()
        for queue in Queue.all(connection=connection):
            depth.add_metric([queue.name], queue.count)
            oldest.add_metric([queue.name], _oldest_age(queue, now))
            failed.add_metric([queue.name], FailedJobRegistry(queue=queue).count)
        return [depth, oldest, failed]


class ReadinessCollector:
    """1 for each check of ``/readyz`` that passes, 0 for one that fails."""

    def collect(self) -> Iterator[Metric]:
        ready = GaugeMetricFamily(
            "amtsweg_ready", "Whether the pod can serve, per readiness check", labels=["check"]
        )
        for check, result in readiness_checks().items():
            ready.add_metric([check], 1.0 if result == "ok" else 0.0)
        yield ready


class DatabaseCollector(Collector):
    """Figures read from the database at each scrape; when it cannot be read they are
    left out (``amtsweg_ready`` reports the database)."""

    def collect(self) -> Iterator[Metric]:
        try:
            families = self.read()
        except SQLAlchemyError as error:
            db.session.rollback()
            log.warning("%s: database not readable: %s", type(self).__name__, type(error).__name__)
            return
        yield from families

    def read(self) -> list[Metric]:
        raise NotImplementedError


def across_tenants(function: str, *arguments: object) -> list[Row]:
    """The rows of one of the ``metrics_*`` SQL functions, counted over all tenants at once.

    Row Level Security keeps the app role inside one tenant; these functions
    (migration 0018) run as the table owner, may read across tenants only
    while they run, and return only counts. SQLite (the demo) has neither RLS
    nor the functions: there the figures have no samples.
    """
    if db.session.get_bind().dialect.name != "postgresql":
        return []
    called = getattr(func, function)(*arguments)
    return list(db.session.execute(select(literal_column("*")).select_from(called)))


def _oldest_age(queue: Queue, now: dt.datetime) -> float:
    for job_id in queue.get_job_ids(0, 1):
        job = queue.fetch_job(job_id)
        if job is not None and job.enqueued_at is not None:
            return max(0.0, (now - job.enqueued_at).total_seconds())
    return 0.0


def _configured_redis() -> Redis | None:
    return redis_connection() if current_app.config["AMTSWEG"].redis_url else None


def counter(app: Flask, name: str, documentation: str, labels: list[str]) -> Counter:
    """A counter of ``app``'s, summed over the gunicorn workers like the request counters."""
    return Counter(name, documentation, labels, registry=app.extensions[REGISTRY_KEY].registry)


def increment_after_commit(count: Counter, *labels: str) -> None:
    """Add 1 to ``count`` once the current transaction commits; nothing if it rolls back."""
    _TO_COUNT.add(db.session, (count, labels))


def _count(increments: list[tuple[Counter, tuple[str, ...]]]) -> None:
    for count, labels in increments:
        count.labels(*labels).inc()


_TO_COUNT: AfterCommit[tuple[Counter, tuple[str, ...]]] = AfterCommit("metric increments", _count)


def register_collector(app: Flask, collector: Collector) -> None:
    """Ask ``collector`` at every scrape of ``/metrics`` (inside the app context)."""
    app.extensions[REGISTRY_KEY].scrape_collectors.append(collector)


def init_app(app: Flask) -> None:
    metrics = RequestMetrics()
    app.extensions[REGISTRY_KEY] = metrics
    app.before_request(metrics.start)
    app.after_request(metrics.finish)
    app.add_url_rule("/metrics", "metrics", metrics.expose)
    register_collector(app, ReadinessCollector())
    register_collector(app, QueueCollector(_configured_redis))
