"""Serve an app with gunicorn on 127.0.0.1 and put it under a bounded load.

The load generator uses several processes, each with keep-alive connections
on threads, so the client is not held back by one interpreter lock. Every
benchmark compares with a baseline measured in the same run on the same
machine and database, and reports the ratio, not absolute speed alone.

On a machine whose cores the server, PostgreSQL, Redis and the load generator
share, a server's rate is its cores divided by the CPU one request costs all
of them together; :func:`load` says how much each side spent per request
(:class:`Sides`), so a ratio comes with where its time went.
"""

from __future__ import annotations

import http.client
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from http import HTTPStatus
from pathlib import Path
from urllib.parse import urlsplit

LOAD_PROCESSES = 2
THREADS_PER_PROCESS = 4


@dataclass(frozen=True)
class Stats:
    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p99_ms: float
    #: CPU milliseconds per request by side ("server", "PostgreSQL", "Redis", "client").
    cpu_ms: dict[str, float] | None = None

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class Server:
    url: str
    pid: int

    def worker_memory(self) -> list[int]:
        """Resident memory (bytes) of each gunicorn worker, read from ``/proc``."""
        return [_resident_bytes(child) for child in _children(self.pid)]


@dataclass(frozen=True)
class Sides:
    """The processes one benchmark's requests spend CPU in, besides the load generator.

    ``server``'s gunicorn master and workers, PostgreSQL's backends serving
    ``database`` (named in their process titles), and every Redis server.
    """

    server: Server
    database: str

    def cpu_seconds(self) -> dict[str, float]:
        server = [self.server.pid, *_children(self.server.pid)]
        titles = {pid: title for pid in _all_pids() if (title := _title(pid)) is not None}
        return {
            "server": sum(map(_cpu_seconds, server)),
            "PostgreSQL": sum(
                _cpu_seconds(pid)
                for pid, title in titles.items()
                if title.startswith("postgres:") and f" {self.database} " in title
            ),
            "Redis": sum(
                _cpu_seconds(pid) for pid, title in titles.items() if "redis-server" in title
            ),
            "client": _children_cpu_seconds(),
        }


