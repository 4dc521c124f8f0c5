"""``amtsweg worker --queue NAME``: operators run workers per queue, as the chart does."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from rq import Queue

from amtsweg.platform.jobs import OUTBOX_QUEUE, QUEUE_NAME, QUEUES, enqueue_now, redis_connection
from tests import servers


def leave_mark(path: str) -> None:
    """The job the workers run: it leaves a file behind."""
    Path(path).write_text("done")


@pytest.fixture(scope="module")
def redis_url():
    """A Redis of these tests' own: a worker takes every job it finds, including what
    other tests left behind (their retries, due by now)."""
    with servers.redis_server(private=True) as url:
        if url is None:
            servers.unavailable("Redis")
        yield url


@pytest.fixture
def redis_app(make_app, settings, redis_url):
    app = make_app(settings=replace(settings, redis_url=redis_url))
    with app.app_context():
        yield app
        redis_connection().flushdb()


def worker(app, *options: str) -> subprocess.CompletedProcess:
    """``amtsweg worker --burst --no-periodic OPTIONS``, a process of its own."""
    settings = app.config["AMTSWEG"]
    env = {
        **os.environ,
        "AMTSWEG_ENV": "test",
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url,
        "AMTSWEG_LOG_LEVEL": "ERROR",
    }
    return subprocess.run(
        [sys.executable, "-m", "amtsweg.cli", "worker", "--burst", "--no-periodic", *options],
        env=env,
        capture_output=True,
        text=True,
        # Starting the app and forking a work horse per job takes a while on a busy machine.
        timeout=300,
        check=False,
    )


def test_a_worker_for_one_queue_leaves_the_other_queues_alone(redis_app, tmp_path) -> None:
    outbox_mark, other_mark = tmp_path / "outbox", tmp_path / "other"
    enqueue_now(leave_mark, str(outbox_mark), queue=OUTBOX_QUEUE)
    enqueue_now(leave_mark, str(other_mark))

    done = worker(redis_app, "--queue", OUTBOX_QUEUE)

    assert done.returncode == 0, done.stderr
    assert outbox_mark.exists()
    assert not other_mark.exists()
    assert Queue(QUEUE_NAME, connection=redis_connection()).count == 1

    assert worker(redis_app).returncode == 0  # without --queue: every queue
    assert other_mark.exists()


def test_a_worker_takes_several_queues(redis_app, tmp_path) -> None:
    marks = [tmp_path / name for name in QUEUES]
    for name, mark in zip(QUEUES, marks, strict=True):
        enqueue_now(leave_mark, str(mark), queue=name)

    done = worker(redis_app, "--queue", QUEUE_NAME, "--queue", OUTBOX_QUEUE)

    assert done.returncode == 0, done.stderr
    assert all(mark.exists() for mark in marks)


def test_an_unknown_queue_is_refused_with_the_known_ones(redis_app) -> None:
    refused = worker(redis_app, "--queue", "mails")
    assert refused.returncode == 2
    assert "'mails' is not one of 'amtsweg', 'outbox'" in refused.stderr
