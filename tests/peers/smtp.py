"""A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it receives.

``smtp_server`` is the plain server most tests need; ``running_smtp_server``
starts one with a login, STARTTLS or implicit TLS. ``peer.url`` goes into
``AMTSWEG_SMTP_URL``; ``peer.wait_for(n)`` returns the first ``n`` messages, or
fails once its deadline has passed; ``peer.reply_next("451 …")`` answers the
next message's DATA with that reply (4xx temporary, 5xx permanent) and keeps it.
"""

from __future__ import annotations

import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from tests import servers


@dataclass
class SmtpPeer:
    """What the server received, in order; ``refuse`` makes it turn a recipient away."""

    url: str = ""
    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    refused: set[str] = field(default_factory=set)
    replies: list[str] = field(default_factory=list)
    _arrived: threading.Condition = field(default_factory=threading.Condition)

    def refuse(self, address: str) -> None:
        self.refused.add(address)

    def reply_next(self, reply: str, count: int = 1) -> None:
        """Turn the next ``count`` messages away with ``reply`` (e.g. ``"451 4.3.0 Busy"``)."""
        self.replies.extend([reply] * count)

    def wait_for(self, count: int, timeout: float = 5.0) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(self.messages) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    pytest.fail(f"expected {count} message(s), got {len(self.messages)}")
                self._arrived.wait(remaining)
            return self.messages[:count]

    # aiosmtpd handler hooks (called on the server's thread)

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, _server: SMTP, _session: Session, envelope: Envelope, address: str, _options: Any
    ) -> str:
        if address in self.refused:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, _server: SMTP, _session: Session, envelope: Envelope
    ) -> str:
        if self.replies:
            return self.replies.pop(0)
        received = message_from_bytes(envelope.original_content or b"", policy=policy.default)
        with self._arrived:
            self.messages.append(received)  # type: ignore[arg-type]
            self.envelopes.append((envelope.mail_from or "", list(envelope.rcpt_tos)))
            self._arrived.notify_all()
        return "250 Message accepted"


class _Credentials:
    def __init__(self, username: str, password: str) -> None:
        self.expected = (username.encode(), password.encode())

    def __call__(
        self, _server: SMTP, _session: Session, _envelope: Envelope, _mechanism: str, data: Any
    ) -> AuthResult:
        given = (data.login, data.password) if isinstance(data, LoginPassword) else None
        return AuthResult(success=given == self.expected, handled=False)


@contextmanager
def running_smtp_server(
    *,
    username: str = "",
    password: str = "",
    tls: ssl.SSLContext | None = None,
    implicit_tls: bool = False,
    smtputf8: bool = True,
    peer: SmtpPeer | None = None,
) -> Iterator[SmtpPeer]:
    """Serve on a free port; ``tls`` offers STARTTLS (required), or implicit TLS;
    ``smtputf8=False`` takes ASCII addresses only, as many relays still do;
    ``peer`` a handler of the test's own that extends :class:`SmtpPeer`."""
    peer = peer or SmtpPeer()
    port = servers.free_port()
    options: dict[str, Any] = {}
    if username:
        options.update(authenticator=_Credentials(username, password), auth_require_tls=False)
    if tls is not None and not implicit_tls:
        options.update(tls_context=tls, require_starttls=True)
    controller = Controller(
        peer,
        hostname="127.0.0.1",
        port=port,
        ssl_context=tls if implicit_tls else None,
        server_hostname="localhost",
        enable_SMTPUTF8=smtputf8,
        **options,
    )
    controller.start()
    login = f"{username}:{password}@" if username else ""
    scheme, query = ("smtps", "") if implicit_tls else ("smtp", "?starttls=true" if tls else "")
    peer.url = f"{scheme}://{login}127.0.0.1:{port}{query}"
    try:
        yield peer
    finally:
        controller.stop()


@pytest.fixture
def smtp_server() -> Iterator[SmtpPeer]:
    """A plain SMTP server without login; ``.url`` for AMTSWEG_SMTP_URL, ``.messages``."""
    with running_smtp_server() as peer:
        yield peer
