"""``/metrics`` for Prometheus: request counts and durations by endpoint and status.

Labels use the endpoint name, never the path, so tenant slugs and reference
numbers do not multiply the series.
"""

from __future__ import annotations

import time

from flask import Flask, Response, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)

REGISTRY_KEY = "amtsweg.metrics"


class RequestMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
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
        self.requests.labels(endpoint, request.method, str(response.status_code)).inc()
        if started := g.get("metrics_started"):
            self.duration.labels(endpoint).observe(time.perf_counter() - started)
        return response

    def expose(self) -> Response:
        return Response(generate_latest(self.registry), mimetype=CONTENT_TYPE_LATEST)


def init_app(app: Flask) -> None:
    metrics = RequestMetrics()
    app.extensions[REGISTRY_KEY] = metrics
    app.before_request(metrics.start)
    app.after_request(metrics.finish)
    app.add_url_rule("/metrics", "metrics", metrics.expose)
