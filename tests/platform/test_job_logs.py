"""A worker's log lines say which job, tenant and reference they belong to."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import pytest
from rq import Queue

from amtsweg.platform.db import db
from amtsweg.platform.jobs import enqueue_after_commit, redis_connection
from amtsweg.platform.logs import RequestIdFilter, log_context
from tests import servers
from tests.workers import SimpleWorker

log = logging.getLogger("amtsweg.tests.job")


def send_receipt(tenant: str, reference: str) -> None:
    log.warning("before the context")
    with log_context(tenant=tenant, reference=reference):
        log.warning("receipt sent")


@pytest.fixture
def redis_app(make_app, settings):
    with servers.redis_server() as url:
        if url is None:
            servers.unavailable("Redis")
        app = make_app(settings=replace(settings, redis_url=url))
        with app.app_context():
            yield app


@contextmanager
def json_log_lines() -> Iterator[list[dict[str, Any]]]:
    """The JSON lines the app logs inside the block, read when it ends."""
    (handler,) = (  # the JSON handler create_app installed (pytest adds its own)
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, RequestIdFilter) for f in h.filters)
    )
    output = io.StringIO()
    before = handler.setStream(output)
    lines: list[dict[str, Any]] = []
    try:
        yield lines
    finally:
        handler.setStream(before)
        lines.extend(json.loads(line) for line in output.getvalue().splitlines())


def test_a_jobs_log_lines_carry_its_id_and_what_it_works_on(redis_app) -> None:
    connection = redis_connection()
    queue = Queue("amtsweg", connection=connection)
    queue.empty()
    with json_log_lines() as lines:
        enqueue_after_commit(send_receipt, "musterstadt", "MUS-2026-000041")
        db.session.commit()
        (job_id,) = queue.job_ids
        SimpleWorker([queue], connection=connection).work(burst=True)
    ours = {line["message"]: line for line in lines if line.get("logger") == log.name}
    assert ours["before the context"]["job_id"] == job_id
    assert "reference" not in ours["before the context"]
    sent = ours["receipt sent"]
    assert (sent["job_id"], sent["tenant"], sent["reference"]) == (
        job_id,
        "musterstadt",
        "MUS-2026-000041",
    )
    assert sent["job"] == "tests.platform.test_job_logs:send_receipt"
