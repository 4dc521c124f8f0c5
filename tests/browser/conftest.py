"""The sites the browser tests walk: the app served over real HTTP on a free port."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import replace

import pytest

from amtsweg.cli import main
from tests import servers
from tests.live_server import live_server


@pytest.fixture
def serve_site(make_app, settings) -> Callable[..., AbstractContextManager[str]]:
    """``serve_site(*command, **settings)``: the app with these settings, loaded by the CLI
    ``command`` (``demo``, ``catalogue load``), served over HTTP; gives its URL."""

    @contextmanager
    def serve(*command: str, **overrides) -> Iterator[str]:
        port = servers.free_port()
        public_url = f"http://127.0.0.1:{port}"
        app = make_app(settings=replace(settings, public_url=public_url, **overrides))
        with app.app_context():
            loaded = app.test_cli_runner().invoke(main, list(command))
            assert loaded.exit_code == 0, loaded.output
        with live_server(app, port) as url:
            yield url

    return serve


@pytest.fixture
def site(serve_site) -> Iterator[str]:
    """The demo municipalities served over HTTP on a free port."""
    # One person walks seven applications in a minute from one address: above the rate limits.
    limits = {"login_rate_limit": "1000/minute", "submit_rate_limit": "1000/minute"}
    with serve_site("demo", **limits) as url:
        yield url
