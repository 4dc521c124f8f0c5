"""gunicorn's settings for the web process.

The ``Procfile``, the ``Containerfile`` and the Helm chart all start the web
process as ``gunicorn --config python:amtsweg.platform.gunicorn_conf
amtsweg.app:create_app()``, so the settings below hold wherever it runs.

- ``WEB_CONCURRENCY`` worker processes (2) on ``PORT`` (8000).
- A request still running after ``timeout`` seconds has its worker killed,
  so one stuck request cannot hold a worker for good.
- On SIGTERM (Kubernetes stopping a pod) gunicorn stops accepting
  connections and lets running requests finish for ``graceful_timeout``
  seconds; the chart's ``terminationGracePeriodSeconds`` leaves room for it.
- Forwarded headers: gunicorn itself trusts none of them. The app counts
  ``AMTSWEG_PROXY_HOPS`` proxies from the right of ``X-Forwarded-For`` and
  ``X-Forwarded-Proto`` (``platform/web.py``); gunicorn can trust headers only
  by the peer's address, which in a cluster is an ingress pod's changing IP,
  and trusting them in two places with two rules would let a client spoof
  its scheme past the one that counts.
- No access log from gunicorn: its request line carries the query string,
  which may hold personal data. The app logs every request as JSON (path,
  status, duration, request id) instead. ``logger_class`` makes that certain:
  once a logging configuration is given, gunicorn would otherwise build its
  access line for every request and hand it to a logger that drops it.
  gunicorn's own lines (workers booting, timing out or killed, signals) are
  JSON lines too, with the app's formatter, so a log pipeline reads one format
  and a worker timeout has a level to alert on.
- Metrics: each worker process writes its counters into
  ``PROMETHEUS_MULTIPROC_DIR`` (made afresh for this gunicorn under
  ``/tmp``), so ``/metrics`` from any worker reports the whole pod.
- The heartbeat files live in ``/tmp`` (an emptyDir in the chart, since the
  root filesystem is read-only), and the control socket is off.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from gunicorn.glogging import Logger

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
timeout = 30
graceful_timeout = 20
keepalive = 5
worker_tmp_dir = tempfile.gettempdir()
control_socket_disable = True
forwarded_allow_ips = ""


class WithoutAccessLog(Logger):
    """gunicorn's logger, which never writes an access line (see above)."""

    def access(self, resp: Any, req: Any, environ: Any, request_time: Any) -> None:
        """The app has logged the request already, without its query string."""


logger_class = WithoutAccessLog
accesslog = None
errorlog = "-"
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "amtsweg.platform.logs.json_formatter"}},
    "filters": {"request_id": {"()": "amtsweg.platform.logs.RequestIdFilter"}},
    "handlers": {
        "json": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["request_id"],
            "stream": "ext://sys.stderr",
        }
    },
    "root": {"level": "INFO", "handlers": ["json"]},
    "loggers": {"gunicorn.error": {"level": "INFO", "handlers": ["json"], "propagate": False}},
}


def on_starting(_server: Any) -> None:
    """In the master, before any worker imports prometheus_client (it reads the variable)."""
    shutil.rmtree(_metrics_dir(), ignore_errors=True)
    _metrics_dir().mkdir(parents=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(_metrics_dir())


def _metrics_dir() -> Path:
    """This gunicorn's own directory: the master's pid tells two on one machine apart."""
    return Path(tempfile.gettempdir()) / f"amtsweg-metrics-{os.getpid()}"


def child_exit(_server: Any, worker: Any) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(_server: Any) -> None:
    shutil.rmtree(_metrics_dir(), ignore_errors=True)
