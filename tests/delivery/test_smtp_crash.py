"""``amtsweg worker`` killed with SIGKILL while the municipality's mail server is in the
middle of receiving a delivery, 20 times in a row.

Half the kills come while the server waits in RCPT, before the message is
sent: the server drops the broken transaction, the retry sends it once. The
other half come in DATA, after the server has the whole message and before
its answer reaches us: a real mail server keeps such a message, and the
retry sends it again. That window cannot be closed over SMTP; the copies
carry one Message-ID, so the mailbox (as a de-duplicating receiver) holds
exactly one of each (docs/delivery.md).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session

from tests.delivery.test_worker_crash import (
    DEADLINE,
    KILLS,
    SUBMISSIONS,
    committed_site,
    kill_with_children,
    pending,
    start_worker,
)
from tests.peers.smtp import SmtpPeer, running_smtp_server

pytestmark = pytest.mark.long

MAILBOX = "eingang@absturz.example"


@dataclass
class HoldingMailServer(SmtpPeer):
    """Holds the next transaction to ``MAILBOX`` in RCPT or DATA until the test releases it.

    aiosmtpd cancels a waiting hook when it notices the client has gone, which it
    may or may not notice in time; what the server keeps does not depend on it.
    """

    hold_in: str | None = None
    held: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)

    def arm(self, stage: str) -> None:
        self.released = threading.Event()
        self.held.clear()
        self.hold_in = stage

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if address == MAILBOX:
            await self._hold_if("RCPT")
        return await super().handle_RCPT(server, session, envelope, address, options)

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        """Like a real mail server, keep the message first (queued when its last line
        arrived), then hold the answer."""
        answer = await super().handle_DATA(server, session, envelope)
        if MAILBOX in envelope.rcpt_tos:
            await self._hold_if("DATA")
        return answer

    async def _hold_if(self, stage: str) -> None:
        if self.hold_in != stage:
            return
        self.hold_in, released = None, self.released
        self.held.set()
        await asyncio.get_running_loop().run_in_executor(None, released.wait, DEADLINE)


@pytest.fixture
def mail_server() -> Iterator[HoldingMailServer]:
    with running_smtp_server(peer=HoldingMailServer()) as peer:
        yield peer
        peer.released.set()


@pytest.fixture
def settings(settings, mail_server):
    return replace(settings, smtp_url=mail_server.url)


@pytest.fixture
def mail_site(make_app, settings, app_engine, test_database):
    targets = {"postfach": ("mailbox", {"address": MAILBOX})}
    yield from committed_site(make_app, settings, app_engine, test_database, targets)


def test_twenty_kills_while_the_mail_server_receives_leave_one_message_each(
    mail_site, mail_server, test_database
) -> None:
    app, settings, ids = mail_site
    stages = Counter()
    for kill in range(KILLS):
        stage = ("RCPT", "DATA")[kill % 2]
        mail_server.arm(stage)
        worker = start_worker(settings, test_database)
        try:
            assert mail_server.held.wait(DEADLINE), f"kill {kill}: no delivery reached {stage}"
        finally:
            kill_with_children(worker)
        stages[stage] += 1
        mail_server.released.set()  # the server goes on with a client that is gone

    worker = start_worker(settings, test_database)
    try:
        deadline = time.monotonic() + DEADLINE
        while pending(app, ids["tenant"]) and time.monotonic() < deadline:
            time.sleep(0.2)
        done = pending(app, ids["tenant"]) == 0
        assert done, "the deliveries were not finished after the last kill"
    finally:
        worker.terminate()
        worker.wait()

    copies = [mail for mail in mail_server.messages if mail["To"] == MAILBOX]
    message_ids = defaultdict(set)
    for mail in copies:
        message_ids[mail["Subject"].split(":")[0]].add(mail["Message-ID"])
    assert sorted(message_ids) == sorted(ids["references"])
    assert all(len(found) == 1 for found in message_ids.values()), "one Message-ID per delivery"
    # Every kill in DATA left the server a whole message before the retry sent it again;
    # every kill in RCPT left none.
    assert len(copies) == SUBMISSIONS + stages["DATA"]
    receipts = [mail for mail in mail_server.messages if mail["To"] != MAILBOX]
    assert len(receipts) == SUBMISSIONS
