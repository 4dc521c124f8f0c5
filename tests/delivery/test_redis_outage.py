"""Redis stopped while citizens submit: every submission is saved, and all are delivered
and confirmed once Redis is back and the sweeper has run."""

from __future__ import annotations

from dataclasses import replace

import pytest

from amtsweg.delivery import service as delivery
from amtsweg.platform.db import db, tenant_scope
from amtsweg.platform.jobs import OUTBOX_QUEUE, QUEUES, queue, redis_connection
from tests import servers
from tests.delivery.conftest import sweep
from tests.platform.test_bearer_tokens import dev_token
from tests.submissions.test_service import FUND_ANSWERS
from tests.workers import SimpleWorker

FUND = "/api/v1/tenants/musterstadt/forms/fundsache-verlustmeldung/submissions"


@pytest.fixture
def live_redis(make_app, settings):
    """An app whose Redis answers."""
    with servers.redis_server() as url:
        if url is None:
            servers.unavailable("Redis")
        yield make_app(settings=replace(settings, redis_url=url))


@pytest.fixture
def outage(make_app, settings):
    """An app whose Redis is down: nobody listens on its port."""
    nobody_listens = f"redis://127.0.0.1:{servers.free_port()}/0"
    return make_app(settings=replace(settings, redis_url=nobody_listens))


def test_submissions_survive_a_redis_outage_and_go_out_afterwards(
    musterstadt, smtp_server, outage, live_redis, cmis_repository
) -> None:
    with outage.app_context(), tenant_scope(musterstadt.id):
        delivery.save_target(
            musterstadt,
            "dms",
            "cmis",
            {
                "url": cmis_repository.repository_url,
                "username": cmis_repository.username,
                "password": cmis_repository.password,
            },
            default=True,
        )
        db.session.commit()
        client = outage.test_client()
        token = {"Authorization": f"Bearer {dev_token(outage, '--role', 'citizen')}"}
        answers = [
            client.post(FUND, json={"answers": FUND_ANSWERS}, headers=token) for _ in range(3)
        ]
    assert [answer.status_code for answer in answers] == [201, 201, 201]
    references = {answer.json["reference"] for answer in answers}
    assert len(references) == 3
    assert cmis_repository.documents() == []
    assert smtp_server.messages == []

    with live_redis.app_context():
        queue(OUTBOX_QUEUE).empty()
        assert "6 message(s)" in sweep(live_redis)
        SimpleWorker(list(QUEUES), connection=redis_connection()).work(burst=True)

    stored = {doc.properties["amtsweg:reference"] for doc in cmis_repository.documents()}
    assert stored == references
    assert len(cmis_repository.documents()) == 6
    receipts = smtp_server.wait_for(3)
    assert {mail["Subject"].split()[1].rstrip(":") for mail in receipts} == references
