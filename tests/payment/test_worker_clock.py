"""``amtsweg worker`` settles and expires open payments on its own clock: a deployed
system needs no cron job for ``amtsweg payments poll``."""

from __future__ import annotations

from dataclasses import replace

import pytest

from amtsweg.cli import main
from amtsweg.payment.models import PaymentStatus
from amtsweg.platform import periodic
from amtsweg.platform.jobs import queue, redis_connection
from tests import servers
from tests.payment.helpers import reload, settle_at_provider, start, submit

ROUND = periodic.CLAIM_PREFIX + "payments.poll"
REFUNDS_ROUND = periodic.CLAIM_PREFIX + "payments.refunds"


@pytest.fixture
def worker_app(make_app, settings):
    """The app as ``amtsweg worker`` runs it: with Redis, polling every 60 seconds."""
    with servers.redis_server() as url:
        if url is None:
            servers.unavailable("Redis")
        app = make_app(settings=replace(settings, redis_url=url, payment_poll_seconds=60))
        with app.app_context():
            queue().empty()
            redis_connection().delete(ROUND, REFUNDS_ROUND)
        yield app
        with app.app_context():
            redis_connection().delete(ROUND, REFUNDS_ROUND)


def run_worker(app) -> None:
    with app.app_context():  # the command runs in the app whose context is current
        result = app.test_cli_runner().invoke(main, ["worker", "--burst"])
    assert result.exit_code == 0, result.output


def test_the_worker_settles_a_closed_tab(app, musterstadt, worker_app) -> None:
    """One run of the worker command, as an operator starts it."""
    payment = start(app, musterstadt, submit(app, musterstadt))
    settle_at_provider(musterstadt, payment, "succeeded")  # and Erika closed the tab
    run_worker(worker_app)
    assert reload(musterstadt, payment).status is PaymentStatus.SUCCEEDED


def test_the_workers_poll_once_per_round(app, musterstadt, worker_app) -> None:
    payment = start(app, musterstadt, submit(app, musterstadt))
    assert periodic.run_due(worker_app) == ["payments.poll", "payments.refunds"]
    settle_at_provider(musterstadt, payment, "failed")
    assert periodic.run_due(worker_app) == []  # another worker, the same minute
    assert reload(musterstadt, payment).status is PaymentStatus.PENDING
    with worker_app.app_context():
        assert 0 < redis_connection().ttl(ROUND) <= 60
        assert 60 * 60 < redis_connection().ttl(REFUNDS_ROUND) <= 6 * 60 * 60  # four a day
        redis_connection().delete(ROUND)  # the minute is over
    assert periodic.run_due(worker_app) == ["payments.poll"]
    assert reload(musterstadt, payment).status is PaymentStatus.FAILED


def test_a_failing_round_is_logged_and_the_next_one_runs(worker_app, caplog) -> None:
    calls = []

    def flaky() -> None:
        calls.append(1)
        raise ConnectionError("provider away")

    periodic.register(worker_app, "flaky", flaky, every_seconds=1)
    try:
        assert "flaky" in periodic.run_due(worker_app)
        assert "periodic task failed" in caplog.text
        with worker_app.app_context():
            redis_connection().delete(periodic.CLAIM_PREFIX + "flaky")
        assert "flaky" in periodic.run_due(worker_app)
        assert len(calls) == 2
    finally:
        with worker_app.app_context():
            redis_connection().delete(periodic.CLAIM_PREFIX + "flaky")


@pytest.fixture
def demo_app(make_app, settings):
    """The app as ``make demo`` runs it: no Redis, jobs and the clock inside ``amtsweg run``."""
    app = make_app(settings=replace(settings, redis_url="", payment_poll_seconds=60))
    with app.app_context():
        yield app


@pytest.mark.sqlite
def test_without_redis_the_demo_polls_once_per_round(app, musterstadt, demo_app) -> None:
    """``amtsweg run``'s sweeper runs the rounds itself: a tab closed after paying in the
    demo is settled, and a second look within the minute asks the provider nothing."""
    payment = start(app, musterstadt, submit(app, musterstadt))
    settle_at_provider(musterstadt, payment, "succeeded")
    assert periodic.run_due(demo_app) == ["payments.poll", "payments.refunds"]
    assert reload(musterstadt, payment).status is PaymentStatus.SUCCEEDED
    other = start(app, musterstadt, submit(app, musterstadt))
    settle_at_provider(musterstadt, other, "failed")
    assert periodic.run_due(demo_app) == []  # the same minute
    assert reload(musterstadt, other).status is PaymentStatus.PENDING
