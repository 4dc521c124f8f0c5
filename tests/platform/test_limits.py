"""Rate limits on logging in: the 11th attempt in a minute waits, in memory and in Redis."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from flask import Flask

from amtsweg.platform.config import Settings
from amtsweg.platform.limits import ACQUIRE_AND_WINDOW, limiter
from tests import servers


def _attempts(client, count: int) -> list[int]:
    return [client.get("/login", query_string={"next": "/"}).status_code for _ in range(count)]


@pytest.mark.sqlite
def test_the_eleventh_login_attempt_in_a_minute_is_refused(
    make_app: Callable[..., Flask], settings: Settings
) -> None:
    app = make_app(settings=replace(settings, login_rate_limit="10/minute"))
    client = app.test_client()
    assert _attempts(client, 10) == [302] * 10  # each sent on to the provider
    refused = client.get("/login", headers={"Accept-Language": "de"})
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    page = refused.get_data(as_text=True)
    assert "Zu viele Anfragen" in page
    assert "Bitte warten Sie einen Moment" in page


def test_a_refused_login_as_json_is_a_problem_document(
    make_app: Callable[..., Flask], settings: Settings
) -> None:
    app = make_app(settings=replace(settings, login_rate_limit="1/minute"))
    client = app.test_client()
    assert _attempts(client, 1) == [302]
    refused = client.get("/login", headers={"Accept": "application/problem+json"})
    assert refused.status_code == 429
    assert refused.mimetype == "application/problem+json"
    assert refused.json["status"] == 429
    assert int(refused.headers["Retry-After"]) > 0


def test_each_client_address_has_its_own_allowance(
    make_app: Callable[..., Flask], settings: Settings
) -> None:
    app = make_app(settings=replace(settings, login_rate_limit="2/minute", proxy_hops=1))
    client = app.test_client()
    first = {"X-Forwarded-For": "192.0.2.1"}
    assert [client.get("/login", headers=first).status_code for _ in range(3)] == [302, 302, 429]
    other = client.get("/login", headers={"X-Forwarded-For": "192.0.2.2"})
    assert other.status_code == 302


def test_redis_keeps_the_count_for_every_web_process(
    make_app: Callable[..., Flask], settings: Settings
) -> None:
    with servers.redis_server() as redis_url:
        if redis_url is None:
            servers.unavailable("Redis")
        limited = replace(settings, redis_url=redis_url, login_rate_limit="3/minute", proxy_hops=1)
        # A fresh documentation address per run, so counts of earlier runs do not interfere.
        client_ip = {"X-Forwarded-For": f"2001:db8::{secrets.token_hex(2)}"}
        one = make_app(settings=limited).test_client()
        assert [one.get("/login", headers=client_ip).status_code for _ in range(2)] == [302, 302]
        # A second web process with the same Redis counts on from the first one's attempts.
        two = make_app(settings=limited).test_client()
        assert [two.get("/login", headers=client_ip).status_code for _ in range(2)] == [302, 429]


def test_in_redis_each_attempt_costs_one_round_trip_with_its_headers(
    make_app: Callable[..., Flask], settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The hit's script also reads the window, so the ``X-RateLimit-*`` headers need no
    second script; they say what the library's two scripts said."""
    with servers.redis_server() as redis_url:
        if redis_url is None:
            servers.unavailable("Redis")
        limited = replace(settings, redis_url=redis_url, login_rate_limit="2/minute", proxy_hops=1)
        app = make_app(settings=limited)
        sent: list[str] = []
        counters = limiter.storage.storage
        counters.script_load(ACQUIRE_AND_WINDOW)  # a new server learns it once, on first use
        execute = counters.execute_command
        monkeypatch.setattr(
            counters,
            "execute_command",
            lambda *args, **kw: sent.append(args[0]) or execute(*args, **kw),
        )
        client = app.test_client()
        client_ip = {"X-Forwarded-For": f"2001:db8::{secrets.token_hex(2)}"}
        answers = []
        first_hit = time.time()  # the window's oldest entry, which sets its reset
        for _ in range(3):
            sent.clear()
            response = client.get("/login", headers=client_ip)
            assert sent == ["EVALSHA"], sent
            headers = response.headers
            reset = int(headers["X-RateLimit-Reset"])
            assert int(first_hit) + 60 <= reset <= time.time() + 61
            answers.append(
                (
                    response.status_code,
                    headers["X-RateLimit-Limit"],
                    headers["X-RateLimit-Remaining"],
                )
            )
        assert answers == [(302, "2", "1"), (302, "2", "0"), (429, "2", "0")]
        assert 0 < int(response.headers["Retry-After"]) <= 60


@pytest.mark.parametrize("value", ["ten per minute", "10/fortnight", ""])
def test_a_malformed_limit_is_refused(value: str) -> None:
    problems = Settings(login_rate_limit=value).problems()
    assert problems == [f"AMTSWEG_LOGIN_RATE_LIMIT must look like '10/minute', not {value!r}."]


@pytest.mark.sqlite
def test_only_limited_views_ask_the_limiter(
    make_app: Callable[..., Flask], settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from amtsweg.platform.limits import limiter

    app = make_app(settings=settings)
    client = app.test_client()
    asked: list[str | None] = []
    resolve = limiter.limit_manager.resolve_limits

    def counting(flask_app: Flask, endpoint: str | None = None, *args: Any, **kwargs: Any) -> Any:
        asked.append(endpoint)
        return resolve(flask_app, endpoint, *args, **kwargs)

    monkeypatch.setattr(limiter.limit_manager, "resolve_limits", counting)
    assert client.get("/healthz").status_code == 200
    assert asked == []
    assert _attempts(client, 1) == [302]
    assert asked == ["login.start"]
