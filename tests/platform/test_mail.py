"""Mail reaches a real SMTP server, or the outbox folder; unsafe headers never leave."""

from __future__ import annotations

import inspect
import ipaddress
import ssl
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from flask import Flask

from amtsweg.platform import mail
from amtsweg.platform.config import Settings
from amtsweg.platform.mail import (
    Mailbox,
    MailError,
    OutboxFolderMailbox,
    SmtpMailbox,
    UnsafeHeaderError,
    compose,
)
from tests import servers
from tests.peers.smtp import SmtpPeer, running_smtp_server

SENDER = "Gemeinde Musterstadt <noreply@musterstadt.example>"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def receipt_message() -> EmailMessage:
    return compose(
        "Erika Müller <erika@example.org>",
        "Eingangsbestätigung MUS-2026-000123",
        "Guten Tag Frau Müller,\nIhr Antrag ist eingegangen.",
        html_body="<p>Guten Tag Frau Müller,</p>",
        attachments=[("Eingangsbestätigung.pdf", "application/pdf", PDF)],
        reply_to="buergerbuero@musterstadt.example",
    )


def only_attachment(message: EmailMessage) -> tuple[str | None, bytes]:
    (attachment,) = message.iter_attachments()
    return attachment.get_filename(), attachment.get_content()


def test_smtp_delivers_recipient_subject_bodies_and_attachment(smtp_server: SmtpPeer) -> None:
    SmtpMailbox.from_url(smtp_server.url, SENDER).send(receipt_message())

    (received,) = smtp_server.wait_for(1)
    assert smtp_server.envelopes == [("noreply@musterstadt.example", ["erika@example.org"])]
    assert received["To"] == "Erika Müller <erika@example.org>"
    assert received["From"] == SENDER
    assert received["Reply-To"] == "buergerbuero@musterstadt.example"
    assert received["Subject"] == "Eingangsbestätigung MUS-2026-000123"
    assert received["Message-ID"].endswith("@musterstadt.example>")
    assert "Ihr Antrag ist eingegangen." in received.get_body(("plain",)).get_content()
    assert "Frau Müller" in received.get_body(("html",)).get_content()
    assert only_attachment(received) == ("Eingangsbestätigung.pdf", PDF)


def test_smtp_logs_in() -> None:
    with running_smtp_server(username="amtsweg", password="s3cret:/@") as peer:
        url = peer.url.replace("s3cret:/@", "s3cret%3A%2F%40")
        SmtpMailbox.from_url(url, SENDER).send(receipt_message())
        assert len(peer.wait_for(1)) == 1


def test_smtp_with_a_wrong_password_fails_for_good() -> None:
    with running_smtp_server(username="amtsweg", password="right") as peer:
        url = peer.url.replace(":right@", ":wrong@")
        with pytest.raises(MailError) as failed:
            SmtpMailbox.from_url(url, SENDER).send(receipt_message())
        assert failed.value.permanent
        assert peer.messages == []


