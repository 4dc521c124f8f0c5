"""RQ's in-process worker for tests that work off a queue themselves."""

from __future__ import annotations

import rq

from amtsweg.platform.jobs import ExitsPromptly


class SimpleWorker(ExitsPromptly, rq.SimpleWorker):
    """Runs each job in the test's own process and, like ``amtsweg worker``, ends within
    a second once the queue is empty (RQ's own would wait up to a minute)."""
