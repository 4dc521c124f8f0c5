"""Start the npm ``oidc-provider`` (tests/peers/oidc_provider/server.mjs) on a local port.

``node_modules`` is installed by ``make test`` from package-lock.json.
"""

from __future__ import annotations

import json
import os
import selectors
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from joserfc.jwk import RSAKey

from tests import servers

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = Path(__file__).with_name("server.mjs")
START_SECONDS = 20.0


def private_jwks(*keys: RSAKey) -> dict[str, Any]:
    return {"keys": [key.as_dict(private=True) for key in keys]}


def new_key() -> RSAKey:
    key = RSAKey.generate_key(2048, {"alg": "RS256", "use": "sig"}, private=True)
    key.ensure_kid()
    return key


@contextmanager
def oidc_provider(config: dict[str, Any], port: int | None = None) -> Iterator[str]:
    """Run the provider with ``config`` (see server.mjs) and yield its issuer URL."""
    node = shutil.which("node")
    if node is None or not (ROOT / "node_modules" / "oidc-provider").is_dir():
        servers.unavailable("Node.js with node_modules/oidc-provider (make test installs it)")
    port = port or servers.free_port()
    issuer = f"http://127.0.0.1:{port}"
    env = {**os.environ, "OIDC_PEER_CONFIG": json.dumps({**config, "port": port, "issuer": issuer})}
    process = subprocess.Popen(
        [node, str(SCRIPT)], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        _wait_until_listening(process, port)
        yield issuer
    finally:
        process.terminate()
        process.communicate(timeout=10)


def _wait_until_listening(process: subprocess.Popen[bytes], port: int) -> None:
    """Wait (with a deadline) for the line the script prints once it listens."""
    assert process.stdout is not None
    deadline = time.monotonic() + START_SECONDS
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if selector.select(timeout=deadline - time.monotonic()):
                line = process.stdout.readline()
                if b"listening" in line and servers.port_answers(port):
                    return
                if not line:
                    _out, err = process.communicate()
                    raise RuntimeError(f"oidc-provider exited: {err.decode(errors='replace')}")
    raise RuntimeError("oidc-provider did not start in time")
