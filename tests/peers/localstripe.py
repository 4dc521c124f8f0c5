"""PyPI ``localstripe``: a local Stripe API (PaymentIntents, refunds, signed webhooks).

It has no Checkout Sessions and no Connect. The fixture runs it with the Checkout
Sessions of :mod:`tests.peers.localstripe_checkout` added (create with
Idempotency-Key, retrieve, expire, ``checkout.session.*`` webhooks), from
scratch and in memory; Connect stays untested (see docs/payment.md).
"""

from __future__ import annotations

import importlib.util
import selectors
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

from tests import servers

START_SECONDS = 20
ROOT = Path(__file__).parents[2]
MODULE = "tests.peers.localstripe_checkout"


@contextmanager
def localstripe() -> Iterator[str]:
    """Run localstripe on a free port and yield its base URL."""
    if importlib.util.find_spec("localstripe") is None:
        servers.unavailable("localstripe (pip install localstripe)")
    port = servers.free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", MODULE, "--port", str(port), "--from-scratch"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        cwd=ROOT,
    )
    try:
        _wait_until_listening(process, port)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.communicate(timeout=10)


def _wait_until_listening(process: subprocess.Popen[bytes], port: int) -> None:
    assert process.stdout is not None
    deadline = time.monotonic() + START_SECONDS
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if servers.port_answers(port):
                return
            if selector.select(timeout=0.2) and not process.stdout.readline():
                raise RuntimeError("localstripe exited before listening")
    raise RuntimeError("localstripe did not start in time")


def send_webhooks_to(base: str, url: str, secret: str) -> None:
    """localstripe's own configuration call: sign events with ``secret`` and post them."""
    response = requests.post(
        f"{base}/_config/webhooks/amtsweg", data={"url": url, "secret": secret}, timeout=5
    )
    response.raise_for_status()
