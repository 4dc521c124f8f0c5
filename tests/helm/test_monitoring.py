"""The Grafana dashboard and the Prometheus rules read only metrics that exist.

Each PromQL expression is parsed by a real PromQL parser (``promql-parser``);
every metric it selects must be one the app's ``/metrics`` exports (read from
a test app with Redis) or one Prometheus makes itself (``up``).
"""

from __future__ import annotations

import json
from dataclasses import replace

import promql_parser
import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from amtsweg.app import create_app
from amtsweg.platform.config import Settings
from tests import servers
from tests.helm.chart import CHART, find, objects

MONITORING = CHART / "monitoring"
PROMETHEUS_OWN = {"up"}
SAMPLE_SUFFIXES = {
    "counter": ("_total", "_created"),
    "histogram": ("_bucket", "_count", "_sum", "_created"),
    "gauge": ("",),
}
# Grafana replaces its variables before Prometheus sees the query.
GRAFANA_VARIABLES = {"$__rate_interval": "5m", "$__interval": "1m", "$__range": "1h"}


@pytest.fixture(scope="module")
def exported_metrics(tmp_path_factory) -> set[str]:
    """Every sample name the app's /metrics can serve, with Redis configured."""
    tmp = tmp_path_factory.mktemp("metrics")
    with servers.redis_server() as redis_url:
        if redis_url is None:
            servers.unavailable("Redis")
        settings = Settings(
            env="test",
            database_url=f"sqlite:///{tmp / 'amtsweg.sqlite'}",
            storage_dir=tmp / "files",
            mail_outbox_dir=tmp / "outbox",
            log_level="WARNING",
        )
        app = create_app({"settings": replace(settings, redis_url=redis_url), "TESTING": True})
        with app.app_context():
            client = app.test_client()
            client.get("/healthz")
            text = client.get("/metrics").get_data(as_text=True)
    names = set()
    for family in text_string_to_metric_families(text):
        names.update(family.name + suffix for suffix in SAMPLE_SUFFIXES[family.type])
    return names


def alert_rules() -> list[dict]:
    groups = yaml.safe_load((MONITORING / "alerts.yaml").read_text())["groups"]
    return [rule for group in groups for rule in group["rules"]]


def dashboard_queries() -> list[tuple[str, str]]:
    dashboard = json.loads((MONITORING / "dashboard.json").read_text())
    return [
        (panel["title"], target["expr"])
        for panel in dashboard["panels"]
        for target in panel.get("targets", [])
    ]


def selected_metrics(expression: str) -> set[str]:
    for variable, value in GRAFANA_VARIABLES.items():
        expression = expression.replace(variable, value)
    names: list[str] = []

    def visit(node: object) -> None:
        if isinstance(node, promql_parser.VectorSelector):
            assert node.name, f"a selector without a metric name: {node}"
            names.append(node.name)

    promql_parser.walk(promql_parser.parse(expression), pre_visit=visit)
    assert names, f"no metric in {expression}"
    return set(names)


def test_the_app_exports_the_metrics_the_rules_are_about(exported_metrics) -> None:
    assert {
        "amtsweg_http_requests_total",
        "amtsweg_http_request_duration_seconds_bucket",
        "amtsweg_ready",
        "amtsweg_queue_jobs",
        "amtsweg_queue_oldest_job_age_seconds",
        "amtsweg_queue_failed_jobs",
        "amtsweg_payments",
        "amtsweg_payments_stuck",
        "amtsweg_deliveries_total",
        "amtsweg_deliveries_dead",
        "amtsweg_outbox_dead",
        "amtsweg_submissions_total",
    } <= exported_metrics


def test_every_alert_names_only_metrics_that_exist(exported_metrics) -> None:
    known = exported_metrics | PROMETHEUS_OWN
    rules = alert_rules()
    assert {rule["alert"] for rule in rules} >= {
        "AmtswegServerErrors",
        "AmtswegNotReady",
        "AmtswegWebDown",
        "AmtswegOldJobs",
        "AmtswegQueueBacklog",
        "AmtswegDeliveriesDead",
        "AmtswegPaymentsStuck",
    }
    for rule in rules:
        assert selected_metrics(rule["expr"]) <= known, rule["alert"]
        assert rule["labels"]["severity"] in {"page", "ticket"}
        assert rule["annotations"]["summary"]


def test_the_payment_and_delivery_groups_hold_rules() -> None:
    groups = yaml.safe_load((MONITORING / "alerts.yaml").read_text())["groups"]
    rules = {group["name"]: group["rules"] for group in groups}
    assert rules["amtsweg.delivery"]
    assert rules["amtsweg.payment"]


def test_every_dashboard_panel_queries_only_metrics_that_exist(exported_metrics) -> None:
    known = exported_metrics | PROMETHEUS_OWN
    queries = dashboard_queries()
    assert len(queries) >= 8
    for title, expression in queries:
        assert selected_metrics(expression) <= known, title


def test_a_misspelt_metric_is_caught(exported_metrics) -> None:
    assert not selected_metrics("rate(amtsweg_http_request_total[5m])") <= exported_metrics


def test_the_chart_ships_the_dashboard_and_the_rules_as_they_are() -> None:
    rendered = objects({})
    dashboard = find(rendered, "ConfigMap", "amtsweg-grafana-dashboard")["data"]["amtsweg.json"]
    rules = find(rendered, "ConfigMap", "amtsweg-prometheus-rules")["data"]["amtsweg.rules.yaml"]
    assert json.loads(dashboard) == json.loads((MONITORING / "dashboard.json").read_text())
    assert rules == (MONITORING / "alerts.yaml").read_text()