def _self_signed(folder: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A server context for 127.0.0.1 and a client context that trusts only it."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=1))
        .not_valid_after(now + timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    pem = certificate.public_bytes(serialization.Encoding.PEM)
    return _server_context(key, pem, folder), ssl.create_default_context(cadata=pem.decode())


def _server_context(key: ec.EllipticCurvePrivateKey, pem: bytes, folder: Path) -> ssl.SSLContext:
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    (folder / "cert.pem").write_bytes(pem)
    (folder / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    return server


@pytest.mark.parametrize("implicit_tls", [False, True], ids=["starttls", "smtps"])
def test_smtp_encrypts_and_checks_the_certificate(implicit_tls: bool, tmp_path: Path) -> None:
    server_context, trusting_client = _self_signed(tmp_path)
    with running_smtp_server(
        username="amtsweg", password="pw", tls=server_context, implicit_tls=implicit_tls
    ) as peer:
        SmtpMailbox.from_url(peer.url, SENDER, ssl_context=trusting_client).send(receipt_message())
        assert len(peer.wait_for(1)) == 1
        with pytest.raises(MailError):  # the system's trust store does not know this server
            SmtpMailbox.from_url(peer.url, SENDER).send(receipt_message())
        assert len(peer.messages) == 1


def test_smtp_down_is_a_temporary_mail_error() -> None:
    mailbox = SmtpMailbox.from_url(f"smtp://127.0.0.1:{servers.free_port()}?timeout=2", SENDER)
    with pytest.raises(MailError, match=r"Could not send mail through 127\.0\.0\.1") as failed:
        mailbox.send(receipt_message())
    assert not failed.value.permanent


def test_an_address_at_a_domain_in_another_alphabet_reaches_any_server() -> None:
    with running_smtp_server(smtputf8=False) as server:
        message = compose("Jörg Weiß <joerg@müller-straße.de>", "Eingangsbestätigung", "Guten Tag")
        SmtpMailbox.from_url(server.url, SENDER).send(message)

        (received,) = server.wait_for(1)
    assert server.envelopes == [
        ("noreply@musterstadt.example", ["joerg@xn--mller-strae-46a18a.de"])
    ]
    assert received["To"].addresses[0].display_name == "Jörg Weiß"


def test_a_mailbox_name_in_another_alphabet_needs_a_server_that_takes_it() -> None:
    message = compose("jörg@example.org", "Eingangsbestätigung", "Guten Tag")
    with running_smtp_server(smtputf8=False) as server:
        with pytest.raises(MailError, match="no SMTPUTF8") as failed:
            SmtpMailbox.from_url(server.url, SENDER).send(message)
        assert failed.value.permanent
    with running_smtp_server() as server:
        SmtpMailbox.from_url(server.url, SENDER).send(message)
        assert server.envelopes[0][1] == ["jörg@example.org"]


def test_a_refused_recipient_is_a_permanent_mail_error(smtp_server: SmtpPeer) -> None:
    smtp_server.refuse("erika@example.org")
    with pytest.raises(MailError, match="refused every recipient") as failed:
        SmtpMailbox.from_url(smtp_server.url, SENDER).send(receipt_message())
    assert failed.value.permanent
    assert smtp_server.messages == []


def test_outbox_folder_writes_a_parseable_eml(tmp_path: Path) -> None:
    OutboxFolderMailbox(tmp_path / "outbox", SENDER).send(receipt_message())

    (written,) = (tmp_path / "outbox").iterdir()
    assert written.suffix == ".eml"
    parsed = message_from_bytes(written.read_bytes(), policy=policy.default)
    assert parsed["To"] == "Erika Müller <erika@example.org>"
    assert parsed["From"] == SENDER
    assert parsed["Subject"] == "Eingangsbestätigung MUS-2026-000123"
    assert only_attachment(parsed) == ("Eingangsbestätigung.pdf", PDF)  # type: ignore[arg-type]


def test_outbox_folder_that_cannot_be_written_is_a_mail_error(tmp_path: Path) -> None:
    blocker = tmp_path / "outbox"
    blocker.write_text("a file where the folder should be")
    with pytest.raises(MailError, match="Could not write mail"):
        OutboxFolderMailbox(blocker, SENDER).send(receipt_message())


@pytest.mark.parametrize(
    "make",
    [
        lambda: compose("erika@example.org\r\nBcc: all@example.org", "Hi", "x"),
        lambda: compose("erika@example.org", "Hi\nBcc: all@example.org", "x"),
        lambda: compose("erika@example.org, all@example.org", "Hi", "x"),
        lambda: compose("erika@example.org", "Hi", "x", reply_to="a@example.org\nBcc: b@x.org"),
        lambda: compose("not an address", "Hi", "x"),
        lambda: compose([], "Hi", "x"),
        lambda: compose("e@example.org", "Hi", "x", attachments=[("a\r\n.pdf", "text/plain", b"")]),
        lambda: compose("e@example.org", "Hi", "x", attachments=[("a.pdf", "pdf", b"")]),
    ],
    ids=["to", "subject", "comma", "reply-to", "no-address", "nobody", "file-name", "mime"],
)
def test_header_injection_is_refused(make: Callable[[], object]) -> None:
    with pytest.raises(UnsafeHeaderError):
        make()


def test_several_recipients_are_given_as_a_list(smtp_server: SmtpPeer) -> None:
    message = compose(["a@example.org", "b@example.org"], "Hi", "x")
    SmtpMailbox.from_url(smtp_server.url, SENDER).send(message)
    smtp_server.wait_for(1)
    assert smtp_server.envelopes[0][1] == ["a@example.org", "b@example.org"]


@pytest.fixture(params=["smtp", "outbox"])
def any_mailbox(
    request: pytest.FixtureRequest, smtp_server: SmtpPeer, tmp_path: Path
) -> tuple[Mailbox, Callable[[], list[EmailMessage]]]:
    """Each implementation, with a way to read back what it delivered."""
    if request.param == "smtp":
        return SmtpMailbox.from_url(smtp_server.url, SENDER), lambda: smtp_server.wait_for(1)

    def read_folder() -> list[EmailMessage]:
        return [
            message_from_bytes(path.read_bytes(), policy=policy.default)  # type: ignore[misc]
            for path in sorted(tmp_path.glob("*.eml"))
        ]

    return OutboxFolderMailbox(tmp_path, SENDER), read_folder


def test_every_mailbox_conforms_to_the_protocol(
    any_mailbox: tuple[Mailbox, Callable[[], list[EmailMessage]]],
) -> None:
    mailbox, delivered = any_mailbox
    protocol = inspect.signature(Mailbox.send).replace(
        parameters=list(inspect.signature(Mailbox.send).parameters.values())[1:]
    )
    assert inspect.signature(mailbox.send) == protocol
    mailbox.send(receipt_message())
    (received,) = delivered()
    assert received["From"] == SENDER
    assert received["Subject"] == "Eingangsbestätigung MUS-2026-000123"
    assert only_attachment(received) == ("Eingangsbestätigung.pdf", PDF)


def test_the_app_uses_smtp_when_configured_and_the_outbox_otherwise(
    make_app: Callable[..., Flask], settings: Settings, smtp_server: SmtpPeer, tmp_path: Path
) -> None:
    demo = make_app(settings=replace(settings, mail_outbox_dir=tmp_path))
    with demo.app_context():
        mail.mailbox().send(compose("erika@example.org", "Demo", "x"))
    assert [path.suffix for path in tmp_path.iterdir()] == [".eml"]

    real = make_app(settings=replace(settings, smtp_url=smtp_server.url))
    with real.app_context():
        mail.mailbox().send(compose("erika@example.org", "Real", "x"))
    assert smtp_server.wait_for(1)[0]["From"] == "Amtsweg <noreply@amtsweg.invalid>"


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, "AMTSWEG_SMTP_URL is missing"),
        ({"AMTSWEG_SMTP_URL": "smtps://mail.example:465"}, "AMTSWEG_MAIL_FROM must be a real"),
        ({"AMTSWEG_SMTP_URL": "smtp://u:p@mail.example"}, "logs in without encryption"),
        ({"AMTSWEG_SMTP_URL": "http://mail.example"}, "must look like smtp://"),
        ({"AMTSWEG_MAIL_FROM": "a@b.org\r\nBcc: c@d.org"}, "must not contain line breaks"),
    ],
)
def test_production_refuses_unsafe_mail_settings(environ: dict[str, str], expected: str) -> None:
    problems = Settings.from_env({"AMTSWEG_ENV": "production", **environ}).problems()
    assert any(expected in problem for problem in problems), problems


def test_production_accepts_smtp_with_a_real_sender() -> None:
    settings = Settings.from_env(
        {
            "AMTSWEG_ENV": "production",
            "AMTSWEG_SMTP_URL": "smtp://u:p@mail.example?starttls=true",
            "AMTSWEG_MAIL_FROM": "Gemeinde Musterstadt <noreply@musterstadt.de>",
        }
    )
    assert mail.mail_problems(settings) == []
    assert mail.mailbox_for(settings) == SmtpMailbox(
        "mail.example", 587, settings.mail_from, "starttls", "u", "p"
    )
