"""The demo site every browser test walks: the demo municipalities served over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from amtsweg.cli import main
from tests import servers
from tests.live_server import live_server


@pytest.fixture
def site(make_app, settings) -> Iterator[str]:
    """The demo municipalities served over HTTP on a free port."""
    port = servers.free_port()
    # One person walks seven applications in a minute from one address: above the rate limits.
    app = make_app(
        settings=replace(
            settings,
            public_url=f"http://127.0.0.1:{port}",
            login_rate_limit="1000/minute",
            submit_rate_limit="1000/minute",
        )
    )
    with app.app_context():
        loaded = app.test_cli_runner().invoke(main, ["demo"])
        assert loaded.exit_code == 0, loaded.output
    with live_server(app, port) as url:
        yield url
