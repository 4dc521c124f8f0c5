"""Jobs go out only after the commit: in-process in the demo, through Redis and RQ otherwise."""

from __future__ import annotations

import logging
import uuid
from dataclasses import replace

import pytest
from redis import Redis
from rq import Queue

from amtsweg.platform.db import db
from amtsweg.platform.jobs import QUEUE_NAME, enqueue_after_commit, redis_connection
from amtsweg.tenants import service as tenants
from tests import servers
from tests.workers import SimpleWorker

ran: list[str] = []


def remember(marker: str) -> None:
    ran.append(marker)


def explode(marker: str) -> None:
    raise RuntimeError(marker)


@pytest.fixture(autouse=True)
def _forget() -> None:
    ran.clear()


@pytest.mark.sqlite
def test_a_job_runs_after_the_commit_and_never_after_a_rollback(app) -> None:
    enqueue_after_commit(remember, "rolled back")
    db.session.rollback()
    enqueue_after_commit(remember, "committed")
    assert ran == []
    db.session.commit()
    assert ran == ["committed"]


@pytest.mark.sqlite
def test_a_savepoint_released_is_not_the_commit(app) -> None:
    enqueue_after_commit(remember, "rolled back after a savepoint")
    with db.session.begin_nested():
        tenants.create_tenant("musterstadt", "Gemeinde Musterstadt")
    assert ran == []
    db.session.rollback()
    assert ran == []


@pytest.mark.sqlite
def test_a_job_of_a_savepoint_rolled_back_is_dropped_while_the_rest_commits(app) -> None:
    enqueue_after_commit(remember, "before")
    savepoint = db.session.begin_nested()
    enqueue_after_commit(remember, "inside the savepoint")
    with db.session.begin_nested():
        enqueue_after_commit(remember, "inside a savepoint inside it")
    savepoint.rollback()
    with db.session.begin_nested():
        enqueue_after_commit(remember, "in a savepoint released")
    enqueue_after_commit(remember, "after")
    db.session.commit()
    assert ran == ["before", "in a savepoint released", "after"]


def test_a_failing_job_is_logged_and_the_commit_stands(app, caplog) -> None:
    tenants.create_tenant("musterstadt", "Gemeinde Musterstadt")
    enqueue_after_commit(explode, "boom")
    with caplog.at_level(logging.ERROR):
        db.session.commit()
    assert any(record.message == "job failed" for record in caplog.records)
    with app.app_context():  # a session of its own sees what was committed
        assert tenants.find_tenant("musterstadt") is not None


@pytest.fixture
def redis_app(make_app, settings):
    with servers.redis_server() as url:
        if url is None:
            servers.unavailable("Redis")
        app = make_app(settings=replace(settings, redis_url=url))
        with app.app_context():
            queue = Queue(f"{QUEUE_NAME}", connection=redis_connection())
            queue.empty()
            yield app
            queue.empty()


def test_with_redis_the_job_waits_in_the_queue_for_a_worker(redis_app) -> None:
    marker = uuid.uuid4().hex
    enqueue_after_commit(remember, marker)
    connection: Redis = redis_connection()
    assert Queue(QUEUE_NAME, connection=connection).count == 0
    db.session.commit()
    assert Queue(QUEUE_NAME, connection=connection).count == 1
    assert ran == []
    SimpleWorker([QUEUE_NAME], connection=connection).work(burst=True)
    assert ran == [marker]


def test_a_commits_jobs_with_ids_reach_the_queue_together_and_each_runs(redis_app) -> None:
    """A submission's outbox messages (jobs with ids) go out in one round trip; a
    repeated id replaces the earlier job, and a job without an id goes out as well."""
    connection: Redis = redis_connection()
    sent: list[object] = []
    execute = connection.pipeline().__class__.execute

    def counting_execute(pipeline, *args, **kwargs):
        sent.append(pipeline)
        return execute(pipeline, *args, **kwargs)

    enqueue_after_commit(remember, "first", job_id="amtsweg-test-a")
    enqueue_after_commit(remember, "second", job_id="amtsweg-test-b")
    enqueue_after_commit(remember, "second again", job_id="amtsweg-test-b")
    enqueue_after_commit(remember, "without an id")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(connection.pipeline().__class__, "execute", counting_execute)
        db.session.commit()
    assert Queue(QUEUE_NAME, connection=connection).count == 3
    SimpleWorker([QUEUE_NAME], connection=connection).work(burst=True)
    assert sorted(ran) == ["first", "second again", "without an id"]
    assert len(sent) == 3  # the two with ids in one pipeline; RQ's two for the one without


@pytest.fixture
def refusing_queue_app(make_app, settings):
    """An app whose Redis refuses every connection (built before ``caplog`` listens)."""
    app = make_app(settings=replace(settings, redis_url="redis://127.0.0.1:9/0"))
    with app.app_context():
        yield app


@pytest.mark.sqlite
def test_a_queue_that_refuses_the_job_after_the_commit_is_logged_not_raised(
    refusing_queue_app, caplog
) -> None:
    enqueue_after_commit(remember, "nobody takes it")
    with caplog.at_level(logging.ERROR):
        db.session.commit()  # the change is saved: the refused job must not undo that
    assert any(record.message == "job could not be enqueued" for record in caplog.records)
    assert ran == []
