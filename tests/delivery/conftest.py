"""Fixtures for delivery: a municipality with its forms, a citizen, SMTP, time that passes."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import update

from amtsweg.cli import main
from amtsweg.formdefs import service as formdefs
from amtsweg.platform.db import db, utcnow
from amtsweg.platform.outbox import OutboxMessage, OutboxStatus
from amtsweg.submissions import service
from amtsweg.submissions.models import Submission
from amtsweg.tenants.models import Tenant, User
from tests.peers.cmis import cmis_repository  # noqa: F401
from tests.submissions.conftest import erika, musterstadt  # noqa: F401
from tests.submissions.test_service import FUND_ANSWERS


@pytest.fixture
def settings(settings, smtp_server, tmp_path):
    """Mail goes to a real SMTP server; the folder target writes under the test's tmp_path."""
    return replace(settings, smtp_url=smtp_server.url, deliveries_dir=tmp_path / "deliveries")


def submit(
    tenant: Tenant,
    user: User,
    slug: str = "fundsache-verlustmeldung",
    answers: dict[str, Any] | None = None,
) -> Submission:
    """A citizen submits; the commit sends the jobs (in-process without Redis)."""
    form = formdefs.offered_form(tenant, slug)
    outcome = service.submit_answers(tenant, user, form, answers or FUND_ANSWERS, locale="de")
    db.session.commit()
    return outcome.submission


def time_passes() -> None:
    """Every pending message's pause is over (as if its next attempt time had come)."""
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.PENDING)
        .values(next_attempt_at=utcnow())
    )
    db.session.commit()


def sweep(app) -> str:
    """``amtsweg outbox sweep``, as cron or the worker's loop runs it."""
    result = app.test_cli_runner().invoke(main, ["outbox", "sweep"])
    assert result.exit_code == 0, result.output
    return result.output
