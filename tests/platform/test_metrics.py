"""What an operator's Prometheus reads from ``/metrics``."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import replace

import pytest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.parser import text_string_to_metric_families
from rq import Queue
from rq.job import Job

from amtsweg.platform.jobs import redis_connection
from amtsweg.platform.metrics import register_collector
from tests import servers

HEALTHZ_OK = {"endpoint": "health.healthz", "method": "GET", "status": "200"}


def scrape(client) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.get_data(as_text=True))
        for sample in family.samples
    }


def sample(samples, name: str, **labels: str) -> float | None:
    return samples.get((name, tuple(sorted(labels.items()))))


def names(samples) -> set[str]:
    return {name for name, _ in samples}


def test_latency_is_a_histogram_per_endpoint(client, create_tenant) -> None:
    create_tenant("musterstadt")
    create_tenant("beispieldorf")
    for slug in ("musterstadt", "beispieldorf", "musterstadt"):
        assert client.get(f"/t/{slug}/").status_code == 200
    samples = scrape(client)
    count = sample(samples, "amtsweg_http_request_duration_seconds_count", endpoint="forms.index")
    assert count == 3
    assert (
        sample(
            samples,
            "amtsweg_http_request_duration_seconds_bucket",
            endpoint="forms.index",
            le="+Inf",
        )
        == 3
    )
    assert not any("musterstadt" in str(labels) for _, labels in samples)


def test_made_up_methods_share_one_series(client) -> None:
    for method in ("BREW", "WHEN", "PROPFIND"):
        client.open("/healthz", method=method)
    samples = scrape(client)
    other = {labels for name, labels in samples if name == "amtsweg_http_requests_total"}
    methods = {dict(labels)["method"] for labels in other}
    assert "other" in methods
    assert not methods & {"BREW", "WHEN", "PROPFIND"}


def test_without_redis_there_are_no_queue_samples(client) -> None:
    assert not {n for n in names(scrape(client)) if n.startswith("amtsweg_queue_")}


def test_an_unreachable_redis_leaves_out_the_queue_samples_and_nothing_else(
    make_app, settings
) -> None:
    unreachable = replace(settings, redis_url=f"redis://127.0.0.1:{servers.free_port()}/0")
    app = make_app(settings=unreachable)
    with app.app_context():
        client = app.test_client()
        assert client.get("/healthz").status_code == 200
        samples = scrape(client)
    assert sample(samples, "amtsweg_http_requests_total", **HEALTHZ_OK) == 1
    assert sample(samples, "amtsweg_ready", check="database") == 1
    assert sample(samples, "amtsweg_ready", check="redis") == 0
    assert not {n for n in names(samples) if n.startswith("amtsweg_queue_")}


@pytest.fixture
def redis_client(make_app, settings):
    with servers.redis_server() as url:
        if url is None:
            servers.unavailable("Redis")
        app = make_app(settings=replace(settings, redis_url=url))
        with app.app_context():
            yield app.test_client()


@pytest.fixture
def queue(redis_client):
    queue = Queue(f"metrics-test-{uuid.uuid4().hex[:8]}", connection=redis_connection())
    yield queue
    queue.delete(delete_jobs=True)


def test_readiness_is_reported_per_check(redis_client) -> None:
    samples = scrape(redis_client)
    assert sample(samples, "amtsweg_ready", check="database") == 1
    assert sample(samples, "amtsweg_ready", check="files") == 1
    assert sample(samples, "amtsweg_ready", check="redis") == 1


def test_queue_depth_and_the_oldest_jobs_age_come_from_redis(redis_client, queue) -> None:
    samples = scrape(redis_client)
    assert sample(samples, "amtsweg_queue_jobs", queue=queue.name) is None
    waiting_since = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10)
    for _ in range(3):
        queue.enqueue("amtsweg.platform.jobs.run_job", "nothing:here")
    _backdate(queue.get_jobs()[0], waiting_since)
    before = dt.datetime.now(dt.UTC)
    samples = scrape(redis_client)
    after = dt.datetime.now(dt.UTC)
    assert sample(samples, "amtsweg_queue_jobs", queue=queue.name) == 3
    age = sample(samples, "amtsweg_queue_oldest_job_age_seconds", queue=queue.name)
    assert (before - waiting_since).total_seconds() - 1 <= age
    assert age <= (after - waiting_since).total_seconds() + 1
    assert sample(samples, "amtsweg_queue_failed_jobs", queue=queue.name) == 0


def test_an_empty_queue_reports_no_waiting(redis_client, queue) -> None:
    queue.enqueue("amtsweg.platform.jobs.run_job", "nothing:here")
    queue.empty()
    samples = scrape(redis_client)
    assert sample(samples, "amtsweg_queue_jobs", queue=queue.name) == 0
    assert sample(samples, "amtsweg_queue_oldest_job_age_seconds", queue=queue.name) == 0


def _backdate(job: Job, when: dt.datetime) -> None:
    job.enqueued_at = when
    job.save()


def test_metrics_are_not_served_through_the_ingress(client) -> None:
    response = client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    assert response.status_code == 404
    assert b"amtsweg_http" not in response.data


def test_an_area_adds_numbers_that_are_read_at_each_scrape(app, client) -> None:
    readings = iter([2, 5])

    class Deliveries:
        def collect(self):
            family = GaugeMetricFamily("amtsweg_example_dead", "example", labels=["target"])
            family.add_metric(["mailbox"], next(readings))
            yield family

    register_collector(app, Deliveries())
    assert sample(scrape(client), "amtsweg_example_dead", target="mailbox") == 2
    assert sample(scrape(client), "amtsweg_example_dead", target="mailbox") == 5
