"""Work ``amtsweg worker`` does on a clock, registered by the area that owns it.

An area registers a task in its ``init_app`` with how often it must run. The
worker looks at the clock when it starts and then every
``AMTSWEG_SWEEP_SECONDS`` (in the outbox sweeper's thread) and runs each task
that is due. However many workers run, a task runs once per interval across
them: a worker claims the round in Redis (``SET … NX EX interval``) and the
others skip it. Without Redis (``make demo``) the one process that runs jobs,
``amtsweg run``, claims its rounds in its own memory. A task that fails is
logged and runs again next round; one round is never repeated because another
worker failed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask

from amtsweg.platform.jobs import redis_connection

log = logging.getLogger(__name__)

EXTENSION = "amtsweg.periodic"
CLAIM_PREFIX = "amtsweg.periodic."
#: Without Redis: when each task's next round may start (``time.monotonic()``), per app.
NEXT_ROUNDS = "amtsweg.periodic.next_rounds"


@dataclass(frozen=True, slots=True)
class PeriodicTask:
    name: str
    run: Callable[[], object]  # called inside an app context
    every_seconds: int


def register(app: Flask, name: str, run: Callable[[], object], every_seconds: int) -> None:
    """Run ``run()`` about every ``every_seconds`` in the workers (registering again replaces)."""
    app.extensions.setdefault(EXTENSION, {})[name] = PeriodicTask(name, run, every_seconds)


def tasks(app: Flask) -> list[PeriodicTask]:
    return list(app.extensions.get(EXTENSION, {}).values())


def run_due(app: Flask) -> list[str]:
    """Run every task whose round no worker has claimed yet; the names of those run here."""
    ran = []
    for task in tasks(app):
        with app.app_context():
            if not _claim(app, task):
                continue
            try:
                task.run()
            except Exception:
                # A provider or the database away for a moment: the next round tries again.
                log.exception("periodic task failed", extra={"task": task.name})
        ran.append(task.name)
    return ran


def _claim(app: Flask, task: PeriodicTask) -> bool:
    if not app.config["AMTSWEG"].redis_url:
        return _claim_in_process(app, task)
    return bool(
        redis_connection().set(CLAIM_PREFIX + task.name, "1", nx=True, ex=task.every_seconds)
    )


def _claim_in_process(app: Flask, task: PeriodicTask) -> bool:
    """Without Redis jobs run inside ``amtsweg run``, and only its sweeper thread runs
    the tasks, so the round is claimed in the app's memory."""
    next_rounds: dict[str, float] = app.extensions.setdefault(NEXT_ROUNDS, {})
    now = time.monotonic()
    if now < next_rounds.get(task.name, now):
        return False
    next_rounds[task.name] = now + task.every_seconds
    return True
