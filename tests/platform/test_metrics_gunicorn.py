"""The web process as the Procfile, the image and the chart start it: gunicorn
with ``amtsweg.platform.gunicorn_conf``, two worker processes."""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests
from prometheus_client.parser import text_string_to_metric_families

from tests import servers
from tests.helm.test_chart import procfile

STARTUP_SECONDS = 60


def healthz_count(base: str) -> float:
    text = requests.get(f"{base}/metrics", timeout=5).text
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "amtsweg_http_requests_total" and sample.labels == {
                "endpoint": "health.healthz",
                "method": "GET",
                "status": "200",
            }:
                return sample.value
    return 0.0


def wait_until_serving(base: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base}/metrics", timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        try:  # the pause between two tries, which also notices a gunicorn that gave up
            process.wait(timeout=0.1)
        except subprocess.TimeoutExpired:
            continue
        raise AssertionError("gunicorn stopped")
    raise AssertionError("gunicorn did not start")


def until_both_workers_answered(base: str, tmp_path: Path) -> int:
    """Ask /healthz until each worker process has counted requests of its own."""
    sent = 0
    deadline = time.monotonic() + STARTUP_SECONDS
    while len(list(tmp_path.glob("amtsweg-metrics-*/counter_*.db"))) < 2 or sent < 10:
        assert time.monotonic() < deadline, "one worker answered every request"
        assert requests.get(f"{base}/healthz", timeout=5).status_code == 200
        sent += 1
    return sent


def test_every_worker_process_reports_the_whole_pods_requests_logs_json_and_stops_on_sigterm(
    tmp_path: Path,
) -> None:
    port = servers.free_port()
    env = {
        **os.environ,
        "AMTSWEG_ENV": "test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'amtsweg.sqlite'}",
        "AMTSWEG_STORAGE_DIR": str(tmp_path / "files"),
        "REDIS_URL": "",
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
        "TMPDIR": str(tmp_path),
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    command = procfile()["web"]
    log = (tmp_path / "gunicorn.log").open("w")
    binary = Path(sys.executable).with_name(command[0])
    process = subprocess.Popen(
        [str(binary), *command[1:]],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(base, process)
        sent = until_both_workers_answered(base, tmp_path)
        assert requests.get(f"{base}/t/nirgendwo/?name=Erika+Mustermann", timeout=5).status_code
        assert [healthz_count(base) for _ in range(6)] == [sent] * 6
    finally:
        process.send_signal(signal.SIGTERM)
        returncode = process.wait(timeout=30)
        log.close()
    assert returncode == 0, shlex.join(command)
    assert not list(tmp_path.glob("amtsweg-metrics-*"))
    lines = [json.loads(line) for line in (tmp_path / "gunicorn.log").read_text().splitlines()]
    gunicorns = [line for line in lines if line["logger"] == "gunicorn.error"]
    assert sum("Booting worker" in line["message"] for line in gunicorns) == 2
    assert any(line["message"] == "Handling signal: term" for line in gunicorns)
    assert {line["level"] for line in gunicorns} == {"INFO"}
    assert any(line["logger"] == "amtsweg.access" for line in lines)
    # The request's line names its path, never its query string (it may hold a name).
    assert any(line.get("path") == "/t/nirgendwo/" for line in lines)
    assert "Mustermann" not in (tmp_path / "gunicorn.log").read_text()
