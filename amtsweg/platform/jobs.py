"""Background jobs, enqueued only after the transaction that caused them commits.

``enqueue_after_commit(func, *args)`` registers the job on the current
session; the job goes to Redis (RQ) when that session commits and is dropped
when it, or the savepoint the job was registered in, rolls back
(:mod:`amtsweg.platform.commit_hooks`). Without ``REDIS_URL`` (``make demo``)
the job runs in the same process right after the commit. Job functions take ids, reload
what they need and are idempotent: the outbox sweeper may run them again.

Two queues: ``outbox`` for messages to other systems (mail, deliveries),
which may wait on a slow server up to their timeouts, and ``amtsweg`` for
everything else, so that a hanging DMS never holds up the rest. Operators run
workers per queue (``amtsweg worker --queue outbox``).

A job that must not be lost has a row in the outbox (``platform/outbox.py``)
and a deterministic ``job_id``: if Redis refuses the job after the commit,
that is logged and nothing else (the change is saved; the request must not
fail), and the outbox sweeper enqueues it once Redis answers again.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import rq
from flask import current_app
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, get_current_job

from amtsweg.platform.commit_hooks import AfterCommit
from amtsweg.platform.db import db
from amtsweg.platform.logs import log_context

log = logging.getLogger(__name__)

QUEUE_NAME = "amtsweg"
OUTBOX_QUEUE = "outbox"
QUEUES = (QUEUE_NAME, OUTBOX_QUEUE)


def redis_connection() -> Redis:
    app = current_app._get_current_object()  # noqa: SLF001 - Flask's proxy API
    if "amtsweg.redis" not in app.extensions:
        # A Redis that is down must cost a request a moment, not a hang.
        app.extensions["amtsweg.redis"] = Redis.from_url(
            app.config["AMTSWEG"].redis_url, socket_connect_timeout=2
        )
    return app.extensions["amtsweg.redis"]


def job_name(func: Callable[..., Any]) -> str:
    return f"{func.__module__}:{func.__qualname__}"


@dataclass(frozen=True, slots=True)
class _Job:
    name: str
    args: tuple[Any, ...]
    job_id: str | None = None
    delay: dt.timedelta | None = None
    queue: str = QUEUE_NAME


def enqueue_after_commit(
    func: Callable[..., Any],
    *args: Any,
    job_id: str | None = None,
    delay: dt.timedelta | None = None,
    queue: str = QUEUE_NAME,
) -> None:
    """Send ``func(*args)`` to the workers of ``queue`` once the current transaction commits.

    ``job_id`` makes the job deterministic (enqueuing it again replaces it);
    ``delay`` holds it back in RQ's scheduler (``amtsweg worker`` runs one).
    """
    _WAITING.add(db.session, _Job(job_name(func), args, job_id, delay, queue))


def enqueue_now(
    func: Callable[..., Any], *args: Any, job_id: str | None = None, queue: str = QUEUE_NAME
) -> None:
    """Send ``func(*args)`` to the workers at once (the sweeper; nothing to commit first)."""
    _dispatch(_Job(job_name(func), args, job_id, queue=queue))


def _send_committed(pending: list[_Job]) -> None:
    """Dispatch the committed transaction's jobs. The change is saved already, so a
    queue that refuses the jobs (Redis down) is logged and must not turn the
    request's success into an error; the outbox sweeper runs such jobs later.
    """
    try:
        _dispatch_all(pending)
    except RedisError:
        # Committed already: the outbox rows are the record, the sweeper sends them later.
        log.exception(
            "job could not be enqueued", extra={"job": ", ".join(job.name for job in pending)}
        )


_WAITING: AfterCommit[_Job] = AfterCommit("jobs", _send_committed)


def _dispatch_all(jobs: list[_Job]) -> None:
    """Jobs due now with ids of their own (an outbox's: a submission makes two or more)
    go to Redis in one round trip; the others one by one."""
    batch = {job.job_id: job for job in jobs if _batchable(job)}  # a repeated id replaces
    if len(batch) < 2 or not current_app.config["AMTSWEG"].redis_url:
        batch = {}
    else:
        queue().enqueue_many(
            [Queue.prepare_data(run_job, (job.name, *job.args), job_id=key)
             for key, job in batch.items()]
        )  # fmt: skip
    for job in jobs:
        if not (batch and _batchable(job)):
            _dispatch(job)


def _batchable(job: _Job) -> bool:
    return job.job_id is not None and job.delay is None


def queue(name: str = QUEUE_NAME) -> Queue:
    return Queue(name, connection=redis_connection())


def _dispatch(job: _Job) -> None:
    if current_app.config["AMTSWEG"].redis_url:
        if job.delay:
            queue(job.queue).enqueue_in(job.delay, run_job, job.name, *job.args, job_id=job.job_id)
        else:
            queue(job.queue).enqueue(run_job, job.name, *job.args, job_id=job.job_id)
        return
    if job.delay:
        # No scheduler without Redis: `amtsweg outbox sweep` sends it when it is due.
        return
    # In-process: a fresh app context gives the job its own session, apart
    # from the one that is just finishing its commit. The change that caused
    # the job is committed already, so a failing job must not fail the request:
    # it is logged, as a worker would log it.
    with current_app.app_context():
        try:
            _call(job.name, job.args)
        except Exception:
            log.exception("job failed", extra={"job": job.name})


def _call(name: str, args: tuple[Any, ...]) -> Any:
    module, _, attribute = name.partition(":")
    func = getattr(importlib.import_module(module), attribute)
    return func(*args)


def run_job(name: str, *args: Any) -> Any:
    """The callable RQ runs. ``amtsweg worker`` runs inside the app's context;
    each job gets a fresh app context of its own, and so its own session.
    Its log lines carry the job's id and name; a job adds the tenant and the
    reference it works on with ``logs.log_context(tenant=…, reference=…)``."""
    job = get_current_job()
    with current_app.app_context(), log_context(job_id=job.id if job else "-", job=name):
        return _call(name, args)


#: How long the thread that listens for commands to the worker waits at a time.
COMMAND_WAIT_SECONDS = 1


class ExitsPromptly(rq.worker.BaseWorker):
    """A worker that stops within a second of being told to, not within a minute.

    RQ listens for commands (stop the job, shut down) in a thread that waits
    60 seconds at a time, and waits for that thread when the worker ends. Once
    unsubscribed, redis-py lets the thread sit out its whole wait, so every
    worker's end (a burst that is done, a pod stopped in a rolling update) took
    up to a minute. Here the thread waits a second at a time.
    """

    def subscribe(self) -> None:
        self.pubsub = self.connection.pubsub()
        self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
        self.pubsub_thread = self.pubsub.run_in_thread(
            sleep_time=COMMAND_WAIT_SECONDS,
            daemon=True,
            exception_handler=self._pubsub_exception_handler,
        )


class Worker(ExitsPromptly, rq.Worker):
    """RQ's forking worker, with database connections of each work horse's own.

    The connections a horse inherits belong to the worker (its sweeper uses
    them); the horse drops them from its pool unclosed and opens its own, as
    SQLAlchemy's pooling guide says for forked processes.
    """

    def main_work_horse(self, job: Any, queue: Queue) -> None:
        db.engine.dispose(close=False)
        super().main_work_horse(job, queue)
