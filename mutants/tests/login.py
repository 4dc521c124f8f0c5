"""Logging in during tests: through the development provider, with the test client.

The ``log_in`` fixture is registered for every test by ``tests/conftest.py``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlsplit

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def local(url: str) -> str:
    """The path and query of ``url``: the test client serves every host."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def csrf_token(page: TestResponse) -> str:
    found = CSRF.search(page.get_data(as_text=True))
    assert found, "the page has no CSRF token"
    return found.group(1)


def dev_login(
    client: FlaskClient, persona: str = "erika", next_url: str = "/", level: str | None = None
) -> TestResponse:
    """Log in through the development provider's page; returns the callback's answer."""
    query = {"next": next_url} | ({"level": level} if level else {})
    to_provider = client.get("/login", query_string=query)
    assert to_provider.status_code == 302, to_provider.get_data(as_text=True)
    authorize = local(to_provider.headers["Location"])
    page = client.get(authorize)
    if page.status_code == 200:  # the provider asks who it is (otherwise it remembers)
        page = client.post(authorize, data={"persona": persona, "csrf_token": csrf_token(page)})
    assert page.status_code == 302, page.get_data(as_text=True)
    return client.get(local(page.headers["Location"]))


@pytest.fixture
def log_in(client: FlaskClient) -> Callable[..., TestResponse]:
    return lambda persona="erika", **options: dev_login(client, persona, **options)