def _children(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def _all_pids() -> list[int]:
    return [int(entry.name) for entry in Path("/proc").iterdir() if entry.name.isdigit()]


def _title(pid: int) -> str | None:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:  # ended since it was listed
        return None


def _cpu_seconds(pid: int) -> float:
    """User and system CPU of a process; 0 for one that has ended."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children_cpu_seconds() -> float:
    """The CPU of this process's ended children: the load generator's processes."""
    times = os.times()
    return times.children_user + times.children_system


def _resident_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


@contextmanager
def gunicorn(
    app_spec: str, env: dict[str, str], workers: int = 2, config: str | None = None
) -> Iterator[Server]:
    """Serve ``app_spec`` (``module:factory()``) and yield its base URL and master process.

    ``config`` is a gunicorn ``--config`` (e.g. the one production runs with).
    """
    port = free_port()
    options = ["--config", config] if config else []
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", *options, "--workers", str(workers),
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning", app_spec],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        _wait_for_port(port, process)
        yield Server(f"http://127.0.0.1:{port}", process.pid)
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the server stopped before it answered")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing answered on port {port} within {timeout} s")


@dataclass(frozen=True)
class Request:
    method: str
    url: str
    body: bytes | None = None
    headers: tuple[tuple[str, str], ...] = ()
    expect: int = 200


def _worker(request: Request, seconds: float, count: int | None = None) -> tuple[list[float], int]:
    """Send ``request`` for ``seconds``, or ``count`` times over all threads."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    parts = urlsplit(request.url)
    per_thread = None if count is None else -(-count // THREADS_PER_PROCESS)

    def more(sent: int) -> bool:
        return sent < per_thread if per_thread is not None else time.monotonic() < deadline

    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")

    def loop() -> None:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        mine: list[float] = []
        failed = 0
        while more(len(mine)):
            started = time.perf_counter()
            connection.request(request.method, target, request.body, dict(request.headers))
            response = connection.getresponse()
            response.read()
            mine.append((time.perf_counter() - started) * 1000)
            if response.status != request.expect:
                failed += 1
        connection.close()
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    threads = [threading.Thread(target=loop) for _ in range(THREADS_PER_PROCESS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors[0]


def load(request: Request, seconds: float = 5.0, sides: Sides | None = None) -> Stats:
    """Send ``request`` as fast as the server answers for ``seconds``.

    With ``sides``, the result says what CPU each side spent per request.
    """
    _worker(request, 0.5)  # warm up every gunicorn worker and connection pool
    return _accounted(
        sides, lambda: _measure(request, [seconds] * LOAD_PROCESSES, [None] * LOAD_PROCESSES)
    )


def _accounted(sides: Sides | None, measure: Callable[[], Stats]) -> Stats:
    """``measure()``, with the CPU each of ``sides`` spent per request meanwhile."""
    if sides is None:
        return measure()
    before = sides.cpu_seconds()
    stats = measure()
    after = sides.cpu_seconds()
    per_request = {side: 1000 * (after[side] - before[side]) / stats.requests for side in after}
    return replace(stats, cpu_ms=per_request)


def load_count(request: Request, count: int) -> Stats:
    """Send ``request`` ``count`` times, as fast as the server answers."""
    each = -(-count // LOAD_PROCESSES)
    return _measure(request, [0.0] * LOAD_PROCESSES, [each] * LOAD_PROCESSES)


def _measure(request: Request, seconds: list[float], counts: list[int | None]) -> Stats:
    started = time.monotonic()
    with ProcessPoolExecutor(LOAD_PROCESSES) as pool:
        results = list(pool.map(_worker, [request] * LOAD_PROCESSES, seconds, counts))
    return _stats(results, time.monotonic() - started)


def _stats(results: list[tuple[list[float], int]], elapsed: float) -> Stats:
    """What the load processes saw: their latencies and unexpected answers, together."""
    latencies = sorted(value for part, _ in results for value in part)
    return Stats(
        requests=len(latencies),
        errors=sum(failed for _, failed in results),
        seconds=elapsed,
        p50_ms=statistics.median(latencies),
        p99_ms=latencies[int(len(latencies) * 0.99) - 1],
    )


def _varied_worker(method: str, url: str, items: list[tuple[bytes, tuple[tuple[str, str], ...]]],
                   seconds: float) -> tuple[list[float], int]:  # fmt: skip
    """Like ``_worker``, but every request is the next of ``items`` (each used once),
    and every answer is expected to be 200."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    parts = urlsplit(url)
    queue = iter(items)

    def loop() -> None:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        mine: list[float] = []
        failed = 0
        while time.monotonic() < deadline:
            with lock:
                item = next(queue, None)
            if item is None:
                break
            body, headers = item
            started = time.perf_counter()
            connection.request(method, parts.path, body, dict(headers))
            response = connection.getresponse()
            response.read()
            mine.append((time.perf_counter() - started) * 1000)
            failed += response.status != HTTPStatus.OK
        connection.close()
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    threads = [threading.Thread(target=loop) for _ in range(THREADS_PER_PROCESS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors[0]


def load_varied(
    method: str,
    url: str,
    items: list[tuple[bytes, tuple[tuple[str, str], ...]]],
    seconds: float = 5.0,
    sides: Sides | None = None,
) -> Stats:
    """Send each of ``items`` once (split across the load processes) for ``seconds``;
    ``sides`` as for :func:`load`."""
    return _accounted(sides, lambda: _varied(method, url, items, seconds))


def _varied(
    method: str, url: str, items: list[tuple[bytes, tuple[tuple[str, str], ...]]], seconds: float
) -> Stats:
    slices = [items[index::LOAD_PROCESSES] for index in range(LOAD_PROCESSES)]
    started = time.monotonic()
    with ProcessPoolExecutor(LOAD_PROCESSES) as pool:
        results = list(
            pool.map(
                _varied_worker,
                [method] * LOAD_PROCESSES,
                [url] * LOAD_PROCESSES,
                slices,
                [seconds] * LOAD_PROCESSES,
            )
        )
    return _stats(results, time.monotonic() - started)
